"""Older and unusual page layouts the extractor must read: one test per cause seen on 2010-era pages.

Every page here is hand-written to mirror a construction seen in the wild (table layouts with
``<font>`` wrappers, stray ``</p>`` tags, hidden microdata copies, BEM class names); none of
the text is copied from a real article.
"""

from __future__ import annotations

import pytest

from monitor.extract import extract_html, extract_text
from monitor.models import EmptyReason

LEAD = ("Exports of rare earth oxides fell by a third in the first quarter, the customs office said on "
        "Tuesday, as new licence rules slowed shipments from the northern ports.")
SECOND = ("Traders in Tokyo and Rotterdam said buyers had drawn down their stocks, and that prices for "
          "neodymium oxide had risen for six weeks in a row, the longest run since the spring.")
THIRD = ("A ministry spokesman said the rules were meant to curb smuggling, not to limit legitimate "
         "trade, and that licences would be issued within twenty working days of an application.")
BODY = (LEAD, SECOND, THIRD)

MENU = "".join(f"<a href='/s{i}'>Section {i}</a><br>" for i in range(8))
ADS = ("<div id='footer'><p>Advertise with us: reach buyers across the metals trade today.</p>"
       "<p>Sponsored links: cheap flights, hotel deals, car insurance quotes.</p></div>")
SCRIPTS = "<script>var _gaq = _gaq || []; _gaq.push(['_trackPageview']);</script>"


def page(body: str, head: str = "") -> str:
    title = "<title>Rare earth exports fall</title>"
    return f"<html><head>{title}{head}</head><body>{body}{SCRIPTS}</body></html>"


def table_layout(cell: str) -> str:
    """The 2010-era frame: a menu column, the story cell, an ad footer row."""
    return page(f"<table width='780'><tr><td width='160' valign='top'>{MENU}</td>"
                f"<td valign='top'>{cell}</td></tr><tr><td colspan='2'>{ADS}</td></tr></table>")


# --- cause 1: article text as bare text inside inline wrappers ------------------------------

INLINE_WRAPPERS = [
    ("font wrapper, stray </p> between paragraphs",
     f"<font face='Verdana' size='2'>{LEAD}</p>{SECOND}</p>{THIRD}</font>"),
    ("span wrapper, br breaks",
     f"<span class='storytext'>{LEAD}<br><br>{SECOND}<br><br>{THIRD}</span>"),
    ("font around span, empty paragraphs",
     f"<font size='2'><span>{LEAD}<p></p>{SECOND}<p></p>{THIRD}</span></font>"),
    ("one font per paragraph",
     f"<font size='2'>{LEAD}</font><p></p><font size='2'>{SECOND}</font><p></p>"
     f"<font size='2'>{THIRD}</font>"),
    ("bold headline then bare text in a font",
     f"<b>Exports fall</b><br><font face='Arial'>{LEAD}<br><br>{SECOND}<br><br>{THIRD}</font>"),
]


@pytest.mark.parametrize(("name", "cell"), INLINE_WRAPPERS, ids=[c[0] for c in INLINE_WRAPPERS])
def test_bare_text_in_inline_wrappers_is_the_article(name: str, cell: str) -> None:
    result = extract_html(table_layout(cell))
    assert result.empty_reason is None
    lines = result.text.splitlines()
    for paragraph in BODY:
        assert paragraph in lines
    assert "Sponsored links" not in result.text
    assert "Section 3" not in result.text


def test_a_page_with_visible_text_and_scripts_is_not_a_javascript_shell() -> None:
    # Visible text the extractor cannot use as an article (a one-line notice) is "no text", not a shell.
    result = extract_html(page(f"<div>{MENU}</div><div><b>Page moved.</b> <a href='/new'>New page</a></div>"))
    assert (result.text, result.empty_reason) == ("", EmptyReason.NO_TEXT)


