"""Reading a REFI-QDA project (``.qdpx``) into plain dataclasses, safely: nothing here touches a library.

A ``.qdpx`` is a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and the sources
under ``sources/``. The archive comes from another program or another person, so:

* nothing is extracted to disk; members are read into memory by name, each within a size limit that is
  checked on the bytes actually inflated (a zip bomb's declared sizes are not trusted);
* a member whose name is absolute or climbs out of the archive (``..``), and a source path that does, make
  the whole file refused;
* the XML may not declare a document type (no entities, no external references).

Every problem is a :class:`QdaFormatError` naming what is wrong; :func:`read_qdpx` never returns half a
project.
"""

from __future__ import annotations

import re
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from summit_reader.core.documents import MAX_IMPORT_BYTES, decode_bytes
from summit_reader.core.errors import DocumentImportError, EncodingError, ExportError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

#: Largest ``project.qde`` read (XML with every code, selection and memo of a project).
MAX_PROJECT_XML_BYTES = 64 * 1024 * 1024
#: Largest source text read (the same limit as any imported file).
MAX_SOURCE_BYTES = MAX_IMPORT_BYTES
#: Most bytes inflated from one archive in all (the project XML, the sources and the notes).
MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: Most members an archive may list.
MAX_MEMBERS = 50_000

_ROOT_START = re.compile(rb"<[A-Za-z_]")


class QdaFormatError(ExportError):
    """A REFI-QDA file that cannot be read: not a zip, no ``project.qde``, malformed XML, a selection outside
    its text… The message names the file and the problem."""


@dataclass(frozen=True)
class QdaCode:
    guid: str
    name: str
    colour: str | None  # "#rrggbb", or None
    parent: str | None  # the guid of the enclosing code
    codable: bool = True
    description: str = ""


@dataclass(frozen=True)
class QdaSelection:
    guid: str
    start: int
    end: int
    name: str  # many tools write the selected text here (sometimes cut short)
    description: str
    note_refs: tuple[str, ...]  # guids of project notes attached to the selection or its codings
    codes: tuple[str, ...]  # guids of the codes applied
    creating_user: str | None
    created: str | None
    modifying_user: str | None
    modified: str | None


@dataclass(frozen=True)
class QdaSource:
    guid: str
    name: str
    text: str | None  # the plain text as stored in the file; None when it is not imported
    skip_reason: str = ""  # why the source is not imported (when ``text`` is None)
    selections: tuple[QdaSelection, ...] = ()
    whole_codings: int = 0  # codes applied to the source as a whole (not imported)
    variables: dict[str, str] = field(default_factory=dict)  # variable name → value as text
    created: str | None = None


@dataclass(frozen=True)
class QdaProject:
    name: str
    origin: str
    description: str
    users: dict[str, str]  # guid → name
    codes: tuple[QdaCode, ...]  # parents before their children
    sources: tuple[QdaSource, ...]
    notes: dict[str, str]  # guid → text of the project's notes (memos)


def normal_guid(value: str) -> str:
    """A GUID as lower-case hex with dashes and no braces (tools differ in case and braces)."""
    return value.strip().strip("{}").lower()


def is_guid(value: str) -> bool:
    try:
        uuid.UUID(normal_guid(value))
    except ValueError:
        return False
    return len(normal_guid(value)) == 36


# ------------------------------------------------------------------------------------------ the archive


