"""A workflow as an SVG drawn on the server: states as boxes in layers (left to right, by
distance from the initial state), actions as labelled arrows. No external service.

Arrows between neighbouring layers are straight; the others (back edges, skips) run
orthogonally through the gaps between layers and along lanes above (back) or below
(forward) the boxes, so they never cross a box."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.translation import gettext as _

from .workflow import Workflow

FONT = 13
SMALL = 12
BOX_H = 40
LINE_H = 16
GAP_X = 130
GAP_Y = 36
LANE = 22
MARGIN = 24


def text_width(text: str, size: int = FONT) -> float:
    """Approximate rendered width: CJK characters are square, Latin ones about 0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


@dataclass
class Box:
    code: str
    label: str
    col: int = 0
    row: int = 0
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    initial: bool = False
    final: bool = False
    waiting: bool = False
    inner: list[str] = field(default_factory=list)  # actions that keep the state

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Edge:
    source: str
    target: str
    labels: list[str]
    dashed: bool = False


def _edges(workflow: Workflow) -> tuple[list[Edge], dict[str, list[str]]]:
    merged: dict[tuple[str, str, bool], Edge] = {}
    inner: dict[str, list[str]] = defaultdict(list)

    def add(source, target, label, dashed=False):
        key = (source, target, dashed)
        if key not in merged:
            merged[key] = Edge(source, target, [], dashed)
        if label not in merged[key].labels:
            merged[key].labels.append(label)

    for action in workflow.actions:
        for source in action.source:
            if action.target is None:
                inner[source].append(str(action.label))
            else:
                add(source, action.target, str(action.label))
        spec = action.countersign
        if spec and action.target:
            add(action.target, spec.pass_state, _("会签通过"), dashed=True)
            add(action.target, spec.fail_state, _("会签未通过"), dashed=True)
    return list(merged.values()), inner


def _layers(workflow: Workflow, edges: list[Edge]) -> dict[str, int]:
    """Breadth-first distance from the initial state; final states share the last layer."""
    out = defaultdict(list)
    for e in edges:
        out[e.source].append(e.target)
    depth = {workflow.initial: 0}
    queue = deque([workflow.initial])
    while queue:
        state = queue.popleft()
        for nxt in out[state]:
            if nxt not in depth:
                depth[nxt] = depth[state] + 1
                queue.append(nxt)
    finals = {s.code for s in workflow.states if s.final}
    inner_depth = [d for code, d in depth.items() if code not in finals]
    last = (max(inner_depth) + 1) if inner_depth else 0
    for s in workflow.states:
        if s.final:
            depth[s.code] = last
        depth.setdefault(s.code, last)
    return depth


def _rows(workflow: Workflow, layers: dict[str, int], edges: list[Edge]) -> dict[str, int]:
    """Order each layer by the mean row of its forward predecessors (fewer crossings), main
    states before waiting ones, then in declaration order."""
    preds = defaultdict(list)
    for e in edges:
        if layers[e.source] < layers[e.target]:
            preds[e.target].append(e.source)
    order = {s.code: i for i, s in enumerate(workflow.states)}
    states = {s.code: s for s in workflow.states}
    rows: dict[str, int] = {}
    for col in sorted(set(layers.values())):
        members = [c for c in layers if layers[c] == col]

        def key(code):
            placed = [rows[p] for p in preds[code] if p in rows]
            center = sum(placed) / len(placed) if placed else 0
            return (center, states[code].waiting, order[code])

        for row, code in enumerate(sorted(members, key=key)):
            rows[code] = row
    return rows


