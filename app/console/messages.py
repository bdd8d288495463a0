"""The msgids the console uses: from its templates (Jinja2's `_()`/`gettext`) and from its
Python modules (the `N_` marker). The catalogue test checks both catalogues hold each one."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

HERE = Path(__file__).parent
_METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
_OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
_KEYWORDS = {"_": None, "gettext": None, "N_": None}


def used_msgids() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        HERE,
        method_map=_METHODS,
        options_map=_OPTIONS,
        keywords=_KEYWORDS,
        comment_tags=(),
        strip_comment_tags=True,
    ):
        if isinstance(message, str) and message:
            found.add(message)
    return found
