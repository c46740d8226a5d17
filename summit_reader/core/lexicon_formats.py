"""Lexicon files: quanteda YAML and LIWC ``.dic``, read and written (``core/lexicon.py`` parses the YAML).

Which format a file is in is decided by its extension: ``.yml``/``.yaml`` is quanteda YAML, ``.dic`` is
LIWC. A file with any other extension is read as LIWC when its first line is ``%``, else as YAML (as the
``--lexicon`` option always did).

**LIWC .dic** (LIWC2015 / LIWC-22 layout)::

    %
    1	safety
    2	risk
    %
    safe*	1
    loss of control	2
    unsafe	1	2

* The block between the two ``%`` lines numbers the categories; each later line is an entry (a word, a
  phrase or a ``*`` glob), a tab, then the numbers of its categories. Lines without a tab are read too
  (the trailing numbers are the categories); leading tabs in the category block (LIWC2015's hierarchy)
  are ignored: every category is counted on its own.
* Refused with a message naming the line: no ``%`` block, a category number listed twice, two categories
  with the same name, an entry with no category number or with one the block does not list, an empty file.
* Read with a warning: LIWC2007's conditional codes (``like	(02 134)464/253``, ``kind	<of>131/125``) are
  dropped (Summit Reader does not look at the neighbouring word), and an entry left with no plain number is
  left out; entries Summit Reader cannot match (``:)`` has no letters) are left out; categories with no
  entries are left out. A file that is not UTF-8 is read as Windows-1252 (which older LIWC dictionaries
  use) and the warning says so; UTF-16 with a byte order mark is read too.
* A .dic file holds no name, version or scale: read, the lexicon is named after the file and its version
  is "unversioned" (as a YAML file without a ``# version:`` line; the hash identifies the content, and a
  version taken from the file's date would change when the file is copied). Written, the scale levels
  (ranks) and sub-categories are merged into their category and the name and version are lost:
  :func:`dic_losses` says so before saving.

**quanteda YAML** is written so that :func:`summit_reader.core.lexicon.parse_lexicon` reads it back to the
same categories, entries, levels, ranks, order and hash, with the name and version in ``# name:`` and
``# version:`` lines. Scalars that a YAML 1.1 reader such as R's would take for something else than text
(``yes``, ``no``, ``on``, numbers, …) are quoted.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from summit_reader.core.errors import LexiconError
from summit_reader.core.lexicon import (
    Category,
    Lexicon,
    canonical_category,
    lexicon_from_data,
    load_lexicon,
    read_lexicon_bytes,
    validate_entry,
)

YAML, DIC = "yaml", "dic"
SUFFIXES = {".yml": YAML, ".yaml": YAML, ".dic": DIC}
#: The version of a lexicon whose file does not say (a .dic file never does).
UNVERSIONED = "unversioned"

#: A key path below a category: () for a plain entry, ("2 advice",) for a scale level, ("energy",) or
#: ("energy", "solar") for nested sub-categories.
KeyPath = tuple[str, ...]
#: One category as plain rows: its name and its (entry, key path) pairs in order.
CategoryRows = tuple[str, list[tuple[str, KeyPath]]]


@dataclass(frozen=True)
class LoadedLexicon:
    """A lexicon with where it came from and what reading it could not keep."""

    lexicon: Lexicon
    path: Path | None  # None: the default lexicon shipped with Summit Reader
    format: str  # YAML or DIC
    warnings: tuple[str, ...] = ()

    @property
    def is_default(self) -> bool:
        return self.path is None


# ------------------------------------------------------------------------------------------ reading


def format_of(path: str | Path, data: bytes = b"") -> str:
    """YAML or DIC, by the file's extension; for another extension, DIC when ``data`` (the file's first
    bytes) starts with a line holding only ``%``."""
    fmt = SUFFIXES.get(Path(path).suffix.lower())
    if fmt is not None:
        return fmt
    first = data.removeprefix(b"\xef\xbb\xbf").lstrip().split(b"\n", 1)[0].strip()
    return DIC if first == b"%" else YAML


def read_lexicon(path: str | Path | None) -> LoadedLexicon:
    """Read a lexicon file (quanteda YAML or LIWC .dic), or the default lexicon when ``path`` is None.
    Raises LexiconError with a plain message when the file cannot be used."""
    if path is None:
        return LoadedLexicon(load_lexicon(), None, YAML)
    p = Path(path)
    where = f"The lexicon file '{p.name}'"
    data = _read_bytes(p, where)
    if format_of(p, data) == YAML:
        return LoadedLexicon(_read_yaml(p, data, where), p, YAML)
    text, warnings = _decode_dic(data, where)
    lexicon, more = parse_dic(text, name=p.stem, where=where)
    return LoadedLexicon(lexicon, p, DIC, tuple(warnings + more))


def _read_bytes(p: Path, where: str) -> bytes:
    data = read_lexicon_bytes(p, where)
    if not data.strip():
        raise LexiconError(f"{where} is empty.")
    return data


def _read_yaml(p: Path, data: bytes, where: str) -> Lexicon:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LexiconError(
            f"{where} is not UTF-8 text; a YAML lexicon must be UTF-8 (save it again as UTF-8)."
        ) from None
    from summit_reader.core.lexicon import parse_lexicon

    try:
        return parse_lexicon(text, name=p.stem, where=where)
    except LexiconError as exc:
        if text.lstrip().startswith("%"):
            raise LexiconError(f"{exc} It looks like a LIWC dictionary: give it the extension .dic.") from None
        raise


def _decode_dic(data: bytes, where: str) -> tuple[str, list[str]]:
    """The text of a .dic file, and a warning when it was not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            raise LexiconError(f"{where} starts like UTF-16 text but is not.") from None
    if b"\x00" in data:
        raise LexiconError(f"{where} is not a text file (it holds NUL bytes).")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    sample = next((w for w in re.findall(r"\S+", text) if not w.isascii()), "")
    shown = f" (such as '{sample}')" if sample else ""
    return text, [
        f"{where} is not UTF-8: it was read as Windows-1252 (Latin-1), the encoding of older LIWC "
        f"dictionaries. Check that its accented words{shown} look right; saving it writes UTF-8."
    ]


