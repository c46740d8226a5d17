"""Typed errors of the core. The CLI and the UI show ``str(error)`` to the user as it is,
so every message is one plain sentence that names the thing that went wrong."""

from __future__ import annotations


class SummitReaderError(Exception):
    """Base of every error the core raises on purpose."""


class DocumentImportError(SummitReaderError):
    """A file could not be turned into a document (unreadable, empty, binary, too large…)."""


class EncodingError(DocumentImportError):
    """The bytes of a file are in no encoding we can read."""


class DuplicateDocumentError(SummitReaderError):
    """A document with the same text is already in the library."""

    def __init__(self, message: str, existing_id: int) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class LexiconError(SummitReaderError):
    """A lexicon file is malformed."""


class StoreError(SummitReaderError):
    """The library file cannot be opened, read or written."""


class SchemaTooNewError(StoreError):
    """The library was written by a newer Summit Reader than this one."""


class NotFoundError(SummitReaderError):
    """A document, annotation or tag the user named does not exist."""


class InvalidInputError(SummitReaderError):
    """A value given by the user is not acceptable (empty quote, bad date, offsets outside the text…)."""


class ExportError(SummitReaderError):
    """An export (CSV…) could not be written, or an exported file could not be read back."""


class CorpusError(SummitReaderError):
    """The corpus manifest is malformed, or an official text could not be downloaded or read."""