def test_a_script_only_page_is_still_a_javascript_shell() -> None:
    result = extract_html(page("<div id='app'></div><noscript>Please enable JavaScript.</noscript>"))
    assert (result.text, result.empty_reason) == ("", EmptyReason.JAVASCRIPT_SHELL)


# --- cause 2: a short block of ads in the footer must not win ---------------------------------

def test_footer_ads_do_not_win_over_a_bare_text_body() -> None:
    cell = f"<div class='c1'>{LEAD}<br><br>{SECOND}<br><br>{THIRD}</div>"
    footer = "<footer>" + "".join(f"<p>Sponsored: buy gold bullion, coins and bars, offer {i}, today.</p>"
                                  for i in range(6)) + "</footer>"
    text = extract_text(page(f"<table><tr><td>{MENU}</td><td>{cell}</td></tr></table>{footer}"))
    assert text == "\n\n".join(BODY)


def test_footer_paragraphs_alone_are_not_an_article_when_the_body_is_in_inline_wrappers() -> None:
    text = extract_text(table_layout(f"<font size='2'>{LEAD}<br><br>{SECOND}<br><br>{THIRD}</font>"))
    assert "Advertise with us" not in text
    assert LEAD in text


def test_many_short_voting_paragraphs_do_not_outweigh_one_long_bare_text_story() -> None:
    # Readability's rule: bare text between <br><br> counts as paragraphs, each with its own vote.
    story = "<br><br>".join(BODY * 2)
    promos = "".join(f"<p>Offer {i}: save, subscribe, read more.</p>" for i in range(6))
    text = extract_text(page(f"<div id='c'><div id='s'>{story}</div></div><div id='p'>{promos}</div>"))
    assert text.split("\n\n") == list(BODY * 2)


# --- cause 3: a hidden copy of the body must not rank above the visible one -------------------

HIDDEN_COPIES = [
    ("display:none", "style='display:none'"),
    ("display: none with spaces and case", "style='DISPLAY: none;'"),
    ("hidden attribute", "hidden"),
    ("aria-hidden", "aria-hidden='true'"),
]


@pytest.mark.parametrize(("name", "attribute"), HIDDEN_COPIES, ids=[c[0] for c in HIDDEN_COPIES])
def test_hidden_article_body_copy_does_not_beat_the_visible_body(name: str, attribute: str) -> None:
    visible = "".join(f"<p>{p}</p>" for p in BODY)
    # The hidden microdata copy is the body flattened into one block, as CMS plugins emit it.
    hidden = f"<div itemprop='articleBody' {attribute}>{' '.join(BODY)}</div>"
    html = page(f"<div itemscope itemtype='http://schema.org/NewsArticle'>{hidden}"
                f"<div class='story'>{visible}</div></div>")
    assert extract_text(html) == "\n\n".join(BODY)


def test_hidden_ancestor_hides_the_structural_match() -> None:
    visible = "".join(f"<p>{p}</p>" for p in BODY)
    html = page(f"<div style='display:none'><div class='article-body'><p>{LEAD}</p><p>{SECOND}</p></div>"
                f"</div><div id='story'>{visible}</div>")
    assert extract_text(html) == "\n\n".join(BODY)


def test_a_visible_article_body_still_wins() -> None:
    html = page(f"<div class='teaser'><p>{THIRD}</p></div>"
                f"<div itemprop='articleBody'><p>{LEAD}</p><p>{SECOND}</p></div>")
    assert extract_text(html) == f"{LEAD}\n\n{SECOND}"


# --- cause 4: BEM class names, bodies split in sections ---------------------------------------

BEM = [
    ("post__content", "post__content"),
    ("article__body", "article__body"),
    ("block prefix and modifier", "c-article__body c-article__body--wide"),
    ("entry__content", "entry__content"),
    ("story__body", "story__body"),
]


