"""Structural rules, rendering and metadata of the HTML extractor, from small hand-written pages."""

from __future__ import annotations

import pytest

from monitor.extract import extract_html, extract_text
from monitor.extract.metadata import normalize_date

PROSE = (
    "Rare earth prices rose again this week, as exporters cut shipments and buyers in Europe, "
    "Japan and the United States scrambled for supply."
)
MORE = "Analysts said the squeeze on neodymium and dysprosium would last into next year, at least."


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def article(inner: str) -> str:
    return page(f"<nav><a href='/'>Home</a> <a href='/w'>World</a></nav><article><p>{PROSE}</p>{inner}"
                f"<p>{MORE}</p></article><footer>© Example News 2026, all rights reserved</footer>")


# --- rendering: inline elements keep their whitespace, blocks break lines ------------------

RENDERING = [
    ("inline tag inside a word", f"<p>{PROSE} of<b>products</b></p>", f"{PROSE} ofproducts"),
    ("inline tag between words", f"<p>{PROSE} <i>rare</i> earths</p>", f"{PROSE} rare earths"),
    ("br breaks a line", f"<p>{PROSE}<br>{MORE}</p>", f"{PROSE}\n{MORE}"),
    ("double br breaks a paragraph", f"<div>{PROSE}<br><br>{MORE}</div>", f"{PROSE}\n\n{MORE}"),
    ("list items", f"<p>{PROSE}</p><ul><li>neodymium</li><li>terbium</li></ul>",
     f"{PROSE}\n\nneodymium\n\nterbium"),
    ("heading kept", f"<p>{PROSE}</p><h2>Supply</h2><p>{MORE}</p>", f"{PROSE}\n\nSupply\n\n{MORE}"),
    ("block quote kept", f"<p>{PROSE}</p><blockquote>{MORE}</blockquote>", f"{PROSE}\n\n{MORE}"),
    ("source whitespace collapsed", f"<p>{PROSE}\n   and   more</p>", f"{PROSE} and more"),
    ("entities decoded, no-break space normalised", f"<p>{PROSE} &amp; MP&nbsp;Materials</p>",
     f"{PROSE} & MP Materials"),
]


@pytest.mark.parametrize(("name", "body", "expected"), RENDERING, ids=[r[0] for r in RENDERING])
def test_rendering(name: str, body: str, expected: str) -> None:
    assert extract_text(page(f"<article>{body}</article>")) == expected


# --- structural noise: each rule removes its element and keeps the prose around it ----------

NOISE = [
    ("nav", "<nav><ul><li>World</li><li>Business markets</li></ul></nav>"),
    ("aside", "<aside>Most read: China halts exports of magnets</aside>"),
    ("footer", "<footer>Contact the newsroom at desk@example.com</footer>"),
    ("header", "<header>Breaking news ticker says hello</header>"),
    ("script", "<script>var tracking = 'Rare earth prices tracking pixel';</script>"),
    ("style", "<style>p { color: red }</style>"),
    ("noscript", "<noscript>Please enable JavaScript to read comments</noscript>"),
    ("iframe", "<iframe src='x'>Embedded video player text</iframe>"),
    ("form", "<form><label>Email address for our newsletter</label><input></form>"),
    ("hidden attribute", "<div hidden>Hidden teaser about lithium markets</div>"),
    ("aria-hidden", "<div aria-hidden='true'>Screen readers skip this promo</div>"),
    ("display none", "<div style='display: none'>Invisible subscription prompt text</div>"),
    ("share widget", "<div class='share-tools'>Share on Facebook Share on Twitter</div>"),
    ("social class", "<div class='social-links'>Follow us everywhere online</div>"),
    ("newsletter", "<div class='newsletter-signup'>Get the briefing in your inbox daily</div>"),
    ("cookie banner", "<div id='cookie-consent'>We use cookies to improve your experience</div>"),
    ("comments", "<section class='comments'>Great article, thanks for writing it</section>"),
    ("related links", "<div class='related-articles'>Related: Magnets in short supply</div>"),
    ("advert by class name", "<div class='ad'>Advertisement for a broker account today</div>"),
    ("most-read list", "<ul><li><a href='/1'>China halts magnet exports entirely</a></li>"
                       "<li><a href='/2'>Lynas opens a new plant in Texas</a></li></ul>"),
    ("link-only paragraph", "<p><a href='/3'>Read more about gallium and germanium exports</a></p>"),
    ("author bio, BEM", "<div class='user-bio'><div class='user-bio__main-text'>Jo Reed is a markets "
                        "reporter based in Perth.</div></div>"),
    ("author bio, suffix", "<div class='post-body-bio'>Jo Reed covers metals for the paper.</div>"),
    ("chart labels over a chart image",
     "<div class='ai2html ai2html-box-v5'><div class='g-artboard'><p>$915</p><p>billion</p>"
     "<p>Interest payments</p><p>’17</p></div></div>"),
    ("player countdown", "<div class='js-vid-countdown countdown'>Your video will play in 00:25</div>"),
    ("player controls", "<div class='vjs-control-bar'><div role='button'>Play</div>"
                        "<div role='slider'>Volume Level</div></div>"),
]


