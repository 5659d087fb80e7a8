"""The report as one self-contained French HTML page.

Everything is inline: the style, and the charts as SVG (``insights.charts``).
There is no script, and the page's Content-Security-Policy forbids loading
anything (``default-src 'none'``), so it opens offline and cannot call out even
if a visitor's text tried to. Every text from the stores goes through
``html.escape``.
"""

from datetime import date, datetime
from html import escape
from typing import Iterable, List, Optional, Sequence, Tuple

from actions.leads.store import PARIS
from insights import charts
from insights.figures import NO_ANSWER_BEFORE, Figures
from insights.leads import LeadCounts, destination_label
from insights.outcomes import (
    ANSWERED,
    FUNNEL_ACTIONS,
    OTHER,
    OUTCOME_LABELS,
    UNANSWERED,
    UNHELPFUL,
    topic_label,
)
from insights.report import Report

TOP_TOPICS = 15
TOP_QUESTIONS = 50
QUESTION_OUTCOMES = (ANSWERED,) + UNANSWERED
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222;
       padding: 0 1rem; line-height: 1.45; }
h1 { color: #1f5f8b; margin-bottom: 0.2rem; }
h2 { border-bottom: 2px solid #1f5f8b; padding-bottom: 0.2rem; margin-top: 2.5rem; }
.period { color: #555; margin-top: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1.5rem 0; }
.card { border: 1px solid #ccd; border-radius: 6px; padding: 0.7rem 1rem; min-width: 9rem; }
.card strong { display: block; font-size: 1.6rem; color: #1f5f8b; }
table { border-collapse: collapse; width: 100%; margin: 0.8rem 0; font-size: 0.95rem; }
th, td { border-bottom: 1px solid #dde; padding: 0.35rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f0f4f8; }
td.n, th.n { text-align: right; white-space: nowrap; }
svg { max-width: 100%; height: auto; }
svg text { font-family: system-ui, sans-serif !important; }
.note { color: #555; font-size: 0.9rem; }
.empty { font-size: 1.2rem; padding: 1rem; background: #fff6e0; border-radius: 6px; }
"""


def render(report: Report, generated: datetime) -> str:
    """The whole page."""
    figures = report.figures
    period = _period(report, figures)
    if report.empty:
        body = (
            '<p class="empty">Aucune conversation sur cette période\u00a0: '
            "rien à montrer. Élargissez la période (--since, --until) ou vérifiez "
            "TRACKER_STORE_URL.</p>"
        )
    else:
        body = "".join(
            [
                _summary(figures),
                _channels(figures),
                _outcomes(figures),
                _topics(figures),
                _questions(report),
                _unhelpful(figures),
                _funnel(figures, report.leads),
            ]
        )
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ce que demandent les visiteurs – assistant PTCE</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Ce que demandent les visiteurs</h1>
<p class="period">Assistant PTCE de Fr Consultants · {escape(period)} ·
rapport généré le {_moment(generated.timestamp())}</p>
{body}
<p class="note">Adresses e-mail et numéros de téléphone masqués\u202f; aucun nom, aucun
identifiant de conversation, et des leads seulement les nombres. Les messages tapés
dans le formulaire de contact ne sont jamais cités.</p>
</body>
</html>
"""


def _period(report: Report, figures: Figures) -> str:
    start = report.since or _day(figures.first_seen)
    end = report.until or _day(figures.last_seen)
    if start is None or end is None:
        return "toute la période enregistrée"
    return f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"


def _day(timestamp: Optional[float]) -> Optional[date]:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, PARIS).date()


def _moment(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, PARIS).strftime("%d/%m/%Y %H:%M")


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}\u202f%".replace(".", ",") if whole else "–"


def _number(value: float) -> str:
    """French number formatting: thin space between thousands, comma for decimals."""
    text = (
        f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{value:,.0f}"
    )
    return text.replace(",", "\u202f").replace(".", ",")


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A table; numbers are right-aligned, every cell escaped."""
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            numeric = isinstance(cell, (int, float))
            text = _number(cell) if numeric else str(cell)
            cells.append(
                f'<td class="n">{escape(text)}</td>' if numeric else f"<td>{escape(text)}</td>"
            )
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _section(title: str, *parts: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{''.join(parts)}</section>"


def _summary(figures: Figures) -> str:
    questions = sum(figures.outcomes[outcome] for outcome in QUESTION_OUTCOMES)
    cards = [
        ("conversations", _number(figures.conversations)),
        ("messages des visiteurs", _number(figures.messages)),
        ("messages par conversation (médiane)", _number(float(figures.median_messages))),
        ("minutes par conversation (médiane)", _number(round(figures.median_minutes, 1))),
        ("questions répondues par la fiche", _percent(figures.outcomes[ANSWERED], questions)),
    ]
    items = "".join(
        f'<div class="card"><strong>{value}</strong>{label}</div>' for label, value in cards
    )
    return f'<div class="cards">{items}</div>'


def _channels(figures: Figures) -> str:
    channels = [channel for channel, _ in figures.conversations_per_channel.most_common()]
    total = figures.conversations
    rows = [
        (channel, count, _percent(count, total))
        for channel, count in figures.conversations_per_channel.most_common()
    ]
    return _section(
        "Conversations par jour et par canal",
        charts.per_day(figures.conversations_per_day, channels, "Conversations par jour"),
        _table(("Canal", "Conversations", "Part"), rows),
        '<p class="note">Une conversation est une session de l\'assistant (une heure sans '
        "message en ouvre une nouvelle), datée et rangée selon son premier message.</p>",
    )


def _outcomes(figures: Figures) -> str:
    questions = sum(figures.outcomes[outcome] for outcome in QUESTION_OUTCOMES)
    chart_items = [
        (OUTCOME_LABELS[outcome], figures.outcomes[outcome]) for outcome in QUESTION_OUTCOMES
    ]
    rows: List[Tuple[str, int, str]] = [
        (
            OUTCOME_LABELS[outcome],
            figures.outcomes[outcome],
            _percent(figures.outcomes[outcome], questions),
        )
        for outcome in QUESTION_OUTCOMES
    ]
    rows += [
        (OUTCOME_LABELS[outcome], figures.outcomes[outcome], "") for outcome in (UNHELPFUL, OTHER)
    ]
    rows.append(("Total des messages des visiteurs", figures.messages, ""))
    return _section(
        "Ce que sont devenus les messages",
        charts.bars(chart_items, "Questions selon leur issue"),
        _table(("Issue", "Messages", "Part des questions"), rows),
        '<p class="note">Une question est un message qui a reçu une réponse de la fiche, '
        "un extrait trouvé par la recherche, une réponse «\u202fhors sujet\u202f» ou "
        f"l'incompréhension de l'assistant\u202f; la part se calcule sur ces "
        f"{_number(questions)} questions.</p>",
    )


def _topics(figures: Figures) -> str:
    top = figures.topics.most_common(TOP_TOPICS)
    if not top:
        return _section("Les sujets les plus demandés", "<p>Aucune réponse de la fiche.</p>")
    answered = figures.outcomes[ANSWERED]
    rows = [(topic_label(topic), count, _percent(count, answered)) for topic, count in top]
    return _section(
        "Les sujets les plus demandés",
        charts.bars([(topic_label(topic), count) for topic, count in top], "Sujets"),
        _table(("Sujet", "Réponses données", "Part des réponses"), rows),
    )


def _questions(report: Report) -> str:
    groups = report.questions
    if not groups:
        return _section("Questions sans réponse", "<p>Aucune\u00a0: tout a trouvé réponse.</p>")
    rows = [
        (
            group.count,
            group.example,
            group.phrasings,
            ", ".join(OUTCOME_LABELS[o] for o, _ in group.outcomes.most_common()),
            _moment(group.first),
            _moment(group.last),
        )
        for group in groups[:TOP_QUESTIONS]
    ]
    more = len(groups) - TOP_QUESTIONS
    note = (
        f'<p class="note">Et {_number(more)} autres questions\u00a0: la liste complète sort de '
        "<code>python -m insights unanswered --format csv</code>.</p>"
        if more > 0
        else ""
    )
    return _section(
        "Questions sans réponse",
        '<p class="note">Les questions incomprises, hors sujet ou servies par un extrait de la '
        "fiche, les formulations proches regroupées\u202f; l'exemple est la plus fréquente.</p>",
        _table(
            ("Fois", "Exemple", "Formulations", "Issue", "Première fois", "Dernière fois"), rows
        ),
        note,
    )


def _unhelpful(figures: Figures) -> str:
    if not figures.unhelpful:
        return _section(
            "Réponses qui n'ont pas aidé", "<p>Aucun visiteur n'a signalé de réponse inutile.</p>"
        )
    rows = []
    for topic, count in figures.unhelpful.most_common():
        given = figures.topics.get(topic) or figures.outcomes.get(topic, 0)
        label = "Aucune réponse avant" if topic == NO_ANSWER_BEFORE else topic_label(topic)
        rows.append((label, count, given, _percent(count, given) if given else "–"))
    return _section(
        "Réponses qui n'ont pas aidé",
        '<p class="note">Les visiteurs qui ont dit qu\'une réponse ne les aidait pas '
        "(«\u202fça ne répond pas à ma question\u202f», «\u202fpas utile\u202f»…), "
        "comptés contre la réponse qui précédait.</p>",
        _table(("Réponse", "Signalements", "Fois donnée", "Taux"), rows),
    )


def _funnel_steps(figures: Figures, leads: LeadCounts) -> List[Tuple[str, int, int]]:
    """(step, conversations, conversations at the step it follows): each destination
    follows the confirmation, not the destination above it."""
    shown, accepted, completed = (figures.funnel[name] for name in FUNNEL_ACTIONS)
    steps = [
        ("Consentement affiché", shown, shown),
        ("Consentement accepté", accepted, shown),
        ("Formulaire complété", completed, accepted),
        ("Demande confirmée (lead enregistré)", leads.confirmed, completed),
    ]
    steps += [
        (f"Transmise\u00a0: {destination_label(name)}", count, leads.confirmed)
        for name, count in sorted(leads.delivered.items())
    ]
    return steps


def _funnel(figures: Figures, leads: LeadCounts) -> str:
    steps = _funnel_steps(figures, leads)
    rows = [
        (label, count, previous - count, _percent(previous - count, previous))
        for label, count, previous in steps
    ]
    pending = ", ".join(
        f"{destination_label(name)}\u00a0: {_number(count)}"
        for name, count in sorted(leads.pending.items())
    )
    note = f"Leads encore en attente d'envoi\u00a0: {_number(leads.pending_leads)}" + (
        f" ({pending})." if pending else "."
    )
    if not leads.available:
        note = "La base des leads n'existe pas encore (aucun lead enregistré)."
    return _section(
        "Parcours de contact",
        charts.bars([(label, count) for label, count, _ in steps], "Parcours de contact"),
        _table(("Étape", "Conversations", "Perdues", "Abandon"), rows),
        f'<p class="note">{escape(note)}</p>',
        '<p class="note">Les trois premières étapes viennent des conversations, les suivantes '
        "de la base des leads\u202f; une conversation compte une fois par étape, et les pertes se "
        "comptent depuis l'étape précédente (depuis la confirmation pour chaque envoi).</p>",
    )
