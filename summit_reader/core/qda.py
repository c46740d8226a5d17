"""Exchange with qualitative-analysis programs (NVivo, ATLAS.ti, MAXQDA, QualCoder…) through the REFI-QDA
standard: a project (``.qdpx``) and a codebook (``.qdc``).

What maps to what:

* a document is a ``TextSource`` whose text is ``sources/<guid>.txt`` in the zip (UTF-8, the library's
  normalised text); its date, place, kind and source address are the variables ``Date``, ``Place``,
  ``Kind`` and ``Source URL``;
* a tag is a ``Code`` (its colour the ``color`` attribute; a sub-tag a ``Code`` nested in its parent's);
* an annotation is a ``PlainTextSelection`` with one ``Coding`` per tag; its note is the selection's
  ``Description``; its author a ``User``; its quote the selection's ``name``.

**Positions.** ``startPosition`` is the position of the selection's first character and ``endPosition``
that of the character after its last, counting from 0 in the plain text: the standard counts characters,
which Summit Reader writes and reads as Unicode code points (an emoji is one character). Programs that
count UTF-16 code units (an emoji is two) are recognised on import when a source has characters beyond
U+FFFF: the selection's ``name`` (the quoted text most programs write) tells which count fits.

**Stable identifiers.** An annotation keeps its UUID as the selection's guid; documents, tags, users and
variables get name-based UUIDs (:func:`document_guid`, :func:`tag_guid`…), so exporting twice gives the
same identifiers and importing a project twice adds nothing the second time.

**Importing** (:func:`import_qdpx`) reads the whole file first (:mod:`summit_reader.core.qda_read`), then
writes everything in one transaction. A document whose normalised text is already in the library is
matched, not added again. When normalising changes a source's text (CRLF line ends, decomposed accents,
trailing blanks…), selection offsets are carried through the normalisation
(:func:`~summit_reader.core.textmap.normalise_with_offsets`), so every passage lands on the same words.
A selection outside its text, a broken zip, a missing ``project.qde`` or malformed XML refuses the whole
file (:class:`~summit_reader.core.qda_read.QdaFormatError`) and the library stays as it was.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from summit_reader import __version__
from summit_reader.core.anchoring import clamp_span, reanchor_all
from summit_reader.core.documents import Document, new_document, normalise_text, text_hash, validate_date
from summit_reader.core.errors import ExportError, InvalidInputError
from summit_reader.core.export import write_file_atomically
from summit_reader.core.models import Annotation, Tag
from summit_reader.core.qda_read import (
    CODEBOOK_NS,
    PROJECT_NS,
    QdaCode,
    QdaFormatError,
    QdaProject,
    QdaSelection,
    QdaSource,
    is_guid,
    normal_guid,
    read_qdpx,
)
from summit_reader.core.store import PREFIX_CHARS, Library, utc_now
from summit_reader.core.textmap import OffsetMapping, Utf16Index, has_astral, normalise_with_offsets

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "QdaExportResult",
    "QdaFormatError",
    "QdaImportResult",
    "document_guid",
    "export_qdc",
    "export_qdpx",
    "import_qdpx",
    "tag_guid",
]

#: The namespace of Summit Reader's name-based (UUID 5) identifiers in REFI-QDA files.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "summit-reader:refi-qda")

#: Document details written as REFI-QDA variables: (variable name, type, Document attribute).
VARIABLES: tuple[tuple[str, str, str], ...] = (
    ("Date", "Date", "date"),
    ("Place", "Text", "place"),
    ("Kind", "Text", "kind"),
    ("Source URL", "Text", "source_url"),
)

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
_DOCUMENT_SUFFIX = re.compile(r"\.(?:txt|text|md|docx?|odt|rtf|pdf|html?)$", re.I)


# ------------------------------------------------------------------------------------------ identifiers


def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def document_guid(text_sha256: str, occurrence: int = 0) -> str:
    """The guid of a document: from its text (so another library with the same text gives the same guid);
    ``occurrence`` tells apart copies of one text kept as separate documents."""
    return _guid("document", text_sha256 if occurrence == 0 else f"{text_sha256}:{occurrence}")


def tag_guid(name: str) -> str:
    """The guid of a tag, from its name ignoring case (tag names are unique ignoring case)."""
    return _guid("tag", name.casefold())


def _user_guid(author: str) -> str:
    return _guid("user", author)


def _annotation_guid(annotation_id: str) -> str:
    return normal_guid(annotation_id) if is_guid(annotation_id) else _guid("annotation", annotation_id)


# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class QdaExportResult:
    path: Path
    documents: int
    codes: int
    segments: int
    #: Annotations not exported because they need review (their passage is not known).
    left_out: int = 0


@dataclass(frozen=True)
class QdaImportResult:
    documents_added: int
    documents_matched: int
    codes_added: int
    codes_matched: int
    segments_added: int
    #: Segments whose guid is already an annotation of the library (the project was imported before).
    segments_present: int
    #: Segments added with status ``needs_review`` (their passage could not be placed exactly).
    segments_review: int
    #: One line for each thing the user should know: sources left out, renamed codes, converted positions.
    messages: tuple[str, ...] = ()
    #: Documents of the project (added or matched), in the project's order.
    document_ids: tuple[int, ...] = ()

    def summary(self) -> str:
        """One line for the status bar or the terminal."""

        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        documents = n(self.documents_added, "document") + " added"
        if self.documents_matched:
            documents += f", {self.documents_matched} already in the library"
        annotations = n(self.segments_added, "annotation") + " added"
        if self.segments_present:
            annotations += f", {self.segments_present} already there"
        if self.segments_review:
            annotations += f" ({self.segments_review} to review)"
        parts = [documents, annotations]
        if self.codes_added:
            parts.append(n(self.codes_added, "new tag"))
        return "; ".join(parts) + "."


# ------------------------------------------------------------------------------------------ writing


def _xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (control characters other than tab and line
    breaks); everything else is escaped by the serialiser."""
    return _XML_INVALID.sub("", value)


