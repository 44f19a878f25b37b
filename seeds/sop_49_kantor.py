"""065/SOP.49/417.514.3/2021 — pengaduan masyarakat di kantor (rev. 22-12-2021).

RECONSTRUCTED: the source keeps this sheet's header but lost its procedure table. Until the
agency supplies it, the steps are SOP.48's with step 1 at the office (SPEC §2); the agency
corrects it as a new revision in the admin.
"""

from seeds.sop_48_curhat_ning_ita import OUTCOMES as SOP_48_OUTCOMES
from seeds.sop_48_curhat_ning_ita import STEPS as SOP_48_STEPS
from seeds.sop_common import COMMON, closing_stages
from seeds.sop_format import DISPATCH, PUBLIC, Header, SopSeed, Step, minutes

HEADER = Header(
    code="SOP.49",
    number="065/SOP.49/417.514.3/2021",
    name="PENANGANAN PENGADUAN MASYARAKAT (PENGADUAN / KELUHAN / MASALAH / SARAN / PERTANYAAN "
    "/ INFORMASI) DI KANTOR",
    procedure_title="URAIAN PROSEDUR PENANGANAN PENGADUAN MASYARAKAT (Pengaduan/Keluhan/Masalah/"
    "Saran/Pertanyaan/Informasi) DI KANTOR",
    reconstructed=True,
    note="Tabel prosedur hilang pada sumber; langkah direkonstruksi dari SOP.48 dengan langkah 1 "
    "di kantor. Mohon dikoreksi oleh dinas melalui revisi SOP.",
    **COMMON,
)

# fmt: off
STEPS = (
    Step(1, PUBLIC, "Masyarakat datang ke kantor dan mengisi Form Pengaduan",                     "Form Pengaduan",                                minutes(30),  "pengaduan masyarakat",                 "Pengaduan disampaikan"),
    *SOP_48_STEPS[1:],
)
# fmt: on
OUTCOMES = SOP_48_OUTCOMES
CLOSING_STEPS, CLOSING_OUTCOMES = closing_stages(after=len(STEPS), kinds=(DISPATCH,))

SOP = SopSeed(HEADER, STEPS + CLOSING_STEPS, OUTCOMES + CLOSING_OUTCOMES)
