"""A child process for the crash and concurrency tests: saves annotations in a loop through
``Library.add_annotation`` (the call the window and ``summit-reader annotate`` make) and reports each
save on stdout *after* the call returned, one JSON line per acknowledged annotation, flushed at once.

    python -m tests.helpers.annotate_loop LIBRARY --seed N [--seconds S] [--writer NAME] [--handshake] [--reopen]

The library is created if needed, and the loop annotates its first document (added if there is none;
two processes racing to add it both end up on the same one). With ``--handshake`` the child prints
``{"ready": …}`` once the library is open, waits for a line on stdin before writing, prints
``{"done": …}`` when its time is up, and after one more line on stdin lists every annotation it can see
(``{"listed": [ids…]}``). With ``--reopen`` every save opens and closes its own ``Library``, as a
series of ``summit-reader annotate`` calls would. A core error is printed as one line on stderr with exit status 1, as the CLI does.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from summit_reader.core.documents import new_document
from summit_reader.core.errors import DuplicateDocumentError, SummitReaderError
from summit_reader.core.store import Library

#: Written for the tests; not an official summit text.
TEXT = (
    "We, the participants, recognise that advanced AI brings opportunities and risks. "
    "Developers should test their systems before release, and governments will share what they learn. "
    "We commit to meet again, to support research on safety, and to include every region in this work. "
    "Nothing in this text binds anyone; it records intentions written for a test of Summit Reader."
)

_NOTE_PIECES = ("hedge", "strong verb", "compare with 2024", "ünïcödé", "“quoted”", "—", "line\nbreak", "x" * 200)
_TAGS = ("hedge", "commitment", "key passage", "Ünïcode tag", "risk; danger", "back\\slash")


def _emit(payload: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _document_id(library: Library) -> int:
    docs = library.list_documents()
    if docs:
        return docs[0].id
    try:
        saved = library.add_document(new_document(TEXT, "Crash-test text (written for the tests)"))
    except DuplicateDocumentError as exc:  # the other process added it first
        return exc.existing_id
    assert saved.id is not None
    return saved.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("library")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: never)")
    parser.add_argument("--writer", default="w")
    parser.add_argument("--handshake", action="store_true")
    parser.add_argument(
        "--reopen", action="store_true", help="open and close the library for every save, as CLI calls do"
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    try:
        with Library(args.library) as library:
            doc_id = _document_id(library)
            length = len(library.get_document(doc_id).text)
            if args.handshake:
                _emit({"ready": args.writer})
                sys.stdin.readline()
            deadline = None if args.seconds is None else time.monotonic() + args.seconds
            n = 0
            while deadline is None or time.monotonic() < deadline:
                n += 1
                start = rng.randrange(0, length - 1)
                end = rng.randrange(start + 1, min(length, start + 120) + 1)
                pieces = rng.choices(_NOTE_PIECES, k=rng.randrange(0, 6))
                # Notes of very different sizes, so that some saves span several pages of the file.
                filler = rng.choices((0, 10, 500, 3000), weights=(5, 3, 2, 1))[0]
                note = f"{args.writer} #{n}: " + " ".join(pieces) + " ·" * filler
                tags = rng.sample(_TAGS, k=rng.randrange(0, 3)) + ([f"{args.writer} tag {n % 7}"] if n % 3 == 0 else [])
                if args.reopen:
                    with Library(args.library) as once:
                        saved = once.add_annotation(doc_id, start, end, note=note, tags=tags)
                else:
                    saved = library.add_annotation(doc_id, start, end, note=note, tags=tags)
                _emit(
                    {
                        "id": saved.id,
                        "document_id": saved.document_id,
                        "start": saved.start,
                        "end": saved.end,
                        "quote": saved.quote,
                        "note": saved.note,
                        "tags": list(saved.tags),
                        "asked_note": note,
                    }
                )
            if args.handshake:
                _emit({"done": args.writer, "written": n})
                sys.stdin.readline()
                _emit({"listed": [a.id for a in library.list_annotations()]})
    except SummitReaderError as exc:
        print(f"Error: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
