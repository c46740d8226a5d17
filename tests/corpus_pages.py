"""A local stand-in for the publishers of the AI-summit texts, for the corpus tests.

An HTTP server on 127.0.0.1 (a free port) serves pages with the *structure* of the real ones — GOV.UK's
content API JSON (an HTML publication; a publication page with HTML attachments) and an Élysée-style
article page — filled with short texts written for Summit Reader's tests. None of it is, or quotes, an
official text. Scenarios: a 404, a slow answer (for the time-out), a changed layout, a non-JSON answer.

Use ``running_publishers(monkeypatch)`` in a fixture; ``Publishers.base_urls`` maps the real addresses to the server.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

LABEL = "Test page written for Summit Reader; not an official text."

GOVUK = "https://www.gov.uk"
ELYSEE = "https://www.elysee.fr"

BLETCHLEY_PATH = (
    "/government/publications/ai-safety-summit-2023-the-bletchley-declaration/"
    "the-bletchley-declaration-by-countries-attending-the-ai-safety-summit-1-2-november-2023"
)
SEOUL_PATH = "/government/publications/seoul-declaration-for-safe-innovative-and-inclusive-ai-ai-seoul-summit-2024"
SEOUL_DECLARATION_CHILD = SEOUL_PATH + "/test-declaration-attachment"
SEOUL_ANNEX_CHILD = SEOUL_PATH + "/test-annex-attachment"
MINISTERIAL_PATH = (
    "/government/publications/"
    "seoul-ministerial-statement-for-advancing-ai-safety-innovation-and-inclusivity-ai-seoul-summit-2024"
)
MINISTERIAL_CHILD = MINISTERIAL_PATH + "/test-ministerial-attachment"
PARIS_PATH = (
    "/en/emmanuel-macron/2025/02/11/"
    "statement-on-inclusive-and-sustainable-artificial-intelligence-for-people-and-the-planet"
)


def paragraphs(topic: str, n: int = 4) -> list[str]:
    """Invented sentences, enough words to look like a text (about 30 words a paragraph)."""
    return [
        f"Paragraph {i} of the {topic} test text: the participants of this imaginary meeting note that "
        f"reading software should keep every paragraph apart, count every word once, and never fetch "
        f"anything while it reads a page number {i}."
        for i in range(1, n + 1)
    ]


def govspeak(topic: str, extra: str = "") -> str:
    paras = paragraphs(topic)
    return (
        f'<div class="govspeak"><p>{LABEL}</p><h2 id="part-1">Part one of the {topic} test text</h2>'
        + "".join(f"<p>{p}</p>" for p in paras[:2])
        + "<ol><li>a first numbered commitment written for the tests;</li>"
        "<li>a second numbered commitment written for the tests.</li></ol>"
        + "".join(f"<p>{p}</p>" for p in paras[2:])
        + extra
        + "</div>"
    )


def html_publication(path: str, title: str, topic: str) -> dict[str, object]:
    return {
        "base_path": path,
        "content_id": "00000000-0000-0000-0000-000000000000",
        "document_type": "html_publication",
        "schema_name": "html_publication",
        "locale": "en",
        "title": title,
        "description": "",
        "first_published_at": "2000-01-01T00:00:00.000+00:00",
        "public_updated_at": "2000-01-01T00:00:00.000+00:00",
        "details": {"body": govspeak(topic), "headers": [], "public_timestamp": "2000-01-01T00:00:00.000+00:00"},
        "links": {"parent": [{"base_path": path.rsplit("/", 1)[0], "document_type": "policy_paper"}]},
    }


def publication(path: str, title: str, attachments: list[tuple[str, str]]) -> dict[str, object]:
    """A GOV.UK publication page whose texts are HTML attachments (title, path)."""
    return {
        "base_path": path,
        "document_type": "policy_paper",
        "schema_name": "publication",
        "locale": "en",
        "title": title,
        "details": {
            "body": f"<p>{LABEL} A short summary of the publication.</p>",
            "documents": [f'<section class="attachment embedded"><h3>{t}</h3></section>' for t, _ in attachments],
            "attachments": [
                {
                    "attachment_type": "html",
                    "content_type": "text/html",
                    "id": f"test-{i}",
                    "title": t,
                    "url": f"{GOVUK}{p}",
                }
                for i, (t, p) in enumerate(attachments)
            ],
        },
        "links": {
            "children": [
                {
                    "api_path": f"/api/content{p}",
                    "api_url": f"{GOVUK}/api/content{p}",
                    "base_path": p,
                    "document_type": "html_publication",
                    "schema_name": "html_publication",
                    "title": t,
                    "web_url": f"{GOVUK}{p}",
                }
                for t, p in attachments[:1]  # the others only in details.attachments: both places are read
            ]
        },
    }


def elysee_page(topic: str, *, changed: bool = False) -> str:
    furniture = (
        '<header class="site-header"><nav><ul><li><a href="/en/">Home</a></li><li><a href="/en/x">Menu entry</a>'
        "</li></ul></nav></header>"
        '<div class="cookie-banner">Test cookie banner text</div>'
    )
    if changed:  # the text moved somewhere the reader does not know
        body = f'<div class="teaser"><p>{LABEL}</p><p>Only a teaser now.</p></div>'
    else:
        paras = paragraphs(topic, 5)
        body = (
            '<main id="main"><nav class="breadcrumb"><a href="/en/">Home</a> › Test breadcrumb</nav>'
            "<article><header><h1>Test statement written for Summit Reader</h1>"
            '<p class="date">11 February 2025</p></header>'
            f'<div class="content"><p>{LABEL}</p>'
            + "".join(f"<p>{p}</p>" for p in paras[:3])
            + "<ul><li>first test bullet of the page;</li><li>second test bullet of the page.</li></ul>"
            + "".join(f"<p>{p}</p>" for p in paras[3:])
            + '</div><div class="share"><a href="#">Share this test page</a></div></article></main>'
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test page | Élysée test</title>'
        '<link rel="stylesheet" href="/static/test.css"><script>var tracking = "test script";</script>'
        "<style>body { color: black; }</style></head><body>"
        + furniture
        + body
        + '<footer class="site-footer"><p>Test footer of the page</p></footer>'
        "<script src=\"/static/test.js\"></script></body></html>"
    )


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    slow: bool = False


@dataclass
class Publishers:
    """The running server: change ``routes`` to change what it serves."""

    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, User-Agent)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def base_urls(self) -> dict[str, str]:
        return {GOVUK: f"http://127.0.0.1:{self.port}/govuk", ELYSEE: f"http://127.0.0.1:{self.port}/elysee"}

    def rewrite(self, url: str) -> str:
        for prefix, replacement in self.base_urls.items():
            if url.startswith(prefix):
                return replacement + url[len(prefix) :]
        raise AssertionError(f"a test tried to reach {url}")

    def json(self, site_path: str, data: object) -> None:
        self.routes["/govuk/api/content" + site_path] = Route(body=json.dumps(data).encode("utf-8"))

    def html(self, site_path: str, page: str) -> None:
        self.routes["/elysee" + site_path] = Route(body=page.encode("utf-8"), content_type="text/html; charset=utf-8")

    def set(self, key: str, route: Route) -> None:
        self.routes[key] = route

    def standard(self) -> None:
        """Every text of the manifest, served well."""
        self.json(BLETCHLEY_PATH, html_publication(BLETCHLEY_PATH, "Test title A", "first"))
        self.json(
            SEOUL_PATH,
            publication(
                SEOUL_PATH,
                "Test publication B",
                [
                    ("Seoul Declaration (test attachment title)", SEOUL_DECLARATION_CHILD),
                    ("Seoul Statement of Intent (test attachment title, annex)", SEOUL_ANNEX_CHILD),
                ],
            ),
        )
        self.json(SEOUL_DECLARATION_CHILD, html_publication(SEOUL_DECLARATION_CHILD, "Test B1", "second"))
        self.json(SEOUL_ANNEX_CHILD, html_publication(SEOUL_ANNEX_CHILD, "Test B2", "third"))
        self.json(
            MINISTERIAL_PATH,
            publication(MINISTERIAL_PATH, "Test publication C", [("Seoul Ministerial Statement (test)", MINISTERIAL_CHILD)]),
        )
        self.json(MINISTERIAL_CHILD, html_publication(MINISTERIAL_CHILD, "Test C1", "fourth"))
        self.html(PARIS_PATH, elysee_page("fifth"))


def _handler(state: Publishers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            state.requests.append((self.path, self.headers.get("User-Agent", "")))
            route = state.routes.get(self.path)
            if route is None:
                route = Route(status=404, body=b"<html><body><h1>Test 404 page</h1></body></html>", content_type="text/html")
            if route.slow:
                state.release.wait(10)  # longer than the client's time-out; released when the test ends
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except OSError:  # the client gave up (time-out test)
                pass

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@contextlib.contextmanager
def running_publishers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Publishers]:
    """Start the server (every text served well) for the length of the block; no proxy in the way."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = Publishers()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    state.port = server.server_address[1]
    state.standard()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
