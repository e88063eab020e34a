"""Throughput and exact-match figures of the 三定 parser: `python bench/bench_parser.py [seconds]`.

Parses every document of the development corpus, the documents written for the tests and
the issue-10 evaluation set over and over for a few seconds and prints documents per
second. Then it prints, per set (and per class for the evaluation set, split into its
tuning and held-out halves), how many documents the parser reads exactly: every field
their expected.json gives matches.
"""

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zhengban.org.sanding import decode_bytes, parse_regulation  # noqa: E402
from zhengban.org.tests.test_sanding_corpus import actual, wanted  # noqa: E402

CORPUS = ROOT / "zhengban" / "org" / "tests" / "data" / "sanding"
UNSEEN = CORPUS / "unseen"


def throughput(paths: list[Path], seconds: float) -> None:
    texts = [decode_bytes(p.read_bytes()) for p in paths]
    chars = sum(len(t) for t in texts)
    for text in texts:  # warm up (regex compilation, caches)
        parse_regulation(text)
    documents = rounds = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts:
            parse_regulation(text)
        documents += len(texts)
        rounds += 1
    elapsed = time.perf_counter() - start
    print(f"corpus: {len(texts)} documents, {chars} characters")
    print(f"parsed {documents} documents in {elapsed:.2f} s")
    print(f"{documents / elapsed:.1f} documents/second")
    print(f"{rounds * chars / elapsed / 1000:.1f} thousand characters/second")


def mismatches(path: Path, fields: dict) -> list[str]:
    """Fields of ``path`` the parser gets wrong (all of them when it refuses the text)."""
    try:
        result = parse_regulation(decode_bytes(path.read_bytes()))
    except Exception as error:  # a refusal is a miss on every field
        return [f"error: {error}"]
    return [f for f, v in fields.items() if actual(result, f) != wanted(f, v)]


def exact_match(folder: Path, groups: dict[str, str] | None = None, show: bool = False) -> None:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, fields in expected.items():
        if groups is not None and name not in groups:
            continue
        group = groups[name] if groups is not None else "all"
        wrong = mismatches(folder / name, fields)
        tally[group][0] += not wrong
        tally[group][1] += 1
        if wrong and show:
            print(f"    {name}: {', '.join(wrong)}")
    total = [sum(v[0] for v in tally.values()), sum(v[1] for v in tally.values())]
    per_group = "; ".join(f"{g} {ok}/{n}" for g, (ok, n) in sorted(tally.items()))
    print(f"  {total[0]}/{total[1]}" + (f" ({per_group})" if groups is not None else ""))


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    show = "--show" in sys.argv
    paths = sorted([*CORPUS.glob("*.txt"), *CORPUS.glob("own/*.txt"), *UNSEEN.glob("*.txt")])
    throughput(paths, seconds)
    print("exact match (every expected field right):")
    print("dev set (data/sanding):")
    exact_match(CORPUS, show=show)
    print("own documents (data/sanding/own):")
    exact_match(CORPUS / "own", show=show)
    split = json.loads((UNSEEN / "split.json").read_text(encoding="utf-8"))
    for part in ("tune", "heldout"):
        print(f"issue-10 set, {part} (data/sanding/unseen):")
        exact_match(UNSEEN, split[part], show=show)


if __name__ == "__main__":
    main()
