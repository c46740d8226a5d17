"""The measurements of ``python -m benchmarks``: each one against a baseline measured in the same run on
the same input, several times, medians compared (see README, "Performance")."""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import corpus

ROOT = Path(__file__).resolve().parent.parent
#: Seconds after which a child process is killed (a hang must not stall CI).
CHILD_TIMEOUT = 300


@dataclass(frozen=True)
class Sizes:
    corpus_words: int
    document_words: int
    annotations: int
    startup_words: int  # each of the 3 documents opened at start-up
    repeat: int
    saves: int
    scroll_pages: int
    label: str


FULL = Sizes(1_000_000, 100_000, 100_000, 5_000, repeat=5, saves=1000, scroll_pages=400, label="full")
QUICK = Sizes(20_000, 5_000, 2_000, 1_000, repeat=1, saves=20, scroll_pages=20, label="quick")


@dataclass
class Row:
    name: str
    baseline: str
    target: str
    ours: float | None = None  # seconds, or MiB when unit == "MiB"
    base: float | None = None
    limit: float | None = None  # ratio limit, or absolute limit (seconds) when absolute
    absolute: bool = False
    unit: str = "s"
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.base:
            return None
        return self.ours / self.base

    @property
    def verdict(self) -> str:
        if self.limit is None or self.ours is None:
            return "reported"
        value = self.ours if self.absolute else self.ratio
        if value is None:
            return "no baseline"
        return "met" if value <= self.limit else "MISSED"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "—"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    if value < 0.001:
        return f"{value * 1e6:,.0f} µs"
    if value < 1:
        return f"{value * 1000:,.1f} ms"
    return f"{value:,.2f} s"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------- inputs


class Inputs:
    """Everything generated once per run in a temporary folder."""

    def __init__(self, sizes: Sizes, folder: Path, parts: frozenset[str] = frozenset()) -> None:
        self.sizes = sizes
        self.folder = folder
        #: The parts of a measurement to run ("store.save", …; see PARTS); empty: all of them.
        self.parts = parts
        self.env = dict(os.environ)
        self.env.update(
            QT_QPA_PLATFORM="offscreen",
            QT_SCALE_FACTOR="1",
            SUMMIT_READER_CONFIG_DIR=str(folder / "config"),
            SUMMIT_READER_BACKUP_DIR=str(folder / "backups"),
            XDG_CONFIG_HOME=str(folder / "xdg-config"),
            XDG_DATA_HOME=str(folder / "xdg-data"),
            XDG_CACHE_HOME=str(folder / "xdg-cache"),
            PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        )
        # Children use byte-code caches, as an installed application does (its .pyc files are compiled at
        # install), in a folder of their own; a warm-up run fills it.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        for key in ("SUMMIT_READER_CONFIG_DIR", "SUMMIT_READER_BACKUP_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
            Path(self.env[key]).mkdir(parents=True, exist_ok=True)

    def wants(self, part: str) -> bool:
        """Whether ``part`` (e.g. "store.save") was asked for: every part unless ``--only`` named parts."""
        group = part.split(".", 1)[0]
        named = {p for p in self.parts if p.split(".", 1)[0] == group}
        return not named or part in named or group in named

    def startup_library(self) -> tuple[Path, list[Path]]:
        """A library with 3 documents whose analyses are cached, and settings that open them side by side
        (a user who reopens the app); also the 3 texts as files for the bare baseline, and their matches
        as (start, end, category) lists in ``startup-spans.json`` for the bare side-by-side floor."""
        from summit_reader.core.analysis import Analyzer
        from summit_reader.core.documents import new_document
        from summit_reader.core.settings import Settings
        from summit_reader.core.store import Library

        path = self.folder / "startup.sqlite3"
        files: list[Path] = []
        analyzer = Analyzer()
        spans: list[list[tuple[int, int, str]]] = []
        with Library(path) as library:
            ids = []
            for i, (title, date, text) in enumerate(corpus.documents(3, self.sizes.startup_words, seed=11)):
                doc = library.add_document(new_document(text, title, date=date, kind="statement"))
                assert doc.id is not None
                analysis = analyzer.analyse_document(library, doc)
                assert all(ord(c) < 0x10000 for c in text)  # code points are Qt's UTF-16 positions here
                spans.append([(m.start, m.end, m.category) for m in analysis.matches])
                ids.append(doc.id)
                file = self.folder / f"startup-{i + 1}.txt"
                file.write_text(text, encoding="utf-8")
                files.append(file)
        (self.folder / "startup-spans.json").write_text(json.dumps(spans), encoding="utf-8")
        settings = Settings(path=Path(self.env["SUMMIT_READER_CONFIG_DIR"]) / "settings.json")
        settings.open_documents = list(ids)
        settings.pane_count = 3
        settings.library_path = str(path)
        settings.save()
        return path, files

    def big_document(self) -> tuple[Path, Path, str]:
        """The large document's text and its analysis (JSON, as cached) as files."""
        from summit_reader.core.analysis import Analyzer

        text = corpus.prose(self.sizes.document_words, seed=99, title="Synthetic Summit Record")
        text_file = self.folder / "big.txt"
        text_file.write_text(text, encoding="utf-8")
        analysis = Analyzer().analyse(text)
        analysis_file = self.folder / "big-analysis.json"
        analysis_file.write_text(analysis.to_json(), encoding="utf-8")
        return text_file, analysis_file, text


