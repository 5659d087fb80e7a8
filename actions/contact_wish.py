"""Whether a message asks, in so many words, to be contacted, or the price of the firm's work.

The NLU learns ``request_contact`` from examples, and misses some requests: one
that comes after a long introduction (who the visitor is, where from), one typed
in SMS style (« jveux parler a qqn du cabinet pr monter un ptce »), which it may
answer with the PTCE definition, or one that says yes and asks at once (« Oui,
j'accepte qu'on me recontacte »). A missed request loses the whole conversation
that should have followed: the visitor types a name, an e-mail, a phone number
into a bot with no form open. So the actions that answer a question the NLU was
unsure of, a sheet question and a « oui » look for these words too
(``actions/fallback.py``, ``actions/answers.py``).

The checks only ever lead to the consent notice, which asks before anything is
collected: a false match costs the visitor one « non ».
"""

import re

from components.french import fold

# A person of the firm: « un humain », « quelqu'un », « qqn », « une consultante »…
PERSON = (
    r"(un humain|une (vraie )?personne|quelqu'? ?un|qqn|qq1|une? consultante?"
    r"|une? conseill(er|ere)|une? experte?|l'? ?une? de vos|vos consultants|le cabinet"
    r"|votre equipe)"
)
# « me rappeler » that is « remind me » (« me rappeler ce qu'est un PTCE », « rappelez-moi
# qui est François Rousseau »).
REMIND = (
    r"(?!\s+(ce|c'|la|le|les|l'|quel\w*|quoi|comment|pourquoi|qu\w*|de|des|du|en|a|combien"
    r"|quand|ou)\b)"
)
ASKS_FOR_CONTACT = re.compile(
    # a wish to talk with someone, not « suis-je en train de discuter avec une vraie personne ? »
    r"\b(j'?)?(veux|voudrais|aimerais|souhaite\w*|besoin|puis|peux|pourrais|possible|comment|pour)\b"
    rf".*\b(parler|discuter|echanger|m'?entretenir) (a|avec) {PERSON}"
    r"|\b(etre|me faire) (re)?(contacte|rappele)e?s?\b"
    r"|\b(me|nous) (re)?contacter\b"
    rf"|\b(me|nous) rappeler\b{REMIND}"
    # « j'accepte qu'on me recontacte », « je veux que vous me rappeliez »
    r"|\b(qu'? ?on|que vous|que (qqn|quelqu'? ?un)|qu'? ?une? (consultante?|personne))"
    rf" (me|nous) (re)?(contact\w*|rappel\w*)\b{REMIND}"
    rf"|\brappelez[- ](moi|nous)\b{REMIND}|\b(re)?contactez[- ](moi|nous)\b"
    # « je peux avoir un contact presse au cabinet ? »
    r"|\bun contact( \w+)? (au|du|avec le|chez le|dans le|avec votre) cabinet\b"
    # « comment je fais pour vous joindre ? »
    r"|\b(vous|le cabinet|un consultant) (joindre|contacter)\b"
    # « contact », « ok contact », « oui rdv »: the word alone, or after a yes
    r"|^\W*((ok|oui|ouais|d'accord|bon|alors|go)\W+)*(un |le )?(contact|rdv|rendez[- ]vous)\W*$"
)
# « Je ne veux pas être rappelé » asks for nothing.
NEGATION = re.compile(r"\b(ne|n'|pas|jamais|plus|sans)\b")
# A price or a duration: « c'est combien un accompagnement ? ». « combien » alone
# asks a count as often as a price (« combien d'accompagnements ? »).
PRICE = re.compile(
    r"\b(tarif\w*|prix|cout\w*|honoraires?|devis|factur\w*|payant\w*|gratuit\w*|cher|duree"
    r"|dure|combien de (temps|mois|jours|semaines)|(c'est|a|pour) combien)\b"
)
# What something costs, whoever's it is: never a count (« combien ça coûte ? » got the
# number of PTCE).
COST = re.compile(r"\b(cout\w*|prix|tarif\w*|devis|cher|payant\w*|gratuit\w*|honoraires?|euros?)\b")
# The firm's work, named: without it, a price is of something else (« l'adhésion à
# un pôle coûte cher ? »), unless the conversation was just about one of its offers.
FIRMS_WORK = re.compile(
    r"\b(accompagn\w*|missions?|cabinet|consultants?|prestations?|chez vous|vos services"
    r"|intervention)\b"
)

# The answer to a question on the price or duration of the firm's work: the sheet
# gives neither, a consultant does.
PRICES = "faq/limite_tarifs"


def asks_for_contact(text: str) -> bool:
    """Whether ``text`` asks, in so many words and without a negation, to be contacted."""
    folded = fold(text)
    return bool(ASKS_FOR_CONTACT.search(folded)) and not NEGATION.search(folded)


def asks_for_price(text: str, about_the_firms_work: bool = False) -> bool:
    """Whether ``text`` asks the price or duration of the firm's work: in so many words,
    or right after one of its offers (``about_the_firms_work``: « combien ça coûte ? »)."""
    folded = fold(text)
    return bool(PRICE.search(folded)) and (about_the_firms_work or bool(FIRMS_WORK.search(folded)))


def asks_a_cost(text: str) -> bool:
    """Whether ``text`` asks what something costs (``COST``)."""
    return bool(COST.search(fold(text)))
