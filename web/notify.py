"""Delivering reminders from the outbox: a webhook (JSON POST) or email. Off by default.

Both use only the standard library. Each call is bounded by a timeout; a failure raises and
the outbox retries later (web.usecases.runtime.outbox).
"""

import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.request
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from web.settings import Settings
from web.usecases.runtime.outbox import Sender

DELIVERY_MODES = ("off", "webhook", "email")
_SUBJECTS = {
    "work_item_at_risk": "Mendekati batas waktu",
    "work_item_breached": "Melewati batas waktu",
    "escalation": "Eskalasi",
}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would be resent as a GET and look delivered: treat it as a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebhookSender:
    """POSTs each reminder as JSON; any answer but 2xx (redirects included) is a failure."""

    def __init__(self, url: str, timeout: float, secret: str | None = None):
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"ALUR_WEBHOOK_URL must be an http(s) URL, not {url!r}")
        self.url = url
        self.timeout = timeout
        self.secret = secret
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message, ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Alur"}
        if self.secret:
            digest = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Alur-Signature"] = f"sha256={digest}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        with self._opener.open(request, timeout=self.timeout) as response:
            if not 200 <= response.status < 300:
                raise OSError(f"the webhook answered {response.status}")


def _local(moment: str | None, zone: str) -> str:
    if not moment:
        return "-"
    local = datetime.fromisoformat(moment).astimezone(ZoneInfo(zone))
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


def email_text(message: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a reminder email, in Indonesian."""
    payload = message["payload"]
    zone = payload.get("timezone") or "Asia/Jakarta"
    title = _SUBJECTS.get(message["kind"], message["kind"])
    subject = f"[Alur] {title}: {payload['activity_name']} ({payload['reference']})"
    lines = [
        f"{title}.",
        "",
        f"Permohonan : {payload['reference']} — {payload['sop_name']}",
        f"Langkah    : {payload['activity_name']}",
        f"Jabatan    : {payload['position_name']} ({payload['position']})",
        f"Diambil    : {payload.get('claimed_by') or '-'}",
        f"Siap sejak : {_local(payload.get('ready_at'), zone)}",
        f"Batas waktu: {_local(payload.get('due_at'), zone)}",
        "",
        f"Pesan Alur nomor {message['id']}.",
    ]
    return subject, "\n".join(lines)


class EmailSender:
    """Sends each reminder by SMTP to a fixed list of addresses (e.g. the service desk)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: list[str],
        *,
        starttls: bool = True,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10,
    ):
        self.host, self.port, self.sender, self.recipients = host, port, sender, recipients
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout = timeout

    def send(self, message: dict[str, Any]) -> None:
        subject, body = email_text(message)
        email = EmailMessage()
        email["Subject"], email["From"], email["To"] = (
            subject,
            self.sender,
            ", ".join(self.recipients),
        )
        email.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(email)


def sender_from_settings(settings: Settings) -> Sender | None:
    """The sender ALUR_NOTIFY_VIA asks for; None when delivery is off.

    :raises ValueError: an unknown mode, or a mode without what it needs.
    """
    mode = settings.notify_via.strip().lower()
    if mode not in DELIVERY_MODES:
        raise ValueError(
            f"ALUR_NOTIFY_VIA must be one of {', '.join(DELIVERY_MODES)}, not {mode!r}"
        )
    if mode == "webhook":
        if not settings.webhook_url:
            raise ValueError("ALUR_NOTIFY_VIA=webhook needs ALUR_WEBHOOK_URL")
        return WebhookSender(settings.webhook_url, settings.notify_timeout, settings.webhook_secret)
    if mode == "email":
        recipients = [a.strip() for a in (settings.notify_email_to or "").split(",") if a.strip()]
        if not (settings.smtp_host and settings.smtp_from and recipients):
            raise ValueError(
                "ALUR_NOTIFY_VIA=email needs ALUR_SMTP_HOST, ALUR_SMTP_FROM and "
                "ALUR_NOTIFY_EMAIL_TO"
            )
        return EmailSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            recipients,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.notify_timeout,
        )
    return None
