"""The SOP as the paper draws it: a swim-lane flowchart, computed here and drawn as inline SVG.

`swimlane(sop, passed, current)` returns plain numbers and strings (boxes, SVG path strings,
text lines) for templates/admin/_swimlane.html, which only loops over them. One row per step,
one column (lane) per actor in the paper's order, then the Mutu Baku columns (Waktu, Output).
Arrows follow the outcomes: straight down to the next row, routed along the gaps between lanes
for jumps back or forward, into a terminal for an outcome that closes the complaint.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from models.sop import ACTOR_LABELS, CLOSED, ENDS_LABELS, PUBLIC

# The paper's lanes, left to right (ACTORS in models.sop has another order).
LANE_ORDER = (PUBLIC, "fo", "kasi", "kabid", "kadis", "tim_teknis")

LANE_W = 180  # one actor's lane
BOX_W, BOX_H = 156, 52  # an activity: up to 3 lines of ~28 characters
DIAMOND_W, DIAMOND_H = 164, 100  # a decision: its text is narrower at the top and bottom
END_W, END_H = 156, 36  # a terminal
MARK_W, MARK_H = 96, 24  # the co-actor's lighter mark
GAP = 40  # between two rows: room for a horizontal arrow and its label
GROUP_H, HEAD_H = 20, 30  # the two header rows ("Pelaksana" / lane names)
TIME_W, OUTPUT_W = 76, 184  # Mutu Baku: Waktu, Output
LINE_H = 12  # line pitch of the 10 px text
LABEL_H = 11  # line pitch of the 9.5 px arrow labels
LABEL_CHAR_W = 5.1  # generous average width of a 9.5 px character (Arial-like fonts)
TEXT_WIDTH = 28  # characters per line in an activity box
BOX_LINES = 3
DIAMOND_WIDTHS = (17, 25, 25, 17)  # characters per line inside a diamond, top to bottom
OUTPUT_WIDTH, OUTPUT_LINES = 32, 3
LABEL_WIDTH = 26  # an arrow's label is shortened to this many characters
ELLIPSIS = "…"
PORT_OFFSETS = (0, -9, 9, -17, 17)


def wrap_text(text: str, width: int | Sequence[int] = TEXT_WIDTH,
              max_lines: int = BOX_LINES) -> list[str]:  # fmt: skip
    """Split `text` at spaces into lines of at most `width` characters.

    `width` may be one number per line (then `max_lines` is its length). A word longer than its
    line is cut. When the text does not fit, the last line ends in an ellipsis.
    """
    widths = [width] * max_lines if isinstance(width, int) else list(width)
    words = text.split()
    lines: list[str] = []
    for limit in widths:
        if not words:
            break
        word = words.pop(0)
        if len(word) > limit:
            words.insert(0, word[limit:])
            word = word[:limit]
        line = word
        while words and len(line) + 1 + len(words[0]) <= limit:
            line += " " + words.pop(0)
        lines.append(line)
    if words and lines:
        limit = widths[len(lines) - 1]
        line = lines[-1]
        while len(line) + 1 > limit and " " in line:
            line = line.rsplit(" ", 1)[0]
        line = line[: limit - 1].rstrip(" ,.;:/-")
        lines[-1] = line + ELLIPSIS
    return lines


def shorten(text: str, width: int = LABEL_WIDTH) -> str:
    """The text on one line of at most `width` characters, with an ellipsis when cut."""
    lines = wrap_text(text, width, 1)
    return lines[0] if lines else ""


# --- geometry helpers -------------------------------------------------------------------------


def _n(v: float) -> float | int:
    """A coordinate as the SVG shows it: an int when whole, else one decimal."""
    r = round(v, 1)
    return int(r) if r == int(r) else r


def _path(points: Sequence[tuple[float, float]]) -> str:
    x, y = points[0]
    parts = [f"M{_n(x)} {_n(y)}"]
    for (px, py), (qx, qy) in zip(points, points[1:], strict=False):
        if px == qx and py == qy:
            continue
        if px == qx:
            parts.append(f"V{_n(qy)}")
        elif py == qy:
            parts.append(f"H{_n(qx)}")
        else:
            parts.append(f"L{_n(qx)} {_n(qy)}")
    return " ".join(parts)


def _segments(points):
    return list(zip(points, points[1:], strict=False))


def _seg_hits_rect(a, b, rect, pad=2.0) -> bool:
    x0, y0, x1, y1 = rect
    sx0, sx1 = sorted((a[0], b[0]))
    sy0, sy1 = sorted((a[1], b[1]))
    return sx1 > x0 - pad and sx0 < x1 + pad and sy1 > y0 - pad and sy0 < y1 + pad


def _rects_overlap(r, s, pad=0.0) -> bool:
    return r[0] < s[2] + pad and r[2] > s[0] - pad and r[1] < s[3] + pad and r[3] > s[1] - pad


def _crosses(a, b, c, d) -> bool:
    """Whether two axis-parallel segments cross at right angles (not at their ends)."""
    if (a[0] == b[0]) == (c[0] == d[0]):
        return False
    if a[0] != b[0]:  # a-b horizontal: swap so that a-b is the vertical one
        a, b, c, d = c, d, a, b
    x, (y0, y1) = a[0], sorted((a[1], b[1]))
    y, (x0, x1) = c[1], sorted((c[0], d[0]))
    return x0 < x < x1 and y0 < y < y1


def _overlaps(a, b, c, d, near=4.0) -> bool:
    """Whether two parallel segments run along each other (closer than `near`)."""
    if a[0] == b[0] and c[0] == d[0]:
        lo, hi = sorted((a[1], b[1]))
        lo2, hi2 = sorted((c[1], d[1]))
        return abs(a[0] - c[0]) < near and min(hi, hi2) - max(lo, lo2) > 1
    if a[1] == b[1] and c[1] == d[1]:
        lo, hi = sorted((a[0], b[0]))
        lo2, hi2 = sorted((c[0], d[0]))
        return abs(a[1] - c[1]) < near and min(hi, hi2) - max(lo, lo2) > 1
    return False


class _Node:
    """A shape on the diagram: an activity box, a decision diamond or a terminal."""

    def __init__(self, key, kind, cx, cy, w, h):
        self.key, self.kind = key, kind
        self.cx, self.cy, self.w, self.h = cx, cy, w, h
        self.x0, self.x1 = cx - w / 2, cx + w / 2
        self.y0, self.y1 = cy - h / 2, cy + h / 2
        self.used: dict[str, list[float]] = {}

    @property
    def obstacles(self) -> list[tuple[float, float, float, float]]:
        if self.kind == "diamond":  # two rectangles cover a diamond closely enough
            return [(self.x0 + self.w / 4, self.y0, self.x1 - self.w / 4, self.y1),
                    (self.x0, self.cy - self.h / 4, self.x1, self.cy + self.h / 4)]  # fmt: skip
        return [(self.x0, self.y0, self.x1, self.y1)]

    def free_offset(self, side: str) -> float | None:
        used = self.used.get(side, [])
        for dy in PORT_OFFSETS:
            if dy not in used and abs(dy) <= self.h / 2 - 8:
                return dy
        return None

    def port(self, side: str, dy: float = 0.0) -> tuple[float, float]:
        """Where a line meets the shape's `side` (left/right at height cy+dy; top; bottom)."""
        if side == "top":
            return (self.cx, self.y0)
        if side == "bottom":
            return (self.cx, self.y1)
        inset = 0.0
        if self.kind == "diamond":
            inset = self.w / 2 * abs(dy) / (self.h / 2)
        elif self.kind == "end":
            r = self.h / 2
            inset = r - (r * r - dy * dy) ** 0.5
        x = self.x0 + inset if side == "left" else self.x1 - inset
        return (x, self.cy + dy)


