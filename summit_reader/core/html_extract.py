"""Reading text out of HTML: headings, paragraphs, list items and table rows, nothing else.

Built on the standard library's :mod:`html.parser`, which never fetches anything (no image, style sheet,
script or frame is loaded: the parser only sees tags and text) and accepts any tag soup without raising.
On top of it this module builds a small tree with the HTML rules that matter for reading text (a ``<p>``
closes an open ``<p>``, an ``<li>`` the previous ``<li>`` …), drops what is not body text (scripts, styles,
navigation, forms, hidden elements, the page's banner and footer) and renders the rest as plain text:
one blank line between paragraphs and headings, one line per list item ("• " or "1. ") and table row.

Used for imported ``.html`` files, pasted HTML, and the pages of the official corpus
(:func:`extract_article` finds the main text of a publisher's page).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from summit_reader.core.documents import decode_bytes
from summit_reader.core.errors import DocumentImportError, EncodingError

__all__ = ["HtmlText", "decode_html", "extract_article", "html_to_text", "looks_like_html"]

_VOID = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr basefont frame isindex".split()
)

#: Elements whose whole subtree is never reading text.
_DROP = frozenset(
    """head title script style noscript template svg math iframe frame frameset object embed applet canvas
    video audio img picture map area form button input select option optgroup datalist textarea
    nav aside dialog""".split()
)

#: ARIA roles whose subtree is never reading text.
_DROP_ROLES = frozenset(
    "navigation complementary search dialog alertdialog menu menubar toolbar tablist banner contentinfo".split()
)

#: class or id tokens of page furniture (cookie banners, breadcrumbs, share buttons, screen-reader-only text).
_FURNITURE = re.compile(
    r"^(?:cookies?|cookie-?(?:banner|consent|notice|bar)|consent|gdpr|breadcrumbs?|skip-?links?|skip-to-content|"
    r"share|sharing|social|social-?share|visually-hidden|govuk-visually-hidden|sr-only|screen-reader-text|"
    r"print-only|hidden-print|no-print|noprint)$",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_BLOCKS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt fieldset
    figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing main menu nav
    ol p plaintext pre section summary table tbody td tfoot th thead tr ul xmp""".split()
)
#: Starting one of these closes an open <p> (HTML's "close a p element").
_CLOSES_P = frozenset(
    """address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer
    form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section summary table ul""".split()
)
_SECTIONING = frozenset("article main section".split())

#: (tag, tags it implicitly closes, tags that stop the search for them)
_IMPLIED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu", "dir", "table"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl", "table"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl", "table"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "thead": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "tbody": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "tfoot": (frozenset({"thead", "tbody", "tfoot", "tr", "td", "th"}), frozenset({"table"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist", "optgroup"})),
}
_P_SCOPE = frozenset(
    "html body table td th caption button li dd dt blockquote article section main div header footer".split()
)