_HEADER_LINE = re.compile(r"^\s*(\d+)[ \t]+([^\t]*?)\s*(?:\t.*)?$")
_CONDITIONAL = re.compile(r"\([^)]*\)\s*\d+/\d+|<[^>]*>\s*\d+/\d+")
_CODES_AT_END = re.compile(r"^(.*?\S)((?:\s+(?:\d+|\([^)]*\)\s*\d+/\d+|<[^>]*>\s*\d+/\d+))+)\s*$")


def parse_dic(text: str, *, name: str = "lexicon", where: str = "the lexicon") -> tuple[Lexicon, list[str]]:
    """Parse LIWC .dic text (see the module's docstring); return the lexicon and what was left out."""
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        raise LexiconError(f"{where} is empty.")
    first_n, first = numbered[0]
    if first.strip() != "%":
        hint = " (this looks like a spell-checker dictionary)" if first.strip().isdigit() else ""
        raise LexiconError(
            f"{where} is not a LIWC dictionary{hint}: a .dic file begins with a line holding only '%', "
            "then one line per category (a number, a tab, a name), then '%' again."
        )
    close = next((i for i, (_n, line) in enumerate(numbered[1:], start=1) if line.strip() == "%"), None)
    if close is None:
        raise LexiconError(f"{where} has no second '%' line closing the list of categories (opened on line {first_n}).")

    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    for n, line in numbered[1:close]:
        m = _HEADER_LINE.match(line)
        if m is None or not m.group(2).strip():
            raise LexiconError(f"{where}, line {n}: '{line.strip()}' is not a category line (a number, a tab, a name).")
        number, cat = int(m.group(1)), " ".join(m.group(2).split())
        if number in names:
            raise LexiconError(f"{where}, line {n}: the category number {number} is used twice ('{names[number]}' and '{cat}').")
        key = canonical_category(cat)
        if key in seen:
            raise LexiconError(f"{where}, line {n}: the category '{cat}' is listed twice (numbers {seen[key]} and {number}).")
        names[number], seen[key] = cat, number
    if not names:
        raise LexiconError(f"{where} lists no categories between its two '%' lines.")

    data: dict[str, list[str]] = {cat: [] for cat in names.values()}
    conditional: list[str] = []
    only_conditional: list[str] = []
    unmatchable: list[str] = []
    for n, line in numbered[close + 1 :]:
        if "\t" in line.strip():
            word, _tab, codes = line.strip().partition("\t")
        else:
            m = _CODES_AT_END.match(line.strip())
            if m is None:
                raise LexiconError(f"{where}, line {n}: the entry '{line.strip()}' has no category number.")
            word, codes = m.group(1), m.group(2)
        word = word.strip()
        if not word:
            raise LexiconError(f"{where}, line {n}: a line has category numbers but no entry.")
        plain = _CONDITIONAL.sub(" ", codes)
        if plain != codes:
            conditional.append(word)
        numbers: list[int] = []
        for token in plain.split():
            if not token.isdigit():
                raise LexiconError(f"{where}, line {n}: '{token}' after the entry '{word}' is not a category number.")
            if int(token) not in names:
                raise LexiconError(
                    f"{where}, line {n}: the entry '{word}' points at category {int(token)}, which the list of "
                    "categories at the top does not have."
                )
            numbers.append(int(token))
        if not numbers:
            if plain != codes:
                only_conditional.append(word)
                continue
            raise LexiconError(f"{where}, line {n}: the entry '{word}' has no category number.")
        try:
            pattern = validate_entry(word, names[numbers[0]], where)
        except LexiconError:
            unmatchable.append(word)
            continue
        for number in dict.fromkeys(numbers):
            data[names[number]].append(pattern)

    warnings: list[str] = []
    if conditional:
        warnings.append(
            f"{_count(len(conditional), 'entry', 'entries')} with LIWC2007 conditional codes (such as "
            f"'{conditional[0]}') were read without their conditions: Summit Reader does not look at the "
            "neighbouring word"
            + (f"; {_count(len(only_conditional), 'entry', 'entries')} that had only conditional codes "
               f"{'was' if len(only_conditional) == 1 else 'were'} left out." if only_conditional else ".")
        )
    if unmatchable:
        shown = ", ".join(f"'{w}'" for w in unmatchable[:5]) + (", …" if len(unmatchable) > 5 else "")
        warnings.append(
            f"{_count(len(unmatchable), 'entry', 'entries')} that Summit Reader cannot match (no letters, or "
            f"a wildcard other than '*') {'was' if len(unmatchable) == 1 else 'were'} left out: {shown}."
        )
    empty = [cat for cat, entries in data.items() if not entries]
    if empty and len(empty) < len(data):
        warnings.append(f"Categories with no entries were left out: {', '.join(empty)}.")
        data = {cat: entries for cat, entries in data.items() if entries}
    elif empty:
        raise LexiconError(f"{where} has no entries Summit Reader can use below its list of categories.")
    return lexicon_from_data(data, name=name, version=UNVERSIONED, where=where), warnings


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


