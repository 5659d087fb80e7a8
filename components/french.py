"""French words as stems: shared by the NLU's answer check and the sheet search.

Accents, case, elisions and common words are set aside, and Snowball's French
stemmer folds word forms ("financements", "financer"), so that a visitor typing
without accents or in the plural meets the sheet's wording.
"""

import re
import unicodedata
from typing import List, Optional

import snowballstemmer

# Words that say nothing of a topic. Single letters and "qu" are what elisions
# ("l'", "d'", "qu'") leave once apostrophes split words. The forms of « être » and
# « avoir » go too: Snowball stems « sera » as « ser », the stem of « série ».
STOPWORDS = frozenset(
    """
    a au aux avec ce ces cet cette ci comme d dans de des du elle elles en est et etc eu
    il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos
    notre nous on ou par pas plus pour qu que quel quelle quelles quels qui s sa sans se
    ses si son sont sur t ta te tes toi ton tu un une vos votre vous y c ca cela est-ce
    etre avoir fait faire peut peuvent quoi comment pourquoi quand combien ete etait
    bonjour merci svp stp bien tres aussi alors donc car or soit chez entre vers
    suis es sommes etes sera seront serait seraient etaient ai as ont avait avaient
    aura auront koi jsp ya
    """.split()
)
_stemmer = snowballstemmer.stemmer("french")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """``text`` in lower case, without accents, with straight apostrophes: how the
    actions' word checks (contact, follow-ups) read a message."""
    return strip_accents(text.lower().replace("’", "'"))


def word_count(text: str) -> int:
    """How many words ``text`` has as a reader counts them: « l'a-t-il » and « co-écrit »
    are one word each, punctuation none."""
    return len(re.findall(r"[^\W_][\w'’-]*", text))


def stems(text: str) -> List[str]:
    """The text's content words as accent-free French stems."""
    words = re.findall(r"[^\W_]+", text.lower())
    kept = [word for word in words if strip_accents(word) not in STOPWORDS]
    return [strip_accents(stem) for stem in _stemmer.stemWords(kept)]


# The position a French ordinal names in a list, the last one as -1; digits as visitors
# type them (« 2e », « 3ème », « 1er »), after ``fold``.
ORDINALS = (
    (0, re.compile(r"\b(premier|premiere|1(er|ere|re))\b")),
    (1, re.compile(r"\b(deuxieme|second|seconde|2(e|eme|nd|nde))\b")),
    (2, re.compile(r"\b(troisieme|3(e|eme))\b")),
    (3, re.compile(r"\b(quatrieme|4(e|eme))\b")),
    (-1, re.compile(r"\b(dernier|derniere)\b")),
)


def ordinal(text: str) -> Optional[int]:
    """The list position an ordinal of ``text`` names (« la deuxième » → 1, « le
    dernier » → -1), if it names one."""
    folded = fold(text)
    return next((position for position, words in ORDINALS if words.search(folded)), None)