class _Archive:
    """Bounded reads from a zip, counting every inflated byte against :data:`MAX_TOTAL_BYTES`."""

    def __init__(self, zf: zipfile.ZipFile, label: str) -> None:
        self.zf = zf
        self.label = label
        self.read_total = 0
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise QdaFormatError(f"{label} lists {len(infos):,} files; a REFI-QDA project this large is refused.")
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        self.by_folded: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not _safe_member_name(info.filename):
                raise QdaFormatError(
                    f"{label} holds a file with an unsafe name ({info.filename!r}: absolute, or leading out of "
                    "the archive); it was not imported."
                )
            self.by_name[info.filename] = info
            self.by_folded.setdefault(info.filename.replace("\\", "/").casefold(), info)

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(name) or self.by_folded.get(name.casefold())

    def read(self, info: zipfile.ZipInfo, limit: int, what: str) -> bytes:
        if info.file_size > limit:
            raise QdaFormatError(
                f"{what} in {self.label} is {_mb(info.file_size)}; the largest Summit Reader reads is {_mb(limit)}."
            )
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zf.open(info) as member:
                while True:
                    chunk = member.read(1 << 20)
                    if not chunk:
                        break
                    size += len(chunk)
                    self.read_total += len(chunk)
                    if size > limit or self.read_total > MAX_TOTAL_BYTES:
                        raise QdaFormatError(
                            f"{what} in {self.label} inflates to more than it declares (or to more than "
                            f"{_mb(min(limit, MAX_TOTAL_BYTES))}): the archive is refused."
                        )
                    chunks.append(chunk)
        except QdaFormatError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise QdaFormatError(f"{what} in {self.label} is damaged and cannot be read ({exc}).") from None
        except NotImplementedError as exc:  # an unsupported compression method
            raise QdaFormatError(f"{what} in {self.label} cannot be read: {exc}.") from None
        except RuntimeError as exc:  # encrypted
            raise QdaFormatError(f"{what} in {self.label} cannot be read ({exc}).") from None
        return b"".join(chunks)


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.0f} MB" if size >= 1_048_576 else f"{size / 1_048_576:.2f} MB"


def _safe_member_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (parts and re.match(r"^[A-Za-z]:", parts[0])):
        return False
    return ".." not in parts and "\x00" not in name


def _internal_member(path: str) -> str | None:
    """The archive member of an ``internal://NAME`` path (``sources/NAME``); None for a name that is absolute
    or climbs out of the archive."""
    name = path[len("internal://") :].strip()
    parts = name.replace("\\", "/").split("/")
    if not name or name.startswith(("/", "\\")) or any(p in ("", ".", "..") for p in parts) or "\x00" in name:
        return None
    return f"sources/{name}"


# ------------------------------------------------------------------------------------------ XML


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: ET.Element | None) -> str:
    return "" if element is None else "".join(element.itertext())


def _keep_text(value: str) -> str:
    """A memo as written (its own spacing kept), or nothing if it is only white space."""
    return value if value.strip() else ""


def parse_xml(data: bytes, label: str) -> ET.Element:
    """Parse XML that comes from elsewhere: no document type declaration (so no entity can expand)."""
    head = data[:1 << 16]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    root = _ROOT_START.search(head)
    if b"<!DOCTYPE" in (head[: root.start()] if root else head).upper():
        raise QdaFormatError(f"{label} declares a document type or entities, which REFI-QDA files never do; it was not read.")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise QdaFormatError(f"{label} is not well-formed XML (line {line}, column {column + 1}).") from None


def _position(selection: ET.Element, attribute: str, where: str) -> int:
    raw = selection.get(attribute)
    if raw is None:
        raise QdaFormatError(f"{where} has no {attribute}.")
    try:
        return int(raw.strip())
    except ValueError:
        raise QdaFormatError(f"{where} has {attribute}={raw!r}, which is not a whole number.") from None


def parse_codes(codes_element: ET.Element | None) -> list[QdaCode]:
    """The codes of a ``Codes`` element, depth first (parents before children)."""
    out: list[QdaCode] = []
    if codes_element is None:
        return out
    seen: set[str] = set()

    def walk(element: ET.Element, parent: str | None, depth: int) -> None:
        if depth > 100:
            raise QdaFormatError("The code book nests codes more than 100 levels deep.")
        for code in _children(element, "Code"):
            guid = normal_guid(code.get("guid", ""))
            if not guid:
                raise QdaFormatError(f"The code {code.get('name', '')!r} has no guid.")
            if guid in seen:
                raise QdaFormatError(f"The code book lists the guid {guid} twice.")
            seen.add(guid)
            colour = (code.get("color") or "").strip()
            if re.fullmatch(r"#[0-9a-fA-F]{3}", colour):
                colour = "#" + "".join(c * 2 for c in colour[1:])
            codable = (code.get("isCodable") or "true").strip().lower() not in ("false", "0")
            out.append(
                QdaCode(
                    guid=guid,
                    name=" ".join((code.get("name") or "").split()),
                    colour=colour.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", colour) else None,
                    parent=parent,
                    codable=codable,
                    description=_text(_child(code, "Description")).strip(),
                )
            )
            walk(code, guid, depth + 1)

    walk(codes_element, None, 0)
    return out


