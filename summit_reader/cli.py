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
            from summit_reader.core.lexicon_formats import read_lexicon_in_use

            # --lexicon, else the lexicon chosen in the window or with `lexicon use`, else the default
            self._analyzer = Analyzer(read_lexicon_in_use(self.lexicon_path).lexicon)
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
    help="A lexicon file: quanteda YAML (.yml) or LIWC (.dic) (default: the one chosen with `lexicon use` "
    "or in the window, else the lexicon shipped with Summit Reader).",
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
    """Export annotations or the language table (CSV, W3C Web Annotations), or the library as a REFI-QDA
    project or codebook."""


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


@export_group.command("webannotations")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--document", "document_id", type=int, default=None, help="Only this document's annotations.")
@pass_state
@friendly_errors
def export_webannotations_cmd(state: Context, out: Path, document_id: int | None) -> None:
    """Write annotations as W3C Web Annotations (a JSON-LD array, UTF-8) with quote and position selectors
    (positions in Unicode characters); `summit-reader merge` reads them back."""
    from summit_reader.core.webanno import export_web_annotations

    n = export_web_annotations(state.library, out, document_id, lexicon_label=state.analyzer.lexicon.label)
    click.echo(f"Wrote {n} annotation(s) to {click.format_filename(out)}.")


# ------------------------------------------------------------------- REFI-QDA (core/qda.py)


@export_group.command("qdpx")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", "project_name", default=None, help="The project's name (default: OUT's file name).")
@pass_state
@friendly_errors
def export_qdpx_cmd(state: Context, out: Path, project_name: str | None) -> None:
    """Write the library as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder…: the
    documents, the tags as codes and the annotations as coded segments with their notes (positions in
    Unicode characters); the lexicon's name, version and hash go into the project's description."""
    from summit_reader.core.qda import export_qdpx

    result = export_qdpx(state.library, out, lexicon_label=state.analyzer.lexicon.label, project_name=project_name)
    click.echo(
        f"Wrote {result.documents} document(s), {result.codes} code(s) and {result.segments} coded segment(s) "
        f"to {click.format_filename(out)}."
    )
    if result.left_out:
        click.echo(
            f"{result.left_out} annotation(s) that need review were left out (their passage is not known).", err=True
        )


@export_group.command("qdc")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
@friendly_errors
def export_qdc_cmd(state: Context, out: Path) -> None:
    """Write the tags as a REFI-QDA codebook (.qdc): nested codes with their colours."""
    from summit_reader.core.qda import export_qdc

    result = export_qdc(state.library, out, lexicon_label=state.analyzer.lexicon.label)
    click.echo(f"Wrote {result.codes} code(s) to {click.format_filename(out)}.")


@cli.command("import-qdpx")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
@friendly_errors
def import_qdpx_cmd(state: Context, file: Path) -> None:
    """Import a REFI-QDA project (.qdpx) from Summit Reader, NVivo, ATLAS.ti, MAXQDA, QualCoder…, in one
    transaction: its text sources become documents (a text already in the library is matched, not added
    again), its codes tags and its coded text segments annotations. Sources that are not plain text are
    left out with a message; a file that cannot be read changes nothing."""
    from summit_reader.core.qda import import_qdpx

    result = import_qdpx(state.library, file)
    for message in result.messages:
        click.echo(message, err=True)
    click.echo(result.summary())


@cli.command("merge")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
@friendly_errors
def merge_cmd(state: Context, source: Path) -> None:
    """Merge a colleague's annotation export (CSV), or W3C Web Annotations (JSON-LD, from Summit Reader or
    another tool), into the library, in one transaction.

    SOURCE is read as Web Annotations when it ends in .json or .jsonld or begins with { or [, as CSV
    otherwise. Documents are found by the SHA-256 of their text (else by their address, or by title and
    date); an annotation already here keeps the newer of the two versions; new ones are placed where their
    quote is."""
    from summit_reader.core.merge import merge_annotations_csv
    from summit_reader.core.webanno import import_web_annotations, is_web_annotation_file

    if is_web_annotation_file(source):
        result = import_web_annotations(state.library, source)
    else:
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


