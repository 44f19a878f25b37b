"""The admin's calendar pages: the year's days off, the agency's own days, office hours."""

from datetime import date

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from admin_views.base import SecureModelView, SecureView
from admin_views.i18n import AdminBaseForm, AppForm
from models import CalendarDay, OfficeHours, db
from models.calendar import WEEKDAYS, load_calendar
from models.dates import format_day_date, to_wib
from models.params import parse_id
from models.types import utcnow
from models.workflow import recompute_due_moments


class CalendarDayForm(AppForm):
    day = DateField("Tanggal", validators=[InputRequired("Tanggal wajib diisi (hh-bb-tttt).")])
    kind = SelectField("Jenis", choices=[SelectChoice("off", "Libur dinas (kantor tutup)"),
                                         SelectChoice("work", "Hari kerja tambahan")])  # fmt: skip
    note = StringField("Keterangan", validators=[InputRequired("Keterangan wajib diisi."),
                                                 Length(max=200)])  # fmt: skip

    def validate_day(self, field):
        if field.data is None:
            return
        if db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == field.data)):
            raise ValidationError("Tanggal ini sudah ada dalam daftar dinas; hapus dulu.")
        reason = load_calendar().day_off_reason(field.data)
        if self.kind.data == "off" and reason is not None:
            raise ValidationError(f"Tanggal ini sudah hari libur ({reason}).")
        if self.kind.data == "work" and reason is None:
            raise ValidationError("Tanggal ini sudah hari kerja.")


def _recompute_and_say(what: str) -> None:
    count = recompute_due_moments()
    flash(f"{what} Batas waktu {count} langkah yang sedang berjalan dihitung ulang.", "success")


class CalendarView(SecureView):
    """The year's days off (national and the agency's own), where the admin adds or removes."""

    roles = ("admin",)

    @expose("/", methods=("GET",))
    def index(self):
        year = request.args.get("tahun", type=int) or to_wib(utcnow()).year
        if not 2000 <= year <= 2100:
            year = to_wib(utcnow()).year
        return self._page(year, CalendarDayForm())

    def _page(self, year, form, status=200):
        calendar = load_calendar()
        own = {d.day: d for d in db.session.scalars(
            select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                      CalendarDay.day <= date(year, 12, 31))
            .order_by(CalendarDay.day))}  # fmt: skip
        rows = [(d, format_day_date(d), name, source, own.get(d))
                for d, name, source in calendar.year_days_off(year)]  # fmt: skip
        extra = [(d, format_day_date(d), own[d]) for d in sorted(own) if own[d].kind == "work"]
        return self.render("admin/calendar.html", year=year, rows=rows, extra=extra,
                           form=form), status  # fmt: skip

    @expose("/tambah/", methods=("POST",))
    def add(self):
        """Add a day off or an extra working day, then recompute the open due moments."""
        form = CalendarDayForm()
        if not form.validate():
            year = form.day.data.year if form.day.data else to_wib(utcnow()).year
            return self._page(year, form, status=400)
        db.session.add(
            CalendarDay(day=form.day.data, kind=form.kind.data, note=form.note.data.strip(),
                        created_by_id=current_user.id)
        )  # fmt: skip
        db.session.commit()
        _recompute_and_say(f"{format_day_date(form.day.data)} ditambahkan.")
        return redirect(url_for(".index", tahun=form.day.data.year))

    @expose("/hapus/", methods=("POST",))
    def remove(self):
        """Remove one of the agency's own days, then recompute the open due moments."""
        day_id = parse_id(request.form.get("id"))
        day = db.session.get(CalendarDay, day_id) if day_id else None
        if day is None:
            flash("Tanggal tidak ditemukan dalam daftar dinas.", "error")
            return redirect(url_for(".index"))
        year, label = day.day.year, format_day_date(day.day)
        db.session.delete(day)
        db.session.commit()
        _recompute_and_say(f"{label} dihapus dari daftar dinas.")
        return redirect(url_for(".index", tahun=year))


class OfficeHoursForm(AdminBaseForm):
    is_open = BooleanField("Kantor buka")
    opens = TimeField("Buka", validators=[InputRequired("Jam buka wajib diisi.")])
    closes = TimeField("Tutup", validators=[InputRequired("Jam tutup wajib diisi.")])
    break_start = TimeField("Istirahat mulai", validators=[Optional()])
    break_end = TimeField("Istirahat selesai", validators=[Optional()])

    def validate_closes(self, field):
        if self.opens.data and field.data and field.data <= self.opens.data:
            raise ValidationError("Jam tutup harus setelah jam buka.")

    def validate(self, extra_validators=None):
        # The break is checked as a pair: Optional() would skip a lone empty field.
        valid = super().validate(extra_validators)
        start, end = self.break_start.data, self.break_end.data
        problem = None
        if (start is None) != (end is None):
            problem = "Isi jam mulai dan selesai istirahat, atau kosongkan keduanya."
        elif (
            start is not None
            and self.opens.data
            and self.closes.data
            and not (self.opens.data < start < end < self.closes.data)
        ):
            problem = "Istirahat harus di dalam jam kantor dan selesai setelah mulai."
        if problem:
            self.break_end.errors = [*self.break_end.errors, problem]
            return False
        return valid


class OfficeHoursView(SecureModelView):
    """Office hours per weekday; a change recomputes the open due moments."""

    roles = ("admin",)
    can_create = can_delete = False
    form = OfficeHoursForm
    column_list = ("weekday", "is_open", "opens", "closes", "break_start", "break_end")
    column_labels = {"weekday": "Hari", "is_open": "Buka", "opens": "Jam buka",
                     "closes": "Jam tutup", "break_start": "Istirahat mulai",
                     "break_end": "Istirahat selesai"}  # fmt: skip
    column_default_sort = "weekday"
    edit_template = "admin/office_hours_edit.html"
    column_formatters = {"weekday": lambda v, c, m, n: WEEKDAYS[m.weekday]}

    def on_model_change(self, form, model, is_created):
        open_days = db.session.scalar(
            select(db.func.count(OfficeHours.weekday)).where(OfficeHours.is_open.is_(True),
                                                             OfficeHours.weekday != model.weekday)
        )  # fmt: skip
        if not model.is_open and not open_days:
            raise ValidationError("Sedikitnya satu hari dalam seminggu harus buka.")

    def after_model_change(self, form, model, is_created):
        _recompute_and_say(f"Jam kantor hari {WEEKDAYS[model.weekday]} disimpan.")
