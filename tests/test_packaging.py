"""A non-editable install carries every runtime resource: build the wheel, install it alone into a folder,
and run the CLI from there (dependencies come from the test environment)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from summit_reader import __version__

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
    assert "summit_reader/resources/corpus/summits.json" in names

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


# ----------------------------------------------------------------- sdist and wheel, fresh environment


def _package_files() -> tuple[list[str], list[str]]:
    """What a wheel must hold: every module of summit_reader/ and every file of resources/ (as installed)."""
    modules = sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "summit_reader").rglob("*.py") if "__pycache__" not in p.parts
    )
    resources = sorted(
        "summit_reader/resources/" + p.relative_to(ROOT / "resources").as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    return modules, resources


def test_pyproject_lists_every_package_and_resource_folder() -> None:
    """setuptools installs only the packages pyproject.toml lists: a new sub-package or resource folder
    left out would be missing from the wheel and the application (the slow test below checks the wheel)."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    wanted = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "summit_reader").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    wanted |= {
        "summit_reader.resources." + ".".join(p.relative_to(ROOT / "resources").parts)
        for p in (ROOT / "resources").rglob("*")
        if p.is_dir() and "__pycache__" not in p.parts
    }
    wanted.add("summit_reader.resources")
    assert sorted(wanted - listed) == [], "add these to [tool.setuptools] packages in pyproject.toml"


@pytest.mark.slow
def test_build_sdist_and_wheel_then_run_from_a_fresh_venv(tmp_path: Path) -> None:
    """`python -m build` (the sdist, then the wheel built from it) holds every module and resource; the wheel
    installs with its dependencies into a new virtual environment (no access to the test environment's
    packages) and its `summit-reader` command runs there, window included (offscreen)."""
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheel = next(dist.glob("summit_reader-*.whl"))
    sdist = next(dist.glob("summit_reader-*.tar.gz"))

    modules, resources = _package_files()
    for needed in (
        "summit_reader/resources/lexicons/default.yml",
        "summit_reader/resources/demo/manifest.json",
        "summit_reader/resources/icons/summit-reader.svg",
    ):
        assert needed in resources
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in modules + resources if name not in in_wheel]
    assert not missing, f"missing from the wheel (pyproject.toml packages / package-data): {missing}"
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    sdist_needs = [*modules] + [r.replace("summit_reader/resources/", "resources/") for r in resources]
    sdist_needs += ["pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "packaging/summit-reader.spec"]
    missing = [name for name in sdist_needs if name not in in_sdist]
    assert not missing, f"missing from the sdist (MANIFEST.in): {missing}"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]

    env = {
        **os.environ,
        "SUMMIT_READER_DB": str(tmp_path / "lib.sqlite3"),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONNOUSERSITE": "1",
    }
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)

    def app(*args: str) -> str:
        out = subprocess.run(
            [str(bindir / "summit-reader"), *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    where = subprocess.run(
        [str(python), "-c", "import summit_reader, spacy; print(summit_reader.__file__); print(spacy.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert all(path.startswith(str(venv)) for path in where), where
    assert app("--version").strip() == f"summit-reader, version {__version__}"
    sample = tmp_path / "t.md"
    sample.write_text("# Test\n\nWe must act on AI safety.\n", encoding="utf-8")
    app("import", str(sample), "--date", "2024-01-01")
    listed = app("list", "--format", "csv")
    assert "1,Test,2024-01-01" in listed
    assert "passed" in app("--smoke-test", str(tmp_path / "smoke.png"))
    assert (tmp_path / "smoke.png").stat().st_size > 10_000


def test_hidden_smoke_test_option(qapp: object, tmp_path: Path) -> None:
    """`summit-reader --smoke-test OUT.png` (what packaging/build.sh runs on the built app) passes here,
    writes a picture of the window and stays out of `--help`."""
    from click.testing import CliRunner

    from summit_reader.cli import cli

    out = tmp_path / "smoke.png"
    result = CliRunner().invoke(cli, ["--smoke-test", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "smoke: passed" in result.output
    assert out.read_bytes().startswith(b"\x89PNG") and out.stat().st_size > 10_000
    assert "--smoke-test" not in CliRunner().invoke(cli, ["--help"]).output


# ------------------------------------------------------------------------- desktop integration files

APP_ID = "io.github.summit_reader.SummitReader"
LINUX = ROOT / "packaging" / "linux"


def test_metainfo_names_this_release_and_the_desktop_file() -> None:
    root = ElementTree.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("project_license") == "MIT" and root.findtext("metadata_license") == "CC0-1.0"
    releases = [r.get("version") for r in root.iter("release")]
    assert releases and releases[0] == __version__, "add a <release> for the new version to the metainfo"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased" in changelog or f"## {__version__}" in changelog


def test_desktop_file_and_metainfo_agree_on_media_types_and_icon() -> None:
    entry = dict(
        line.split("=", 1)
        for line in (LINUX / f"{APP_ID}.desktop").read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "summit-reader"
    desktop_types = [t for t in entry["MimeType"].split(";") if t]
    root = ElementTree.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert desktop_types == [m.text for m in root.iter("mediatype")]
    assert "application/x-summit-reader-library" in desktop_types
    mime = ElementTree.parse(LINUX / f"{APP_ID}.mime.xml").getroot()
    ns = "{http://www.freedesktop.org/standards/shared-mime-info}"
    assert [m.get("type") for m in mime.iter(f"{ns}mime-type")] == ["application/x-summit-reader-library"]
    svg = ElementTree.parse(ROOT / "resources" / "icons" / "summit-reader.svg").getroot()
    assert svg.get("viewBox") == "0 0 256 256"
