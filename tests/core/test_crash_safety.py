"""Nothing lost: a writer killed mid-save, two writers at once, a full disk, damaged and foreign files.

The child processes run ``tests/helpers/annotate_loop.py``, which saves through ``Library.add_annotation``
(the call the window and the CLI make) and reports a save only after that call returned.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from summit_reader.core import store
from summit_reader.core.documents import new_document
from summit_reader.core.errors import SchemaTooNewError, StoreError
from summit_reader.core.store import Library

ROOT = Path(__file__).resolve().parents[2]

#: Written for the tests; not an official summit text.
TEXT = (
    "We note that frontier AI may pose serious risks. Developers should evaluate their models, and states "
    "will cooperate on research. We commit to an inclusive approach and we will meet again next year."
)


# --------------------------------------------------------------------------------- child processes


@dataclass
class Child:
    """A running ``annotate_loop`` whose stdout is read line by line on a thread (so it never blocks)."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    partial: str = ""
    got_line: threading.Condition = field(default_factory=threading.Condition)
    reader: threading.Thread | None = None

    @classmethod
    def start(cls, library: Path, *args: str) -> Child:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.annotate_loop", str(library), *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        child = cls(proc)
        child.reader = threading.Thread(target=child._read, daemon=True)
        child.reader.start()
        return child

    def _read(self) -> None:
        assert self.proc.stdout is not None
        buffer = ""
        while True:
            chunk = self.proc.stdout.read(1) if buffer else self.proc.stdout.readline()
            if not chunk:
                break
            buffer += chunk
            if buffer.endswith("\n"):
                with self.got_line:
                    self.lines.append(buffer[:-1])
                    self.got_line.notify_all()
                buffer = ""
        with self.got_line:
            self.partial = buffer  # a line cut off by the kill: not an acknowledgement
            self.got_line.notify_all()

    def wait_for(self, key: str, timeout: float = 30.0) -> dict[str, Any]:
        """The first JSON line that has ``key``."""
        deadline = time.monotonic() + timeout
        with self.got_line:
            while True:
                for line in self.lines:
                    record = json.loads(line)
                    if key in record:
                        return dict(record)
                left = deadline - time.monotonic()
                if left <= 0 or (self.reader is not None and not self.reader.is_alive()):
                    raise AssertionError(f"no {key!r} from the child; stderr: {self.stderr()}")
                self.got_line.wait(min(left, 0.5))

    def wait_first_line(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self.got_line:
            while not self.lines:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise AssertionError(f"the child wrote nothing; stderr: {self.stderr()}")
                self.got_line.wait(0.05)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 60.0) -> int:
        code = self.proc.wait(timeout)
        if self.reader is not None:
            self.reader.join(timeout)
        return code

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read()

    def acks(self) -> list[dict[str, Any]]:
        with self.got_line:
            return [record for record in map(json.loads, self.lines) if "id" in record]


def check_library(path: Path, acked: dict[str, dict[str, Any]]) -> int:
    """Open the library as the window would, check it page by page and find every acknowledged
    annotation as it was acknowledged. Returns how many annotations the library holds."""
    with Library(path) as library:
        assert library._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert library._conn.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = {a.id: a for a in library.list_annotations()}
        text = library.get_document(1).text
    lost = [ann_id for ann_id in acked if ann_id not in stored]
    assert lost == [], f"{len(lost)} acknowledged annotation(s) lost"
    for ann_id, ack in acked.items():
        a = stored[ann_id]
        assert (a.document_id, a.start, a.end, a.quote, a.note, list(a.tags)) == (
            ack["document_id"],
            ack["start"],
            ack["end"],
            ack["quote"],
            ack["note"],
            ack["tags"],
        )
        assert a.note == ack["asked_note"] and a.quote == text[a.start : a.end]
    return len(stored)


# --------------------------------------------------------------------------------- killed mid-write

