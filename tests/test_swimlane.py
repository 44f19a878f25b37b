"""The SOP drawn as the paper's swim-lane diagram, and a complaint's path highlighted on it."""

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from models import Complaint, Sop, StepRecord, db
from models.sop import ACTOR_LABELS
from models.swimlane import wrap_text
from tests.workflow_helpers import act, closing, register_complaint

NS = "{http://www.w3.org/2000/svg}"
# The paper's Pelaksana columns, left to right.
PAPER_LANES = [ACTOR_LABELS[k] for k in ("masyarakat", "fo", "kasi", "kabid", "kadis",
                                         "tim_teknis")]  # fmt: skip
STEP_ID = re.compile(r"^sl-step-(\d+)$")


# --- reading the drawing ----------------------------------------------------------------------


def svg_of(html: str) -> ET.Element:
    match = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert match, "the page has no inline SVG"
    return ET.fromstring(match.group(0))


def classes(el: ET.Element) -> set[str]:
    return set((el.get("class") or "").split())


def with_class(root: ET.Element, cls: str) -> list[ET.Element]:
    return [el for el in root.iter() if cls in classes(el)]


def text_of(el: ET.Element) -> str:
    return "".join(el.itertext()).strip()


def lanes(svg: ET.Element) -> list[tuple[str, float, float]]:
    """(label, x from, x to) of every lane header, left to right as drawn."""
    found = []
    for g in with_class(svg, "sl-lane"):
        rect = g.find(f"{NS}rect")
        x, w = float(rect.get("x")), float(rect.get("width"))
        found.append((text_of(g.find(f"{NS}text")), x, x + w))
    return sorted(found, key=lambda lane: lane[1])


def steps(svg: ET.Element) -> dict[int, ET.Element]:
    found = {}
    for g in svg.iter(f"{NS}g"):
        match = STEP_ID.match(g.get("id") or "")
        if match:
            found[int(match.group(1))] = g
    return found


def shape_x_range(g: ET.Element) -> tuple[float, float]:
    (shape,) = [el for el in g if "sl-shape" in classes(el)]
    if shape.tag == f"{NS}polygon":
        xs = [float(p.split(",")[0]) for p in shape.get("points").split()]
        return min(xs), max(xs)
    x = float(shape.get("x"))
    return x, x + float(shape.get("width"))


def shape_kind(g: ET.Element) -> str:
    (shape,) = [el for el in g if "sl-shape" in classes(el)]
    return shape.tag.removeprefix(NS)


def highlighted(svg: ET.Element) -> dict[str, set]:
    marks: dict[str, set] = {"sl-passed": set(), "sl-current": set()}
    for no, g in steps(svg).items():
        for cls in marks:
            if cls in classes(g):
                marks[cls].add(no)
    return marks


def sop_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Sop.id).where(Sop.code == code))


def finished_steps(complaint_id: int) -> set[int]:
    return set(db.session.scalars(
        select(StepRecord.step_no).where(StepRecord.complaint_id == complaint_id,
                                         StepRecord.step_no.is_not(None),
                                         StepRecord.phase.not_in(("pause", "resume")))
    ))  # fmt: skip


