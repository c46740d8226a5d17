"""The official AI-summit texts: a manifest of facts, and a download that the user asks for.

``resources/corpus/summits.json`` lists each text's title, date, place, kind, publisher, official address,
licence and how to read it. No text is shipped: :func:`fetch_corpus` downloads each from its publisher —
GOV.UK's content API (JSON whose ``details.body`` is the text as HTML; on a publication page, the HTML
attachment the manifest names) or the publisher's HTML page (its main article) — extracts the paragraphs
with :mod:`summit_reader.core.html_extract`, and imports the text with its metadata, source address and
retrieval time. A text already fetched is left alone when unchanged and updated when its publisher changed
it (annotations keep their rows; those whose passage moved are marked for review).

Nothing here touches the network unless :func:`fetch_corpus` (or :func:`download_text`) is called.
Every failure — offline, a time-out, a 404, a page whose layout changed — becomes one message that names
the document, and the other documents are still fetched.
"""

from __future__ import annotations

import json
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from summit_reader import __version__
from summit_reader.core.anchoring import Placement
from summit_reader.core.documents import Document, new_document, text_from_string, validate_date
from summit_reader.core.errors import CorpusError, DuplicateDocumentError, SummitReaderError
from summit_reader.core.html_extract import decode_html, extract_article, html_to_text
from summit_reader.core.models import DocumentSummary
from summit_reader.core.store import Library, utc_now

__all__ = [
    "USER_AGENT",
    "CorpusEntry",
    "FetchResult",
    "FetchStatus",
    "corpus_status",
    "download_text",
    "fetch_corpus",
    "http_fetch",
    "load_manifest",
]

USER_AGENT = f"SummitReader/{__version__} (desktop reader of the AI-summit texts; downloads on the user's request)"

#: No official text comes near this; a larger answer is refused.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

DEFAULT_TIMEOUT = 20.0

EXTRACTIONS = ("govuk-content-api", "html-article")

#: Library setting that remembers which document holds a corpus text: ``corpus.<entry id>.document_id``.
SETTING_KEY = "corpus.{}.document_id"

#: What became of one text.
FetchStatus = Literal["imported", "updated", "unchanged", "failed", "cancelled"]

#: ``fetch(url, timeout) -> body bytes``; raises urllib's errors, TimeoutError or OSError on failure.
Fetch = Callable[[str, float], bytes]
#: ``progress(i, n, entry, status)``: i is the entry's 1-based position; status is "fetching" before the
#: download, then the result's FetchStatus.
Progress = Callable[[int, int, "CorpusEntry", str], None]


@dataclass(frozen=True)
class CorpusEntry:
    """One official text: facts only (the text is downloaded from ``url``/``api`` on request)."""

    id: str
    title: str
    short_title: str
    date: str
    place: str
    kind: str
    publisher: str
    url: str
    licence: str
    extraction: str  # "govuk-content-api" or "html-article"
    api: str | None = None
    attachment: str | None = None  # on a GOV.UK publication page: the HTML attachment whose title has this
    min_words: int = 100  # fewer words than this means the page is not the text (its layout changed)
    note: str = ""

    @property
    def label(self) -> str:
        return f"'{self.short_title}'"


@dataclass(frozen=True)
class FetchResult:
    entry: CorpusEntry
    status: FetchStatus  # "imported", "updated", "unchanged", "failed" or "cancelled"
    message: str  # one sentence naming the document
    document_id: int | None = None
    placements: tuple[Placement, ...] = ()  # "updated": where each annotation of the document went

    @property
    def ok(self) -> bool:
        return self.status in ("imported", "updated", "unchanged")


# -------------------------------------------------------------------------------------------- manifest


def load_manifest(path: str | Path | None = None) -> list[CorpusEntry]:
    """The corpus manifest (the packaged ``resources/corpus/summits.json`` unless ``path`` is given)."""
    try:
        if path is None:
            raw = resources.files("summit_reader.resources").joinpath("corpus/summits.json").read_text("utf-8")
        else:
            raw = Path(path).read_text("utf-8")
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise CorpusError(f"The corpus manifest cannot be read ({exc}).") from None
    items = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise CorpusError("The corpus manifest has no list of documents.")
    entries = [_entry(item, index) for index, item in enumerate(items)]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise CorpusError(f"The corpus manifest lists the id '{entry.id}' twice.")
        seen.add(entry.id)
    return entries


