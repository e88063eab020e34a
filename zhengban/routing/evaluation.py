"""Measuring a router on labelled items (bench/data/routing/*.jsonl).

An item is {"text", "unit", "also_ok": [...], "note"}; a suggestion is right when it is the
labelled unit or one of `also_ok`. Shared by the benchmark and the accuracy floor test.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "bench" / "data" / "routing"
FIXTURE = DATA_DIR / "shenyang-2009.json"


def load_items(name: str) -> list[dict]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def load_fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@dataclass
class Report:
    items: int = 0
    top1: int = 0
    top3: int = 0
    seconds: float = 0.0
    per_unit: dict[str, list[int]] = field(default_factory=dict)  # unit → [right, total]
    confusions: Counter = field(default_factory=Counter)  # (labelled, suggested) → n
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.items if self.items else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.items if self.items else 0.0

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def evaluate(route: Callable[[str], list[str]], items: list[dict]) -> Report:
    """`route(text)` returns unit keys, best first (at least three when it can)."""
    report = Report(items=len(items))
    started = time.perf_counter()
    answers = [route(item["text"]) for item in items]
    report.seconds = time.perf_counter() - started
    for item, answer in zip(items, answers, strict=True):
        ok = {item["unit"], *item.get("also_ok", [])}
        right, total = report.per_unit.setdefault(item["unit"], [0, 0])
        first = answer[0] if answer else "—"
        hit1 = first in ok
        report.top1 += hit1
        report.top3 += any(unit in ok for unit in answer[:3])
        report.per_unit[item["unit"]] = [right + hit1, total + 1]
        if not hit1:
            report.confusions[(item["unit"], first)] += 1
            report.misses.append((item["text"], item["unit"], answer[:3]))
    return report


BIGRAM_CHARS = re.compile(r"[\u4e00-\u9fff]")


def _bigrams(text: str) -> set[str]:
    chars = "".join(BIGRAM_CHARS.findall(text))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


class BigramBaseline:
    """The naive router to beat: character-bigram overlap between the text and each unit's
    duty text (its name included), ties broken by unit order."""

    def __init__(self, targets) -> None:
        self.targets = [
            (t.key, _bigrams(" ".join((t.name, *t.other_names, *t.sentences)))) for t in targets
        ]

    def route(self, text: str, top: int = 3) -> list[str]:
        grams = _bigrams(text)
        scored = [(len(grams & bag), -i, key) for i, (key, bag) in enumerate(self.targets)]
        scored.sort(reverse=True)
        return [key for score, _i, key in scored[:top] if score > 0]
