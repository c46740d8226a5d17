"""The command line: a thin layer over ``summit_reader.core`` (the window uses the same functions).

Every error the core raises on purpose becomes one plain line on stderr and a non-zero exit; anything
unexpected is reported in one line too (the traceback only with SUMMIT_READER_DEBUG=1).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from summit_reader import __version__
from summit_reader.core.errors import DuplicateDocumentError, SummitReaderError

F = TypeVar("F", bound=Callable[..., Any])

LEXICON_ENV = "SUMMIT_READER_LEXICON"
FORMATS = click.Choice(["table", "csv", "json"], case_sensitive=False)


class Context:
    """What the sub-commands share: the library path and lexicon file, opened on first use."""

    def __init__(self, db: Path, lexicon_path: Path | None) -> None:
        self.db = db
        self.lexicon_path = lexicon_path
        self._library: Any = None
        self._analyzer: Any = None

    @property
    def library(self) -> Any:
        if self._library is None:
            from summit_reader.core.errors import StoreError
            from summit_reader.core.store import Library

            try:
                self._library = Library(self.db)
            except StoreError as exc:  # the same class, with what the user can do next
                raise type(exc)(f"{exc} {_open_another_hint(self.db)}") from None
        return self._library

    @property
    def analyzer(self) -> Any:
        if self._analyzer is None:
            from summit_reader.core.analysis import Analyzer
            from summit_reader.core.lexicon import load_lexicon

            self._analyzer = Analyzer(load_lexicon(self.lexicon_path))
        return self._analyzer

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


def friendly_errors(func: F) -> F:
    """Turn core errors into click errors (one line, exit 1); never show a traceback to a user."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SummitReaderError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # `summit-reader stats | head`
            sys.stderr.close()
            raise SystemExit(0) from None
        except Exception as exc:
            if os.environ.get("SUMMIT_READER_DEBUG"):
                raise
            raise click.ClickException(
                f"unexpected error ({type(exc).__name__}: {exc}). Run with SUMMIT_READER_DEBUG=1 for details "
                "and please report it."
            ) from None

    return wrapper  # type: ignore[return-value]


def _default_db() -> str:
    from summit_reader.core.store import default_library_path

    return str(default_library_path())


def _open_another_hint(db: Path) -> str:
    """What to do when the library cannot be opened: another library, a new one, or a backup."""
    from summit_reader.core.backup import list_backups

    hint = "Use --db PATH to open another library, or --db new.sqlite3 to start a new one."
    try:
        usable = [b for b in list_backups(db) if not b.damaged]
    except Exception:  # the hint must never hide the error it explains
        usable = []
    if usable:
        hint += f" `summit-reader backups` lists {len(usable)} backup(s); `summit-reader restore FILE` puts one back."
    return hint


def _smoke_test(ctx: click.Context, _param: click.Parameter, out: Path | None) -> None:
    """Hidden ``--smoke-test OUT.png``: check an installed or bundled app works (see ui/smoke.py)."""
    if out is not None:
        from summit_reader.ui.smoke import run_smoke_test

        ctx.exit(run_smoke_test(out))


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SUMMIT_READER_DB",
    show_envvar=True,
    help="The library file (default: library.sqlite3 in the user data folder).",
)
@click.option(
    "--lexicon",
    "lexicon_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=LEXICON_ENV,
    show_envvar=True,
    help="A lexicon in quanteda YAML layout (default: the lexicon shipped with Summit Reader).",
)
@click.option("--demo", is_flag=True, help="Open the window on the demo library (illustrative texts, kept apart).")
@click.version_option(__version__, prog_name="summit-reader")
@click.option(
    "--smoke-test",
    type=click.Path(dir_okay=False, path_type=Path),
    hidden=True,
    expose_value=False,
    is_eager=True,
    callback=_smoke_test,
    help="Start the window on a temporary demo library, save a screenshot to this PNG and exit.",
)
@click.pass_context
def cli(ctx: click.Context, db: Path | None, lexicon_path: Path | None, demo: bool) -> None:
    """Summit Reader: read, compare and annotate the texts of the AI summits.

    With no command, opens the window.
    """
    state = Context(db or Path(_default_db()), lexicon_path)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        ctx.exit(_open_window(state.db, demo))


