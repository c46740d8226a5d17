"""A second coder: importing a colleague's library or CSV export (read-only, all or nothing), comparing,
and resolving disagreements into the user's annotations. The texts are the tests' own sample texts."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from summit_reader.core.coders import (
    compare_with_coder,
    disagreement_details,
    find_disagreement,
    import_coder,
    redo_resolution,
    resolve,
    suggest_coder_name,
    undo_resolution,
)
from summit_reader.core.documents import Document
from summit_reader.core.errors import SummitReaderError
from summit_reader.core.export import write_annotations_csv
from summit_reader.core.store import APPLICATION_ID, SCHEMA_VERSION, Library
from tests.conftest import SAMPLE_TEXTS

ROOT = Path(__file__).resolve().parents[2]
V1_FIXTURE = ROOT / "tests" / "data" / "library-v1.sqlite3"

TEXT_A = SAMPLE_TEXTS["2023"][2]  # 3 sentences
TEXT_B = SAMPLE_TEXTS["2024"][2]  # 3 sentences


def add_samples(library: Library, years: tuple[str, ...] = ("2023", "2024")) -> dict[str, int]:
    ids = {}
    for year in years:
        title, date, text = SAMPLE_TEXTS[year]
        stored = library.add_document(Document(title=title, text=text, date=date))
        assert stored.id is not None
        ids[year] = stored.id
    return ids


def annotate(library: Library, doc_id: int, words: str, tags: list[str], note: str = "", author: str | None = None) -> str:
    text = library.get_document(doc_id).text
    start = text.index(words)
    return library.add_annotation(doc_id, start, start + len(words), note=note, tags=tags, author=author).id


@pytest.fixture
def mine(tmp_path: Path) -> Iterator[Library]:
    library = Library(tmp_path / "mine.sqlite3")
    ids = add_samples(library)
    # text A: I code sentence 1 as "existing risk", sentence 2 as "hedge"
    annotate(library, ids["2023"], "AI may pose risks to safety", ["existing risk"], "risk named")
    annotate(library, ids["2023"], "Developers should test their systems", ["hedge", "key passage"])
    # text B: I code sentence 3 as "commitment"
    annotate(library, ids["2024"], "We commit to dialogue", ["commitment"])
    yield library
    library.close()


@pytest.fixture
def theirs_path(tmp_path: Path) -> Path:
    """A colleague's library: the same two texts (added in the other order), coded partly differently."""
    path = tmp_path / "colleague" / "theirs.sqlite3"
    with Library(path) as library:
        ids = add_samples(library, ("2024", "2023"))
        library.author = "Dr Colleague"
        # text A: they agree on sentence 1 (with another capitalisation), and code sentence 3 as a risk too
        annotate(library, ids["2023"], "risks to safety", ["Existing Risk"], "agree")
        annotate(library, ids["2023"], "we should act together on security", ["existing risk"], "a second risk")
        # text B: they code sentence 3 as commitment too, and sentence 2 as well, in one annotation
        annotate(library, ids["2024"], "Innovation will create opportunities.\n\nWe commit to dialogue", ["commitment"], "both")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(library: Library) -> tuple[object, ...]:
    return (
        library.list_annotations(),
        library.list_tags(),
        library.list_coders(),
        [library.list_resolutions(c.id) for c in library.list_coders()],
    )


# ------------------------------------------------------------------------------------------------ import


def test_import_a_colleagues_library_keeps_it_apart_and_leaves_their_file_alone(mine: Library, theirs_path: Path) -> None:
    before_mine = (mine.list_annotations(), mine.list_tags())
    before_theirs = digest(theirs_path)
    result = import_coder(mine, theirs_path, "Colleague")
    assert result.replaced is False and result.messages == ()
    coder = result.coder
    assert (coder.name, coder.source, coder.annotation_count, coder.unplaced_count, coder.document_count) == (
        "Colleague", "theirs.sqlite3", 3, 0, 2,
    )
    # my annotations and tags are exactly as they were: their tag spelling "Existing Risk" created nothing
    assert (mine.list_annotations(), mine.list_tags()) == before_mine
    # their file: not one byte changed, and nothing left beside it
    assert digest(theirs_path) == before_theirs
    assert sorted(p.name for p in theirs_path.parent.iterdir()) == ["theirs.sqlite3"]
    theirs = mine.list_coder_annotations(coder.id)
    assert {a.note for a in theirs} == {"agree", "a second risk", "both"}
    for a in theirs:  # placed in our texts
        assert mine.get_document(a.document_id).text[a.start : a.end] == a.quote
    assert suggest_coder_name(mine, theirs_path) == "Dr Colleague"