KILL_ROUNDS = 50


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_writer_killed_at_random_moments_loses_no_acknowledged_annotation(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with Library(path) as library:
        library.add_document(new_document(TEXT, "Crash-test text (written for the tests)"))
    rng = random.Random(20260525)
    acked: dict[str, dict[str, Any]] = {}
    killed = survived = cut_lines = stored = 0
    began = time.monotonic()
    for round_no in range(KILL_ROUNDS):
        child = Child.start(path, "--seed", str(round_no), "--writer", f"r{round_no}")
        child.wait_first_line()
        # Mostly 20–300 ms into the loop; sometimes at once, while the first saves are on their way.
        delay = rng.uniform(0.0, 0.01) if round_no % 10 == 3 else rng.uniform(0.02, 0.3)
        time.sleep(delay)
        child.proc.send_signal(signal.SIGKILL)
        assert child.finish() == -signal.SIGKILL
        killed += 1
        cut_lines += bool(child.partial)
        for ack in child.acks():
            acked[ack["id"]] = ack
        stored = check_library(path, acked)  # opens, integrity_check ok, every acknowledged annotation intact
        survived += 1
    elapsed = time.monotonic() - began
    print(
        f"\n[kill test] rounds killed: {killed}, survived: {survived}, acknowledged annotations checked: "
        f"{len(acked)}, writes lost: 0, saved but killed before reporting: {stored - len(acked)}, "
        f"kills that cut a report line: {cut_lines}, {elapsed:.1f} s"
    )
    assert killed == survived == KILL_ROUNDS
    assert len(acked) > KILL_ROUNDS  # the child really was writing when it was killed


# ---------------------------------------------------------------------------------------- two writers


@pytest.mark.slow
def test_two_writers_at_once_lose_nothing_and_see_everything(tmp_path: Path) -> None:
    """Two processes start on a library that does not exist yet (both create it, both add the text: one
    wins), then annotate it at the same time for three seconds."""
    path = tmp_path / "shared" / "library.sqlite3"
    children = [Child.start(path, "--seed", str(n), "--writer", name, "--seconds", "3", "--handshake")
                for n, name in enumerate(("A", "B"))]
    for child in children:
        child.wait_for("ready")
    for child in children:
        child.send("go")
    done = [child.wait_for("done", timeout=60) for child in children]
    for child in children:
        child.send("list")
    listed = [set(child.wait_for("listed")["listed"]) for child in children]
    codes = [child.finish() for child in children]
    errors = [child.stderr() for child in children]
    assert errors == ["", ""]  # no "database is locked", nothing at all on stderr
    assert codes == [0, 0]
    acks = [child.acks() for child in children]
    assert [len(a) for a in acks] == [d["written"] for d in done]
    assert all(len(a) > 0 for a in acks)  # both really wrote (SQLite's lock is not fair: counts differ a lot)
    acked = {ack["id"]: ack for per_child in acks for ack in per_child}
    assert len(acked) == sum(len(a) for a in acks)
    assert listed[0] == listed[1] == set(acked)  # each sees the other's writes, none is missing
    total = check_library(path, acked)
    assert total == len(acked)
    print(f"\n[two writers] A: {len(acks[0])}, B: {len(acks[1])}, both listed {len(listed[0])}, lost: 0")


def test_library_created_by_another_process_while_it_is_checked_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race behind a flaky run of the two-writer test: a second app opens the library just as the first
    is creating it. The first has made the file (in WAL mode) and commits its tables and application id
    between two of the second's reads: the second must still open it, not refuse it as "an SQLite database
    of another program"."""
    path = tmp_path / "library.sqlite3"
    first = sqlite3.connect(str(path))
    first.execute("PRAGMA journal_mode = WAL").fetchall()  # what the first app has done when the second starts
    first.close()

    def create_it() -> None:
        with Library(path) as creator:  # the first app, finishing
            assert creator.list_documents() == []

    class Checked:
        """The second app's connection: the first app commits right after its application id is read."""

        def __init__(self, conn: sqlite3.Connection) -> None:
            self._conn = conn

        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            cursor = self._conn.execute(sql, *args)
            if "application_id" in sql and hooks:
                hooks.pop()()
            return cursor

        def __getattr__(self, name: str) -> Any:
            return getattr(self._conn, name)

    hooks = [create_it]
    connect = Library._connect

    def racing_connect(self: Library, *, read_only: bool = False) -> Any:
        conn = connect(self, read_only=read_only)
        return Checked(conn) if hooks else conn

    monkeypatch.setattr(Library, "_connect", racing_connect)
    with Library(path) as second:
        assert not hooks  # the first app did commit in the middle of the check
        doc = second.add_document(new_document("A text written for this test.", "Race"))
        assert [d.id for d in second.list_documents()] == [doc.id]
        assert second.schema_version == store.SCHEMA_VERSION


_OPEN_ON_GO = """
import sys
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.store import Library
print("ready", flush=True)
sys.stdin.readline()
try:
    with Library(sys.argv[1]) as library:
        print(len(library.list_documents()), flush=True)
except SummitReaderError as exc:
    print(exc, flush=True)
"""


def test_two_apps_creating_one_library_both_open_it(tmp_path: Path) -> None:
    """Two apps told at the same moment to open a library that does not exist yet: both open it (one
    creates it, the other waits for it). SQLite answers the switch to WAL "database is locked" at once,
    without waiting, and one of the two apps refused to start in 97 of 100 tries."""
    for round_ in range(20):
        path = tmp_path / f"round-{round_}" / "library.sqlite3"
        apps = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_ON_GO, str(path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            for _ in range(2)
        ]
        for app in apps:  # both have imported Summit Reader: they open the file as close together as can be
            assert app.stdout is not None and app.stdout.readline().strip() == "ready"
        for app in apps:
            assert app.stdin is not None
            app.stdin.write("go\n")
            app.stdin.flush()
        answers = [app.communicate(timeout=60)[0].strip() for app in apps]
        assert answers == ["0", "0"], f"round {round_}: {answers}"
        with Library(path) as library:
            assert library.schema_version == store.SCHEMA_VERSION


# ------------------------------------------------------------------------------------------ full disk


def test_full_library_refuses_the_write_and_keeps_everything_before(tmp_path: Path) -> None:
    """A disk that fills up, simulated with SQLite's max_page_count: the file may not grow by one page."""
    path = tmp_path / "library.sqlite3"
    with Library(path) as library:
        doc = library.add_document(new_document(TEXT, "Full-disk text (written for the tests)"))
        assert doc.id is not None
        kept = library.add_annotation(doc.id, 0, 7, note="saved before the disk filled up", tags=["hedge"])
        pages = library._conn.execute("PRAGMA page_count").fetchone()[0]
        library._conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError, match=r"^The disk is full: the library 'library\.sqlite3' cannot grow"):
            library.add_document(new_document("A long text. " * 20_000, "Too big"))
        with pytest.raises(StoreError, match="The disk is full"):
            library.add_annotation(doc.id, 0, 7, note="n" * 100_000, tags=["a tag that must not appear"])
        assert library.list_annotations() == [kept]  # still usable for reading, nothing half-saved
        assert "a tag that must not appear" not in {t.name for t in library.list_tags()}
    with Library(path) as library:  # opens afterwards, everything from before intact
        assert library._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert [d.title for d in library.list_documents()] == ["Full-disk text (written for the tests)"]
        assert library.list_annotations() == [kept]
        library.add_annotation(doc.id, 8, 12, note="room again")  # writes work once there is room