# --- the diagram ------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where everything of the diagram sits: the lanes, one row (band) per step with its
    shape, the terminals below, the co-actors' marks; what later lines must go round."""

    lanes: list
    lane_of: dict
    lanes_x0: float
    lanes_x1: float
    time_x: float
    output_x: float
    width: float
    head_y: float
    top: float
    steps: list
    decisions: set
    nodes: dict
    rows: list
    row_index: dict
    end_sources: dict
    end_row: dict | None
    height: float
    obstacles: list  # (rect, owner)
    segments: list  # every line drawn so far: (a, b)
    marks: dict


def layout(sop) -> Layout:
    """Place the lanes, one row per step (a diamond for a decision), the terminals, and the
    co-actors' marks."""
    lanes_x0 = 0
    lanes = []
    for i, key in enumerate(LANE_ORDER):
        x = lanes_x0 + i * LANE_W
        label = ACTOR_LABELS[key]
        lanes.append({"key": key, "label": label, "x": x, "w": LANE_W, "cx": x + LANE_W / 2})
    lane_of = {lane["key"]: lane for lane in lanes}
    lanes_x1 = lanes_x0 + len(lanes) * LANE_W
    time_x = lanes_x1
    output_x = time_x + TIME_W
    width = output_x + OUTPUT_W
    head_y = GROUP_H
    top = GROUP_H + HEAD_H

    steps = list(sop.steps)
    decisions = {s.no for s in steps if len({o.leads_to for o in s.outcomes}) > 1}

    # Rows: one band per step, the terminals in a last band.
    nodes: dict = {}
    rows = []
    y = top
    for step in steps:
        kind = "diamond" if step.no in decisions else "box"
        h = DIAMOND_H if kind == "diamond" else BOX_H
        band = h + GAP
        cy = y + band / 2
        lane = lane_of.get(step.actor, lanes[0])
        w = DIAMOND_W if kind == "diamond" else BOX_W
        nodes[step.no] = _Node(step.no, kind, lane["cx"], cy, w, h)
        rows.append({"step": step, "y": y, "h": band, "cy": cy, "lane": lane})
        y += band
    row_index = {r["step"].no: i for i, r in enumerate(rows)}

    # Terminals: one per way of leaving the numbered steps, below the last row.
    end_sources: dict[str, list[int]] = {}
    for step in steps:
        for o in step.outcomes:
            if not isinstance(o.leads_to, int):
                end_sources.setdefault(o.leads_to, [])
                if step.no not in end_sources[o.leads_to]:
                    end_sources[o.leads_to].append(step.no)
    end_row = None
    if end_sources:
        band = END_H + GAP
        end_row = {"y": y, "h": band, "cy": y + band / 2}
        taken: set[int] = set()
        for key, sources in end_sources.items():
            home = LANE_ORDER.index(rows[row_index[sources[-1]]]["lane"]["key"])
            for k in sorted(range(len(lanes)), key=lambda i, h=home: (abs(i - h), i)):
                if k not in taken:
                    taken.add(k)
                    nodes[("end", key)] = _Node(("end", key), "end", lanes[k]["cx"],
                                                end_row["cy"], END_W, END_H)  # fmt: skip
                    break
        y += band
    height = y

    # The co-actors' lighter marks, joined to their step by a dashed line.
    obstacles: list[tuple] = []  # (rect, owner)
    for node in nodes.values():
        obstacles += [(r, node.key) for r in node.obstacles]
    segments: list[tuple] = []  # every line drawn so far: (a, b)
    marks = {}
    for row in rows:
        step = row["step"]
        if step.co_actor and step.co_actor != step.actor and step.co_actor in lane_of:
            lane = lane_of[step.co_actor]
            node = nodes[step.no]
            mx0, my0 = lane["cx"] - MARK_W / 2, row["cy"] - MARK_H / 2
            rect = (mx0, my0, mx0 + MARK_W, my0 + MARK_H)
            if lane["cx"] < node.cx:
                a, b = (rect[2], row["cy"]), node.port("left")
            else:
                a, b = (rect[0], row["cy"]), node.port("right")
            obstacles.append((rect, ("mark", step.no)))
            segments.append((a, b))
            marks[step.no] = {
                "x": _n(mx0), "y": _n(my0), "w": MARK_W, "h": MARK_H,
                "tx": _n(lane["cx"]), "ty": _n(row["cy"] + 3.5),
                "text": "memimpin", "label": ACTOR_LABELS[step.co_actor],
                "link": _path([a, b]),
            }  # fmt: skip

    return Layout(
        lanes,
        lane_of,
        lanes_x0,
        lanes_x1,
        time_x,
        output_x,
        width,
        head_y,
        top,
        steps,
        decisions,
        nodes,
        rows,
        row_index,
        end_sources,
        end_row,
        height,
        obstacles,
        segments,
        marks,
    )


