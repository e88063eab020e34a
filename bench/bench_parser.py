"""Throughput of the 三定 parser: `python bench/bench_parser.py [seconds]`.

Parses every document of the development corpus (and the documents written for the
tests) over and over for a few seconds and prints documents per second.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zhengban.org.sanding import decode_bytes, parse_regulation  # noqa: E402

CORPUS = ROOT / "zhengban" / "org" / "tests" / "data" / "sanding"


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    paths = sorted([*CORPUS.glob("*.txt"), *CORPUS.glob("own/*.txt")])
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


if __name__ == "__main__":
    main()