# ----------------------------------------------------------------------------------------- child runs


def _child(args: list[str], env: dict[str, str], lines: Sequence[str] = ()) -> tuple[dict[str, float], float, str]:
    """Run ``python -m benchmarks.window_probe ARGS``; times (from Popen) of each expected line, the peak
    resident memory the child reported (``peak N`` in MiB, else ru_maxrss from wait4) and the last line."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.window_probe", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(ROOT),
        text=True,
    )
    times: dict[str, float] = {}
    last = ""
    peak = 0.0
    assert proc.stdout is not None
    import threading

    timer = threading.Timer(CHILD_TIMEOUT, proc.kill)  # a child that hangs is killed, and reported
    timer.start()
    for line in proc.stdout:
        word = line.strip()
        if word in lines and word not in times:
            times[word] = time.perf_counter() - start
        if word.startswith("peak "):
            peak = float(word.split()[1])
        elif word:
            last = word
    _pid, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0 or any(w not in times for w in lines):
        raise RuntimeError(f"window_probe {' '.join(args[:1])} failed ({proc.returncode}): {err.strip()[-2000:]}")
    rss = peak or usage.ru_maxrss / 1024  # KiB on Linux
    return times, rss, last


# ----------------------------------------------------------------------------------------- measurements


def measure_startup(inputs: Inputs) -> list[Row]:
    library, files = inputs.startup_library()
    n = max(3, inputs.sizes.repeat)
    painted, interactive, bare, bare3, stack = [], [], [], [], []
    mem_painted, mem_interactive, mem_bare = [], [], []
    spans = str(inputs.folder / "startup-spans.json")
    log("  warm-up (byte-code caches, font caches)")
    _child(["bare", *map(str, files)], inputs.env, ["painted"])
    _child(["bare3", spans, *map(str, files)], inputs.env, ["painted"])
    _child(["stack", *map(str, files)], inputs.env, ["painted", "interactive"])
    _child(["app", str(library)], inputs.env, ["painted", "interactive"])
    for i in range(n):
        log(f"  start-up {i + 1}/{n}")
        t, rss, _ = _child(["bare", *map(str, files)], inputs.env, ["painted"])
        bare.append(t["painted"])
        mem_bare.append(rss)
        t, _rss, _ = _child(["bare3", spans, *map(str, files)], inputs.env, ["painted"])
        bare3.append(t["painted"])
        t, _rss, _ = _child(["stack", *map(str, files)], inputs.env, ["painted", "interactive"])
        stack.append(t["interactive"])
        t, rss, _ = _child(["app", str(library)], inputs.env, ["painted", "interactive"])
        painted.append(t["painted"])
        interactive.append(t["interactive"])
        mem_interactive.append(rss)
        _t, rss, _ = _child(["app", str(library), "--stop", "painted"], inputs.env, ["painted"])
        mem_painted.append(rss)
    words = f"3 × {inputs.sizes.startup_words:,} words"
    return [
        Row(
            "process start → main window painted, 3 documents side by side with highlights",
            "bare PySide6 window, one QTextEdit with the same text",
            "≤ 2.0×",
            median(painted),
            median(bare),
            2.0,
            note=words,
            samples={"ours": painted, "baseline": bare},
        ),
        Row(
            "process start → fully interactive (graph drawn, analysis engine loaded)",
            "same bare window",
            "report; ≤ 6×",
            median(interactive),
            median(bare),
            6.0,
            samples={"ours": interactive, "baseline": bare},
        ),
        Row(
            "floor: first paint vs a bare window showing the same 3 texts side by side with the same highlights",
            "bare PySide6 window, 3 QTextEdits with the same highlights, nothing else",
            "report",
            median(painted),
            median(bare3),
            None,
            note="what the rest of the window costs (menus, docks, library, annotations)",
            samples={"ours": painted, "baseline": bare3},
        ),
        Row(
            "floor: fully interactive vs the bare window, then the same libraries loaded one after the other",
            "bare window, then pyqtgraph with a plot painted and spaCy's blank English pipeline",
            "report",
            median(interactive),
            median(stack),
            None,
            note=f"the bare window with these libraries alone: {median(stack) / median(bare):.2f}× the bare window",
            samples={"ours": interactive, "baseline": stack},
        ),
        Row(
            "peak memory, 3 documents open (at first paint)",
            "the bare PySide6 window",
            "report; ≤ 3×",
            median(mem_painted),
            median(mem_bare),
            3.0,
            unit="MiB",
            note="peak resident memory (VmHWM) of the child process",
        ),
        Row(
            "peak memory, 3 documents open, fully interactive (pyqtgraph and spaCy loaded)",
            "the bare PySide6 window",
            "report; ≤ 3×",
            median(mem_interactive),
            median(mem_bare),
            3.0,
            unit="MiB",
        ),
    ]


def measure_analysis(inputs: Inputs) -> list[Row]:
    from summit_reader.core.analysis import Analyzer
    from summit_reader.core.documents import new_document
    from summit_reader.core.store import Library

    words = inputs.sizes.corpus_words
    text = corpus.prose(words, seed=2023, title="Synthetic Summit Corpus")
    analyzer = Analyzer()
    nlp = analyzer.nlp
    tokenizer = nlp.tokenizer
    analyzer.analyse(text[:100_000])
    tokenizer(text)  # warm-up: spaCy's lexeme cache, for both
    path = inputs.folder / "analysis.sqlite3"
    ours, base, cached = [], [], []
    matches = 0
    with Library(path) as library:
        doc = library.add_document(new_document(text, "Synthetic Summit Corpus", date="2024-05-21"))
        n = max(3, inputs.sizes.repeat)
        for i in range(n):
            log(f"  analysis {i + 1}/{n}")
            start = time.perf_counter()
            tokens = tokenizer(text)
            base.append(time.perf_counter() - start)
            del tokens
            library._conn.execute("DELETE FROM analysis_cache")  # noqa: SLF001 (a fresh analysis each time)
            start = time.perf_counter()
            result = analyzer.analyse_document(library, doc)
            ours.append(time.perf_counter() - start)
            matches = len(result.matches)
            start = time.perf_counter()
            again = analyzer.analyse_document(library, doc)
            cached.append(time.perf_counter() - start)
            assert len(again.matches) == matches
    density = matches / max(1, len(tokenizer(text)))
    return [
        Row(
            f"analysis of the {words:,}-word corpus (tokens, matches, counts, cached)",
            "spaCy's bare nlp.tokenizer, same text",
            "≤ 1.5×",
            median(ours),
            median(base),
            1.5,
            note=f"{matches:,} matches ({density:.1%} of tokens); analyse_document with an empty cache, result stored",
            samples={"ours": ours, "baseline": base},
        ),
        Row(
            f"reopening it: the {words:,}-word analysis served from the cache",
            "spaCy's bare nlp.tokenizer, same text",
            "report",
            median(cached),
            median(base),
            None,
            samples={"ours": cached},
        ),
    ]


def measure_document(inputs: Inputs) -> list[Row]:
    text_file, analysis_file, _text = inputs.big_document()
    repeat = max(3, inputs.sizes.repeat)
    pages = inputs.sizes.scroll_pages
    results: dict[str, dict[str, list[float]]] = {}
    for kind in ("plain", "pane"):
        log(f"  open and scroll ({kind})")
        _t, _rss, last = _child([kind, str(text_file), str(analysis_file), str(repeat), "--scroll", str(pages)], inputs.env)
        results[kind] = json.loads(last)
    pane, plain = results["pane"], results["plain"]
    words = f"{inputs.sizes.document_words:,}-word"
    return [
        Row(
            f"open the {words} document in a pane with all highlights, first paint",
            "a plain QTextEdit showing the same text",
            "≤ 2.0×",
            median(pane["open"]),
            median(plain["open"]),
            2.0,
            samples={"ours": pane["open"], "baseline": plain["open"]},
        ),
        Row(
            f"scroll the {words} document page by page, slowest 5% of repaints (95th percentile)",
            "the plain QTextEdit",
            "≤ 2.0×",
            percentile(pane["repaints"], 0.95),
            percentile(plain["repaints"], 0.95),
            2.0,
            note=f"{len(pane['repaints'])} / {len(plain['repaints'])} pages",
            samples={"ours": pane["repaints"], "baseline": plain["repaints"]},
        ),
    ]


class Store:
    """The libraries of the store measurements: a colleague's with the annotations, and ours."""

    def __init__(self, inputs: Inputs) -> None:
        from summit_reader.core.documents import new_document
        from summit_reader.core.export import write_annotations_csv
        from summit_reader.core.models import Annotation
        from summit_reader.core.store import PREFIX_CHARS, Library

        self.inputs = inputs
        folder = inputs.folder
        text = corpus.prose(inputs.sizes.document_words, seed=99, title="Synthetic Summit Record")
        self.empty = folder / "ours-empty.sqlite3"
        with Library(self.empty) as ours:
            doc = ours.add_document(new_document(text, "Synthetic Summit Record", date="2025-02-11"))
            assert doc.id is not None
            self.doc_id = doc.id
        self.colleague = folder / "colleague.sqlite3"
        shutil.copy(self.empty, self.colleague)
        import random
        import uuid

        rng = random.Random(5)
        tag_names = ["existing risk", "commitment", "hedge", "key passage", "wording", "follow up", "contested"]
        self.annotations: list[Annotation] = []
        for i, (start, end) in enumerate(corpus.annotation_spans(text, inputs.sizes.annotations)):
            stamp = f"2025-03-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z"
            tags = tuple(rng.sample(tag_names, rng.randint(0, 2)))
            note = rng.choice(["", "", "compare with the 2023 text", "stronger than before", "hedged; see annex", "=check wording"])
            self.annotations.append(
                Annotation(
                    # random version-4 UUIDs (seeded), as the app gives annotations: ids in sequence would
                    # hand the baseline its rows in primary-key order, which no real export has
                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    document_id=self.doc_id,
                    start=start,
                    end=end,
                    quote=text[start:end],
                    prefix=text[max(0, start - PREFIX_CHARS) : start],
                    suffix=text[end : end + PREFIX_CHARS],
                    note=note,
                    author=rng.choice(["ana", "ben", "chloé"]),
                    created=stamp,
                    modified=stamp,
                    tags=tags,
                )
            )
        with Library(self.colleague) as colleague:
            colleague.insert_annotations(self.annotations)
            self.csv = folder / "colleague.csv"
            write_annotations_csv(colleague, self.csv)
        self.text = text