def render_svg(workflow: Workflow, current: str = "") -> str:
    """The workflow as SVG; `current` marks the state a case is in (the case page)."""
    edges, inner = _edges(workflow)
    layers = _layers(workflow, edges)
    rows = _rows(workflow, layers, edges)
    boxes: dict[str, Box] = {}
    for s in workflow.states:
        boxes[s.code] = Box(
            code=s.code,
            label=str(s.label),
            col=layers[s.code],
            row=rows[s.code],
            initial=s.code == workflow.initial,
            final=s.final,
            waiting=s.waiting,
            inner=inner.get(s.code, []),
        )
    width = max(
        [text_width(b.label) + 36 for b in boxes.values()]
        + [text_width(t, SMALL) + 28 for b in boxes.values() for t in b.inner]
        + [110]
    )
    row_h = max(BOX_H + LINE_H * len(b.inner) for b in boxes.values())

    def adjacent(e: Edge) -> bool:
        return boxes[e.target].col == boxes[e.source].col + 1

    routed = [e for e in edges if not adjacent(e)]
    above = [e for e in routed if boxes[e.target].col <= boxes[e.source].col]
    below = [e for e in routed if boxes[e.target].col > boxes[e.source].col]
    n_rows = max(b.row for b in boxes.values()) + 1
    n_cols = max(b.col for b in boxes.values()) + 1
    top = MARGIN + LANE * len(above) + (LANE if above else 0)
    left = MARGIN + 40
    for b in boxes.values():
        b.w = width
        b.h = BOX_H + LINE_H * len(b.inner)
        b.x = left + b.col * (width + GAP_X)
        b.y = top + b.row * (row_h + GAP_Y)
    bottom = top + n_rows * row_h + (n_rows - 1) * GAP_Y
    total_w = left + n_cols * width + (n_cols - 1) * GAP_X + MARGIN + 40
    total_h = bottom + LANE * len(below) + (LANE if below else 0) + MARGIN

    parts: list[str] = []
    labels: list[str] = []
    # Offsets inside each gap so parallel vertical segments stay apart.
    gap_use: dict[tuple[int, str], int] = defaultdict(int)

    def gap_x(col: int, side: str) -> float:
        """A free x in the gap right (side "r") or left ("l") of column `col`."""
        k = gap_use[(col, side)]
        gap_use[(col, side)] += 1
        if side == "r":
            return left + col * (width + GAP_X) + width + 14 + 9 * k
        return left + col * (width + GAP_X) - 14 - 9 * k

    def label_at(x: float, y: float, text: str, dashed: bool) -> None:
        w = text_width(text, SMALL) + 10
        cls = "edge-label dashed" if dashed else "edge-label"
        labels.append(
            f'<g class="{cls}"><rect x="{x - w / 2:.1f}" y="{y - 9:.1f}" width="{w:.1f}" '
            f'height="18" rx="3"/><text x="{x:.1f}" y="{y + 4:.1f}" '
            f'text-anchor="middle">{escape(text)}</text></g>'
        )

    # Several arrows into the same side of a box are spread along it.
    ports: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for e in edges:
        if adjacent(e):
            ports[(e.source, "out")].append(e)
            ports[(e.target, "in")].append(e)

    def port_y(code: str, kind: str, e: Edge) -> float:
        group = ports[(code, kind)]
        b = boxes[code]
        if len(group) == 1:
            return b.cy
        i = group.index(e)
        span = min(b.h - 12, 12 * (len(group) - 1))
        return b.cy - span / 2 + span * i / (len(group) - 1)

    columns: dict[int, list[int]] = defaultdict(list)
    for b in boxes.values():
        columns[b.col].append(b.row)

    def side_of(b: Box, up: bool) -> str:
        """Leave or enter through the top (bottom) when no box is above (below) in the
        column, else through the gap beside the column."""
        rows_in_col = columns[b.col]
        free = b.row == min(rows_in_col) if up else b.row == max(rows_in_col)
        return ("top" if up else "bottom") if free else "gap"

    plans = []
    for e in routed:
        up = e in above
        plans.append((e, up, side_of(boxes[e.source], up), side_of(boxes[e.target], up)))
    for e, _up, s_side, t_side in plans:
        if s_side != "gap":
            ports[(e.source, s_side)].append(e)
        if t_side != "gap":
            ports[(e.target, t_side)].append(e)

    def port_x(code: str, side: str, e: Edge) -> float:
        group = ports[(code, side)]
        b = boxes[code]
        i = group.index(e)
        return b.x + b.w * (i + 1) / (len(group) + 1)

    for e in edges:
        if not adjacent(e):
            continue
        s, t = boxes[e.source], boxes[e.target]
        dash = ' stroke-dasharray="5 4"' if e.dashed else ""
        x1, y1 = s.x + s.w, port_y(s.code, "out", e)
        x2, y2 = t.x, port_y(t.code, "in", e)
        parts.append(
            f'<path class="edge" d="M{x1:.1f},{y1:.1f} L{x2 - 2:.1f},{y2:.1f}"{dash} '
            f'marker-end="url(#arrow)"/>'
        )
        label_at((x1 + x2) / 2, (y1 + y2) / 2, "、".join(e.labels), e.dashed)

    for e, up, s_side, t_side in plans:
        s, t = boxes[e.source], boxes[e.target]
        dash = ' stroke-dasharray="5 4"' if e.dashed else ""
        lane_y = top - LANE - LANE * above.index(e) if up else bottom + LANE + LANE * below.index(e)
        if s_side == "gap":
            xs = gap_x(s.col, "r")
            d = f"M{s.x + s.w:.1f},{s.cy:.1f} H{xs:.1f} V{lane_y:.1f}"
        else:
            xs = port_x(s.code, s_side, e)
            d = f"M{xs:.1f},{s.y if up else s.y + s.h:.1f} V{lane_y:.1f}"
        if t_side == "gap":
            xt = gap_x(t.col, "l")
            d += f" H{xt:.1f} V{t.cy:.1f} H{t.x - 2:.1f}"
        else:
            xt = port_x(t.code, t_side, e)
            end = t.y - 2 if up else t.y + t.h + 2
            d += f" H{xt:.1f} V{end:.1f}"
        parts.append(f'<path class="edge" d="{d}"{dash} marker-end="url(#arrow)"/>')
        label_at((xs + xt) / 2, lane_y, "、".join(e.labels), e.dashed)

    box_parts = []
    for b in boxes.values():
        classes = ["state"]
        if b.initial:
            classes.append("initial")
        if b.final:
            classes.append("final")
        if b.waiting:
            classes.append("waiting")
        if b.code == current:
            classes.append("current")
        box_parts.append(
            f'<g class="{" ".join(classes)}" data-state="{escape(b.code)}">'
            f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="6"/>'
            f'<text class="state-label" x="{b.x + b.w / 2:.1f}" y="{b.y + 25:.1f}" '
            f'text-anchor="middle">{escape(b.label)}</text>'
        )
        for i, line in enumerate(b.inner):
            box_parts.append(
                f'<text class="inner" x="{b.x + b.w / 2:.1f}" '
                f'y="{b.y + 25 + LINE_H * (i + 1):.1f}" text-anchor="middle">'
                f"⟳ {escape(line)}</text>"
            )
        box_parts.append("</g>")

    start = boxes[workflow.initial]
    start_marker = (
        f'<circle class="start" cx="{start.x - 28:.1f}" cy="{start.cy:.1f}" r="6"/>'
        f'<path class="edge" d="M{start.x - 22:.1f},{start.cy:.1f} H{start.x - 2:.1f}" '
        f'marker-end="url(#arrow)"/>'
    )
    title = escape(_("%(label)s流程图") % {"label": workflow.label})
    style = (
        f"text{{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',"
        f"sans-serif;font-size:{FONT}px;fill:#1f2328}}"
        ".state rect{fill:#fff;stroke:#5b6470;stroke-width:1.5}"
        ".state.initial rect{stroke:#b3261e;stroke-width:2.5}"
        ".state.final rect{fill:#eef1f4;stroke:#1f2328;stroke-width:2}"
        ".state.waiting rect{stroke-dasharray:6 4;fill:#fff8ec}"
        ".state.current rect{fill:#fdecea;stroke:#b3261e;stroke-width:3}"
        ".state-label{font-weight:600}"
        f".inner{{font-size:{SMALL}px;fill:#5b6470}}"
        ".edge{fill:none;stroke:#5b6470;stroke-width:1.4}"
        ".edge-label rect{fill:#fff;stroke:#d8dde3}"
        f".edge-label text{{font-size:{SMALL}px;fill:#8c1d17}}"
        ".edge-label.dashed text{fill:#b26a00}"
        ".start{fill:#b3261e}"
        "#arrow path{fill:#5b6470}"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img" '
        f'width="{total_w:.0f}" height="{total_h:.0f}" viewBox="0 0 {total_w:.0f} {total_h:.0f}" '
        f'aria-label="{title}"><title>{title}</title><style>{style}</style>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>'
        "</defs>" + start_marker + "".join(parts) + "".join(box_parts) + "".join(labels) + "</svg>"
    )
