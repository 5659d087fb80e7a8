"""The runner of the blind conversations (tests/support/dialogues.py), without a bot.

A matcher that is too strict fails the bot for its typography; one that is too
loose passes a reply that holds a forbidden string or finds « Non » in « annonce ».
The bot is played by fake ``send`` functions.
"""

from pathlib import Path
from typing import Callable, Dict, List

import pytest
import requests

from tests.support.content import response_text
from tests.support.dialogues import (
    DIALOGUE_SETS,
    Conversation,
    DialogueReport,
    Turn,
    breakdown,
    holds,
    load_conversations,
    play,
    seen,
)

PRICE = Turn(
    "ça coûte combien à la commune ?",
    expect_any=("fiche",),
    expect_not=("56", "€", "euros"),
)


@pytest.mark.parametrize(
    "reply, wanted",
    [
        ("Notre fiche\u202fne donne pas de prix.", "fiche ne donne pas"),
        ("Notre fiche\u00a0: rien", "fiche : rien"),
        ("Le rapport «\u202fRelancer les PTCE\u202f»", "« Relancer les PTCE »"),
        ("c\u2019est l\u2019article 9", "c'est l'article 9"),
        ("LES ÉLUS LOCAUX", "élus locaux"),
        ("les élus locaux", "elus locaux"),
        ("Votre demande est annulée.", "annul"),
        ("Référence\u202f: PTCE-7Q2M4K8D", "PTCE-"),
        ("Référence\u202f: PTCE\u20117Q2M4K8D", "PTCE-"),
        ("l'AMI", "l\u2019AMI"),
        ("Oui, depuis 2014.", "Oui"),
        ("Non\u202f: il y en avait 56.", "Non"),
        ("Le site du Cabinet\u00a0: https://fr-consultants.com/", "fr-consultants.com"),
        ("https://fr-consultants.com/2019/10/25/x/", "https://fr-consultants.com/2019/10/25/x/"),
        ("l'assistant de Fr Consultants", "Fr Consultants"),
        ("Le site du Cabinet\u00a0: https://fr-consultants.com/", "fr-consultants"),
        ("Être recontacté par un consultant", "consultant"),
        ("Coût : 500\u00a0€", "€"),
        ("un    retour à la ligne\net  des espaces", "retour a la ligne et des espaces"),
    ],
)
def test_typography_case_and_accents_do_not_matter(reply: str, wanted: str) -> None:
    assert holds(reply, wanted)


@pytest.mark.parametrize(
    "reply, wanted",
    [
        ("Le ministère l'annonce sur sa page.", "Non"),
        ("Louis a écrit le livre.", "Oui"),
        ("Les PTCE sont 56.", "PTCE-"),
        ("recontacté par un conseiller", "contact"),
        ("je suis l'assistant de Fr Consultants", "consultant"),
        ("Le site du Cabinet\u00a0: https://fr-consultants.com/", "consultant"),
        ("Notre fiche ne le dit pas", "fiches"),
        ("", "fiche"),
    ],
)
def test_a_string_is_not_found_inside_another_word_or_without_its_punctuation(
    reply: str, wanted: str
) -> None:
    assert not holds(reply, wanted)


def test_a_reply_with_a_forbidden_string_fails_even_with_an_expected_one() -> None:
    reply = "Notre fiche dénombrait 56 PTCE."
    assert PRICE.finds_expected(reply)
    assert PRICE.forbidden_in(reply) == ["56"]
    assert PRICE.failure(reply) == "holds ['56']"


def test_a_reply_without_any_expected_string_fails() -> None:
    assert PRICE.failure("Bonjour !") == "none of ['fiche']"
    assert PRICE.failure("Environ 300 euros.") == "none of ['fiche']; holds ['euros']"


def test_a_reply_passes_with_one_expected_string_and_no_forbidden_one() -> None:
    assert PRICE.failure("Notre fiche ne donne pas de prix\u202f: un consultant le peut.") is None
    law = Turn("reconnus par la loi ?", expect_any=("Oui", "article 9"))
    assert law.failure("L'article 9 de la loi du 31 juillet 2014.") is None


