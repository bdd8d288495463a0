"""PROMETHEUS_MULTIPROC_DIR is checked where it would otherwise turn /metrics into a 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.metrics import MetricsDirError, clear_multiprocess_dir, multiprocess_dir
from app.main import create_app
from tests.conftest import make_settings


def test_unset_means_single_process_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert multiprocess_dir() is None


def test_a_worker_pointed_at_a_missing_directory_fails_at_start(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It used to start and answer /metrics with a 500."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    with pytest.raises(MetricsDirError, match="is not a directory; mount an empty, writable"):
        create_app(make_settings(database_url))
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "a-file"))
    with pytest.raises(MetricsDirError, match="is not a directory"):
        multiprocess_dir()


def test_a_directory_holding_other_db_files_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """prometheus-client reads every *.db there, and an empty keep.db made /metrics a 500."""
    (tmp_path / "keep.db").write_bytes(b"")
    (tmp_path / "mestring.db").write_bytes(b"SQLite format 3\x00")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    with pytest.raises(MetricsDirError, match=r"holds files that are not metrics \(keep\.db, mest"):
        multiprocess_dir()
    assert (tmp_path / "mestring.db").exists()  # refused, not deleted


def test_clearing_removes_what_prometheus_wrote_and_nothing_else(tmp_path: Path) -> None:
    metric_files = [
        "counter_17.db",
        "histogram_17.db",
        "summary_4.db",
        "gauge_livesum_17.db",
        "gauge_all_9.db",
    ]
    others = ["notes.txt", "counter_17.db.bak", "counter.db", "mycounter_1.db"]
    for name in metric_files + others:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "lost+found").mkdir()
    assert clear_multiprocess_dir(tmp_path) == len(metric_files)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*others, "lost+found"])
