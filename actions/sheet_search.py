"""A search of the resource sheet's passages, for questions no intent answers confidently.

The sheet (``docs/fiche-ptce.txt``) is cut into passages: a paragraph, or a list
with the line that introduces it, each with the heading of its section. A
visitor's message and the passages are compared as French word stems
(``components.french``), weighted by TF-IDF (scikit-learn). The best
passage is returned with its cosine similarity; the caller decides, with a
threshold measured on the blind set, whether it is close enough to quote.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Optional

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from components.french import stems

SHEET = Path(__file__).resolve().parent.parent / "docs" / "fiche-ptce.txt"


@dataclass(frozen=True)
class Passage:
    """A passage of the sheet and the heading of the section it belongs to."""

    section: str
    text: str


@dataclass(frozen=True)
class Match:
    """The passage closest to a message, how close (cosine similarity, 0 to 1), and how
    much of the message it covers (the share of the message's words, weighted by
    their rarity in the sheet, that the passage holds; 0 to 1)."""

    passage: Passage
    score: float
    coverage: float


def _is_heading(block: str) -> bool:
    """A one-line block that names a part of the sheet rather than stating a fact."""
    if "\n" in block or block.startswith("- "):
        return False
    return (
        block.startswith("→")
        or bool(re.match(r"^[IVX]+- ", block))
        or (len(block) < 120 and not block.endswith((".", ":", "»", ">", ")")))
    )


def _clean(line: str) -> str:
    """A line of the sheet as plain text: no Markdown emphasis, links without brackets."""
    line = re.sub(r"^- (o )?", "", line.strip())
    return re.sub(r"<(https?://[^>]+)>", r"\1", line.replace("**", "")).strip()


def sentences(paragraph: str) -> List[str]:
    """A paragraph's sentences: a passage says one thing, so its score says how well."""
    text = paragraph.replace("\n", " ")
    return [part for part in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý*])", text) if part]


def split_passages(sheet: str) -> List[Passage]:
    """Sentences and list items, each with the line that introduces it and its heading.

    A list item alone ("mutualisation de locaux…") says little: it keeps the line
    that introduces its list ("Formes :"). An arrow line ("→ Nouvelle charte PTCE")
    heads what follows: it is quoted as the section of its passages.
    """
    blocks = [block.strip() for block in re.split(r"\n\s*\n", sheet) if block.strip()]
    passages: List[Passage] = []
    section, label = "", ""
    for block in blocks:
        if _is_heading(block):
            section, label = _clean(block.lstrip("→ ")).rstrip(" ?"), ""
        elif not section:
            continue  # the sheet's title, before its first heading
        elif block.endswith(":") and "\n" not in block:
            label = _clean(block)
        else:
            lines = block.splitlines() if block.startswith("- ") else sentences(block)
            for line in lines:
                text = _clean(line)
                passages.append(Passage(section, f"{label} {text}" if label else text))
            label = ""
    return passages


class SheetSearch:
    """TF-IDF over the sheet's passages, built once per process."""

    def __init__(self, passages: List[Passage]) -> None:
        self.passages = passages
        documents = [f"{passage.section} {passage.text}" for passage in passages]
        self.vectorizer = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(documents)
        self.words = [set(stems(document)) for document in documents]
        self.rarity = dict(
            zip(self.vectorizer.get_feature_names_out(), self.vectorizer.idf_, strict=True)
        )
        # A word the sheet never uses is as telling as its rarest one.
        self.unknown_rarity = max(self.rarity.values())

    def coverage(self, message: str, index: int) -> float:
        """The share of the message's words (weighted by rarity) that passage ``index`` holds.

        A passage can be close by cosine through two or three words while the
        message asks about something else (« quelles conditions pour relever de
        l'ESS au sens de la loi de 2014 ? » and the passage on the law of 2014).
        """
        weights = {word: self.rarity.get(word, self.unknown_rarity) for word in stems(message)}
        total = sum(weights.values())
        held = sum(weight for word, weight in weights.items() if word in self.words[index])
        return held / total if total else 0.0

    def best(self, message: str) -> Optional[Match]:
        """The closest passage, or None when the message shares no word with the sheet."""
        query = self.vectorizer.transform([message])
        if query.nnz == 0:
            return None
        scores = linear_kernel(query, self.matrix)[0]
        index = int(scores.argmax())
        return Match(self.passages[index], float(scores[index]), self.coverage(message, index))


@lru_cache(maxsize=1)
def sheet_search() -> SheetSearch:
    """The search over ``docs/fiche-ptce.txt``."""
    return SheetSearch(split_passages(SHEET.read_text(encoding="utf-8")))