def _root(element: str, ns: str, **attributes: str) -> ET.Element:
    """The root element, declaring ``ns`` as the default namespace: every element below is in it (written
    without prefixes, as other programs expect; attributes stay unqualified)."""
    return ET.Element(element, {"xmlns": ns, **{k: _xml_text(v) for k, v in attributes.items()}})


def _sub(parent: ET.Element, element: str, /, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, element, {k: _xml_text(v) for k, v in attributes.items()})


def _datetime_or_none(value: str | None) -> str | None:
    return value if value and _DATETIME.fullmatch(value) else None


def _tag_tree(tags: Sequence[Tag]) -> tuple[list[Tag], dict[int, list[Tag]]]:
    """Top-level tags and the children of each tag, both by name (a parent that is not in ``tags``, or a
    cycle, makes a tag top-level)."""
    by_id = {t.id: t for t in tags}
    children: dict[int, list[Tag]] = {}
    roots: list[Tag] = []
    for tag in tags:
        parent = tag.parent_id
        seen = {tag.id}
        ancestor = parent
        while ancestor is not None and ancestor in by_id and ancestor not in seen:
            seen.add(ancestor)
            ancestor = by_id[ancestor].parent_id
        if parent is None or parent not in by_id or ancestor in seen:
            roots.append(tag)
        else:
            children.setdefault(parent, []).append(tag)
    return roots, children


def _codes(parent: ET.Element, tags: Sequence[Tag]) -> int:
    """Write the tags as nested ``Code`` elements under a new ``Codes`` element; return how many."""
    roots, children = _tag_tree(tags)
    codes = _sub(parent, "Codes")
    count = 0

    def write(into: ET.Element, tag: Tag) -> None:
        nonlocal count
        count += 1
        code = _sub(into, "Code", guid=tag_guid(tag.name), name=tag.name, isCodable="true", color=tag.colour)
        for child in children.get(tag.id, []):
            write(code, child)

    for tag in roots:
        write(codes, tag)
    return count


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def export_qdc(library: Library, path: str | Path, *, lexicon_label: str = "") -> QdaExportResult:
    """Write the library's tags as a REFI-QDA codebook (``.qdc``): nested codes with their colours. The
    codebook schema has no element for a description, so where it came from (program, time, library and
    ``lexicon_label``: the lexicon's name, version and hash) is an XML comment at the top of the codebook,
    which every XML reader skips and the schema allows."""
    destination = Path(path)
    tags = library.list_tags()
    if not tags:
        raise ExportError("The library has no tags, so there is no codebook to export.")
    root = _root("CodeBook", CODEBOOK_NS, origin=f"Summit Reader {__version__}")
    provenance = (
        f" Exported by Summit Reader {__version__} on {utc_now()} from the library '{library.path.name}'. "
        + (f"Lexicon: {lexicon_label}. " if lexicon_label else "")
        + "Codes are Summit Reader's tags. "
    )
    root.append(ET.Comment(_xml_text(provenance).replace("--", "- -")))  # "--" may not be in a comment
    count = _codes(root, tags)
    data = _serialise(root)
    write_file_atomically(destination, None, lambda handle: handle.write(data))
    return QdaExportResult(destination, 0, count, 0)