def _entry(item: Any, index: int) -> CorpusEntry:
    if not isinstance(item, dict):
        raise CorpusError(f"Entry {index + 1} of the corpus manifest is not an object.")
    where = f"Entry '{item.get('id', index + 1)}' of the corpus manifest"
    required = ("id", "title", "short_title", "date", "place", "kind", "publisher", "url", "licence", "extraction")
    missing = [key for key in required if not isinstance(item.get(key), str) or not item[key].strip()]
    if missing:
        raise CorpusError(f"{where} lacks {', '.join(missing)}.")
    if item["extraction"] not in EXTRACTIONS:
        raise CorpusError(f"{where} has an unknown extraction '{item['extraction']}'.")
    if item["extraction"] == "govuk-content-api" and not isinstance(item.get("api"), str):
        raise CorpusError(f"{where} needs the GOV.UK content API address ('api').")
    try:
        validate_date(item["date"])
    except SummitReaderError:
        raise CorpusError(f"{where} has a date that is not YYYY-MM-DD.") from None
    return CorpusEntry(
        id=item["id"],
        title=item["title"],
        short_title=item["short_title"],
        date=item["date"],
        place=item["place"],
        kind=item["kind"],
        publisher=item["publisher"],
        url=item["url"],
        licence=item["licence"],
        extraction=item["extraction"],
        api=item.get("api"),
        attachment=item.get("attachment"),
        min_words=int(item.get("min_words", 100)),
        note=str(item.get("note", "")),
    )


# ----------------------------------------------------------------------------------------- library side


