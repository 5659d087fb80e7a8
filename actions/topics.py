"""The assistant's topics as buttons: one title and one payload per topic.

Retrieval sub-intents (``faq/…``) cannot be triggered by an ``/intent`` payload:
Rasa's retrieval action reads the ResponseSelector's prediction, which a payload
skips. Their buttons therefore send a canonical question, kept in the training
data, that the NLU classifies like any typed message. Other intents use the
usual ``/intent`` payload. Titles ask the question the topic answers.
This module is the one source of the topic buttons: the responses in
``data/responses/`` hold none, and the actions that answer a topic
(``actions/answers.py``, ``actions/ami.py``, ``actions/fallback.py``) add the
buttons of the topics that follow it (``RELATED``, ``DETAILS``).
"""

import re
from typing import Dict, List, NamedTuple, Optional, Tuple


class Topic(NamedTuple):
    """A topic the visitor can pick from a button."""

    title: str
    payload: str


TOPICS: Dict[str, Topic] = {
    "faq/ptce_definition": Topic("Qu'est-ce qu'un PTCE ?", "Qu'est-ce qu'un PTCE ?"),
    "faq/ptce_formes": Topic("Quelles formes prend un PTCE ?", "Quelles formes prend un PTCE ?"),
    "faq/ptce_echelle": Topic("À quelle échelle agit un PTCE ?", "À quelle échelle agit un PTCE ?"),
    "faq/ptce_benefices": Topic(
        "Qu'apporte un PTCE au territoire ?", "Qu'apporte un PTCE au territoire ?"
    ),
    "faq/ptce_video": Topic("Où voir une vidéo sur les PTCE ?", "Une vidéo sur les PTCE"),
    "faq/ptce_origine": Topic("D'où vient le terme PTCE ?", "Quelle est l'origine du terme PTCE ?"),
    "faq/ptce_loi": Topic(
        "Les PTCE sont-ils reconnus par la loi ?", "Les PTCE sont-ils reconnus par la loi ?"
    ),
    "faq/ptce_nombre": Topic("Combien y a-t-il de PTCE ?", "Combien compte-t-on de PTCE ?"),
    "faq/rapport_presentation": Topic(
        "Qu'est-ce que le rapport « Relancer les PTCE » ?",
        "C'est quoi le rapport Relancer les PTCE ?",
    ),
    "faq/rapport_constats": Topic(
        "Que constate le rapport ?", "Quels sont les constats du rapport ?"
    ),
    "faq/rapport_apports": Topic(
        "Que permettraient les PTCE selon le rapport ?",
        "Qu'apporteraient les PTCE d'après le rapport ?",
    ),
    "faq/rapport_priorites": Topic(
        "Quelles priorités fixe le rapport ?", "Quelles sont les priorités du rapport ?"
    ),
    "faq/charte": Topic("Où lire la charte PTCE 2021 ?", "Où lire la nouvelle charte PTCE ?"),
    "faq/charte_webinaire": Topic(
        "Où revoir le webinaire de la charte ?", "Revoir le webinaire de la charte"
    ),
    "faq/cabinet_presentation": Topic("Qui est Fr Consultants ?", "Qui est Fr Consultants ?"),
    "faq/cabinet_vision": Topic(
        "Quelle est la vision du Cabinet ?", "Quelle est la vision de Fr Consultants ?"
    ),
    "faq/cabinet_vision_projets": Topic(
        "Qu'apporte la coopération aux projets ?", "Qu'apporte la coopération aux projets ?"
    ),
    "faq/cabinet_vision_territoires": Topic(
        "Qu'apporte la coopération aux territoires ?",
        "Qu'apporte la coopération aux territoires ?",
    ),
    "faq/cabinet_ouvrage": Topic(
        "Sur quel ouvrage s'appuie cette vision ?", "Quel ouvrage fonde la vision du cabinet ?"
    ),
    "faq/offres": Topic(
        "Quels accompagnements proposez-vous ?", "Quels accompagnements proposez-vous ?"
    ),
    "faq/offre_consolidation": Topic(
        "Consolider une structure de l'ESS", "Consolider l'économie d'une structure ESS"
    ),
    "faq/offre_responsabilite_territoriale": Topic(
        "Responsabilité territoriale",
        "En quoi consiste la démarche de responsabilité territoriale ?",
    ),
    "faq/offre_transition_ecologique": Topic(
        "Transition écologique locale", "Accompagner un projet local de transition écologique"
    ),
    "faq/offre_transition_details": Topic(
        "Le détail de l'accompagnement en transition écologique",
        "Le détail de l'accompagnement en transition écologique",
    ),
    "faq/offre_bien_etre": Topic(
        "Politique du bien-être", "En quoi consiste la politique territoriale du bien-être ?"
    ),
    "faq/partenariat_nouveau_brunswick": Topic(
        "Le partenariat au Nouveau-Brunswick", "Le partenariat au Nouveau-Brunswick"
    ),
    "faq/limite_tarifs": Topic(
        "Les tarifs des accompagnements", "Combien coûte un accompagnement ?"
    ),
    "faq/limite_ami_actuel": Topic(
        "L'AMI aujourd'hui", "Peut-on encore répondre à l'AMI aujourd'hui ?"
    ),
    "faq/limite_ptce_local": Topic(
        "Un PTCE près de chez moi", "Y a-t-il un PTCE près de chez moi ?"
    ),
    "faq/limite_cabinet": Topic("Les coordonnées du Cabinet", "Quelles sont vos coordonnées ?"),
    "faq/limite_details": Topic(
        "Ce que la fiche ne précise pas", "Quelles précisions la fiche ne donne-t-elle pas ?"
    ),
    "faq/limite_precisions": Topic(
        "Le statut juridique d'un PTCE", "Quel statut juridique pour un PTCE ?"
    ),
    "ami_presentation": Topic("Qu'est-ce que l'AMI PTCE ?", "/ami_presentation"),
    "ami_calendrier": Topic("Quel était le calendrier de l'AMI ?", "/ami_calendrier"),
    "ami_vagues": Topic("Et après la première vague ?", "/ami_vagues"),
    "ami_laureats": Topic("Que prévoyait l'AMI pour les lauréats ?", "/ami_laureats"),
    "request_contact": Topic("Être recontacté par un consultant", "/request_contact"),
}


