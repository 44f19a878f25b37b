"""The SOP tables in the database against the paper sheets (shared/domain source)."""

import json

import pytest
from sqlalchemy import select

from models import Sop, db

# (no, actor, Waktu, Kelengkapan, Output) as printed on the sheets.
PAPER = {
    "SOP.48": [
        (1, "masyarakat", {"minutes": 30}, "pengaduan masyarakat", "pengaduan masyarakat"),
        (2, "fo", {"minutes": 30}, "pengaduan masyarakat", "buku registrasi pengaduan masyarakat"),
        (3, "kadis", {"minutes": 120}, "pengaduan masyarakat yang telah diregistrasi",
         "lembar disposisi"),
        (4, "kabid", {"minutes": 120}, "lembar disposisi", "Disposisi penyelesaian"),
        (5, "kasi", {"minutes": 180}, "Disposisi penyelesaian",
         "Jawaban atas pengaduan masyarakat"),
    ],
    "SOP.50": [
        (1, "masyarakat", {"minutes": 30}, "pengaduan masyarakat", "pengaduan masyarakat"),
        (2, "fo", {"minutes": 30}, "pengaduan masyarakat", "buku registrasi pengaduan masyarakat"),
        (3, "kadis", {"minutes": 60}, "pengaduan masyarakat yang telah diregistrasi",
         "lembar disposisi"),
        (4, "kabid", {"working_days": 1}, "lembar disposisi", "Disposisi penyelesaian"),
        (5, "kasi", {"working_days": 1}, "Disposisi penyelesaian",
         "Disposisi arahan penyelesaian atau undangan rakor"),
        (6, "tim_teknis", {"minutes": 180}, "Undangan Rakor",
         "Berita Acara penyelesaian pengaduan masyarakat"),
        (7, "kabid", {"minutes": 30}, "Berita Acara penyelesaian pengaduan masyarakat",
         "Resume sesuai Berita Acara"),
        (8, "kadis", {"minutes": 60}, "Resume sesuai Berita Acara", "Disposisi Kepala Dinas"),
        (9, "kadis", {"minutes": 60}, "Disposisi Kepala Dinas", "Disposisi Kepala Bidang"),
        (10, "kabid", {"minutes": 180}, "Disposisi Kepala Bidang",
         "Surat Dinas tentang jawaban atas pengaduan masyarakat"),
    ],
}  # fmt: skip
# SOP.49 lost its table; SPEC §2: SOP.48's steps with step 1 at the office.
PAPER["SOP.49"] = [(1, "masyarakat", {"minutes": 30}, "Form Pengaduan", "pengaduan masyarakat")]
PAPER["SOP.49"] += PAPER["SOP.48"][1:]

HEADER = {
    "made_on": "2021-08-04",
    "revised_on": "2021-12-22",
    "effective_on": "2022-01-03",
    "approved_by": {
        "position": "Plt. KEPALA DINAS",
        "name": "HERYANA DODIK MURTONO, S. STP, M. Si",
        "rank": "Pembina Tingkat I",
        "nip": "197807271997031002",
    },
}


@pytest.fixture
def sop_json(runner):
    result = runner.invoke(args=["sop", "list", "--json"])
    assert result.exit_code == 0, result.output
    return {s["code"]: s for s in json.loads(result.output)}


def test_sop_list_json_matches_the_paper(sop_json):
    assert sorted(sop_json) == ["SOP.48", "SOP.49", "SOP.50"]
    for code, rows in PAPER.items():
        sop = sop_json[code]
        assert sop["number"] == f"065/{code}/417.514.3/2021"
        for key, value in HEADER.items():
            assert sop[key] == value, (code, key)
        got = [
            (s["no"], s["actor"], s["time_standard"], s["input"], s["output"])
            for s in sop["steps"]
            if s["closing"] is None
        ]
        assert got == rows, code


