"""Two merges of one file into one library at the same moment (two windows, or the window and the command
line): one adds the annotations, the other waits for it and then finds them all there. Before the merge read
the library and wrote to it in one transaction, the second failed on a duplicate id."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from summit_reader.core.documents import new_document
from summit_reader.core.export import write_annotations_csv
from summit_reader.core.merge import MergeResult, merge_annotations_csv
from summit_reader.core.store import Library
from summit_reader.core.webanno import export_web_annotations, import_web_annotations

TEXT = "A short text written for this test. We commit to safety, and we welcome research on risk."

# (write the colleague's file, merge it, the read of our library that comes just before the insert)
KINDS: dict[str, tuple[Callable[[Library, Path], Any], Callable[[Library, Path], MergeResult], str]] = {
    "csv": (write_annotations_csv, merge_annotations_csv, "annotation_modified_times"),
    "web annotations": (
        lambda library, path: export_web_annotations(library, path, lexicon_label="test lexicon"),
        import_web_annotations,
        "get_annotations",
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_two_merges_of_one_file_at_once_add_it_once_and_fail_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    write, merge, read_before_insert = KINDS[kind]
    with Library(tmp_path / "theirs.sqlite3") as theirs:
        doc = theirs.add_document(new_document(TEXT, "Test text", date="2025-02-11"))
        assert doc.id is not None
        for word in ("safety", "research", "risk"):
            start = TEXT.index(word)
            theirs.add_annotation(doc.id, start, start + len(word), note=f"on {word}", tags=["t"])
        source = tmp_path / ("theirs.csv" if kind == "csv" else "theirs.jsonld")
        write(theirs, source)
    path = tmp_path / "ours.sqlite3"
    with Library(path) as setup:
        setup.add_document(new_document(TEXT, "Test text", date="2025-02-11"))

    ours, other = Library(path), Library(path)  # two apps on one library
    outcome: dict[str, Any] = {}

    def other_app() -> None:
        try:
            outcome["result"] = merge(other, source)
        except Exception as exc:  # noqa: BLE001 (the test reports whatever it was)
            outcome["error"] = exc

    original = getattr(Library, read_before_insert)
    thread = threading.Thread(target=other_app)

    def read(self: Library, *args: Any, **kwargs: Any) -> Any:
        found = original(self, *args, **kwargs)
        if self is ours and thread.ident is None:
            # the other app merges the same file now, between our read of the library and our insert (it
            # finishes well within the second, unless it has to wait for our transaction)
            thread.start()
            thread.join(timeout=1.0)
        return found

    monkeypatch.setattr(Library, read_before_insert, read)
    try:
        mine = merge(ours, source)
        thread.join(timeout=30)
        assert "error" not in outcome, outcome.get("error")
        theirs_result: MergeResult = outcome["result"]
        assert sorted([mine.added, theirs_result.added]) == [0, 3]
        assert sorted([mine.unchanged, theirs_result.unchanged]) == [0, 3]
        assert len(ours.list_annotations()) == 3
    finally:
        ours.close()
        other.close()
