"""The worker: hands pending notifications to their channel, retries with backoff, and runs
the sweep once a minute (`flask --app app worker`).

Several workers on several hosts against one PostgreSQL are safe: a worker claims one
message at a time with ``SELECT … FOR UPDATE SKIP LOCKED`` and holds it until its result is
committed, so no two workers hold the same message; the sweep's notices are unique by key.
On SQLite one worker runs (the command refuses a second on the same database file). Nothing
in a web request waits on a mail server or a gateway: requests only write rows.
"""

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from models import db, export_jobs, heartbeat, held_uploads, throttle
from models.calendar import WorkCalendar, load_calendar
from models.channels import CHANNELS, Outgoing, SendFailed, base_url, senders
from models.citizen_messages import CitizenMessage, forget, outgoing_text, unseal
from models.complaint import Complaint
from models.lapor_api import LaporClient, LaporPost, api_ready
from models.notifications import (
    OFFICE_HOURS_EVENTS,
    Delivery,
    Notification,
    max_attempts,
    message_text,
    sweep,
)
from models.types import utcnow

log = logging.getLogger("pengaduan.worker")
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class DeliverResult:
    sent: int = 0
    retried: int = 0  # failed this time, tried again later
    failed: int = 0  # failed for the last time


def claim(now: datetime, model=Notification):
    """The next external notification (or citizen message: `model`) due to be sent, locked
    for this worker until its transaction ends; None when nothing is due (or every due one is
    held by another)."""
    return db.session.scalars(
        select(model)
        .where(model.status == "pending", model.next_attempt_at <= now)
        .order_by(model.next_attempt_at, model.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def retry_moment(attempts: int, event: str, now: datetime,
                 calendar: WorkCalendar | None = None) -> datetime:  # fmt: skip
    """When to try again after `attempts` failures: 1, 2, 4 … base periods (at most an hour);
    a reminder or digest not before the office opens (the calendar read when it is asked)."""
    base = timedelta(seconds=float(current_app.config.get("NOTIFY_RETRY_SECONDS") or 60))
    moment = now + min(base * 2 ** (attempts - 1), MAX_BACKOFF)
    if event not in OFFICE_HOURS_EVENTS:
        return moment
    return (calendar or load_calendar()).next_opening(moment)


def _record(
    notification: Notification,
    error: str | None,
    now: datetime,
    calendar: WorkCalendar | None,
    result: DeliverResult,
) -> None:
    notification.attempts += 1
    db.session.add(
        Delivery(
            notification_id=notification.id,
            at=now,
            recipient_id=notification.recipient_id,
            channel=notification.channel,
            address=notification.address,
            subject=notification.subject,
            attempt=notification.attempts,
            ok=error is None,
            error=error,
        )
    )
    if error is None:
        notification.status, notification.sent_at, notification.last_error = "sent", now, None
        result.sent += 1
    elif notification.attempts >= max_attempts():
        notification.status, notification.last_error = "failed", error
        result.failed += 1
    else:
        notification.last_error = error
        notification.next_attempt_at = retry_moment(
            notification.attempts, notification.event, now, calendar
        )
        result.retried += 1


def _deliver_citizen(message: CitizenMessage, sender, now: datetime,
                     result: DeliverResult) -> None:  # fmt: skip
    """Hand a citizen's message over (its address and code unsealed only here); once sent or
    failed for the last time, forget them."""
    address = unseal(message.address_sealed)
    error = None
    if sender is None:
        error = f"Kanal {CHANNELS[message.channel]} belum dikonfigurasi."
    elif not address:
        error = "Alamat tujuan tidak dapat dibuka (kunci aplikasi berganti)."
    else:
        try:
            sender.send(Outgoing(address, message.subject, outgoing_text(message)))
        except SendFailed as exc:
            error = str(exc)
    message.attempts += 1
    if error is None:
        message.status, message.sent_at, message.last_error = "sent", now, None
        forget(message)
        result.sent += 1
    elif message.attempts >= max_attempts() or not address:
        message.status, message.last_error = "failed", error[:500]
        forget(message)
        result.failed += 1
    else:
        message.last_error = error[:500]
        message.next_attempt_at = retry_moment(message.attempts, message.event, now)
        result.retried += 1


def _deliver_notification(notification: Notification, outgoing: dict, base: str,
                          now: datetime, calendar: WorkCalendar | None,
                          result: DeliverResult) -> WorkCalendar | None:  # fmt: skip
    """Hand an official's notification over; return the calendar if one had to be read."""
    sender = outgoing.get(notification.channel)
    error = None
    if sender is None:
        error = f"Kanal {notification.channel_label} belum dikonfigurasi."
    elif not notification.recipient.active:
        error = "Akun penerima tidak aktif."
    else:
        try:
            sender.send(Outgoing(notification.address, notification.subject,
                                 message_text(notification, base)))  # fmt: skip
        except SendFailed as exc:
            error = str(exc)
    if error and calendar is None and notification.event in OFFICE_HOURS_EVENTS:
        calendar = load_calendar()  # a reminder's retry waits for the office to open
    _record(notification, error, now, calendar, result)
    return calendar


def _deliver_lapor(post: LaporPost, client, now: datetime, result: DeliverResult) -> None:
    """Post a follow-up on SP4N-LAPOR!; once accepted, the complaint's follow-up is marked
    posted (by whoever queued it)."""
    error = answer = None
    if client is None:
        error = "API SP4N-LAPOR! belum dikonfigurasi (LAPOR_API_URL)."
    else:
        try:
            answer = client.post(post.tracking_id, post.text)
        except SendFailed as exc:
            error = str(exc)
    post.attempts += 1
    if error is None:
        post.status, post.sent_at, post.answer, post.last_error = "sent", now, answer, None
        table = Complaint.__table__
        db.session.execute(update(table).where(table.c.id == post.complaint_id,
                                               table.c.lapor_followup_at.is_(None))
                           .values(lapor_followup_at=now,
                                   lapor_followup_by_id=post.queued_by_id))  # fmt: skip
        result.sent += 1
    elif post.attempts >= max_attempts():
        post.status, post.last_error = "failed", error[:500]
        result.failed += 1
    else:
        post.last_error = error[:500]
        post.next_attempt_at = retry_moment(post.attempts, post.event, now)
        result.retried += 1


def deliver(
    now: datetime | None = None, limit: int | None = None, calendar: WorkCalendar | None = None
) -> DeliverResult:
    """Send what is due, one message per transaction, until nothing is due (or `limit`
    messages were handled). A failure is kept with its error and tried again later; after
    NOTIFY_MAX_ATTEMPTS tries the message is marked failed for the admin to see."""
    result = DeliverResult()
    outgoing = senders()
    base = base_url()
    handled, lapor = 0, None
    try:
        while limit is None or handled < limit:
            moment = now or utcnow()
            item = claim(moment) or claim(moment, CitizenMessage) or claim(moment, LaporPost)
            if item is None:
                db.session.rollback()
                break
            handled += 1
            if isinstance(item, CitizenMessage):
                _deliver_citizen(item, outgoing.get(item.channel), moment, result)
            elif isinstance(item, LaporPost):
                lapor = lapor or (LaporClient(current_app.config) if api_ready() else None)
                _deliver_lapor(item, lapor, moment, result)
            else:
                calendar = _deliver_notification(item, outgoing, base, moment, calendar, result)
            db.session.commit()
    finally:
        for sender in outgoing.values():
            sender.close()
    return result


def run(
    poll_seconds: float = 5.0,
    sweep_seconds: float = 60.0,
    once: bool = False,
    stop: threading.Event | None = None,
    echo=log.info,
) -> None:
    """The worker's loop: the sweep every `sweep_seconds`, deliveries every `poll_seconds`,
    until `stop` is set (or after one round with `once`). A database or server that is down
    is logged and tried again at the next round. Export jobs run beside it, in a thread of
    their own, so that a long export does not hold notifications back (`once`: after the
    deliveries, in the same thread)."""
    stop = stop or threading.Event()
    last_sweep = None
    me = f"{socket.gethostname()}:{os.getpid()}"
    exporter = None
    if not once:
        exporter = threading.Thread(target=run_exports, name="exports", daemon=True,
                                    args=(current_app._get_current_object(), me, poll_seconds,
                                          stop, echo))  # fmt: skip
        exporter.start()
    while not stop.is_set():
        try:
            heartbeat.beat(me)
        except OperationalError as exc:
            db.session.rollback()
            echo(f"Detak pekerja tidak tercatat (basis data): {exc.orig}")
        if last_sweep is None or time.monotonic() - last_sweep >= sweep_seconds:
            last_sweep = time.monotonic()
            try:
                swept = sweep()
                throttle.prune()  # the public pages' counted events of past days
                held_uploads.prune()  # files kept for forms never sent again
                export_jobs.sweep()  # export files past their time, jobs whose worker died
                if swept.notifications:
                    echo(
                        f"Sapuan: {swept.due_soon} segera jatuh tempo, {swept.late} "
                        f"terlambat, {swept.digests} ringkasan; {swept.notifications} pesan."
                    )
            except OperationalError as exc:
                db.session.rollback()
                echo(f"Sapuan gagal (basis data): {exc.orig}")
        try:
            done = deliver()
            if done.sent or done.retried or done.failed:
                echo(
                    f"Terkirim {done.sent}, dicoba lagi nanti {done.retried}, gagal {done.failed}."
                )
        except OperationalError as exc:
            db.session.rollback()
            echo(f"Pengiriman tertunda (basis data): {exc.orig}")
        if once:
            _export_round(me, None, echo)
        db.session.remove()
        if once:
            break
        stop.wait(poll_seconds)
    if exporter is not None:
        exporter.join()


def _export_round(me: str, stop: threading.Event | None, echo) -> None:
    """Run the export jobs waiting now (models/export_jobs.py)."""
    try:
        done = export_jobs.run_pending(me, current_app.extensions["export_job_producer"],
                                       stop=stop)  # fmt: skip
        if done.done or done.failed or done.cancelled or done.queued:
            echo(f"Ekspor: {done.done} selesai, {done.failed} gagal, {done.cancelled} dibatalkan"
                 f", {done.queued} dikembalikan ke antrean.")  # fmt: skip
    except OperationalError as exc:
        db.session.rollback()
        echo(f"Ekspor tertunda (basis data): {exc.orig}")
    except Exception:  # the thread goes on with the next round
        db.session.rollback()
        log.exception("export round failed")


def run_exports(app, me: str, poll_seconds: float, stop: threading.Event, echo) -> None:
    """The worker's export thread: waiting jobs every `poll_seconds`, until `stop`."""
    with app.app_context():
        while not stop.is_set():
            _export_round(me, stop, echo)
            db.session.remove()
            stop.wait(poll_seconds)