@pytest.mark.parametrize(("name", "noise"), NOISE, ids=[n[0] for n in NOISE])
def test_structural_noise_is_removed(name: str, noise: str) -> None:
    text = extract_text(article(noise))
    assert text == f"{PROSE}\n\n{MORE}"


QUOTED_POSTS = [
    ("embedded post in a social wrapper",
     "<div class='social-media-embed'><blockquote class='twitter-tweet'><p>Magnet prices doubled "
     "since May, and nobody in Europe is ready for it</p>— A Trader (@trader) "
     "<a href='https://x.example/1'>May 2, 2026</a></blockquote></div>",
     "Magnet prices doubled since May, and nobody in Europe is ready for it\n\n— A Trader (@trader) "
     "May 2, 2026"),
    ("share bar beside a short quote still goes",
     "<div class='share-tools'><blockquote>Share</blockquote> Share on Facebook, on Twitter, "
     "by email or print this article</div>", ""),
]


@pytest.mark.parametrize(("name", "widget", "kept"), QUOTED_POSTS, ids=[q[0] for q in QUOTED_POSTS])
def test_quoted_posts_in_widget_wrappers_stay(name: str, widget: str, kept: str) -> None:
    # An embedded tweet is evidence the author quotes; its wrapper's "social" class is not a share bar.
    middle = f"\n\n{kept}" if kept else ""
    assert extract_text(article(widget)) == f"{PROSE}{middle}\n\n{MORE}"


AD_LABELS = [
    ("label in an unhinted slot", "<div class='x9q'><center><span>Advert</span><br></center></div>", True),
    ("upper-case label", "<div><div>ADVERTISEMENT</div></div>", True),
    ("advertising label", "<div class='x-label'>ADVERTISING</div>", True),
    ("continue-reading label", "<p>Story continues below advertisement</p>", True),
    ("sentence mentioning an advert", "<p>The advertisement ran in three papers on Monday.</p>", False),
]


@pytest.mark.parametrize(("name", "slot", "dropped"), AD_LABELS, ids=[a[0] for a in AD_LABELS])
def test_ad_slot_labels_are_dropped(name: str, slot: str, dropped: bool) -> None:
    # Ad slots print a label as their only text even where their markup gives no hint.
    text = extract_text(article(slot))
    assert (text == f"{PROSE}\n\n{MORE}") is dropped


def test_captions_are_kept_apart_from_the_body() -> None:
    figure = "<figure><img src='a.jpg'><figcaption>A mine in Bayan Obo. (Reuters)</figcaption></figure>"
    result = extract_html(article(figure))
    assert result.text == f"{PROSE}\n\n{MORE}"
    assert result.captions == ("A mine in Bayan Obo. (Reuters)",)