def test_figures_of_the_sample_coding_worked_out_by_hand(mine: Library, theirs_path: Path) -> None:
    import_coder(mine, theirs_path, "Colleague")
    result = compare_with_coder(mine, "colleague")  # names match ignoring case
    comparison = result.comparison
    assert comparison.unit == "sentence"
    assert comparison.tags == ("commitment", "existing risk", "hedge", "key passage")
    a_id, b_id = comparison.document_ids  # by date: text A (2023), then text B (2024)
    # "existing risk" in text A (3 sentences): mine 1 0 0, theirs 1 0 1 → both 1, only theirs 1, neither 1
    risk = comparison.cell("existing risk", a_id)
    assert (risk.units, risk.mine, risk.theirs, risk.both) == (3, 1, 2, 1)
    # observed 2/3; p_e = (1·2 + 2·1)/9 = 4/9; kappa = (6/9 − 4/9)/(5/9) = 2/5
    assert risk.kappa == pytest.approx(2 / 5)
    # alpha: n1 = 2·1 + 0 + 1 = 3, n0 = 2·1 + 0 + 1 = 3; 1 − (2·3 − 1)·1/(3·3) = 1 − 5/9 = 4/9
    assert risk.alpha == pytest.approx(4 / 9)
    # "commitment" in text B (3 sentences): mine 0 0 1, theirs 0 1 1 → both 1, only theirs 1, neither 1 (as above)
    commitment = comparison.cell("commitment", b_id)
    assert (commitment.units, commitment.mine, commitment.theirs, commitment.both) == (3, 1, 2, 1)
    assert commitment.kappa == pytest.approx(2 / 5)
    # over both documents (6 sentences): mine 0 0 1 | 0 0 0, theirs 0 1 1 | 0 0 0 → observed 5/6;
    # p_e = (1·2 + 5·4)/36 = 22/36; kappa = (30/36 − 22/36)/(14/36) = 8/14
    ((_, over_documents),) = [row for row in comparison.by_tag() if row[0] == "commitment"]
    assert over_documents.kappa == pytest.approx(8 / 14)
    # "hedge": only I used it, on one sentence of text A; in text B neither did (undefined there)
    assert comparison.cell("hedge", b_id).kappa is None
    assert comparison.cell("hedge", b_id).note == "neither coder used the tag"
    keys = {(d.tag, d.coded_by, d.unit_count) for d in comparison.disagreements}
    assert keys == {
        ("existing risk", "theirs", 1),
        ("commitment", "theirs", 1),
        ("hedge", "mine", 1),
        ("key passage", "mine", 1),
    }


def test_a_csv_export_gives_the_same_comparison_as_the_library(mine: Library, theirs_path: Path, tmp_path: Path) -> None:
    exported = tmp_path / "theirs.csv"
    with Library(theirs_path) as theirs:
        write_annotations_csv(theirs, exported)
    import_coder(mine, theirs_path, "From library")
    import_coder(mine, exported, "From CSV")
    by_library = compare_with_coder(mine, "From library").comparison
    by_csv = compare_with_coder(mine, "From CSV").comparison
    assert by_csv.cells == by_library.cells
    assert [d.key for d in by_csv.disagreements] == [d.key for d in by_library.disagreements]
    assert {c.name: c.document_count for c in mine.list_coders()} == {"From CSV": 2, "From library": 2}


