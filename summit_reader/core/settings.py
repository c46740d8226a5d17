"""The user's window settings: a small versioned JSON file (no Qt here; the window's geometry lives in
QSettings, everything else here so the CLI and tests can read it too).

``$SUMMIT_READER_CONFIG_DIR/settings.json`` when that variable is set, else ``settings.json`` in the
platform's user config folder. A file that cannot be read, is not valid JSON or was written by a newer
version is ignored (defaults are used) and copied to ``settings.json.bad`` first, so saving never
destroys it silently; ``Settings.problem`` says what happened, for the window to show.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

ENV_VAR = "SUMMIT_READER_CONFIG_DIR"
SETTINGS_VERSION = 1
FILE_NAME = "settings.json"

GRAPH_MODES = ("rate", "count", "scales")
#: The window's colour themes; "system" follows the operating system (light, dark or high contrast).
THEMES = ("system", "light", "dark", "high-contrast")
MIN_PANES, MAX_PANES = 1, 4
#: The reading font size in points: default, smallest, largest, and the "classroom" size.
DEFAULT_ZOOM, MIN_ZOOM, MAX_ZOOM, CLASSROOM_ZOOM = 12.0, 7.0, 72.0, 26.0


def config_dir() -> Path:
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return platformdirs.user_config_path("summit-reader", appauthor=False)


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


@dataclass
class Settings:
    """What the window remembers between runs (besides its geometry)."""

    version: int = SETTINGS_VERSION
    #: One entry per pane: the document id it shows, or None for an empty pane.
    open_documents: list[int | None] = field(default_factory=list)
    pane_count: int = 2
    zoom: float = DEFAULT_ZOOM
    hidden_categories: list[str] = field(default_factory=list)
    sync_scroll: bool = False
    graph_mode: str = "rate"
    theme: str = "system"
    #: The library the open documents belong to (ids mean nothing in another library).
    library_path: str = ""
    #: The lexicon file the window and the CLI count with ("": the default lexicon shipped with Summit Reader).
    lexicon_path: str = ""
    path: Path = field(default_factory=settings_path, compare=False, repr=False)
    problem: str | None = field(default=None, compare=False, repr=False)

    # ------------------------------------------------------------------ reading

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The settings in ``path`` (default: :func:`settings_path`); defaults if absent or unusable."""
        target = path if path is not None else settings_path()
        try:
            raw = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path=target)
        except (OSError, UnicodeDecodeError) as exc:
            return cls._rejected(target, f"cannot be read ({exc})")
        try:
            data = json.loads(raw)
        except ValueError:
            return cls._rejected(target, "is not valid JSON")
        if not isinstance(data, dict):
            return cls._rejected(target, "is not a settings object")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            return cls._rejected(target, "has no version number")
        if version > SETTINGS_VERSION:
            return cls._rejected(
                target, f"was written by a newer Summit Reader (settings version {version})"
            )
        settings = cls(path=target)
        settings._update_from(data)
        return settings

    @classmethod
    def _rejected(cls, target: Path, why: str) -> Settings:
        backup = target.with_name(target.name + ".bad")
        kept = ""
        with contextlib.suppress(OSError):
            shutil.copy2(target, backup)
            kept = f"; it was kept as '{backup.name}'"
        settings = cls(path=target)
        settings.problem = f"The settings file '{target}' {why}, so the default settings are used{kept}."
        return settings

    def _update_from(self, data: dict[str, Any]) -> None:
        """Take every field that has the right type; a wrong one keeps its default."""
        docs = data.get("open_documents")
        if isinstance(docs, list):
            self.open_documents = [
                d if isinstance(d, int) and not isinstance(d, bool) and d > 0 else None for d in docs[:MAX_PANES]
            ]
        count = data.get("pane_count")
        if isinstance(count, int) and not isinstance(count, bool):
            self.pane_count = int(_clamp(count, MIN_PANES, MAX_PANES))
        zoom = data.get("zoom")
        if isinstance(zoom, (int, float)) and not isinstance(zoom, bool) and zoom == zoom:
            self.zoom = float(_clamp(float(zoom), MIN_ZOOM, MAX_ZOOM))
        hidden = data.get("hidden_categories")
        if isinstance(hidden, list):
            self.hidden_categories = [str(h) for h in hidden if isinstance(h, str)]
        sync = data.get("sync_scroll")
        if isinstance(sync, bool):
            self.sync_scroll = sync
        mode = data.get("graph_mode")
        if mode in GRAPH_MODES:
            self.graph_mode = str(mode)
        theme = data.get("theme")
        if theme in THEMES:
            self.theme = str(theme)
        library = data.get("library_path")
        if isinstance(library, str):
            self.library_path = library
        lexicon = data.get("lexicon_path")
        if isinstance(lexicon, str):
            self.lexicon_path = lexicon

    # ------------------------------------------------------------------ writing

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SETTINGS_VERSION,
            "open_documents": list(self.open_documents),
            "pane_count": self.pane_count,
            "zoom": self.zoom,
            "hidden_categories": sorted(set(self.hidden_categories)),
            "sync_scroll": self.sync_scroll,
            "graph_mode": self.graph_mode,
            "theme": self.theme,
            "library_path": self.library_path,
            "lexicon_path": self.lexicon_path,
        }

    def save(self) -> None:
        """Write atomically (a temporary file in the same folder, then ``os.replace``).
        Raises OSError if the folder cannot be written."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