# ------------------------------------------------------------------------------- keyword in context


@cli.command("kwic")
@click.argument("query")
@click.option("--category", "is_category", is_flag=True, help="QUERY is a category of the lexicon (its counted matches).")
@click.option("--width", type=click.IntRange(min=0, max=1000), default=40, show_default=True, help="Characters of context on each side.")
@click.option("--sort", type=click.Choice(["document", "left", "right"], case_sensitive=False), default="document",
              show_default=True, help="document: date, then position; left/right: the words before (nearest first) or after.")
@click.option("--document", "document_ids", type=int, multiple=True, metavar="ID", help="Only this document (repeat for several).")
@click.option("--format", "fmt", type=FORMATS, default=None, help="table (default), csv or json.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the lines to this CSV file.")
@click.option("--bom", is_flag=True, help="With --out: start the file with a UTF-8 byte order mark.")
@pass_state
@friendly_errors
def kwic_cmd(
    state: Context, query: str, is_category: bool, width: int, sort: str, document_ids: tuple[int, ...],
    fmt: str | None, out: Path | None, bom: bool,
) -> None:
    """Keyword in context: every occurrence of a word, glob (secur*), phrase or --category across the
    library, with the words before and after it (the same matches the language table counts)."""
    from summit_reader.core.concordance import (
        CONCORDANCE_COLUMNS,
        concordance,
        concordance_rows,
        normalise_term,
        write_concordance_csv,
    )

    if out is not None and fmt not in (None, "csv"):
        raise click.UsageError("--out writes CSV; leave out --format, or print with --format without --out.")
    analyzer = state.analyzer
    label = analyzer.lexicon.category(query).name if is_category else normalise_term(query)
    lines = concordance(state.library, analyzer, query, category=is_category, width=width,
                        document_ids=document_ids or None, sort=sort.lower())
    lexicon = analyzer.lexicon.label
    if out is not None:
        n = write_concordance_csv(lines, out, query=label, category=is_category, lexicon=lexicon, bom=bom)
        click.echo(f"Wrote {n} line(s) to {click.format_filename(out)}.")
        return
    fmt = (fmt or "table").lower()
    if fmt != "table":
        emit(CONCORDANCE_COLUMNS, concordance_rows(lines, query=label, category=is_category, lexicon=lexicon), fmt)
        return
    what = f"the category “{label}”" if is_category else f"“{label}”"
    if not lines:
        click.echo(f"No occurrence of {what} in the library.", err=True)
        return
    ids = [str(line.document_id) for line in lines]
    dates = [line.date or "" for line in lines]
    w_id, w_date = max(2, *map(len, ids)), max(4, *map(len, dates))
    w_left, w_key = max(4, *(len(line.left) for line in lines)), max(7, *(len(line.keyword) for line in lines))
    click.echo(f"{'id':>{w_id}}  {'date':<{w_date}}  {'left':>{w_left}}  {'keyword':<{w_key}}  right")
    for doc_id, date, line in zip(ids, dates, lines, strict=True):
        click.echo(f"{doc_id:>{w_id}}  {date:<{w_date}}  {line.left:>{w_left}}  {line.keyword:<{w_key}}  {line.right}".rstrip())
    documents = len({line.document_id for line in lines})
    counted_by = f"; lexicon: {lexicon}" if is_category else ""
    click.echo(f"\n{len(lines)} occurrence(s) of {what} in {documents} document(s){counted_by}", err=True)


# ----------------------------------------------------------------------------------------- lexicons


@cli.group("lexicon")
def lexicon_group() -> None:
    """Lexicons: show one, convert between quanteda YAML and LIWC .dic, choose the one to count with."""


def _notes(messages: Iterable[str]) -> None:
    for message in messages:
        click.echo(f"Note: {message}", err=True)


