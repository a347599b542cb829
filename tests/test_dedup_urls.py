"""Canonical URLs: every way of reaching one page folds to one key; different pages stay apart."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.dedup.urls import canonicalize

CASES = [
    # case, default port, fragment
    ("HTTPS://Example.COM/News/Story", "https://example.com/News/Story"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com", "https://example.com/"),
    ("  https://example.com/a \n", "https://example.com/a"),
    # trailing slash policy: dropped except for the root
    ("https://example.com/a/b/", "https://example.com/a/b"),
    ("https://example.com/", "https://example.com/"),
    ("https://example.com/a//", "https://example.com/a"),
    # dot segments
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/../a", "https://example.com/a"),
    # percent-encoding
    ("https://example.com/%7euser/%e2%82%ac", "https://example.com/~user/%E2%82%AC"),
    ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
    ("https://example.com/ä b", "https://example.com/%C3%A4%20b"),
    ("https://example.com/100%", "https://example.com/100%25"),
    ("https://example.com/s?q=%41%62", "https://example.com/s?q=Ab"),
    # IDNA
    ("https://München.de/nachrichten", "https://xn--mnchen-3ya.de/nachrichten"),
    ("https://xn--mnchen-3ya.de/nachrichten", "https://xn--mnchen-3ya.de/nachrichten"),
    # user info is not part of a page's identity
    ("https://user:secret@example.com/a", "https://example.com/a"),
    # tracking parameters
    ("https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://example.com/a"),
    ("https://example.com/a?fbclid=IwAR0&gclid=abc", "https://example.com/a"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&igshid=3", "https://example.com/a"),
    ("https://example.com/a?ref=twitter&ref_src=twsrc%5Etfw", "https://example.com/a"),
    ("https://example.com/a?cmpid=rss&ocid=msn&smid=tw-share", "https://example.com/a"),
    ("https://example.com/a?__twitter_impression=true", "https://example.com/a"),
    ("https://example.com/a?UTM_Source=X&id=7", "https://example.com/a?id=7"),
    ("https://example.com/a?xtor=RSS-1&CMP=share_btn_tw", "https://example.com/a"),
    # remaining query sorted, kept otherwise
    ("https://example.com/article?b=2&a=1&utm_source=x", "https://example.com/article?a=1&b=2"),
    ("https://example.com/article?id=42&page=2", "https://example.com/article?id=42&page=2"),
    ("https://example.com/a?", "https://example.com/a"),
    ("https://example.com/a?flag", "https://example.com/a?flag"),
    # AMP
    ("https://example.com/amp/news/story", "https://example.com/news/story"),
    ("https://example.com/news/story/amp/", "https://example.com/news/story"),
    ("https://example.com/news/story.amp", "https://example.com/news/story"),
    ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
    ("https://example.com/news/story?amp=1", "https://example.com/news/story"),
    ("https://example.com/news/story?amp", "https://example.com/news/story"),
    ("https://example.com/news/story?outputType=amp", "https://example.com/news/story"),
    ("https://example.com/news/story?outputType=print", "https://example.com/news/story?outputType=print"),
    (
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story",
        "https://example.com/news/story",
    ),
    ("https://www.google.com/amp/s/www.example.com/news/story.amp", "https://example.com/news/story"),
    # host prefixes fold into the plain host
    ("https://amp.example.com/news/story", "https://example.com/news/story"),
    ("https://m.example.com/news/story", "https://example.com/news/story"),
    ("https://mobile.example.com/news/story", "https://example.com/news/story"),
    ("https://www.example.com/news/story", "https://example.com/news/story"),
    ("https://m.example.co.uk/news", "https://example.co.uk/news"),
    ("https://m.com/a", "https://m.com/a"),
    ("https://news.example.com/a", "https://news.example.com/a"),
    # relative URLs against a base
    ("/news/story?utm_source=x", "https://example.com/news/story"),
    ("story-2", "https://example.com/news/story-2"),
    # not an absolute web URL: returned stripped
    ("", ""),
    ("  not a url  ", "not a url"),
    ("mailto:desk@example.com", "mailto:desk@example.com"),
    ("ftp://example.com/file", "ftp://example.com/file"),
    ("https://", "https://"),
    ("http://example.com:99999/a", "http://example.com:99999/a"),
    ("http://[::1/a", "http://[::1/a"),
    ("https://" + "a" * 70 + "ü.com/", "https://" + "a" * 70 + "ü.com/"),
]

BASE_FOR = {"/news/story?utm_source=x": "https://example.com/", "story-2": "https://example.com/news/story-1"}


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url, BASE_FOR.get(url)) == expected


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_form_is_a_fixed_point(url: str, expected: str) -> None:
    assert canonicalize(expected, BASE_FOR.get(url)) == expected


def test_absolute_url_ignores_base() -> None:
    assert canonicalize("https://other.org/x", "https://example.com/") == "https://other.org/x"


@given(st.text(max_size=200))
def test_never_raises_on_junk(text: str) -> None:
    assert isinstance(canonicalize(text), str)


@given(st.text(max_size=60), st.text(max_size=40))
def test_never_raises_on_junk_path_and_query(path: str, query: str) -> None:
    url = f"https://example.com/{path}?{query}"
    once = canonicalize(url)
    assert canonicalize(once) == once
