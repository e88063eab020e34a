"""Benchmark of the duty router on the labelled items of bench/data/routing/.

    .venv/bin/python bench/bench_routing.py [--misses tune|test] [--json]

Loads the sample regulation (through the org parser when installed, else the JSON fixture
produced from the seed text), builds the router, and reports on the test split and the tune
split separately: top-1 and top-3 accuracy, per-unit recall, the most frequent wrong top-1
pairs and items per second, side by side with a naive baseline (character-bigram overlap
between the text and each unit's duty text) measured in the same run. A third set,
fresh.jsonl, was written after tuning ended and is reported apart as never-seen texts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zhengban.routing import engine  # noqa: E402
from zhengban.routing.evaluation import (  # noqa: E402
    DATA_DIR,
    BigramBaseline,
    evaluate,
    load_fixture,
    load_items,
)
from zhengban.routing.regulation import (  # noqa: E402
    structure_from_text,
    targets_from_structure,
)

SEED = ROOT / "zhengban" / "org" / "data" / "shenyang-general-office-2009.txt"
TARGETS = {"top1": 0.85, "top3": 0.97, "per_second": 2000}


def load_structure() -> tuple[dict, str]:
    try:
        import zhengban.org.sanding  # noqa: F401
    except ImportError:
        return load_fixture(), "fixture bench/data/routing/shenyang-2009.json"
    return structure_from_text(SEED.read_text(encoding="utf-8")), "org parser on the seed text"


def throughput(route, texts: list[str], *, cold: bool, rounds: int = 5) -> tuple[int, int]:
    """Items per second, as (per CPU-second of this process, per wall-clock second), medians
    of rounds. The CPU figure does not depend on what else the machine is running; the wall
    figure does. The whole-text cache is emptied before each round, so every text is cut
    afresh; `cold` also empties the per-word caches, as for a process that has never seen
    any of these words (warm: words already met in earlier texts)."""
    caches = [engine._cut]
    if cold:
        caches += [engine._word_tokens, engine._word_terms]
    cpu, wall = [], []
    for _ in range(rounds):
        for cache in caches:
            cache.cache_clear()
        started, started_wall = time.process_time(), time.perf_counter()
        for text in texts:
            route(text)
        cpu.append(len(texts) / max(time.process_time() - started, 1e-9))
        wall.append(len(texts) / (time.perf_counter() - started_wall))
    return round(statistics.median(cpu)), round(statistics.median(wall))


def _figures(report, route, texts) -> dict:
    cold_cpu, cold_wall = throughput(route, texts, cold=True)
    warm_cpu, _warm_wall = throughput(route, texts, cold=False)
    return {
        "top1": round(report.top1_rate, 3),
        "top3": round(report.top3_rate, 3),
        "per_second": cold_cpu,
        "per_second_warm": warm_cpu,
        "per_second_wall": cold_wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", choices=["tune", "test", "fresh"], help="list wrong items")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    structure, source = load_structure()
    targets, shared = targets_from_structure(structure)
    engine.tokenizer()  # load jieba before timing the build
    started = time.perf_counter()
    index = engine.RoutingIndex.build(targets, shared=shared)
    build_ms = (time.perf_counter() - started) * 1000
    baseline = BigramBaseline(targets)

    def route(text):
        return [m.key for m in index.route(text, top=3)]

    splits = {"test": load_items("test.jsonl"), "tune": load_items("tune.jsonl")}
    if (DATA_DIR / "fresh.jsonl").exists():
        splits["fresh"] = load_items("fresh.jsonl")
    figures: dict = {"source": source, "targets": len(targets), "build_ms": round(build_ms, 1)}
    reports = {}
    for name, items in splits.items():
        ours, naive = evaluate(route, items), evaluate(baseline.route, items)
        texts = [item["text"] for item in items]
        reports[name] = ours
        figures[name] = {
            "items": len(items),
            "router": _figures(ours, route, texts),
            "baseline": _figures(naive, baseline.route, texts),
        }
    test = reports["test"]
    figures["test"]["per_unit_recall"] = {
        unit: round(right / total, 2) for unit, (right, total) in sorted(test.per_unit.items())
    }
    figures["test"]["confusions"] = [
        {"labelled": a, "suggested": b, "n": n} for (a, b), n in test.confusions.most_common(10)
    ]
    figures["labelled_units"] = len({item["unit"] for items in splits.values() for item in items})
    result = figures["test"]["router"]
    figures["meets_targets"] = all(result[key] >= goal for key, goal in TARGETS.items())

    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        _print(figures, reports, args.misses)
    return 0


def _print(figures: dict, reports: dict, misses: str | None) -> None:
    print(
        f"regulation: {figures['source']}; {figures['targets']} targets; "
        f"index built in {figures['build_ms']} ms"
    )
    header = f"{'split':<6} {'items':>5}  {'':<8} {'top-1':>6} {'top-3':>6}"
    print(f"\n{header} {'cold/s':>8} {'warm/s':>8} {'wall/s':>8}")
    for name in ("test", "tune", "fresh"):
        if name not in figures:
            continue
        row = figures[name]
        for who in ("router", "baseline"):
            r = row[who]
            label = name if who == "router" else ""
            print(
                f"{label:<6} {row['items'] if label else '':>5}  {who:<8} "
                f"{r['top1']:>6.1%} {r['top3']:>6.1%} {r['per_second']:>8,} "
                f"{r['per_second_warm']:>8,} {r['per_second_wall']:>8,}"
            )
    goals = ", ".join(f"{k} ≥ {v}" for k, v in TARGETS.items())
    print("items/s: cold and warm per CPU-second, wall per clock second (cold)")
    verdict = "met" if figures["meets_targets"] else "NOT met"
    print(f"\ntargets on the test split ({goals}): {verdict}")
    print("\nper-unit recall (test split):")
    for unit, recall in figures["test"]["per_unit_recall"].items():
        right, total = reports["test"].per_unit[unit]
        print(f"  {recall:>5.0%}  {right}/{total}  {unit}")
    print("\nmost frequent wrong top-1 (test split): labelled → suggested")
    for c in figures["test"]["confusions"]:
        print(f"  {c['n']}× {c['labelled']} → {c['suggested']}")
    if misses:
        print(f"\nwrong top-1 on {misses}:")
        for text, unit, answer in reports[misses].misses:
            print(f"  {text} | {unit} | {' / '.join(answer)}")


if __name__ == "__main__":
    sys.exit(main())