def _describe_source(loaded: Any) -> str:
    if loaded.is_default:
        return "the default lexicon shipped with Summit Reader"
    kind = "LIWC .dic" if loaded.format == "dic" else "quanteda YAML"
    return f"{click.format_filename(str(loaded.path))} ({kind})"


@lexicon_group.command("show")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def lexicon_show_cmd(state: Context, path: Path | None, fmt: str) -> None:
    """A lexicon's label, categories, entry counts and scale levels (default: the lexicon in use)."""
    from summit_reader.core.lexicon_formats import read_lexicon, read_lexicon_in_use

    loaded = read_lexicon(path) if path is not None else read_lexicon_in_use(state.lexicon_path)
    lexicon = loaded.lexicon
    _notes(loaded.warnings)
    if fmt == "table":
        click.echo(f"lexicon: {lexicon.label}")
        click.echo(f"   file: {_describe_source(loaded)}\n")
    else:
        click.echo(f"lexicon: {lexicon.label}", err=True)
    rows = [[c.name, len(c.entries), "; ".join(f"{rank} {level}" for rank, level in c.levels)] for c in lexicon.categories]
    emit(["category", "entries", "levels"], rows, fmt, max_width=60)


@lexicon_group.command("convert")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="The name of the written lexicon (default: the source's).")
@click.option("--version", "version", default=None, help="Its version (default: the source's).")
@pass_state
@friendly_errors
def lexicon_convert_cmd(state: Context, source: Path, out: Path, name: str | None, version: str | None) -> None:
    """Convert a lexicon between quanteda YAML (.yml, .yaml) and LIWC (.dic), by the files' extensions.

    A .dic file cannot hold the name, version or scale levels: you are told what is left out."""
    from dataclasses import replace

    from summit_reader.core.errors import LexiconError
    from summit_reader.core.lexicon_formats import clean_label, read_lexicon, save_lexicon

    loaded = read_lexicon(source)
    _notes(loaded.warnings)
    try:
        same = out.exists() and out.resolve() == source.resolve()
    except OSError:
        same = False
    if same:
        raise LexiconError(f"'{out.name}' is the file being converted; choose another name for the result.")
    lexicon = loaded.lexicon
    if name is not None or version is not None:
        lexicon = replace(
            lexicon,
            name=clean_label(name or "") or lexicon.name,
            version=clean_label(version or "") or lexicon.version,
        )
    _notes(save_lexicon(lexicon, out))
    written = read_lexicon(out).lexicon  # what a reader of the file gets (and a check it reads back)
    entries = sum(len(c.entries) for c in written.categories)
    click.echo(
        f"Wrote {click.format_filename(str(out))}: {len(written.categories)} categories, {entries} entries; "
        f"lexicon: {written.label}"
    )


@lexicon_group.command("use")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
@friendly_errors
def lexicon_use_cmd(state: Context, path: Path) -> None:
    """Count with this lexicon (YAML or .dic) from now on, here and in the window, until `lexicon reset`.

    The file is not copied: edit it and the next command counts with the new version."""
    from summit_reader.core.lexicon_formats import read_lexicon

    loaded = read_lexicon(path)  # a file that cannot be used changes nothing
    _notes(loaded.warnings)
    _save_lexicon_choice(str(path.resolve()))
    click.echo(f"Counting with {loaded.lexicon.label} from now on: {_describe_source(loaded)}.")


@lexicon_group.command("reset")
@pass_state
@friendly_errors
def lexicon_reset_cmd(state: Context) -> None:
    """Count with the default lexicon shipped with Summit Reader again (here and in the window)."""
    from summit_reader.core.lexicon import load_lexicon

    _save_lexicon_choice("")
    click.echo(f"Counting with the default lexicon, {load_lexicon().label}, from now on.")


def _save_lexicon_choice(path: str) -> None:
    """Remember the lexicon in the settings the window reads (which it reads when it starts)."""
    from summit_reader.core.settings import Settings

    settings = Settings.load()
    if settings.problem:
        _notes([settings.problem])
    settings.lexicon_path = path
    try:
        settings.save()
    except OSError as exc:
        raise click.ClickException(f"the settings file '{settings.path}' cannot be written: {exc.strerror or exc}.") from None


