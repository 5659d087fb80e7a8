"""The words that ask to be contacted, or the price of the firm's work (actions/contact_wish.py)."""

import pytest

from actions.contact_wish import asks_for_contact, asks_for_price


@pytest.mark.parametrize(
    "text, asks",
    [
        ("Responsable d'une épicerie solidaire, j'aimerais parler avec quelqu'un", True),
        ("élue municipale, je souhaiterais être rappelée par une consultante", True),
        ("Pouvez-vous me recontacter la semaine prochaine ?", True),
        ("contactez-moi svp", True),
        ("je veux echanger avec l un de vos consultants", True),
        ("bjr jveux parler a qqn du cabinet pr monter un projet", True),
        ("Oui, j'accepte qu'on me recontacte.", True),
        ("je voudrais que vous me rappeliez demain matin", True),
        ("Serait-il possible qu'une consultante nous recontacte ?", True),
        ("je peux avoir un contact presse au cabinet ?", True),
        ("je veux qu'on me rappelle ce que dit la loi de 2014", False),
        ("j'accepte qu'on ne me contacte pas", False),
        ("je ne souhaite pas être recontacté", False),
        ("pouvez-vous me rappeler ce qu'est un PTCE ?", False),
        ("Rappelez-moi qui est François Rousseau ?", False),
        ("rappelez-moi svp, au 06 12 34 56 78", True),
        ("comment parler à un élu de notre projet ?", False),
        ("Je discute avec une vraie personne, là ?", False),
        ("un PTCE peut-il me rapporter des clients ?", False),
        # The word alone, or after a yes; not a question on a contact.
        ("Contact", True),
        ("et pour vous joindre, on fait comment ?", True),
        ("comment joindre un élu de ma commune ?", False),
        ("ouais go rdv !", True),
        ("le contact entre les membres d'un PTCE", False),
        ("pas de contact", False),
    ],
)
def test_a_request_to_be_contacted_is_told_by_its_words(text: str, asks: bool) -> None:
    assert asks_for_contact(text) is asks


@pytest.mark.parametrize(
    "text, asks",
    [
        ("un accompagnement chez vous, ça revient à combien ?", True),
        ("Quelle durée pour une mission du Cabinet ?", True),
        ("vos prestations sont-elles payantes pour une asso ?", True),
        ("combien y a-t-il de PTCE en France ?", False),
        ("combien d'accompagnements propose le cabinet ?", False),
        ("l'adhésion à un pôle coûte cher ?", False),
    ],
)
def test_a_price_question_on_the_firms_work_is_told_by_its_words(text: str, asks: bool) -> None:
    assert asks_for_price(text) is asks


def test_right_after_an_offer_a_bare_price_question_is_about_it() -> None:
    assert asks_for_price("Parfait, et ça coûte combien ?", about_the_firms_work=True)
    assert not asks_for_price("Parfait, et ça coûte combien ?")
    assert not asks_for_price("combien y en a-t-il ?", about_the_firms_work=True)