# ------------------------------------------------------------------------------- rows and building


def key_path(level: str | None, rank: int | None) -> KeyPath:
    """Where an entry sits below its category (see :data:`KeyPath`)."""
    if rank is not None:
        return (f"{rank} {level}",)
    return () if level is None else tuple(level.split("/"))


def lexicon_rows(lexicon: Lexicon) -> list[CategoryRows]:
    """The lexicon as plain rows (for the editor and the writers); :func:`build_lexicon` is the inverse."""
    return [(c.name, [(e.pattern, key_path(e.level, e.rank)) for e in c.entries]) for c in lexicon.categories]


def build_lexicon(
    name: str, version: str, categories: Sequence[CategoryRows], *, where: str = "the lexicon"
) -> Lexicon:
    """A lexicon from rows, with exactly the checks (and the hash) of a file holding them."""
    data = {cat: _to_data(_tree(rows)) for cat, rows in categories}
    if len(data) != len(categories):
        names = [cat for cat, _rows in categories]
        twice = next(cat for cat in names if names.count(cat) > 1)
        raise LexiconError(f"{where} lists the category '{twice}' twice.")
    return lexicon_from_data(data, name=clean_label(name) or "lexicon", version=clean_label(version) or UNVERSIONED, where=where)


def clean_label(text: str) -> str:
    """A name or version on one line: characters that are not printable become spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


# A category's content as YAML would nest it: a list of entries and (key, sub-node) items, in order.
_Node = list["str | tuple[str, _Node]"]


def _tree(rows: Sequence[tuple[str, KeyPath]]) -> _Node:
    """Nest (entry, key path) rows in their order: a row joins the last item of its level when that item
    has the same key, so reading the tree back (depth first) gives the rows in the same order."""
    root: _Node = []
    for pattern, path in rows:
        node = root
        for key in path:
            last = node[-1] if node else None
            if isinstance(last, tuple) and last[0] == key:
                node = last[1]
            else:
                child: _Node = []
                node.append((key, child))
                node = child
        node.append(pattern)
    return root


def _as_mapping(node: _Node) -> bool:
    """A node of keyed items only, each key once, is written as a mapping; anything else as a list."""
    keys = [item[0] for item in node if isinstance(item, tuple)]
    return bool(node) and len(keys) == len(node) and len(set(keys)) == len(keys)


def _to_data(node: _Node) -> object:
    if _as_mapping(node):
        return {item[0]: _to_data(item[1]) for item in node if isinstance(item, tuple)}
    return [item if isinstance(item, str) else {item[0]: _to_data(item[1])} for item in node]


# ---------------------------------------------------------------------------------------- writing


_PLAIN = re.compile(r"^(?:[^\W\d_]|\d+ +[^\W\d_])[\w'.*/ -]*$")
#: Plain scalars that YAML 1.1 (R's yaml, so quanteda) or 1.2 read as booleans, nulls or numbers.
_RESERVED = frozenset("y n yes no on off true false null nan inf".split())
_ESCAPE = {0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF, *range(0x7F, 0xA0)}


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when no YAML reader can take it for anything else, else in double
    quotes (JSON's escapes are YAML's)."""
    if _PLAIN.match(text) and text == text.strip() and "  " not in text and text.lower() not in _RESERVED:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(f"\\u{ord(ch):04x}" if ord(ch) in _ESCAPE else ch for ch in quoted)


