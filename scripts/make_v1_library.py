#!/usr/bin/env python3
"""Generate ``tests/data/library-v1.sqlite3``: a library as the first released Summit Reader wrote it.

The schema below is the first released schema (migration 1 of ``summit_reader/core/store.py``), copied
here and frozen: this script must keep producing a *version 1* library whatever the application's schema
becomes, so that the upgrade tests always start from what real users have on disk. The documents,
annotations and notes are short texts written for the tests (not official summit texts).

    python scripts/make_v1_library.py                 # rewrite tests/data/library-v1.sqlite3
    python scripts/make_v1_library.py --output X.db   # write it elsewhere (the tests compare the two)

Offsets, quotes and their context are computed by SQLite (``instr``/``substr`` count characters, as
Summit Reader's offsets do), so they cannot disagree with the texts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "tests" / "data" / "library-v1.sqlite3"

#: The first released schema, frozen. Never edit: write a migration in store.py instead.
SCHEMA_V1 = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    date TEXT,
    place TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'other',
    source_url TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    retrieved_at TEXT
);
CREATE INDEX documents_text_hash ON documents(text_hash);

CREATE TABLE annotations (
    id TEXT PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    quote TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    suffix TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ok',
    CHECK (start >= 0 AND "end" > start)
);
CREATE INDEX annotations_document_id ON annotations(document_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    colour TEXT NOT NULL,
    parent_id INTEGER REFERENCES tags(id) ON DELETE SET NULL
);

CREATE TABLE annotation_tags (
    annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (annotation_id, tag_id)
);
CREATE INDEX annotation_tags_tag_id ON annotation_tags(tag_id);

CREATE TABLE analysis_cache (
    text_hash TEXT NOT NULL,
    lexicon_hash TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    payload TEXT NOT NULL,
    created TEXT,
    PRIMARY KEY (text_hash, lexicon_hash, engine_version)
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT
);

INSERT INTO tags (name, colour) VALUES
    ('existing risk', '#d55e00'), ('extinction risk', '#cc79a7'), ('exclusion risk', '#e69f00'), ('commitment', '#009e73'), ('hedge', '#56b4e9'), ('key passage', '#f0e442');

PRAGMA application_id = 1397908594;
"""