def test_a_first_schema_library_is_read_without_being_upgraded(tmp_path: Path) -> None:
    colleague = tmp_path / "old" / "library-v1.sqlite3"
    colleague.parent.mkdir()
    shutil.copyfile(V1_FIXTURE, colleague)
    before = digest(colleague)
    raw = sqlite3.connect(f"{V1_FIXTURE.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    documents = raw.execute("SELECT title, date, text FROM documents ORDER BY id").fetchall()
    expected = raw.execute("SELECT count(*) FROM annotations").fetchone()[0]
    raw.close()
    with Library(tmp_path / "mine.sqlite3") as library:
        for title, date, text in documents:
            library.add_document(Document(title=title, text=text, date=date), allow_duplicate=True)
        result = import_coder(library, colleague, "Old colleague")
        assert result.coder.annotation_count == expected == 7
        assert result.coder.document_count == 3
    assert digest(colleague) == before
    check = sqlite3.connect(f"{colleague.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 1
    check.close()
    assert sorted(p.name for p in colleague.parent.iterdir()) == ["library-v1.sqlite3"]


def test_reimporting_a_name_replaces_that_coders_set(mine: Library, theirs_path: Path, tmp_path: Path) -> None:
    import_coder(mine, theirs_path, "Colleague")
    smaller = tmp_path / "smaller.csv"
    with Library(theirs_path) as theirs:
        write_annotations_csv(theirs, smaller, annotations=theirs.list_annotations(tag="commitment"))
    result = import_coder(mine, smaller, "COLLEAGUE")
    assert result.replaced is True
    (coder,) = mine.list_coders()
    assert (coder.name, coder.annotation_count, coder.document_count, coder.source) == ("COLLEAGUE", 1, 1, "smaller.csv")


def test_their_documents_that_we_do_not_have_are_named_and_left_out(mine: Library, tmp_path: Path) -> None:
    path = tmp_path / "partial.sqlite3"
    with Library(path) as theirs:
        ids = add_samples(theirs, ("2023", "2025"))
        annotate(theirs, ids["2023"], "We welcome research", ["hedge"])
        annotate(theirs, ids["2025"], "AI must serve the public good", ["commitment"])
    result = import_coder(mine, path, "Partial")
    assert (result.coder.document_count, result.coder.annotation_count) == (1, 1)
    assert result.messages == ("“Illustrative test text C (not an official text)” (2025-02-11) is not in this library: left out.",)
    # only text A is compared: my annotations of text B do not count as disagreements
    text_a = next(d.id for d in mine.list_documents() if d.date == SAMPLE_TEXTS["2023"][1])
    assert compare_with_coder(mine, "Partial").comparison.document_ids == (text_a,)


def test_an_unplaceable_annotation_is_counted_and_left_out(mine: Library, tmp_path: Path) -> None:
    path = tmp_path / "theirs.csv"
    title, date, _text = SAMPLE_TEXTS["2023"]
    path.write_text(
        "annotation_id,document_title,document_date,start,end,quote,tags\r\n"
        f"x1,{title},{date},0,2,We,hedge\r\n"  # "We" is at 0–2: placed
        f"x2,{title},{date},5,9,nowhere in the text,hedge\r\n",
        encoding="utf-8",
    )
    result = import_coder(mine, path, "CSV colleague")
    assert (result.coder.annotation_count, result.coder.unplaced_count) == (2, 1)
    assert "1 annotation could not be placed" in result.messages[-1]
    comparison = compare_with_coder(mine, "CSV colleague").comparison
    hedge = comparison.cell("hedge", comparison.document_ids[0])
    assert hedge.theirs == 1  # only the placed one counts


# --------------------------------------------------------------------------------------------- bad input


def _another_program_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _newer_library(path: Path) -> None:
    Library(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary"),
         r"neither a Summit Reader library \(\.sqlite3\) nor an annotation export \(\.csv\): it is not UTF-8"),
        (lambda p: p.write_text("name,value\r\na,1\r\n", encoding="utf-8"), "not a Summit Reader annotation export"),
        (lambda p: p.write_text("annotation_id,start,end,quote\r\nx,0,2,We\r\n", encoding="utf-8"), "does not say which document"),
        (lambda p: p.write_text("annotation_id,start,end,quote,document_title\r\nx,zero,2,We,T\r\n", encoding="utf-8"), "row 2"),
        (lambda p: p.write_bytes("annotation_id\r\nÄ".encode("latin-1")), "not UTF-8"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200), "cannot be"),
        (_another_program_db, "another program"),
        (_newer_library, "newer version of Summit Reader"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: None, "does not exist"),
    ],
)
def test_bad_files_give_a_clear_message_and_change_nothing(
    mine: Library, tmp_path: Path, make: object, message: str
) -> None:
    path = tmp_path / "bad-input"
    make(path)  # type: ignore[operator]
    before = snapshot(mine)
    version = mine.data_version()
    with pytest.raises(SummitReaderError, match=message):
        import_coder(mine, path, "Somebody")
    assert snapshot(mine) == before
    assert mine.data_version() == version


