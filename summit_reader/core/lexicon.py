"""Lexicons: categories of terms, and the two ordered scales (modal and operative verbs).

A lexicon file uses the layout of quanteda's YAML dictionaries, so researchers can bring their own:
top-level keys are categories, values are lists of entries (words, multi-word phrases, ``*`` globs) or
nested mappings. A nested key that starts with a number (``"2 advice"``) is a level of an ordered scale
and the number is its rank. Name and version are read from ``# name:`` and ``# version:`` comment lines,
which quanteda ignores.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from summit_reader.core.errors import LexiconError

DEFAULT_LEXICON = "default.yml"
MAX_LEXICON_BYTES = 5 * 1024 * 1024
#: More entries than any real lexicon has; YAML aliases can make a small file expand without limit.
MAX_ENTRIES = 100_000
_MAX_DEPTH = 16

_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_TEXT = "contains an escaped character that is not text (an unpaired surrogate such as \\ud800)"
_RANKED = re.compile(r"^\s*(\d+)[\s._:-]*(.*?)\s*$")
_ENTRY_OK = re.compile(r"^[^\s*?]*(?:\*[^\s*?]*)*$")


@dataclass(frozen=True)
class Entry:
    """One dictionary entry, as written (lower-cased): "secur*", "rule of law", "ought to"."""

    pattern: str
    category: str
    level: str | None = None  # scale level or nested sub-key, e.g. "obligation"
    rank: int | None = None  # 1 = weakest, for scale categories only


@dataclass(frozen=True)
class Category:
    name: str
    entries: tuple[Entry, ...]
    levels: tuple[tuple[int, str], ...] = ()  # (rank, level) in rank order, for scales

    @property
    def is_scale(self) -> bool:
        return bool(self.levels)


@dataclass(frozen=True)
class Lexicon:
    name: str
    version: str
    categories: tuple[Category, ...]
    hash: str  # sha256 of the canonical content (comments and layout do not change it)

    @property
    def label(self) -> str:
        """What travels with every result and export: "summit-default 1.0 sha256:1a2b3c4d"."""
        return f"{self.name} {self.version} sha256:{self.hash[:12]}"

    @property
    def category_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories)

    def category(self, name: str) -> Category:
        """Look a category up by name, forgiving case, spaces, hyphens and underscores."""
        key = canonical_category(name)
        for c in self.categories:
            if canonical_category(c.name) == key:
                return c
        raise LexiconError(
            f"There is no category '{name}' in the lexicon {self.name}; categories: "
            + ", ".join(self.category_names)
            + "."
        )

    def entries(self) -> list[Entry]:
        return [e for c in self.categories for e in c.entries]


def canonical_category(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name).strip().casefold()


def _text_header(text: str, key: str) -> str | None:
    match = re.search(rf"^\s*#\s*{key}\s*:\s*(.+?)\s*$", text, re.M | re.I)
    return match.group(1) if match else None


def _flatten(
    value: Any, category: str, path: list[str], where: str, budget: list[int], depth: int = 0
) -> list[tuple[list[str], str]]:
    """(nested keys, entry) pairs below a category. ``budget`` holds how many more entries may come
    (shared by all categories): YAML aliases can repeat a list exponentially, or make it contain itself."""
    if depth > _MAX_DEPTH:
        raise LexiconError(
            f"{where}: the category '{category}' is nested more than {_MAX_DEPTH} levels deep (or contains itself)."
        )
    budget[0] -= 1
    if budget[0] < 0:
        raise LexiconError(f"{where} has more than {MAX_ENTRIES:,} entries; is it really a lexicon?")
    if value is None:
        return []
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, list):
        out: list[tuple[list[str], str]] = []
        for item in value:
            if isinstance(item, (dict, list)):
                out.extend(_flatten(item, category, path, where, budget, depth + 1))
            elif isinstance(item, (str, int, float)):
                budget[0] -= 1
                if budget[0] < 0:
                    raise LexiconError(f"{where} has more than {MAX_ENTRIES:,} entries; is it really a lexicon?")
                out.append((path, str(item)))
            else:
                raise LexiconError(f"{where}: an entry of '{category}' is not text.")
        return out
    if isinstance(value, dict):
        out = []
        for key, sub in value.items():
            out.extend(_flatten(sub, category, [*path, str(key)], where, budget, depth + 1))
        return out
    if isinstance(value, (int, float)):
        return [(path, str(value))]
    raise LexiconError(f"{where}: the category '{category}' holds something that is not a list of entries.")


def _clean_entry(raw: str, category: str, where: str) -> str:
    if _SURROGATE.search(raw):
        raise LexiconError(f"{where}: an entry of '{category}' {_NOT_TEXT}.")
    entry = " ".join(raw.strip().lower().split())
    if not entry:
        raise LexiconError(f"{where}: the category '{category}' has an empty entry.")
    if not any(ch.isalnum() for ch in entry):
        raise LexiconError(f"{where}: the entry '{raw}' in '{category}' has no letters (a lone '*' would match every word).")
    if "?" in entry or not _ENTRY_OK.match(entry.replace(" ", "")):
        raise LexiconError(f"{where}: the entry '{raw}' in '{category}' uses a wildcard Summit Reader does not read (only '*').")
    return entry


def validate_entry(raw: str, category: str = "the category", where: str = "the lexicon") -> str:
    """The entry as the lexicon stores it (lower case, single spaces); LexiconError if Summit Reader cannot
    match it. The loader and the lexicon editor both use it, so they always agree."""
    return _clean_entry(raw, category, where)


def lexicon_from_data(data: Any, *, name: str, version: str | None = None, where: str = "the lexicon") -> Lexicon:
    """A lexicon from parsed YAML data (a mapping of category names to entries), with the same checks and
    the same hash as the file it would be written to; LexiconError if it is not a valid lexicon."""
    lexicon = _lexicon_from_data(data, "", name=name, where=where)
    return lexicon if version is None else replace(lexicon, version=version)


def parse_lexicon(text: str, *, name: str = "lexicon", where: str = "the lexicon") -> Lexicon:
    """Parse lexicon text in quanteda YAML layout; raise LexiconError with a plain message if malformed."""
    import srsly  # ruamel.yaml, which comes with spaCy; imported here to keep start-up light

    try:
        data = srsly.yaml_loads(text)
    except Exception as exc:  # ruamel raises many different classes
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LexiconError(f"{where} is not valid YAML: {first}") from None
    return _lexicon_from_data(data, text, name=name, where=where)


def _lexicon_from_data(data: Any, text: str, *, name: str, where: str) -> Lexicon:
    """The lexicon from its parsed YAML (``text`` gives the name and version header comments)."""
    if not isinstance(data, dict) or not data:
        raise LexiconError(f"{where} has no categories: it must be a YAML mapping of category names to lists of entries.")
    categories: list[Category] = []
    seen: set[str] = set()
    budget = [MAX_ENTRIES]
    for raw_name, value in data.items():
        cat_name = " ".join(str(raw_name).split())
        if _SURROGATE.search(cat_name):
            raise LexiconError(f"{where}: a category name {_NOT_TEXT}.")
        key = canonical_category(cat_name)
        if not key:
            raise LexiconError(f"{where} has a category with an empty name.")
        if key in seen:
            raise LexiconError(f"{where} lists the category '{cat_name}' twice.")
        seen.add(key)
        entries: list[Entry] = []
        levels: dict[int, str] = {}
        seen_entries: set[tuple[str, str | None]] = set()
        for path, raw in _flatten(value, cat_name, [], where, budget):
            level: str | None = None
            rank: int | None = None
            if path:
                m = _RANKED.match(path[0])
                if m and len(path) == 1:
                    rank = int(m.group(1))
                    level = m.group(2) or f"level {rank}"
                    if levels.setdefault(rank, level) != level:
                        raise LexiconError(f"{where}: two levels of '{cat_name}' have the rank {rank}.")
                else:
                    level = "/".join(path)
            pattern = _clean_entry(raw, cat_name, where)
            if (pattern, level) in seen_entries:
                continue
            seen_entries.add((pattern, level))
            entries.append(Entry(pattern=pattern, category=cat_name, level=level, rank=rank))
        if not entries:
            raise LexiconError(f"{where}: the category '{cat_name}' has no entries.")
        if levels and any(e.rank is None for e in entries):
            raise LexiconError(
                f"{where}: in the scale '{cat_name}' every entry must sit under a numbered level such as '1 possibility'."
            )
        categories.append(Category(cat_name, tuple(entries), tuple(sorted(levels.items()))))
    canonical = json.dumps(
        [[c.name, [[e.pattern, e.level, e.rank] for e in c.entries]] for c in categories],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    try:
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    except UnicodeEncodeError:  # a "\ud800" escape in the YAML: not a character
        raise LexiconError(f"{where} {_NOT_TEXT}.") from None
    return Lexicon(
        name=_text_header(text, "name") or name,
        version=_text_header(text, "version") or "unversioned",
        categories=tuple(categories),
        hash=digest,
    )


#: The default lexicon's YAML already parsed, as JSON, with the SHA-256 of the YAML it was made from: the
#: window reads it at start-up without importing a YAML parser (srsly and numpy: about 0.3 s). It is used
#: only while it matches the YAML (a test checks it does; ``python -m summit_reader.core.lexicon`` rewrites it).
PARSED_DEFAULT_LEXICON = "default.parsed.json"


def _default_parsed(folder: Any, text: str) -> Any:
    """The parsed YAML of the default lexicon from its JSON twin, or None if the twin is missing or stale."""
    try:
        twin = json.loads(folder.joinpath(PARSED_DEFAULT_LEXICON).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(twin, dict) or twin.get("yaml_sha256") != hashlib.sha256(text.encode("utf-8")).hexdigest():
        return None
    return twin.get("data")


def write_default_parsed() -> Path:
    """Rewrite the JSON twin of the default lexicon (after editing ``default.yml``)."""
    import srsly

    folder = Path(str(resources.files("summit_reader.resources").joinpath("lexicons")))
    text = (folder / DEFAULT_LEXICON).read_text("utf-8")
    data = srsly.yaml_loads(text)
    if json.loads(json.dumps(data)) != data:
        raise LexiconError("the default lexicon does not survive JSON unchanged; it cannot have a JSON twin.")
    target = folder / PARSED_DEFAULT_LEXICON
    payload = {"yaml_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "data": data}
    target.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target


def read_lexicon_bytes(p: Path, where: str) -> bytes:
    """The bytes of a lexicon file; LexiconError (naming it ``where``) when it is too large for a lexicon
    or cannot be read."""
    try:
        if p.stat().st_size > MAX_LEXICON_BYTES:
            raise LexiconError(f"{where} is larger than {MAX_LEXICON_BYTES // 1_048_576} MB; is it really a lexicon?")
        return p.read_bytes()
    except OSError as exc:
        raise LexiconError(f"{where} cannot be read: {exc.strerror or exc}.") from None
    except ValueError:  # a NUL character in the path
        raise LexiconError(f"{where} cannot be read: it is not a valid file name.") from None


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load a lexicon file, or the default lexicon shipped with Summit Reader when ``path`` is None."""
    if path is None:
        folder = resources.files("summit_reader.resources").joinpath("lexicons")
        text = folder.joinpath(DEFAULT_LEXICON).read_text("utf-8")
        data = _default_parsed(folder, text)
        if data is not None:
            return _lexicon_from_data(data, text, name="summit-default", where="the default lexicon")
        return parse_lexicon(text, name="summit-default", where="the default lexicon")
    p = Path(path)
    if p.suffix.lower() == ".dic":  # LIWC (lexicon_formats imports this module: imported here)
        from summit_reader.core.lexicon_formats import read_lexicon

        return read_lexicon(p).lexicon
    where = f"The lexicon file '{p.name}'"
    data = read_lexicon_bytes(p, where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LexiconError(f"{where} is not UTF-8 text.") from None
    return parse_lexicon(text, name=p.stem, where=where)


if __name__ == "__main__":
    print(f"wrote {write_default_parsed()}")
