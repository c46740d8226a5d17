"""The demo set: three short illustrative texts written by the Summit Reader project (not official texts),
kept in a library of their own so they never mix with a researcher's data."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from summit_reader.core.documents import Document, markdown_to_text, new_document, text_from_string
from summit_reader.core.store import Library, default_library_path

DEMO_LIBRARY_NAME = "demo-library.sqlite3"


def demo_documents() -> list[Document]:
    """The demo texts as unsaved documents, with their titles, dates and places."""
    folder = resources.files("summit_reader.resources").joinpath("demo")
    manifest = json.loads(folder.joinpath("manifest.json").read_text("utf-8"))
    docs = []
    for item in manifest["documents"]:
        raw = folder.joinpath(item["file"]).read_text("utf-8")
        text = text_from_string(markdown_to_text(raw), item["file"])
        docs.append(
            new_document(text, item["title"], date=item["date"], place=item["place"], kind=item["kind"])
        )
    return docs


def demo_library_path() -> Path:
    """Beside the user's library, never the same file."""
    return default_library_path().with_name(DEMO_LIBRARY_NAME)


def open_demo_library(path: Path | None = None) -> Library:
    """Open the demo library, adding any demo text it lacks (idempotent)."""
    library = Library(path or demo_library_path())
    for doc in demo_documents():
        if library.find_document_by_hash(doc.text_hash) is None:
            library.add_document(doc)
    return library
