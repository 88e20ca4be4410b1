"""Reminders in the outbox: kept unsent by default, delivered by webhook or email when asked."""

import hashlib
import hmac
import json
import socketserver
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, update

from storage.models import OutboxMessage
from tests.factories.bpmn import SopSpec, Step, build
from tests.web.conftest import publish
from web.notify import EmailSender, WebhookSender, email_text, sender_from_settings
from web.scheduler import run_tick
from web.settings import load_settings
from web.usecases.runtime import breaches, instances, outbox

MONDAY_10_WIB = datetime(2026, 11, 23, 3, tzinfo=UTC)


@pytest.fixture
def breached(ctx, org, clock) -> int:
    """Two late steps, each with its breach reminder queued; returns how many."""
    clock.now = MONDAY_10_WIB
    key = publish(ctx, build(SopSpec(key="uji_pengingat", steps=[Step("terima", time="1 jam")])))
    for _ in range(2):
        instances.start_instance(ctx, org.actor("ani"), key, {})
    clock.advance(hours=2)
    return breaches.record_breaches(ctx)


def rows(ctx) -> list[OutboxMessage]:
    with ctx.transaction() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


class Receiver:
    """A real HTTP server on localhost answering ``status`` (after ``delay`` seconds)."""

    def __init__(self, status: int = 204, delay: float = 0.0):
        self.status, self.delay = status, delay
        self.received: list[tuple[dict, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), json.loads(body)))
                receiver.raw = body
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                if receiver.status in (301, 302, 307):
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/alur"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def test_nothing_is_sent_by_default(ctx, breached, tmp_path):
    settings = load_settings({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert settings.notify_via == "off"
    assert sender_from_settings(settings) is None

    report = run_tick(ctx, sender_from_settings(settings))

    assert (report.sent, report.failed) == (0, 0)
    assert breached == 2
    assert [(r.sent_at, r.attempts) for r in rows(ctx)] == [(None, 0), (None, 0)]


def test_webhook_delivers_each_reminder_once_signed(ctx, breached, clock, receiver):
    sender = WebhookSender(receiver.url, timeout=5, secret="rahasia")

    assert outbox.deliver_due(ctx, sender) == outbox.Delivery(sent=2)
    assert outbox.deliver_due(ctx, sender) == outbox.Delivery()

    assert [body["id"] for _, body in receiver.received] == [r.id for r in rows(ctx)]
    headers, body = receiver.received[-1]
    assert body["kind"] == "work_item_breached" and body["recipient"] == "UJI-STAF"
    assert body["payload"]["activity"] == "terima"
    expected = hmac.new(b"rahasia", receiver.raw, hashlib.sha256).hexdigest()
    assert headers["X-Alur-Signature"] == f"sha256={expected}"
    assert all(r.sent_at == clock() and r.attempts == 1 for r in rows(ctx))


@pytest.mark.parametrize(
    ("status", "delay", "error"),
    [(500, 0.0, "HTTPError"), (302, 0.0, "HTTPError"), (204, 2.0, "timed out")],
    ids=["server error", "redirect", "timeout"],
)
def test_a_failed_delivery_is_retried_later(ctx, breached, clock, status, delay, error):
    server = Receiver(status, delay)
    try:
        sender = WebhookSender(server.url, timeout=0.5)
        began = time.perf_counter()
        assert outbox.deliver_due(ctx, sender) == outbox.Delivery(failed=2)
        assert time.perf_counter() - began < 5
        [first, _] = rows(ctx)
        assert first.sent_at is None and error in first.last_error
        assert first.next_attempt_at == clock() + timedelta(minutes=1)
        assert outbox.deliver_due(ctx, sender) == outbox.Delivery()  # not yet its turn

        server.status, server.delay = 204, 0.0
        clock.advance(minutes=1, seconds=1)
        assert outbox.deliver_due(ctx, sender) == outbox.Delivery(sent=2)
    finally:
        server.close()
    assert [r.attempts for r in rows(ctx)] == [2, 2]
    assert all(r.last_error is None for r in rows(ctx))


def test_an_unreachable_receiver_backs_off_and_is_given_up_after_the_last_attempt(
    ctx, breached, clock
):
    sender = WebhookSender("http://127.0.0.1:1/tutup", timeout=1)
    delays = []
    for _ in range(outbox.MAX_ATTEMPTS):
        assert outbox.deliver_due(ctx, sender).failed == 2
        first = rows(ctx)[0]
        delays.append(first.next_attempt_at - clock())
        clock.now = first.next_attempt_at
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert outbox.deliver_due(ctx, sender) == outbox.Delivery()
    assert all(r.attempts == outbox.MAX_ATTEMPTS and r.sent_at is None for r in rows(ctx))


def test_two_schedulers_deliver_each_reminder_once(ctx, breached, receiver):
    sender = WebhookSender(receiver.url, timeout=5)
    barrier = threading.Barrier(2)

    def scheduler() -> None:
        barrier.wait()
        outbox.deliver_due(ctx, sender, limit=1)
        outbox.deliver_due(ctx, sender, limit=1)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    ids = [body["id"] for _, body in receiver.received]
    assert sorted(ids) == [r.id for r in rows(ctx)]
    assert all(r.sent_at is not None for r in rows(ctx))


def test_a_reminder_whose_sender_died_is_sent_again_after_its_lease(ctx, breached, clock, receiver):
    with ctx.transaction() as session:
        # What a sender that died after taking the rows leaves behind.
        session.execute(
            update(OutboxMessage).values(attempts=1, next_attempt_at=clock() + timedelta(minutes=5))
        )
    sender = WebhookSender(receiver.url, timeout=5)
    assert outbox.deliver_due(ctx, sender) == outbox.Delivery()
    clock.advance(minutes=5)
    assert outbox.deliver_due(ctx, sender) == outbox.Delivery(sent=2)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self) -> None:
        self.wfile.write(b"220 uji ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith("EHLO"):
                self.wfile.write(b"250-uji\r\n250 8BITMIME\r\n")
            elif command.startswith(("MAIL", "RCPT")):
                self.server.envelope.append(line.decode().strip())
                self.wfile.write(b"250 OK\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go on\r\n")
                data = []
                while (part := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(part)
                self.server.messages.append(b"".join(data).decode())
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


def test_email_goes_to_the_configured_addresses_in_indonesian(ctx, breached, clock):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.envelope, server.messages = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sender = EmailSender(
            "127.0.0.1",
            server.server_address[1],
            "alur@sukamaju.go.id",
            ["layanan@sukamaju.go.id", "inspektorat@sukamaju.go.id"],
            starttls=False,
            timeout=5,
        )
        assert outbox.deliver_due(ctx, sender) == outbox.Delivery(sent=2)
    finally:
        server.shutdown()
        server.server_close()

    assert "rcpt TO:<inspektorat@sukamaju.go.id>" in server.envelope
    message = server.messages[0]
    assert "Subject: [Alur] Melewati batas waktu: Langkah terima (" in message
    assert "Batas waktu: 23-11-2026 11:00 WIB" in message


def test_email_text_shows_times_in_the_organization_zone():
    message = {
        "id": 7,
        "kind": "work_item_at_risk",
        "payload": {
            "reference": "UJI-2026-00001",
            "sop_name": "SOP Uji",
            "activity_name": "Verifikasi",
            "position": "UJI-STAF",
            "position_name": "Staf",
            "claimed_by": None,
            "ready_at": "2026-11-23T01:00:00+00:00",
            "due_at": "2026-11-23T02:00:00+00:00",
            "timezone": "Asia/Jayapura",
        },
    }
    subject, body = email_text(message)
    assert subject == "[Alur] Mendekati batas waktu: Verifikasi (UJI-2026-00001)"
    assert "Batas waktu: 23-11-2026 11:00 WIT" in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"NOTIFY_VIA": "sms"}, "must be one of off, webhook, email"),
        ({"NOTIFY_VIA": "webhook"}, "needs ALUR_WEBHOOK_URL"),
        ({"NOTIFY_VIA": "webhook", "WEBHOOK_URL": "file:///etc/passwd"}, "http"),
        ({"NOTIFY_VIA": "email", "SMTP_HOST": "mail"}, "ALUR_SMTP_FROM"),
    ],
)
def test_delivery_settings_that_cannot_work_are_refused(tmp_path, overrides, message):
    settings = load_settings({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", **overrides})
    with pytest.raises(ValueError, match=message):
        sender_from_settings(settings)


def test_delivery_settings_build_their_sender(tmp_path):
    base = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}
    webhook = sender_from_settings(
        load_settings({**base, "NOTIFY_VIA": "webhook", "WEBHOOK_URL": "https://hook.example/a"})
    )
    email = sender_from_settings(
        load_settings(
            {
                **base,
                "NOTIFY_VIA": "email",
                "SMTP_HOST": "mail.example",
                "SMTP_FROM": "alur@example.id",
                "NOTIFY_EMAIL_TO": "a@example.id, b@example.id",
            }
        )
    )
    assert isinstance(webhook, WebhookSender) and webhook.timeout == 10
    assert isinstance(email, EmailSender)
    assert email.recipients == ["a@example.id", "b@example.id"]
