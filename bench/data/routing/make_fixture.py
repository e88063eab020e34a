"""Produce shenyang-2009.json, the routing fixture, from the seed regulation text.

The fixture is what `zhengban.routing.regulation.read_structure` reads from the seed, stored
so the benchmark and the tests do not depend on the org parser. Regenerate, never edit:

    .venv/bin/python bench/data/routing/make_fixture.py
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SEED = ROOT / "zhengban" / "org" / "data" / "shenyang-general-office-2009.txt"

sys.path.insert(0, str(ROOT))
from zhengban.routing.regulation import read_structure  # noqa: E402


def main() -> None:
    structure = read_structure(SEED.read_text(encoding="utf-8"))
    structure["source"] = "zhengban/org/data/shenyang-general-office-2009.txt"
    out = HERE / "shenyang-2009.json"
    out.write_text(json.dumps(structure, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{out}: {len(structure['units'])} units, {len(structure['offices'])} attached offices")


if __name__ == "__main__":
    main()