def _variables(root: ET.Element) -> dict[str, str]:
    variables = _child(root, "Variables")
    return {
        normal_guid(v.get("guid", "")): (v.get("name") or "").strip()
        for v in ([] if variables is None else _children(variables, "Variable"))
    }


def _variable_values(source: ET.Element, names: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for value in _children(source, "VariableValue"):
        ref = _child(value, "VariableRef")
        name = names.get(normal_guid(ref.get("targetGUID", ""))) if ref is not None else None
        if not name:
            continue
        for child in value:
            if _local(child.tag) != "VariableRef":
                values[name] = _text(child).strip()
    return values


def _selections(source: ET.Element, source_label: str) -> list[QdaSelection]:
    out: list[QdaSelection] = []
    for number, selection in enumerate(_children(source, "PlainTextSelection"), start=1):
        where = f"Selection {number} of {source_label}"
        guid = normal_guid(selection.get("guid", ""))
        start = _position(selection, "startPosition", where)
        end = _position(selection, "endPosition", where)
        codes: list[str] = []
        notes = [normal_guid(ref.get("targetGUID", "")) for ref in _children(selection, "NoteRef")]
        for coding in _children(selection, "Coding"):
            ref = _child(coding, "CodeRef")
            if ref is not None and ref.get("targetGUID"):
                codes.append(normal_guid(ref.get("targetGUID", "")))
            notes.extend(normal_guid(r.get("targetGUID", "")) for r in _children(coding, "NoteRef"))
        out.append(
            QdaSelection(
                guid=guid,
                start=start,
                end=end,
                name=selection.get("name") or "",
                description=_keep_text(_text(_child(selection, "Description"))),
                note_refs=tuple(n for n in notes if n),
                codes=tuple(dict.fromkeys(codes)),
                creating_user=normal_guid(selection.get("creatingUser", "")) or None,
                created=selection.get("creationDateTime"),
                modifying_user=normal_guid(selection.get("modifyingUser", "")) or None,
                modified=selection.get("modifiedDateTime"),
            )
        )
    return out


def _decode_source(data: bytes, what: str, label: str) -> str:
    """UTF-8 text (with or without a byte order mark; UTF-16 with one is read too)."""
    try:
        return decode_bytes(data, what)
    except EncodingError:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            position = f" (undecodable byte at position {exc.start})"
        else:
            position = ""
        raise QdaFormatError(
            f"In {label}, the text of {what} is not UTF-8, as REFI-QDA requires{position}; the file was not imported."
        ) from None
    except DocumentImportError as exc:  # a binary file (NUL bytes) and the like
        raise QdaFormatError(f"In {label}, {exc}") from None


def _text_of(archive: _Archive, element: ET.Element, what: str) -> tuple[str | None, str]:
    """The plain text of a TextSource or Note (inline, or from ``internal://`` in the archive), or None and
    why it is not read."""
    inline = _child(element, "PlainTextContent")
    path = (element.get("plainTextPath") or "").strip()
    if inline is not None and not path:
        return _text(inline), ""
    if not path:
        if element.get("richTextPath"):
            return None, "only a rich-text version (no plain text) is in the project"
        return None, "no text is in the project"
    if not path.lower().startswith("internal://"):
        return None, f"its text is kept outside the project file ({path})"
    member_name = _internal_member(path)
    if member_name is None:
        raise QdaFormatError(f"In {archive.label}, {what} points to an unsafe path ({path!r}); the file was not imported.")
    info = archive.find(member_name)
    if info is None:
        raise QdaFormatError(f"In {archive.label}, {what} points to {path}, which is not in the archive.")
    data = archive.read(info, MAX_SOURCE_BYTES, f"The text of {what}")
    return _decode_source(data, what, archive.label), ""


def read_qdpx(path: str | Path) -> QdaProject:
    """Read a ``.qdpx`` file into a :class:`QdaProject` (texts as stored: not normalised yet)."""
    p = Path(path)
    label = f"'{p.name}'"
    try:
        zf = zipfile.ZipFile(p)
    except FileNotFoundError:
        raise QdaFormatError(f"{label} does not exist ({p}).") from None
    except IsADirectoryError:
        raise QdaFormatError(f"{label} is a folder, not a REFI-QDA project file.") from None
    except zipfile.BadZipFile:
        raise QdaFormatError(f"{label} is not a REFI-QDA project: it is not a zip archive (or it is damaged).") from None
    except OSError as exc:
        raise QdaFormatError(f"{label} cannot be read: {exc.strerror or exc}.") from None
    except ValueError:  # a NUL character in the path
        raise QdaFormatError(f"{label} is not a valid file name.") from None
    with zf:
        archive = _Archive(zf, label)
        info = archive.find("project.qde")
        if info is None:
            raise QdaFormatError(f"{label} is not a REFI-QDA project: it has no project.qde.")
        root = parse_xml(archive.read(info, MAX_PROJECT_XML_BYTES, "project.qde"), f"project.qde in {label}")
        if _local(root.tag) != "Project" or (root.tag.startswith("{") and not root.tag.startswith(f"{{{PROJECT_NS}}}")):
            raise QdaFormatError(f"{label} is not a REFI-QDA project (its project.qde holds no {PROJECT_NS} Project).")
        return _project(root, archive)


def _project(root: ET.Element, archive: _Archive) -> QdaProject:
    users_element = _child(root, "Users")
    users = {
        normal_guid(u.get("guid", "")): (u.get("name") or u.get("id") or "").strip()
        for u in ([] if users_element is None else _children(users_element, "User"))
    }
    codebook = _child(root, "CodeBook")
    codes = parse_codes(_child(codebook, "Codes") if codebook is not None else None)
    notes: dict[str, str] = {}
    notes_element = _child(root, "Notes")
    for number, note in enumerate([] if notes_element is None else _children(notes_element, "Note"), start=1):
        text, _why = _text_of(archive, note, f"note {note.get('name') or number}")
        if text is not None:
            notes[normal_guid(note.get("guid", ""))] = text.strip()
    variable_names = _variables(root)
    sources: list[QdaSource] = []
    sources_element = _child(root, "Sources")
    for number, source in enumerate([] if sources_element is None else list(sources_element), start=1):
        kind = _local(source.tag)
        name = (source.get("name") or "").strip() or f"source {number}"
        guid = normal_guid(source.get("guid", ""))
        if kind != "TextSource":
            label = {"PDFSource": "a PDF", "PictureSource": "a picture", "AudioSource": "an audio recording",
                     "VideoSource": "a video"}.get(kind, kind)
            sources.append(QdaSource(guid, name, None, f"it is {label}, not a text"))
            continue
        what = f"the source “{name}”"
        text, why = _text_of(archive, source, what)
        sources.append(
            QdaSource(
                guid=guid,
                name=name,
                text=text,
                skip_reason=why,
                selections=tuple(_selections(source, what)) if text is not None else (),
                whole_codings=len(_children(source, "Coding")),
                variables=_variable_values(source, variable_names),
                created=source.get("creationDateTime"),
            )
        )
    return QdaProject(
        name=(root.get("name") or "").strip(),
        origin=(root.get("origin") or "").strip(),
        description=_text(_child(root, "Description")).strip(),
        users=users,
        codes=tuple(codes),
        sources=tuple(sources),
        notes=notes,
    )
