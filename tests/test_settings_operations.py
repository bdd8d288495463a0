"""Settings an operator gives a container: secrets from files, production refusing to start
without a database URL, and errors that name the variable but never echo its value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.config import ConfigError, Settings, load_settings
from tests.conftest import SECRET

PLANTED = "planted-Secret-9f8e7d6c5b4a3210-zyxwvu"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test sets: no MESTRING_ variable of the surrounding shell leaks in."""
    for name in list(os.environ):
        if name.startswith("MESTRING_"):
            monkeypatch.delenv(name)


def secret_file(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_secrets_come_from_files_named_by_the_file_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql://mestring:{PLANTED}@db.internal/mestring"
    monkeypatch.setenv("MESTRING_ENV", "production")
    monkeypatch.setenv("MESTRING_SECRET_KEY_FILE", str(secret_file(tmp_path, "key", SECRET + "\n")))
    monkeypatch.setenv("MESTRING_DATABASE_URL_FILE", str(secret_file(tmp_path, "url", url)))
    monkeypatch.setenv("MESTRING_METRICS_TOKEN_FILE", str(secret_file(tmp_path, "tok", PLANTED)))
    settings = Settings()
    assert settings.secret_key == SECRET  # the file's trailing newline is not part of it
    assert settings.database_url == url
    assert settings.metrics_token == PLANTED
    assert PLANTED not in repr(settings)
    assert SECRET not in repr(settings)


def test_the_environment_still_works_without_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESTRING_ENV", "production")
    monkeypatch.setenv("MESTRING_SECRET_KEY", SECRET)
    monkeypatch.setenv("MESTRING_DATABASE_URL", "postgresql://app@db/mestring")
    assert Settings().database_url == "postgresql://app@db/mestring"


def test_a_value_and_a_file_for_the_same_secret_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESTRING_SECRET_KEY", PLANTED)
    monkeypatch.setenv("MESTRING_SECRET_KEY_FILE", str(secret_file(tmp_path, "key", SECRET)))
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert str(refused.value) == "set MESTRING_SECRET_KEY or MESTRING_SECRET_KEY_FILE, not both"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "No such file or directory"), ("", "is empty"), ("  \n", "is empty")],
)
def test_an_unusable_secret_file_names_the_variable_and_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None, reason: str
) -> None:
    path = tmp_path / "db-url"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setenv("MESTRING_DATABASE_URL_FILE", str(path))
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert str(refused.value).startswith(f"MESTRING_DATABASE_URL_FILE: {path}") or str(
        refused.value
    ).startswith(f"MESTRING_DATABASE_URL_FILE: cannot read {path}")
    assert reason in str(refused.value)


def test_production_without_a_database_url_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not a fall-back to SQLite under the read-only image (which failed with a traceback)."""
    monkeypatch.setenv("MESTRING_ENV", "production")
    monkeypatch.setenv("MESTRING_SECRET_KEY", SECRET)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert str(refused.value) == (
        "MESTRING_DATABASE_URL (or MESTRING_DATABASE_URL_FILE) must be set when "
        "MESTRING_ENV=production"
    )
    monkeypatch.setenv("MESTRING_ENV", "development")
    assert load_settings().database_url.startswith("sqlite:///")  # the dev default stays


@pytest.mark.parametrize(
    ("values", "names"),
    [
        (
            {
                "env": "production",
                "database_url": "sqlite:///x.db",
                "secret_key": "short" + PLANTED[:9],
            },
            "MESTRING_SECRET_KEY",
        ),
        ({"database_url": f"postgresql://u:{PLANTED}@db:port/x"}, "MESTRING_DATABASE_URL"),
        ({"database_url": f"mysql://u:{PLANTED}@db/x"}, "MESTRING_DATABASE_URL"),
        ({"metrics_token": PLANTED[:20]}, "MESTRING_METRICS_TOKEN"),
        ({"metrics_networks": f"10.0.0.0/8,{PLANTED}"}, "MESTRING_METRICS_NETWORKS"),
        ({"access_token_minutes": PLANTED}, "MESTRING_ACCESS_TOKEN_MINUTES"),
    ],
)
def test_a_rejected_value_is_never_echoed(values: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(**values)
    message = str(refused.value)
    assert names in message
    assert "\n" not in message
    for fragment in (PLANTED, PLANTED[:9], PLANTED[:20]):
        assert fragment not in message


def test_metrics_networks_parse_from_a_comma_separated_list() -> None:
    settings = load_settings(metrics_networks="10.0.0.0/8, 192.0.2.7 ,fd00::/8")
    assert [str(n) for n in settings.metrics_networks] == ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8"]
    assert load_settings().metrics_networks == []
    assert load_settings().metrics_token is None


def test_of_several_broken_rules_the_first_group_in_order_is_named() -> None:
    """The groups (app/core/config_*.py) are checked in one order: operations (the production
    database), push, then the secret key; field errors follow the fields' order."""
    broken = {"env": "production", "webpush_allow_http": True, "secret_key": "short"}
    with pytest.raises(ConfigError) as refused:
        load_settings(**broken)
    assert str(refused.value).startswith("MESTRING_DATABASE_URL (or MESTRING_DATABASE_URL_FILE)")
    with pytest.raises(ConfigError) as refused:
        load_settings(**broken, database_url="sqlite:///x.db")
    assert str(refused.value) == "MESTRING_WEBPUSH_ALLOW_HTTP must not be set in production"
    with pytest.raises(ConfigError) as refused:
        load_settings(push_timeout_seconds=0, worker_concurrency=0, access_token_minutes=0)
    named = [part.split(":")[0] for part in str(refused.value).split("; ")]
    assert named == [
        "MESTRING_ACCESS_TOKEN_MINUTES",
        "MESTRING_WORKER_CONCURRENCY",
        "MESTRING_PUSH_TIMEOUT_SECONDS",
    ]