@pytest.mark.parametrize(("name", "classes"), BEM, ids=[c[0] for c in BEM])
def test_bem_body_sections_are_all_kept(name: str, classes: str) -> None:
    sections = (f"<section class='{classes}'><p>{LEAD}</p><p>{SECOND}</p></section>"
                f"<div class='ad-slot'>Advertisement</div><h2>Licences</h2>"
                f"<section class='{classes}'><p>{THIRD}</p></section>")
    teasers = "".join(f"<div class='teaser'><p>{SECOND[:70]} {i}</p></div>" for i in range(3))
    text = extract_text(page(f"<div class='layout'>{sections}</div>{teasers}"))
    assert text == "\n\n".join(BODY)


# --- paragraphs one per nest, and word-processor paragraph classes ---------------------------

def test_story_written_one_paragraph_per_nested_div_wins_over_notes_and_comments() -> None:
    # Web-fiction and WYSIWYG-editor markup: <div><div><span>paragraph</span></div></div> per paragraph,
    # no <p> at all; the author's note and readers' comments below are written in <p>s.
    story = "".join(f"<div style='margin: 1em 0'><div style='direction: ltr'><span>{p}</span></div></div>"
                    for p in BODY * 4)
    note = "<div class='author-note'>" + "".join(f"<p>{SECOND} Thanks for reading, {i}.</p>"
                                                  for i in range(3)) + "</div>"
    replies = "".join(f"<div class='comment-item'><p>{THIRD} Reply {i}.</p><p>{LEAD}</p></div>"
                      for i in range(5))
    comments = f"<div id='comments'>{replies}</div>"
    html = page(f"<div class='chapter'><div style='min-height: 350px'>{story}</div></div>{note}{comments}")
    assert extract_text(html).split("\n\n") == list(BODY * 4)


def test_a_body_class_on_single_paragraphs_is_no_container() -> None:
    # Text pasted from a word processor keeps its paragraph styles: "MsoBodyText" names a style.
    body = (f"<p class='MsoBodyText'>{LEAD}</p><p class='MsoNormal'>{SECOND}</p>"
            f"<p class='MsoBodyText'>{THIRD}</p><p class='MsoNormal'>{LEAD}</p>")
    html = page(f"<div class='description'>{body}</div><div class='teaser'><p>{SECOND[:80]}</p></div>")
    assert extract_text(html) == "\n\n".join((*BODY, LEAD))


# --- embedded galleries and formulae ---------------------------------------------------------

def test_an_embedded_gallery_of_other_stories_is_not_body_text() -> None:
    slides = "".join(f"<li><b>{i}/20 Markets</b> Shares of miners rose on day {i}, traders said.</li>"
                     for i in range(1, 4))
    gallery = (f"<div class='dnd-atom type-gallery'><div class='full-gallery'><ul class='legends'>"
               f"{slides}</ul></div></div>")
    html = page(f"<div itemprop='articleBody'><p>{LEAD}</p>{gallery}<p>{SECOND}</p><p>{THIRD}</p></div>")
    assert extract_text(html) == "\n\n".join(BODY)


def test_mathml_formulae_are_visible_text() -> None:
    formula = "<math><mi>x</mi> <mo>=</mo> <mn>2</mn></math>"
    html = page(f"<article><p>{LEAD}</p><p>The ratio {formula} held in every sample.</p></article>")
    assert extract_text(html).endswith("The ratio x = 2 held in every sample.")


def test_a_gallery_longer_than_the_story_is_still_no_body_text() -> None:
    # A 50-slide gallery in the body: fifty captions outweigh the story, which still stands alone.
    slides = "".join(f"<li><h2><span>{i}/50</span> Markets</h2><p>Shares of miners rose on day {i}, "
                     f"traders in three cities said, as buyers returned after the holiday.</p></li>"
                     for i in range(1, 51))
    gallery = f"<div class='widget-wrapper type-gallery'><ul class='legends'>{slides}</ul></div>"
    story = "".join(f"<p>{p}</p>" for p in BODY * 4)
    text = extract_text(page(f"<div itemprop='articleBody'>{story}{gallery}<p>{LEAD}</p></div>"))
    assert text.split("\n\n") == [*BODY * 4, LEAD]