def _emit(node: _Node, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if _as_mapping(node):
        for item in node:
            assert isinstance(item, tuple)
            out.append(f"{pad}{_scalar(item[0])}:")
            _emit(item[1], indent + 2, out)
        return
    for item in node:
        if isinstance(item, str):
            out.append(f"{pad}- {_scalar(item)}")
        else:
            out.append(f"{pad}- {_scalar(item[0])}:")
            _emit(item[1], indent + 4, out)


def dump_yaml(lexicon: Lexicon) -> str:
    """The lexicon as quanteda YAML; ``parse_lexicon`` reads it back to the same lexicon (and hash)."""
    from summit_reader import __version__

    out = [
        f"# A lexicon in quanteda's YAML dictionary layout, written by Summit Reader {__version__}.",
        f"# name: {clean_label(lexicon.name) or 'lexicon'}",
        f"# version: {clean_label(lexicon.version) or UNVERSIONED}",
        "",
    ]
    for name, rows in lexicon_rows(lexicon):
        out.append(f"{_scalar(name)}:")
        _emit(_tree(rows), 2, out)
        out.append("")
    return "\n".join(out)


def dic_losses(lexicon: Lexicon) -> list[str]:
    """What a .dic file cannot hold of this lexicon, in plain sentences (empty: nothing is lost)."""
    losses = [
        f"A .dic file has no place for the lexicon's name and version ('{lexicon.name} {lexicon.version}'): "
        f"read back, it is named after the file and its version is '{UNVERSIONED}'."
    ]
    scales = [c.name for c in lexicon.categories if c.is_scale]
    if scales:
        losses.append(
            f"A .dic file has no scale levels: the ranked levels of {_names(scales)} (1 = weakest) are not saved; "
            "read back, every entry of the scale counts the same."
        )
    nested = [c.name for c in lexicon.categories if not c.is_scale and any(e.level is not None for e in c.entries)]
    if nested:
        losses.append(f"A .dic file has no sub-categories: those of {_names(nested)} are merged into their category.")
    if not _dic_lines(lexicon)[2]:
        losses.append(
            "A .dic file lists each entry once for all its categories, and some categories list shared entries "
            "in opposite orders: read back, every entry is there but not every category keeps its order."
        )
    return losses


def _names(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def dump_dic(lexicon: Lexicon) -> str:
    """The lexicon as a LIWC .dic file (see :func:`dic_losses` for what it cannot hold). Each entry is
    written once, with all its categories; the lines are in an order that keeps every category's entries
    in their order (when the categories' orders agree), so a .dic file read and written again is unchanged."""
    order, numbers, _kept = _dic_lines(lexicon)
    lines = ["%", *(f"{n}\t{c.name}" for n, c in enumerate(lexicon.categories, start=1)), "%"]
    lines += ["\t".join([pattern, *(str(n) for n in numbers[pattern])]) for pattern in order]
    return "\n".join(lines) + "\n"


def _dic_lines(lexicon: Lexicon) -> tuple[list[str], dict[str, list[int]], bool]:
    """The .dic entry lines' order, each pattern's category numbers, and whether that order keeps every
    category's entries in their own order. One line per pattern means one order for all categories: two
    categories listing the same patterns in opposite orders (possible in YAML) cannot both be kept."""
    numbers: dict[str, list[int]] = {}
    first: dict[str, int] = {}
    successors: dict[str, set[str]] = {}
    waiting: dict[str, int] = {}
    for number, category in enumerate(lexicon.categories, start=1):
        previous: str | None = None
        for pattern in _unique_patterns(category):
            numbers.setdefault(pattern, []).append(number)
            first.setdefault(pattern, len(first))
            waiting.setdefault(pattern, 0)
            if previous is not None and pattern not in successors.setdefault(previous, set()):
                successors[previous].add(pattern)
                waiting[pattern] += 1
            previous = pattern
    # Kahn's topological order, earliest-seen first; on a cycle the rest follows in the order first seen.
    ready = [(first[p], p) for p, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _index, pattern = heapq.heappop(ready)
        order.append(pattern)
        for nxt in successors.get(pattern, ()):
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                heapq.heappush(ready, (first[nxt], nxt))
    kept = len(order) == len(first)
    if not kept:
        done = set(order)
        order += sorted((p for p in first if p not in done), key=first.__getitem__)
    return order, numbers, kept


def _unique_patterns(category: Category) -> list[str]:
    return list(dict.fromkeys(e.pattern for e in category.entries))


def save_lexicon(lexicon: Lexicon, path: str | Path, fmt: str | None = None) -> list[str]:
    """Write the lexicon to ``path`` (atomically; YAML or .dic by ``fmt``, else by the extension) and
    return what the format could not hold (see :func:`dic_losses`). Raises LexiconError for an extension
    that is neither, ExportError when the file cannot be written."""
    from summit_reader.core.export import write_file_atomically

    p = Path(path)
    chosen = fmt or SUFFIXES.get(p.suffix.lower())
    if chosen not in (YAML, DIC):
        raise LexiconError(f"Cannot save '{p.name}': give it the extension .yml or .yaml (quanteda YAML) or .dic (LIWC).")
    text = dump_yaml(lexicon) if chosen == YAML else dump_dic(lexicon)
    write_file_atomically(p, "utf-8", lambda fh: fh.write(text))
    return dic_losses(lexicon) if chosen == DIC else []


# --------------------------------------------------------------------------------- the user's copies


def user_lexicon_folder() -> Path:
    """Where the lexicons the user edits in the window are saved (never inside the installed package)."""
    return platformdirs.user_data_path("summit-reader", appauthor=False) / "lexicons"


def user_copy_path(lexicon: Lexicon, current: Path | None) -> Path:
    """Where the editor saves ``lexicon``: over ``current`` when that is already the user's copy in
    :func:`user_lexicon_folder`, else a new ``<name>.yml`` there (``<name>-2.yml``… when taken)."""
    folder = user_lexicon_folder()
    if current is not None and current.suffix.lower() in (".yml", ".yaml"):
        try:
            if current.resolve().parent == folder.resolve():
                return current
        except OSError:
            pass
    stem = re.sub(r"[^\w.-]+", "-", lexicon.name).strip("-.")[:60] or "lexicon"
    candidate = folder / f"{stem}.yml"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}.yml"
        n += 1
    return candidate


# ------------------------------------------------------------------------------ the lexicon in use


def chosen_lexicon_path() -> Path | None:
    """The lexicon file chosen in the window or with ``summit-reader lexicon use`` (None: the default)."""
    from summit_reader.core.settings import Settings

    chosen = Settings.load().lexicon_path
    return Path(chosen) if chosen else None


def read_lexicon_in_use(option: str | Path | None = None) -> LoadedLexicon:
    """The lexicon to count with: ``option`` (the command line's ``--lexicon``) when given, else the one
    chosen in the window or with ``summit-reader lexicon use``, else the default lexicon."""
    if option is not None:
        return read_lexicon(option)
    chosen = chosen_lexicon_path()
    try:
        return read_lexicon(chosen)
    except LexiconError as exc:
        raise LexiconError(
            f"{exc} (It is the lexicon chosen in the window or with `summit-reader lexicon use`; "
            "`summit-reader lexicon reset` goes back to the default lexicon.)"
        ) from None
