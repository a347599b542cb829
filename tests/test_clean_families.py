"""Each boilerplate family the cleaner knows: lines it removes (with the reason) and look-alike
article sentences it must keep. The cases mirror real constructions; none is copied from a page."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract.clean import clean
from monitor.extract.plain import extract_plain

BEFORE = "Lynas said on Tuesday that it would expand its Malaysian refinery to process heavy rare earths."
AFTER = "The company expects the first dysprosium oxide from the new circuit in the second half of the year."


def reasons(line: str) -> list[str]:
    """The reasons the cleaner gives for the line, placed between two body sentences."""
    result = clean("\n".join([BEFORE, line, AFTER]))
    assert BEFORE in result.text and AFTER in result.text
    return [removed.reason for removed in result.removed if removed.text == line]


NOISE = [
    # consent notices and their buttons
    ("We use cookies to give you the best experience on our website.", "consent"),
    ("This site uses cookies. By continuing to browse the site you agree to our use of cookies.", "consent"),
    ("We and our partners store and/or access information on a device, such as cookies.", "consent"),
    ("By clicking Accept, you consent to the storing of cookies and agree to our Privacy Policy.", "consent"),
    ("Accept", "consent"),
    ("Accept all cookies", "consent"),
    ("Reject all", "consent"),
    ("Ok", "consent"),
    ("Got it!", "consent"),
    ("Manage preferences", "consent"),
    ("Cookie settings", "consent"),
    # breadcrumbs
    ("Home | Markets | Commodities | Metals", "breadcrumb"),
    ("Home > News > Mining", "breadcrumb"),
    ("News » Asia » China", "breadcrumb"),
    ("Home / Business", "breadcrumb"),
    # tags
    ("Tags: rare earths, China, magnets", "tags"),
    ("Tags:", "tags"),
    ("Filed under: Mining |", "tags"),
    ("Topics Rare Earths Magnets Trade", "tags"),
    ("Categories: Markets, Metals", "tags"),
    # previous / next
    ("Previous article", "prev-next"),
    ("Next Post: Lithium explorer raises funds", "prev-next"),
    ("« Previous Post Next Post »", "prev-next"),
    ("Post navigation", "prev-next"),
    # sign-in and comment prompts
    ("Sign in to comment", "sign-in"),
    ("You must be logged in to post a comment.", "sign-in"),
    ("Join the conversation", "sign-in"),
    ("Leave a Reply", "sign-in"),
    ("Your email address will not be published. Required fields are marked *", "sign-in"),
    ("Tell us what YOU think...", "sign-in"),
    # subscribe and paywall prompts
    ("Click here to subscribe to our weekly metals briefing", "subscribe"),
    ("Already a member? Log in", "subscribe"),
    ("Already a subscriber?", "subscribe"),
    ("To continue reading, subscribe now.", "subscribe"),
    ("You have 2 free articles remaining this month.", "subscribe"),
    ("Start your free trial today", "subscribe"),
    # publisher standards
    ("Our Standards: The Thomson Reuters Trust Principles.", "standards"),
    ("Learn more about our editorial standards", "standards"),
    ("Reuse this content", "standards"),
    # image credits
    ("Header image: via Wikimedia Commons", "photo-credit"),
    ("Featured image: satellite view of the pond", "photo-credit"),
    ("Photo: company handout", "photo-credit"),
    ("Credit...Jane Roe/The Daily Planet", "photo-credit"),
    ("Jane Roe/Getty Images", "photo-credit"),
    # share lines
    ("Share this article on: Facebook | Twitter | LinkedIn", "share-widget"),
    ("Sharing is caring!", "share-widget"),
    ("1.2k shares", "share-widget"),
    ("Follow us on Twitter and Facebook", "share-widget"),
    # republication notices
    ("This article is republished from a partner site under a Creative Commons license.", "republication"),
    ("Republish this article", "republication"),
    ("Reprinted with permission from the author.", "republication"),
    # advertisement labels
    ("Advert", "advertisement"),
    # gallery counters, widget labels, timestamps
    ("Image 1 of 23", "gallery"),
    ("1 / 23", "gallery"),
    ("Caption", "consent"),
    ("Print", "share-widget"),
    ("Published 11:34 PM EST Nov 19, 2019", "date"),
    ("Updated at 1:23 p.m.", "date"),
    ("Jane Roe 2026-03-12 14:35:08", "date"),
    ("11/19/19 06:56 AM EST", "date"),
    ("By Jane Roe - 11/19/19 06:56 AM EST", "byline"),
    ("- Next Mining News", "prev-next"),
    # contributed-reporting notes, read-more links, captions credited in brackets
    ("Jane Roe contributed reporting from Hong Kong.", "signoff"),
    ("SEE MORE: Lithium explorer raises funds for drilling", "read-more"),
    ("READ MORE ON METALS DAILY BY CLICKING HERE", "read-more"),
    ("Related post: Lithium explorer raises funds", "read-more"),
    ("Workers at the plant near Baotou sort ore (Image: Getty)", "caption"),
    ("Image caption Workers at the plant near Baotou sort ore", "caption"),
    ("Updated 3 hours ago", "date"),
    ("Posted 20 minutes ago", "date"),
    ("Posted by Admin on March 3, 2026 | 4 Comments", "share-widget"),
    ("This article may be republished under a Creative Commons licence.", "republication"),
]


@pytest.mark.parametrize(("line", "reason"), NOISE)
def test_family_line_is_removed_with_its_reason(line: str, reason: str) -> None:
    assert reasons(line) == [reason]


BODY = [
    "Accept that the market will stay tight, analysts told clients on Friday.",
    "The ministry said cookies and other baked goods were exempt from the new food labelling law.",
    "Prices rose 3% in Shanghai | Baotou | Ganzhou, according to the price agency's weekly survey.",
    "Tags attached to each container must now list the end user, according to the notice.",
    "Topics discussed at the meeting included quotas, recycling and environmental checks.",
    "Previous attempts to tighten controls were abandoned after complaints from foreign buyers.",
    "Next year the company plans to double its separation capacity in Texas.",
    "Comments from the ministry suggested further rules could follow.",
    "Subscribers to the government's alert service were told of the change a day before.",
    "Already a member of the alliance, Japan pledged further funding for projects in Africa.",
    "Photo evidence submitted by residents showed dust clouds over the tailings pond.",
    "Sharing technology with partners remains sensitive for Beijing, officials said.",
    "The company was re-listed in Hong Kong after the restructuring was completed.",
    "Our standards for tailings storage are among the strictest in the world, the chief executive said.",
    "Nd/Pr oxide rose to its highest price since March.",
    "Updated figures from the ministry show output rose 5 percent.",
    "Published data show 12 of 30 projects reached production.",
    "More than 400 start-ups were listed in 2012; fewer than five produce today.",
    "Also in March, the company signed an offtake with a Japanese buyer.",
    "Caption contests aside, the ministry's statement was terse.",
    "Shared electronic patient record (eEPA)",
    "Prices were updated 3 hours ago by the exchange, traders said.",
    "Posted by the ministry on its website, the notice set new quotas.",
    "The report may be republished by the agency next year, a spokesman said.",
]


@pytest.mark.parametrize("line", BODY)
def test_body_sentence_in_a_family_vocabulary_is_kept(line: str) -> None:
    result = clean("\n".join([BEFORE, line, AFTER]))
    assert result.text == "\n\n".join([BEFORE, line, AFTER])


def test_consent_buttons_never_become_the_title() -> None:
    text = "\n".join(
        ["We use cookies to improve your experience.", "Accept", "Ok", "Markets",
         "China tightens export checks on rare earth technology", BEFORE, AFTER]
    )
    assert extract_plain(text).title == "China tightens export checks on rare earth technology"


def test_headline_and_standfirst_after_a_related_list_are_kept() -> None:
    title = "China tightens export checks on rare earth technology"
    standfirst = "New rules add separation and magnet-making know-how to the restricted list, officials say"
    text = "\n".join(
        ["Related stories", "Gold hits record as investors seek safety",
         "Copper miners brace for weaker demand", "Oil steadies after three days of losses",
         title, standfirst, BEFORE, AFTER]
    )
    result = extract_plain(text)
    assert result.title == title
    assert result.text.split("\n\n")[:2] == [standfirst, BEFORE]
    assert "Gold hits record as investors seek safety" not in result.text


def test_related_list_inside_the_body_is_removed_entirely() -> None:
    text = "\n".join([BEFORE, "Related:", "Gold hits record as investors seek safety",
                      "Copper miners brace for weaker demand", AFTER])
    assert clean(text).text == "\n\n".join([BEFORE, AFTER])


def test_numbered_most_read_list_is_removed_by_its_shape() -> None:
    items = ["1. Storm knocks out power along the coast", "2. Council approves new stadium after debate",
             "3. Star striker signs contract extension until 2028"]
    result = clean("\n".join([BEFORE, *items, AFTER]))
    assert result.text == "\n\n".join([BEFORE, AFTER])
    assert {r.reason for r in result.removed} == {"headline-list"}


def test_authored_numbered_points_are_kept() -> None:
    items = ["1. Build stockpiles of rare earth oxides held jointly by member states.",
             "2. Speed up permits for processing plants to under two years.",
             "3. Fund recycling of magnets from scrapped cars and turbines."]
    assert clean("\n".join([BEFORE, *items, AFTER])).text == "\n\n".join([BEFORE, *items, AFTER])


def test_menu_rendered_one_item_per_line_is_removed_but_bulleted_lists_stay() -> None:
    menu = ["World", "Business", "Markets", "Politics", "Opinion", "Sport", "Culture"]
    assert clean("\n".join([*menu, BEFORE, AFTER])).text == "\n\n".join([BEFORE, AFTER])
    bullets = ["- Samarium", "- Gadolinium", "- Terbium", "- Dysprosium", "- Lutetium", "- Yttrium"]
    assert clean("\n".join([BEFORE, *bullets, AFTER])).text == "\n\n".join([BEFORE, *bullets, AFTER])


def test_short_runs_of_labels_are_not_a_menu() -> None:
    lines = [BEFORE, "Key points", "Quotas", "Recycling", AFTER]
    assert clean("\n".join(lines)).text == "\n\n".join(lines)


def test_doubled_caption_goes_to_captions_once_and_never_to_the_text() -> None:
    caption = "Workers inspect rare earth concentrate at the processing plant near Kalgoorlie."
    result = clean("\n".join([BEFORE, caption, caption, AFTER]))
    assert result.text == "\n\n".join([BEFORE, AFTER])
    assert result.captions == (caption,)
    assert [r.reason for r in result.removed] == ["caption", "duplicate"]


def test_doubled_title_keeps_one_copy_in_the_text() -> None:
    title = "Magnet maker picks Oklahoma for new factory"
    result = clean("\n".join([title, title, BEFORE]))
    assert result.text == "\n\n".join([title, BEFORE])
    assert result.captions == ()


def test_a_question_asked_of_every_guest_stays_each_time() -> None:
    question = "What got you interested in rare earth chemistry?"
    answers = ["I grew up near the mine in Baotou.", "A chemistry teacher showed us a magnet.",
               "My father traded ores in Ganzhou."]
    lines = [line for answer in answers for line in (question, answer)]
    assert clean("\n".join(lines)).text == "\n\n".join(lines)


def test_a_short_line_printed_exactly_twice_is_a_copy() -> None:
    line = "Neodymium prices rose again in Shanghai"
    result = clean("\n".join([line, BEFORE, line, AFTER]))
    assert result.text == "\n\n".join([line, BEFORE, AFTER])
    assert [(r.reason, r.text) for r in result.removed] == [("duplicate", line)]


def test_a_doubled_paragraph_that_quotes_someone_keeps_one_copy_in_the_text() -> None:
    paragraph = "“We will not sell below cost,” the chief executive said at the plant in Kuantan."
    result = clean("\n".join([BEFORE, paragraph, paragraph, AFTER]))
    assert result.text == "\n\n".join([BEFORE, paragraph, AFTER])
    assert result.captions == ()


def test_a_paragraph_printed_three_times_keeps_one_copy_and_is_not_a_caption() -> None:
    paragraph = "Workers inspect rare earth concentrate at the processing plant near Kalgoorlie."
    result = clean("\n".join([BEFORE, paragraph, paragraph, paragraph, AFTER]))
    assert result.text == "\n\n".join([BEFORE, paragraph, AFTER])
    assert result.captions == ()


FAMILY_LINES = [line for line, _ in NOISE] + BODY + [
    BEFORE, AFTER, "World", "Business", "Markets", "Key points", "-",
    "Workers inspect rare earth concentrate at the processing plant near Kalgoorlie.",
    "What got you interested in rare earth chemistry?", "Related stories",
    "Gold hits record as investors seek safety", "1. Storm knocks out power along the coast",
    "2. Council approves new stadium after debate", "3. Star striker signs contract extension",
    # the families found by context (second round)
    "Rising", "Most Popular", "Read more", "Video", "Photo:", "personal archive of Jane Roe", "12:30 Report",
    "- Civil Rights", "Published 11:34 PM EST Nov 19, 2019", "Tom Roe Associated Press",
    "Here are the points:",
    "Afghan miners see talks as only hope for the valley", "Young traders must be heard, says envoy",
    "Jane Roe is the site's deals curator and spends a quarter of her pay on what she posts.",
    "Workers unveil the new separation line at the plant near Kuantan on Tuesday, Nov. 19, 2019. less",
    "Lentil and Rice Bowl [1 cup cooked lentils, 1/2 cup brown rice, 1 tsp. olive oil, lemon juice to taste]",
    "online free course", "Best gifts for miners under $50 on A... SEE FULL GALLERY",
]


@given(st.lists(st.sampled_from(FAMILY_LINES), max_size=40).map("\n".join))
def test_cleaning_family_mixes_is_idempotent_and_accounts_for_every_line(text: str) -> None:
    result = clean(text)
    assert clean(result.text).text == result.text
    kept = len(result.text.split("\n\n")) if result.text else 0
    assert kept + len(result.removed) == len([line for line in text.split("\n") if line.strip()])


def test_a_standards_note_found_by_its_words_inside_the_line() -> None:
    line = "The Daily Planet is committed to publishing a diversity of letters to the editor."
    assert reasons(line) == ["standards"]


# ---------------------------------------------------------------------------------------------------------
# Families that only the document around a line reveals (issue 14, second round).

MEAL = (
    "Lentil and Rice Bowl [1 cup cooked lentils, 1/2 cup brown rice, 1 tsp. olive oil, lemon juice to taste]"
)


def test_a_long_line_printed_on_every_day_of_a_plan_is_a_refrain_and_stays() -> None:
    days = [
        f"Day {n}: stay under your calorie target, drink water with each meal and keep to the containers."
        for n in (1, 2, 3)
    ]
    lines = [line for day in days for line in (day, MEAL, f"Snack for {day[:5]}")]
    assert clean("\n".join(lines)).text == "\n\n".join(lines)


def test_a_long_line_printed_twice_is_still_a_copy() -> None:
    result = clean("\n".join([BEFORE, MEAL, AFTER, MEAL]))
    assert result.text == "\n\n".join([BEFORE, MEAL, AFTER])


def test_a_text_pasted_three_times_keeps_one_copy() -> None:
    text = "\n".join([BEFORE, MEAL, AFTER])
    assert clean("\n".join([text] * 3)).text == "\n\n".join([BEFORE, MEAL, AFTER])


def test_a_title_in_angle_brackets_is_not_markup() -> None:
    line = "Tickets for <The Palace: Tale of the Jester> are on sale at the theatre box office."
    assert clean("\n".join([BEFORE, line, AFTER])).text == "\n\n".join([BEFORE, line, AFTER])
    assert clean("<p class=\"lead\">" + BEFORE + "</p><br/>").text == BEFORE


def kept_and_reasons(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    result = clean("\n".join(lines))
    return result.text.split("\n\n"), {removed.text: removed.reason for removed in result.removed}


MENU = ["World", "Business", "Markets", "Politics", "Opinion", "Sport", "Culture"]


def test_numbered_and_bulleted_labels_inside_a_menu_go_with_it() -> None:
    menu = ["News", "Senate", "House", "12:30 Report", "Politics 101", "Floor Action", "Policy", "Defense",
            "- Civil Rights", "- Education", "Opinion", "Events"]
    kept, why = kept_and_reasons([*menu, BEFORE, AFTER])
    assert kept == [BEFORE, AFTER]
    assert why["12:30 Report"] == why["- Civil Rights"] == "menu"


def test_numbered_labels_after_a_menu_and_a_list_of_their_own_stay() -> None:
    steps = ["- Step 1 dry", "- Step 2 crush", "- Step 3 leach"]
    kept, _ = kept_and_reasons([BEFORE, *steps, AFTER])
    assert kept == [BEFORE, *steps, AFTER]
    kept, _ = kept_and_reasons([*MENU, "Step 1", "Step 2", BEFORE, AFTER])
    assert kept == ["Step 1", "Step 2", BEFORE, AFTER]


def test_kicker_labels_between_the_items_of_a_headed_list_go_with_it() -> None:
    items = ["Most Popular", "Senator warns allies over trade bill", "Rising",
             "Most voters back new rules on mine permits", "Rising", "Storm closes port for third day",
             "Rising"]
    kept, why = kept_and_reasons([BEFORE, *items, AFTER])
    assert kept == [BEFORE, AFTER]
    assert why["Rising"] == "headline-list"


def test_a_subhead_after_a_headed_list_stays() -> None:
    lines = [BEFORE, "Related stories", "Gold hits record as investors seek safety",
             "Copper miners brace for weaker demand", "Analysis", AFTER]
    kept, _ = kept_and_reasons(lines)
    assert kept == [BEFORE, "Analysis", AFTER]


def test_teasers_with_two_short_sentences_or_an_emoji_under_a_list_heading_go() -> None:
    items = ["More Great Metals Stories", "Smelters must adapt, no matter what the regulator says",
             "Quotas are not the problem. Our forecasts are",
             "📱 Torn between brokers? Never fear—check out our guide to metal funds"]
    kept, _ = kept_and_reasons([BEFORE, AFTER, *items])
    assert kept == [BEFORE, AFTER]


INLINE = ["Afghan miners see talks as only hope for the valley", "Young traders must be heard, says envoy",
          "Beijing invites officials for two-day talks on lithium"]


def test_other_stories_headlines_between_two_paragraphs_go() -> None:
    kept, why = kept_and_reasons([BEFORE, *INLINE, AFTER])
    assert kept == [BEFORE, AFTER]
    assert {why[line] for line in INLINE} == {"headline-list"}
    # closed by a lead-in sentence rather than a paragraph
    kept, _ = kept_and_reasons([BEFORE, *INLINE, "Here are the main points:", AFTER])
    assert kept == [BEFORE, "Here are the main points:", AFTER]


@pytest.mark.parametrize(
    "run",
    [
        ["Netgear Nighthawk Router for $67.77", "Get it on Amazon for $67.77", "Dell G3 Laptop for $799.99"],
        ["Q: Favorite places you have visited?", "A: Tie between Perth and Cape Town",
         "Q: Most memorable trip to a mine site?"],
        ["Magnet prices rise again in Ningbo markets"],
        ["Magnet prices rise again in Ningbo markets", "“We will not sell below cost at any price.”",
         "Workers sort ore at the plant near Baotou (Image: Getty )"],
    ],
)
def test_deals_interviews_pull_quotes_and_a_lone_subhead_are_not_a_headline_run(run: list[str]) -> None:
    kept, _ = kept_and_reasons([BEFORE, *run, AFTER])
    assert kept[0] == BEFORE and kept[-1] == AFTER
    assert all(line in kept for line in run if "(Image" not in line)


def test_a_teaser_above_read_more_goes_with_its_summary() -> None:
    teaser = ["Vape users need not use tainted products to fall ill, case shows",
              "In recent months, hundreds of people have become acutely sick and have even died due to"]
    kept, why = kept_and_reasons([BEFORE, *teaser, "Read more", AFTER])
    assert kept == [BEFORE, AFTER]
    assert why[teaser[0]] == why[teaser[1]] == "headline-list"
    headline = "Singer's plan to vote suffers setback over paperwork"
    kept, _ = kept_and_reasons([BEFORE, headline, "Read more", AFTER])
    assert kept == [BEFORE, AFTER]


def test_a_paragraph_above_read_more_stays() -> None:
    kept, _ = kept_and_reasons([BEFORE, AFTER, "Read more"])
    assert kept == [BEFORE, AFTER]


def test_a_media_players_title_and_summary_go() -> None:
    player = ["Video", "Founder is proud of staff living out their dream",
              "The co-founder discusses how staff built the business."]
    title = "Lynas lifts quarterly revenue on higher prices"
    kept, _ = kept_and_reasons([title, *player, BEFORE, AFTER])
    assert kept == [title, BEFORE, AFTER]


def test_a_paragraph_under_a_watch_label_stays() -> None:
    kept, _ = kept_and_reasons(["Watch", BEFORE, AFTER])
    assert kept == [BEFORE, AFTER]


def test_a_gallery_link_goes_and_a_sentence_about_a_gallery_stays() -> None:
    link = "Best gifts for miners under $50 on A... SEE FULL GALLERY"
    assert reasons(link) == ["headline-list"]
    sentence = "The museum will open a new gallery of rare earth minerals in the spring."
    assert reasons(sentence) == []


def test_names_above_the_timestamp_are_a_byline() -> None:
    for names in ["Tom Roe Associated Press", "Detroit News wire services",
                  "Jane Doe and Tim J. Roe Springfield Gazette"]:
        title = "Teachers pack the statehouse to call for better pay"
        kept, why = kept_and_reasons([title, names, "Published 11:34 PM EST Nov 19, 2019", BEFORE, AFTER])
        assert kept == [title, BEFORE, AFTER]
        assert why[names] == "byline"


def test_a_title_case_title_above_the_timestamp_stays() -> None:
    title = "Teachers Rally For Better Pay In Indiana"
    kept, _ = kept_and_reasons([title, "Published 11:34 PM EST Nov 19, 2019", BEFORE, AFTER])
    assert kept == [title, BEFORE, AFTER]
    assert extract_plain("\n".join([title, "Published 11:34 PM EST Nov 19, 2019", BEFORE])).title == title


def test_a_credit_split_over_two_lines_goes() -> None:
    for label in ["Фото:", "Photo:", "Credit:"]:
        kept, why = kept_and_reasons([BEFORE, label, "personal archive of Jane Roe", AFTER])
        assert kept == [BEFORE, AFTER]
        assert why["personal archive of Jane Roe"] == "photo-credit"


def test_a_label_of_its_own_under_a_credit_label_stays() -> None:
    kept, _ = kept_and_reasons([BEFORE, "Photo:", "Account: @janeroe", AFTER])
    assert "Account: @janeroe" in kept


def test_an_author_bio_ending_the_text_goes() -> None:
    for bio in ["Jane Roe is the site's deals curator and spends a quarter of her pay on what she posts.",
                "Tim Roe's book about the search for metals is out now. Follow him on Twitter @timroe."]:
        kept, why = kept_and_reasons([BEFORE, AFTER, bio])
        assert kept == [BEFORE, AFTER]
        assert why[bio] == "author-bio"


def test_a_person_described_inside_the_article_stays() -> None:
    line = "Jane Roe is a former editor of a mining weekly who now advises the ministry."
    kept, _ = kept_and_reasons([BEFORE, line, AFTER])
    assert kept == [BEFORE, line, AFTER]


def test_a_copyright_notice_inside_a_line_goes() -> None:
    notice = "The contents of this site are ©2019 Example Publishing Corp., a subsidiary of Example Inc."
    assert reasons(notice) == ["copyright"]
    assert reasons("He said: “The design is covered by copyright 2019 filings in three countries.”") == []


def test_a_subscribe_prompt_in_the_last_sentence_goes() -> None:
    line = "There's more where that came from. Sign up for Metal Notes to get the free daily newsletter."
    assert reasons(line) == ["subscribe"]
    body = "Analysts said the newsletter of the trade group had warned of the shortage. Prices rose."
    assert reasons(body) == []


def test_a_caption_with_its_toggle_or_a_copyright_credit_goes_to_captions() -> None:
    for caption in [
        "Workers unveil the new separation line at the plant near Kuantan on Tuesday, Nov. 19, 2019. less",
        "Workers unveil the new separation line at the plant near Kuantan, Malaysia, on ... more",
        "A cyclist rides past a blocked refinery outside the capital, November 19. © Example / Jane Roe",
        "Dark matter structures merge while gas is expelled (gas motion in red). (Image credit: Example Lab)",
    ]:
        result = clean("\n".join([BEFORE, caption, AFTER]))
        assert result.text == "\n\n".join([BEFORE, AFTER])
        assert result.captions == (caption,)
    assert reasons("The company said it would sell the plant, the mine and more.") == []


def test_short_lower_case_links_among_the_headlines_ending_a_text_go() -> None:
    links = ["Download Premium Mining Themes Free", "Premium Mining Themes Download", "online free course",
             "download router firmware"]
    kept, _ = kept_and_reasons([BEFORE, AFTER, *links])
    assert kept == [BEFORE, AFTER]


def test_a_text_ending_on_a_short_list_of_its_own_keeps_it() -> None:
    items = ["Our survival kit is simple:", "bottled water", "baby carrier", "healthy snack bars", "camera"]
    kept, _ = kept_and_reasons([BEFORE, AFTER, *items])
    assert kept == [BEFORE, AFTER, *items]


def test_a_caption_pointing_at_its_picture_goes_to_captions_with_the_credit_under_it() -> None:
    caption = "This satellite image from the space agency shows fires detected (red) near the city on Nov. 3."
    result = clean("\n".join([BEFORE, caption, "Example Worldview", AFTER]))
    assert result.text == "\n\n".join([BEFORE, AFTER])
    assert result.captions == (caption,)


def test_news_sentences_about_imagery_stay() -> None:
    for line in ["Satellite images show more than 2,700 leaching pools in the hills near the border.",
                 "The photo shows the plant was expanded last year, analysts said.",
                 "This is the first image of the new pit, which shows how far the mine has grown."]:
        assert reasons(line) == [], line


def test_a_shopping_link_goes_and_advice_to_buy_now_stays() -> None:
    assert reasons("Buyer's Guide: Example Laptop Pro (Buy Now)") == ["advertisement"]
    assert reasons("Example magnet kit [Check price]") == ["advertisement"]
    assert reasons("Analysts told clients to buy now before the quota is announced.") == []


def test_a_title_under_a_video_label_or_with_an_outlet_word_stays_the_title() -> None:
    title = "Lynas Chief Says Kalgoorlie Plant Staff Met Their Targets"
    summary = "The chief executive discusses the quarter with analysts."
    text = "\n".join(["Video", title, summary, BEFORE, AFTER])
    assert extract_plain(text).title == title
    title = "Associated Press Reporter Freed In Myanmar"
    text = "\n".join([title, "Published 11:34 PM EST Nov 19, 2019", BEFORE, AFTER])
    assert extract_plain(text).title == title


def test_markup_debris_lines_next_to_the_new_families_are_no_trouble() -> None:
    # A line of markup debris is empty once normalised: no finder may read its first or last character.
    stamp = "Published 11:34 PM EST Nov 19, 2019"
    text = "\n".join(["Magnet plant opens", "<p></p>", stamp, BEFORE, "<br/>", AFTER])
    assert clean(text).text == "\n\n".join(["Magnet plant opens", BEFORE, AFTER])


# ---------------------------------------------------------------------------------------------------------
# Article prose the line rules took for noise on the Mozilla pages (issue 14, recall round): own text.


def test_an_announced_list_of_title_like_items_between_paragraphs_stays() -> None:
    said = ["The export quota will rise again next year", "Western buyers should expect longer waits",
            "Separation capacity outside China is years away"]
    kept, _ = kept_and_reasons([BEFORE, "In the interview the minister also said:", *said, AFTER])
    assert kept == [BEFORE, "In the interview the minister also said:", *said, AFTER]
    questions = ["Who holds the mining licence today?", "Where does the concentrate go next?",
                 "How much of the magnet output is already sold?"]
    lead = "Buyers should ask every new supplier these three questions:"
    kept, _ = kept_and_reasons([BEFORE, lead, *questions, AFTER])
    assert kept == [BEFORE, lead, *questions, AFTER]


def test_headlines_under_a_sentence_without_a_colon_still_go() -> None:
    kept, _ = kept_and_reasons([BEFORE, "The plant reopened on Monday.", *INLINE, AFTER])
    assert kept == [BEFORE, "The plant reopened on Monday.", AFTER]


# A template's placeholder paragraph, longer than DUPLICATE_ANYWHERE, printed under each heading.
PLACEHOLDER = ("Text for this section follows once the review of the separation plant is complete, "
               "together with figures for every quarter of the year.")


def test_one_paragraph_printed_under_each_heading_is_a_refrain_and_stays() -> None:
    heads = ("Mining", "Separation", "Magnets", "Recycling")
    lines = [line for head in heads for line in (head, PLACEHOLDER)]
    assert clean("\n".join(lines)).text == "\n\n".join(lines)
    assert clean("\n".join([PLACEHOLDER] * 4)).text == "\n\n".join([PLACEHOLDER] * 4)


def test_a_text_of_several_paragraphs_pasted_again_still_keeps_one_copy() -> None:
    text = "\n".join([BEFORE, PLACEHOLDER, AFTER])
    assert clean("\n".join([text] * 3)).text == "\n\n".join([BEFORE, PLACEHOLDER, AFTER])
    # also in an extracted block, where one paragraph printed twice is the article's
    assert clean("\n".join([text] * 3), extracted=True).text == "\n\n".join([BEFORE, PLACEHOLDER, AFTER])
    doubled = "\n".join([BEFORE, PLACEHOLDER, AFTER, PLACEHOLDER])
    assert clean(doubled, extracted=True).text == doubled.replace("\n", "\n\n")
    assert clean(doubled).text == "\n\n".join([BEFORE, PLACEHOLDER, AFTER])


def test_lines_of_chinese_prose_are_not_a_menu_but_a_chinese_menu_is() -> None:
    prose = ["稀土价格本周再度上涨 分离厂的订单已经排到明年春天之后了",
             "包头的磁材企业表示 氧化镨钕的采购成本比上月高出一成左右",
             "分析人士认为 出口管制收紧以后海外买家将会加快寻找其他货源",
             "江西的离子型矿山 因为环保检查而减少了开采量 供应继续偏紧",
             "一家贸易商说 现在市场上几乎看不到低价的现货 买家只能等待",
             "业内预计 下个季度的开采指标将会公布 价格可能出现新的变化"]
    assert clean("\n".join(prose)).text == "\n\n".join(prose)
    menu = ["首页", "国际", "财经新闻", "科技", "体育", "娱乐", "评论"]
    kept, why = kept_and_reasons([*menu, *prose])
    assert kept == prose
    assert {why[item] for item in menu} == {"menu"}