def test_a_gallery_article_keeps_its_captions_when_they_are_the_story() -> None:
    # A photo story whose only text is the gallery: nothing else would stand for the article.
    slides = "".join(f"<li><p>{p}</p></li>" for p in BODY)
    text = extract_text(page(f"<div itemprop='articleBody'><div class='gallery'><ul>{slides}</ul></div>"
                             f"<p>{LEAD}</p></div>"))
    assert LEAD in text and SECOND in text


# --- embedded players: their controls are interface, not prose ---------------------------------

PLAYER = (
    "<div class='player'><div class='vjs-big-play-button' role='button'><span>Play Video</span></div>"
    "<div class='vjs-control-bar' role='group'><div role='button'><span>Mute</span></div>"
    "<div role='slider' aria-label='volume'><span>Volume Level</span></div>"
    "<div role='progressbar'><span>Loaded: 0%</span></div>"
    "<ul role='menu'><li role='menuitemcheckbox'>captions off, selected</li>"
    "<li role='menuitem'>captions settings, opens captions settings dialog</li></ul></div>"
    "<div role='dialog'><p>Beginning of dialog window. Escape will cancel and close the window.</p></div>"
    "</div>"
)


def test_player_controls_inside_the_body_are_dropped() -> None:
    html = page(f"<article><p>{LEAD}</p>{PLAYER}<p>{SECOND}</p><p>{THIRD}</p></article>")
    assert extract_text(html) == "\n\n".join(BODY)


def test_a_story_inside_the_main_column_comes_without_the_columns_furniture() -> None:
    # <main> holds a video player with its settings menus (classes only, no roles), a breaking-news
    # strip and calls to action; the story is one element inside it.
    settings = "".join(f"<div class='yvp-settings-item'>{label}</div>" for label in
                       ("Video Quality", "Auto", "High (HD)", "Closed Caption Settings", "Font Size",
                        "Arial", "Georgia", "Times New Roman", "75% (transparency)") * 12)
    story = "".join(f"<p>{p}</p>" for p in BODY * 3)
    html = page(f"<div role='main'><div class='hd'><span>Breaking: markets open</span></div>"
                f"<div class='yvp-settings'>{settings}</div>"
                f"<div class='body yom-art-content' itemscope itemtype='https://schema.org/Article'>"
                f"{story}</div><div class='cta'><p>Ready to get started? See what your team could do.</p>"
                "</div></div>")
    assert extract_text(html).split("\n\n") == list(BODY * 3)


def test_a_short_main_column_is_kept_whole() -> None:
    # A landing page: <main> holds a few short blocks; none of them alone is a story.
    html = page(f"<main><div id='intro'><p>{LEAD}</p></div><div id='more'><p>{SECOND}</p>"
                f"<p>{THIRD}</p></div></main>")
    assert extract_text(html) == "\n\n".join(BODY)


# --- a body split into sections, one element per subheading or step ----------------------------

def test_sections_named_after_their_headings_are_not_share_widgets() -> None:
    # Documentation generators (and many CMSs) give each section the slug of its heading as id.
    sections = "".join(
        f"<div class='section' id='{slug}'><h2>{title}</h2><p>{LEAD}</p><p>{SECOND}</p><p>{THIRD}</p></div>"
        for slug, title in (("sharing-with-a-single-developer", "Sharing with a single developer"),
                            ("related-work", "Related work"),
                            ("comments-on-the-draft", "Comments on the draft")))
    text = extract_text(page(f"<div class='content'><div class='section' id='intro'><h1>Guide</h1>"
                             f"<p>{THIRD}</p>{sections}</div></div>"))
    for title in ("Sharing with a single developer", "Related work", "Comments on the draft"):
        assert title in text
    assert text.count(LEAD) == 3


