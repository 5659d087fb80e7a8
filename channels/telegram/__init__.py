"""Telegram channel of the assistant, on a thin Bot API client of its own.

Why not Rasa's stock ``telegram`` channel: it is built on aiogram 2.15, whose
``Bot`` keeps one aiohttp session bound to the event loop it was first used in.
The stock channel sets the webhook at start-up inside ``asyncio.run``, so that
loop is closed before Sanic starts serving, and every later update answers 500
"Event loop is closed". It also raises on updates without ``message`` (Telegram
then retries them forever), never answers callback queries and does not
authenticate the caller.

Modules: ``settings`` (the TELEGRAM_* variables), ``bot_api`` (the Bot API client),
``rendering`` (HTML, links, splitting, inline keyboards), ``updates`` (what an
update asks of the bot) and ``channel`` (the webhook and the output channel).
``credentials.yml`` names ``channels.telegram.TelegramInput``, exported here.
"""

from channels.telegram.channel import TelegramInput

__all__ = ["TelegramInput"]
