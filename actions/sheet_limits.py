"""Questions the sheet cannot answer, told by their words when the NLU is unsure.

All three blind sets of single messages, and the blind conversations, asked in
words the training data did not have for things the sheet does not give: the
AMI's winners (« quels projets ont été retenus à l'issue de la première vague ? »),
who may apply or how much it gives, a PTCE in a given place (« y a t il un ptce a
quimper », « et ds le calvados il y en a ? » after the count), the firm's
references (« avez-vous déjà accompagné des PTCE ? »). The NLU was unsure and the
bot asked which topic they meant. The honest answer says that the sheet does not
give it and points to who can (``faq/limite_*``, data/responses/limites.yml).

A question is told by its words only when it is about the subject of that answer,
in its own words or right after an answer on it: « vos clients » of a bakery are
not the firm's references. The fallback action asks this module only for a
message the NLU did not first take for out of scope.
"""

import re
from typing import Callable, Optional, Tuple

from actions.ami import AMI_TODAY, ASKS_A_DATE
from actions.ami import ANSWERS as AMI_ANSWERS
from actions.answers import ABOUT_PTCE
from components.french import fold

PTCE_LOCAL = "faq/limite_ptce_local"
FIRM = "faq/limite_cabinet"
NO_DETAIL = "faq/limite_details"
BOOK = "faq/cabinet_ouvrage"

# Who won the AMI, or was selected or funded by it.
AMI_RESULTS = re.compile(r"\b(laureats?|gagnants?|retenus|selectionnes|finances)\b")
# Who may apply, and how much it gives.
AMI_TERMS = re.compile(
    r"\b(eligib\w*|candidater|postuler|(des|les|une) aides?|[dl]'aides?|combien d'argent|"
    r"montants?|subventions?)\b"
)
# The AMI named: not the State or a ministry, which give other aids (« l'aide de
# l'État pour un contrat PEC » is out of scope).
AMI_NAMED = re.compile(r"\b(ami|appel|manifestation|vagues?|ptce|poles?)\b")
# Whether PTCE exist in a given place: a PTCE, or « en » for them, then one place
# word ending the message (« à Quimper ? »; two words, « en milieu rural », are a
# kind of PTCE, not a place; « une vidéo ? … en regardant » names no PTCE), a place
# of the visitor's own, or « il y en a » after a place. « Combien » asks the count.
PLACE_AT_THE_END = (
    r"\b(a|au|aux|en|sur|vers|pres d[e']|du cote d[e']|autour d[e']|dans l'?)\s*[\w-]+\W*$"
)
PTCE_IN_A_PLACE = re.compile(
    r"^(?!.*\b(combien|cb|nombre)\b).*(?:"
    r"\b(y a[- ]t[- ]il|existe[- ]t[- ]il|il existe|il y a|connaissez[- ]vous)\b"
    r".*\b(ptce|poles?)\b.*"
    + PLACE_AT_THE_END
    + r"|\by en a([- ]t[- ]il)?( un| une| des)?\s.*"
    + PLACE_AT_THE_END
    + r"|\b(pres de chez (moi|nous)|ils sont ou|ou sont[- ]ils|ou se trouvent[- ]ils|"
    r"dans (mon|ma|notre) (departement|region|commune|ville|secteur|coin|territoire)|"
    r"(dans|ds|en|a|au|vers|sur|pres de|cote de) (le |la |l')?[\w-]+ (il )?y en a)\b)"
)
# What something costs or how long it takes, in euros or in time (« combien de temps
# faut-il pour monter un PTCE ? », « Combien, en euros ? » after the AMI's aids): the
# sheet gives no cost and no duration. The firm's own prices are asked apart
# (actions/contact_wish.py), and lead to a consultant.
COST_OR_DURATION = re.compile(
    r"\b(cout\w*|prix|tarifs?|cher|euros?|combien d'? ?argent|cb d'? ?argent|duree"
    r"|(combien|cb) de (temps|tps|mois|semaines|annees|ans))\b"
)
# What the firm has done before: the sheet names no client and no project.
FIRM_REFERENCES = re.compile(
    r"\b(deja (accompagne|aide|conseille|travaille)\w*|vos references|des references|"
    r"references clients?|vos clients|quels clients)\b"
)


def about_ptce(folded: str, remembered: Optional[str]) -> bool:
    """Whether a message is about PTCE: it names one, or follows an answer on them."""
    return bool(ABOUT_PTCE.search(folded)) or (remembered or "").startswith("faq/ptce")


def about_ami(folded: str, remembered: Optional[str]) -> bool:
    """Whether a message is about the AMI but asks no date: it names the AMI or a PTCE,
    or follows an AMI answer. A date (« quand fallait-il candidater ? ») is the
    calendar's."""
    if ASKS_A_DATE.search(folded):
        return False
    return bool(AMI_NAMED.search(folded)) or remembered in (*AMI_ANSWERS, AMI_TODAY)


def about_the_sheet(folded: str, remembered: Optional[str]) -> bool:
    """A message about PTCE or the AMI (``about_ptce``, ``about_ami``)."""
    return about_ptce(folded, remembered) or about_ami(folded, remembered)


def after_the_book(folded: str, remembered: Optional[str]) -> bool:
    """Right after the book's answer, which says the sheet gives no price, and where to buy it."""
    return remembered == BOOK


def anywhere(folded: str, remembered: Optional[str]) -> bool:
    """Any message: the words of the pattern name the firm already (« vous », « vos »)."""
    return True


About = Callable[[str, Optional[str]], bool]
# The words of the question, what it must be about, and the answer that says the sheet lacks it.
SILENT_ON: Tuple[Tuple["re.Pattern[str]", About, str], ...] = (
    (AMI_RESULTS, about_ami, AMI_TODAY),
    (AMI_TERMS, about_ami, AMI_TODAY),
    (PTCE_IN_A_PLACE, about_ptce, PTCE_LOCAL),
    # « Il coûte combien ? » after the book: its answer says the sheet gives no price.
    (COST_OR_DURATION, after_the_book, BOOK),
    (COST_OR_DURATION, about_the_sheet, NO_DETAIL),
    (FIRM_REFERENCES, anywhere, FIRM),
)


def silent_on(text: str, remembered: Optional[str]) -> Optional[str]:
    """The answer saying the sheet does not give what ``text`` asks, when its words say
    so; ``remembered`` is the topic last answered."""
    folded = fold(text)
    return next(
        (
            key
            for words, about, key in SILENT_ON
            if words.search(folded) and about(folded, remembered)
        ),
        None,
    )