def test_the_paper_rows_count_five_five_ten_then_the_two_closing_stages(sop_json):
    drafting = ("answer", "kasi", {"working_days": 1})
    sending = ("dispatch", "fo", {"working_days": 1})
    # After the table, as rows of the SOP's data, one working day each until the agency sets
    # its own: the front office sends the answer; in SOP.50, whose step 10 orders the letter,
    # the Kasi first drafts it (in SOP.48 and 49 the Kasi answers within step 5).
    for code, paper, stages in (("SOP.48", 5, [sending]), ("SOP.49", 5, [sending]),
                                ("SOP.50", 10, [drafting, sending])):  # fmt: skip
        steps = sop_json[code]["steps"]
        assert [s["no"] for s in steps if s["closing"] is None] == list(range(1, paper + 1))
        closing = [(s["no"], s["closing"], s["actor"], s["time_standard"]) for s in steps
                   if s["closing"] is not None]  # fmt: skip
        assert closing == [(paper + i, *stage) for i, stage in enumerate(stages, 1)], code


def test_only_sop_49_is_marked_reconstructed(sop_json):
    assert {c: s["reconstructed"] for c, s in sop_json.items()} == {
        "SOP.48": False,
        "SOP.49": True,
        "SOP.50": False,
    }


def test_sop_50_team_meeting_is_led_by_the_kabid(sop_json):
    step6 = sop_json["SOP.50"]["steps"][5]
    assert (step6["actor"], step6["co_actor"]) == ("tim_teknis", "kabid")


def test_header_lists_are_transcribed(sop_json):
    for sop in sop_json.values():
        assert len(sop["legal_basis"]) == 2
        assert sop["related"] == ["Surat keluar masuk", "Form pengaduan", "Aplikasi LAPOR"]
        assert sop["equipment"] == ["ATK", "Komputer yang dilengkapi aplikasi office", "Printer"]
        assert sop["records"] == ["Buku Pengaduan Masyarakat"]


@pytest.mark.parametrize("code", ["SOP.48", "SOP.49", "SOP.50"])
def test_every_branch_leads_somewhere_real_and_every_step_is_reachable(sop_json, code):
    steps = {s["no"]: s for s in sop_json[code]["steps"]}
    assert sorted(steps) == list(range(1, len(steps) + 1))
    reached, frontier, ends = {1}, [1], set()
    for step in steps.values():
        assert step["outcomes"], f"{code} step {step['no']} offers no outcome"
    while frontier:
        for outcome in steps[frontier.pop()]["outcomes"]:
            target = outcome["leads_to"]
            if isinstance(target, str):
                assert target == "closed"
                ends.add(target)
                continue
            assert target in steps, f"{code}: {outcome['code']} leads to missing step {target}"
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(steps), f"{code}: unreachable steps {set(steps) - reached}"
    assert ends, f"{code}: no path closes the complaint"


@pytest.mark.parametrize("code", ["SOP.48", "SOP.49", "SOP.50"])
def test_only_after_names_an_outcome_that_enters_the_step(sop_json, code):
    steps = sop_json[code]["steps"]
    for step in steps:
        entering = {o["code"] for s in steps for o in s["outcomes"] if o["leads_to"] == step["no"]}
        for outcome in step["outcomes"]:
            assert set(outcome["only_after"]) <= entering, (code, step["no"], outcome["code"])


def test_dispose_step_offers_direction_or_opinion_request_in_every_sop(sop_json):
    for sop in sop_json.values():
        step3 = sop["steps"][2]
        assert step3["actor"] == "kadis"
        assert [o["code"] for o in step3["outcomes"]] == ["arahan", "minta_pendapat"]
        assert {o["leads_to"] for o in step3["outcomes"]} == {4}


def test_init_data_twice_changes_nothing(app):
    from seeds.loader import init_data

    with app.app_context():
        before = len(db.session.scalars(select(Sop)).all())
        summary = init_data()
        assert summary == {"sops": [], "agency": False, "masterdata": 0}
        assert len(db.session.scalars(select(Sop)).all()) == before == 3


def test_sop_list_text_names_steps_in_indonesian(runner):
    result = runner.invoke(args=["sop", "list"])
    assert result.exit_code == 0
    assert "065/SOP.50/417.514.3/2021" in result.output
    assert "Perintah kepada Kasi membuat jawaban tertulis → langkah 11" in result.output
    assert "[Petugas FO] Pengiriman jawaban (1 hari" in result.output
    assert "Jawaban dikirim kepada pengadu → selesai" in result.output
