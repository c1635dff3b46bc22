"""The generic article-body extractor: from a parsed page (selectolax/Lexbor) to clean paragraphs of text.

How it works, in one pass over a parsed tree:

1. Remove what is never article text: tags in :data:`REMOVED_TAGS` and elements whose class or id matches
   :data:`BOILERPLATE_ATTRIBUTE` (share bars, comments, related links, newsletters...), unless they hold most of the
   page's paragraph text (sites put words like ``comments-enabled`` on the article's own container).
2. Score containers: every paragraph-like block (``<p>``, ``<pre>``, and ``<div>`` s holding text of their own)
   of at least :data:`MIN_PARAGRAPH_CHARS` with few links adds its length to each of its ancestors.
   A container's score is that paragraph text minus a penalty for the other text it holds (menus, link lists):
   the best container holds most of the article and little else.
3. Collect the container's blocks (``p``, ``h2``-``h6``, ``li``, ``blockquote``, ``pre``, ...) in document order,
   dropping link lists and the short lines of :data:`BOILERPLATE_LINE`.

The patterns are data: tune them here, not in code. The module mutates the tree it is given (it removes nodes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

#: Tags whose whole content is never article text.
REMOVED_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas", "video", "audio",
    "map", "dialog", "button", "select", "input", "textarea", "label", "nav", "footer", "aside", "header",
    "figure", "figcaption", "picture", "img", "menu", "h1", "link", "meta",
)

#: class/id fragments of page furniture.
BOILERPLATE_ATTRIBUTE = re.compile(
    r"comment|share|sharing|social|related|promo|newsletter|subscri|cookie|advert|\bads?\b|ad-slot|adslot|"
    r"breadcrumb|sidebar|masthead|navbar|\bnav\b|menu|popup|modal|byline|author-?bio|\btags?\b|recommend|"
    r"trending|most-?popular|outbrain|taboola|sponsor|disqus|pagination|signup|paywall|caption|toolbar|"
    r"skip-?link|read-?more|more-?stories|visually-?hidden|sr-only|footer|header",
    re.IGNORECASE,
)
#: class/id fragments of article containers: an element whose label matches these is never removed as furniture.
CONTENT_ATTRIBUTE = re.compile(r"article|content|body|main|story|entry|\bpost\b|text", re.IGNORECASE)

#: Tags that begin a new block of text when collecting the body.
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt",
    "dd", "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead", "center", "body", "html",
})
#: Blocks that count as paragraphs when scoring containers.
PARAGRAPH_SELECTOR = "p, pre, div, td, blockquote"

#: Whole lines that are furniture even inside the article container.
BOILERPLATE_LINE = re.compile(
    r"^\s*(advertisement|advertisment|ad|sponsored|story continues below( advertisement)?|continue reading.*|"
    r"read more.*|related:.*|see also:.*|share( this( article| story)?)?|follow us.*|sign up.*|subscribe.*|"
    r"click here.*|image:.*|photo:.*|getty images|loading\.*)\s*$",
    re.IGNORECASE,
)

#: Only blocks up to this long are checked against BOILERPLATE_LINE.
MAX_BOILERPLATE_LINE_CHARS = 120
MIN_PARAGRAPH_CHARS = 40
#: A paragraph with more than this share of its characters in links does not count.
MAX_PARAGRAPH_LINK_DENSITY = 0.5
#: Weight of text in a container that is not a counted paragraph (menus, link lists, bylines).
OTHER_TEXT_PENALTY = 0.5
#: Score given to a paragraph's ancestors, by distance (parent 1.0, grandparent ...); further ones get the last.
ANCESTOR_WEIGHTS = (1.0, 1.0, 1.0)
#: A collected block whose links hold more than this share of its characters is dropped ...
MAX_BLOCK_LINK_DENSITY = 0.6
#: ... unless it is at least this long.
LONG_BLOCK_CHARS = 300

#: Source whitespace (newlines included) collapses to one space; only <br> makes a line break.
ANY_WHITESPACE = re.compile(r"[\s\u00a0\u200b]+")
SPACES = re.compile(r" {2,}")
LINE_BREAK_SPACES = re.compile(r" *\n[ \n]*")


@dataclass
class Body:
    """The text found and how it was found."""

    text: str
    paragraphs: int
    method: str = "generic"


def extract_body(tree: LexborHTMLParser) -> Body:
    """Find the article text in a parsed page. Mutates `tree`. Returns an empty body when there is none."""
    root = tree.body or tree.root
    if root is None:
        return Body("", 0)
    _remove_furniture(tree, root)
    container = _best_container(tree, root)
    blocks = collect_text(container or root)
    return Body("\n\n".join(blocks), len(blocks))


def _remove_all(nodes: list[LexborNode]) -> None:
    """Destroy nodes given in document order: descendants first, so that no node is touched after its ancestor."""
    for node in reversed(nodes):
        node.decompose()


def remove_unwanted_tags(tree: LexborHTMLParser) -> None:
    """Remove the elements of :data:`REMOVED_TAGS` (scripts, navigation, forms controls, figures...)."""
    _remove_all(tree.css(",".join(REMOVED_TAGS)))


def _remove_furniture(tree: LexborHTMLParser, root: LexborNode) -> None:
    remove_unwanted_tags(tree)
    doomed = []
    page_text = None
    for node in root.css("[class],[id]"):
        attributes = node.attributes
        label = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
        if not BOILERPLATE_ATTRIBUTE.search(label) or CONTENT_ATTRIBUTE.search(label) or node.tag in (
                "body", "html", "main", "article"):
            continue
        if page_text is None:
            page_text = len(root.text())
        if len(node.text()) > 0.5 * page_text:
            continue  # holds most of the page: a badly named article container, not furniture
        doomed.append(node)
    _remove_all(doomed)


def _own_text_length(node: LexborNode) -> int:
    return len(node.text(deep=False).strip())


def _best_container(tree: LexborHTMLParser, root: LexborNode) -> LexborNode | None:
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for block in root.css(PARAGRAPH_SELECTOR):
        if block.tag in ("p", "pre"):
            text = block.text()
        else:
            if _own_text_length(block) < MIN_PARAGRAPH_CHARS:
                continue
            text = block.text(deep=False)
        length = len(text.strip())
        if length < MIN_PARAGRAPH_CHARS:
            continue
        links = sum(len(a.text()) for a in block.css("a"))
        if links > MAX_PARAGRAPH_LINK_DENSITY * length:
            continue
        node = block.parent
        depth = 0
        while node is not None and node.tag not in ("html", "#document"):
            key = node.mem_id
            weight = ANCESTOR_WEIGHTS[min(depth, len(ANCESTOR_WEIGHTS) - 1)]
            scores[key] = scores.get(key, 0.0) + weight * length
            nodes[key] = node
            node = node.parent
            depth += 1
    if not scores:
        return None
    best, best_score = None, float("-inf")
    for key, paragraph_chars in scores.items():
        node = nodes[key]
        total = len(ANY_WHITESPACE.sub(" ", node.text(separator=" ")).strip())
        score = paragraph_chars - OTHER_TEXT_PENALTY * max(0, total - paragraph_chars)
        if score > best_score:
            best, best_score = node, score
    return best


def collect_text(container: LexborNode) -> list[str]:
    """The text of `container`, one string per block, in document order; link lists and furniture lines dropped."""
    blocks: list[str] = []
    current_block: int | None = None
    parts: list[str] = []
    link_chars = 0
    container_id = container.mem_id

    def flush() -> None:
        nonlocal parts, link_chars
        text = LINE_BREAK_SPACES.sub("\n", SPACES.sub(" ", "".join(parts))).strip()
        if text and not (len(text) <= MAX_BOILERPLATE_LINE_CHARS and BOILERPLATE_LINE.match(text)):
            if link_chars <= MAX_BLOCK_LINK_DENSITY * len(text) or len(text) >= LONG_BLOCK_CHARS:
                blocks.append(text)
        parts, link_chars = [], 0

    for node in container.traverse(include_text=True):
        if node.is_text_node:
            text = node.text_content or ""
            if not text:
                continue
            block, in_link = _enclosing_block(node, container_id)
            if block != current_block:
                flush()
                current_block = block
            parts.append(ANY_WHITESPACE.sub(" ", text))
            if in_link:
                link_chars += len(text.strip())
        elif node.tag == "br":
            parts.append("\n")
    flush()
    return blocks


def _enclosing_block(node: LexborNode, container_id: int) -> tuple[int, bool]:
    """The mem_id of the nearest block element around a text node, and whether the text sits inside a link."""
    in_link = False
    parent = node.parent
    while parent is not None:
        tag = parent.tag
        if tag == "a":
            in_link = True
        if tag in BLOCK_TAGS or parent.mem_id == container_id:
            return parent.mem_id, in_link
        parent = parent.parent
    return container_id, in_link
