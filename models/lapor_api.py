"""Posting a follow-up (tindak lanjut) to SP4N-LAPOR! through its API, behind an adapter.

LAPOR!'s API documentation is given only to an agency's developer account, so the adapter
keeps what it assumes in one place: a POST of JSON ``{"tracking_id", "content"}`` to
``LAPOR_API_URL`` + ``LAPOR_API_PATH`` (``/laporan/{tracking_id}/tindak-lanjut``) with the
token in a header (``LAPOR_API_TOKEN_HEADER``, ``Authorization: Bearer …``), answered 2xx
with JSON whose ``"status"`` is not false. Off while ``LAPOR_API_URL`` is unset: the front
office then copies the text into LAPOR! and marks it posted.

A follow-up is queued by the front office (`queue_followup`) and sent by the worker
(models/delivery.py), never in a request; each try is kept on its row (attempts, last
error, LAPOR!'s answer), and a success marks the complaint's follow-up posted.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from flask import current_app
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.channels import SendFailed
from models.sop import in_list
from models.types import UTCDateTime, utcnow

STATUSES = {"pending": "Menunggu dikirim", "sent": "Terkirim", "failed": "Gagal"}


class LaporPost(db.Model):
    """One follow-up to post on SP4N-LAPOR! for a complaint, and how its tries went."""

    __tablename__ = "lapor_post"
    __table_args__ = (
        CheckConstraint(in_list("status", STATUSES), name="status_known"),
        Index("ix_lapor_post_due", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    tracking_id: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    queued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    answer: Mapped[str | None] = mapped_column(String(500))  # LAPOR!'s reply on success
    created_at = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = mapped_column(UTCDateTime)

    event = "lapor"  # what the worker's retry rule reads (not an office-hours reminder)

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


def api_ready() -> bool:
    return bool(current_app.config.get("LAPOR_API_URL"))


class LaporClient:
    """The adapter: one follow-up to LAPOR!'s API, bounded in time."""

    def __init__(self, config):
        self.url = config["LAPOR_API_URL"].rstrip("/")
        self.path = config.get("LAPOR_API_PATH") or "/laporan/{tracking_id}/tindak-lanjut"
        self.token = config.get("LAPOR_API_TOKEN") or ""
        self.token_header = config.get("LAPOR_API_TOKEN_HEADER") or "Authorization"
        self.timeout = float(config.get("LAPOR_API_TIMEOUT") or 10)

    def post(self, tracking_id: str, text: str) -> str:
        """Post the follow-up; return LAPOR!'s answer (shortened).

        :raise SendFailed: LAPOR! could not be reached, answered an error, or refused.
        """
        path = self.path.format(tracking_id=urllib.parse.quote(tracking_id, safe=""))
        request = urllib.request.Request(
            self.url + path, method="POST",
            data=json.dumps({"tracking_id": tracking_id, "content": text}).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )  # fmt: skip
        if self.token:
            value = self.token if self.token_header != "Authorization" else f"Bearer {self.token}"
            request.add_header(self.token_header, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            detail = _reason(exc.read(4096)) if exc.fp else ""
            raise SendFailed(f"LAPOR! menjawab HTTP {exc.code}{detail}."[:500]) from None
        except (OSError, ValueError) as exc:  # refused, timed out, a bad URL
            raise SendFailed(f"LAPOR! tidak dapat dihubungi: {exc}"[:500]) from None
        try:
            parsed = json.loads(answer or b"null")
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and parsed.get("status") is False:
            raise SendFailed(f"LAPOR! menolak{_reason(answer)}."[:500])
        return answer.decode("utf-8", "replace")[:500]


def _reason(raw: bytes) -> str:
    try:
        parsed = json.loads(raw or b"null")
    except ValueError:
        return ""
    if isinstance(parsed, dict):
        reason = parsed.get("message") or parsed.get("reason")
        return f": {reason}" if reason else ""
    return ""


def queue_followup(complaint, text: str, user, now: datetime | None = None) -> LaporPost | None:
    """Queue the complaint's follow-up for the worker and commit; None when one is already
    waiting or was sent."""
    waiting = db.session.scalar(
        select(LaporPost.id).where(LaporPost.complaint_id == complaint.id,
                                   LaporPost.status.in_(("pending", "sent")))
    )  # fmt: skip
    if waiting is not None or complaint.lapor_followup_at is not None:
        return None
    now = now or utcnow()
    post = LaporPost(complaint_id=complaint.id, tracking_id=complaint.lapor_tracking_no,
                     text=text, queued_by_id=user.id, status="pending", attempts=0,
                     next_attempt_at=now, created_at=now)  # fmt: skip
    db.session.add(post)
    db.session.commit()
    return post


def latest_post(complaint_id: int) -> LaporPost | None:
    return db.session.scalar(select(LaporPost).where(LaporPost.complaint_id == complaint_id)
                             .order_by(LaporPost.id.desc()).limit(1))  # fmt: skip
