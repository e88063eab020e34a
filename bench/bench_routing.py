"""Benchmark of the duty router on the labelled items of bench/data/routing/.

    .venv/bin/python bench/bench_routing.py [--misses tune|test] [--json]

Loads the sample regulation (through the org parser when installed, else the JSON fixture
produced from the seed text), builds the router with the built-in catalogue of city
departments as the external handling units, and reports per split and per scope (internal:
the office's own units; external: the city departments; all: one ranking) top-1 and top-3
accuracy side by side with a naive baseline (character-bigram overlap between the text and
each unit's duty text) measured in the same run, and items per second.

Splits: unseen.jsonl (224 items in registers the router was never tuned on, written before
any tuning, never tuned on: the headline figure), the old test/tune split of items.jsonl,
fresh.jsonl (written after the first tuning) and tune2.jsonl (the tuning set of the
department catalogue, in the new registers).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zhengban.routing import engine  # noqa: E402
from zhengban.routing.catalogue import builtin_catalogue  # noqa: E402
from zhengban.routing.evaluation import (  # noqa: E402
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


def _accuracy(report) -> dict:
    return {"top1": round(report.top1_rate, 3), "top3": round(report.top3_rate, 3)}


def scoped_items(items: list[dict], scope: str) -> list[dict]:
    """The items as labelled for a scope: internal, the office's unit; external, the city
    department (items about the office's own business have none and are left out); all,
    either is right in one ranking."""
    if scope == "internal":
        return items
    if scope == "external":
        return [
            {**item, "unit": item["department"], "also_ok": item.get("department_also_ok", [])}
            for item in items
            if item.get("department")
        ]
    return [
        {
            **item,
            "also_ok": [
                *item["also_ok"],
                *([item["department"]] if item.get("department") else []),
                *item.get("department_also_ok", []),
            ],
        }
        for item in items
    ]


SPLITS = ["unseen", "test", "tune", "fresh", "tune2"]
SCOPES = ["internal", "external", "all"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", choices=SPLITS, help="list wrong items (internal scope)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    structure, source = load_structure()
    targets, shared = targets_from_structure(structure)
    engine.tokenizer()  # load jieba before timing the build
    started = time.perf_counter()
    index = engine.RoutingIndex.build(targets, shared=shared, department_targets=True)
    build_ms = (time.perf_counter() - started) * 1000
    # The baseline sees the same units, the catalogue's departments with their duty text.
    catalogue = builtin_catalogue()
    departments = {
        d.name: tuple(duty.text + " " + " ".join(duty.words) for duty in d.duties)
        for d in catalogue.departments
    }
    baseline = BigramBaseline(
        [
            replace(t, sentences=departments[t.key]) if t.key in departments else t
            for t in index.targets
        ]
    )
    kinds = {t.key: t.kind for t in index.targets}

    def router(scope):
        def route(text):
            return [m.key for m in index.route(text, top=3, scope=scope)]

        return route

    def naive(scope):
        wanted = engine.SCOPES[scope]

        def route(text):
            keys = baseline.route(text, top=len(index.targets))
            return [k for k in keys if wanted is None or kinds[k] in wanted][:3]

        return route

    splits = {name: load_items(f"{name}.jsonl") for name in SPLITS}
    figures: dict = {
        "source": source,
        "targets": len(index.targets),
        "build_ms": round(build_ms, 1),
    }
    reports = {}
    for name, items in splits.items():
        row = figures[name] = {"items": len(items)}
        labelled = any("department" in item for item in items)
        for scope in SCOPES:
            if scope != "internal" and not labelled:
                continue  # the old splits name no city department
            scoped = scoped_items(items, scope)
            ours = evaluate(router(scope), scoped)
            theirs = evaluate(naive(scope), scoped)
            if scope == "internal":
                reports[name] = ours
                texts = [item["text"] for item in scoped]
                row[scope] = {
                    "items": len(scoped),
                    "router": _figures(ours, router(scope), texts),
                    "baseline": _accuracy(theirs),
                }
            else:
                row[scope] = {
                    "items": len(scoped),
                    "router": _accuracy(ours),
                    "baseline": _accuracy(theirs),
                }
    unseen = reports["unseen"]
    figures["unseen"]["per_unit_recall"] = {
        unit: round(right / total, 2) for unit, (right, total) in sorted(unseen.per_unit.items())
    }
    figures["unseen"]["confusions"] = [
        {"labelled": a, "suggested": b, "n": n} for (a, b), n in unseen.confusions.most_common(10)
    ]
    result = figures["unseen"]["internal"]["router"]
    figures["meets_targets"] = all(result[key] >= goal for key, goal in TARGETS.items())

    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        _print(figures, reports, args.misses)
    return 0


def _print(figures: dict, reports: dict, misses: str | None) -> None:
    print(
        f"regulation: {figures['source']}; {figures['targets']} targets "
        f"(with the catalogue's city departments); index built in {figures['build_ms']} ms"
    )
    header = f"{'split':<7} {'scope':<9} {'items':>5}  {'router':>13}  {'bigram baseline':>15}"
    print(f"\n{header} {'cold/s':>8} {'warm/s':>8} {'wall/s':>8}")
    print(f"{'':<7} {'':<9} {'':>5}  {'top-1  top-3':>13}  {'top-1  top-3':>15}")
    for name in SPLITS:
        row = figures[name]
        for k, scope in enumerate(SCOPES):
            if scope not in row:
                continue
            r, b = row[scope]["router"], row[scope]["baseline"]
            speed = ""
            if "per_second" in r:
                speed = (
                    f" {r['per_second']:>8,} {r['per_second_warm']:>8,} {r['per_second_wall']:>8,}"
                )
            print(
                f"{name if k == 0 else '':<7} {scope:<9} {row[scope]['items']:>5}  "
                f"{r['top1']:>6.1%} {r['top3']:>6.1%}  {b['top1']:>7.1%} {b['top3']:>7.1%}{speed}"
            )
    goals = ", ".join(f"{k} ≥ {v}" for k, v in TARGETS.items())
    print("items/s (internal scope): cold and warm per CPU-second, wall per clock second (cold)")
    print("external: labelled city department; all: one ranking, the division or the department")
    verdict = "met" if figures["meets_targets"] else "NOT met"
    print(f"\ntargets on the unseen set, internal scope ({goals}): {verdict}")
    print("\nper-unit recall (unseen, internal):")
    for unit, recall in figures["unseen"]["per_unit_recall"].items():
        right, total = reports["unseen"].per_unit[unit]
        print(f"  {recall:>5.0%}  {right}/{total}  {unit}")
    print("\nmost frequent wrong top-1 (unseen, internal): labelled → suggested")
    for c in figures["unseen"]["confusions"]:
        print(f"  {c['n']}× {c['labelled']} → {c['suggested']}")
    if misses:
        print(f"\nwrong top-1 on {misses}:")
        for text, unit, answer in reports[misses].misses:
            print(f"  {text} | {unit} | {' / '.join(answer)}")


if __name__ == "__main__":
    sys.exit(main())
