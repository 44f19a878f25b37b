"""Database models of the complaint back-office, and the one `db` they share."""

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Stable constraint names so that Alembic migrations read the same on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)

from models import audit as _audit  # noqa: E402, F401 - its session hook records changes
from models import integrity as _integrity  # noqa: E402 - its DDL runs with create_all
from models import picklists as _picklists  # noqa: E402, F401 - its hook moves the version
from models import search as _search  # noqa: E402, F401 - its DDL runs with create_all
from models.accounts import ActingAppointment, Role, User  # noqa: E402
from models.calendar import CalendarDay, OfficeHours  # noqa: E402
from models.citizen_messages import CitizenMessage  # noqa: E402
from models.complaint import (  # noqa: E402
    Attachment,
    Complaint,
    MeetingInvitee,
    NumberSequence,
    StepRecord,
)
from models.drafts import StepDraft  # noqa: E402
from models.export_jobs import ExportJob, ExportPiece  # noqa: E402
from models.heartbeat import WorkerHeartbeat  # noqa: E402
from models.held_uploads import HeldUpload  # noqa: E402
from models.identity import ConfidentialReader, IdentityReveal  # noqa: E402
from models.lapor_api import LaporPost  # noqa: E402
from models.masterdata import (  # noqa: E402
    AnswerTemplate,
    Channel,
    ComplaintClass,
    DispositionMark,
    Jenis,
    OtherAgency,
    Platform,
)
from models.notifications import (  # noqa: E402
    Delivery,
    Notice,
    Notification,
    NotificationSettings,
)
from models.settings import AgencySettings  # noqa: E402
from models.sop import Sop, SopOutcome, SopStep  # noqa: E402
from models.submission import Submission, SubmissionFile  # noqa: E402
from models.survey import Rating  # noqa: E402
from models.tally import DayTally, StepTally  # noqa: E402
from models.throttle import RateEvent  # noqa: E402

_integrity._register()

__all__ = [
    "ActingAppointment",
    "AgencySettings",
    "CalendarDay",
    "AnswerTemplate",
    "StepDraft",
    "ExportJob",
    "ExportPiece",
    "Attachment",
    "Channel",
    "Complaint",
    "ComplaintClass",
    "DispositionMark",
    "Jenis",
    "MeetingInvitee",
    "NumberSequence",
    "OfficeHours",
    "OtherAgency",
    "Platform",
    "Role",
    "Sop",
    "SopOutcome",
    "SopStep",
    "StepRecord",
    "StepTally",
    "RateEvent",
    "Rating",
    "Submission",
    "SubmissionFile",
    "CitizenMessage",
    "LaporPost",
    "ConfidentialReader",
    "IdentityReveal",
    "DayTally",
    "HeldUpload",
    "WorkerHeartbeat",
    "Delivery",
    "Notice",
    "Notification",
    "NotificationSettings",
    "User",
    "db",
]
