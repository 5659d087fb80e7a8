"""Answers about the AMI PTCE, told relative to today's date.

The resource sheet was written in 2021 and gives the AMI calendar in the future
tense. Each dated fact is therefore a :class:`Milestone` with one sentence per
tense, and the answer picks the sentence that fits the day the visitor asks.
"""

from datetime import date, datetime
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import buttons

MINISTRY_URL = "https://www.economie.gouv.fr/ptce-saison-3-relance"
PARIS = ZoneInfo("Europe/Paris")


class Milestone(NamedTuple):
    """A dated fact of the AMI, with its sentence before, during and after it."""

    start: date
    end: date
    future: str
    ongoing: str
    past: str

    def tell(self, today: date) -> str:
        """The sentence that fits ``today``."""
        if today < self.start:
            return self.future
        if today <= self.end:
            return self.ongoing
        return self.past


FIRST_WAVE = Milestone(
    date(2021, 5, 12),
    date(2021, 6, 23),
    "Le dépôt des dossiers de la première vague aura lieu du 12 mai au 23 juin 2021 ; "
    "les meilleurs gagneront un bouquet de services.",
    "Le dépôt des dossiers de la première vague est ouvert jusqu'au 23 juin 2021 ; "
    "les meilleurs gagneront un bouquet de services.",
    "Le dépôt des dossiers de la première vague a eu lieu du 12 mai au 23 juin 2021 ; "
    "les meilleurs ont gagné un bouquet de services.",
)
SELECTION = Milestone(
    date(2021, 7, 1),
    date(2021, 11, 30),
    "De juillet à novembre 2021, des projets seront sélectionnés parmi les vainqueurs "
    "pour disposer d'aides financières de l'État.",
    "Jusqu'en novembre 2021, des projets sont sélectionnés parmi les vainqueurs "
    "pour disposer d'aides financières de l'État.",
    "De juillet à novembre 2021, des projets ont été sélectionnés parmi les vainqueurs "
    "pour disposer d'aides financières de l'État.",
)
REOPENING = Milestone(
    date(2021, 9, 1),
    date(2021, 9, 30),
    "Le ministère prévoit d'ouvrir le dépôt de nouveaux dossiers à partir de septembre 2021.",
    "Depuis septembre 2021, le ministère ouvre le dépôt de nouveaux dossiers.",
    "Le ministère avait annoncé l'ouverture du dépôt de nouveaux dossiers à partir de septembre 2021.",
)
NEXT_WAVE = Milestone(
    date(2022, 1, 1),
    date(2022, 12, 31),
    "La prochaine vague sera programmée en 2022, mais vous pourrez déposer votre dossier entre-temps.",
    "Une nouvelle vague est programmée en 2022.",
    "Une vague suivante était programmée en 2022.",
)
CALENDAR = (FIRST_WAVE, SELECTION, REOPENING, NEXT_WAVE)

PERMANENT = (
    "L'AMI est permanent : selon le ministère, il est possible d'y répondre à tout moment, "
    "les vagues servant à générer des flux de dossiers."
)


def calendar_is_over(today: date) -> bool:
    """True once every dated fact of the sheet lies in the past."""
    return all(today > milestone.end for milestone in CALENDAR)


def ministry_pointer(today: date) -> str:
    """Where to find the details, stressing that the sheet's dates are old once they are."""
    if calendar_is_over(today):
        return (
            "Ces dates sont celles de notre fiche de 2021 : pour le calendrier à jour, "
            f"consultez la page du ministère : {MINISTRY_URL}"
        )
    return f"Toutes les informations et la suite du calendrier : {MINISTRY_URL}"


def presentation(today: date) -> List[str]:
    """What the AMI is and who runs it."""
    return [
        "L'AMI PTCE est un appel à manifestation d'intérêt du Ministère de l'Économie, "
        "des Finances et de la Relance, destiné aux PTCE émergents, pour relancer les PTCE.",
        PERMANENT,
        FIRST_WAVE.tell(today),
        ministry_pointer(today),
    ]


def calendar(today: date) -> List[str]:
    """The AMI calendar, each date in the tense it calls for."""
    return (
        [PERMANENT] + [milestone.tell(today) for milestone in CALENDAR] + [ministry_pointer(today)]
    )


def winners(today: date) -> List[str]:
    """What the winners of the AMI get."""
    return [FIRST_WAVE.tell(today), SELECTION.tell(today), ministry_pointer(today)]


ANSWERS: Dict[str, Callable[[date], List[str]]] = {
    "ami_presentation": presentation,
    "ami_calendrier": calendar,
    "ami_laureats": winners,
}
RELATED = {
    "ami_presentation": ("ami_calendrier", "ami_laureats", "request_contact"),
    "ami_calendrier": ("ami_presentation", "ami_laureats"),
    "ami_laureats": ("ami_calendrier", "faq/rapport_priorites"),
}


def paris_today() -> date:
    """Today's date for a French visitor."""
    return datetime.now(PARIS).date()


class ActionAnswerAmi(Action):
    """Answers the three AMI intents; ``today`` is injectable for tests."""

    def __init__(self, today: Optional[Callable[[], date]] = None) -> None:
        self.today = today or paris_today

    def name(self) -> Text:
        return "action_answer_ami"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent not in ANSWERS:
            intent = "ami_presentation"
        text = "\n".join(ANSWERS[intent](self.today()))
        dispatcher.utter_message(text=text, buttons=buttons(*RELATED[intent]))
        return []