def _bare_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL").fetchall()
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def measure_store(inputs: Inputs) -> list[Row]:
    from summit_reader.core.export import write_annotations_csv
    from summit_reader.core.merge import merge_annotations_csv
    from summit_reader.core.store import Library

    log("  preparing the libraries")
    store = Store(inputs)
    folder = inputs.folder
    n = max(3, inputs.sizes.repeat)
    count = inputs.sizes.annotations
    rows_sql = [
        (a.id, a.document_id, a.start, a.end, a.quote, a.prefix, a.suffix, a.note, a.author, a.created, a.modified, a.status)
        for a in store.annotations
    ]
    with Library(store.empty) as probe:
        tag_id = {t.name: t.id for t in probe.list_tags()}
    tag_rows = []
    missing_tags = {name for a in store.annotations for name in a.tags if name not in tag_id}

    # -- import: merging the colleague's CSV vs executemany of the same rows
    merge_times: list[float] = []
    insert_times: list[float] = []
    # without "store.import", one merge (not timed) still builds the library the other parts use
    for i in range(n if inputs.wants("store.import") else 1):
        if not inputs.wants("store.import"):
            ours_path = folder / f"import-ours-{n - 1}.sqlite3"
            shutil.copy(store.empty, ours_path)
            with Library(ours_path) as library:
                merge_annotations_csv(library, store.csv)
            break
        log(f"  import {i + 1}/{n}")
        target = folder / f"import-base-{i}.sqlite3"
        shutil.copy(store.empty, target)
        conn = _bare_connection(target)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for name in sorted(missing_tags):
            tag_id[name] = conn.execute("INSERT INTO tags (name, colour) VALUES (?, '#0072b2')", (name,)).lastrowid or 0
        tag_rows = [(a.id, tag_id[t]) for a in store.annotations for t in a.tags]
        conn.executemany(
            'INSERT INTO annotations (id, document_id, start, "end", quote, prefix, suffix, note, author, created, '
            "modified, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_sql,
        )
        conn.executemany("INSERT INTO annotation_tags (annotation_id, tag_id) VALUES (?, ?)", tag_rows)
        conn.execute("COMMIT")
        insert_times.append(time.perf_counter() - start)
        conn.close()
        for name in missing_tags:
            tag_id.pop(name, None)
        target.unlink()
        ours_path = folder / f"import-ours-{i}.sqlite3"
        shutil.copy(store.empty, ours_path)
        with Library(ours_path) as library:
            start = time.perf_counter()
            result = merge_annotations_csv(library, store.csv)
            merge_times.append(time.perf_counter() - start)
            assert result.added == count, result
        if i < n - 1:
            ours_path.unlink()
    merged = folder / f"import-ours-{n - 1}.sqlite3"

    # -- export: write_annotations_csv vs the sqlite3 shell's .mode csv
    export_times, shell_times = [], []
    shell = shutil.which("sqlite3")
    query = (
        "SELECT a.id, a.document_id, d.title, d.date, a.start, a.\"end\", a.quote, a.note, "
        "(SELECT group_concat(t.name, ';') FROM annotation_tags at JOIN tags t ON t.id = at.tag_id "
        "WHERE at.annotation_id = a.id), a.author, a.created, a.modified, a.status, '', d.text_hash "
        "FROM annotations a JOIN documents d ON d.id = a.document_id "
        "ORDER BY d.date, d.title, d.id, a.start, a.created, a.id;"
    )
    with Library(merged) as library:
        library.count_annotations()
        for i in range(n if inputs.wants("store.export") else 0):
            log(f"  export {i + 1}/{n}")
            if shell:
                out = folder / "shell.csv"
                start = time.perf_counter()
                with out.open("wb") as fh:
                    subprocess.run([shell, "-readonly", "-csv", "-header", str(merged), query], stdout=fh, check=True)
                shell_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            written = write_annotations_csv(library, folder / "export.csv")
            export_times.append(time.perf_counter() - start)
            assert written == count

        # -- one durable save on a library of `count` annotations vs a bare insert + commit
        conn = _bare_connection(merged)
        save_times: list[float] = []
        bare_times: list[float] = []
        text_len = len(store.text)
        saves = inputs.sizes.saves if inputs.wants("store.save") else 0
        if saves:
            log(f"  {saves} saves")
        for i in range(saves):
            start_at = (i * 7919) % (text_len - 200)
            start = time.perf_counter()
            library.add_annotation(store.doc_id, start_at, start_at + 40, note="a note", tags=["hedge"])
            save_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                'INSERT INTO annotations (id, document_id, start, "end", quote, note, author, created, modified) '
                "VALUES (?, ?, ?, ?, ?, 'a note', 'bench', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
                (f"bare-{i}", store.doc_id, start_at, start_at + 40, store.text[start_at : start_at + 40]),
            )
            conn.execute("COMMIT")
            bare_times.append(time.perf_counter() - start)
        conn.close()
    rows = [
        Row(
            f"import {count:,} annotations (merging a colleague's CSV)",
            "sqlite3 executemany of the same rows, one transaction",
            "≤ 2.0×",
            median(merge_times),
            median(insert_times),
            2.0,
            note="merge_annotations_csv: read, match, place and insert; the baseline gets the rows ready-made",
            samples={"ours": merge_times, "baseline": insert_times},
        ),
        Row(
            f"export {count:,} annotations to CSV",
            "the sqlite3 shell's .mode csv export of the same query" if shell else "sqlite3 shell not on PATH: skipped",
            "≤ 2.0×",
            median(export_times),
            median(shell_times) if shell_times else None,
            2.0,
            samples={"ours": export_times, "baseline": shell_times},
        ),
        Row(
            f"save one annotation durably, median (library of {count:,})",
            "one sqlite3 insert + commit, same file",
            "≤ 2.0×",
            median(save_times),
            median(bare_times),
            2.0,
            note=f"{len(save_times)} saves, WAL + synchronous=FULL for both",
            samples={"ours": save_times, "baseline": bare_times},
        ),
        Row(
            "save one annotation durably, 99th percentile",
            "one sqlite3 insert + commit, same file",
            "≤ 2.0×",
            percentile(save_times, 0.99),
            percentile(bare_times, 0.99),
            2.0,
        ),
    ]
    wanted = ["store.import", "store.export", "store.save", "store.save"]
    rows = [row for row, part in zip(rows, wanted, strict=True) if inputs.wants(part)]
    if not inputs.wants("store.panel"):
        return rows
    panel = measure_panel(inputs, merged)
    return [*rows, panel]


