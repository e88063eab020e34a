"""Split items.jsonl into tune.jsonl (~60%) and test.jsonl (~40%), deterministically.

The split is stratified by labelled unit and ordered by a hash of the text, so adding an item
moves no other item between the splits. Tune the router on tune.jsonl only.

    python bench/data/routing/split.py
"""

import hashlib
import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
TUNE_SHARE = 0.6


def _rank(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def split(items: list[dict]) -> tuple[list[dict], list[dict]]:
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_unit[item["unit"]].append(item)
    tune_texts: set[str] = set()
    for group in by_unit.values():
        group.sort(key=lambda item: _rank(item["text"]))
        # Every unit with two or more items keeps at least one in the test split.
        n_tune = min(len(group) - 1, round(len(group) * TUNE_SHARE)) if len(group) > 1 else 1
        tune_texts.update(item["text"] for item in group[:n_tune])
    tune = [item for item in items if item["text"] in tune_texts]
    test = [item for item in items if item["text"] not in tune_texts]
    return tune, test


def main() -> None:
    lines = (HERE / "items.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    texts = [item["text"] for item in items]
    assert len(texts) == len(set(texts)), "duplicate texts in items.jsonl"
    tune, test = split(items)
    for name, part in (("tune.jsonl", tune), ("test.jsonl", test)):
        with open(HERE / name, "w", encoding="utf-8") as f:
            for item in part:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(items)} items: {len(tune)} tune, {len(test)} test")


if __name__ == "__main__":
    main()