def test_a_share_bar_is_still_removed_even_with_a_heading() -> None:
    bar = "<div id='share-bar'><h3>Share this</h3><span>Facebook</span> <span>Email</span></div>"
    html = page(f"<article><p>{LEAD}</p>{bar}<p>{SECOND}</p><p>{THIRD}</p></article>")
    assert extract_text(html) == "\n\n".join(BODY)


def test_a_story_split_into_step_blocks_is_kept_whole() -> None:
    # How-to layout: each step its own wrapper, with related links and ads between steps.
    steps = "".join(f"<div class='mod step'><div class='stepContent'><div class='content'>"
                    f"<span class='head'>Step {i}</span><p>{p}</p></div></div></div>"
                    f"<div class='related'><ul><li><a href='/r{i}'>Other people are reading {i}</a></li></ul>"
                    "</div>" for i, p in enumerate(BODY * 2, start=1))
    lead = (f"<div class='mod step'><div class='stepContent'><div class='content lead'><p>{LEAD} {SECOND}</p>"
            "</div></div></div>")
    html = page(f"<header><a href='/'>Home</a></header><div id='main'><div class='page'>{lead}{steps}</div>"
                "</div><div class='sidebar'><p>Popular: twenty ways to save on your heating bill.</p>"
                "</div>")
    text = extract_text(html)
    assert [p for p in text.split("\n\n") if not p.startswith("Step")] == [f"{LEAD} {SECOND}", *BODY * 2]


def test_a_sidebar_box_with_the_body_class_is_no_chunk_of_the_body() -> None:
    # Blog themes reuse "entry-content" for sidebar boxes: a category list with post counts.
    categories = "<br>".join(f"<a href='/c{i}'>Camp sites in county number {i}</a> ({i + 3} posts)"
                         for i in range(12))
    story = "".join(f"<p>{p}</p>" for p in BODY * 2)
    html = page(f"<div id='main'><div class='article'><div class='article-body'>{story}</div></div>"
                f"<div id='links'><div class='box'><div class='box-text entry-content'>{categories}</div>"
                "</div></div></div>")
    assert extract_text(html).split("\n\n") == list(BODY * 2)


def test_a_body_class_wrapper_around_the_body_gives_way_to_it() -> None:
    # article-content holds the headline, dateline and the story's link; article-body the story.
    story = "".join(f"<p>{p}</p>" for p in BODY * 4)
    wrapper = ("<div class='article-content'><h1>Exports fall</h1><p>https://news.example/2026/exports-fall</p>"
               f"<p>Updated 10:01 pm, Tuesday</p><div class='article-body'>{story}</div></div>")
    assert extract_text(page(wrapper)).split("\n\n") == list(BODY * 4)


def test_body_sections_inside_a_body_class_keep_the_text_between_them() -> None:
    # BEM sections inside an entry-content wrapper, with a paragraph between two of them.
    first, *rest = [f"<section class='article__content'><p>{p}</p><p>{p}</p><p>{p}</p></section>"
                    for p in BODY]
    between = "<p>Between the sections, the reporter adds one more paragraph of the story itself.</p>"
    html = page(f"<div class='post-article entry-content'>{first}{between}{''.join(rest)}</div>")
    text = extract_text(html)
    assert "one more paragraph of the story itself" in text
    assert text.count(THIRD) == 3


def test_an_in_page_table_of_contents_goes_and_the_subheadings_stay() -> None:
    # The contents list repeats the subheadings as #anchor links; the subheadings are the text.
    toc = ("<div class='contents topic'><p>Contents</p><ul><li><a href='#quotas'>Quotas</a></li>"
           "<li><a href='#licences'>Licences</a></li></ul></div>")
    story = (f"<h2 id='quotas'>Quotas</h2><p>{LEAD}</p><p>{SECOND}</p>"
             f"<h2 id='licences'>Licences</h2><p>{THIRD}</p>")
    text = extract_text(page(f"<article>{toc}{story}</article>"))
    assert text.split("\n\n") == ["Quotas", LEAD, SECOND, "Licences", THIRD]