def export_qdpx(
    library: Library, path: str | Path, *, lexicon_label: str = "", project_name: str | None = None
) -> QdaExportResult:
    """Write the library as a REFI-QDA project (``.qdpx``): every document with its text, the tags as codes,
    the annotations as coded segments with their notes. ``lexicon_label`` (the lexicon's name, version and
    hash) is written into the project's description, so the provenance travels with the file. Annotations
    that need review are left out (their passage is not known) and counted."""
    destination = Path(path)
    summaries = library.list_documents()
    if not summaries:
        raise ExportError("The library has no documents, so there is no project to export.")
    tags = library.list_tags()
    tag_by_name = {t.name.casefold(): t for t in tags}
    annotations = library.list_annotations()
    by_document: dict[int, list[Annotation]] = {}
    left_out = 0
    for annotation in annotations:
        if annotation.status != "ok":
            left_out += 1
            continue
        by_document.setdefault(annotation.document_id, []).append(annotation)
    exported = [a for group in by_document.values() for a in group]
    authors = sorted({a.author for a in exported if a.author.strip()})

    now = utc_now()
    root = _root(
        "Project",
        PROJECT_NS,
        name=project_name or destination.stem or "Summit Reader project",
        origin=f"Summit Reader {__version__}",
        creationDateTime=now,
    )
    if authors:
        users = _sub(root, "Users")
        for author in authors:
            _sub(users, "User", guid=_user_guid(author), name=author)
    code_count = 0
    if tags:
        code_count = _codes(_sub(root, "CodeBook"), tags)
    documents = [library.get_document(s.id) for s in summaries]
    used_variables = [v for v in VARIABLES if any(_detail(d, v[2]) for d in documents)]
    if used_variables:
        variables = _sub(root, "Variables")
        for name, kind, _attribute in used_variables:
            _sub(variables, "Variable", guid=_guid("variable", name), name=name, typeOfVariable=kind)
    sources = _sub(root, "Sources")
    members: list[tuple[str, bytes]] = []
    occurrences: dict[str, int] = {}
    for doc in documents:
        occurrence = occurrences.get(doc.text_hash, 0)
        occurrences[doc.text_hash] = occurrence + 1
        guid = document_guid(doc.text_hash, occurrence)
        source = _sub(sources, "TextSource", guid=guid, name=doc.title, plainTextPath=f"internal://{guid}.txt")
        created = _datetime_or_none(doc.imported_at)
        if created:
            source.set("creationDateTime", created)
        members.append((f"sources/{guid}.txt", doc.text.encode("utf-8")))
        for annotation in by_document.get(doc.id or -1, []):
            _selection(source, annotation, tag_by_name)
        for name, _kind, attribute in used_variables:
            value = _detail(doc, attribute)
            if value:
                variable_value = _sub(source, "VariableValue")
                _sub(variable_value, "VariableRef", targetGUID=_guid("variable", name))
                _sub(variable_value, "DateValue" if name == "Date" else "TextValue").text = _xml_text(str(value))
    description = (
        f"Exported by Summit Reader {__version__} on {now} from the library '{library.path.name}'. "
        + (f"Lexicon: {lexicon_label}. " if lexicon_label else "")
        + "Codes are Summit Reader's tags and coded segments its annotations (a segment's description is the "
        "annotation's note). Positions count Unicode characters (code points) of the UTF-8 texts in sources/. "
        "The lexicon's word highlights are not exported as codes."
    )
    _sub(root, "Description").text = _xml_text(description)
    members.insert(0, ("project.qde", _serialise(root)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    write_file_atomically(destination, None, lambda handle: handle.write(buffer.getvalue()))
    return QdaExportResult(destination, len(documents), code_count, len(exported), left_out)


def _detail(doc: Document, attribute: str) -> str:
    """A document detail as a variable's value ("" for none; the default kind "other" is none either)."""
    value = str(getattr(doc, attribute) or "")
    return "" if attribute == "kind" and value == "other" else value


def _selection(source: ET.Element, annotation: Annotation, tag_by_name: dict[str, Tag]) -> None:
    a = annotation
    attributes = {
        "guid": _annotation_guid(a.id),
        "name": a.quote,
        "startPosition": str(a.start),
        "endPosition": str(a.end),
    }
    user = _user_guid(a.author) if a.author.strip() else None
    created, modified = _datetime_or_none(a.created), _datetime_or_none(a.modified)
    if user:
        attributes["creatingUser"] = user
    if created:
        attributes["creationDateTime"] = created
    if user and modified:
        attributes["modifyingUser"] = user
    if modified:
        attributes["modifiedDateTime"] = modified
    selection = _sub(source, "PlainTextSelection", **attributes)
    if a.note.strip():
        _sub(selection, "Description").text = _xml_text(a.note)
    for name in a.tags:
        tag = tag_by_name.get(name.casefold())
        if tag is None:
            continue
        coding_attributes = {"guid": _guid("coding", f"{a.id}:{tag.name.casefold()}")}
        if user:
            coding_attributes["creatingUser"] = user
        if created:
            coding_attributes["creationDateTime"] = created
        coding = _sub(selection, "Coding", **coding_attributes)
        _sub(coding, "CodeRef", targetGUID=tag_guid(tag.name))


# ------------------------------------------------------------------------------------------ importing


def _timestamp(value: str | None) -> str | None:
    """An xsd:dateTime as the library writes times (UTC, seconds); None if absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _matches_name(span: str, name: str) -> bool:
    """Whether a selection's ``name`` is its text: the same words, or (cut short by the program that wrote
    it, perhaps with an ellipsis) the start of them."""
    a, b = " ".join(span.split()), " ".join(name.split())
    if not b:
        return False
    if a == b:
        return True
    cut = b.rstrip(".…").rstrip()
    return len(cut) >= 12 and a.startswith(cut)


def _counts_utf16(raw: str, selections: Sequence[QdaSelection], index: Utf16Index) -> bool:
    """Whether a source's positions count UTF-16 code units rather than code points (see the module doc)."""
    code_points = units = 0
    for s in selections:
        in_points = 0 <= s.start < s.end <= len(raw)
        in_units = 0 <= s.start < s.end <= index.length
        if in_units and not in_points:
            units += 1
            continue
        if not (in_points and s.name):
            continue
        by_points = _matches_name(raw[s.start : s.end], s.name)
        by_units = _matches_name(raw[index.to_code_points(s.start) : index.to_code_points(s.end, end=True)], s.name)
        if by_points and not by_units:
            code_points += 1
        elif by_units and not by_points:
            units += 1
    return units > code_points


def _title(source: QdaSource) -> str:
    return _DOCUMENT_SUFFIX.sub("", source.name).strip() or source.name or "Untitled source"


def _variable(source: QdaSource, name: str) -> str:
    for key, value in source.variables.items():
        if key.casefold() == name.casefold():
            return value
    return ""


class _Import:
    """One import: plans and writes inside the caller's transaction, collecting messages."""

    def __init__(self, library: Library, project: QdaProject, path: Path) -> None:
        self.library = library
        self.project = project
        self.path = path
        self.messages: list[str] = []
        self.tag_names: dict[str, str] = {}  # code guid → tag name in the library
        self.codes_added = self.codes_matched = 0
        self.documents_added = self.documents_matched = 0
        self.document_ids: list[int] = []
        self.new_annotations: list[Annotation] = []
        self.present = 0
        self.review = 0

    def run(self) -> QdaImportResult:
        self._import_codes()
        seen: set[str] = set()
        unknown_codes = 0
        for source in self.project.sources:
            if source.text is None:
                self.messages.append(f"“{source.name}” was not imported: {source.skip_reason}.")
                continue
            unknown_codes += self._import_source(source, seen)
            if source.whole_codings:
                self.messages.append(
                    f"{source.whole_codings} code(s) applied to the whole of “{source.name}” were not imported "
                    "(Summit Reader codes passages)."
                )
        if unknown_codes:
            self.messages.append(f"{unknown_codes} coding(s) refer to codes that are not in the code book; left out.")
        existing = self.library.annotation_modified_times([a.id for a in self.new_annotations])
        fresh = [a for a in self.new_annotations if a.id not in existing]
        self.present = len(self.new_annotations) - len(fresh)
        self.library.insert_annotations(fresh)
        if self.review:
            self.messages.append(f"{self.review} segment(s) could not be placed exactly and need review.")
        return QdaImportResult(
            documents_added=self.documents_added,
            documents_matched=self.documents_matched,
            codes_added=self.codes_added,
            codes_matched=self.codes_matched,
            segments_added=len(fresh),
            segments_present=self.present,
            segments_review=sum(1 for a in fresh if a.status == "needs_review"),
            messages=tuple(self.messages),
            document_ids=tuple(dict.fromkeys(self.document_ids)),
        )

    # -- codes → tags

    def _unique_names(self, codes: Sequence[QdaCode]) -> dict[str, str]:
        """A tag name for each code: its own, unless another code of the file has it (names of tags are
        unique ignoring case), then with its parent's name added."""
        names: dict[str, str] = {}
        used: set[str] = set()
        for code in codes:
            base = code.name or "Unnamed code"
            name = base
            if name.casefold() in used:
                parent = names.get(code.parent or "")
                name = f"{base} ({parent})" if parent else f"{base} 2"
                counter = 2
                while name.casefold() in used:
                    counter += 1
                    name = f"{base} ({parent}) {counter}" if parent else f"{base} {counter}"
                self.messages.append(f"Two codes are called “{base}”: one was imported as the tag “{name}”.")
            used.add(name.casefold())
            names[code.guid] = name
        return names

    def _import_codes(self) -> None:
        codes = self.project.codes
        names = self._unique_names(codes)
        existing = {t.name.casefold(): t for t in self.library.list_tags()}
        ids: dict[str, int] = {}
        for code in codes:
            name = names[code.guid]
            tag = existing.get(name.casefold())
            if tag is not None:
                self.codes_matched += 1  # the library's tag keeps its colour and place
            else:
                tag = self.library.ensure_tag(name, code.colour)
                self.codes_added += 1
                parent_id = ids.get(code.parent or "")
                if parent_id is not None:
                    self.library.set_tag_parent(tag.id, parent_id)
                existing[name.casefold()] = tag
            ids[code.guid] = tag.id
            self.tag_names[code.guid] = tag.name

    # -- sources → documents, selections → annotations

    def _document_id(self, source: QdaSource, text: str) -> int:
        found = self.library.find_document_by_hash(text_hash(text))
        if found is not None and found.id is not None:
            self.documents_matched += 1
            return found.id
        date = _variable(source, "Date")[:10] or None
        try:
            date = validate_date(date)
        except InvalidInputError:
            self.messages.append(f"“{source.name}” has the date {date!r}, which is not a date; it was left undated.")
            date = None
        doc = new_document(
            text,
            _title(source),
            date=date,
            place=_variable(source, "Place"),
            kind=_variable(source, "Kind") or "other",
            source_url=_variable(source, "Source URL"),
            source_path=str(self.path),
        )
        stored = self.library.add_document(doc, allow_duplicate=True)
        self.documents_added += 1
        assert stored.id is not None
        return stored.id

    def _import_source(self, source: QdaSource, seen: set[str]) -> int:
        """Add (or match) the source's document and plan its annotations; returns codings of unknown codes."""
        raw = source.text or ""
        mapping = normalise_with_offsets(raw)
        text = mapping.text if mapping is not None else normalise_text(raw)
        if not text.strip():
            self.messages.append(f"“{source.name}” was not imported: its text is empty.")
            return 0
        doc_id = self._document_id(source, text)
        self.document_ids.append(doc_id)
        index = Utf16Index(raw) if has_astral(raw) else None
        utf16 = index is not None and _counts_utf16(raw, source.selections, index)
        if utf16:
            self.messages.append(
                f"Positions in “{source.name}” count UTF-16 code units (as some programs do); they were "
                "converted to characters."
            )
        unknown = 0
        pending: list[Annotation] = []  # made on the raw text, when its normalisation cannot be followed
        empty = 0
        for number, s in enumerate(source.selections, start=1):
            length = index.length if utf16 and index is not None else len(raw)
            if s.start == s.end and 0 <= s.start <= length:
                empty += 1
                continue
            if not 0 <= s.start < s.end <= length:
                raise QdaFormatError(
                    f"Selection {number} of “{source.name}” ({s.start}–{s.end}) is not a passage of its text, "
                    f"which has {length} characters; the file was not imported."
                )
            start, end = s.start, s.end
            if utf16 and index is not None:
                start, end = index.to_code_points(start), index.to_code_points(end, end=True)
            guid = normal_guid(s.guid) if is_guid(s.guid) else _guid("selection", f"{source.guid}:{s.guid}:{number}")
            if guid in seen:
                self.messages.append(f"The selection {guid} appears twice in the file; the second was left out.")
                continue
            seen.add(guid)
            tags = []
            for code in s.codes:
                if code in self.tag_names:
                    tags.append(self.tag_names[code])
                else:
                    unknown += 1
            created = _timestamp(s.created) or utc_now()
            annotation = Annotation(
                id=guid,
                document_id=doc_id,
                start=start,
                end=end,
                quote=raw[start:end],
                prefix=raw[max(0, start - PREFIX_CHARS) : start],
                suffix=raw[end : end + PREFIX_CHARS],
                note=self._note(s),
                author=self.project.users.get(s.creating_user or "", ""),
                created=created,
                modified=_timestamp(s.modified) or created,
                tags=tuple(tags),
            )
            if mapping is not None:
                self._place_mapped(annotation, mapping, source)
            else:
                pending.append(annotation)
        if pending:
            self._place_by_quote(pending, raw, text)
        if empty:
            self.messages.append(f"{empty} empty selection(s) in “{source.name}” were left out.")
        return unknown

    def _note(self, s: QdaSelection) -> str:
        parts = [s.description] if s.description else []
        parts.extend(self.project.notes[ref] for ref in s.note_refs if self.project.notes.get(ref))
        return "\n\n".join(dict.fromkeys(parts))

    def _place_mapped(self, annotation: Annotation, mapping: OffsetMapping, source: QdaSource) -> None:
        text = mapping.text
        start, end = mapping.to_normalised(annotation.start), mapping.to_normalised(annotation.end)
        if start >= end:
            self.messages.append(
                f"A selection of “{source.name}” holds only spaces or line breaks, which Summit Reader does not "
                "keep; it was left out."
            )
            return
        self.new_annotations.append(self._at(annotation, text, start, end))

    @staticmethod
    def _at(annotation: Annotation, text: str, start: int, end: int) -> Annotation:
        return Annotation(
            id=annotation.id,
            document_id=annotation.document_id,
            start=start,
            end=end,
            quote=text[start:end],
            prefix=text[max(0, start - PREFIX_CHARS) : start],
            suffix=text[end : end + PREFIX_CHARS],
            note=annotation.note,
            author=annotation.author,
            created=annotation.created,
            modified=annotation.modified,
            tags=annotation.tags,
        )

    def _place_by_quote(self, annotations: list[Annotation], raw: str, text: str) -> None:
        """Rare: the normalisation of a text could not be followed character by character; find each
        passage in the normalised text by its quote and context (as when a text is replaced)."""
        for annotation, placement in zip(annotations, reanchor_all(raw, text, annotations), strict=True):
            if placement.start is not None and placement.end is not None:
                self.new_annotations.append(self._at(annotation, text, placement.start, placement.end))
            else:
                start, end = clamp_span(annotation.start, annotation.end, len(text))
                self.review += 1
                self.new_annotations.append(
                    Annotation(
                        **{**annotation.__dict__, "start": start, "end": end, "status": "needs_review"}
                    )
                )


def import_qdpx(library: Library, path: str | Path) -> QdaImportResult:
    """Import a REFI-QDA project (``.qdpx``) made by Summit Reader or another program: its text sources
    become documents (or are matched to documents with the same text), its codes tags (nested, with their
    colours) and its text selections annotations (codes as tags; the description and memos as the note).
    Everything is read and checked first and written in one transaction: a file that cannot be read changes
    nothing. Sources that are not plain text (PDF, pictures, audio, video, rich text only) are left out,
    each with a message."""
    p = Path(path)
    project = read_qdpx(p)
    with library.transaction():
        return _Import(library, project, p).run()
