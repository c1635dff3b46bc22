"""Recovering title, publisher, date and a clean body from raw page text."""

from __future__ import annotations

from scraper.article_file import parse_article, read_article
from scraper.raw_text import parse_date

PAGE = """Home / World / News detail

Regulator fines Example Corp €2m over cookies

Jane Doe From Example News| March 3 , 2022 10:15 CET

Paris (Example News)- The regulator fined Example Corp €2 million on Tuesday.

Regulator fines Example Corp €2m over cookies

The company said it would appeal.

Example News offers more stories. Contact: desk@examplenews.com

All Rights Reserved. Do not reproduce without permission.
"""


def test_title_byline_and_date_are_recovered():
    article = parse_article(PAGE)
    assert article.meta["title"] == "Regulator fines Example Corp €2m over cookies"
    assert article.meta["author"] == "Jane Doe"
    assert article.meta["provider"] == {"name": "Example News", "domain": "examplenews.com"}
    assert article.meta["publishedDateTime"] == "2022-03-03T09:15:00Z"


def test_body_keeps_the_story_and_drops_boilerplate():
    body = parse_article(PAGE).body
    assert body.startswith("Paris (Example News)- The regulator fined")
    assert "would appeal" in body
    assert "All Rights Reserved" not in body
    assert "desk@examplenews.com" not in body
    assert "Home /" not in body
    assert body.count("over cookies") == 0  # the repeated headline (an image caption) is gone


def test_parse_date_handles_news_formats():
    assert parse_date("December 14 , 2021 16:53 BJT") == "2021-12-14T08:53:00Z"
    assert parse_date("Dec. 19 , 2025") == "2025-12-19"
    assert parse_date("发布时间：2021年12月14日") == "2021-12-14"
    assert parse_date("not a date") is None
    assert parse_date("no date here 12") is None  # never a day of the current month


def test_gasgoo_seed(seeds):
    article = read_article(next(seeds.glob("001_*.txt")))
    assert article.meta["title"].startswith("XPeng apologizes for illegal collection of human face photos")
    assert article.meta["provider"]["name"] == "Gasgoo"
    assert article.meta["publishedDateTime"] == "2021-12-14T08:53:00Z"
    assert "fined 100,000 yuan ($15,720)" in article.body
    assert "All Rights Reserved" not in article.body
    assert "buyer-support@gasgoo.com" not in article.body
