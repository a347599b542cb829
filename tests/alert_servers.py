"""Real local endpoints for alert tests: a JSON webhook and an SMTP server, both on 127.0.0.1.

Plain helpers plus two pytest fixtures; a conftest can import them::

    from tests.alert_servers import json_endpoint, smtp_server  # noqa: F401  (fixtures)

    def test_x(json_endpoint, smtp_server):
        urls = f"{json_endpoint.apprise_url} {smtp_server.apprise_url}"   # for MONITOR_APPRISE_URLS
        ...
        assert json_endpoint.messages[0]["message"] ...
        assert "evidence" in smtp_server.messages[0].text

The JSON endpoint can be switched down (``endpoint.available = False`` answers 503) to test
retries. The SMTP server requires AUTH LOGIN/PLAIN without TLS (Apprise's ``mailto://`` with
``mode=insecure``), so a test can check the password never lands in the database or logs.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER = "alerts"
SMTP_PASSWORD = "s3cret-smtp-pw"  # a test asserts this string is never stored or logged
WEBHOOK_TOKEN = "hook-t0ken-xyz"  # a secret in the JSON target's URL path


class JsonEndpoint:
    """Collects the JSON bodies Apprise posts; ``available = False`` makes it answer 503."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []  # the request headers of each message, in order
        self.delay = 0.0  # seconds a slow receiver works on a message (after keeping it) before answering
        self.available = True
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def plain_apprise_url(self) -> str:
        """The target as a user writes it: Apprise's own timeouts (no ``rto``/``cto``)."""
        return f"json://127.0.0.1:{self.port}/hooks/{WEBHOOK_TOKEN}"

    @property
    def apprise_url(self) -> str:
        # json:// posts to http://; the path carries a secret token, like real webhooks do.
        return f"json://127.0.0.1:{self.port}/hooks/{WEBHOOK_TOKEN}?rto=2&cto=2"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if not endpoint.available:
                    self.send_response(503)
                    self.end_headers()
                    return
                with endpoint.lock:
                    endpoint.messages.append(json.loads(raw or b"{}"))
                    endpoint.headers.append(dict(self.headers.items()))
                if endpoint.delay:
                    time.sleep(endpoint.delay)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

        return Handler

    def __enter__(self) -> JsonEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class _Collector:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append(parsed)
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == SMTP_USER
        and auth_data.password.decode() == SMTP_PASSWORD
    )
    return AuthResult(success=ok)


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """An SMTP server on 127.0.0.1 that accepts AUTH without TLS and keeps every message."""

    def __init__(self) -> None:
        self.collector = _Collector()
        self.controller = Controller(
            self.collector,
            hostname="127.0.0.1",
            port=free_port(),
            authenticator=_authenticate,
            auth_require_tls=False,
        )

    @property
    def messages(self) -> list[EmailMessage]:
        return self.collector.messages

    @property
    def apprise_url(self) -> str:
        port = self.controller.port
        return (
            f"mailto://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{port}"
            f"?mode=insecure&from=monitor@example.org&to=desk@example.org&cto=2"
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def body_text(message: EmailMessage) -> str:
    """The text of an email, HTML or plain, decoded."""
    part = message.get_body(preferencelist=("html", "plain"))
    return str(part.get_content()) if part is not None else ""


@pytest.fixture
def json_endpoint() -> Iterator[JsonEndpoint]:
    with JsonEndpoint() as endpoint:
        yield endpoint


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server