def path_segments(d: str) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight pieces of an SVG path made of M, H, V and L commands."""
    segments, here = [], None
    for cmd, args in re.findall(r"([MHVL])([^MHVL]*)", d):
        nums = [float(n) for n in args.split()]
        if cmd == "M":
            here = (nums[0], nums[1])
            continue
        if cmd == "H":
            nxt = (nums[0], here[1])
        elif cmd == "V":
            nxt = (here[0], nums[0])
        else:
            nxt = (nums[0], nums[1])
        segments.append((here, nxt))
        here = nxt
    return segments


# --- the SOP page -----------------------------------------------------------------------------


def test_sop_50_diagram_shows_the_papers_lanes_and_each_step_in_its_actors_lane(app, client,
                                                                                 auth):  # fmt: skip
    auth.login("kadis")
    page = client.get(f"/admin/sop/details/?id={sop_id(app, 'SOP.50')}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Diagram alur") < html.index("<svg") < html.index("sop-paper")
    svg = svg_of(html)
    assert svg.get("role") == "img" and svg.get("viewBox").startswith("0 0 ")
    assert text_of(svg.find(f"{NS}title")) == "Diagram alur SOP.50"

    drawn_lanes = lanes(svg)
    assert [label for label, _, _ in drawn_lanes] == PAPER_LANES
    lane_range = {label: (x0, x1) for label, x0, x1 in drawn_lanes}

    drawn = steps(svg)
    with app.app_context():
        sop = db.session.get(Sop, sop_id(app, "SOP.50"))
        assert sorted(drawn) == [s.no for s in sop.steps] == list(range(1, len(sop.steps) + 1))
        edges_expected = sum(len({o.leads_to for o in s.outcomes}) for s in sop.steps)
        for step in sop.steps:
            g = drawn[step.no]
            x0, x1 = shape_x_range(g)
            lo, hi = lane_range[ACTOR_LABELS[step.actor]]
            assert lo <= x0 < x1 <= hi, (step.no, step.actor, (x0, x1), (lo, hi))
            # Mutu Baku beside the row: the time standard and the output document.
            (time,) = with_class(g, "sl-time")
            assert text_of(time) == step.time_label
            assert " ".join(text_of(t) for t in with_class(g, "sl-output")) == step.output
            assert float(time.get("x")) > lane_range[PAPER_LANES[-1]][1]
            # The activity, wrapped, after the step number.
            lines = [text_of(t) for t in with_class(g, "sl-text")]
            assert lines[0].startswith(f"{step.no}. ")
            assert 1 <= len(lines) <= 4
        # The Tim Teknis' meeting is led by the Kabid: a lighter mark in the Kabid's lane.
        (mark,) = with_class(drawn[6], "sl-mark")
        lo, hi = lane_range[ACTOR_LABELS["kabid"]]
        assert lo <= float(mark.get("x")) and float(mark.get("x")) + float(mark.get("width")) <= hi
        assert not any(with_class(drawn[n], "sl-mark") for n in drawn if n != 6)

    # Decisions (outcomes branching to different steps) are diamonds, the rest boxes.
    assert {n for n, g in drawn.items() if shape_kind(g) == "polygon"} == {4, 5}
    assert {shape_kind(g) for n, g in drawn.items() if n not in (4, 5)} == {"rect"}
    assert [text_of(t) for t in with_class(drawn[3], "sl-text")] == [
        "3. Kepala Dinas memberikan",
        "arahan tindak lanjut atau",
        "meminta pendapat kepada…",
    ]
    # Nothing is highlighted on the SOP itself.
    assert highlighted(svg) == {"sl-passed": set(), "sl-current": set()}
    # The jumps carry their outcome; the one way out, sending the answer, ends at "Selesai".
    labels = [text_of(t) for t in with_class(svg, "sl-label")]
    assert "Resume kepada Kepala Dinas" in labels and "Jawaban langsung" in labels
    assert {g.get("id") for g in with_class(svg, "sl-end")} == {"sl-end-closed"}
    edges = with_class(svg, "sl-edge")
    assert len(edges) == edges_expected  # one per (step, target): step 3's two lead to step 4
    assert all(e.get("marker-end") == "url(#sl-arrow)" for e in edges)
    assert svg.find(f"{NS}defs/{NS}marker[@id='sl-arrow']") is not None


def test_the_diagram_is_plain_svg_without_script_styles_or_outside_references(app, client,
                                                                               auth):  # fmt: skip
    auth.login("kadis")
    svg = svg_of(client.get(f"/admin/sop/details/?id={sop_id(app, 'SOP.50')}")
                 .get_data(as_text=True))  # fmt: skip
    for el in svg.iter():
        assert el.tag.removeprefix(NS) not in ("script", "foreignObject", "image", "a"), el.tag
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            assert name not in ("style", "href") and not name.endswith("}href"), (el.tag, name)
            assert "javascript:" not in value.lower() and "//" not in value, (el.tag, value)
            if "url(" in value:
                assert re.fullmatch(r"url\(#[\w-]+\)", value), value


def test_every_loaded_sop_is_drawn_with_arrows_that_go_round_the_shapes(app, client, auth):
    from models.swimlane import swimlane

    auth.login("kasi")
    with app.app_context():
        sops = db.session.scalars(select(Sop)).all()
        assert {s.code for s in sops} >= {"SOP.48", "SOP.49", "SOP.50"}
        for sop in sops:
            page = client.get(f"/admin/sop/details/?id={sop.id}")
            assert page.status_code == 200, sop.code
            svg = svg_of(page.get_data(as_text=True))
            assert text_of(svg.find(f"{NS}title")) == f"Diagram alur {sop.code}"
            assert sorted(steps(svg)) == [s.no for s in sop.steps]

            d = swimlane(sop)
            boxes = {s["no"]: (s["x"], s["y"], s["x"] + s["w"], s["y"] + s["h"])
                     for s in d["steps"]}  # fmt: skip
            boxes |= {t["key"]: (t["x"], t["y"], t["x"] + t["w"], t["y"] + t["h"])
                      for t in d["ends"]}  # fmt: skip
            for edge in d["edges"]:
                for a, b in path_segments(edge["d"]):
                    for key, (x0, y0, x1, y1) in boxes.items():
                        if key in (edge["src"], edge["to"]):
                            continue
                        inside = (max(a[0], b[0]) > x0 and min(a[0], b[0]) < x1
                                  and max(a[1], b[1]) > y0 and min(a[1], b[1]) < y1)  # fmt: skip
                        assert not inside, (sop.code, edge["src"], edge["to"], key)
            # Labels stay inside the drawing and clear of each other's first line.
            spots = [(e["label"]["lines"][0]["x"], e["label"]["lines"][0]["y"])
                     for e in d["edges"] if e["label"]]  # fmt: skip
            assert len(spots) == len(set(spots))
            assert all(0 <= x <= d["width"] and 0 <= y <= d["height"] for x, y in spots)


# --- a complaint's path -----------------------------------------------------------------------


def test_complaint_page_highlights_the_steps_passed_and_the_kasis_step_now(app, client, auth):
    with app.app_context():
        complaint = register_complaint("media_sosial")
        assert complaint.sop.code == "SOP.50"
        act(complaint, "kadis", "arahan")
        act(complaint, "kabid", "perintah_kasi")
        complaint_id = complaint.id
        db.session.expire_all()
        complaint = db.session.get(Complaint, complaint_id)
        assert complaint.current_step_no == 5 and complaint.current_actor == "kasi"
        passed = finished_steps(complaint_id)
    assert passed == {1, 2, 3, 4}

    auth.login("kadis")
    page = client.get(f"/admin/pengaduan/details/?id={complaint_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Alur SOP" in html and "Sudah dilalui" in html and "Langkah sekarang" in html
    svg = svg_of(html)
    assert highlighted(svg) == {"sl-passed": {1, 2, 3, 4}, "sl-current": {5}}
    drawn = steps(svg)
    for no in range(6, 11):
        assert classes(drawn[no]) & {"sl-passed", "sl-current"} == set(), no
    # The current step is the Kasi's, in the Kasi's lane.
    lane_range = {label: (x0, x1) for label, x0, x1 in lanes(svg)}
    lo, hi = lane_range[ACTOR_LABELS["kasi"]]
    x0, x1 = shape_x_range(drawn[5])
    assert lo <= x0 < x1 <= hi
    # The arrows walked so far are drawn as walked: 1→2→3→4→5, and nothing else.
    walked = [e for e in with_class(svg, "sl-edge") if "sl-edge-passed" in classes(e)]
    assert len(walked) == 4
    assert all(e.get("marker-end") == "url(#sl-arrow-passed)" for e in walked)


def test_a_closed_complaint_shows_its_path_and_no_current_step(app, client, auth):
    with app.app_context():
        complaint = register_complaint("curhat_ning_ita")
        for who, outcome in (("kadis", "arahan"), ("kabid", "perintah_kasi"), ("kasi", "jawab"),
                             ("fo", "terkirim")):  # fmt: skip
            act(complaint, who, outcome)
        complaint_id = complaint.id
        db.session.expire_all()
        assert db.session.get(Complaint, complaint_id).status == "closed"
        passed = finished_steps(complaint_id)
        dispatch = closing(db.session.get(Complaint, complaint_id), "dispatch")
    assert passed == {1, 2, 3, 4, 5, dispatch}

    auth.login("kadis")
    svg = svg_of(client.get(f"/admin/pengaduan/details/?id={complaint_id}")
                 .get_data(as_text=True))  # fmt: skip
    assert text_of(svg.find(f"{NS}title")) == "Diagram alur SOP.48"
    assert highlighted(svg) == {"sl-passed": {1, 2, 3, 4, 5, dispatch}, "sl-current": set()}
    assert not with_class(svg, "sl-current")
    (end,) = with_class(svg, "sl-end")
    assert end.get("id") == "sl-end-closed" and "sl-passed" in classes(end)


def test_a_complaint_back_at_a_step_shows_it_as_current_only(app, client, auth):
    with app.app_context():
        complaint = register_complaint("media_sosial")
        act(complaint, "kadis", "minta_pendapat")
        act(complaint, "kabid", "resume")  # back to the Kadis: step 3 again
        complaint_id = complaint.id
    auth.login("kadis")
    svg = svg_of(client.get(f"/admin/pengaduan/details/?id={complaint_id}")
                 .get_data(as_text=True))  # fmt: skip
    assert highlighted(svg) == {"sl-passed": {1, 2, 4}, "sl-current": {3}}


# --- text wrapping ----------------------------------------------------------------------------


def test_activity_text_wraps_into_three_lines_of_28_characters_with_an_ellipsis():
    text = ("Kepala Dinas memberikan arahan tindak lanjut atau meminta pendapat kepada Kabid "
            "PKPL")  # fmt: skip
    assert wrap_text(text) == [
        "Kepala Dinas memberikan",
        "arahan tindak lanjut atau",
        "meminta pendapat kepada…",
    ]
    assert wrap_text("Masyarakat menyampaikan") == ["Masyarakat menyampaikan"]
    assert wrap_text("") == [] and wrap_text("   ") == []
    # A word longer than a line is cut; an exactly full last line loses a word to the ellipsis.
    assert wrap_text("x" * 40) == ["x" * 28, "x" * 12]
    assert wrap_text("a" * 13 + " " + "b" * 14 + " c", 28, 1) == ["a" * 13 + "…"]
    # One width per line (a diamond is narrower at its top and bottom).
    assert wrap_text("aa bb cc dd", [5, 2]) == ["aa bb", "c…"]
    long = " ".join(["pengaduan"] * 40)
    lines = wrap_text(long)
    assert len(lines) == 3 and all(len(line) <= 28 for line in lines)
    assert lines[-1].endswith("…") and not lines[0].endswith("…")


# --- the three parts, each on its own, for every SOP ------------------------------------------


@pytest.fixture
def every_sop(app):
    from sqlalchemy import select

    with app.app_context():
        sops = db.session.scalars(select(Sop).order_by(Sop.code)).all()
        yield sops


def test_the_layout_gives_each_step_a_row_in_its_actors_lane(app, every_sop):
    from models.swimlane import layout

    for sop in every_sop:
        lay = layout(sop)
        bands = [(r["y"], r["y"] + r["h"]) for r in lay.rows]
        assert all(a[1] <= b[0] for a, b in zip(bands, bands[1:], strict=False)), sop.code
        assert [r["step"].no for r in lay.rows] == [s.no for s in sop.steps]
        for step in sop.steps:
            node, lane = lay.nodes[step.no], lay.lane_of[step.actor]
            assert lane["x"] <= node.x0 < node.x1 <= lane["x"] + lane["w"], (sop.code, step.no)
            branching = len({o.leads_to for o in step.outcomes}) > 1
            assert (node.kind == "diamond") == branching, (sop.code, step.no)
        # one terminal, below every row: the complaint closed
        assert set(lay.end_sources) == {"closed"}
        assert lay.nodes[("end", "closed")].y0 >= bands[-1][1]


def test_routing_joins_every_outcome_and_keeps_off_other_shapes(app, every_sop):
    from models.swimlane import _route_cost, layout, route

    for sop in every_sop:
        lay = layout(sop)
        routed = route(lay)
        expected = {(s.no, o.leads_to) for s in sop.steps for o in s.outcomes}
        assert {(e["src"], e["target"]) for e in routed} == expected, sop.code
        for e in routed:
            src, dst = lay.nodes[e["src"]], lay.nodes[e["dst"]]
            first, last = e["points"][0], e["points"][-1]
            assert src.x0 - 1 <= first[0] <= src.x1 + 1 and dst.x0 - 1 <= last[0] <= dst.x1 + 1
            if e["kind"] == "jump":  # around, never through, another step's shape
                others = [(r, o) for r, o in lay.obstacles if o not in (src.key, dst.key)]
                assert _route_cost(e["points"], others, [], set()) < 1000, (sop.code, e["src"])


def test_labels_sit_on_their_arrow_clear_of_shapes_and_each_other(app, every_sop):
    from models.swimlane import _label_rect, _rects_overlap, label_edges, layout, route

    for sop in every_sop:
        lay = layout(sop)
        drawn = label_edges(lay, route(lay), walked=set())
        rects = []
        for edge in drawn:
            if edge["label"] is None:
                continue
            lines = [line["text"] for line in edge["label"]["lines"]]
            first = edge["label"]["lines"][0]
            rect = _label_rect(first["x"], first["y"], edge["label"]["anchor"], lines)
            assert not any(_rects_overlap(rect, r, 1) for r in rects), (sop.code, lines)
            assert not any(_rects_overlap(rect, r, 1) for r, _ in lay.obstacles), (sop, lines)
            rects.append(rect)
        jumps_and_choices = [e for e in drawn if e["label"] is not None]
        assert jumps_and_choices, sop.code
