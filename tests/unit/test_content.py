"""The answers stay faithful to the resource sheet and consistent with each other."""

import glob
import re
import unicodedata
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import yaml

from actions.topics import DETAILS, MORE, RELATED, TOPICS
from tests.support.blind import BLIND_SETS
from tests.support.blind import blind_messages as blind_messages_of
from tests.support.content import ROOT, responses, sheet
from tests.support.dialogues import DIALOGUE_SETS, load_conversations

SHEET = sheet()
URL = re.compile(r"https?://[^\s<>\"'»)]+")
RESPONSES: Dict[str, List[dict]] = responses()


def clean(url: str) -> str:
    return url.rstrip(".,;:")


def sheet_links() -> Set[str]:
    return {clean(url) for url in re.findall(r"<(https?://[^>]+)>", SHEET)}


def bot_texts() -> Iterator[str]:
    """Every text the bot can send: its responses and the actions' strings."""
    for variants in RESPONSES.values():
        for variant in variants:
            yield variant.get("text", "")
    for path in sorted((ROOT / "actions").glob("*.py")):
        yield path.read_text(encoding="utf-8")


def bot_links() -> Set[str]:
    return {clean(url) for text in bot_texts() for url in URL.findall(text)}


def nlu_examples(pattern: str) -> Iterator[Tuple[str, str]]:
    for path in sorted(glob.glob(str(ROOT / pattern), recursive=True)):
        for block in yaml.safe_load(Path(path).read_text(encoding="utf-8")).get("nlu", []):
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    yield block["intent"], line.strip()[2:].strip()


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def test_every_link_the_bot_shows_is_in_the_sheet() -> None:
    assert bot_links() - sheet_links() == set()


def test_every_link_of_the_sheet_is_reachable_through_an_answer() -> None:
    assert sheet_links() - bot_links() == set()
    assert len(sheet_links()) == 10


def test_every_faq_intent_has_an_answer_and_every_answer_an_intent() -> None:
    trained = {intent for intent, _ in nlu_examples("data/nlu/*.yml") if intent.startswith("faq/")}
    answered = {name[len("utter_") :] for name in RESPONSES if name.startswith("utter_faq/")}
    assert trained == answered
    assert trained == {key for key in TOPICS if key.startswith("faq/")}


def test_topic_buttons_match_the_topic_table() -> None:
    known = {(topic.title, topic.payload) for topic in TOPICS.values()}
    payloads = {topic.payload for topic in TOPICS.values()}
    # The forms' own controls: yes, no, skip, correct, cancel, try the erasure again.
    controls = {"/affirm", "/deny", "/cancel", "/lead_correct", "/delete_my_data"}
    for name, variants in RESPONSES.items():
        for variant in variants:
            for button in variant.get("buttons", []):
                if button["payload"] in controls:
                    continue
                if button["title"] == MORE:
                    assert button["payload"] in payloads, name
                else:
                    assert (button["title"], button["payload"]) in known, name


def test_faq_button_payloads_are_training_examples_of_their_topic() -> None:
    examples = set(nlu_examples("data/nlu/*.yml"))
    for key, topic in TOPICS.items():
        if key.startswith("faq/"):
            assert (key, topic.payload) in examples, key


def test_sheet_answers_offer_related_topics() -> None:
    """Two to four related topics, or one and the contact where the sheet has no answer."""
    for key in TOPICS:
        if key.startswith("faq/"):
            related = [topic for topic in RELATED[key] if topic != "request_contact"]
            related += [DETAILS[key]] if key in DETAILS else []
            minimum = 1 if "request_contact" in RELATED[key] else 2
            assert minimum <= len(related) <= 4, key


def test_answers_are_short_and_say_vous() -> None:
    informal = re.compile(r"\b(tu|toi|ton|ta|tes|t'es)\b", re.IGNORECASE)
    for name, variants in RESPONSES.items():
        for variant in variants:
            assert len(variant["text"]) <= 900, name
            assert not informal.search(variant["text"]), name


def jaccard(a: Set[str], b: Set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def test_held_out_messages_do_not_nearly_repeat_training_examples() -> None:
    """A held-out message sharing 70 % of its words with an example measures memory."""
    trained = [set(normalise(text).split()) for _, text in nlu_examples("data/nlu/*.yml")]
    held_out = [text for _, text in nlu_examples("tests/nlu/heldout.yml")]
    assert len(held_out) >= 150
    near = [
        text
        for text in held_out
        if max(jaccard(set(normalise(text).split()), words) for words in trained) >= 0.7
    ]
    assert near == []


def blind_turns() -> List[str]:
    """What the visitor types in every turn of every set of blind conversations."""
    return [
        turn.user
        for path in DIALOGUE_SETS.values()
        for conversation in load_conversations(path)
        for turn in conversation.turns
    ]


def blind_messages() -> List[str]:
    """The blind single questions, and the blind conversations' turns of five words or more.

    Shorter turns (« oui », « le lien ? ») are the few words anyone types; a
    training example can only differ from them by being another phrase.
    """
    messages = [m.text for name in BLIND_SETS for m in blind_messages_of(name)]
    messages += [text for text in blind_turns() if len(normalise(text).split()) >= 5]
    return messages


def button_labels() -> Set[str]:
    """What the topic buttons send when clicked: the product's own words, which a
    visitor who read the button may type (« Accompagner un projet local de transition
    écologique » at the need step), and which must be training examples."""
    return {topic.payload for topic in TOPICS.values()}


def test_no_training_example_nearly_repeats_a_blind_message() -> None:
    """The blind sets stay out of training, even reworded by a word or two."""
    blind = [set(normalise(text).split()) for text in blind_messages()]
    near = [
        text
        for _, text in nlu_examples("data/nlu/*.yml")
        if text not in button_labels()
        and max(jaccard(set(normalise(text).split()), words) for words in blind) >= 0.7
    ]
    assert near == []


def test_no_training_example_is_a_blind_message() -> None:
    """Not even a short one, word for word, unless it is a word anyone types (« oui »)."""
    blind = {normalise(text) for text in blind_messages()}
    blind |= {normalise(text) for text in blind_turns()}
    blind = {text for text in blind if len(text) >= 15}
    examples = [text for _, text in nlu_examples("data/nlu/*.yml") if text not in button_labels()]
    assert [text for text in examples if normalise(text) in blind] == []


def test_the_sheet_copy_is_the_shared_seed_when_present() -> None:
    seed = ROOT.parent / "shared" / "seeds" / "000_421fbd242c21a088.txt"
    if seed.exists():
        assert seed.read_text(encoding="utf-8") == SHEET