def measure_panel(inputs: Inputs, library: Path) -> Row:
    count = inputs.sizes.annotations
    name = f"open the annotation panel on {count:,} annotations, first paint"
    log("  annotation panel")
    try:
        _t, _rss, last = _child(["panel", str(library), str(max(3, inputs.sizes.repeat))], inputs.env)
    except RuntimeError as exc:
        return Row(name, "—", "< 0.3 s", note=f"not measured ({exc})", limit=0.3, absolute=True)
    data = json.loads(last)
    if "missing" in data:
        return Row(name, "—", "< 0.3 s", note="not measured (panel not yet built)", limit=0.3, absolute=True)
    return Row(
        name,
        "—",
        "< 0.3 s",
        median(data["open"]),
        None,
        0.3,
        absolute=True,
        note=f"{data['rows']:,} rows, {data['loaded']:,} loaded at first paint",
        samples={"ours": data["open"]},
    )


MEASUREMENTS: dict[str, Callable[[Inputs], list[Row]]] = {
    "startup": measure_startup,
    "analysis": measure_analysis,
    "document": measure_document,
    "store": measure_store,
}
#: Parts of a measurement that ``--only`` can name on their own (the rest of it is skipped).
PARTS = ("store.import", "store.export", "store.save", "store.panel")


# ------------------------------------------------------------------------------------------- reporting


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    versions = {"Python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    with contextlib.suppress(ImportError):
        import PySide6
        from PySide6.QtCore import qVersion

        versions["PySide6"] = f"{PySide6.__version__} (Qt {qVersion()})"
    with contextlib.suppress(ImportError):
        from importlib import metadata

        versions["spaCy"] = metadata.version("spacy")
        versions["pyqtgraph"] = metadata.version("pyqtgraph")
    load = ""
    with contextlib.suppress(OSError):
        load = " ".join(os.getloadavg().__repr__().strip("()").split(", "))
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        **versions,
        "load average at start": load,
    }


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| measurement | ours (median) | baseline (median) | baseline | ratio | target | result |",
        "| --- | ---: | ---: | --- | ---: | --- | --- |",
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        name = r.name + (f" <br><sub>{r.note}</sub>" if r.note else "")
        lines.append(
            f"| {name} | {_fmt(r.ours, r.unit)} | {_fmt(r.base, r.unit)} | {r.baseline} | {ratio} | {r.target} | {r.verdict} |"
        )
    return "\n".join(lines)


