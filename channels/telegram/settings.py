"""The channel's configuration, from the TELEGRAM_* environment variables only.

Secrets stay out of committed files: credentials.yml only names the class. Without
``TELEGRAM_TOKEN`` or ``TELEGRAM_SECRET_TOKEN`` the channel is off: the server
starts with the other channels and the webhook answers 503 saying why.
"""

import os
import re
from dataclasses import dataclass
from typing import Mapping, Optional

from channels.telegram.bot_api import DEFAULT_API_BASE_URL

# setWebhook's secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
SECRET_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class TelegramSettings:
    """The channel's configuration, read from the environment only.

    Secrets stay out of committed files: credentials.yml only names the class.
    """

    token: str = ""
    secret_token: str = ""
    webhook_url: str = ""
    bot_username: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "TelegramSettings":
        """Read the TELEGRAM_* variables; blank values count as unset."""
        return cls(
            token=environ.get("TELEGRAM_TOKEN", "").strip(),
            secret_token=environ.get("TELEGRAM_SECRET_TOKEN", "").strip(),
            webhook_url=environ.get("TELEGRAM_WEBHOOK_URL", "").strip(),
            bot_username=environ.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@"),
            api_base_url=(
                environ.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
            ).rstrip("/"),
        )

    def why_off(self) -> Optional[str]:
        """Why the channel cannot run, or None when it can.

        A missing secret turns the channel off rather than accepting unauthenticated
        updates: anyone who finds the URL could otherwise talk in any chat's name.
        """
        if not self.token:
            return "TELEGRAM_TOKEN is not set"
        if not self.secret_token:
            return "TELEGRAM_SECRET_TOKEN is not set (it authenticates Telegram's calls)"
        if not SECRET_TOKEN_PATTERN.fullmatch(self.secret_token):
            return "TELEGRAM_SECRET_TOKEN must be 1-256 characters among A-Z, a-z, 0-9, _ and -"
        return None