_FILE_SIZE_CHILD = """
import os, resource, signal, sys
from summit_reader.core.documents import new_document
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.store import Library

path = sys.argv[1]
library = Library(path)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing us
largest = max(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
resource.setrlimit(resource.RLIMIT_FSIZE, (largest + 16384, resource.RLIM_INFINITY))
try:
    library.add_document(new_document("Risk and safety. " * 60000, "Too big for the disk"))
except SummitReaderError as exc:
    print(f"Error: {exc}")
library.close()
"""


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_write_past_the_file_size_limit_is_a_plain_error(tmp_path: Path) -> None:
    """A real failed write (the kernel refuses to grow the file), in a child process."""
    path = tmp_path / "library.sqlite3"
    with Library(path) as library:
        doc = library.add_document(new_document(TEXT, "File-size text (written for the tests)"))
        assert doc.id is not None
        kept = library.add_annotation(doc.id, 0, 7, note="before")
    result = subprocess.run(
        [sys.executable, "-c", _FILE_SIZE_CHILD, str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Error: ") and "the last change was not saved" in result.stdout
    with Library(path) as library:
        assert library._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert len(library.list_documents()) == 1 and library.list_annotations() == [kept]


# ------------------------------------------------------------------------------------ damaged files


def _library_with_log(folder: Path) -> tuple[bytes, bytes]:
    """A library whose recent changes are still only in its -wal, as after a crash: (file, log) bytes."""
    live = folder / "live" / "library.sqlite3"
    with Library(live) as library:
        for i in range(6):
            doc = library.add_document(new_document(f"{i} " + TEXT * 30, f"Text {i} (written for the tests)"))
            assert doc.id is not None
            for j in range(10):
                library.add_annotation(doc.id, j, j + 5, note=f"note {j} " * 30, tags=[f"tag {j}"])
    library = Library(live)
    try:
        for j in range(5):
            library.add_annotation(1, j, j + 9, note="only in the log")
        return live.read_bytes(), live.with_name("library.sqlite3-wal").read_bytes()
    finally:
        library.close()


@pytest.fixture(scope="module")
def crashed_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    return _library_with_log(tmp_path_factory.mktemp("crashed"))


@pytest.mark.parametrize("size", [0, 60, 100, 4096, 8192, "half", "three quarters"])
@pytest.mark.parametrize("with_log", [True, False], ids=["with -wal", "without -wal"])
def test_truncated_library_is_refused_and_left_as_it_was(
    tmp_path: Path, crashed_library: tuple[bytes, bytes], size: int | str, with_log: bool
) -> None:
    data, log = crashed_library
    cut = {"half": len(data) // 2, "three quarters": len(data) * 3 // 4}.get(str(size), size)
    assert isinstance(cut, int)
    path = tmp_path / "library.sqlite3"
    path.write_bytes(data[:cut])
    wal = path.with_name("library.sqlite3-wal")
    if with_log:
        wal.write_bytes(log)
    if cut == 0 and not with_log:
        pytest.skip("an empty file without a log is a new library (test_store covers it)")
    with pytest.raises(StoreError, match="is damaged and cannot be opened") as info:
        Library(path)
    assert "Restore it from a backup, or open another library." in str(info.value)
    assert path.read_bytes() == data[:cut]
    if with_log:
        assert wal.read_bytes() == log  # not checkpointed into the damaged file, not deleted
    else:
        assert not wal.exists() or wal.read_bytes() == b""  # at most an empty log from the read-only check


def test_newer_library_with_a_log_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with Library(path) as library:
        library.add_document(new_document(TEXT, "Newer-schema text (written for the tests)"))
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA wal_autocheckpoint = 0")
    raw.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    data = path.read_bytes()
    log = path.with_name("library.sqlite3-wal").read_bytes()
    try:
        assert log  # the newer version's change is still in the log, as while it is running
        with pytest.raises(SchemaTooNewError, match="newer version of Summit Reader"):
            Library(path)
        assert path.read_bytes() == data
        assert path.with_name("library.sqlite3-wal").read_bytes() == log
    finally:
        raw.close()
