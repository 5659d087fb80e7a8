"""The assistant's topics as buttons: one title and one payload per topic.

Retrieval sub-intents (``faq/…``) cannot be triggered by an ``/intent`` payload:
Rasa's retrieval action reads the ResponseSelector's prediction, which a payload
skips. Their buttons therefore send a canonical question, kept in the training
data, that the NLU classifies like any typed message. Other intents use the
usual ``/intent`` payload. Titles ask the question the topic answers.
``tests/unit/test_content.py`` checks that the buttons of ``data/responses/``
agree with this table.
"""

from typing import Dict, List, NamedTuple


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
    "faq/ptce_nombre": Topic("Combien y a-t-il de PTCE ?", "Combien de PTCE existe-t-il ?"),
    "faq/rapport_presentation": Topic(
        "Qu'est-ce que le rapport « Relancer les PTCE » ?",
        "C'est quoi le rapport Relancer les PTCE ?",
    ),
    "faq/rapport_constats": Topic(
        "Que constate le rapport ?", "Quels sont les constats du rapport ?"
    ),
    "faq/rapport_apports": Topic(
        "Que permettraient les PTCE selon le rapport ?",
        "Que permettraient les PTCE selon le rapport ?",
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
        "Responsabilité territoriale", "Démarche de responsabilité territoriale"
    ),
    "faq/offre_transition_ecologique": Topic(
        "Transition écologique locale", "Accompagner un projet local de transition écologique"
    ),
    "faq/offre_transition_details": Topic(
        "Le détail de l'accompagnement en transition écologique",
        "Le détail de l'accompagnement en transition écologique",
    ),
    "faq/offre_bien_etre": Topic("Politique du bien-être", "Politique territoriale du bien-être"),
    "faq/partenariat_nouveau_brunswick": Topic(
        "Le partenariat au Nouveau-Brunswick", "Le partenariat au Nouveau-Brunswick"
    ),
    "faq/limite_tarifs": Topic(
        "Les tarifs des accompagnements", "Combien coûte un accompagnement ?"
    ),
    "faq/limite_ami_actuel": Topic("L'AMI aujourd'hui", "L'AMI PTCE est-il ouvert aujourd'hui ?"),
    "faq/limite_ptce_local": Topic(
        "Un PTCE près de chez moi", "Y a-t-il un PTCE près de chez moi ?"
    ),
    "faq/limite_cabinet": Topic("Les coordonnées du Cabinet", "Quelles sont vos coordonnées ?"),
    "faq/limite_precisions": Topic(
        "Le statut juridique d'un PTCE", "Quel statut juridique pour un PTCE ?"
    ),
    "ami_presentation": Topic("Qu'est-ce que l'AMI PTCE ?", "/ami_presentation"),
    "ami_calendrier": Topic("Quel était le calendrier de l'AMI ?", "/ami_calendrier"),
    "ami_vagues": Topic("Et après la première vague ?", "/ami_vagues"),
    "ami_laureats": Topic("Que prévoyait l'AMI pour les lauréats ?", "/ami_laureats"),
    "request_contact": Topic("Être recontacté par un consultant", "/request_contact"),
}


def buttons(*keys: str) -> List[Dict[str, str]]:
    """Buttons, in the format Rasa channels expect, for the given topic keys."""
    return [{"title": TOPICS[key].title, "payload": TOPICS[key].payload} for key in keys]