class _Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Node | str] = []
        self.parent = parent

    def walk(self) -> Iterator[_Node]:
        """This node and every element below it, in document order (iteratively: tag soup can nest deeply)."""
        stack: list[_Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed([c for c in node.children if isinstance(c, _Node)]))

    def ancestors(self) -> Iterator[_Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.stack: list[_Node] = [self.root]
        self.title_parts: list[str] = []
        self._in_title = False

    @property
    def current(self) -> _Node:
        return self.stack[-1]

    def _close_up_to(self, names: frozenset[str], boundary: frozenset[str]) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[index].tag
            if tag in names:
                del self.stack[index:]
                return
            if tag in boundary:
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _CLOSES_P:
            self._close_up_to(frozenset({"p"}), _P_SCOPE)
        implied = _IMPLIED.get(tag)
        if implied is not None:
            self._close_up_to(*implied)
        node = _Node(tag, {k.lower(): (v or "") for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag == "title":
            self._in_title = True
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag == "title":
            self._in_title = False
        if tag == "br":  # </br> is read as <br> by browsers
            self.current.children.append(_Node("br", {}, self.current))
            return
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return
        # a stray end tag: ignored, as browsers do

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        self.current.children.append(data)


def _parse(html: str) -> _TreeBuilder:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder


def _is_dropped(node: _Node, keep_page_parts: bool) -> bool:
    if node.tag in _DROP:
        return True
    attrs = node.attrs
    if "hidden" in attrs or attrs.get("aria-hidden", "").strip().lower() == "true":
        return True
    if _HIDDEN_STYLE.search(attrs.get("style", "")):
        return True
    role = attrs.get("role", "").strip().lower()
    if role in _DROP_ROLES and not (role in ("banner", "contentinfo") and keep_page_parts):
        return True
    if node.tag in ("header", "footer") and not keep_page_parts:
        return True
    tokens = attrs.get("class", "").split() + attrs.get("id", "").split()
    return any(_FURNITURE.match(token) for token in tokens)


_WS = re.compile(r"[ \t\n\r\f\v]+")


class _Renderer:
    """Turns a subtree into blocks of text; each block has a kind that decides the separator before it."""

    def __init__(self) -> None:
        # (kind, text): kind is "p", "h", or "li <n>" / "row <n>" for the items of list or table n, which
        # are separated by one line break (other blocks by a blank line)
        self.blocks: list[tuple[str, str]] = []
        self.buffer: list[str] = []
        self.prefix = ""
        self.kind = "p"

    def flush(self) -> None:
        """End the current block; an empty block leaves no trace (and keeps the pending kind and bullet)."""
        raw = "".join(self.buffer)
        self.buffer = []
        lines = [re.sub(r" {2,}", " ", line).strip(" ") for line in raw.replace("\u00a0", " ").split("\n")]
        text = "\n".join(line for line in lines if line.strip())
        if text:
            self.blocks.append((self.kind, self.prefix + text))
            self.prefix = ""
            self.kind = "p"

    def text(self) -> str:
        out: list[str] = []
        previous = ""
        for kind, block in self.blocks:
            if out:
                out.append("\n" if kind != "p" and kind != "h" and previous == kind else "\n\n")
            out.append(block)
            previous = kind
        return "".join(out)

    def render(self, top: _Node, *, keep_page_parts: bool) -> str:
        # An explicit stack of (node or text, entering?) instead of recursion: tag soup nests deeply.
        work: list[tuple[_Node | str, bool]] = [(top, True)]
        pre_depth = 0
        sectioning = sum(1 for a in top.ancestors() if a.tag in _SECTIONING)
        list_depth = 0
        counters: dict[int, int] = {}
        groups = 0  # numbers the outermost lists and the tables
        while work:
            item, entering = work.pop()
            if isinstance(item, str):
                self.buffer.append(item if pre_depth else _WS.sub(" ", item))
                continue
            node, tag = item, item.tag
            if not entering:
                if tag in _BLOCKS and tag not in ("td", "th"):
                    self.flush()
                    self.kind, self.prefix = "p", ""
                if tag in _LISTS:
                    list_depth -= 1
                elif tag in _PRE:
                    pre_depth -= 1
                if tag in _SECTIONING:
                    sectioning -= 1
                continue
            if node is not top and _is_dropped(node, keep_page_parts or sectioning > 0):
                continue
            if tag == "br":
                self.buffer.append("\n")
                continue
            if tag in _BLOCKS and tag not in ("td", "th"):
                self.flush()
            if tag in _HEADINGS:
                self.kind = "h"
            elif tag in _LISTS:
                list_depth += 1
                groups += list_depth == 1
                counters[id(node)] = _list_start(node)
            elif tag == "li":
                self.kind = f"li {groups}"
                self.prefix = "  " * max(0, list_depth - 1) + _bullet(node, counters)
            elif tag == "table":
                groups += 1
            elif tag == "tr":
                self.kind = f"row {groups}"
            elif tag in ("td", "th") and _has_earlier_cell(node):
                self.buffer.append("\t")
            elif tag in _PRE:
                pre_depth += 1
            if tag in _SECTIONING:
                sectioning += 1
            work.append((node, False))
            work.extend((child, True) for child in reversed(node.children))
        self.flush()
        return self.text()


_LISTS = frozenset("ul ol menu dir".split())
_PRE = frozenset("pre listing xmp plaintext".split())


def _list_start(node: _Node) -> int:
    try:
        return int(node.attrs.get("start", "1")) - 1
    except ValueError:
        return 0


def _bullet(li: _Node, counters: dict[int, int]) -> str:
    parent = li.parent
    while parent is not None and parent.tag not in ("ul", "ol", "menu", "dir"):
        parent = parent.parent
    if parent is None or parent.tag != "ol":
        return "• "
    value = li.attrs.get("value", "")
    count = int(value) if value.strip().isdigit() else counters.get(id(parent), 0) + 1
    counters[id(parent)] = count
    return f"{count}. "


def _has_earlier_cell(cell: _Node) -> bool:
    parent = cell.parent
    if parent is None:
        return False
    for child in parent.children:
        if child is cell:
            return False
        if isinstance(child, _Node) and child.tag in ("td", "th"):
            return True
    return False


def _render(node: _Node, *, keep_page_parts: bool = False) -> str:
    return _Renderer().render(node, keep_page_parts=keep_page_parts)


def _first(root: _Node, predicate: Callable[[_Node], bool]) -> _Node | None:
    return next((n for n in root.walk() if predicate(n)), None)


def _plain(node: _Node) -> str:
    parts: list[str] = []
    stack: list[_Node | str] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif item.tag not in ("script", "style", "template"):
            stack.extend(reversed(item.children))
    return " ".join("".join(parts).split())


def _is_main(node: _Node) -> bool:
    return node.tag == "main" or node.attrs.get("role", "").strip().lower() == "main"


def _word_count(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))


@dataclass(frozen=True)
class HtmlText:
    """Reading text from HTML, and the title the page suggests (its first ``<h1>``, else ``<title>``)."""

    text: str
    title: str | None


def _title(builder: _TreeBuilder, content: _Node) -> str | None:
    heading = _first(content, lambda n: n.tag == "h1") or _first(builder.root, lambda n: n.tag == "h1")
    for candidate in (_plain(heading) if heading is not None else "", " ".join("".join(builder.title_parts).split())):
        if candidate:
            return candidate[:300]
    return None


def html_to_text(html: str) -> HtmlText:
    """The reading text of an HTML page or fragment (never raises on malformed HTML).

    The page's ``<main>`` (or its one ``<article>``) is used when it holds most of the text; otherwise the
    whole ``<body>`` without navigation, banner, footer, forms and asides.
    """
    builder = _parse(html)
    root = builder.root
    body = _first(root, lambda n: n.tag == "body") or root
    content = body
    body_words = _word_count(_render(body))
    candidates = [n for n in body.walk() if _is_main(n)]
    if not candidates:
        articles = [n for n in body.walk() if n.tag == "article"]
        if len(articles) == 1:
            candidates = articles
    for candidate in candidates:
        if _word_count(_render(candidate, keep_page_parts=True)) >= 0.3 * body_words:
            content = candidate
            break
    keep = content is not body or body is root  # a fragment (no <body>) keeps its <header>/<footer>
    return HtmlText(text=_render(content, keep_page_parts=keep), title=_title(builder, content))


def extract_article(html: str, *, min_words: int = 150) -> HtmlText | None:
    """The main text of a publisher's page, or None when no plausible body of at least ``min_words`` words
    is found (the page's layout has changed, or it is an error or consent page).

    Looks, in this order, at an ``<article>`` inside ``<main>``, the ``<main>`` element, the longest
    ``<article>``, and the element whose own paragraphs hold the most words.
    """
    builder = _parse(html)
    root = builder.root
    mains = [n for n in root.walk() if _is_main(n)]
    articles = [n for n in root.walk() if n.tag == "article"]
    in_main = [a for a in articles if any(_is_main(p) for p in a.ancestors())]
    candidates: list[_Node] = []
    candidates.extend(sorted(in_main, key=lambda n: -_word_count(_render(n, keep_page_parts=True))))
    candidates.extend(mains)
    candidates.extend(sorted(articles, key=lambda n: -_word_count(_render(n, keep_page_parts=True))))
    block = _densest_block(root)
    if block is not None:
        candidates.append(block)
    for candidate in candidates:
        text = _render(candidate, keep_page_parts=True)
        if _word_count(text) >= min_words:
            return HtmlText(text=text, title=_title(builder, candidate))
    return None


def _densest_block(root: _Node) -> _Node | None:
    """The element whose direct ``<p>`` children hold the most words (a readability-style fallback)."""
    best: _Node | None = None
    best_words = 0
    for node in root.walk():
        if node.tag in _DROP or node.tag in ("header", "footer"):
            continue
        words = sum(
            _word_count(_plain(child)) for child in node.children if isinstance(child, _Node) and child.tag == "p"
        )
        if words > best_words:
            best, best_words = node, words
    return best


# ---------------------------------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)

#: Labels that browsers read as windows-1252 (the WHATWG Encoding Standard).
_WINDOWS_1252 = frozenset(
    "ascii us-ascii iso-8859-1 iso8859-1 iso_8859-1 latin1 latin-1 l1 cp819 ibm819 windows-1252 cp1252".split()
)


def decode_html(data: bytes, name: str = "the page") -> str:
    """Decode an HTML file: a byte order mark wins, then a ``<meta charset>`` in the first 4 KB, else UTF-8.
    Nothing is guessed: bytes that are not valid in the declared (or default) encoding raise EncodingError."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_bytes(data, name)
    match = _META_CHARSET.search(data[:4096])
    label = match.group(1).decode("ascii").lower() if match else "utf-8"
    if label in _WINDOWS_1252:
        label = "cp1252"
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        raise EncodingError(
            f"{name} declares the character encoding '{label}', which Summit Reader does not know. "
            "Save it as UTF-8 and import it again."
        ) from None
    if codec in ("utf-8", "ascii") or codec.startswith("utf-16") or codec.startswith("utf-32"):
        return decode_bytes(data, name)  # UTF-8 (a UTF-16 page without a byte order mark is refused)
    if b"\x00" in data[:8192]:
        raise DocumentImportError(f"{name} looks like a binary file, not HTML (it contains NUL bytes).")
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"{name} declares the encoding {label} but is not valid {label} text (undecodable byte at "
            f"position {exc.start}). Save it as UTF-8 and import it again."
        ) from None


def looks_like_html(data: bytes) -> bool:
    """True if the first bytes are an HTML document (a doctype or an <html> tag, after blanks and comments)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    while head.startswith(b"<!--") and b"-->" in head:
        head = head[head.index(b"-->") + 3 :].lstrip()
    return head.startswith((b"<!doctype html", b"<html"))
