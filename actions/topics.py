"""The assistant's topics as buttons: one title and one payload per topic.

Retrieval sub-intents (``faq/…``) cannot be triggered by an ``/intent`` payload:
Rasa's retrieval action reads the ResponseSelector's prediction, which a payload
skips. Their buttons therefore send a canonical question, kept in the training
data, that the NLU classifies like any typed message. Other intents use the
usual ``/intent`` payload. ``tests/unit/test_content.py`` checks that the buttons of
``data/responses/`` agree with this table.
"""

from typing import Dict, List, NamedTuple


class Topic(NamedTuple):
    """A topic the visitor can pick from a button."""

    title: str
    payload: str


TOPICS: Dict[str, Topic] = {
    "faq/ptce_definition": Topic("C'est quoi un PTCE ?", "C'est quoi un PTCE ?"),
    "faq/ptce_formes": Topic("Quelles formes prend un PTCE ?", "Quelles formes prend un PTCE ?"),
    "faq/ptce_echelle": Topic("À quelle échelle agit un PTCE ?", "À quelle échelle agit un PTCE ?"),
    "faq/ptce_benefices": Topic(
        "Qu'apporte un PTCE au territoire ?", "Qu'apporte un PTCE au territoire ?"
    ),
    "faq/ptce_video": Topic("Une vidéo sur les PTCE", "Une vidéo sur les PTCE"),
    "faq/ptce_origine": Topic("D'où vient le terme PTCE ?", "D'où vient le terme PTCE ?"),
    "faq/ptce_loi": Topic("Les PTCE et la loi", "Les PTCE sont-ils reconnus par la loi ?"),
    "faq/ptce_nombre": Topic("Combien y a-t-il de PTCE ?", "Combien y a-t-il de PTCE ?"),
    "faq/rapport_presentation": Topic(
        "Le rapport « Relancer les PTCE »", "C'est quoi le rapport Relancer les PTCE ?"
    ),
    "faq/rapport_constats": Topic(
        "Les constats du rapport", "Quels sont les constats du rapport ?"
    ),
    "faq/rapport_priorites": Topic(
        "Les priorités du rapport", "Quelles sont les priorités du rapport ?"
    ),
    "faq/charte": Topic("La charte PTCE 2021", "Où lire la nouvelle charte PTCE ?"),
    "faq/charte_webinaire": Topic("Le webinaire de la charte", "Revoir le webinaire de la charte"),
    "faq/cabinet_vision": Topic(
        "La vision de Fr Consultants", "Quelle est la vision de Fr Consultants ?"
    ),
    "faq/cabinet_ouvrage": Topic(
        "L'ouvrage de référence", "Quel ouvrage fonde la vision du cabinet ?"
    ),
    "faq/offres": Topic("Vos accompagnements", "Quels accompagnements proposez-vous ?"),
    "faq/offre_consolidation": Topic(
        "Consolider une structure ESS", "Consolider l'économie d'une structure ESS"
    ),
    "faq/offre_responsabilite_territoriale": Topic(
        "Responsabilité territoriale", "Démarche de responsabilité territoriale"
    ),
    "faq/offre_transition_ecologique": Topic(
        "Transition écologique locale", "Accompagner un projet local de transition écologique"
    ),
    "faq/offre_bien_etre": Topic("Politique du bien-être", "Politique territoriale du bien-être"),
    "faq/partenariat_nouveau_brunswick": Topic(
        "Le partenariat au Nouveau-Brunswick", "Le partenariat au Nouveau-Brunswick"
    ),
    "ami_presentation": Topic("C'est quoi l'AMI PTCE ?", "/ami_presentation"),
    "ami_calendrier": Topic("Le calendrier de l'AMI", "/ami_calendrier"),
    "ami_vagues": Topic("Les vagues suivantes de l'AMI", "/ami_vagues"),
    "ami_laureats": Topic("Ce que gagnent les lauréats", "/ami_laureats"),
    "request_contact": Topic("Être recontacté par un consultant", "/request_contact"),
}


def buttons(*keys: str) -> List[Dict[str, str]]:
    """Buttons, in the format Rasa channels expect, for the given topic keys."""
    return [{"title": TOPICS[key].title, "payload": TOPICS[key].payload} for key in keys]
