"""Load the seeds into the database; every loader adds only what is missing."""

from datetime import time

from sqlalchemy import select

from models import (
    AgencySettings,
    AnswerTemplate,
    Channel,
    ComplaintClass,
    DispositionMark,
    Jenis,
    OfficeHours,
    OtherAgency,
    Platform,
    Sop,
    SopOutcome,
    SopStep,
    User,
    db,
)
from models.accounts import hash_password
from models.sop import sync_kinds
from seeds import agency, demo_accounts
from seeds.sop_48_curhat_ning_ita import SOP as SOP_48
from seeds.sop_49_kantor import SOP as SOP_49
from seeds.sop_50_media_sosial import SOP as SOP_50
from seeds.sop_format import SopSeed

SOP_SEEDS: tuple[SopSeed, ...] = (SOP_48, SOP_49, SOP_50)


def build_sop(seed: SopSeed) -> Sop:
    """Turn a seed into unsaved model rows."""
    h = seed.header
    sop = Sop(
        code=h.code,
        revision=h.revision,
        number=h.number,
        name=h.name,
        unit=h.unit,
        made_on=h.made_on,
        revised_on=h.revised_on,
        effective_on=h.effective_on,
        approver_position=h.approver_position,
        approver_name=h.approver_name,
        approver_rank=h.approver_rank,
        approver_nip=h.approver_nip,
        legal_basis="\n".join(h.legal_basis),
        qualifications="\n".join(h.qualifications),
        related="\n".join(h.related),
        equipment="\n".join(h.equipment),
        warnings="\n".join(h.warnings),
        records="\n".join(h.records),
        procedure_title=h.procedure_title,
        reconstructed=h.reconstructed,
        note=h.note,
    )
    for s in seed.steps:
        step = SopStep(
            no=s.no,
            actor=s.actor,
            co_actor=s.co_actor,
            activity=s.activity,
            short_name=s.short,
            input_doc=s.input,
            time_minutes=s.time.get("minutes"),
            time_working_days=s.time.get("working_days"),
            output=s.output,
            closing=s.closing,
        )
        for position, o in enumerate(x for x in seed.outcomes if x.step == s.no):
            target = seed.step_number(o.to)
            step.outcomes.append(
                SopOutcome(
                    position=position,
                    code=o.code,
                    label=o.label,
                    form=o.form,
                    next_step_no=target,
                    ends=o.to if target is None else None,
                    document=o.document,
                    only_after=",".join(o.only_after) or None,
                )
            )
        sop.steps.append(step)
    return sop


def load_sops() -> list[str]:
    """Add each seeded SOP revision that the database lacks; return what was added."""
    added = []
    for seed in SOP_SEEDS:
        h = seed.header
        exists = db.session.scalar(
            select(Sop.id).where(Sop.code == h.code, Sop.revision == h.revision)
        )
        if exists is None:
            db.session.add(build_sop(seed))
            added.append(f"{h.code} rev. {h.revision}")
    return added


def load_agency() -> bool:
    """Create the letterhead settings row when missing; never overwrite the admin's edits."""
    if db.session.get(AgencySettings, 1) is not None:
        return False
    db.session.add(AgencySettings(**agency.AGENCY))
    return True


def load_masterdata() -> int:
    """Add the channels, platforms, jenis, disposition marks, complaint classes and other
    agencies that are missing."""
    have = set(db.session.scalars(select(Jenis.code)))  # first: the templates name theirs
    first = [Jenis(code=c, name=n, ordering=i) for i, (c, n) in enumerate(agency.JENIS)
             if c not in have]  # fmt: skip
    db.session.add_all(first)
    db.session.flush()
    added = len(first)
    jenis = dict(db.session.execute(select(Jenis.code, Jenis.id)).all())
    tables = (
        (Channel, [
            dict(code=c, name=n, sop_code=s, needs_platform=p, needs_tracking_number=t)
            for c, n, s, p, t in agency.CHANNELS
        ]),
        (Platform, [dict(code=c, name=n) for c, n in agency.PLATFORMS]),
        (Jenis, [dict(code=c, name=n) for c, n in agency.JENIS]),
        (DispositionMark, [dict(code=c, name=n) for c, n in agency.DISPOSITION_MARKS]),
        (ComplaintClass, [dict(code=c, name=n, limit_days=d)
                          for c, n, d in agency.COMPLAINT_CLASSES]),
        (OtherAgency, [dict(code=c, name=n, address=a) for c, n, a in agency.OTHER_AGENCIES]),
        (AnswerTemplate, [dict(code=c, name=n, jenis_id=jenis[j] if j else None, subject=h,
                               body=b) for c, n, j, h, b in agency.ANSWER_TEMPLATES]),
    )  # fmt: skip
    for model, rows in tables:
        have = set(db.session.scalars(select(model.code)))
        for ordering, row in enumerate(rows):
            if row["code"] not in have:
                db.session.add(model(ordering=ordering, **row))
                added += 1
    return added


def load_office_hours() -> int:
    """Create the default office hours (Mon-Fri 07:30-16:00) when none are set."""
    if db.session.scalar(select(OfficeHours.weekday).limit(1)) is not None:
        return 0
    for weekday in range(7):
        db.session.add(OfficeHours(weekday=weekday, is_open=weekday < 5,
                                   opens=time(7, 30), closes=time(16, 0)))  # fmt: skip
    return 7


def init_data() -> dict:
    """Load SOPs, letterhead, pick lists and office hours; commit. Twice changes nothing."""
    sync_kinds()  # before the SOPs: their outcomes refer to the kinds
    summary = {"sops": load_sops(), "agency": load_agency(),
               "masterdata": load_masterdata() + load_office_hours()}  # fmt: skip
    db.session.commit()
    return summary


def create_demo_accounts(password: str) -> list[str]:
    """Create the demo officials that do not exist yet; return their usernames."""
    created = []
    password_hash = hash_password(password)  # one hash serves every demo account
    for username, name, nip, position, rank, role in demo_accounts.DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        user = User(
            username=username, full_name=name, nip=nip, position=position, rank=rank, role=role,
            email=demo_accounts.demo_email(username),
        )  # fmt: skip
        user.password_hash = password_hash
        db.session.add(user)
        created.append(username)
    db.session.commit()
    return created
