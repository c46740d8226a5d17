"""A small REFI-QDA project in the shape other programs (NVivo, ATLAS.ti, MAXQDA, QualCoder) write, with
texts written for the tests: Windows line ends, a byte order mark, decomposed accents, trailing blanks,
emoji, upper-case GUIDs in braces, nested codes with short colours, a code name used twice, memos as a
selection's Description and as a project Note, a rich-text-only source, a PDF and a coding of a whole
source. Positions are computed from the texts here (code points, or UTF-16 units for ``utf16=True``)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

# The raw texts as the other program keeps them (not normalised).
INTERVIEW = (
    "Notes from a harbour meeting \U0001f6a2\r\n\r\n\r\n\r\n"
    "The re\u0301gion's delegates agreed to test systems before release.   \r\n"
    "They will share results \U0001f91d with partners in Zu\u0308rich.\r\n"
)
STATEMENT = "A short statement on open research, written for the tests."

USER = "D3B1A7C2-0F4E-4B6A-9C1D-2E3F4A5B6C7D"
SAFETY, TESTING, COOPERATION, TESTING_2 = (
    "11111111-AAAA-4AAA-8AAA-000000000001",
    "11111111-AAAA-4AAA-8AAA-000000000002",
    "11111111-AAAA-4AAA-8AAA-000000000003",
    "11111111-AAAA-4AAA-8AAA-000000000004",
)
INTERVIEW_GUID = "22222222-BBBB-4BBB-8BBB-000000000001"
STATEMENT_GUID = "22222222-BBBB-4BBB-8BBB-000000000002"
NOTE_GUID = "33333333-CCCC-4CCC-8CCC-000000000001"
SELECTIONS = {  # guid → (source text, quoted passage, codes, memo)
    "44444444-DDDD-4DDD-8DDD-000000000001": (INTERVIEW, "agreed to test systems", (TESTING,), "Testing before release."),
    "44444444-DDDD-4DDD-8DDD-000000000002": (
        INTERVIEW, "share results \U0001f91d with partners", (TESTING_2, SAFETY), ""),
    "44444444-DDDD-4DDD-8DDD-000000000003": (INTERVIEW, "re\u0301gion's delegates", (), "Who spoke."),
    "44444444-DDDD-4DDD-8DDD-000000000004": (STATEMENT, "open research", (COOPERATION,), "Open science."),
}
NOTE_TEXT = "A memo kept as a project note."


@dataclass(frozen=True)
class Fixture:
    path: Path
    utf16: bool


def utf16_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def positions(text: str, quote: str, *, utf16: bool) -> tuple[int, int]:
    start = text.index(quote)
    end = start + len(quote)
    return (utf16_offset(text, start), utf16_offset(text, end)) if utf16 else (start, end)


def _selection(guid: str, text: str, quote: str, codes: tuple[str, ...], memo: str, utf16: bool, note: bool) -> str:
    start, end = positions(text, quote, utf16=utf16)
    codings = "".join(
        f'<Coding guid="{guid[:-4]}{i:04d}" creatingUser="{{{USER}}}" creationDateTime="2025-03-02T10:15:00+01:00">'
        f'<CodeRef targetGUID="{code}"/></Coding>'
        for i, code in enumerate(codes, start=7000)
    )
    description = f"<Description>{escape(memo)}</Description>" if memo else ""
    note_ref = f'<NoteRef targetGUID="{NOTE_GUID}"/>' if note else ""
    return (
        f'<PlainTextSelection guid="{{{guid}}}" name={quoteattr(quote)} startPosition="{start}" endPosition="{end}" '
        f'creatingUser="{{{USER}}}" creationDateTime="2025-03-02T10:15:00+01:00">'
        f"{description}{codings}{note_ref}</PlainTextSelection>"
    )


def project_xml(*, utf16: bool = False, extra_selection: str = "") -> str:
    interview = "".join(
        _selection(g, t, q, c, m, utf16, False) for g, (t, q, c, m) in SELECTIONS.items() if t is INTERVIEW
    )
    statement = "".join(
        _selection(g, t, q, c, m, utf16, True) for g, (t, q, c, m) in SELECTIONS.items() if t is STATEMENT
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
  name="Harbour study" origin="Another QDA program 14.2" creatingUserGUID="{USER}"
  creationDateTime="2025-03-01T09:30:00Z">
  <Users><User guid="{{{USER}}}" name="Ana Example" id="AE"/></Users>
  <CodeBook><Codes>
    <Code guid="{SAFETY}" name="Safety" isCodable="true" color="#C00">
      <Description>Talk of safety.</Description>
      <Code guid="{TESTING}" name="Testing" isCodable="true" color="#0000FF"/>
    </Code>
    <Code guid="{COOPERATION}" name="Cooperation" isCodable="false" color="#00AA00">
      <Code guid="{TESTING_2}" name="Testing" isCodable="true" color="#FF8800"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{INTERVIEW_GUID}" name="Harbour interview.docx" richTextPath="internal://{INTERVIEW_GUID}.docx"
      plainTextPath="internal://{INTERVIEW_GUID}.txt" creatingUser="{USER}" creationDateTime="2025-03-01T09:31:00Z">
      {interview}{extra_selection}
      <Coding guid="55555555-EEEE-4EEE-8EEE-000000000001"><CodeRef targetGUID="{SAFETY}"/></Coding>
    </TextSource>
    <TextSource guid="{STATEMENT_GUID}" name="Statement" plainTextPath="internal://{STATEMENT_GUID}.txt">
      {statement}
    </TextSource>
    <TextSource guid="22222222-BBBB-4BBB-8BBB-000000000003" name="Scanned letter"
      richTextPath="internal://22222222-BBBB-4BBB-8BBB-000000000003.docx"/>
    <PDFSource guid="22222222-BBBB-4BBB-8BBB-000000000004" name="Report.pdf"
      path="internal://22222222-BBBB-4BBB-8BBB-000000000004.pdf"/>
  </Sources>
  <Notes>
    <Note guid="{NOTE_GUID}" name="Memo" plainTextPath="internal://{NOTE_GUID}.txt"/>
  </Notes>
</Project>
"""


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def members(*, utf16: bool = False, extra_selection: str = "") -> dict[str, bytes]:
    return {
        "project.qde": project_xml(utf16=utf16, extra_selection=extra_selection).encode("utf-8"),
        f"sources/{INTERVIEW_GUID}.txt": b"\xef\xbb\xbf" + INTERVIEW.encode("utf-8"),
        f"sources/{INTERVIEW_GUID}.docx": b"PK not really a docx",
        f"sources/{STATEMENT_GUID}.txt": STATEMENT.encode("utf-8"),
        "sources/22222222-BBBB-4BBB-8BBB-000000000003.docx": b"PK not really a docx",
        f"sources/{NOTE_GUID}.txt": NOTE_TEXT.encode("utf-8"),
    }


def other_tool_project(folder: Path, *, utf16: bool = False, name: str = "harbour.qdpx") -> Fixture:
    return Fixture(write_zip(folder / name, members(utf16=utf16)), utf16)
