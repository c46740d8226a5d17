"""Shared fixtures. Qt runs offscreen; every test gets its own library file and settings folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")

# Texts written by the Summit Reader project for tests: short, invented, not official summit texts.
SAMPLE_TEXTS = {
    "2023": (
        "Illustrative test text A (not an official text)",
        "2023-11-01",
        "We recognise that AI may pose risks to safety. Developers should test their systems for safety.\n\n"
        "We welcome research on AI safety, and we should act together on security.",
    ),
    "2024": (
        "Illustrative test text B (not an official text)",
        "2024-05-21",
        "We support cooperation on safety and innovation. Innovation will create opportunities.\n\n"
        "We commit to dialogue, and we will meet in May 2025.",
    ),
    "2025": (
        "Illustrative test text C (not an official text)",
        "2025-02-11",
        "AI must serve the public good. We must not leave anyone behind, and innovation must be open.\n\n"
        "We endorse investment in skills and jobs; we cannot ignore energy use.",
    ),
}


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user data or settings folders."""
    monkeypatch.setenv("SUMMIT_READER_DB", str(tmp_path / "library.sqlite3"))
    monkeypatch.setenv("SUMMIT_READER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.sqlite3"


@pytest.fixture
def sample_files(tmp_path: Path) -> dict[str, Path]:
    """The three sample texts as .txt files."""
    out = {}
    for year, (_title, _date, text) in SAMPLE_TEXTS.items():
        p = tmp_path / f"sample-{year}.txt"
        p.write_text(text, encoding="utf-8")
        out[year] = p
    return out
