"""Pick lists read from master data (channels, jenis, SOP codes, leading roles; the
notification defaults; the working calendar the lists' SP4N-LAPOR! limits read), kept by each
app process so that a list page does not read them on every request — and told of a change
made by any process on any app host through a version row.

Every flush that writes a channel, a jenis, an SOP or a step moves `picklist_version` on, in
the same transaction; the process that wrote drops its lists at commit, and every other one
compares the version at most every `PICKLIST_CHECK_SECONDS` (one small statement) and drops
its lists when it moved. A change so reaches every host's filters within those seconds.
"""

from time import monotonic

from flask import current_app, has_app_context
from sqlalchemy import String, event, select
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.types import dialect_insert

VERSION_NAME = "picklists"
CHECK_SECONDS = 5


class CacheVersion(db.Model):
    """How often some process changed what a cache of this name keeps."""

    __tablename__ = "cache_version"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class PickLists:
    """The app's one cache of pick lists (`app.extensions["picklists"]`)."""

    def __init__(self):
        self.lists: dict[str, list] = {}
        self.version: int | None = None
        self.checked = float("-inf")

    def init_app(self, app) -> None:
        app.extensions["picklists"] = self
        app.config.setdefault("PICKLIST_CHECK_SECONDS", CHECK_SECONDS)

    def clear(self) -> None:
        self.lists.clear()
        self.version, self.checked = None, float("-inf")

    def get(self, key: str, load):
        """The list `key`, made by `load()` when this process has none or the lists moved."""
        now = monotonic()
        if now - self.checked > current_app.config["PICKLIST_CHECK_SECONDS"]:
            version = db.session.scalar(
                select(CacheVersion.version).where(CacheVersion.name == VERSION_NAME)
            )
            if version != self.version:
                self.lists.clear()
                self.version = version
            self.checked = now
        if key not in self.lists:
            self.lists[key] = load()
        return self.lists[key]


def cached(key: str, load):
    """A callable giving the pick list `key` (Flask-Admin's filter `options`)."""

    def options():
        if not has_app_context():  # Flask-Admin builds its filter cache at start-up
            return []
        return current_app.extensions["picklists"].get(key, load)

    return options


def _changes_picklists(obj) -> bool:
    from models import (
        CalendarDay,
        Channel,
        ComplaintClass,
        Jenis,
        NotificationSettings,
        OfficeHours,
        Sop,
        SopStep,
    )

    return isinstance(
        obj,
        Channel
        | Jenis
        | ComplaintClass
        | Sop
        | SopStep
        | NotificationSettings
        | OfficeHours
        | CalendarDay,
    )


@event.listens_for(db.session, "after_flush")
def _move_version(session, _context):
    if not any(_changes_picklists(o) for o in (*session.new, *session.dirty, *session.deleted)):
        return
    insert = dialect_insert(session)
    session.connection().execute(
        insert(CacheVersion)
        .values(name=VERSION_NAME, version=1)
        .on_conflict_do_update(index_elements=["name"], set_={"version": CacheVersion.version + 1})
    )
    session.info["picklists_moved"] = True


@event.listens_for(db.session, "after_commit")
def _forget_at_commit(session):
    if session.info.pop("picklists_moved", False) and has_app_context():
        current_app.extensions["picklists"].clear()


@event.listens_for(db.session, "after_rollback")
def _nothing_moved(session):
    session.info.pop("picklists_moved", None)
