"""The ways a notification leaves the building: e-mail over SMTP and WhatsApp through an HTTP
gateway, configured from the environment (app.config), each bounded in time.

E-mail: the standard library's smtplib with a timeout on every connection (Flask-Mail opens
its connections without one, and a mail server that stops answering would hold the worker
forever); STARTTLS or SSL, a login when a user is set. The settings keep Flask-Mail's names
(MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD,
MAIL_DEFAULT_SENDER) so that an operator who knows them is at home.

WhatsApp: the gateways Indonesian agencies use (Fonnte, Wablas, Woowa, a self-hosted one) take
a POST with a token header and the number and text as form or JSON fields; which header,
which fields, which body and which number form are settings. A 2xx answer whose JSON says
``"status": false`` is a refusal (Fonnte's way), anything else non-2xx is an error.
"""

import json
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app

CHANNELS = {"app": "Aplikasi", "email": "Email", "whatsapp": "WhatsApp"}
EXTERNAL = ("email", "whatsapp")


class SendFailed(Exception):
    """A message could not be handed over; `str(exc)` says why (kept in the history)."""


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "ya", "on")


def channel_ready(channel: str) -> bool:
    """Whether messages can go out on `channel` at all (in-app always; the others once their
    server is configured)."""
    config = current_app.config
    if channel == "email":
        return bool(config.get("MAIL_SERVER"))
    if channel == "whatsapp":
        return bool(config.get("WHATSAPP_GATEWAY_URL"))
    return channel == "app"


@dataclass
class Outgoing:
    """One message to hand over: to whom (an address or number), subject and text."""

    address: str
    subject: str
    text: str


class MailSender:
    """Sends e-mail over one SMTP connection, opened at the first message and kept for the
    next ones of the same pass (`close()` ends it)."""

    def __init__(self, config):
        self.host = config["MAIL_SERVER"]
        self.port = int(
            config.get("MAIL_PORT") or (465 if _flag(config.get("MAIL_USE_SSL")) else 587)
        )
        self.use_ssl = _flag(config.get("MAIL_USE_SSL"))
        self.use_tls = _flag(config.get("MAIL_USE_TLS"))
        self.username = config.get("MAIL_USERNAME") or ""
        self.password = config.get("MAIL_PASSWORD") or ""
        self.sender = config.get("MAIL_DEFAULT_SENDER") or "pengaduan@localhost"
        self.sender_name = config.get("MAIL_SENDER_NAME") or "Pengaduan Masyarakat"
        self.timeout = float(config.get("MAIL_TIMEOUT") or 10)
        self._smtp = None

    def _connect(self):
        context = ssl.create_default_context()
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls:
                smtp.starttls(context=context)
        if self.username:
            smtp.login(self.username, self.password)
        return smtp

    def send(self, message: Outgoing) -> None:
        """:raise SendFailed: the server could not be reached or refused the message."""
        mail = EmailMessage()
        mail["From"] = formataddr((self.sender_name, self.sender))
        mail["To"] = message.address
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail.set_content(message.text)
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendFailed(f"SMTP: {type(exc).__name__}: {exc}"[:500]) from None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None


class WhatsAppSender:
    """Posts each message to the configured WhatsApp gateway."""

    def __init__(self, config):
        self.url = config["WHATSAPP_GATEWAY_URL"]
        self.token = config.get("WHATSAPP_GATEWAY_TOKEN") or ""
        self.token_header = config.get("WHATSAPP_TOKEN_HEADER") or "Authorization"
        self.body = (config.get("WHATSAPP_BODY") or "form").lower()  # form | json
        self.phone_field = config.get("WHATSAPP_PHONE_FIELD") or "target"
        self.message_field = config.get("WHATSAPP_MESSAGE_FIELD") or "message"
        self.phone_format = config.get("WHATSAPP_PHONE_FORMAT") or "62"  # 62 | 0 | +62
        self.timeout = float(config.get("WHATSAPP_TIMEOUT") or 10)

    def number(self, digits: str) -> str:
        """A stored number (62812…) in the form the gateway wants."""
        if self.phone_format == "0":
            return "0" + digits[2:]
        if self.phone_format == "+62":
            return "+" + digits
        return digits

    def send(self, message: Outgoing) -> None:
        """:raise SendFailed: the gateway could not be reached, answered an error or refused."""
        fields = {self.phone_field: self.number(message.address), self.message_field: message.text}
        if self.body == "json":
            data, kind = json.dumps(fields).encode(), "application/json"
        else:
            data, kind = (
                urllib.parse.urlencode(fields).encode(),
                "application/x-www-form-urlencoded",
            )
        request = urllib.request.Request(
            self.url, data=data, method="POST", headers={"Content-Type": kind}
        )
        if self.token:
            request.add_header(self.token_header, self.token)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            raise SendFailed(f"Gateway WhatsApp menjawab HTTP {exc.code}.") from None
        except (OSError, ValueError) as exc:  # refused, timed out, a bad URL
            raise SendFailed(f"Gateway WhatsApp tidak dapat dihubungi: {exc}"[:500]) from None
        try:
            parsed = json.loads(answer or b"null")
        except ValueError:
            return
        if isinstance(parsed, dict) and parsed.get("status") is False:
            reason = parsed.get("reason") or parsed.get("message") or "tanpa alasan"
            raise SendFailed(f"Gateway WhatsApp menolak: {reason}"[:500])

    def close(self) -> None:
        pass


def senders() -> dict:
    """A sender for each configured external channel."""
    config = current_app.config
    made = {}
    if channel_ready("email"):
        made["email"] = MailSender(config)
    if channel_ready("whatsapp"):
        made["whatsapp"] = WhatsAppSender(config)
    return made


def base_url() -> str:
    """Where officials open the application, for links in messages (APP_BASE_URL)."""
    return (current_app.config.get("APP_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