CAPTION_LOOKALIKES = [
    ("no_caption on a list item", "<div class='list_item list_item_image no_caption'><h2>{0}</h2></div>"),
    ("has-caption on a wrapper", "<div class='media has-caption'><p>{0}</p></div>"),
    ("no-caption inside a longer name", "<div class='story-item-no-caption'><p>{0}</p></div>"),
    ("biotech category is no bio", "<div class='category-biotech'><p>{0}</p></div>"),
]


@pytest.mark.parametrize(("name", "wrapper"), CAPTION_LOOKALIKES, ids=[c[0] for c in CAPTION_LOOKALIKES])
def test_class_names_that_only_look_like_noise_keep_their_text(name: str, wrapper: str) -> None:
    # "no_caption" says the item has no caption: its text (here the lead) is the story's.
    result = extract_html(article(wrapper.format(MORE.replace("Analysts", "Traders"))))
    assert MORE.replace("Analysts", "Traders") in result.text.split("\n\n")
    assert result.captions == ()


def test_a_widget_class_on_the_whole_article_does_not_remove_it() -> None:
    # Some CMSs put "share" or "comments-enabled" classes on the article wrapper itself.
    html = page(f"<article class='has-share comments-enabled'><div class='sharebar-wrap'>"
                f"<p>{PROSE}</p><p>{MORE}</p></div></article>")
    assert extract_text(html) == f"{PROSE}\n\n{MORE}"


# --- choosing the container ----------------------------------------------------------------

CONTAINERS = [
    ("itemprop articleBody beats article",
     f"<article><p>{MORE} {MORE}</p><div itemprop='articleBody'><p>{PROSE}</p></div></article>", PROSE),
    ("CMS body class",
     f"<div class='teasers'><p>{MORE}</p></div><div class='article-body'><p>{PROSE}</p><p>{PROSE}</p></div>",
     f"{PROSE}\n\n{PROSE}"),
    ("article element", f"<div><p>{MORE}</p></div><article><p>{PROSE}</p><p>{PROSE}</p></article>",
     f"{PROSE}\n\n{PROSE}"),
    ("body split in chunks keeps every chunk in order",
     f"<div class='article-body'><p>{PROSE}</p></div><div class='ad'>Ad</div>"
     f"<div class='article-body'><p>{MORE}</p></div>", f"{PROSE}\n\n{MORE}"),
    ("scoring fallback picks the dense prose block",
     f"<div id='menu'><a href='/a'>Markets</a> <a href='/b'>Metals and mining news</a></div>"
     f"<div id='x'><p>{PROSE}</p><p>{MORE}</p><p>{PROSE}</p></div>"
     f"<div id='y'><p><a href='/c'>{MORE}</a></p></div>", f"{PROSE}\n\n{MORE}\n\n{PROSE}"),
    ("bare text with br in a div", f"<div id='story'>{PROSE}<br><br>{MORE}</div>", f"{PROSE}\n\n{MORE}"),
    ("paragraphs inside teaser links do not hide a bare-text article",
     f"<div id='story'>{PROSE}<br><br>{MORE}</div><div id='guides'>"
     + "".join(f"<a href='/g{i}'><p>{PROSE} {MORE}</p></a>" for i in range(8)) + "</div>",
     f"{PROSE}\n\n{MORE}"),
    ("a long comment thread does not outvote the article",
     f"<div id='story'><p>{PROSE}</p><p>{MORE}</p></div><div id='comments'>"
     + "".join(f"<div class='comment'><p>{MORE} {PROSE}</p><p>{PROSE}</p></div>" for _ in range(4))
     + "</div>", f"{PROSE}\n\n{MORE}"),
    ("a comments setting on the article wrapper is not a thread",
     f"<div class='comments-open'><div id='story'><p>{PROSE}</p><p>{MORE}</p></div></div>"
     f"<div id='x'><p>{MORE}</p></div>", f"{PROSE}\n\n{MORE}"),
]