def test_a_file_without_any_of_our_documents_imports_nothing(mine: Library, tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with Library(path) as theirs:
        ids = add_samples(theirs, ("2025",))
        annotate(theirs, ids["2025"], "AI must serve", ["commitment"])
    with pytest.raises(SummitReaderError, match="None of the documents of 'other.sqlite3' is in this library"):
        import_coder(mine, path, "Nobody")
    assert mine.list_coders() == []


def test_the_library_itself_and_an_empty_name_are_refused(mine: Library, theirs_path: Path) -> None:
    with pytest.raises(SummitReaderError, match="this library itself"):
        import_coder(mine, mine.path, "Me")
    with pytest.raises(SummitReaderError, match="needs a name|Give the second coder a name"):
        import_coder(mine, theirs_path, "   ")
    assert mine.list_coders() == []


def test_a_failure_while_writing_leaves_the_previous_coding(mine: Library, theirs_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_coder(mine, theirs_path, "Colleague")
    before = snapshot(mine)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    original = mine._conn

    class Failing:
        """The connection fails on the second coder's annotation rows (after the old ones were deleted)."""

        def __getattr__(self, name: str) -> object:
            return getattr(original, name)

        def executemany(self, sql: str, rows: object) -> object:
            if "coder_annotations" in sql:
                broken()
            return original.executemany(sql, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(mine, "_conn", Failing())
    with pytest.raises(SummitReaderError, match="could not be written"):
        import_coder(mine, theirs_path, "Colleague")
    monkeypatch.undo()
    assert snapshot(mine) == before


# ------------------------------------------------------------------------------------------- resolving


def test_take_theirs_copies_their_annotation_and_the_disagreement_goes(mine: Library, theirs_path: Path) -> None:
    import_coder(mine, theirs_path, "Colleague")
    result = compare_with_coder(mine)
    (detail,) = [d for d in disagreement_details(mine, result, tag="existing risk")]
    assert detail.disagreement.coded_by == "theirs" and detail.actions() == ("take", "keep")
    assert detail.passage == "We welcome research on AI safety, and we should act together on security."
    assert [a.note for a in detail.theirs] == ["a second risk"] and detail.mine == ()
    count = mine.count_annotations()
    outcome = resolve(mine, detail, "take")
    (copied,) = outcome.created
    assert mine.count_annotations() == count + 1
    assert (copied.quote, copied.note, copied.tags, copied.author) == (
        "we should act together on security", "a second risk", ("existing risk",), "Dr Colleague",
    )
    again = compare_with_coder(mine)
    assert not disagreement_details(mine, again, tag="existing risk")
    assert again.comparison.cell("existing risk", again.comparison.document_ids[0]).kappa == 1.0
    # undo: the copy goes and the disagreement is back, unresolved; redo: the same annotation again
    undo_resolution(mine, outcome)
    assert mine.count_annotations() == count and mine.list_resolutions(detail.coder.id) == []
    assert [d.key for d in disagreement_details(mine, compare_with_coder(mine), tag="existing risk")] == [detail.key]
    redo_resolution(mine, outcome)
    assert mine.get_annotation(copied.id) == copied
    assert [r.action for r in mine.list_resolutions(detail.coder.id)] == ["take"]


def test_keep_mine_is_remembered_after_reopening(mine: Library, theirs_path: Path) -> None:
    import_coder(mine, theirs_path, "Colleague")
    (detail,) = disagreement_details(mine, compare_with_coder(mine), tag="commitment")
    before = mine.list_annotations()
    resolve(mine, detail, "keep")
    assert mine.list_annotations() == before
    path = mine.path
    mine.close()
    with Library(path) as reopened:
        result = compare_with_coder(reopened)
        assert disagreement_details(reopened, result, tag="commitment") == []
        (kept,) = disagreement_details(reopened, result, tag="commitment", include_resolved=True)
        assert kept.key == detail.key and kept.resolution is not None and kept.resolution.action == "keep"
        # the figures still count it: a kept disagreement is still a disagreement between the coders
        assert result.comparison.cell("commitment", kept.disagreement.document_id).both == 1
        assert find_disagreement(reopened, detail.key).resolution is not None


def test_remove_mine_takes_the_tag_off_or_deletes_the_annotation(mine: Library, theirs_path: Path) -> None:
    import_coder(mine, theirs_path, "Colleague")
    result = compare_with_coder(mine)
    (hedge,) = disagreement_details(mine, result, tag="hedge")
    (key_passage,) = disagreement_details(mine, result, tag="key passage")
    assert hedge.disagreement.coded_by == "mine" and hedge.actions() == ("keep", "remove")
    with pytest.raises(SummitReaderError, match="nothing of theirs to take"):
        resolve(mine, hedge, "take")
    annotation_id = hedge.disagreement.annotation_ids[0]
    first = resolve(mine, hedge, "remove")  # it also carries "key passage": only "hedge" comes off
    assert mine.get_annotation(annotation_id).tags == ("key passage",)
    (key_passage,) = disagreement_details(mine, compare_with_coder(mine), tag="key passage")
    second = resolve(mine, key_passage, "remove")  # now its only tag: the annotation is deleted
    assert mine.get_annotations([annotation_id]) == []
    undo_resolution(mine, second)
    undo_resolution(mine, first)
    assert mine.get_annotation(annotation_id).tags == ("hedge", "key passage")
    assert mine.list_resolutions(hedge.coder.id) == []


def test_a_stale_disagreement_is_refused(mine: Library, theirs_path: Path) -> None:
    import_coder(mine, theirs_path, "Colleague")
    (hedge,) = disagreement_details(mine, compare_with_coder(mine), tag="hedge")
    mine.delete_annotation(hedge.disagreement.annotation_ids[0])
    with pytest.raises(SummitReaderError, match="changed since"):
        resolve(mine, hedge, "remove")
    assert mine.list_resolutions(hedge.coder.id) == []


def test_removing_a_coder_keeps_my_annotations(mine: Library, theirs_path: Path) -> None:
    import_coder(mine, theirs_path, "Colleague")
    (detail,) = disagreement_details(mine, compare_with_coder(mine), tag="existing risk")
    resolve(mine, detail, "take")
    mine_now = mine.list_annotations()
    removed = mine.delete_coder("colleague")
    assert removed.annotation_count == 3
    assert mine.list_coders() == [] and mine.list_annotations() == mine_now
    assert mine._conn.execute("SELECT count(*) FROM coder_annotations").fetchone()[0] == 0
    assert mine._conn.execute("SELECT count(*) FROM resolutions").fetchone()[0] == 0


def test_sentence_boundaries_are_cached_so_spacy_is_not_needed_again(mine: Library, theirs_path: Path) -> None:
    import_coder(mine, theirs_path, "Colleague")
    compare_with_coder(mine)
    rows = mine._conn.execute("SELECT count(*) FROM analysis_cache WHERE lexicon_hash = 'sentences'").fetchone()[0]
    assert rows == 2
    character = compare_with_coder(mine, unit="character").comparison
    risk = character.cell("existing risk", character.document_ids[0])
    assert risk.units == sum(1 for ch in TEXT_A if not ch.isspace())


def test_the_v1_upgrade_adds_the_second_coder_tables(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    shutil.copyfile(V1_FIXTURE, path)
    with Library(path) as library:
        tables = {r[0] for r in library._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"coders", "coder_documents", "coder_annotations", "resolutions"} <= tables
        assert library._conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert library.list_coders() == []
    assert path.with_name(f"library.sqlite3.before-v{SCHEMA_VERSION}.bak").is_file()


def test_their_passages_follow_a_text_that_changed_after_the_import(mine: Library, theirs_path: Path) -> None:
    import_coder(mine, theirs_path, "Colleague")
    text_a = next(d.id for d in mine.list_documents() if d.date == SAMPLE_TEXTS["2023"][1])
    mine.replace_document_text(text_a, "A new first sentence. " + TEXT_A)  # every offset moves by 22
    cell = compare_with_coder(mine).comparison.cell("existing risk", text_a)
    # 4 sentences now; mine codes the second (the old first), theirs the second and the fourth
    assert (cell.units, cell.mine, cell.theirs, cell.both) == (4, 1, 2, 1)
    (detail,) = disagreement_details(mine, compare_with_coder(mine), tag="existing risk")
    (copied,) = resolve(mine, detail, "take").created
    assert mine.get_document(text_a).text[copied.start : copied.end] == "we should act together on security"