def route(lay: Layout) -> list[dict]:
    """The arrows, one per (step, target), routed: straight to the next row, a loop back to
    the same step, or a jump along a gap between lanes clear of shapes and other lines."""
    steps, nodes, decisions, rows, row_index = (lay.steps, lay.nodes, lay.decisions, lay.rows,
                                                lay.row_index)  # fmt: skip
    lanes, lanes_x0, lanes_x1 = lay.lanes, lay.lanes_x0, lay.lanes_x1
    obstacles, segments = lay.obstacles, lay.segments
    # Edges: one per (step, target), the outcomes leading there merged.
    edges = []
    for step in steps:
        targets: dict = {}
        for o in step.outcomes:
            targets.setdefault(o.leads_to, []).append(o.label)
        for target, labels in targets.items():
            dst = target if isinstance(target, int) else ("end", target)
            if dst not in nodes:
                continue
            edges.append({"src": step.no, "dst": dst, "target": target, "labels": labels,
                          "decision": step.no in decisions})  # fmt: skip

    def is_next(e) -> bool:
        if isinstance(e["target"], int):
            return e["target"] in row_index and row_index[e["target"]] == row_index[e["src"]] + 1
        node = nodes[e["dst"]]
        return row_index[e["src"]] == len(rows) - 1 and node.cx == nodes[e["src"]].cx

    def boundary_after(row_no) -> float:
        r = rows[row_index[row_no]]
        return r["y"] + r["h"]

    routed = []
    # 1. Straight to the next row, from the bottom of one shape to the top of the next.
    for e in edges:
        if not is_next(e) or "bottom" in nodes[e["src"]].used:
            continue
        src, dst = nodes[e["src"]], nodes[e["dst"]]
        a, b = src.port("bottom"), dst.port("top")
        mid = boundary_after(e["src"])
        pts = [a, b] if a[0] == b[0] else [a, (a[0], mid), (b[0], mid), b]
        src.used["bottom"] = [0]
        dst.used.setdefault("top", []).append(0)
        e["points"], e["kind"] = pts, "next"
        segments.extend(_segments(pts))
        routed.append(e)
    # 2. A step repeating itself: a small loop on its right.
    for e in edges:
        if e in routed or e["src"] != e["dst"]:
            continue
        node = nodes[e["src"]]
        a = node.port("right")
        side_x = node.x1 + 14 if node.kind == "box" else node.x1 + 10
        ex = node.cx + node.w / 4
        ey = node.y0 if node.kind == "box" else node.cy - node.h / 4
        pts = [a, (side_x, a[1]), (side_x, node.y0 - 10), (ex, node.y0 - 10), (ex, ey)]
        node.used.setdefault("right", []).append(0)
        e["points"], e["kind"] = pts, "loop"
        segments.extend(_segments(pts))
        routed.append(e)
    # 3. Jumps, shortest first: along the gap between two lanes, from side to side.
    channels = sorted({lane["x"] for lane in lanes} | {lanes_x1})
    jumps = [e for e in edges if e not in routed]
    jumps.sort(key=lambda e: abs(nodes[e["dst"]].cy - nodes[e["src"]].cy))
    for e in jumps:
        src, dst = nodes[e["src"]], nodes[e["dst"]]
        best = None
        for side_out in ("right", "left"):
            dy_out = src.free_offset(side_out)
            if dy_out is None:
                continue
            a = src.port(side_out, dy_out)
            for base in channels:
                for off in (-5, 5, -9, 9):
                    x = base + off
                    if not lanes_x0 + 3 <= x <= lanes_x1 - 3:
                        continue
                    if (side_out == "right" and x < a[0] + 6) or (
                        side_out == "left" and x > a[0] - 6
                    ):
                        continue
                    if x < dst.x0 - 6:
                        side_in = "left"
                    elif x > dst.x1 + 6:
                        side_in = "right"
                    else:
                        continue
                    dy_in = dst.free_offset(side_in)
                    if dy_in is None:
                        continue
                    b = dst.port(side_in, dy_in)
                    pts = [a, (x, a[1]), (x, b[1]), b]
                    score = _route_cost(pts, obstacles, segments, {src.key, dst.key})
                    if best is None or score < best[0]:
                        best = (score, pts, side_out, dy_out, side_in, dy_in)
        if best is None:  # nowhere to go round: a straight line
            a, b = src.port("right"), dst.port("left")
            pts = [a, b]
        else:
            _, pts, side_out, dy_out, side_in, dy_in = best
            src.used.setdefault(side_out, []).append(dy_out)
            dst.used.setdefault(side_in, []).append(dy_in)
        e["points"], e["kind"] = pts, "jump"
        segments.extend(_segments(pts))
        routed.append(e)

    return routed