@pytest.mark.parametrize(("name", "body", "expected"), CONTAINERS, ids=[c[0] for c in CONTAINERS])
def test_container_choice(name: str, body: str, expected: str) -> None:
    assert extract_text(page(body)) == expected


# --- empty pages ---------------------------------------------------------------------------

EMPTY = [
    ("empty string", "", "empty_input"),
    ("frameset", "<html><frameset><frame src='a.html'></frameset></html>", "frameset"),
    ("javascript shell", "<html><body><div id='root'></div><script>render()</script></body></html>",
     "javascript_shell"),
    ("only navigation", "<html><body><nav><a href='/'>Home</a></nav></body></html>", "no_text"),
]


@pytest.mark.parametrize(("name", "html", "reason"), EMPTY, ids=[e[0] for e in EMPTY])
def test_empty_pages_say_why(name: str, html: str, reason: str) -> None:
    result = extract_html(html)
    assert (result.text, result.empty_reason) == ("", reason)


def test_text_sets_no_empty_reason() -> None:
    assert extract_html(article("")).empty_reason is None


# --- metadata ------------------------------------------------------------------------------

JSON_LD = """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "name": "Example"},
 {"@type": "NewsArticle", "headline": "Prices rise", "datePublished": "2026-03-02T08:00:00+01:00",
  "dateModified": "2026-03-02T10:30:00Z", "author": [{"@type": "Person", "name": "Ana Li"}, "Bo Chen"],
  "publisher": {"@type": "Organization", "name": "Example News"}, "inLanguage": "en-GB",
  "description": "Shipments cut."}]}</script>"""
META = """<meta property="og:title" content="OG title"><meta property="og:site_name" content="OG Site">
<meta name="author" content="Meta Author"><meta property="article:published_time" content="2026-01-05">
<meta property="article:modified_time" content="2026-01-06T12:00:00-05:00">
<meta name="description" content="Meta description"><link rel="canonical" href="https://ex.com/a">"""


def test_json_ld_metadata() -> None:
    result = extract_html(page(f"<article><p>{PROSE}</p></article>", head=JSON_LD))
    assert result.title == "Prices rise"
    assert result.authors == ("Ana Li", "Bo Chen")
    assert result.published == "2026-03-02T07:00:00Z"
    assert result.updated == "2026-03-02T10:30:00Z"
    assert (result.site_name, result.lang, result.description) == ("Example News", "en-GB", "Shipments cut.")


def test_meta_tag_metadata() -> None:
    result = extract_html(f"<html lang='fr'><head>{META}</head><body><p>{PROSE}</p></body></html>")
    assert result.title == "OG title"
    assert result.authors == ("Meta Author",)
    assert (result.published, result.updated) == ("2026-01-05", "2026-01-06T17:00:00Z")
    assert (result.canonical_url, result.site_name, result.lang) == ("https://ex.com/a", "OG Site", "fr")
    assert result.description == "Meta description"


def test_json_ld_wins_over_meta_tags() -> None:
    result = extract_html(page(f"<p>{PROSE}</p>", head=META + JSON_LD))
    assert (result.title, result.published) == ("Prices rise", "2026-03-02T07:00:00Z")


def test_broken_json_ld_falls_back_to_meta() -> None:
    broken = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    result = extract_html(page(f"<p>{PROSE}</p>", head=broken + META))
    assert result.title == "OG title"


def test_time_element_and_title_fallbacks() -> None:
    html = page(f"<h1>The headline</h1><time datetime='2025-12-24T18:00:00Z'>Dec 24</time><p>{PROSE}</p>",
                head="<title>Site | The headline</title>")
    result = extract_html(html)
    assert (result.title, result.published) == ("The headline", "2025-12-24T18:00:00Z")