#: Invented content, written for the tests. Texts are already in Summit Reader's normalised form
#: (LF line ends, NFC, no trailing blanks).
DATA_V1 = """
INSERT INTO documents (id, title, date, place, kind, source_url, source_path, text, text_hash, imported_at, retrieved_at)
VALUES
    (1, 'Test declaration one (written for the tests)', '2023-11-01', 'Test Hall', 'declaration', '',
     '/home/researcher/texts/one.txt',
     'We, the participants of this invented meeting, recognise that frontier AI may pose serious risks.' || char(10) || char(10) ||
     'Developers should test their systems, and states will share what they learn.' || char(10) || char(10) ||
     '• We commit to meet again.' || char(10) || '• We welcome research on safety.',
     '', '2024-06-01T10:00:00Z', NULL),
    (2, 'Test statement two — “invented”', '2024-05-21', 'Café du Test', 'statement', 'https://example.org/two',
     '', 'Innovation must be inclusive; we encourage cooperation across régions and sectors.' || char(10) || char(10) ||
     'We note the risks, and we do not endorse any single approach. We must never leave anyone behind.',
     '', '2024-06-02T09:30:00Z', '2024-06-02T09:29:00Z'),
    (3, 'Undated test note', NULL, '', 'other', '', '', 'A short undated text that nobody has annotated yet.',
     '', '2024-06-03T08:00:00Z', NULL);
UPDATE documents SET text_hash = sha256_hex(text);

INSERT INTO tags (id, name, colour) VALUES (7, 'my own tag', '#0072b2'), (8, 'Ünïcode; with semicolon', '#009e73');

CREATE TEMP TABLE wanted (id TEXT, document_id INTEGER, quote TEXT, note TEXT, author TEXT, created TEXT, modified TEXT);
INSERT INTO wanted VALUES
    ('00000000-0000-4000-8000-000000000001', 1, 'frontier AI', 'First use of the term.', 'Test Researcher',
     '2024-06-01T10:05:00Z', '2024-06-01T10:05:00Z'),
    ('00000000-0000-4000-8000-000000000002', 1, 'may pose serious risks', 'Hedged: "may".' || char(10) || 'Second line of the note.',
     'Test Researcher', '2024-06-01T10:06:00Z', '2024-06-04T12:00:00Z'),
    ('00000000-0000-4000-8000-000000000003', 1, 'will share', '=SUM(A1:A2) looks like a formula; it is a note.',
     'Test Researcher', '2024-06-01T10:07:00Z', '2024-06-01T10:07:00Z'),
    ('00000000-0000-4000-8000-000000000004', 1, 'We commit to meet again.', '', 'Guest', '2024-06-01T10:08:00Z',
     '2024-06-01T10:08:00Z'),
    ('00000000-0000-4000-8000-000000000005', 2, 'régions', 'Accents count as one character each.', 'Test Researcher',
     '2024-06-02T09:40:00Z', '2024-06-02T09:40:00Z'),
    ('00000000-0000-4000-8000-000000000006', 2, 'do not endorse', 'Negated operative verb — it''s a hedge.',
     'Test Researcher', '2024-06-02T09:41:00Z', '2024-06-02T09:41:00Z'),
    ('00000000-0000-4000-8000-000000000007', 2, 'must never leave anyone behind', '', 'Test Researcher',
     '2024-06-02T09:42:00Z', '2024-06-02T09:42:00Z');

INSERT INTO annotations (id, document_id, start, "end", quote, prefix, suffix, note, author, created, modified, status)
SELECT w.id, w.document_id,
       instr(d.text, w.quote) - 1,
       instr(d.text, w.quote) - 1 + length(w.quote),
       w.quote,
       substr(d.text, max(1, instr(d.text, w.quote) - 32), min(instr(d.text, w.quote) - 1, 32)),
       substr(d.text, instr(d.text, w.quote) + length(w.quote), 32),
       w.note, w.author, w.created, w.modified, 'ok'
FROM wanted w JOIN documents d ON d.id = w.document_id
ORDER BY w.id;

INSERT INTO annotation_tags (annotation_id, tag_id)
SELECT a.id, t.id FROM (
    SELECT '00000000-0000-4000-8000-000000000001' AS id, 'key passage' AS tag
    UNION ALL SELECT '00000000-0000-4000-8000-000000000001', 'existing risk'
    UNION ALL SELECT '00000000-0000-4000-8000-000000000002', 'hedge'
    UNION ALL SELECT '00000000-0000-4000-8000-000000000003', 'my own tag'
    UNION ALL SELECT '00000000-0000-4000-8000-000000000004', 'commitment'
    UNION ALL SELECT '00000000-0000-4000-8000-000000000005', 'Ünïcode; with semicolon'
    UNION ALL SELECT '00000000-0000-4000-8000-000000000006', 'hedge'
    UNION ALL SELECT '00000000-0000-4000-8000-000000000006', 'my own tag'
) a JOIN tags t ON t.name = a.tag;

INSERT INTO settings (key, value) VALUES ('author', 'Test Researcher'), ('theme', 'light');

INSERT INTO analysis_cache (text_hash, lexicon_hash, engine_version, payload, created)
SELECT text_hash, 'test-lexicon-hash', '0-test', '{"matches": []}', '2024-06-01T10:01:00Z' FROM documents WHERE id = 3;

DROP TABLE wanted;
"""


def build(output: Path) -> None:
    """Write the version 1 library to ``output`` (replacing it), as a WAL-mode file without a -wal beside it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
        leftover.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.create_function(
            "sha256_hex", 1, lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest(), deterministic=True
        )
        conn.execute("BEGIN")
        conn.executescript(SCHEMA_V1 + DATA_V1 + "PRAGMA user_version = 1;")  # executescript commits
        conn.execute("VACUUM")
        conn.execute("PRAGMA journal_mode = WAL").fetchall()  # as the application leaves its libraries
        problems = conn.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise SystemExit(f"the generated library fails SQLite's check: {problems}")
    finally:
        conn.close()
    os.replace(tmp, output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    args = parser.parse_args(argv)
    build(args.output)
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
