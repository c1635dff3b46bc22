"""The generic article-body extractor: from a parsed page (selectolax/Lexbor) to clean paragraphs of text.

How it works, in one pass over a parsed tree:

1. Remove what is never article text: tags in :data:`REMOVED_TAGS`, and elements whose class or id contains one
   of :data:`BOILERPLATE_FRAGMENTS` (share bars, comments, related links, newsletters...), unless its label also
   names content (:data:`CONTENT_ATTRIBUTE`: ``article-share`` is kept, as readability does) or it holds most of
   the page's text (a badly named article container).
2. Take the one element marked ``itemprop=articleBody``, if the page has exactly one. Otherwise score
   containers: every paragraph-like block (``<p>``, ``<pre>``, and ``<div>`` s holding text of their own) of at
   least :data:`MIN_PARAGRAPH_CHARS`, not inside a link and with few links of its own, adds its length to its
   parent and (with :data:`DISTANT_WEIGHT`) to every further ancestor. A container's score is that minus
   :data:`OTHER_TEXT_PENALTY` times the other text it holds (menus, teasers, bylines): the best container holds
   most of the article and little else. Its siblings that hold paragraphs of their own join it.
3. Collect the container's blocks (``p``, ``h2``-``h6``, ``li``, ``blockquote``, ``pre``, ...) in document order,
   dropping link lists and the short lines of :data:`BOILERPLATE_LINE`.

The patterns and thresholds are data: tune them here, not in code. The extractor mutates the tree (it removes
nodes). Speed matters (it runs on every scraped page): the tree is walked in C by Lexbor's selectors wherever
possible, and Python only looks at the few hundred nodes that can matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

#: Tags whose whole content is never article text.
REMOVED_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas", "video", "audio",
    "map", "dialog", "button", "select", "input", "textarea", "label", "nav", "footer", "aside", "header",
    "figure", "figcaption", "picture", "img", "menu", "h1", "link", "meta",
)
#: Elements hidden from readers (microdata copies, collapsed menus).
HIDDEN_SELECTORS = ("[hidden]", '[style*="display:none"]', '[style*="display: none"]', '[aria-hidden="true"]')
#: Substrings of a class or id (lower-cased) that mark page furniture ...
BOILERPLATE_FRAGMENTS = (
    "comment", "share", "sharing", "social", "related", "promo", "newsletter", "subscri", "cookie", "advert",
    "breadcrumb", "sidebar", "masthead", "navbar", "menu", "popup", "modal", "byline", "author-bio", "authorbio",
    "recommend", "trending", "most-popular", "mostpopular", "outbrain", "taboola", "sponsor", "disqus",
    "pagination", "signup", "paywall", "caption", "toolbar", "skip-link", "read-more", "more-stories",
    "visually-hidden", "sr-only", "footer", "header", "gallery", "slideshow", "carousel", "lightbox", "tooltip",
    "popover", "rollover", "credit",
)
#: ... and whole class names or ids that do.
BOILERPLATE_WORDS = frozenset({"ad", "ads", "nav", "tag", "tags", "nocontent"})
#: A furniture-looking element whose class or id also matches this is kept: it names the article's container.
CONTENT_ATTRIBUTE = re.compile(r"article|content|body|main|story|entry|\bpost\b|text|embed|tweet")
#: Tags that are never removed as furniture, whatever their class.
NEVER_FURNITURE = frozenset({"html", "body", "main", "article"})
#: A furniture-looking element holding more than this share of the page's text is kept.
MAX_FURNITURE_SHARE = 0.5

#: The page's own mark-up of its article text (schema.org microdata); used as the container when there is exactly
#: one such element holding at least MIN_MARKED_BODY_CHARS of text (on the benchmark's tuned half it always
#: agreed with the scored container, so it is a safeguard for pages where scoring would go wrong).
ARTICLE_BODY_MARKUP = '[itemprop="articleBody"]'
MIN_MARKED_BODY_CHARS = 300

#: Class and id fragments (any case) and whole classes by which many sites mark their article's container, and the
#: tags such a container has: the first stage of trafilatura's BODY_XPATH, its vocabulary drawn from many sites. Not
#: used to choose the container (it often holds furniture too): a scored container at odds with the page's known
#: container (the first element with such a class, else with such an id) is a doubtful choice (see
#: :mod:`scraper.body_fallback`).
KNOWN_CONTAINER_ID_FRAGMENTS = (
    "entry-content", "article-content", "art-content", "article__content", "articlebody", "article-body",
    "article__body", "body-text", "articlecontent",
)
KNOWN_CONTAINER_CLASS_FRAGMENTS = (
    "post-text", "post_text", "post-body", "postentry", "post-entry", "post-content", "post_content", "postcontent",
    "post_inner_wrapper", "article-text", "articletext", "entry-content", "page-content", "text-content",
    "article-content", "art-content", "article__content", "article-body", "article__body", "articlebody",
    "body-text", "article__container",
)
KNOWN_CONTAINER_CLASSES = frozenset({"post", "entry"})
KNOWN_CONTAINER_TAGS = frozenset({"article", "div", "main", "section"})
#: A known container with less text than this is ignored (an empty wrapper, a teaser's text block).
MIN_KNOWN_CONTAINER_CHARS = 250
#: How the best scored container lies to the known one.
INSIDE, AROUND, APART = "inside", "around", "apart"

#: Tags that begin a new block of text when collecting the body.
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt",
    "dd", "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead", "center", "body", "html",
})
#: Blocks that count as paragraphs when scoring containers (divs and cells only for their own, direct text).
PARAGRAPH_SELECTOR = "p, pre, div, td, blockquote, section, article"
WHOLE_TEXT_PARAGRAPHS = frozenset({"p", "pre"})

#: Whole short blocks that are furniture even inside the article container.
BOILERPLATE_LINE = re.compile(
    r"^\s*(advertisement|advertisment|ad|sponsored|story continues below( advertisement)?|continue reading.*|"
    r"read more.*|related:.*|see also:.*|share( this( article| story)?)?|follow us.*|sign up.*|subscribe.*|"
    r"click here.*|image:.*|photo:.*|getty images|loading\.*|you may also like.*|"
    r"related (coverage|articles?|stories|posts|content|reading)\b.*|image \d+ of.*|"
    r"this slideshow requires javascript\.?|filed under:.*|tags?:.*|"
    r"(published|updated|posted|last updated)( on| at)?:? [^\d]{0,30}\d[\w :./,-]{0,30}|"
    r"follow .{1,80} on (twitter|facebook|instagram|youtube|linkedin)\b.*|"
    r"(©|\(c\)|copyright\b).*|.*all rights reserved\.?)\s*$",
    re.IGNORECASE,
)
#: A short block that is only a byline: "By Jane Doe", "By Jane Doe and John Roe - 11/18/19 11:04 PM EST".
BYLINE = re.compile(
    r"^\s*(By|BY|by)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}"
    r"(\s*(,|and|&)\s*[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3})*(\s*[-|•,]\s*[^.]{0,60})?\s*$"
)
#: Only blocks up to this long are checked against BOILERPLATE_LINE.
MAX_BOILERPLATE_LINE_CHARS = 120

MIN_PARAGRAPH_CHARS = 40
#: A paragraph with more than this share of its characters in links does not count.
MAX_PARAGRAPH_LINK_DENSITY = 0.5
#: Weight of text in a container that is not a counted paragraph (menus, link lists, bylines).
OTHER_TEXT_PENALTY = 1.0
#: A paragraph counts fully for this many levels of containers above it (parent, grandparent, ...) ...
FULL_WEIGHT_LEVELS = 1
#: ... and with this weight for those further up (teasers scattered over a page add up only far above them).
DISTANT_WEIGHT = 0.6
#: A sibling of the best container is part of the article when its paragraphs hold this share of the best's ...
SIBLING_MIN_SHARE = 0.2
#: ... and its whole text is at most this many times its paragraph text; a paragraph sibling when this long.
SIBLING_MAX_TEXT_RATIO = 1.5
SIBLING_PARAGRAPH_CHARS = 80
#: How many of the best-scoring containers get the (costlier) full comparison.
CANDIDATES = 12
#: A collected block whose links hold more than this share of its characters is dropped ...
MAX_BLOCK_LINK_DENSITY = 0.6
#: ... unless it is at least this long.
LONG_BLOCK_CHARS = 150

#: Source whitespace (newlines included) collapses to one space; only <br> makes a line break.
ANY_WHITESPACE = re.compile(r"[\s\u00a0\u200b]+")
#: Stands for a <br> while a block's text is joined (NUL never survives HTML parsing).
LINE_BREAK = "\x00"


@dataclass
class Body:
    """The text found, how it was found, and for a body found by scoring (``method == "generic"``) what the scoring
    saw (None otherwise)."""

    text: str
    paragraphs: int
    method: str = "generic"
    scoring: Scoring | None = None


@dataclass(frozen=True)
class Scoring:
    """What the container scoring saw, to judge its choice by (see :mod:`scraper.body_fallback`).

    `text_chars` is the length of the best container's text and `paragraph_chars` the part of it in counted
    paragraphs. `known_chars` is the length of the text of the page's known article container (see
    :data:`KNOWN_CONTAINER_CLASS_FRAGMENTS`) and `known_relation` where the best container lies: :data:`INSIDE` it,
    :data:`AROUND` it or :data:`APART` from it; both None when the page has no such container.
    """

    paragraph_chars: int
    text_chars: int
    known_chars: int | None = None
    known_relation: str | None = None


class _Choice(NamedTuple):
    """The scored containers (the best and its joining siblings), the best, its paragraph and text characters."""

    containers: list[LexborNode]
    best: LexborNode | None
    paragraph_chars: int
    text_chars: int


def extract_body(tree: LexborHTMLParser) -> Body:
    """Find the article text in a parsed page. Mutates `tree`. Returns an empty body when there is none."""
    root = tree.body or tree.root
    if root is None:
        return Body("", 0)
    remove_unwanted_tags(tree)
    known = _remove_furniture(root)
    linked = _inside_links(root)
    marked = root.css(ARTICLE_BODY_MARKUP)
    if len(marked) == 1 and len(marked[0].text(strip=True)) >= MIN_MARKED_BODY_CHARS:
        blocks = collect_text(marked[0], linked)
        return Body("\n\n".join(blocks), len(blocks), "microdata")
    choice = _best_containers(root, linked)
    known_chars, known_relation = _known_container(known, choice.best) if choice.best else (None, None)
    scoring = Scoring(choice.paragraph_chars, choice.text_chars, known_chars, known_relation)
    blocks = [block for container in choice.containers or [root] for block in collect_text(container, linked)]
    return Body("\n\n".join(blocks), len(blocks), "generic", scoring)


def remove_unwanted_tags(tree: LexborHTMLParser) -> None:
    """Remove the elements of :data:`REMOVED_TAGS` (scripts, navigation, form controls, figures...)."""
    _remove_all(tree.css(",".join(REMOVED_TAGS + HIDDEN_SELECTORS)))


def _remove_all(nodes: list[LexborNode]) -> None:
    """Destroy nodes given in document order: descendants first, so that no node is touched after its ancestor."""
    for node in reversed(nodes):
        node.decompose()


@lru_cache(maxsize=65536)
def is_furniture_label(label: str) -> bool:
    """Whether a lower-cased class or id names page furniture (and not the article's container)."""
    if not FURNITURE_FRAGMENT.search(label):
        if BOILERPLATE_WORDS.isdisjoint(label.split()):
            return False
    return not CONTENT_ATTRIBUTE.search(label)


def trie_pattern(words: tuple[str, ...]) -> str:
    """A regular expression matching any of `words`, written as a trie (``sha(?:re|ring)``): Python's regex
    engine tries a plain alternation word by word at every position, a trie one character at a time."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


FURNITURE_FRAGMENT = re.compile(trie_pattern(BOILERPLATE_FRAGMENTS))
KNOWN_CONTAINER_PATTERNS = {
    "class": re.compile(trie_pattern(KNOWN_CONTAINER_CLASS_FRAGMENTS)),
    "id": re.compile(trie_pattern(KNOWN_CONTAINER_ID_FRAGMENTS)),
}


@lru_cache(maxsize=65536)
def is_known_container_label(attribute: str, label: str) -> bool:
    """Whether a lower-cased class (`attribute` "class") or id ("id") names a known article container."""
    if attribute == "class" and label in KNOWN_CONTAINER_CLASSES:
        return True
    return KNOWN_CONTAINER_PATTERNS[attribute].search(label) is not None


def _remove_furniture(root: LexborNode) -> LexborNode | None:
    """Remove the elements whose class or id names furniture, and return the page's known article container that
    remains (the first element whose class names one, else the first whose id does), if any. One pass over the
    labelled elements does both."""
    doomed: set[int] = set()
    page_chars = None
    known: dict[str, LexborNode] = {}
    for attribute in ("class", "id"):
        for node in root.css(f"[{attribute}]"):
            label = node.attrs.get(attribute)
            if not label:
                continue
            label = label.lower()
            if not is_furniture_label(label) or node.tag in NEVER_FURNITURE:
                if attribute not in known and node.tag in KNOWN_CONTAINER_TAGS and \
                        is_known_container_label(attribute, label):
                    known[attribute] = node
                continue
            if page_chars is None:
                page_chars = len(root.text(strip=True))
            if len(node.text(strip=True)) > MAX_FURNITURE_SHARE * page_chars:
                continue  # holds most of the page: a badly named article container, not furniture
            doomed.add(node.mem_id)
    survivors = [node for node in (known.get("class"), known.get("id"))
                 if node is not None and not _has_ancestor_in(node, doomed)]
    if doomed:
        _remove_all([node for node in root.css("[class],[id]") if node.mem_id in doomed])
    return survivors[0] if survivors else None


def _has_ancestor_in(node: LexborNode, mem_ids: set[int]) -> bool:
    """Whether `node` or one of its ancestors is among `mem_ids`."""
    while node is not None:
        if node.mem_id in mem_ids:
            return True
        node = node.parent
    return False


def _inside_links(root: LexborNode) -> set[int]:
    """The mem_ids of every element inside a link (``<a>``), and of the links themselves."""
    return {node.mem_id for node in root.css("a, a *")}


def _best_containers(root: LexborNode, linked: set[int]) -> _Choice:
    """The best container, with those of its siblings that hold paragraphs of their own (an article split by
    an advertisement slot into two <div> s), in document order. No containers when the page has no paragraph."""
    chars: dict[int, int] = {}
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for block in root.css(PARAGRAPH_SELECTOR):
        if block.mem_id in linked:
            continue
        if block.tag in WHOLE_TEXT_PARAGRAPHS:
            length = len(block.text(strip=True))
            node = block.parent
        else:
            length = len(block.text(deep=False, strip=True))
            node = block  # text of its own: the block is itself a container
        if length < MIN_PARAGRAPH_CHARS:
            continue
        links = block.css("a")
        if links and sum(len(a.text(strip=True)) for a in links) > MAX_PARAGRAPH_LINK_DENSITY * length:
            continue
        level = 0
        while node is not None:
            key = node.mem_id
            weight = 1.0 if level < FULL_WEIGHT_LEVELS else DISTANT_WEIGHT
            if key in chars:
                chars[key] += length
                scores[key] += weight * length
            else:
                chars[key] = length
                scores[key] = weight * length
                nodes[key] = node
            if node.tag == "body":
                break
            node = node.parent
            level += 1
    if not scores:
        return _Choice([], None, 0, 0)
    best, best_score, best_total = None, float("-inf"), 0
    for key in sorted(scores, key=scores.__getitem__, reverse=True)[:CANDIDATES]:
        total = len(nodes[key].text(strip=True))
        score = scores[key] - OTHER_TEXT_PENALTY * max(0, total - chars[key])
        if score > best_score:
            best, best_score, best_total = nodes[key], score, total
    parent = best.parent
    if parent is None or best.tag == "body":
        return _Choice([best], best, chars[best.mem_id], best_total)
    containers = []
    minimum = SIBLING_MIN_SHARE * chars[best.mem_id]
    for sibling in parent.iter():
        key = sibling.mem_id
        if key == best.mem_id:
            containers.append(best)
        elif key in linked:
            continue
        elif sibling.tag in WHOLE_TEXT_PARAGRAPHS:
            if len(sibling.text(strip=True)) >= SIBLING_PARAGRAPH_CHARS:
                containers.append(sibling)
        elif chars.get(key, 0) >= minimum and len(sibling.text(strip=True)) <= SIBLING_MAX_TEXT_RATIO * chars[key]:
            containers.append(sibling)
    return _Choice(containers, best, chars[best.mem_id], best_total)


def _known_container(known: LexborNode | None, best: LexborNode) -> tuple[int | None, str | None]:
    """The text length of the page's known article container and where `best` lies to it; (None, None) when the
    page has none with at least :data:`MIN_KNOWN_CONTAINER_CHARS` of text."""
    if known is None:
        return None, None
    known_chars = len(known.text(strip=True))
    if known_chars < MIN_KNOWN_CONTAINER_CHARS:
        return None, None
    if _has_ancestor_in(best, {known.mem_id}):
        return known_chars, INSIDE
    return known_chars, AROUND if _has_ancestor_in(known, {best.mem_id}) else APART


def collect_text(container: LexborNode, linked: set[int] | None = None) -> list[str]:
    """The text of `container`, one string per block, in document order; link lists and furniture lines dropped.

    `linked` holds the mem_ids of elements inside links (computed from the container when not given).
    """
    if linked is None:
        linked = _inside_links(container)
    blocks: list[str] = []
    current_block: int | None = None
    parts: list[str] = []
    link_chars = 0
    container_id = container.mem_id

    def flush() -> None:
        text = ANY_WHITESPACE.sub(" ", "".join(parts))
        if LINE_BREAK in text:
            text = "\n".join(line.strip() for line in text.split(LINE_BREAK) if line.strip())
        else:
            text = text.strip()
        if not text or (len(text) <= MAX_BOILERPLATE_LINE_CHARS and (
                BOILERPLATE_LINE.match(text) or BYLINE.match(text))):
            return
        if link_chars <= MAX_BLOCK_LINK_DENSITY * len(text) or len(text) >= LONG_BLOCK_CHARS:
            blocks.append(text)

    for node in container.traverse(include_text=True):
        if node.is_text_node:
            text = node.text_content
            if not text:
                continue
            parent = node.parent
            block = _enclosing_block(parent, container_id)
            if block != current_block:
                flush()
                parts, link_chars, current_block = [], 0, block
            parts.append(text)
            if parent.mem_id in linked:
                link_chars += len(text.strip())
        elif node.tag == "br":
            parts.append(LINE_BREAK)
    flush()
    return blocks


def _enclosing_block(parent: LexborNode, container_id: int) -> int:
    """The mem_id of the nearest block element at or above `parent` (a text node's parent)."""
    node = parent
    while node is not None:
        key = node.mem_id
        if key == container_id or node.tag in BLOCK_TAGS:
            return key
        node = node.parent
    return container_id