URL_DATES = [
    ("https://ex.com/2019/11/19/opinion/story.html", "2019-11-19"),
    ("https://ex.com/news/2024-02-29-magnets", "2024-02-29"),
    ("https://ex.com/20230105/story", "2023-01-05"),
    ("https://ex.com/2023/02/30/not-a-day", None),
    ("https://ex.com/story-12345678", None),
]


@pytest.mark.parametrize(("url", "expected"), URL_DATES)
def test_date_from_url(url: str, expected: str | None) -> None:
    assert extract_html(page(f"<p>{PROSE}</p>"), url=url).published == expected


DATES = [
    ("2026-03-02", "2026-03-02"),
    ("2026-03-02T08:00:00Z", "2026-03-02T08:00:00Z"),
    ("2026-03-02T08:00:00+02:00", "2026-03-02T06:00:00Z"),
    ("2026-03-02T08:00:00", "2026-03-02T08:00:00"),
    ("Mon, 02 Mar 2026 08:00:00 GMT", "2026-03-02T08:00:00Z"),
    ("yesterday", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_normalize_date(raw: str, expected: str | None) -> None:
    assert normalize_date(raw) == expected


def test_a_hover_card_over_a_linked_name_goes_and_its_paragraph_stays() -> None:
    # News sites attach a pop-up card (photo, name, the person's latest headlines) to a linked
    # name inside a sentence; its links made the whole paragraph look like a link list.
    card = ("<span class='rollover-people'><a href='/people/jo-reed'>Jo Reed</a>"
            "<span class='rollover-people-block'><span class='rollover-block'>"
            "<a href='/people/jo-reed'>Jo Reed</a>"
            "<a href='/a1'>Miners brace for a second year of export quotas and lower prices</a> "
            "<a href='/a2'>Magnet makers sign supply deals with two new separation plants</a> "
            "<a href='/more'>MORE</a></span></span></span>")
    sentence = "The ministry named {} (Perth) as its new envoy for critical minerals on Monday."
    text = extract_text(article(f"<p>{sentence.format(card)}</p>"))
    assert text == f"{PROSE}\n\n{sentence.format('Jo Reed')}\n\n{MORE}"


# --- the headline is the title, not a paragraph of the body -------------------------------

HEADLINE = "China adds five heavy rare earths to its export list"
HEADLINES = [
    ("h1 the title repeats goes", f"<title>{HEADLINE} | Example News</title>",
     f"<h1>{HEADLINE}</h1><p>{PROSE}</p><p>{MORE}</p>", f"{PROSE}\n\n{MORE}"),
    ("h1 the title does not name stays", f"<title>{HEADLINE}</title>",
     f"<h1>Supply</h1><p>{PROSE}</p><p>{MORE}</p>", f"Supply\n\n{PROSE}\n\n{MORE}"),
    ("no title: h1 stays", "",
     f"<h1>{HEADLINE}</h1><p>{PROSE}</p><p>{MORE}</p>", f"{HEADLINE}\n\n{PROSE}\n\n{MORE}"),
    ("two h1 are section headings", f"<title>{HEADLINE}</title>",
     f"<h1>{HEADLINE}</h1><p>{PROSE}</p><h1>Prices</h1><p>{MORE}</p>",
     f"{HEADLINE}\n\n{PROSE}\n\nPrices\n\n{MORE}"),
]


@pytest.mark.parametrize(("name", "head", "body", "expected"), HEADLINES, ids=[h[0] for h in HEADLINES])
def test_headline_leaves_the_body(name: str, head: str, body: str, expected: str) -> None:
    html = page(f"<article>{body}</article>", head=head)
    assert extract_text(html) == expected
    extracted = extract_html(html)
    assert extracted.text == expected
    if name.endswith("goes"):
        assert extracted.title == HEADLINE  # the headline is not lost: it is the title
