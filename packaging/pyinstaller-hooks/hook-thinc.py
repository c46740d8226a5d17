"""thinc for Summit Reader (replaces pyinstaller-hooks-contrib's hook): every module but the test suite."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules


def _not_tests(name: str) -> bool:
    return ".tests" not in name


hiddenimports = collect_submodules("thinc", filter=_not_tests)
datas = collect_data_files("thinc", excludes=["**/tests/**", "**/*.pyx", "**/*.pxd", "**/*.pyi", "**/*.c", "**/*.h"])
