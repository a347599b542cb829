"""Data tables, lists and written-out code in an article: the extractor lays them out, the cleaner keeps them.

Every page and text here is hand-written to mirror constructions seen on real pages (a price table, a
status grid of tick images, a list announced by a sentence, a CamelCase product name, a code sample);
none of the text is copied from a real article.
"""

from __future__ import annotations

from monitor.extract import extract_article, extract_text
from monitor.extract.clean import clean

LEAD = ("Prices for magnet metals rose for a sixth week, traders in Shanghai and Rotterdam said on "
        "Friday, as buyers rebuilt stocks ahead of the new export licence rules taking effect.")
AFTER = ("Analysts expect the rise to slow once the first licences are issued, though few would say "
         "when that might be, given how long the ministry took to answer the last round of filings.")


def page(body: str) -> str:
    return (f"<html><head><title>Magnet metal prices rise</title></head><body><article>"
            f"<h1>Magnet metal prices rise</h1><p>{LEAD}</p>{body}<p>{AFTER}</p></article></body></html>")


PRICE_TABLE = (
    "<table><thead><tr><th>Product</th><th>Price</th><th>Change</th></tr></thead><tbody>"
    "<tr><td><p><b>Neodymium oxide</b></p></td><td>620,000</td><td>+1.2 %</td></tr>"
    "<tr><td>Dysprosium oxide</td><td>1,710,000</td><td>-0.4 %</td></tr>"
    "<tr><td>Terbium oxide</td><td>5,830,000</td><td>0.0 %</td></tr>"
    "</tbody></table>"
)


def test_a_data_table_row_is_one_line_with_its_cells_separated() -> None:
    text = extract_text(page(PRICE_TABLE))
    assert "Product | Price | Change" in text.split("\n")
    assert "Neodymium oxide | 620,000 | +1.2 %" in text.split("\n")
    assert "Terbium oxide | 5,830,000 | 0.0 %" in text.split("\n")


def test_the_stored_text_keeps_a_data_table_that_reads_as_a_menu_cell_by_cell() -> None:
    # Short labels one per line are what a menu looks like; a table's rows are the article's figures.
    text = extract_article(page(PRICE_TABLE)).text
    assert "Dysprosium oxide | 1,710,000 | -0.4 %" in text
    assert LEAD in text and AFTER in text


def test_a_status_grid_of_images_keeps_its_row_labels() -> None:
    tick = "<td><img src='/tick.png' alt=''></td>"
    rows = "".join(f"<tr><td>{name}</td>{tick}{tick}</tr>" for name in
                   ("Load screen", "Save screen", "Sound settings", "Graphics settings", "Map editor"))
    grid = f"<table><tr><td></td><td>Draft</td><td>Review</td></tr>{rows}</table>"
    text = extract_article(page(grid)).text
    for name in ("Load screen", "Save screen", "Sound settings", "Graphics settings", "Map editor"):
        assert f"{name} | |" in text


def test_a_layout_table_keeps_its_cells_as_blocks() -> None:
    # A 2010-era frame: a menu cell cut by <br> beside the story cell. Joining it would glue the
    # menu to the story; the extractor must still find the story alone.
    menu = "".join(f"<a href='/s{i}'>Section {i}</a><br>" for i in range(8))
    html = (f"<html><body><table><tr><td>{menu}</td><td><p>{LEAD}</p><p>{AFTER}</p></td></tr>"
            "</table></body></html>")
    text = extract_text(html)
    assert text.split("\n\n")[0] == LEAD
    assert "|" not in text


def test_a_long_cell_is_no_data_cell() -> None:
    html = page(f"<table><tr><td>{LEAD}</td><td>{AFTER}</td></tr></table>")
    assert " | " not in extract_text(html)


def test_a_breadcrumb_line_in_a_scrape_still_goes() -> None:
    text = f"Home | Markets | Commodities | Metals\n{LEAD}\n{AFTER}"
    assert "Home | Markets" not in clean(text).text


def test_a_list_announced_by_a_sentence_is_no_menu() -> None:
    units = ["Crusher", "Flotation", "Leaching", "Separation", "Calcining", "Packing"]
    text = "\n".join([LEAD, "The new plant is built from the following units:", *units, AFTER])
    cleaned = clean(text, extracted=True).text
    assert all(unit in cleaned.split("\n") for unit in units)


def test_a_menu_under_a_label_with_a_colon_still_goes() -> None:
    menu = ["News", "Markets", "Metals", "Energy", "Mining", "Opinion"]
    text = "\n".join([LEAD, "Sections:", *menu, AFTER])
    cleaned = clean(text).text.split("\n")
    assert not any(item in cleaned for item in menu)


def test_extracted_text_keeps_camel_case_names_and_words_starting_with_of() -> None:
    # Laid out from the DOM, a glued-looking word is what the page prints: a product name, a Spanish word.
    line = "The remoteStorage protocol and the iOS app ofrecen sync, the developers said in their notes."
    assert clean(line, extracted=True).text == line
    # A plain-text scrape that lost its tags still gets its glue repaired.
    assert "themselves Companies" in clean("They said so themselvesCompanies in the sector agreed.").text


def test_extracted_text_keeps_a_tag_written_out_as_text() -> None:
    sample = '<script src="vendor/chart.js" data-theme="dark"></script>'
    text = "\n".join([LEAD, "Add the library to the page:", sample, AFTER])
    assert sample in clean(text, extracted=True).text.split("\n")
    mention = "Give every <img> element an alt text that says what the chart shows, the guide says."
    assert mention in clean(f"{LEAD}\n{mention}\n{AFTER}", extracted=True).text
    # In a scrape, a tag in the text is markup the scraper left behind.
    assert "<script" not in clean(text).text


def test_extracted_text_still_loses_wordpress_block_debris() -> None:
    text = f"{LEAD}\n<!-- wp:paragraph -->\n{AFTER}"
    assert "wp:" not in clean(text, extracted=True).text


def test_extracted_text_keeps_a_short_line_printed_twice_apart() -> None:
    # Two embedded posts from one account: the attribution line is printed under each.
    credit = "— Ministry of Trade (@tradeministry) May 2, 2025"
    text = "\n".join([LEAD, "Quotas for the second half will be set in July.", credit, AFTER,
                      "Licences issued so far cover only part of last year's volume.", credit])
    assert clean(text, extracted=True).text.count(credit) == 2
    # A plain-text scrape printing it twice still loses the copy.
    assert clean(text).text.count(credit) == 1


def test_extracted_text_still_loses_a_line_right_after_itself() -> None:
    # (printed twice in a row it is a caption under its figure, and moves to the captions)
    stutter = "Officials declined to comment on the figures."
    cleaned = clean("\n".join([LEAD, stutter, stutter, AFTER]), extracted=True)
    assert cleaned.text.count(stutter) + cleaned.captions.count(stutter) == 1
