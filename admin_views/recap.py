"""Rekapitulasi pages: a period's figures with charts, as PDF signed by the Kabid, and CSV."""

import csv
import io

from flask import request
from flask_admin import expose

from admin_views.base import SecureView
from admin_views.export import neutralise
from admin_views.responses import file_response
from models.accounts import Role, users_holding
from models.dates import MONTHS, today_wib
from models.documents import base_context, signer
from models.pdf import render_pdf
from models.recap import IKM_METHOD, NO_RATINGS, PERIOD_KINDS, build_recap, parse_period


def _period_from_args():
    today = today_wib()
    kind = request.args.get("jenis", "bulan")
    value = request.args.get("nilai") or {
        "bulan": f"{today:%m-%Y}", "triwulan": f"Q{(today.month - 1) // 3 + 1}-{today.year}",
        "tahun": str(today.year),
    }.get(kind, "")  # fmt: skip
    return kind, value, parse_period(kind, value, request.args.get("dari", ""),
                                     request.args.get("sampai", ""))  # fmt: skip


class RecapView(SecureView):
    """The division's periodic report (the P of PKPL: Pelaporan)."""

    roles = (Role.FO, Role.KADIS, Role.KABID, Role.KASI, Role.ADMIN)

    @expose("/")
    def index(self):
        try:
            kind, value, period = _period_from_args()
        except ValueError as exc:
            today = today_wib()
            kind, value = "bulan", f"{today:%m-%Y}"
            return self.render("admin/recap.html", recap=None, error=str(exc), kind=kind,
                               value=value, kinds=PERIOD_KINDS, months=MONTHS), 400  # fmt: skip
        return self.render("admin/recap.html", recap=build_recap(period), error=None, kind=kind,
                           value=value, kinds=PERIOD_KINDS, months=MONTHS)  # fmt: skip

    def _period_or_page(self):
        """The asked period, or the page that says what is wrong with it."""
        try:
            return _period_from_args()[2], None
        except ValueError:
            return None, self.index()

    @expose("/pdf/")
    def pdf(self):
        """The recap as a document signed by the Kabid PKPL."""
        period, page = self._period_or_page()
        if page:
            return page
        today = today_wib()
        kabid = users_holding(Role.KABID, today)
        context = base_context()
        context.update(recap=build_recap(period), title="Rekapitulasi Pengaduan Masyarakat",
                       issued_on=today,
                       signer=signer(kabid[0] if kabid else None, Role.KABID, today))  # fmt: skip
        name = f"rekapitulasi-{period.first:%Y%m%d}-{period.last:%Y%m%d}.pdf"
        return file_response(render_pdf("documents/rekapitulasi.html", **context),
                             "application/pdf", name, inline=True)  # fmt: skip

    @expose("/csv/")
    def csv(self):
        """The recap's figures as CSV (UTF-8 with BOM)."""
        period, page = self._period_or_page()
        if page:
            return page
        recap = build_recap(period)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["Rekapitulasi pengaduan masyarakat", period.label])
        for label, n in (("Diterima", recap.received), ("Selesai", recap.closed),
                         ("Sisa periode sebelumnya", recap.carried_over),
                         ("Belum selesai pada akhir periode", recap.open_at_end)):  # fmt: skip
            writer.writerow(["Jumlah", label, n])
        writer.writerow(["SP4N-LAPOR!", "Tindak lanjut dikirim", recap.lapor_posted])
        writer.writerow(["SP4N-LAPOR!", f"Dalam {recap.lapor_days} hari kerja sejak diteruskan",
                         recap.lapor_met])  # fmt: skip
        for group, rows in (("Kanal", recap.by_channel), ("Jenis", recap.by_jenis),
                            ("SOP", recap.by_sop), ("Status", recap.by_status),
                            ("Diarsipkan", recap.by_archive),
                            ("Cara selesai", recap.by_closure)):  # fmt: skip
            for label, n in rows:
                writer.writerow([group, neutralise(label), n])
        writer.writerow(["Kanal", *recap.status_labels, "Jumlah"])
        for name, cells, total in recap.channel_status:
            writer.writerow([neutralise(name), *cells, total])
        writer.writerow(["Kelas pengaduan", "Selesai", "Dalam batas kelasnya", "%"])
        for c in recap.by_class:
            share = f"{c.share * 100:.0f}" if c.share is not None else ""
            writer.writerow([neutralise(c.label), c.closed, c.met, share])
        writer.writerow(["SOP", "Langkah", "Nama langkah", "Standar", "Selesai", "Tepat waktu",
                         "% tepat waktu", "Median menit kerja"])  # fmt: skip
        for s in recap.steps:
            share = f"{s.share * 100:.0f}" if s.share is not None else ""
            median = f"{s.median_minutes:.0f}" if s.median_minutes is not None else ""
            writer.writerow([s.sop, s.step_no, s.name, s.standard, s.finished, s.met, share,
                             median])  # fmt: skip
        _write_ikm(writer, recap)
        name = f"rekapitulasi-{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv"
        return file_response("\ufeff" + out.getvalue(), "text/csv; charset=utf-8", name)


def _write_ikm(writer, recap) -> None:
    """The satisfaction index's rows: a heading, each element's NRR, then the index."""
    ikm = recap.ikm
    writer.writerow(["Indeks Kepuasan Masyarakat (IKM)", IKM_METHOD])
    for code, label, nrr in recap.ikm_elements:
        writer.writerow(["NRR", f"{code.upper()} {label}", nrr])
    if ikm.ikm is None:
        writer.writerow(["IKM", "Keterangan", NO_RATINGS])
    else:
        writer.writerow(["IKM", "Nilai IKM", ikm.ikm])
        writer.writerow(["IKM", "Mutu pelayanan", ikm.grade, ikm.meaning])
    for label, n in (("Responden", ikm.respondents), ("Pengaduan selesai", ikm.population),
                     ("Sampel minimal (Krejcie–Morgan)", ikm.sample_needed)):  # fmt: skip
        writer.writerow(["IKM", label, n])
    if recap.ikm_warning:
        writer.writerow(["IKM", "Peringatan", recap.ikm_warning])
