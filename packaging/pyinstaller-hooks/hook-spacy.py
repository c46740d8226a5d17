"""spaCy for Summit Reader (replaces pyinstaller-hooks-contrib's hook): every module but the test suite, since
spaCy imports languages and registered functions by name; its data files, but not its Cython sources."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules


def _not_tests(name: str) -> bool:
    return ".tests" not in name


hiddenimports = collect_submodules("spacy", filter=_not_tests)
datas = collect_data_files("spacy", excludes=["**/tests/**", "**/*.pyx", "**/*.pxd", "**/*.pyi", "**/*.c", "**/*.h"])