# ------------------------------------------------------------------- a second coder and agreement


@cli.group("coder")
def coder_group() -> None:
    """A colleague's coding kept beside yours as a second coder: import, list, remove. Your own annotations,
    tags and exports do not change; `summit-reader agreement` and `summit-reader disagreements` compare."""


@coder_group.command("import")
@click.argument("source", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="The second coder's name (importing the same name again replaces their coding).")
@click.option("--yes", is_flag=True, help="Replace a second coder of that name without asking.")
@pass_state
@friendly_errors
def coder_import_cmd(state: Context, source: Path, name: str, yes: bool) -> None:
    """Import a colleague's coding from their library file (.sqlite3, read without being changed) or their
    annotation export (CSV). Documents are matched by the SHA-256 of their text, else by title and date."""
    from summit_reader.core.coders import import_coder

    existing = state.library.find_coder(name)
    if existing is not None and not yes:
        click.confirm(
            f"There is already a second coder called '{existing.name}' ({existing.annotation_count} annotation(s) "
            f"from {existing.source}). Replace their coding?",
            abort=True,
        )
    result = import_coder(state.library, source, name)
    for message in result.messages:
        click.echo(message, err=True)
    c = result.coder
    verb = "Replaced the coding of" if result.replaced else "Imported"
    click.echo(
        f"{verb} '{c.name}': {c.annotation_count} annotation(s) over {c.document_count} document(s)"
        + (f", {c.unplaced_count} not placed (left out of the comparison)" if c.unplaced_count else "")
        + "."
    )


@coder_group.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def coder_list_cmd(state: Context, fmt: str) -> None:
    """List the second coders with what their coding covers."""
    header = ["name", "source", "imported", "documents", "annotations", "not_placed"]
    rows = [
        [c.name, c.source, c.imported_at, c.document_count, c.annotation_count, c.unplaced_count]
        for c in state.library.list_coders()
    ]
    emit(header, rows, fmt)


@coder_group.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
@friendly_errors
def coder_remove_cmd(state: Context, name: str, yes: bool) -> None:
    """Remove a second coder, their annotations and the resolutions recorded against them (your own
    annotations stay, including those you took from them)."""
    coder = state.library.get_coder(name)
    if not yes:
        click.confirm(f"Remove the second coder '{coder.name}' and their {coder.annotation_count} annotation(s)?", abort=True)
    state.library.delete_coder(coder.name)
    click.echo(f"Removed the second coder '{coder.name}'.")


UNIT_CHOICE = click.Choice(["sentence", "character"], case_sensitive=False)


def _figure(value: float | None, fmt: str) -> object:
    if fmt == "table":
        return "—" if value is None else f"{value:.3f}"
    return None if value is None else round(value, 6)


@cli.command("agreement")
@click.option("--coder", default=None, help="The second coder (default: the only one).")
@click.option("--unit", type=UNIT_CHOICE, default="sentence", show_default=True,
              help="sentence: a sentence is coded with a tag if an annotation with it touches it; character: every non-space character.")
