"""The one registry of the kinds of step form and of printed document.

An SOP outcome names a form kind (what the official fills in) and, maybe, a document (what
is printed from it). Everything else derives from the two tables below: the database's check
constraints on `sop_outcome`, the SOP editor's pick lists, which documents a form can fill,
which forms can be given to several complaints at once, which documents take an outgoing
letter number, which template prints a document and who signs it. tests/test_kinds.py holds
the registry whole: every form class and template exists, every SOP outcome names a known
kind and a document its form can fill.

Adding a form kind: a row here and its class in models/step_forms.py. Adding a document: a
row here and its template in templates/documents/.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FormKind:
    code: str
    label: str  # in the SOP editor
    form_class: str  # its class in models/step_forms.py
    documents: tuple[str, ...] = ()  # the documents its fields can fill
    bulk: bool = False  # one instruction that reads the same for several complaints


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: str
    template: str | None  # templates/documents/<code>.html; None: drawn by models.pdf
    numbered: bool = False  # takes the next outgoing letter number (gap-free per year)
    # Who signs: "actor" (who recorded the step, Plt./Plh. as acting), "meeting_leader" (the
    # Kabid who led the Tim Teknis), "signatory" (the official the form names or, when it
    # names none, the one the agency's settings name: AgencySettings.invitation_signer),
    # None (no one).
    signer: str | None = "actor"
    # Sent in the Kepala Dinas's name: signed by anyone else it carries "a.n. KEPALA DINAS …,".
    in_heads_name: bool = False
    follows: str | None = None  # an earlier document of the complaint it reports on
    addressed: bool = False  # to the complainant: the addressee is masked like them
    beside_sop: bool = False  # printed by an action beside the SOP's steps, no step's form
    sent: bool = False  # a letter that goes out: the front office files its proof of dispatch
    # What the complaint's row keeps of it for the registers and the export (workflow.summarise):
    # "addressee" (its "to" is Diteruskan kepada), "follow_up" (its Hal and opening, or the
    # agency it forwards to and why, are the Tindak lanjut).
    summary: str | None = None


# fmt: off
FORM_KINDS = (
    FormKind("submit",      "Pengaduan disampaikan (masyarakat)",   "SubmitForm"),
    FormKind("register",    "Registrasi pengaduan",                 "RegisterForm",    ("buku_registrasi",)),
    FormKind("disposition", "Disposisi (arahan / minta pendapat)",  "DispositionForm", ("lembar_disposisi",), bulk=True),
    FormKind("order",       "Perintah kepada bawahan",              "OrderForm",       ("lembar_disposisi",), bulk=True),
    FormKind("resume",      "Resume",                               "ResumeForm",      ("resume",)),
    FormKind("study",       "Mempelajari, dengan catatan",          "StudyForm",       ("lembar_disposisi",), bulk=True),
    FormKind("answer",      "Jawaban tertulis (Surat Dinas)",       "AnswerForm",      ("surat_dinas",)),
    FormKind("meeting",     "Undangan rapat koordinasi",            "MeetingForm",     ("undangan_rakor",)),
    FormKind("minutes",     "Berita Acara rapat koordinasi",        "MinutesForm",     ("berita_acara",)),
    FormKind("dispatch",    "Pengiriman jawaban kepada pengadu",    "DispatchForm"),
)
DOCUMENT_KINDS = (
    DocumentKind("buku_registrasi",  "Buku Registrasi Pengaduan Masyarakat", None, signer=None),
    DocumentKind("lembar_disposisi", "Lembar Disposisi",           "documents/lembar_disposisi.html", summary="addressee"),
    DocumentKind("resume",           "Resume",                     "documents/resume.html", numbered=True),
    DocumentKind("undangan_rakor",   "Undangan Rapat Koordinasi",  "documents/undangan_rakor.html", numbered=True, signer="signatory", in_heads_name=True),
    DocumentKind("berita_acara",     "Berita Acara",               "documents/berita_acara.html", numbered=True, signer="meeting_leader", follows="undangan_rakor"),
    DocumentKind("surat_dinas",      "Surat Dinas Jawaban",        "documents/surat_dinas.html", numbered=True, signer="signatory", addressed=True, in_heads_name=True, sent=True, summary="follow_up"),
    # Beside the SOP's steps: a complaint forwarded to the agency it belongs to (models/closing.py).
    DocumentKind("surat_pelimpahan", "Surat Pelimpahan Pengaduan", "documents/surat_pelimpahan.html", numbered=True, beside_sop=True, in_heads_name=True, sent=True, summary="follow_up"),
)
# fmt: on

FORMS = {kind.code: kind for kind in FORM_KINDS}
DOCUMENTS = {kind.code: kind for kind in DOCUMENT_KINDS}
DOCUMENT_TITLES = {kind.code: kind.title for kind in DOCUMENT_KINDS}
FORM_LABELS = {kind.code: kind.label for kind in FORM_KINDS}
