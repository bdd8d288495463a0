"""`./dev mutate [MODULE ...]`: mutation testing (mutmut) of the modules where a one-character
change is a clinical or privacy incident, each against the test files that cover it, on SQLite.

Each module runs in its own scratch copy of the tree (`var/mutate/<module>/`), so the source
files in the work tree are never touched and the runs of different modules do not share state.
mutmut maps every test to the functions it reaches, then runs, for each mutant, only those
tests (stopping at the first failure). A module's score is killed / (mutants - equivalent),
where the equivalent mutants are the ones listed in tests/README.md with a reason.

Not part of `./dev test` (a module takes minutes to an hour). Results: one line per module on
stdout and the survivors in `var/mutate/<module>/survivors.txt`; `.venv/bin/mutmut show NAME`
run inside that folder shows a mutant's diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module -> the test files that cover it: the hand-computed pure tests where the module is pure
# (they are what pins the rule; the HTTP tests only repeat them slower), HTTP tests otherwise
MODULES: dict[str, list[str]] = {
    "app/boosters/rule.py": ["tests/test_boosters_rule_pure.py"],
    "app/work/grades.py": ["tests/test_work_grades.py"],
    "app/work/stages.py": ["tests/test_work_grades.py"],
    "app/exercises/adherence.py": ["tests/test_exercises_adherence_rules.py"],
    "app/checkins/definition.py": ["tests/test_checkins_scoring.py"],
    "app/measures/windows.py": ["tests/test_measures_rules.py"],
    "app/measures/recovery.py": ["tests/test_measures_rules.py"],
    "app/instruments/scoring.py": [
        "tests/test_checkins_scoring.py",
        "tests/test_instruments_definition.py",
    ],
    "app/boosters/rule_service.py": [
        "tests/test_boosters_rule_api.py",
        "tests/test_checkins_versions.py",
    ],
    "app/boosters/followups.py": [
        "tests/test_boosters_followups.py",
        "tests/test_work_follow_ups.py",
        "tests/test_jobsupport_employment.py",  # a new job's series (reason new_job)
    ],
    "app/care/access.py": [
        "tests/test_role_matrix.py",
        "tests/test_risk_alerts.py",
        "tests/test_risk_alert_access.py",
        "tests/test_workfocus_work_side.py",
        "tests/test_jobsupport_contacts.py",
        "tests/test_jobsupport_employment.py",
        "tests/test_jobsupport_meetings.py",
    ],
    "app/reports/suppression.py": ["tests/test_reports_rules.py"],
    "app/reports/stats.py": ["tests/test_reports_rules.py"],
    "app/reports/sheet.py": ["tests/test_reports_sheet.py"],
    "app/devices/outcome.py": ["tests/test_devices_rules.py"],
    "app/devices/rules.py": ["tests/test_devices_rules.py"],
    # job support: what the consent lets a counsellor do (contact the employer); what a
    # counsellor may read is app/care/access.py (ensure_work_side, counsellor_reads) above
    "app/jobsupport/rules.py": ["tests/test_jobsupport_rules.py"],
}
COPIED = ["app", "tests", "migrations", "alembic.ini", "pyproject.toml"]
# A timeout is detection too: the mutant made a covering test hang.
DETECTED = {"killed", "timeout", "caught by type check"}
STATUS = re.compile(r"^\s*(\S+): (\w[\w ]*)$")


def _scratch(module: str) -> Path:
    """A fresh copy of the tree with a [tool.mutmut] section for this module."""
    where = ROOT / "var" / "mutate" / module.removesuffix(".py").replace("/", ".")
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, where / name)
    tests = ", ".join(f'"{t}"' for t in MODULES[module])
    with (where / "pyproject.toml").open("a") as config:
        config.write(
            "\n[tool.mutmut]\n"
            'source_paths = ["app"]\n'
            f'only_mutate = ["{module}"]\n'
            'also_copy = ["migrations", "alembic.ini"]\n'
            f"pytest_add_cli_args_test_selection = [{tests}]\n"
            'pytest_add_cli_args = ["-p", "no:cacheprovider", "-n", "0"]\n'
            "use_git_change_detection = false\n"
        )
    return where


def run(module: str) -> tuple[int, int, list[str]]:
    """Mutate one module; (mutants, killed, survivor lines)."""
    where = _scratch(module)
    env = {**os.environ, "MESTRING_TEST_DBS": "sqlite"}
    mutmut = str(ROOT / ".venv" / "bin" / "mutmut")
    with (where / "run.log").open("w") as log:  # mutmut's progress display
        subprocess.run(  # noqa: S603 (a fixed command line: our own mutmut)
            [mutmut, "run", "--max-children", "2"],
            cwd=where,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    listed = subprocess.run(  # noqa: S603 (a fixed command line: our own mutmut)
        [mutmut, "results", "--all", "true"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    statuses: dict[str, str] = {}
    for line in listed.splitlines():
        if found := STATUS.match(line):
            statuses[found.group(1)] = found.group(2)
    killed = sum(1 for status in statuses.values() if status in DETECTED)
    survivors = sorted(f"{name}: {s}" for name, s in statuses.items() if s not in DETECTED)
    (where / "survivors.txt").write_text("".join(f"{line}\n" for line in survivors))
    return len(statuses), killed, survivors


def main(argv: list[str]) -> int:
    modules = argv or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        print(f"not a module this runs on: {unknown}; known: {list(MODULES)}", file=sys.stderr)
        return 2
    for module in modules:
        total, killed, survivors = run(module)
        score = f"{100 * killed / total:.1f} %" if total else "no mutants"
        print(f"{module}: {total} mutants, {killed} killed, {len(survivors)} not ({score})")
        for line in survivors:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