def plain_table(rows: Sequence[Row]) -> str:
    lines = []
    for r in rows:
        ratio = f"{r.ratio:5.2f}×" if r.ratio is not None else "   —  "
        lines.append(f"{_fmt(r.ours, r.unit):>11}  {_fmt(r.base, r.unit):>11}  {ratio}  {r.target:<13} {r.verdict:<9} {r.name}")
        if r.note:
            lines.append(f"{'':>46}{r.note}")
    header = f"{'ours':>11}  {'baseline':>11}  {'ratio':>6}  {'target':<13} {'result':<9} measurement"
    return header + "\n" + "\n".join(lines)


#: A ratio that moved by more than this share since the previous run is called worse or better: the
#: medians of a quiet machine move by up to about a tenth between full runs (docs/performance.md).
CHANGE_THRESHOLD = 0.15


def previous_ratios(text: str) -> dict[str, float]:
    """The ratio of each measurement in a table written by :func:`markdown` (measurement name → ratio;
    rows without a ratio are left out)."""
    ratios: dict[str, float] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) != 7 or not cells[4].endswith("×"):
            continue
        with contextlib.suppress(ValueError):
            ratios[cells[0].split(" <br>", 1)[0]] = float(cells[4].removesuffix("×"))
    return ratios


def comparison(rows: Sequence[Row], previous: dict[str, float], *, partial: bool = False) -> str:
    """Each ratio of this run beside the previous run's (:func:`previous_ratios`), marked ``worse`` or
    ``better`` when it moved by more than :data:`CHANGE_THRESHOLD`; measurements not in both are listed
    as new or (unless this run was ``partial``, some measurements only) gone."""
    lines = [f"{'before':>7}  {'now':>7}  {'change':>7}  {'':<6}  measurement"]
    names = {r.name for r in rows}
    for r in rows:
        before = previous.get(r.name)
        if r.ratio is None:
            continue
        if before is None:
            lines.append(f"{'—':>7}  {r.ratio:6.2f}×  {'':>7}  {'new':<6}  {r.name}")
            continue
        change = r.ratio / before - 1 if before else 0.0
        mark = "worse" if change > CHANGE_THRESHOLD else "better" if change < -CHANGE_THRESHOLD else ""
        lines.append(f"{before:6.2f}×  {r.ratio:6.2f}×  {change:+6.0%}  {mark:<6}  {r.name}")
    if not partial:
        lines.extend(
            f"{before:6.2f}×  {'—':>7}  {'':>7}  {'gone':<6}  {name}" for name, before in previous.items() if name not in names
        )
    return "\n".join(lines)


