"""Unanswered questions, with the phrasings of one question counted together.

Two steps. Messages are first counted by their normalised text (case, accents,
punctuation and masked addresses ignored): "Quel temps fait-il ?" and "quel
temps fait il" are one phrasing. Phrasings are then grouped by the cosine
similarity of their character n-grams (scikit-learn's TF-IDF, the same kind of
features the assistant's own NLU uses against typos): each phrasing joins the
most similar group leader at or above ``SIMILARITY``, else leads a group of its
own. The most frequent phrasings become leaders first, so a group is named by
its commonest phrasing. At most ``MAX_LEADERS`` phrasings are compared with
each other; rarer ones are only compared with those leaders, which bounds the
work on a long period.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

SIMILARITY = 0.6
MAX_LEADERS = 2000
CHUNK_ROWS = 2000
# What ``redact`` leaves of an address or a number: "j***@e***.fr", "+33******78".
_MASKED = re.compile(r"\S*\*\*\*\S*")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """``text`` lower-cased, without accents, punctuation or masked personal data."""
    text = _MASKED.sub(" ", text)
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", text).strip()


@dataclass
class Question:
    """One phrasing: an example as typed (masked), how often and when it was seen."""

    example: str
    first: float
    last: float = 0.0
    count: int = 0
    outcomes: Counter = field(default_factory=Counter)

    def add(self, timestamp: float, outcome: str) -> None:
        self.count += 1
        self.first = min(self.first, timestamp)
        self.last = max(self.last, timestamp)
        self.outcomes[outcome] += 1


@dataclass
class QuestionGroup:
    """Similar phrasings counted together; ``example`` is the commonest one."""

    example: str
    count: int
    phrasings: int
    first: float
    last: float
    outcomes: Counter

    def absorb(self, question: Question) -> None:
        self.count += question.count
        self.phrasings += 1
        self.first = min(self.first, question.first)
        self.last = max(self.last, question.last)
        self.outcomes.update(question.outcomes)


def group(questions: Dict[str, Question], similarity: float = SIMILARITY) -> List[QuestionGroup]:
    """Groups of similar phrasings, most asked first (``questions`` keyed by normalised text)."""
    keys = sorted(questions, key=lambda key: (-questions[key].count, key))
    if not keys:
        return []
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    matrix = vectors.fit_transform(keys)
    head = min(len(keys), MAX_LEADERS)
    leader_of = _leaders(matrix[:head], similarity)
    leaders = sorted(set(leader_of))
    leader_of += _nearest(matrix[head:], matrix[leaders], leaders, similarity, start=head)
    groups: Dict[int, QuestionGroup] = {}
    for index, key in enumerate(keys):
        question = questions[key]
        target = groups.get(leader_of[index])
        if target is None:
            groups[index] = QuestionGroup(
                question.example, 0, 0, question.first, question.last, Counter()
            )
            target = groups[index]
        target.absorb(question)
    return sorted(groups.values(), key=lambda item: (-item.count, item.example))


def _leaders(matrix, similarity: float) -> List[int]:
    """For each row, the index of its group's leader among the rows before it (or itself)."""
    similarities = (matrix @ matrix.T).toarray()
    leader_of: List[int] = []
    leaders: List[int] = []
    for row in range(matrix.shape[0]):
        best = -1
        if leaders:
            scores = similarities[row, leaders]
            candidate = int(np.argmax(scores))
            if scores[candidate] >= similarity:
                best = leaders[candidate]
        if best < 0:
            leaders.append(row)
            best = row
        leader_of.append(best)
    return leader_of


def _nearest(rows, leader_rows, leaders: List[int], similarity: float, start: int) -> List[int]:
    """For each of ``rows`` (numbered from ``start``), its most similar leader, or itself."""
    found: List[int] = []
    for offset in range(0, rows.shape[0], CHUNK_ROWS):
        scores = (rows[offset : offset + CHUNK_ROWS] @ leader_rows.T).toarray()
        best = scores.argmax(axis=1)
        for index, column in enumerate(best):
            matched = scores[index, column] >= similarity
            found.append(leaders[column] if matched else start + offset + index)
    return found