# The topics offered when the visitor's words point to none.
MAIN_TOPICS = ("faq/ptce_definition", "ami_presentation", "faq/offres")
# What a PTCE is: who, how, where, what for.
PTCE_BASICS = ("faq/ptce_definition", "faq/ptce_formes", "faq/ptce_echelle", "faq/ptce_benefices")
# The slot that remembers the topic last answered, for follow-up questions.
TOPIC_SLOT = "topic"
# The firm's offers answered one by one (``faq/offres`` is their list), and the
# words that point back to the one just answered: « cet accompagnement ».
OFFERS = (
    "faq/offre_consolidation",
    "faq/offre_responsabilite_territoriale",
    "faq/offre_transition_ecologique",
    "faq/offre_transition_details",
    "faq/offre_bien_etre",
    "faq/partenariat_nouveau_brunswick",
)
THIS_OFFER = re.compile(
    r"\b(cet|cette|ce|cela|ça)\s+(accompagnement|offre|dispositif|démarche|prestation|mission)",
    re.IGNORECASE,
)
# The answers that list points (lines starting with « - »), and each point's own
# answer where it has one: « la deuxième ? » after the list of offers asks for the
# second offer; after the report's priorities, the second priority, quoted
# (``actions/follow_ups.py``). tests/unit/test_answers.py checks it against the texts.
POINTS: Dict[str, Tuple[str, ...]] = {
    "faq/offres": (
        "faq/offre_consolidation",
        "faq/offre_responsabilite_territoriale",
        "faq/offre_transition_ecologique",
        "faq/offre_bien_etre",
    ),
    # « cohérence et durabilité, mutualisation, approches transversales et jumelage »,
    # detailed two by two.
    "faq/cabinet_vision": (
        "faq/cabinet_vision_projets",
        "faq/cabinet_vision_projets",
        "faq/cabinet_vision_territoires",
        "faq/cabinet_vision_territoires",
    ),
    "faq/cabinet_vision_projets": (),
    "faq/cabinet_vision_territoires": (),
    "faq/offre_transition_details": (),
    "faq/ptce_formes": (),
    "faq/ptce_benefices": (),
    "faq/rapport_apports": (),
    "faq/rapport_priorites": (),
}
# The title of the button that leads from a short answer to its details.
MORE = "En savoir plus"
# An answer whose details are a topic of their own: its first button is « En savoir plus ».
DETAILS: Dict[str, str] = {
    "faq/offre_transition_ecologique": "faq/offre_transition_details",
    "faq/rapport_constats": "faq/rapport_apports",
}
# The topics a visitor may want next, after each answer, as buttons under it.
RELATED: Dict[str, Tuple[str, ...]] = {
    "faq/ptce_definition": ("faq/ptce_formes", "faq/ptce_benefices", "faq/ptce_video"),
    "faq/ptce_formes": ("faq/ptce_echelle", "faq/ptce_benefices"),
    "faq/ptce_echelle": ("faq/ptce_formes", "faq/ptce_nombre"),
    "faq/ptce_benefices": ("faq/ptce_formes", "faq/rapport_apports"),
    "faq/ptce_video": ("faq/ptce_definition", "faq/charte_webinaire"),
    "faq/ptce_origine": ("faq/ptce_loi", "faq/ptce_nombre", "faq/rapport_presentation"),
    "faq/ptce_loi": ("faq/ptce_origine", "faq/ptce_nombre"),
    "faq/ptce_nombre": ("faq/ptce_origine", "faq/rapport_presentation"),
    "faq/rapport_presentation": ("faq/rapport_constats", "faq/rapport_priorites"),
    "faq/rapport_constats": ("faq/rapport_priorites",),
    "faq/rapport_apports": ("faq/rapport_priorites", "faq/rapport_presentation"),
    "faq/rapport_priorites": ("faq/rapport_constats", "ami_presentation"),
    "faq/charte": ("faq/charte_webinaire", "ami_presentation"),
    "faq/charte_webinaire": ("faq/charte", "faq/ptce_video"),
    "faq/cabinet_presentation": ("faq/cabinet_vision", "faq/offres"),
    "faq/cabinet_vision": (
        "faq/cabinet_vision_projets",
        "faq/cabinet_vision_territoires",
        "faq/cabinet_ouvrage",
    ),
    "faq/cabinet_vision_projets": ("faq/cabinet_vision_territoires", "faq/cabinet_vision"),
    "faq/cabinet_vision_territoires": ("faq/cabinet_vision_projets", "faq/cabinet_ouvrage"),
    "faq/cabinet_ouvrage": ("faq/cabinet_vision", "faq/offres"),
    "faq/offres": (
        "faq/offre_consolidation",
        "faq/offre_responsabilite_territoriale",
        "faq/offre_transition_ecologique",
        "faq/offre_bien_etre",
        "request_contact",
    ),
    "faq/offre_consolidation": (
        "faq/offres",
        "faq/offre_responsabilite_territoriale",
        "request_contact",
    ),
    "faq/offre_responsabilite_territoriale": (
        "faq/offres",
        "faq/offre_transition_ecologique",
        "request_contact",
    ),
    "faq/offre_transition_ecologique": ("faq/offre_bien_etre", "request_contact"),
    "faq/offre_transition_details": ("faq/offres", "request_contact"),
    "faq/offre_bien_etre": ("faq/partenariat_nouveau_brunswick", "faq/offres", "request_contact"),
    "faq/partenariat_nouveau_brunswick": ("faq/offre_bien_etre", "faq/offres", "request_contact"),
    "faq/limite_tarifs": ("request_contact", "faq/offres"),
    "faq/limite_ami_actuel": ("ami_calendrier", "request_contact"),
    "faq/limite_ptce_local": ("faq/ptce_definition", "request_contact"),
    "faq/limite_cabinet": ("faq/cabinet_presentation", "request_contact"),
    "faq/limite_precisions": ("faq/ptce_definition", "request_contact"),
    "faq/limite_details": ("request_contact", "faq/ptce_definition"),
    "ami_presentation": ("ami_calendrier", "ami_laureats", "request_contact"),
    "ami_calendrier": ("ami_vagues", "ami_laureats"),
    "ami_vagues": ("ami_calendrier", "ami_presentation"),
    "ami_laureats": ("ami_calendrier", "faq/rapport_priorites"),
}


def buttons(*keys: str) -> List[Dict[str, str]]:
    """Buttons, in the format Rasa channels expect, for the given topic keys."""
    return [{"title": TOPICS[key].title, "payload": TOPICS[key].payload} for key in keys]


def next_buttons(key: str) -> List[Dict[str, str]]:
    """The buttons under the answer to ``key``: its details first, then its related topics."""
    more = [{"title": MORE, "payload": TOPICS[DETAILS[key]].payload}] if key in DETAILS else []
    return more + buttons(*RELATED.get(key, ()))


def points_to_offer(remembered: Optional[str], text: str) -> bool:
    """Whether ``text`` points back (« cet accompagnement ») to the offer just answered."""
    return remembered in OFFERS and bool(THIS_OFFER.search(text))