def markdown(rows: Sequence[Row], info: dict[str, str], sizes: Sizes, elapsed: float) -> str:
    machine = "\n".join(f"- **{k}**: {v}" for k, v in info.items() if v)
    return f"""# Performance

Written by `python -m benchmarks` ({sizes.label} run, {elapsed:.0f} s). Each figure is the median of several
runs; every baseline was measured in the same run, on the same input, interleaved with ours, so the
**ratio** is what to compare across machines. Inputs are generated, seeded, by `benchmarks/corpus.py`
(synthetic summit-like prose written by the project; no real declaration text).

{table(rows)}

## Machine

{machine}

## How each figure is measured

- **Start-up**: child processes (`python -m benchmarks.window_probe`), timed from the parent's `Popen` to a
  line the child prints at the end of the first paint of the last pane's text (of the `QTextEdit` for the
  baseline). Children use byte-code caches as an installed application does (a warm-up run fills them). The library holds the 3 documents with their analyses cached and the settings open them
  in 3 panes, as for a user who reopens the app. "Fully interactive": every document's analysis is known,
  the evolution graph shows them and has painted, and the window's own analysis engine (the worker
  thread's spaCy pipeline, which the window loads after its first paint) is ready to analyse a new
  document; the probe waits for that state and loads nothing itself. The bare baseline builds a `QMainWindow` with one
  `QTextEdit` holding the same 3 texts. Peak memory: each child's own peak resident memory
  (`VmHWM`), read just before it exits (`ru_maxrss` from `os.wait4` would report the parent's peak: with
  `vfork`, which `subprocess` uses, exec records the parent's memory in it).
- **Floors** (reported beside the start-up rows, no target): `bare3` is the first paint of a bare window
  showing the same 3 texts side by side, one read-only `QTextEdit` each, with the same highlights (the
  cached matches, set with `QTextCursor` in one edit block) and nothing else; `stack` is the bare window,
  then, after its paint and one after the other on the main thread, `import pyqtgraph` with a plot painted
  and spaCy's `blank("en")` with its tokenizer run once (spaCy imported without its command-line
  interface, as the app does; no other Summit Reader code). They show what the window's own parts cost
  and what the chosen libraries cost before any of our code runs.
- **Analysis**: `Analyzer.analyse_document` with an empty cache (tokenise, split sentences, match the
  lexicon, count words and sentences, store the result in the library) vs spaCy's `nlp.tokenizer` alone,
  same warm pipeline, alternating.
- **Open / scroll**: in a child process, time from `ReaderPane.set_document` (the analysis given, as when
  cached) to the end of the first repaint of its view, vs `QTextEdit.setPlainText` + repaint; then the
  scroll bar moved by one page step and the view repainted, every repaint timed.
- **Import**: `merge_annotations_csv` of a colleague's export (read the CSV, find the document by its
  SHA-256, check each quote, insert with tags) into a library that has the document, vs `executemany` of
  the same rows (already in memory) in one transaction on a copy of the same file. The annotations have
  random (seeded) version-4 UUIDs, as the app gives them; the baseline inserts them in the order they were
  made, the merge in the file's reading order. (Until 2026-11-26 the ids were made in sequence, which
  handed the baseline its rows in primary-key order, an order no real export has: SQLite then appends to
  its indexes instead of inserting all over them. That order alone made the baseline 0.3 s faster, and
  the ratio read 2.2×.)
- **Export**: `write_annotations_csv` (formula-safe, fsync'd, atomic) vs `sqlite3 -csv` with the same
  joined query (tags aggregated).
- **Save**: `Library.add_annotation` (with a tag, committed with `synchronous=FULL`) on the library holding
  the imported annotations vs one `INSERT` + `COMMIT` through a bare connection to the same file,
  alternating. 1,000 saves each: the 99th percentile is then the tenth-slowest save (of 200 it was the
  second-slowest, and one WAL checkpoint or scheduler pause moved it between 1.6× and 3×; the median did
  not move).
- **Annotation panel**: in a child process, constructing `AnnotationPanel` on the library (scope "Whole
  library"), showing it, until its table has painted; rows are loaded a page at a time.
"""


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Summit Reader benchmarks with baselines.")
    parser.add_argument("--quick", action="store_true", help="small inputs, one repetition (CI); writes nothing unless --write")
    parser.add_argument("--write", action="store_true", help="write docs/performance.md (the default for a full run)")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument(
        "--only", action="append", choices=[*sorted(MEASUREMENTS), *PARTS], help="run only these (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=None, help="repetitions of each measurement")
    parser.add_argument(
        "--compare",
        nargs="?",
        const=True,
        default=None,
        metavar="TABLE",
        help="print each ratio beside the one in TABLE (default: the --out file, read before it is rewritten)",
    )
    args = parser.parse_args(argv)
    previous: dict[str, float] | None = None
    if args.compare is not None:
        compare_path = args.out if args.compare is True else Path(args.compare)
        try:
            previous = previous_ratios(compare_path.read_text(encoding="utf-8"))
        except OSError as exc:
            parser.error(f"cannot read {compare_path}: {exc.strerror or exc}")
        if not previous:
            parser.error(f"{compare_path} has no table of ratios written by python -m benchmarks")
    sizes = QUICK if args.quick else FULL
    if args.repeat:
        from dataclasses import replace

        sizes = replace(sizes, repeat=args.repeat)
    info = machine_info()
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="summit-reader-bench-") as tmp:
        inputs = Inputs(sizes, Path(tmp), frozenset(args.only or ()))
        for name, measure in MEASUREMENTS.items():
            if args.only and not any(o.split(".", 1)[0] == name for o in args.only):
                continue
            log(f"== {name}")
            rows.extend(measure(inputs))
    elapsed = time.perf_counter() - started
    with contextlib.suppress(OSError):
        info["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(plain_table(rows))
    if previous is not None:
        print(f"\ncompared with the previous run (a ratio that moved by more than {CHANGE_THRESHOLD:.0%} is marked):")
        print(comparison(rows, previous, partial=bool(args.only)))
    print(f"\n{sizes.label} run in {elapsed:.0f} s; load average {info.get('load average at start', '?')} → "
          f"{info.get('load average at end', '?')}")
    write = (args.write or not args.quick) and not args.no_write
    if write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(markdown(rows, info, sizes, elapsed), encoding="utf-8")
        print(f"wrote {args.out}")
    return 0
