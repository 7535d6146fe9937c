"""Sending a report by SMTP: STARTTLS, implicit TLS or a trusted relay, with optional login.

Errors are re-raised as ``DeliveryError`` whose message names the server and the
SMTP reply but never the password (it is masked with the SDK's masking, in case
a server echoes credentials back).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from connectors.sdk import mask_text, register_secret
from hub.finance.settings import SmtpSettings


class DeliveryError(RuntimeError):
    """The report was written but could not be mailed."""


def build_message(
    smtp: SmtpSettings, recipients: list[str], subject: str, text: str, html: str
) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML preferred."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(smtp: SmtpSettings, message: EmailMessage) -> None:
    """Deliver ``message`` through the configured server (``smtp.host`` must be set)."""
    if not smtp.host:
        raise DeliveryError("no SMTP host configured (finance.smtp.host)")
    password = smtp.password.get_secret_value() if smtp.password else ""
    if password:
        register_secret(password)
    try:
        client: smtplib.SMTP
        if smtp.security == "tls":
            client = smtplib.SMTP_SSL(
                smtp.host,
                smtp.port,
                timeout=smtp.timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        with client:
            client.ehlo()
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if smtp.username:
                client.login(smtp.username, password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            mask_text(f"sending the digest through {smtp.host}:{smtp.port} failed: {exc}")
        ) from None