def label_edges(lay: Layout, routed: list[dict], walked: set) -> list[dict]:
    """The arrows as drawn: labelled where they leave a decision or jump (each label placed
    clear of shapes and other labels), and marked where the complaint went along."""
    row_index = lay.row_index
    # Labels: on the arrows out of a decision, and on every jump.
    placed: list[tuple] = []
    lane_area = (lay.lanes_x0 + 2, lay.top + 2, lay.lanes_x1 - 2, lay.height - 2)
    edge_out = []
    for e in sorted(routed, key=lambda e: (row_index[e["src"]], e["kind"] != "next")):
        label = None
        if e["decision"] or e["kind"] != "next":
            lines = [shorten(t) for t in e["labels"]]
            label = _place_label(e["points"], lines, lay.obstacles, placed, lay.segments, lane_area)
        walked_edge = (e["src"], e["target"]) in walked
        edge_out.append({
            "d": _path(e["points"]),
            "cls": "sl-edge sl-edge-passed" if walked_edge else "sl-edge",
            "marker": "sl-arrow-passed" if walked_edge else "sl-arrow",
            "label": label,
            "title": " / ".join(e["labels"]),
            "src": e["src"],
            "to": e["target"],
        })  # fmt: skip

    return edge_out


def swimlane(sop, passed: Iterable = (), current=None) -> dict:
    """Compute the swim-lane diagram of `sop` for templates/admin/_swimlane.html: its layout,
    its routed arrows and their labels, and what the complaint passed.

    :param passed: the steps a complaint has finished, in order (step numbers).
    :param current: the step the complaint is at, or None.
    """
    passed = list(passed)
    passed_set = set(passed) - {current}
    lay = layout(sop)
    routed = route(lay)
    # Which arrows the complaint went along.
    walked = set(zip(passed, passed[1:], strict=False))
    if passed and current is not None:
        walked.add((passed[-1], current))

    edge_out = label_edges(lay, routed, walked)
    (lanes, lanes_x0, lanes_x1, time_x, output_x, width, head_y, top, steps, nodes, rows,
     end_sources, end_row, height, marks) = (
        lay.lanes, lay.lanes_x0, lay.lanes_x1, lay.time_x, lay.output_x, lay.width, lay.head_y,
        lay.top, lay.steps, lay.nodes, lay.rows, lay.end_sources, lay.end_row, lay.height,
        lay.marks)  # fmt: skip

    def state(key) -> str:
        if current is not None and key == current:
            return "sl-current"
        if key in passed_set:
            return "sl-passed"
        return ""

    step_out = []
    for row in rows:
        step = row["step"]
        node = nodes[step.no]
        prefix = f"{step.no}. "
        if node.kind == "diamond":
            widths = list(DIAMOND_WIDTHS)
        else:
            widths = [TEXT_WIDTH] * BOX_LINES
        widths[0] -= len(prefix)
        lines = wrap_text(step.activity, widths) or [""]
        first = node.cy - (len(lines) - 1) * LINE_H / 2 + 3.5
        text = [{"x": _n(node.cx), "y": _n(first + i * LINE_H), "text": t}
                for i, t in enumerate(lines)]  # fmt: skip
        out_lines = wrap_text(step.output, OUTPUT_WIDTH, OUTPUT_LINES)
        out_first = row["cy"] - (len(out_lines) - 1) * LINE_H / 2 + 3.5
        cls = state(step.no)
        step_out.append({
            "no": step.no,
            "id": f"sl-step-{step.no}",
            "cls": " ".join(c for c in ("sl-step", f"sl-{node.kind}", cls) if c),
            "state": cls,
            "shape": node.kind,
            "x": _n(node.x0), "y": _n(node.y0), "w": _n(node.w), "h": _n(node.h),
            "points": _diamond_points(node) if node.kind == "diamond" else "",
            "lines": text,
            "title": f"Langkah {step.no} — {step.actor_label}: {step.activity}",
            "actor": step.actor,
            "mark": marks.get(step.no),
            "time": {"x": _n(time_x + TIME_W / 2), "y": _n(row["cy"] + 3.5),
                     "text": step.time_label},
            "output": [{"x": output_x + 8, "y": _n(out_first + i * LINE_H), "text": t}
                       for i, t in enumerate(out_lines)],
            "row_y": _n(row["y"]), "row_h": _n(row["h"]),
        })  # fmt: skip

    end_out = []
    for key in end_sources:
        node = nodes[("end", key)]
        cls = state(key)
        title = ENDS_LABELS[key].capitalize()
        end_out.append({
            "key": key,
            "id": f"sl-end-{key}",
            "cls": " ".join(c for c in ("sl-end", cls) if c),
            "state": cls,
            "x": _n(node.x0), "y": _n(node.y0), "w": END_W, "h": END_H, "rx": END_H / 2,
            "lines": [{"x": _n(node.cx), "y": _n(node.cy + 4), "text": title,
                       "cls": "sl-end-title"}],
            "title": f"Pengaduan {ENDS_LABELS[key]}",
        })  # fmt: skip

    row_lines = [_n(r["y"]) for r in rows[1:]]
    if end_row is not None:
        row_lines.append(_n(end_row["y"]))
    return {
        "title": f"Diagram alur {sop.code}",
        "desc": f"{sop.code} rev. {sop.revision}: {len(steps)} langkah, per pelaksana; "
        "kolom Mutu Baku berisi waktu dan output setiap langkah.",
        "width": _n(width),
        "height": _n(height),
        "top": top,
        "head_y": head_y,
        "group_h": GROUP_H,
        "head_h": HEAD_H,
        "groups": [
            {
                "label": "Pelaksana",
                "x": lanes_x0,
                "w": lanes_x1 - lanes_x0,
                "cx": _n((lanes_x0 + lanes_x1) / 2),
            },
            {
                "label": "Mutu Baku",
                "x": time_x,
                "w": TIME_W + OUTPUT_W,
                "cx": _n(time_x + (TIME_W + OUTPUT_W) / 2),
            },
        ],  # fmt: skip
        "lanes": [{**lane, "cx": _n(lane["cx"])} for lane in lanes],
        "columns": [
            {
                "key": "time",
                "label": "Waktu",
                "x": time_x,
                "w": TIME_W,
                "cx": _n(time_x + TIME_W / 2),
            },
            {
                "key": "output",
                "label": "Output",
                "x": output_x,
                "w": OUTPUT_W,
                "cx": _n(output_x + OUTPUT_W / 2),
            },
        ],  # fmt: skip
        "separators": [lane["x"] for lane in lanes[1:]] + [time_x, output_x],
        "row_lines": row_lines,
        "mutu_x": time_x,
        "steps": step_out,
        "ends": end_out,
        "edges": edge_out,
        "current": current,
        "passed": sorted(k for k in passed_set if isinstance(k, int)),
    }


