"""The SOPs, read-only, laid out as the paper sheet: header, then the numbered steps."""

from flask import abort, request
from flask_admin import expose
from sqlalchemy.orm import selectinload

from admin_views.base import SecureModelView
from models import Sop, SopStep, db
from models.dates import format_date_short
from models.sop import ACTOR_LABELS, ACTORS
from models.swimlane import swimlane


class SopView(SecureModelView):
    """Every official may read the SOPs; nobody edits them here."""

    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
    column_list = ("code", "revision", "number", "name", "effective_on", "reconstructed")
    column_labels = {
        "code": "SOP",
        "revision": "Revisi",
        "number": "Nomor SOP",
        "name": "Nama SOP",
        "effective_on": "Tgl Efektif",
        "reconstructed": "Rekonstruksi",
    }
    column_default_sort = [("code", False), ("revision", False)]
    column_formatters = {"effective_on": lambda v, c, m, n: format_date_short(m.effective_on)}
    column_descriptions = {
        "reconstructed": "Tabel prosedur direkonstruksi karena hilang pada sumber.",
    }
    list_template = "admin/sop_list.html"

    @expose("/details/")
    def details_view(self):
        """Show one SOP revision as the paper shows it."""
        sop_id = request.args.get("id", type=int)
        sop = db.session.get(
            Sop, sop_id, options=[selectinload(Sop.steps).selectinload(SopStep.outcomes)]
        ) if sop_id else None  # fmt: skip
        if sop is None:
            abort(404)
        return self.render(
            "admin/sop_details.html",
            sop=sop,
            diagram=swimlane(sop),
            lanes=ACTORS,
            lane_labels=ACTOR_LABELS,
            date_short=format_date_short,
        )
