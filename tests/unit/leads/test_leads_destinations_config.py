"""The destinations read from the environment, and the errors a half-done setup gives."""

from typing import Any, Dict

import pytest

from actions.leads.destinations import (
    ConfigError,
    EmailDestination,
    WebhookDestination,
    declared_destinations,
    destinations_from_env,
)


def test_configuration_from_the_environment() -> None:
    assert destinations_from_env({}) == {}
    assert declared_destinations({}) == []
    env = {
        "LEADS_SMTP_HOST": "smtp.exemple.fr",
        "LEADS_SMTP_USER": "robot",
        "LEADS_SMTP_PASSWORD": "mot-de-passe",
        "LEADS_EMAIL_FROM": "robot@exemple.fr",
        "LEADS_EMAIL_TO": " a@exemple.fr, ,b@exemple.fr ",
        "LEADS_WEBHOOK_URL": "https://crm.exemple.fr/hooks/leads",
        "LEADS_WEBHOOK_SECRET": "s",
    }
    found = destinations_from_env(env)
    assert sorted(found) == ["email", "webhook"]
    email = found["email"]
    assert isinstance(email, EmailDestination)
    assert (email.port, email.starttls, email.timeout) == (587, True, 10.0)
    assert email.recipients == ("a@exemple.fr", "b@exemple.fr")
    assert found["webhook"].timeout == 10.0
    assert not EmailDestination.from_env({**env, "LEADS_SMTP_STARTTLS": "false"}).starttls


@pytest.mark.parametrize(
    "env, message",
    [
        ({"LEADS_SMTP_HOST": "h", "LEADS_EMAIL_FROM": "a@b.fr"}, "LEADS_EMAIL_TO"),
        ({"LEADS_SMTP_HOST": "h", "LEADS_EMAIL_TO": "a@b.fr"}, "LEADS_EMAIL_FROM"),
        (
            {
                "LEADS_SMTP_HOST": "h",
                "LEADS_EMAIL_FROM": "a@b.fr",
                "LEADS_EMAIL_TO": "c@d.fr",
                "LEADS_SMTP_PORT": "smtp",
            },
            "LEADS_SMTP_PORT",
        ),
        (
            {
                "LEADS_SMTP_HOST": "h",
                "LEADS_EMAIL_FROM": "a@b.fr",
                "LEADS_EMAIL_TO": "c@d.fr",
                "LEADS_SMTP_STARTTLS": "peut-être",
            },
            "LEADS_SMTP_STARTTLS",
        ),
        ({"LEADS_WEBHOOK_URL": "https://crm.exemple.fr"}, "LEADS_WEBHOOK_SECRET"),
        ({"LEADS_WEBHOOK_URL": "ftp://crm.exemple.fr", "LEADS_WEBHOOK_SECRET": "s"}, "http"),
    ],
)
def test_half_configured_destinations_are_config_errors(env: Dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        destinations_from_env(env)
    assert declared_destinations(env) in (["email"], ["webhook"])


SMTP_ENV = {
    "LEADS_SMTP_HOST": " smtp.exemple.fr ",
    "LEADS_EMAIL_FROM": "robot@exemple.fr",
    "LEADS_EMAIL_TO": "a@exemple.fr",
}


@pytest.mark.parametrize(
    "port, expected",
    [("", 587), (" 2525 ", 2525), ("1", 1), ("65535", 65535), ("0", None), ("65536", None)],
)
def test_the_smtp_port_is_a_port_number(port: str, expected: Any) -> None:
    env = {**SMTP_ENV, "LEADS_SMTP_PORT": port}
    if expected is None:
        with pytest.raises(ConfigError, match=f"not {port!r}"):
            EmailDestination.from_env(env)
    else:
        assert EmailDestination.from_env(env).port == expected


def test_smtp_settings_are_trimmed_and_empty_credentials_are_none() -> None:
    email = EmailDestination.from_env(
        {**SMTP_ENV, "LEADS_SMTP_USER": "", "LEADS_SMTP_PASSWORD": ""}
    )
    assert (email.host, email.sender, email.user, email.password) == (
        "smtp.exemple.fr",
        "robot@exemple.fr",
        None,
        None,
    )
    assert "mot-de-passe" not in repr(
        EmailDestination.from_env({**SMTP_ENV, "LEADS_SMTP_PASSWORD": "mot-de-passe"})
    )


@pytest.mark.parametrize("text", ["1", "true", " TRUE ", "yes", "on", "oui"])
def test_starttls_can_be_said_on_in_every_usual_way(text: str) -> None:
    assert EmailDestination.from_env({**SMTP_ENV, "LEADS_SMTP_STARTTLS": text}).starttls


@pytest.mark.parametrize("text", ["0", "false", "No", "off", "non"])
def test_starttls_can_be_said_off_in_every_usual_way(text: str) -> None:
    assert not EmailDestination.from_env({**SMTP_ENV, "LEADS_SMTP_STARTTLS": text}).starttls


def test_the_webhook_settings_are_trimmed_and_its_secret_hidden() -> None:
    webhook = WebhookDestination.from_env(
        {"LEADS_WEBHOOK_URL": " http://crm.exemple.fr/leads ", "LEADS_WEBHOOK_SECRET": "s3cret"}
    )
    assert (webhook.url, webhook.secret) == ("http://crm.exemple.fr/leads", "s3cret")
    assert "s3cret" not in repr(webhook)
    assert WebhookDestination.from_env({"LEADS_WEBHOOK_URL": "  "}) is None
    assert declared_destinations({"LEADS_SMTP_HOST": " ", "LEADS_WEBHOOK_URL": " "}) == []


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"LEADS_SMTP_HOST": "h", "LEADS_EMAIL_FROM": "a@b.fr"},
            "LEADS_SMTP_HOST is set: LEADS_EMAIL_FROM and LEADS_EMAIL_TO are required",
        ),
        (
            {**SMTP_ENV, "LEADS_SMTP_PORT": "smtp"},
            "LEADS_SMTP_PORT must be a port number, not 'smtp'",
        ),
        (
            {**SMTP_ENV, "LEADS_SMTP_STARTTLS": "peut-être"},
            "LEADS_SMTP_STARTTLS must be true or false, not 'peut-être'",
        ),
        (
            {"LEADS_WEBHOOK_URL": "https://crm.exemple.fr"},
            "LEADS_WEBHOOK_URL is set: LEADS_WEBHOOK_SECRET is required to sign",
        ),
        (
            {"LEADS_WEBHOOK_URL": "ftp://crm.exemple.fr", "LEADS_WEBHOOK_SECRET": "s"},
            "LEADS_WEBHOOK_URL must be an http(s) URL",
        ),
    ],
)
def test_configuration_errors_say_what_to_fix_in_words_the_operator_reads(
    env: Dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        destinations_from_env(env)
    assert str(caught.value) == message