def _by_url(entries: Sequence[CorpusEntry]) -> dict[str, CorpusEntry]:
    """Official addresses that belong to exactly one entry (a GOV.UK page may hold two texts)."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.url] = counts.get(entry.url, 0) + 1
    return {entry.url: entry for entry in entries if counts[entry.url] == 1}


def _find_document(
    library: Library, entry: CorpusEntry, summaries: Sequence[DocumentSummary], unique_urls: Mapping[str, CorpusEntry],
    resolved_url: str | None = None,
) -> DocumentSummary | None:
    by_id = {s.id: s for s in summaries}
    stored = library.get_setting(SETTING_KEY.format(entry.id))
    if stored and stored.isdigit() and int(stored) in by_id:
        return by_id[int(stored)]
    for summary in sorted(summaries, key=lambda s: s.id):
        if resolved_url and summary.source_url == resolved_url:
            return summary
        if summary.source_url == entry.url and unique_urls.get(entry.url) is entry:
            return summary
    return None


def corpus_status(
    library: Library, entries: Sequence[CorpusEntry] | None = None
) -> list[tuple[CorpusEntry, DocumentSummary | None]]:
    """Each manifest entry with the library document that holds it (None if it is not in the library).
    No network access."""
    entries = list(entries) if entries is not None else load_manifest()
    summaries = library.list_documents()
    unique = _by_url(entries)
    return [(entry, _find_document(library, entry, summaries, unique)) for entry in entries]


# ----------------------------------------------------------------------------------------- downloading


class _FetchFailure(CorpusError):
    """Why one document could not be had (without the document's name: the caller adds it)."""


class _Cancelled(Exception):
    pass


def http_fetch(url: str, timeout: float) -> bytes:
    """GET ``url`` (http or https only) with Summit Reader's User-Agent and a time-out; the body's bytes."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise _FetchFailure(f"Summit Reader only downloads http and https addresses, not {url}")
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/json, text/html;q=0.9, */*;q=0.1",
            "Accept-Language": "en",
        },
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
        data: bytes = response.read(MAX_DOWNLOAD_BYTES + 1)
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise _FetchFailure(f"the answer from {url} is larger than {MAX_DOWNLOAD_BYTES // 1_048_576} MB")
    return data


def _network_reason(exc: BaseException, url: str, timeout: float) -> str:
    """A plain reason for a failed download (the caller names the document)."""
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code in (404, 410):
            return (
                f"the page was not found (HTTP {exc.code}) at {url}; it may have moved, and Summit Reader needs "
                "an update to find it"
            )
        return f"the server answered HTTP {exc.code} ({exc.reason}) for {url}; try again later"
    reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return f"no answer from {urlsplit(url).netloc} within {timeout:g} s (timed out); try again later"
    if isinstance(reason, ssl.SSLError):
        return f"the secure connection to {urlsplit(url).netloc} failed ({reason}); check the computer's clock and network"
    if isinstance(reason, socket.gaierror):
        return f"{urlsplit(url).netloc} cannot be reached (no network, or the name does not resolve); check the internet connection"
    if isinstance(reason, (ConnectionError, OSError)):
        detail = getattr(reason, "strerror", None) or str(reason)
        return f"no connection to {urlsplit(url).netloc} ({detail}); check the internet connection"
    return f"the download from {url} failed ({reason})"


class _Downloader:
    def __init__(
        self,
        fetch: Fetch,
        timeout: float,
        base_urls: Mapping[str, str] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.fetch = fetch
        self.timeout = timeout
        self.base_urls = dict(base_urls or {})
        self.cancelled = cancelled

    def rewrite(self, url: str) -> str:
        for prefix, replacement in self.base_urls.items():
            if url.startswith(prefix):
                return replacement + url[len(prefix) :]
        return url

    def get(self, url: str) -> bytes:
        if self.cancelled is not None and self.cancelled():
            raise _Cancelled()
        target = self.rewrite(url)
        try:
            return self.fetch(target, self.timeout)
        except _FetchFailure:
            raise
        except (urllib.error.URLError, OSError, ValueError) as exc:  # TimeoutError and HTTPError included
            raise _FetchFailure(_network_reason(exc, url, self.timeout)) from None

    def get_json(self, url: str) -> dict[str, Any]:
        data = self.get(url)
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _FetchFailure(
                f"{url} did not answer with the JSON of GOV.UK's content API (its layout has changed); "
                "Summit Reader needs an update to read it"
            ) from None
        if not isinstance(parsed, dict):
            raise _FetchFailure(f"the JSON from {url} is not in GOV.UK's content layout; Summit Reader needs an update")
        return parsed


def _layout_changed(detail: str) -> _FetchFailure:
    return _FetchFailure(f"the page's layout has changed ({detail}); Summit Reader needs an update to read it")


def _govuk_attachment(page: Mapping[str, Any], wanted: str) -> tuple[str, str] | None:
    """(content API address, web address) of the HTML attachment of a GOV.UK publication whose title
    starts with ``wanted`` (else contains it), ignoring case."""
    found: list[tuple[str, str, str]] = []  # (title, api, web)
    links = page.get("links")
    children = links.get("children") if isinstance(links, dict) else None
    for child in children if isinstance(children, list) else []:
        if not isinstance(child, dict) or not isinstance(child.get("title"), str):
            continue
        base_path = child.get("base_path")
        api = child.get("api_url") or (f"https://www.gov.uk/api/content{base_path}" if isinstance(base_path, str) else None)
        web = child.get("web_url") or (f"https://www.gov.uk{base_path}" if isinstance(base_path, str) else None)
        if isinstance(api, str) and isinstance(web, str):
            found.append((child["title"], api, web))
    details = page.get("details")
    attachments = details.get("attachments") if isinstance(details, dict) else None
    for item in attachments if isinstance(attachments, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not isinstance(item.get("url"), str):
            continue
        if item.get("attachment_type") != "html" and item.get("content_type") != "text/html":
            continue
        parts = urlsplit(item["url"])
        if parts.netloc in ("www.gov.uk", ""):
            web = f"https://www.gov.uk{parts.path}"
            found.append((item["title"], f"https://www.gov.uk/api/content{parts.path}", web))
    key = " ".join(wanted.casefold().split())
    for title, api, web in found:
        if " ".join(title.casefold().split()).startswith(key):
            return api, web
    for title, api, web in found:
        if key in " ".join(title.casefold().split()):
            return api, web
    return None


def _govuk_text(entry: CorpusEntry, downloader: _Downloader) -> tuple[str, str]:
    """(text, web address of the page that holds it) from GOV.UK's content API."""
    assert entry.api is not None
    page = downloader.get_json(entry.api)
    web_url = entry.url
    schema = page.get("schema_name") or page.get("document_type")
    if entry.attachment and schema != "html_publication":
        found = _govuk_attachment(page, entry.attachment)
        if found is None:
            raise _layout_changed(f"the publication no longer lists an HTML attachment titled '{entry.attachment}'")
        api, web_url = found
        page = downloader.get_json(api)
    details = page.get("details")
    body = details.get("body") if isinstance(details, dict) else None
    if not isinstance(body, str) or not body.strip():
        raise _layout_changed("the content API's answer has no details.body")
    text = html_to_text(body).text
    words = len(text.split())
    if words < entry.min_words:
        raise _layout_changed(f"its body has {words} words, fewer than the {entry.min_words} expected")
    return text, web_url


def _article_text(entry: CorpusEntry, downloader: _Downloader) -> tuple[str, str]:
    data = downloader.get(entry.url)
    try:
        html = decode_html(data, "the page")
    except SummitReaderError as exc:
        raise _FetchFailure(str(exc).rstrip(".")) from None
    article = extract_article(html, min_words=entry.min_words)
    if article is None:
        raise _layout_changed(f"no article of at least {entry.min_words} words was found on it")
    return article.text, entry.url


def download_text(
    entry: CorpusEntry,
    *,
    fetch: Fetch | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    base_urls: Mapping[str, str] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[str, str]:
    """Download one text: (normalised text, address of the page it was read from). Raises CorpusError with
    a message that names the document."""
    downloader = _Downloader(fetch or http_fetch, timeout, base_urls, cancelled)
    try:
        if entry.extraction == "govuk-content-api":
            raw, url = _govuk_text(entry, downloader)
        else:
            raw, url = _article_text(entry, downloader)
        return text_from_string(raw, entry.label), url
    except _FetchFailure as exc:
        raise CorpusError(f"Could not get {entry.label} from {entry.publisher}: {exc}.") from None
    except SummitReaderError as exc:
        raise CorpusError(f"Could not get {entry.label} from {entry.publisher}: {exc}") from None


def fetch_corpus(
    library: Library,
    *,
    entries: Sequence[CorpusEntry] | None = None,
    only: Sequence[str] | None = None,
    fetch: Fetch | None = None,
    base_urls: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[FetchResult]:
    """Download the official texts (all, or the ids in ``only``) and import or update them.

    Per document: "imported" (new), "updated" (the publisher changed the text: the stored text is
    replaced and annotations are re-anchored: those that cannot be placed with confidence get status
    "needs_review"; the message counts the re-anchored ones and those needing review),
    "unchanged" (same hash: nothing written), "failed" (one message naming the document; the others go on)
    or "cancelled" (``cancelled()`` returned True before it was fetched).

    ``fetch`` replaces the HTTP client (tests, or the window's own), ``base_urls`` maps an address prefix
    to another (``{"https://www.gov.uk": "http://127.0.0.1:8000/govuk"}``), ``progress(i, n, entry,
    status)`` is called with "fetching" before each document and with its result after it.
    """
    entries = list(entries) if entries is not None else load_manifest()
    unique = _by_url(entries)
    if only:
        known = {e.id for e in entries}
        unknown = [i for i in only if i not in known]
        if unknown:
            raise CorpusError(
                f"No corpus text with the id {', '.join(repr(u) for u in unknown)}; the ids are "
                f"{', '.join(e.id for e in entries)}."
            )
        entries = [e for e in entries if e.id in set(only)]
    results: list[FetchResult] = []
    total = len(entries)
    for position, entry in enumerate(entries, start=1):
        if cancelled is not None and cancelled():
            results.extend(
                FetchResult(e, "cancelled", f"{e.label} was not fetched: cancelled.") for e in entries[position - 1 :]
            )
            for index, e in enumerate(entries[position - 1 :], start=position):
                if progress is not None:
                    progress(index, total, e, "cancelled")
            break
        if progress is not None:
            progress(position, total, entry, "fetching")
        try:
            result = _fetch_one(library, entry, unique, fetch, base_urls, timeout, cancelled)
        except _Cancelled:
            result = FetchResult(entry, "cancelled", f"{entry.label} was not fetched: cancelled.")
        results.append(result)
        if progress is not None:
            progress(position, total, entry, result.status)
    return results


def _fetch_one(
    library: Library,
    entry: CorpusEntry,
    unique: Mapping[str, CorpusEntry],
    fetch: Fetch | None,
    base_urls: Mapping[str, str] | None,
    timeout: float,
    cancelled: Callable[[], bool] | None,
) -> FetchResult:
    try:
        text, page_url = download_text(entry, fetch=fetch, timeout=timeout, base_urls=base_urls, cancelled=cancelled)
    except CorpusError as exc:
        return FetchResult(entry, "failed", str(exc))
    retrieved = utc_now()
    doc: Document = new_document(
        text,
        entry.title,
        date=entry.date,
        place=entry.place,
        kind=entry.kind,
        source_url=page_url,
        retrieved_at=retrieved,
    )
    key = SETTING_KEY.format(entry.id)
    try:
        existing = _find_document(library, entry, library.list_documents(), unique, resolved_url=page_url)
        if existing is not None:
            if existing.text_hash == doc.text_hash:
                library.set_setting(key, str(existing.id))
                return FetchResult(
                    entry, "unchanged", f"{entry.label} is unchanged (document {existing.id}).", existing.id
                )
            replaced = library.replace_document_text(existing.id, text, retrieved_at=retrieved)
            relocated, review = len(replaced.relocated), len(replaced.needs_review)
            library.set_setting(key, str(existing.id))
            counts = [f"{relocated} annotation(s) re-anchored"] if relocated else []
            counts += [f"{review} annotation(s) need review"] if review else []
            note = f"; {', '.join(counts)}" if counts else ""
            return FetchResult(
                entry, "updated", f"{entry.label} was changed by its publisher and is updated (document {existing.id}){note}.",
                existing.id, replaced.placements,
            )
        try:
            saved = library.add_document(doc)
        except DuplicateDocumentError as exc:
            library.set_setting(key, str(exc.existing_id))
            return FetchResult(
                entry, "unchanged", f"{entry.label}: {exc} Not imported again.", exc.existing_id
            )
        assert saved.id is not None
        library.set_setting(key, str(saved.id))
        return FetchResult(entry, "imported", f"{entry.label} imported (document {saved.id}).", saved.id)
    except SummitReaderError as exc:
        return FetchResult(entry, "failed", f"{entry.label} was downloaded but could not be saved: {exc}")