def _diamond_points(node: _Node) -> str:
    pts = [(node.cx, node.y0), (node.x1, node.cy), (node.cx, node.y1), (node.x0, node.cy)]
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)


def _route_cost(points, obstacles, segments, own) -> float:
    cost = 0.0
    for a, b in _segments(points):
        for rect, owner in obstacles:
            if owner in own:
                continue
            if _seg_hits_rect(a, b, rect):
                cost += 1000
        for c, d in segments:
            if _crosses(a, b, c, d):
                cost += 10
            elif _overlaps(a, b, c, d):
                cost += 200
        cost += (abs(a[0] - b[0]) + abs(a[1] - b[1])) * 0.02
    return cost


def _label_rect(x, y, anchor, lines):
    w = max(len(t) for t in lines) * LABEL_CHAR_W
    x0 = x if anchor == "start" else x - w
    return (x0, y - 8.5, x0 + w, y + (len(lines) - 1) * LABEL_H + 2.5)


def _place_label(points, lines, obstacles, placed, segments, area):
    """Put an arrow's label beside one of its segments, clear of shapes and other labels."""
    n = len(lines)
    above = -4 - (n - 1) * LABEL_H  # baseline of the first line when above a line
    candidates = []  # (priority, x, y, anchor, segment index)
    segs = _segments(points)
    for i, (a, b) in enumerate(segs):
        if a[1] == b[1] and a[0] != b[0]:  # horizontal
            d = 1 if b[0] > a[0] else -1
            near, far = ("start", "end") if d > 0 else ("end", "start")
            candidates += [
                (0 + i, a[0] + d * 8, a[1] + above, near, i),
                (1 + i, a[0] + d * 8, a[1] + 12, near, i),
                (2 + i, b[0] - d * 10, a[1] + above, far, i),
                (3 + i, b[0] - d * 10, a[1] + 12, far, i),
            ]
        elif a[0] == b[0] and a[1] != b[1]:  # vertical
            d = 1 if b[1] > a[1] else -1
            lo = a[1] + d * 14 if d > 0 else a[1] - 6 - (n - 1) * LABEL_H
            mid = (a[1] + b[1]) / 2 - (n - 1) * LABEL_H / 2 + 3
            end = b[1] - d * 6 - ((n - 1) * LABEL_H if d > 0 else 0)
            for j, yy in enumerate((lo, mid, end)):
                candidates += [
                    (10 + i + j, a[0] + 6, yy, "start", i),
                    (10 + i + j, a[0] - 6, yy, "end", i),
                ]
    best = None
    for prio, x, y, anchor, i in candidates:
        rect = _label_rect(x, y, anchor, lines)
        if not (rect[0] >= area[0] and rect[2] <= area[2] and rect[1] >= area[1]
                and rect[3] <= area[3]):  # fmt: skip
            continue
        if any(_rects_overlap(rect, r, 3) for r, _ in obstacles):
            continue
        if any(_rects_overlap(rect, r, 2) for r in placed):
            continue
        crossing = sum(
            1 for c, d in segments if (c, d) != segs[i] and _seg_hits_rect(c, d, rect, 0)
        )
        score = prio + 40 * crossing
        if best is None or score < best[0]:
            best = (score, x, y, anchor, rect)
    if best is None:
        a = points[0]
        best = (0, a[0] + 6, a[1] - 4, "start", _label_rect(a[0] + 6, a[1] - 4, "start", lines))
    _, x, y, anchor, rect = best
    placed.append(rect)
    return {
        "anchor": anchor,
        "lines": [{"x": _n(x), "y": _n(y + k * LABEL_H), "text": t} for k, t in enumerate(lines)],
    }


def complaint_swimlane(complaint, history) -> dict:
    """The complaint's SOP with its path so far: the finished steps (`history`, the records
    the page already read) and the open one."""
    from models.workflow import step_numbers  # models.workflow needs much; keep imports light

    passed = step_numbers(complaint, history)
    if complaint.status == "closed":  # the path ends in the terminal
        passed = [*passed, CLOSED]
    return swimlane(complaint.sop, passed=passed, current=complaint.current_step_no)
