"""The generic body extractor and the benchmark's metric.

The metric is checked against a hand-worked example. The quality check on real pages is a regression guard with a
modest floor, on pages the extractor was tuned on (see benchmarks/extraction.py); the real figures come from
``python -m benchmarks.extraction``.
"""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from benchmarks.extraction import BENCH_DIR, PageScore, load_pages, main, score_page, shingles, summarise
import re

from scraper.body import (
    APART, AROUND, BOILERPLATE_FRAGMENTS, FURNITURE_FRAGMENT, INSIDE, Body, Scoring, extract_body, trie_pattern)
from scraper.body_fallback import (
    MAX_HEADLINE_RUN, MAX_KNOWN_CONTAINER_EXCESS, MAX_LINE_REPEATS, MIN_CONTAINER_PARAGRAPH_SHARE,
    MIN_KNOWN_CONTAINER_SHARE, MIN_RELIABLE_BODY_CHARS, needs_fallback, unreliable_reason)
from scraper.extract import extract_page


def test_shingles_are_four_token_runs_of_word_characters():
    assert shingles("a b, c-d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("one two three") == {}


def test_score_page_hand_worked():
    # truth tokens: A B C D E F -> shingles ABCD BCDE CDEF
    # predicted:    A B C D X   -> shingles ABCD BCDX
    # tp = 1 (ABCD), fp = 1 (BCDX), fn = 2 (BCDE, CDEF); normalised by 4
    score = score_page("A B C D E F", "A B C D X")
    assert score == PageScore(tp=0.25, fp=0.25, fn=0.5, exact=False)


def test_score_page_counts_repeated_shingles_as_a_multiset():
    # truth "a b c d a b c d": ABCD x2, BCDA, CDAB, DABC; predicted "a b c d": ABCD x1
    score = score_page("a b c d a b c d", "a b c d")
    assert score.tp == pytest.approx(1 / 5) and score.fn == pytest.approx(4 / 5) and score.fp == 0


def test_summarise_hand_worked():
    perfect = score_page("w x y z", "w x y z")
    half = score_page("A B C D E F", "A B C D X")  # precision 0.5, recall 1/3
    empty = score_page("some true body text here", "")  # precision undefined, recall 0
    summary = summarise([perfect, half, empty])
    assert summary.precision == pytest.approx((1 + 0.5) / 2)
    assert summary.recall == pytest.approx((1 + 1 / 3 + 0) / 3)
    p, r = 0.75, 4 / 9
    assert summary.f1 == pytest.approx(2 * p * r / (p + r))
    assert summary.accuracy == pytest.approx(1 / 3)
    assert perfect.exact and not half.exact


def test_extractor_picks_the_article_container_over_link_lists_and_comments():
    story = "".join(f"<p>Paragraph {i} of the story, which is long enough to count as real article text.</p>"
                    for i in range(5))
    links = "".join(f'<li><a href="/{i}">Another headline number {i} with a link</a></li>' for i in range(30))
    html = (f'<html><body><div id="nav-list"><ul>{links}</ul></div><div class="article-body">{story}'
            f'<p>Read more</p></div><div id="comments"><p>A comment that is long enough to look like text.</p>'
            f"</div></body></html>")
    body = extract_body(LexborHTMLParser(html))
    assert body.text.split("\n\n") == [
        f"Paragraph {i} of the story, which is long enough to count as real article text." for i in range(5)]


def test_article_split_by_an_advertisement_slot_keeps_both_parts():
    part = "<p>Sentence {} of the story, which is long enough to count as real article text here.</p>"
    first = "".join(part.format(i) for i in range(6))
    second = "".join(part.format(i) for i in range(6, 8))
    teasers = "".join(f'<div class="teaser"><a href="/{i}">Teaser headline {i} that is a link</a></div>'
                      for i in range(20))
    html = (f'<html><body><div id="main"><div class="part">{first}</div><div class="slot">ADVERTISEMENT</div>'
            f'<div class="part">{second}</div></div><div class="more">{teasers}</div></body></html>')
    paragraphs = extract_body(LexborHTMLParser(html)).text.split("\n\n")
    assert paragraphs == [f"Sentence {i} of the story, which is long enough to count as real article text here."
                          for i in range(8)]


def test_microdata_article_body_wins_over_a_longer_block():
    marked = "".join(f"<p>Marked paragraph {i} of the article body, long enough to count as text.</p>"
                     for i in range(5))
    other = "".join(f"<p>Unmarked paragraph {i} of some other text that is longer than the article itself.</p>"
                    for i in range(12))
    html = f'<html><body><div itemprop="articleBody">{marked}</div><div>{other}</div></body></html>'
    body = extract_body(LexborHTMLParser(html))
    assert body.method == "microdata"
    assert body.text.split("\n\n") == [
        f"Marked paragraph {i} of the article body, long enough to count as text." for i in range(5)]
    assert extract_body(LexborHTMLParser(html.replace("articleBody", "x"))).method == "generic"


def test_trie_pattern_matches_exactly_what_a_substring_search_does():
    assert re.fullmatch(trie_pattern(("share", "sharing", "sh")), "sharing")
    labels = ["post type-post has-post-thumbnail", "col-md-8", "article-share-tools", "c-comments", "menu",
              "sidebar-right", "main-content", "sharp", "xyz", ""]
    for label in labels + list(BOILERPLATE_FRAGMENTS):
        assert bool(FURNITURE_FRAGMENT.search(label)) == any(f in label for f in BOILERPLATE_FRAGMENTS), label


def test_line_breaks_inside_a_paragraph_are_kept():
    html = "<html><body><div><p>First line of an address long enough to count<br>Second line</p></div></body></html>"
    assert extract_body(LexborHTMLParser(html)).text == "First line of an address long enough to count\nSecond line"


def _article(paragraphs: int = 6) -> list[str]:
    return [f"Paragraph {i} of a story, which is long enough to count as real article text in any page." for i in
            range(paragraphs)]


def test_a_plain_article_body_needs_no_fallback():
    body = Body("\n\n".join(_article()), 6)
    assert unreliable_reason(body) is None and not needs_fallback(body)


def test_a_short_body_needs_the_fallback_unless_a_trusted_path_found_it():
    text = "x" * (MIN_RELIABLE_BODY_CHARS - 1)
    assert unreliable_reason(Body(text, 1, "generic")) == "short"
    assert unreliable_reason(Body(text, 1, "microdata")) == "short"
    assert unreliable_reason(Body(text + "x", 1, "generic")) is None
    for trusted in ("selector", "jsonld", "fallback"):
        assert not needs_fallback(Body(text, 1, trusted))


def test_a_short_line_repeated_like_a_widget_needs_the_fallback():
    widget = "See it now: Example Shop"
    for repeats, expected in [(MAX_LINE_REPEATS, None), (MAX_LINE_REPEATS + 1, "repeated lines")]:
        blocks = [block for paragraph in _article() for block in (paragraph, widget)][:2 * repeats]
        assert unreliable_reason(Body("\n\n".join(blocks + _article()), 0)) == expected, repeats
    # repeated numbers or punctuation (a table of scores, a separator) are not furniture
    for line in ("0", "___", ","):
        assert unreliable_reason(Body("\n\n".join(_article() + [line] * 10), 0)) is None


def test_a_long_run_of_headlines_needs_the_fallback():
    headlines = [f"Headline number {i} about something else" for i in range(MAX_HEADLINE_RUN + 1)]
    assert unreliable_reason(Body("\n\n".join(_article() + headlines), 0)) == "headline list"
    assert unreliable_reason(Body("\n\n".join(_article() + headlines[:-1]), 0)) is None
    sentences = [headline + "." for headline in headlines]  # a list of short sentences is text, not headlines
    assert unreliable_reason(Body("\n\n".join(_article() + sentences), 0)) is None


def _scored(scoring: Scoring) -> Body:
    return Body("\n\n".join(_article()), 6, "generic", scoring)


def test_a_container_that_is_mostly_not_paragraphs_needs_the_fallback():
    share = MIN_CONTAINER_PARAGRAPH_SHARE
    assert unreliable_reason(_scored(Scoring(int(share * 1000) - 1, 1000))) == "few paragraphs"
    assert unreliable_reason(_scored(Scoring(int(share * 1000) + 1, 1000))) is None


def test_a_container_at_odds_with_the_known_article_container_needs_the_fallback():
    excess, share = MAX_KNOWN_CONTAINER_EXCESS, MIN_KNOWN_CONTAINER_SHARE
    cases = [
        (Scoring(900, 1000), None),  # the page has no known container
        (Scoring(900, 1000, 5000, APART), "apart from the known container"),
        (Scoring(900, 1000, int(excess * 1000) + 1, INSIDE), "part of the known container"),
        (Scoring(900, 1000, int(excess * 1000), INSIDE), None),
        (Scoring(900, 1000, int(share * 1000) - 1, AROUND), "beyond the known container"),
        (Scoring(900, 1000, int(share * 1000), AROUND), None),
    ]
    for scoring, expected in cases:
        assert unreliable_reason(_scored(scoring)) == expected, scoring


def test_scoring_reports_the_paragraph_share_of_its_container():
    story = "".join(f"<p>{paragraph}</p>" for paragraph in _article())
    stamps = "".join(f"<span>Item {i}</span>" for i in range(40))
    body = extract_body(LexborHTMLParser(f'<html><body><div class="story">{story}{stamps}</div></body></html>'))
    assert body.method == "generic"
    assert body.scoring.paragraph_chars == sum(len(paragraph) for paragraph in _article())
    assert body.scoring.text_chars == body.scoring.paragraph_chars + sum(len(f"Item {i}") for i in range(40))
    assert body.scoring.known_chars is None and body.scoring.known_relation is None


def test_scoring_reports_where_its_container_lies_to_the_known_article_container():
    story = "".join(f"<p>{paragraph}</p>" for paragraph in _article())
    chars = sum(len(paragraph) for paragraph in _article())
    inside = f'<html><body><div class="Entry-Content"><div>{story}</div><span>Tags</span></div></body></html>'
    scoring = extract_body(LexborHTMLParser(inside)).scoring
    assert (scoring.known_relation, scoring.known_chars) == (INSIDE, chars + len("Tags"))
    marked = "<p>A paragraph in the marked container, itself long enough to count as text.</p>" * 4
    around = f'<html><body><div>{story}<div class="post-content">{marked}</div></div></body></html>'
    scoring = extract_body(LexborHTMLParser(around)).scoring
    assert (scoring.known_relation, scoring.known_chars) == (AROUND, len(marked) - len("<p></p>") * 4)
    apart = (f'<html><body><div class="post-content"><p>{"A short note in the marked container. " * 8}</p></div>'
             f'<div>{story * 2}</div></body></html>')
    assert extract_body(LexborHTMLParser(apart)).scoring.known_relation == APART
    small = f'<html><body><div class="post-content"><p>Too short to count.</p></div><div>{story}</div></body></html>'
    assert extract_body(LexborHTMLParser(small)).scoring.known_relation is None
    assert extract_body(LexborHTMLParser(f'<div itemprop="articleBody">{story}</div>')).scoring is None


def test_benchmark_without_its_data_exits_with_a_clear_message(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "absent"), "--ours-only"]) == 2
    error = capsys.readouterr().err
    assert "absent" in error and "../shared" in error and len(error.strip().splitlines()) == 1


@pytest.mark.skipif(not BENCH_DIR.is_dir(), reason="needs ../shared/bench/article-extraction (shared data)")
def test_regression_floor_on_the_first_benchmark_pages():
    pages = load_pages(limit=20)
    summary = summarise(score_page(p.truth, extract_page(p.html, p.url).body) for p in pages)
    assert summary.f1 > 0.85, summary
