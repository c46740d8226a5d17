"""A non-editable install carries every runtime resource: build the wheel, install it alone into a folder,
and run the CLI from there (dependencies come from the test environment)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_wheel_contains_resources_and_runs(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheel_dir), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheel_dir.glob("summit_reader-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "summit_reader/resources/lexicons/default.yml" in names
    assert "summit_reader/resources/demo/manifest.json" in names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "SUMMIT_READER_DB": str(tmp_path / "lib.sqlite3")}
    sample = tmp_path / "t.txt"
    sample.write_text("We must act on AI safety. We should cooperate.", encoding="utf-8")

    def cli(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "summit_reader", *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    where = subprocess.run(
        [sys.executable, "-c", "import summit_reader; print(summit_reader.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert where.startswith(str(target)), f"imported from {where}, not from the installed wheel"
    assert "0." in cli("--version")
    cli("import", str(sample), "--title", "Test", "--date", "2024-01-01")
    out = cli("matches", "1", "--category", "modal", "--format", "csv")
    assert "must,modal,must,4" in out