def test_a_turn_with_only_forbidden_strings_passes_when_none_is_held() -> None:
    insult = Turn("t bete", expect_not=("bete",))
    assert insult.checked
    assert insult.failure("Restons courtois.") is None
    assert insult.failure("Je ne suis pas bête.") == "holds ['bete']"


def test_what_the_visitor_sees_is_every_text_then_every_button_title_never_payloads() -> None:
    replies = [
        {"recipient_id": "v", "text": "Notre fiche ne le dit pas."},
        {
            "recipient_id": "v",
            "text": "Autre chose ?",
            "buttons": [{"title": "Être recontacté par un consultant", "payload": "/euros"}],
        },
        {"recipient_id": "v", "image": "https://example.org/x.png"},
    ]
    assert seen(replies) == (
        "Notre fiche ne le dit pas.\nAutre chose ?\nÊtre recontacté par un consultant"
    )
    assert Turn("contact ?", ("consultant",), ("euros",)).failure(seen(replies)) is None


CONVERSATION = Conversation(
    "maire-1",
    "maire",
    (
        Turn("c'est quoi un PTCE ?", expect_any=("plusieurs acteurs",)),
        Turn("ok merci"),
        Turn("ça coûte combien ?", expect_any=("fiche",), expect_not=("56",)),
    ),
)
OTHER = Conversation("sms-1", "sms", (Turn("cb ca coute", ("fiche",), ("56",)),))
ANSWERS = {
    "c'est quoi un PTCE ?": "Des regroupements de plusieurs acteurs.",
    "ok merci": "Avec plaisir.",
    "ça coûte combien ?": "Notre fiche dénombrait 56 PTCE.",
    "cb ca coute": "Notre fiche ne donne pas de prix.",
}


def bot(answers: Dict[str, str], senders: List[str]) -> Callable[[str, str], List[dict]]:
    """A fake REST channel answering from ``answers``, recording each turn's sender."""

    def send(message: str, sender: str) -> List[dict]:
        senders.append(sender)
        return [{"recipient_id": sender, "text": answers[message]}]

    return send


def test_each_conversation_is_one_new_visitor_played_in_order() -> None:
    senders: List[str] = []
    turns = play(CONVERSATION, bot(ANSWERS, senders)) + play(OTHER, bot(ANSWERS, senders))
    assert [played.turn.user for played in turns] == [
        "c'est quoi un PTCE ?",
        "ok merci",
        "ça coûte combien ?",
        "cb ca coute",
    ]
    assert senders[0] == senders[1] == senders[2] != senders[3]
    assert all(played.broken is None for played in turns)


def test_the_report_counts_checked_turns_by_persona_conversation_and_check() -> None:
    report = DialogueReport(play(CONVERSATION, bot(ANSWERS, [])) + play(OTHER, bot(ANSWERS, [])))
    assert len(report.turns) == 4 and len(report.checked) == 3
    assert [played.turn.user for played in report.failed] == ["ça coûte combien ?"]
    assert report.share() == pytest.approx(2 / 3)
    assert report.by(lambda played: played.conversation.persona) == {
        "maire": (1, 2),
        "sms": (1, 1),
    }
    assert report.by_check() == {"expect_any": (3, 3), "expect_not": (1, 2)}
    assert report.per_conversation() == "maire-1: 1/2 (50.0 %)\nsms-1: 1/1 (100.0 %)"
    assert report.summary().startswith("checked turns: 2/3 (66.7 %)\n")
    assert "turns crashed or unanswered: 0/4" in report.summary()


def test_a_failure_is_shown_with_the_exchange_before_it() -> None:
    report = DialogueReport(play(CONVERSATION, bot(ANSWERS, [])))
    assert report.failures() == (
        "[maire] maire-1, turn 3\n"
        "  before: « ok merci »\n"
        "    bot: Avec plaisir.\n"
        "  user: « ça coûte combien ? »\n"
        "    bot: Notre fiche dénombrait 56 PTCE.\n"
        "  why: holds ['56']"
    )


