"""Annotations as W3C Web Annotations (JSON-LD): export, and import of files written by us or by other tools
(Recogito, Annotorious, Hypothesis, an annotation server), following the Web Annotation Data Model
(https://www.w3.org/TR/annotation-model/).

**What is written.** A JSON array of Annotations, each complete in itself (``@context``
``http://www.w3.org/ns/anno.jsonld``): the shape that Recogito/Annotorious-style clients load and save
(``loadAnnotations`` / ``setAnnotations`` take such an array), which an AnnotationCollection is not. So that
the provenance still travels with every annotation, each carries a ``generator`` (Summit Reader, its
version and the lexicon's name, version and hash) and ``generated`` (the time of the export). Each
annotation has:

* ``id`` ``urn:uuid:<our id>``, ``type`` ``Annotation``, ``motivation``, ``created``, ``modified``,
  ``creator`` (a Person with the author's name);
* ``body``: a ``TextualBody`` with purpose ``commenting`` for the note (when there is one) and one with
  purpose ``tagging`` per tag;
* ``target``: a ``SpecificResource`` whose ``source`` is the document — ``urn:sha256:<SHA-256 of its
  normalised text>``, with its title (``label``), date (``dcterms:date``) and the address it was retrieved
  from (``via``) — and two selectors of the same passage: ``TextQuoteSelector`` (``exact``, ``prefix``,
  ``suffix``) and ``TextPositionSelector`` (``start``, ``end``). An annotation that needs review (its
  quote is not at its offsets) has only the quote selector: the two must select the same passage.

**Characters.** Positions count Unicode code points of the normalised text, as the model requires ("in
terms of unicode code points … not in terms of code units"), like our own offsets: an emoji is one
character, a precomposed "é" is one. JavaScript tools that count UTF-16 code units (Hypothesis) disagree
after a character outside the Basic Multilingual Plane; the quote selector is then what places them.

**Import** (:func:`import_web_annotations`), in one transaction, nothing written on any error:

* Accepted shapes: an array of Annotations, one Annotation, an AnnotationPage or an AnnotationCollection
  with its pages embedded, and a Hypothesis export (``{"annotations": [...]}``, or an API answer
  ``{"rows": [...]}`` whose annotations have ``text``, ``tags`` and ``document.title``). A body may be a
  plain string, one object or a list; a selector one object or a list.
* **Which document**: the one whose text has the SHA-256 in the source IRI (``urn:sha256:…`` or RFC 6920
  ``ni:///sha-256;…``); else the one the source IRI (or ``via``) was retrieved from; else the one with the
  source's title (and date, when given). Annotations of other documents are left out and named.
* **Where**: at the ``TextPositionSelector`` if the quote is there (or, without a quote, if the text is
  ours exactly); else the quote's one occurrence; else the one occurrence with the selector's ``prefix``
  and ``suffix`` around it; else the re-anchoring of :mod:`summit_reader.core.anchoring` (the quote and its
  context treated as an old version of the passage: moved or approximately matched). Anything else is
  inserted as ``needs_review``, for the user to place.
* **Same id** (``urn:uuid:``; another tool's id becomes a stable UUID derived from it): the newer
  ``modified`` wins, as in :mod:`summit_reader.core.merge`. Missing tags are created.
* An annotation that targets a whole document or a picture (no text selector) is left out and counted.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from summit_reader import __version__
from summit_reader.core.anchoring import clamp_span, reanchor
from summit_reader.core.documents import decode_bytes, read_error
from summit_reader.core.errors import DocumentImportError, ExportError
from summit_reader.core.export import write_file_atomically
from summit_reader.core.merge import DocumentFinder, MergeResult, place_quote
from summit_reader.core.models import Annotation, DocumentSummary
from summit_reader.core.store import PREFIX_CHARS, Library, utc_now

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: The media type of the model's JSON-LD serialisation.
MEDIA_TYPE = 'application/ld+json;profile="http://www.w3.org/ns/anno.jsonld"'
#: File names read as Web Annotations by ``summit-reader merge`` (anything else is sniffed).
SUFFIXES = (".json", ".jsonld")
#: Prefix of the IRI that names a document by the SHA-256 of its normalised text.
DOCUMENT_IRI_PREFIX = "urn:sha256:"
#: Largest file read (a library of 100,000 annotations is well under this).
MAX_BYTES = 512 * 1024 * 1024

_HEX64 = re.compile(r"[0-9a-f]{64}")
_NI_SHA256 = re.compile(r"ni://[^/]*/sha-256;([A-Za-z0-9_-]{43})=*(?:\?.*)?", re.IGNORECASE)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*([Zz]|[+-]\d{2}:?\d{2})?"
)
_TEXT_SELECTORS = ("TextQuoteSelector", "TextPositionSelector")
_TAG_PURPOSES = ("tagging", "classifying")


# ------------------------------------------------------------------------------------------------ export


def document_iri(text_hash: str) -> str:
    """The IRI that names a text by its content: ``urn:sha256:<hex>``."""
    return DOCUMENT_IRI_PREFIX + text_hash


def _source(summary: DocumentSummary | None, document_id: int) -> dict[str, Any]:
    if summary is None:  # cannot happen for a stored annotation; keeps the file valid if it does
        return {"id": f"urn:summit-reader:document:{document_id}", "type": "Text"}
    source: dict[str, Any] = {
        "id": document_iri(summary.text_hash),
        "type": "Text",
        "format": "text/plain",
        "label": summary.title,
    }
    if summary.date:
        source["dcterms:date"] = summary.date
    if summary.source_url:
        source["via"] = summary.source_url
    return source


def web_annotation(
    annotation: Annotation,
    summary: DocumentSummary | None,
    *,
    generator: dict[str, Any] | None = None,
    generated: str = "",
) -> dict[str, Any]:
    """One annotation as a W3C Web Annotation (a JSON-ready dict; see the module doc)."""
    bodies: list[dict[str, Any]] = []
    if annotation.note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note, "format": "text/plain"})
    bodies += [{"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in annotation.tags]
    selectors: list[dict[str, Any]] = [
        {"type": "TextQuoteSelector", "exact": annotation.quote, "prefix": annotation.prefix, "suffix": annotation.suffix}
    ]
    if annotation.status == "ok":  # a passage that needs review is not at its offsets: no position
        selectors.append({"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end})
    item: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": f"urn:uuid:{annotation.id}",
        "type": "Annotation",
        "motivation": "commenting" if annotation.note else "tagging" if annotation.tags else "highlighting",
        "created": annotation.created,
        "modified": annotation.modified,
    }
    if annotation.author:
        item["creator"] = {"type": "Person", "name": annotation.author}
    if generator is not None:
        item["generator"] = generator
    if generated:
        item["generated"] = generated
    if bodies:
        item["body"] = bodies
    item["target"] = {
        "type": "SpecificResource",
        "source": _source(summary, annotation.document_id),
        "selector": selectors,
    }
    return item


def generator_agent(lexicon_label: str = "") -> dict[str, Any]:
    """The ``generator`` of our annotations: Summit Reader, its version, and the lexicon in use."""
    agent: dict[str, Any] = {
        "type": "Software",
        "name": f"Summit Reader {__version__}",
        "schema:softwareVersion": __version__,
    }
    if lexicon_label:
        agent["schema:description"] = f"Lexicon: {lexicon_label}"
    return agent


def web_annotations(
    library: Library,
    *,
    annotations: Iterable[Annotation] | None = None,
    document_id: int | None = None,
    lexicon_label: str = "",
) -> list[dict[str, Any]]:
    """The annotations (default: the library's, in reading order; ``document_id``: one document's) as Web
    Annotations."""
    summaries = {s.id: s for s in library.list_documents()}
    if annotations is None:
        chosen: Iterable[Annotation] = library.list_annotations(document_id=document_id)
    else:
        chosen = (a for a in annotations if document_id is None or a.document_id == document_id)
    generator, generated = generator_agent(lexicon_label), utc_now()
    return [web_annotation(a, summaries.get(a.document_id), generator=generator, generated=generated) for a in chosen]


def export_web_annotations(
    library: Library,
    path: str | Path,
    document_id: int | None = None,
    *,
    annotations: Iterable[Annotation] | None = None,
    lexicon_label: str = "",
) -> int:
    """Write the annotations (all, one document's, or those given) to ``path`` as a JSON array of W3C Web
    Annotations (UTF-8; written to a temporary file first, so a failure never leaves half a file); return
    how many were written."""
    if document_id is not None:
        library.get_document(document_id)  # NotFoundError, before anything is written
    items = web_annotations(library, annotations=annotations, document_id=document_id, lexicon_label=lexicon_label)

    def write(handle: TextIO) -> int:
        json.dump(items, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        return len(items)

    return write_file_atomically(Path(path), "utf-8", write)


# ------------------------------------------------------------------------------------------------ reading


def is_web_annotation_file(path: str | Path) -> bool:
    """True for a ``.json``/``.jsonld`` file, or a file whose first character (after a byte order mark and
    white space) is ``{`` or ``[``: what ``summit-reader merge`` reads as Web Annotations, not as CSV."""
    path = Path(path)
    if path.suffix.lower() in SUFFIXES:
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except (OSError, ValueError):
        return False  # the CSV reader says what is wrong with the file
    if head.startswith(b"\xef\xbb\xbf"):
        text = head[3:].decode("utf-8", errors="ignore")
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[2:].decode("utf-16-le" if head[:1] == b"\xff" else "utf-16-be", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    stripped = text.lstrip()
    return stripped[:1] in ("{", "[")


def _load(path: Path) -> Any:
    name = f"'{path.name}'"
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ExportError(f"{name} is too large to be an annotation file ({size // (1024 * 1024):,} MB).")
        data = path.read_bytes()
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(str(read_error(exc, name, path))) from None
    except ValueError:  # a NUL character in the path
        raise ExportError(f"{name} is not a valid file name.") from None
    try:
        text = decode_bytes(data, name)
    except DocumentImportError as exc:
        raise ExportError(str(exc).replace("import it again", "try again")) from None
    if not text.strip():
        raise ExportError(f"{name} is empty; it holds no Web Annotations.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); it cannot be read as "
            "W3C Web Annotations."
        ) from None
    except RecursionError:
        raise ExportError(f"{name} is nested too deeply to be read as W3C Web Annotations.") from None


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("type", node.get("@type", ()))
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {v.split(":")[-1].split("#")[-1] for v in values if isinstance(v, str)}


def _is_annotation(node: object) -> bool:
    return isinstance(node, dict) and ("Annotation" in _types(node) or ("target" in node and not _types(node)))


def _page_items(page: dict[str, Any], name: str) -> Iterator[object]:
    seen = 0
    while isinstance(page, dict):
        items = page.get("items", page.get("as:items"))
        if not isinstance(items, list):
            raise ExportError(f"{name}: an AnnotationPage without a list of items.")
        yield from items
        seen += 1
        following = page.get("next")
        if following is None or seen > 100_000:
            return
        if not isinstance(following, dict):
            raise ExportError(
                f"{name} holds only part of the collection: the next page is at {following!r}. Download every "
                "page into one file, or export the annotations as one JSON array."
            )
        page = following


def _annotation_items(data: Any, name: str) -> list[object]:
    """The annotations of any accepted shape (see the module doc), unchecked."""
    not_annotations = (
        f"{name} does not hold W3C Web Annotations (expected a JSON array of annotations, an Annotation, an "
        "AnnotationPage or an AnnotationCollection)."
    )
    if isinstance(data, list):
        items: list[object] = data
    elif isinstance(data, dict):
        kinds = _types(data)
        if _is_annotation(data):
            items = [data]
        elif "AnnotationCollection" in kinds:
            first = data.get("first")
            if first is None:
                items = []
            elif isinstance(first, dict):
                items = list(_page_items(first, name))
            else:
                raise ExportError(
                    f"{name} is an AnnotationCollection whose annotations are not in the file (its first page is "
                    f"at {first!r}). Download the pages, or export the annotations as one JSON array."
                )
        elif "AnnotationPage" in kinds:
            items = list(_page_items(data, name))
        elif isinstance(data.get("annotations"), list):  # Hypothesis's export file
            items = data["annotations"]
        elif isinstance(data.get("rows"), list):  # Hypothesis's search API
            items = data["rows"]
        else:
            raise ExportError(not_annotations)
    else:
        raise ExportError(not_annotations)
    for number, item in enumerate(items, start=1):
        if not _is_annotation(item):
            what = "an object that is not an Annotation" if isinstance(item, dict) else f"a {type(item).__name__}"
            raise ExportError(
                f"{name}, item {number}: expected a W3C Web Annotation, found {what}. The file cannot be read as "
                "Web Annotations."
            )
    return items


# ------------------------------------------------------------------------------------------------ parsing


@dataclass(frozen=True)
class _Incoming:
    """One annotation of the file, read and checked (not yet placed)."""

    number: int
    id: str
    sources: tuple[str, ...]  # IRIs naming the document (source id, via, Hypothesis uri)
    title: str
    date: str
    exact: str | None
    prefix: str
    suffix: str
    start: int | None
    end: int | None
    note: str
    tags: tuple[str, ...]
    author: str
    created: str
    modified: str


def _piece(value: str) -> str:
    """A selector's text normalised as our texts are (line ends, NFC, no-break spaces), not trimmed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return unicodedata.normalize("NFC", value)


def _timestamp(value: object, where: str, field: str) -> str:
    """An ``xsd:dateTime`` as our UTC ``YYYY-MM-DDTHH:MM:SSZ`` ("" when absent); a day is its midnight, a time
    without a zone is UTC."""
    if value is None or value == "":
        return ""
    match = _DATETIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ExportError(f"{where}: {field} {value!r} is not a date and time (expected e.g. 2024-05-21T09:30:00Z).")
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = _dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        if zone and zone not in ("Z", "z"):
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            moment -= sign * _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    except (ValueError, OverflowError):
        raise ExportError(f"{where}: {field} {value!r} is not a valid date and time.") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _annotation_id(item: dict[str, Any]) -> str:
    """Our id: the UUID of a ``urn:uuid:`` id, else a UUID derived from the id (stable, so importing a file
    again finds the same annotations), else one derived from the annotation's content."""
    raw = item.get("id", item.get("@id"))
    if isinstance(raw, str) and raw.strip():
        raw = raw.strip()
        candidate = raw[len("urn:uuid:") :] if raw.lower().startswith("urn:uuid:") else raw
        try:
            return str(uuid.UUID(candidate))
        except ValueError:
            return str(uuid.uuid5(uuid.NAMESPACE_URL, raw))
    return str(uuid.uuid5(uuid.NAMESPACE_OID, json.dumps(item, sort_keys=True, ensure_ascii=True, default=str)))


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _name(agent: object) -> str:
    """A creator's name: a Person's ``name`` or ``nickname``, a plain string, a Hypothesis ``acct:`` id."""
    for one in _as_list(agent):
        if isinstance(one, str) and one.strip():
            text = one.strip()
            return text[5:].split("@")[0] if text.startswith("acct:") else text
        if isinstance(one, dict):
            for key in ("name", "nickname", "foaf:name", "id", "@id"):
                value = one.get(key)
                if isinstance(value, str) and value.strip():
                    return value.strip()
    return ""


def _purposes(body: dict[str, Any]) -> set[str]:
    return {p.split(":")[-1] for p in _as_list(body.get("purpose")) if isinstance(p, str)}


def _bodies(item: dict[str, Any], where: str) -> tuple[str, tuple[str, ...]]:
    """The note (commenting and describing bodies, a plain string body, ``bodyValue``) and the tags."""
    notes: list[str] = []
    tags: list[str] = []
    motivations = {m.split(":")[-1] for m in _as_list(item.get("motivation")) if isinstance(m, str)}
    value = item.get("bodyValue")
    if isinstance(value, str):
        notes.append(value)
    for body in _as_list(item.get("body")):
        if isinstance(body, str):
            (tags if motivations & set(_TAG_PURPOSES) else notes).append(body)
            continue
        if not isinstance(body, dict):
            raise ExportError(f"{where}: a body is {type(body).__name__}, not text or an object.")
        purposes = _purposes(body) or (motivations & set(_TAG_PURPOSES))
        text = body.get("value", body.get("rdf:value"))
        if not isinstance(text, str):
            # an external or specific resource as a tag (a vocabulary term): its label, else its IRI
            label = body.get("label", body.get("source", body.get("id")))
            text = label if isinstance(label, str) and purposes & set(_TAG_PURPOSES) else None
        if text is None:
            continue
        (tags if purposes & set(_TAG_PURPOSES) else notes).append(text)
    # Hypothesis's own shape
    if isinstance(item.get("text"), str) and item["text"]:
        notes.append(item["text"])
    tags += [t for t in _as_list(item.get("tags")) if isinstance(t, str)]
    unique: dict[str, str] = {}
    for tag in tags:
        clean = tag.replace("\x00", "").strip()
        if clean:
            unique.setdefault(clean.casefold(), clean)
    return "\n\n".join(n for n in notes if n), tuple(unique.values())


def _text_selectors(selector: object) -> Iterator[dict[str, Any]]:
    """Text selectors among ``selector`` (one or a list), and quote selectors that refine another selector
    (their positions would be inside that selection, so only their quote is used)."""
    for one in _as_list(selector):
        if not isinstance(one, dict):
            continue
        if _types(one) & set(_TEXT_SELECTORS):
            yield one
        refined = one.get("refinedBy")
        while isinstance(refined, dict):
            if "TextQuoteSelector" in _types(refined):
                yield refined
            refined = refined.get("refinedBy")


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _parse(number: int, item: dict[str, Any], name: str) -> _Incoming | None:
    """Read one annotation; None when it has no text selector (a whole document, a region of a picture)."""
    annotation_id = _annotation_id(item)
    where = f"{name}, annotation {number} ({item.get('id', item.get('@id', 'without id'))})"
    targets = _as_list(item.get("target"))
    if not targets:
        raise ExportError(f"{where}: it has no target (the passage it is about).")
    target: dict[str, Any] | None = None
    for candidate in targets:
        if isinstance(candidate, dict) and any(True for _ in _text_selectors(candidate.get("selector"))):
            target = candidate
            break
    if target is None:
        return None
    exact: str | None = None
    prefix = suffix = ""
    start = end = None
    for selector in _text_selectors(target.get("selector")):
        kinds = _types(selector)
        if "TextQuoteSelector" in kinds and exact is None:
            if not isinstance(selector.get("exact"), str) or not selector["exact"]:
                raise ExportError(f"{where}: its TextQuoteSelector has no exact text.")
            exact = _piece(selector["exact"])
            prefix = _piece(selector["prefix"]) if isinstance(selector.get("prefix"), str) else ""
            suffix = _piece(selector["suffix"]) if isinstance(selector.get("suffix"), str) else ""
        elif "TextPositionSelector" in kinds and start is None:
            first, last = _whole_number(selector.get("start")), _whole_number(selector.get("end"))
            if first is None or last is None or not 0 <= first <= last:
                raise ExportError(
                    f"{where}: its TextPositionSelector {selector.get('start')!r}–{selector.get('end')!r} is not a "
                    "passage (start and end must be whole numbers, 0 ≤ start ≤ end)."
                )
            if first < last:
                start, end = first, last
    if exact is None and start is None:
        raise ExportError(f"{where}: its text selectors select nothing (an empty passage).")

    source = target.get("source")
    sources: list[str] = []
    title = date = ""
    for one in _as_list(source):
        if isinstance(one, str):
            sources.append(one)
        elif isinstance(one, dict):
            sources += [v for v in (one.get("id"), one.get("@id"), one.get("via")) if isinstance(v, str)]
            for key in ("label", "title", "dcterms:title", "dc:title", "name"):
                if isinstance(one.get(key), str) and one[key].strip():
                    title = one[key].strip()
                    break
            for key in ("dcterms:date", "date", "dc:date"):
                if isinstance(one.get(key), str):
                    date = one[key].strip()[:10]
                    break
    if isinstance(item.get("uri"), str):  # Hypothesis
        sources.append(item["uri"])
    document = item.get("document")
    if not title and isinstance(document, dict):
        titles = _as_list(document.get("title"))
        if titles and isinstance(titles[0], str):
            title = titles[0].strip()

    note, tags = _bodies(item, where)
    created = _timestamp(item.get("created"), where, "created")
    modified = _timestamp(item.get("modified", item.get("updated")), where, "modified") or created
    return _Incoming(
        number=number,
        id=annotation_id,
        sources=tuple(s.strip() for s in sources if s.strip()),
        title=title,
        date=date,
        exact=exact,
        prefix=prefix[-PREFIX_CHARS:] if prefix else "",
        suffix=suffix[:PREFIX_CHARS],
        start=start,
        end=end,
        note=note.replace("\x00", ""),
        tags=tags,
        author=_name(item.get("creator", item.get("user"))),
        created=created,
        modified=modified,
    )


# ------------------------------------------------------------------------------------------------ matching


def hash_from_iri(iri: str) -> str | None:
    """The SHA-256 (hex) named by ``urn:sha256:<hex>`` or ``ni:///sha-256;<base64url>`` (RFC 6920)."""
    iri = iri.strip()
    if iri.lower().startswith(DOCUMENT_IRI_PREFIX):
        value = iri[len(DOCUMENT_IRI_PREFIX) :].lower()
        return value if _HEX64.fullmatch(value) else None
    match = _NI_SHA256.fullmatch(iri)
    if match is not None:
        try:
            return base64.urlsafe_b64decode(match.group(1) + "=").hex()
        except (binascii.Error, ValueError):
            return None
    return None


def _address(iri: str) -> str:
    """An address compared loosely: without fragment, trailing slash, scheme case or ``www.``."""
    iri = iri.strip().split("#", 1)[0].rstrip("/")
    scheme, sep, rest = iri.partition("://")
    if not sep:
        return iri
    host, slash, path = rest.partition("/")
    host = host.lower().removeprefix("www.")
    return f"{scheme.lower()}://{host}{slash}{path}"


class _Documents:
    """Finds the document an incoming annotation is about (the rules in the module doc)."""

    def __init__(self, summaries: list[DocumentSummary]) -> None:
        self.finder = DocumentFinder(summaries)
        self.hashes = {s.text_hash for s in summaries}
        self.by_address: dict[str, list[int]] = {}
        self.by_title: dict[str, list[DocumentSummary]] = {}
        for s in summaries:
            if s.source_url:
                self.by_address.setdefault(_address(s.source_url), []).append(s.id)
            self.by_title.setdefault(" ".join(s.title.casefold().split()), []).append(s)

    def find(self, incoming: _Incoming) -> tuple[int | None, bool]:
        """(document id or None, whether its text is exactly the annotated one)."""
        for iri in incoming.sources:
            sha = hash_from_iri(iri)
            if sha is not None and sha in self.hashes:
                return self.finder.find(sha, "", ""), True
        for iri in incoming.sources:
            ids = self.by_address.get(_address(iri), [])
            if len(ids) == 1:
                return ids[0], False
        if incoming.title:
            doc_id = self.finder.find("", incoming.title, incoming.date)
            if doc_id is not None:
                return doc_id, False
            same = self.by_title.get(" ".join(incoming.title.casefold().split()), [])
            if incoming.date:
                same = [s for s in same if (s.date or "") == incoming.date]
            if len(same) == 1:
                return same[0].id, False
        return None, False

    @staticmethod
    def label(incoming: _Incoming) -> str:
        if incoming.title:
            return f"“{incoming.title}”" + (f" ({incoming.date})" if incoming.date else "")
        for iri in incoming.sources:
            sha = hash_from_iri(iri)
            return f"the text {sha[:12]}…" if sha else f"<{iri}>"
        return "a document the file does not name"


# ------------------------------------------------------------------------------------------------ placing


@dataclass(frozen=True)
class _Placed:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    status: str  # "ok" or "needs_review"
    approximate: bool = False


def _in_context(text: str, exact: str, prefix: str, suffix: str, near: int | None) -> int | None:
    """The one occurrence of ``exact`` with ``prefix`` right before it and ``suffix`` right after it (the
    selector's own meaning); among several, the one nearest ``near``."""
    if not prefix and not suffix:
        return None
    found: list[int] = []
    pos = text.find(exact)
    while pos >= 0:
        if text.endswith(prefix, 0, pos) and text.startswith(suffix, pos + len(exact)):
            found.append(pos)
        pos = text.find(exact, pos + 1)
    if len(found) == 1:
        return found[0]
    if found and near is not None:
        return min(found, key=lambda p: abs(p - near))
    return None


def _place(text: str, incoming: _Incoming, exact_text: bool) -> _Placed:
    """Where an incoming annotation goes in ``text`` (the rules in the module doc)."""
    start, end, exact = incoming.start, incoming.end, incoming.exact

    def ok(s: int, e: int, approximate: bool = False) -> _Placed:
        return _Placed(s, e, text[s:e], text[max(0, s - PREFIX_CHARS) : s], text[e : e + PREFIX_CHARS], "ok", approximate)

    if exact is None:  # a position only: trusted in our very text, a hint in another version of it
        assert start is not None and end is not None
        if exact_text and end <= len(text):
            return ok(start, end)
        s, e = clamp_span(start, end, len(text))
        return _Placed(s, e, text[s:e], "", "", "needs_review")
    placed = place_quote(text, start if start is not None else 0, end if end is not None else 0, exact)
    if placed is not None:
        return ok(*placed)
    pos = _in_context(text, exact, incoming.prefix, incoming.suffix, start)
    if pos is not None:
        return ok(pos, pos + len(exact))
    # The quote with its context as an old version of the passage, our text as the new one.
    old = incoming.prefix + exact + incoming.suffix
    hint = Annotation(
        id=incoming.id, document_id=0, start=len(incoming.prefix), end=len(incoming.prefix) + len(exact),
        quote=exact, prefix=incoming.prefix, suffix=incoming.suffix, note="", author="", created="", modified="",
    )
    placement = reanchor(old, text, hint)
    if placement.start is not None and placement.end is not None:
        return ok(placement.start, placement.end, placement.status == "fuzzy")
    s, e = clamp_span(start if start is not None else 0, end if end is not None else len(exact), len(text))
    return _Placed(s, e, exact, incoming.prefix, incoming.suffix, "needs_review")


# ------------------------------------------------------------------------------------------------ import


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def import_web_annotations(library: Library, path: str | Path) -> MergeResult:
    """Merge the W3C Web Annotations of the JSON(-LD) file at ``path`` into ``library`` in one transaction
    (rules in the module doc). Raises :class:`ExportError` for a file that cannot be read as Web
    Annotations, naming the annotation at fault; the library is then unchanged."""
    path = Path(path)
    name = f"'{path.name}'"
    items = _annotation_items(_load(path), name)

    # In one write transaction from here: the library cannot change between being read and the insert
    # (two merges of one file at once: the second waits, then finds every annotation there already).
    with library.transaction():
        documents = _Documents(library.list_documents())
        incoming: dict[str, tuple[int, bool, _Incoming]] = {}  # id → (document, exact text, annotation)
        unmatched = 0
        absent: dict[str, int] = {}
        no_passage = 0
        for number, item in enumerate(items, start=1):
            assert isinstance(item, dict)
            parsed = _parse(number, item, name)
            if parsed is None:
                no_passage += 1
                continue
            doc_id, exact_text = documents.find(parsed)
            if doc_id is None:
                unmatched += 1
                label = documents.label(parsed)
                absent[label] = absent.get(label, 0) + 1
                continue
            previous = incoming.get(parsed.id)
            if previous is None or parsed.modified >= previous[2].modified:  # the file's latest version wins
                incoming[parsed.id] = (doc_id, exact_text, parsed)

        existing = {a.id: a for a in library.get_annotations(list(incoming))}
        texts: dict[int, str] = {}
        new: list[Annotation] = []
        changed: list[Annotation] = []
        unchanged = review = approximate = 0
        now = utc_now()
        for annotation_id, (doc_id, exact_text, parsed) in incoming.items():
            current = existing.get(annotation_id)
            if current is not None:
                if not parsed.modified or parsed.modified <= current.modified:
                    unchanged += 1
                    continue
                # the passage stays where ours is; note, tags and the time come from the file
                changed.append(replace(current, note=parsed.note, tags=parsed.tags, modified=parsed.modified))
                continue
            text = texts.get(doc_id)
            if text is None:
                text = texts[doc_id] = library.get_document(doc_id).text
            placed = _place(text, parsed, exact_text)
            review += placed.status == "needs_review"
            approximate += placed.approximate
            new.append(
                Annotation(
                    id=annotation_id,
                    document_id=doc_id,
                    start=placed.start,
                    end=placed.end,
                    quote=placed.quote,
                    prefix=placed.prefix,
                    suffix=placed.suffix,
                    note=parsed.note,
                    author=parsed.author,
                    created=parsed.created or parsed.modified or now,
                    modified=parsed.modified or parsed.created or now,
                    tags=parsed.tags,
                    status=placed.status,
                )
            )

        added = library.insert_annotations(new)
        updated = library.update_annotation_contents(changed)

    messages = [
        f"{label} is not in this library: {_plural(count, 'annotation')} left out."
        for label, count in absent.items()
    ]
    if no_passage:
        unmatched += no_passage
        messages.append(
            f"{_plural(no_passage, 'annotation')} {'is' if no_passage == 1 else 'are'} about a whole document or "
            "a picture, not a passage of text: left out."
        )
    if approximate:
        messages.append(
            f"{_plural(approximate, 'annotation')} placed where the text differs slightly from "
            f"{'its' if approximate == 1 else 'their'} quote: check {'it' if approximate == 1 else 'them'}."
        )
    if review:
        messages.append(
            f"{_plural(review, 'annotation')} could not be placed in our text and "
            f"{'needs' if review == 1 else 'need'} review."
        )
    if not items:
        messages.append(f"{name} holds no annotations.")
    return MergeResult(added, updated, unchanged, unmatched, tuple(messages))
