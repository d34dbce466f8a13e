"""Matching articles to contacts: forward company news, congratulate on awards."""

from crm.news.match import CONGRATULATE, FORWARD, ArticleInfo, ContactIndex, ContactInfo, Match

ACME, GLOBEX = 1, 2
JANE = ContactInfo(10, "Jane Doe", ACME, ("sports sponsorship",))
RAJ = ContactInfo(11, "Raj Patel", ACME)
MARIA = ContactInfo(12, "María José Núñez", GLOBEX, ("Fintech",))
WILL = ContactInfo(13, "Will", GLOBEX)
CONTACTS = [JANE, RAJ, MARIA, WILL]


def matches(title, summary="", company_id=None, contacts=CONTACTS):
    return ContactIndex(contacts).matches(ArticleInfo(title, summary, company_id))


def test_company_news_is_for_everyone_at_that_company():
    assert matches("Acme opens a Denver office", company_id=ACME) == [
        Match(10, FORWARD, "news about their company"),
        Match(11, FORWARD, "news about their company"),
    ]


def test_an_award_naming_a_contact_suggests_congratulating_them():
    found = matches("Summit recap", "<p>Raj <b>Patel</b> was honored tonight.</p>")
    assert Match(11, CONGRATULATE, 'names Raj Patel next to "honored"') in found


def test_name_matching_ignores_case_accents_and_possessives():
    found = matches("MARIA JOSE NUNEZ'S PROMOTION ANNOUNCED", company_id=None)
    assert [m for m in found if m.kind == CONGRATULATE] == [
        Match(12, CONGRATULATE, 'names María José Núñez next to "promotion"')
    ]


def test_a_name_without_a_congratulation_word_is_no_congratulation():
    assert matches("Jane Doe speaks at the Fintech Summit about payments") == [
        Match(12, FORWARD, 'fits their interest in "Fintech"')
    ]


def test_a_congratulation_word_far_from_the_name_does_not_count():
    summary = "Jane Doe said the results were strong. " + "Revenue grew again. " * 6
    assert matches("Acme quarterly results", summary + "The company also won an award.") == []


def test_names_match_whole_words_only():
    assert matches("Janet Doerr promoted to partner") == []
    assert matches("Globex will appoint a new chief", company_id=None) == []


def test_interest_tags_match_as_phrases_even_in_the_plural():
    found = matches("Acme's new fund backs minor-league sports sponsorships", company_id=ACME)
    assert found == [
        Match(10, FORWARD, 'news about their company; fits their interest in "sports sponsorship"'),
        Match(11, FORWARD, "news about their company"),
    ]
    assert matches("Sports news: sponsorship deals for players") == []


def test_an_article_can_be_both_company_news_and_a_congratulation():
    found = matches("Acme names Jane Doe Chief Revenue Officer", company_id=ACME)
    assert Match(10, CONGRATULATE, 'names Jane Doe next to "names"') in found
    assert Match(10, FORWARD, "news about their company") in found


def test_the_index_is_built_once_and_serves_many_articles():
    people = [
        ContactInfo(i, f"Person{i} Surname{i}", i % 50, (f"topic{i % 30}",)) for i in range(10_000)
    ]
    index = ContactIndex(people)
    article = ArticleInfo("Person9876 Surname9876 wins award", "<p>all about topic7</p>", 3)
    found = index.matches(article)
    assert Match(9876, CONGRATULATE, 'names Person9876 Surname9876 next to "wins"') in found
    assert len([m for m in found if "topic7" in m.reason]) == len(range(7, 10_000, 30))
    assert len([m for m in found if "their company" in m.reason]) == 200