@click.option("--by", "by", type=click.Choice(["tag", "document", "both"], case_sensitive=False), default="tag",
              show_default=True, help="One row per tag, per document, or per tag and document.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def agreement_cmd(state: Context, coder: str | None, unit: str, by: str, fmt: str) -> None:
    """Agreement between you and a second coder: Cohen's kappa, Krippendorff's alpha (nominal), observed
    agreement, units, and the units each coded, per tag or document (rows "all" pool the counts).
    Undefined figures (a tag neither coder used) are shown as — with the reason."""
    from summit_reader.core.coders import AGREEMENT_COLUMNS, agreement_table, compare_with_coder

    result = compare_with_coder(state.library, coder, unit=unit.lower())
    comparison = result.comparison
    fmt = fmt.lower()
    figures = {AGREEMENT_COLUMNS.index(c) for c in ("observed", "kappa", "alpha")}
    rows = [
        [_figure(v, fmt) if i in figures else v for i, v in enumerate(r)]  # type: ignore[arg-type]
        for r in agreement_table(result, by.lower())
    ]
    header = list(AGREEMENT_COLUMNS)
    if fmt == "table":  # the coder and the unit are said below the table
        header, rows = header[:-2], [r[:-2] for r in rows]
    emit(header, rows, fmt, max_width=40)
    if fmt == "table":
        click.echo(
            f"\nYou and '{result.coder.name}', {len(comparison.document_ids)} document(s); unit: {comparison.unit} "
            f"({'the sentences of the texts' if comparison.unit == 'sentence' else 'non-space characters'}). "
            "`summit-reader disagreements` lists where you differ.",
            err=True,
        )


def _versions(annotations: Iterable[Any]) -> str:
    parts = []
    for a in annotations:
        text = f"“{a.quote}” [{'; '.join(a.tags)}]"
        if a.note:
            text += f" {a.note}"
        parts.append(text + (f" — {a.author}" if a.author else ""))
    return " | ".join(parts)


@cli.command("disagreements")
@click.option("--coder", default=None, help="The second coder (default: the only one).")
@click.option("--tag", default=None, help="Only this tag.")
@click.option("--unit", type=UNIT_CHOICE, default="sentence", show_default=True, help="The units compared (as for `agreement`).")
@click.option("--all", "include_resolved", is_flag=True, help="Also list the disagreements you resolved by keeping yours.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
@friendly_errors
def disagreements_cmd(state: Context, coder: str | None, tag: str | None, unit: str, include_resolved: bool, fmt: str) -> None:
    """List the passages where you and a second coder differ on a tag, your version beside theirs, with
    the id that `summit-reader resolve` takes."""
    from summit_reader.core.coders import compare_with_coder, disagreement_details

    result = compare_with_coder(state.library, coder, unit=unit.lower())
    details = disagreement_details(state.library, result, tag=tag, include_resolved=include_resolved)
    header = ["id", "document", "tag", "coded_by", "units", "passage", "mine", "theirs", "resolved"]
    rows = [
        [d.key, d.document_title, d.disagreement.tag, "only me" if d.disagreement.coded_by == "mine" else "only them",
         d.disagreement.unit_count, d.passage, _versions(d.mine), _versions(d.theirs),
         d.resolution.action if d.resolution else ""]
        for d in details
    ]
    emit(header, rows, fmt, max_width=36)
    if fmt.lower() == "table":
        click.echo(
            f"\n{len(rows)} disagreement(s) with '{result.coder.name}' ({result.unit} units). Resolve one with "
            "`summit-reader resolve ID take|keep|remove`.",
            err=True,
        )


@cli.command("resolve")
@click.argument("disagreement_id", metavar="ID")
@click.argument("action", type=click.Choice(["take", "keep", "remove"], case_sensitive=False))
@click.option("--coder", default=None, help="The second coder, if the id is a disagreement with several.")
@pass_state
@friendly_errors
def resolve_cmd(state: Context, disagreement_id: str, action: str, coder: str | None) -> None:
    """Resolve a disagreement listed by `summit-reader disagreements`: take (copy their annotation into
    yours), keep (keep yours; it is marked resolved) or remove (take the tag off your annotation, deleting
    it if that was its only tag). The resolution is recorded."""
    from summit_reader.core.coders import describe_outcome, find_disagreement, resolve

    detail = find_disagreement(state.library, disagreement_id, coder)
    if detail.resolution is not None and action.lower() == "keep":
        click.echo(f"Already resolved ({detail.resolution.action}, {detail.resolution.resolved_at}).")
        return
    outcome = resolve(state.library, detail, action.lower())
    click.echo(describe_outcome(outcome, detail.coder.name))


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="summit-reader")