def test_the_first_turn_of_a_conversation_has_no_exchange_before_it() -> None:
    answers = dict(ANSWERS, **{"cb ca coute": "Il y a 56 PTCE."})
    report = DialogueReport(play(CONVERSATION, bot(ANSWERS, [])) + play(OTHER, bot(answers, [])))
    assert report.failures().split("\n\n")[1] == (
        "[sms] sms-1, turn 1\n"
        "  user: « cb ca coute »\n"
        "    bot: Il y a 56 PTCE.\n"
        "  why: none of ['fiche']; holds ['56']"
    )


def test_errors_silence_and_the_apology_are_broken_turns_and_the_conversation_goes_on() -> None:
    replies = iter(
        [
            requests.HTTPError("500 Server Error"),
            [],
            [{"recipient_id": "v", "text": response_text("utter_technical_problem")}],
        ]
    )

    def send(message: str, sender: str) -> List[dict]:
        reply = next(replies)
        if isinstance(reply, Exception):
            raise reply
        return reply

    report = DialogueReport(play(CONVERSATION, send))
    assert [played.broken for played in report.turns] == [
        "crashed: 500 Server Error",
        "no reply",
        "crashed: the channel's apology for a failed turn",
    ]
    assert "turns crashed or unanswered: 3/3" in report.summary()
    assert "why: no reply" in report.failures()


def test_rasas_core_fallback_is_a_broken_turn_even_after_an_answer() -> None:
    """« kan » got its answer, then « Désolé, je n'ai pas compris », which undid the turn."""
    answered = {"recipient_id": "v", "text": "Le terme de PTCE est apparu en 2009."}
    core_fallback = {"recipient_id": "v", "text": response_text("utter_default")}
    assert breakdown([answered]) is None
    assert breakdown([answered, core_fallback]) == (
        "no rule fitted: Rasa's core fallback undid the turn"
    )


def test_the_blind_conversations_meet_the_issues_size_and_use_only_checked_keys() -> None:
    conversations = load_conversations()
    turns = [turn for conversation in conversations for turn in conversation.turns]
    assert len(conversations) >= 40 and len(turns) >= 250
    assert len({conversation.persona for conversation in conversations}) >= 5
    assert len({conversation.id for conversation in conversations}) == len(conversations)
    assert all(turn.user.strip() for turn in turns)


@pytest.mark.parametrize("name", ["fresh", "third", "sixth", "seventh", "eighth"])
def test_the_later_conversation_sets_are_read_and_have_ids_of_their_own(name: str) -> None:
    conversations = load_conversations(DIALOGUE_SETS[name])
    turns = [turn for conversation in conversations for turn in conversation.turns]
    assert len(conversations) >= 20 and len(turns) >= 130
    assert len({conversation.persona for conversation in conversations}) >= 5
    others = {
        conversation.id
        for other, path in DIALOGUE_SETS.items()
        if other != name
        for conversation in load_conversations(path)
    }
    assert not {conversation.id for conversation in conversations} & others


def test_a_key_the_runner_does_not_check_is_refused(tmp_path: Path) -> None:
    """A new kind of check in the file fails loudly instead of passing unchecked."""
    path = tmp_path / "blind.yml"
    path.write_text(
        "version: 1\n"
        "conversations:\n"
        "  - id: c1\n"
        "    persona: maire\n"
        "    turns:\n"
        "      - user: bonjour\n"
        "        expect_all: [PTCE]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"c1: .*\['expect_all'\]"):
        load_conversations(str(path))


@pytest.mark.parametrize("header", ["version: 2\n", "version: 1\ndefaults: {}\n", ""])
def test_another_version_or_key_of_the_file_is_refused(tmp_path: Path, header: str) -> None:
    path = tmp_path / "blind.yml"
    path.write_text(header + "conversations: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not version 1"):
        load_conversations(str(path))
