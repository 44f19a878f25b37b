"""Real peers on 127.0.0.1 for the notification tests: an SMTP server (aiosmtpd) that keeps
every mail it accepts, and an HTTP server standing in for a WhatsApp gateway that can answer
well, fail with a 500, refuse (200 with ``"status": false``) or hang past the client's
timeout."""

import email
import email.policy
import json
import socket
import threading
import time
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What the SMTP server accepted: (envelope recipients, parsed message) in order."""

    def __init__(self, delay: float = 0.0):
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.delay = delay
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            time.sleep(self.delay)  # a slow server: workers overlap
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.received if address in rcpt]

    def recipients(self) -> list[str]:
        return [r for rcpt, _ in self.received for r in rcpt]


@contextmanager
def smtp_server(delay: float = 0.0, port: int | None = None):
    """A running SMTP server (on `port`, or a free one): yields (mailbox, port)."""
    mailbox = Mailbox(delay)
    port = port or free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


class Gateway:
    """A WhatsApp gateway (or SP4N-LAPOR!'s API: `base`): records each POST (headers, fields,
    path) and answers by `mode`: "ok", "error" (HTTP 500), "refuse" (200, status false) or
    "hang" (sleeps `hang` s)."""

    def __init__(self):
        self.mode = "ok"
        self.hang = 2.0
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    fields = json.loads(raw)
                else:
                    fields = dict(urllib.parse.parse_qsl(raw))
                with gateway._lock:
                    gateway.requests.append({"headers": dict(self.headers), "fields": fields,
                                             "path": self.path})  # fmt: skip
                mode = gateway.mode
                if mode == "hang":
                    time.sleep(gateway.hang)
                status, answer = {
                    "error": (500, {"status": False, "reason": "internal error"}),
                    "refuse": (200, {"status": False, "reason": "device disconnected"}),
                }.get(mode, (200, {"status": True, "detail": "success! message in queue"}))
                body = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting (the "hang" mode)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}/send"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