@friendly_errors
def _open_window(db: Path, demo: bool) -> int:
    try:
        from summit_reader.ui.app import run
    except ImportError as exc:
        raise click.ClickException(
            f"the window cannot start: {exc}. On Linux, install the Qt system libraries "
            "(see the README), or use the commands listed by `summit-reader --help`."
        ) from None
    return run(db, demo=demo)


# ----------------------------------------------------------------------------------------- output


def _format_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def emit(header: Sequence[str], rows: Sequence[Sequence[object]], fmt: str, *, max_width: int = 48) -> None:
    """Print rows as an aligned table, CSV (RFC 4180, formula-safe) or JSON (a list of objects)."""
    fmt = fmt.lower()
    if fmt == "csv":
        from summit_reader.core.export import write_table_csv

        write_table_csv(header, rows, sys.stdout)
        return
    if fmt == "json":
        click.echo(json.dumps([dict(zip(header, row, strict=True)) for row in rows], ensure_ascii=False, indent=2))
        return
    cells = [[_format_cell(v) for v in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    numeric = [all(isinstance(r[i], (int, float)) for r in rows) and bool(rows) for i in range(len(header))]

    def line(values: Iterable[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    click.echo(line(header))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo(line(row))


pass_state = click.make_pass_decorator(Context)

# ----------------------------------------------------------------------------------------- commands


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", help="Title (default: the Markdown heading or the file name). With several files, the file name is added.")
@click.option("--date", help="Date of the text, YYYY-MM-DD.")
@click.option("--place", default="", help="Where it was adopted, e.g. 'Bletchley Park'.")
@click.option("--kind", default="other", help="declaration, statement, communiqué, annex, report, speech, other.")
@click.option("--source-url", default="", help="Where the text was published.")
@click.option("--allow-duplicate", is_flag=True, help="Import even if the same text is already in the library.")
@pass_state
@friendly_errors
def import_cmd(
    state: Context,
    files: tuple[Path, ...],
    title: str | None,
    date: str | None,
    place: str,
    kind: str,
    source_url: str,
    allow_duplicate: bool,
) -> None:
    """Import .txt, .md, .html, .pdf or .docx files as documents (each file is one document)."""
    from summit_reader.core.documents import new_document, validate_date
    from summit_reader.core.importers import read_document_file

    validate_date(date)  # a bad date stops before anything is imported
    failures = 0
    for path in files:
        try:
            imported = read_document_file(path)
            doc_title = title or imported.suggested_title
            if title and len(files) > 1:
                doc_title = f"{title} ({path.name})"
            doc = new_document(
                imported.text,
                doc_title,
                date=date,
                place=place,
                kind=kind,
                source_url=source_url,
                source_path=str(path.resolve()),
            )
            saved = state.library.add_document(doc, allow_duplicate=allow_duplicate)
            click.echo(f"{saved.id}\t{saved.title}")
        except DuplicateDocumentError as exc:
            click.echo(f"skipped {path.name}: {exc}", err=True)
        except SummitReaderError as exc:
            failures += 1
            click.echo(f"Error: {exc}", err=True)
    if failures:
        raise click.exceptions.Exit(1)


@cli.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def list_cmd(state: Context, fmt: str) -> None:
    """List the documents of the library in date order (id first)."""
    docs = state.library.list_documents()
    header = ["id", "title", "date", "place", "kind", "annotations"]
    rows = [[d.id, d.title, d.date or "", d.place, d.kind, d.annotation_count] for d in docs]
    if not rows and fmt == "table":
        click.echo("The library is empty. Add texts with `summit-reader import FILE…`.", err=True)
        return
    emit(header, rows, fmt)


@cli.command("show")
@click.argument("doc_id", type=int)
@pass_state
@friendly_errors
def show_cmd(state: Context, doc_id: int) -> None:
    """Print a document's details and its text (the text every offset refers to)."""
    doc = state.library.get_document(doc_id)
    for label, value in (
        ("id", doc.id),
        ("title", doc.title),
        ("date", doc.date or ""),
        ("place", doc.place),
        ("kind", doc.kind),
        ("source", doc.source_url or doc.source_path),
        ("sha256", doc.text_hash),
    ):
        click.echo(f"{label:>7}: {value}")
    click.echo()
    click.echo(doc.text)


@cli.command("delete")
@click.argument("doc_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
@friendly_errors
def delete_cmd(state: Context, doc_id: int, yes: bool) -> None:
    """Delete a document and its annotations."""
    doc = state.library.get_document(doc_id)
    n = state.library.count_annotations(doc_id)
    if not yes:
        click.confirm(f"Delete '{doc.title}' and its {n} annotation(s)?", abort=True)
    state.library.delete_document(doc_id)
    click.echo(f"Deleted '{doc.title}' and {n} annotation(s).")


@cli.command("stats")
@click.option("--per", type=click.IntRange(min=1), default=None, help="Show rates per this many words (e.g. 1000) instead of counts.")
@click.option("--category", "categories", multiple=True, help="Only these categories (repeat the option).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def stats_cmd(state: Context, per: int | None, categories: tuple[str, ...], fmt: str) -> None:
    """The language table: documents in date order × categories (counts, or rates with --per)."""
    from summit_reader.core.stats import library_stats

    table = library_stats(state.library, state.analyzer, categories=categories or None)
    if not table.rows and fmt == "table":
        click.echo("The library is empty. Add texts with `summit-reader import FILE…`.", err=True)
        return
    emit(table.header(per), table.records(per), fmt, max_width=40)
    if fmt == "table":
        click.echo(f"\nlexicon: {table.lexicon}", err=True)


@cli.command("matches")
@click.argument("doc_id", type=int)
@click.option("--category", default=None, help="Only this category (e.g. safety, modal, operative).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def matches_cmd(state: Context, doc_id: int, category: str | None, fmt: str) -> None:
    """Every counted word of a document: start,end,text,category,term,rank,negated."""
    doc = state.library.get_document(doc_id)
    analyzer = state.analyzer
    cat = analyzer.lexicon.category(category).name if category else None
    analysis = analyzer.analyse_document(state.library, doc)
    header = ["start", "end", "text", "category", "term", "rank", "negated"]
    rows = [
        [m.start, m.end, m.text, m.category, m.term, m.rank if m.rank is not None else "", m.negated]
        for m in analysis.matches
        if cat is None or m.category == cat
    ]
    if fmt == "csv":
        rows = [[*r[:6], "true" if r[6] else "false"] for r in rows]
    emit(header, rows, fmt)


@cli.command("annotate")
@click.argument("doc_id", type=int)
@click.option("--quote", help="The exact passage to annotate (its first occurrence, or see --occurrence).")
@click.option("--occurrence", type=click.IntRange(min=1), default=1, show_default=True, help="Which occurrence of --quote.")
@click.option("--start", type=int, help="Start offset (instead of --quote).")
@click.option("--end", type=int, help="End offset (instead of --quote).")
@click.option("--note", default="", help="The note.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for several; new tags are created).")
@click.option("--author", default=None, help="Author name (default: the library's user name).")
@pass_state
@friendly_errors
def annotate_cmd(
    state: Context,
    doc_id: int,
    quote: str | None,
    occurrence: int,
    start: int | None,
    end: int | None,
    note: str,
    tags: tuple[str, ...],
    author: str | None,
) -> None:
    """Annotate a passage of a document with a note and tags."""
    from summit_reader.core.annotations import locate_quote

    doc = state.library.get_document(doc_id)
    if quote is not None:
        if start is not None or end is not None:
            raise click.UsageError("give either --quote or --start/--end, not both.")
        start, end = locate_quote(doc.text, quote, occurrence)
    elif start is None or end is None:
        raise click.UsageError("give --quote, or both --start and --end.")
    ann = state.library.add_annotation(doc_id, start, end, note=note, tags=tags, author=author)
    click.echo(f"{ann.id}\t{ann.start}-{ann.end}\t{ann.quote}")


@cli.command("annotations")
@click.argument("doc_id", type=int, required=False)
@click.option("--tag", default=None, help="Only annotations with this tag.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def annotations_cmd(state: Context, doc_id: int | None, tag: str | None, fmt: str) -> None:
    """List annotations (of one document, or all)."""
    if doc_id is not None:
        state.library.get_document(doc_id)
    anns = state.library.list_annotations(document_id=doc_id, tag=tag)
    header = ["id", "document_id", "start", "end", "quote", "note", "tags", "author", "modified"]
    rows = [[a.id, a.document_id, a.start, a.end, a.quote, a.note, "; ".join(a.tags), a.author, a.modified] for a in anns]
    emit(header, rows, fmt, max_width=36)


@cli.command("tags")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def tags_cmd(state: Context, fmt: str) -> None:
    """List the tags with their colours and how many annotations use each."""
    rows = [[t.name, t.colour, state.library.tag_usage(t.name)] for t in state.library.list_tags()]
    emit(["tag", "colour", "annotations"], rows, fmt)


@cli.command("backup")
@pass_state
@friendly_errors
def backup_cmd(state: Context) -> None:
    """Back the library up now (the window does it at start-up, once a day; the last 10 are kept)."""
    from summit_reader.core.backup import backup_library

    library = state.library  # a damaged library is refused here, with what to do instead
    documents, annotations = len(library.list_documents()), library.count_annotations()
    path = backup_library(library, min_interval=None)
    click.echo(
        f"Backed up '{click.format_filename(library.path.name)}' ({documents} document(s), {annotations} annotation(s)) "
        f"to {click.format_filename(str(path))}"
    )


def _created(info: Any, fmt: str = "table") -> str:
    return str(info.created.strftime("%Y-%m-%d %H:%M:%S UTC" if fmt == "table" else "%Y-%m-%dT%H:%M:%SZ"))


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MB"


@cli.command("backups")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def backups_cmd(state: Context, fmt: str) -> None:
    """List the backups of the library, newest first, with their dates and annotation counts."""
    from summit_reader.core.backup import library_backup_folder, list_backups

    backups = list_backups(state.db)  # works on a library that cannot be opened: that is when it is needed
    if not backups and fmt == "table":
        click.echo(
            f"No backups of '{state.db.name}' yet; the window makes one at start-up (once a day), "
            f"`summit-reader backup` makes one now. They go to {library_backup_folder(state.db)}.",
            err=True,
        )
        return
    header = ["file", "created", "documents", "annotations", "size", "problem"]
    rows: list[list[object]] = [
        [b.path.name, _created(b, fmt), b.document_count, b.annotation_count, b.size, b.problem or ""]
        for b in backups
    ]
    if fmt == "table":
        rows = [[b.path.name, _created(b), "" if b.damaged else b.document_count,
                 "damaged" if b.damaged else b.annotation_count, _size(b.size), b.problem or ""] for b in backups]
    emit(header, rows, fmt, max_width=60)
    if fmt == "table":
        click.echo(f"\nfolder: {library_backup_folder(state.db)}", err=True)


@cli.command("restore")
@click.argument("backup", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
@friendly_errors
def restore_cmd(state: Context, backup: Path, yes: bool) -> None:
    """Replace the library with a backup (a file, or a name from `summit-reader backups`); the library
    as it was is kept among the backups first."""
    from summit_reader.core.backup import inspect_backup, library_backup_folder, restore_backup
    from summit_reader.core.errors import StoreError

    if not backup.exists() and backup.name == str(backup):
        candidate = library_backup_folder(state.db) / backup.name
        if candidate.exists():
            backup = candidate
    if not backup.exists():
        raise StoreError(f"There is no backup '{backup}'; `summit-reader backups` lists them.")
    info = inspect_backup(backup)
    if info.problem is None and not yes:
        click.confirm(
            f"Replace '{state.db.name}' with the backup of {_created(info)} ({info.document_count} document(s), "
            f"{info.annotation_count} annotation(s))? The library as it is now is kept as a backup first.",
            abort=True,
        )
    safety = restore_backup(backup, state.db)
    click.echo(f"Restored '{click.format_filename(state.db.name)}' from {click.format_filename(backup.name)}.")
    if safety is not None:
        click.echo(f"The library as it was is kept as {click.format_filename(str(safety))}")


@cli.group("export")
def export_group() -> None:
    """Export annotations or the language table to CSV."""


@export_group.command("annotations")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--document", "document_id", type=int, default=None, help="Only this document's annotations.")
@click.option("--bom", is_flag=True, help="Start the file with a UTF-8 byte order mark (for older Excel).")
@pass_state
@friendly_errors
def export_annotations_cmd(state: Context, out: Path, document_id: int | None, bom: bool) -> None:
    """Write annotations to a CSV file (RFC 4180, UTF-8, formula-safe)."""
    from summit_reader.core.export import write_annotations_csv

    if document_id is not None:
        state.library.get_document(document_id)
    n = write_annotations_csv(
        state.library, out, document_id=document_id, bom=bom, lexicon=state.analyzer.lexicon.label
    )
    click.echo(f"Wrote {n} annotation(s) to {click.format_filename(out)}.")


@export_group.command("stats")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--per", type=click.IntRange(min=1), default=None, help="Rates per this many words instead of counts.")
@click.option("--bom", is_flag=True, help="Start the file with a UTF-8 byte order mark.")
@pass_state
@friendly_errors
def export_stats_cmd(state: Context, out: Path, per: int | None, bom: bool) -> None:
    """Write the language table to a CSV file."""
    from summit_reader.core.export import write_table_csv
    from summit_reader.core.stats import library_stats

    table = library_stats(state.library, state.analyzer)
    n = write_table_csv([*table.header(per), "lexicon"], [[*r, table.lexicon] for r in table.records(per)], out, bom=bom)
    click.echo(f"Wrote {n} row(s) to {click.format_filename(out)}.")


@cli.command("merge")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
@friendly_errors
def merge_cmd(state: Context, source: Path) -> None:
    """Merge a colleague's annotation export (CSV) into the library, in one transaction.

    Documents are found by the SHA-256 of their text (else by title and date); an annotation already here
    keeps the newer of the two versions; new ones are placed where their quote is."""
    from summit_reader.core.merge import merge_annotations_csv

    result = merge_annotations_csv(state.library, source)
    for message in result.messages:
        click.echo(message, err=True)
    click.echo(
        f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.unmatched} not matched to a document."
    )


@cli.group("corpus")
def corpus_group() -> None:
    """The official AI-summit texts: list them, or download them from their publishers."""


@corpus_group.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def corpus_list_cmd(state: Context, fmt: str) -> None:
    """List the official texts and which of them are in the library (no network access)."""
    from summit_reader.core.corpus import corpus_status

    header = ["id", "date", "title", "kind", "publisher", "document", "licence", "url"]
    rows = [
        [e.id, e.date, e.short_title, e.kind, e.publisher, doc.id if doc else "", e.licence, e.url]
        for e, doc in corpus_status(state.library)
    ]
    emit(header, rows, fmt, max_width=40)
    if fmt == "table":
        click.echo("\n`summit-reader corpus fetch` downloads them from their publishers (needs the internet).", err=True)


@corpus_group.command("fetch")
@click.option("--only", "only", multiple=True, metavar="ID", help="Only this text (repeat for several); ids from `corpus list`.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True, help="Seconds to wait for each answer.")
@pass_state
@friendly_errors
def corpus_fetch_cmd(state: Context, only: tuple[str, ...], timeout: float) -> None:
    """Download the official texts from their publishers and import them (changed texts are updated,
    unchanged ones skipped)."""
    from summit_reader.core.corpus import fetch_corpus, load_manifest
    from summit_reader.core.errors import CorpusError

    entries = load_manifest()
    known = [e.id for e in entries]
    unknown = [i for i in only if i not in known]
    if unknown:
        raise CorpusError(f"No corpus text with the id {', '.join(repr(u) for u in unknown)}; the ids are {', '.join(known)}.")
    chosen = [e for e in entries if not only or e.id in only]
    counts: dict[str, int] = {}
    for index, entry in enumerate(chosen, start=1):
        click.echo(f"[{index}/{len(chosen)}] {entry.short_title}: downloading from {entry.publisher}…")
        for result in fetch_corpus(state.library, entries=entries, only=[entry.id], timeout=timeout):
            counts[result.status] = counts.get(result.status, 0) + 1
            if result.ok:
                click.echo(f"[{index}/{len(chosen)}] {result.message}")
            else:
                click.echo(f"Error: {result.message}", err=True)
    order = ("imported", "updated", "unchanged", "failed")
    click.echo(", ".join(f"{counts.get(status, 0)} {status}" for status in order) + ".")
    if counts.get("failed"):
        raise click.exceptions.Exit(1)


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="summit-reader")
