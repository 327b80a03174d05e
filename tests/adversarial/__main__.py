"""Print a table of every adversarial case: passing, failing, and how each failure shows.

Usage::

    python -m tests.adversarial                 # every case module
    python -m tests.adversarial avro_write cli  # modules whose name contains these words
    python -m tests.adversarial --failing       # only the failing cases
    python -m tests.adversarial --markdown      # a Markdown table (for reports)

A case marked ``xfail`` that now passes is listed as ``CLOSED``: its marker must go.
Fuzz tests are not cases; run them with pytest (see README.md in this directory).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from pathlib import Path

from tests.adversarial._harness import CaseSet, run_cases


def _modules(words: list[str]) -> list[str]:
    here = Path(__file__).resolve().parent
    names = [
        m.name
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("test_") and (not words or any(w in m.name for w in words))
    ]
    return [f"tests.adversarial.{n}" for n in sorted(names)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.adversarial")
    parser.add_argument("words", nargs="*", help="only modules whose name contains one of these")
    parser.add_argument("--failing", action="store_true", help="list failing cases only")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    sets: list[CaseSet] = []
    for name in _modules(args.words):
        module = importlib.import_module(name)
        sets.extend(v for v in vars(module).values() if isinstance(v, CaseSet))
    cases = [c for s in sets for c in s.cases]
    t0 = time.monotonic()
    results = run_cases(cases)
    elapsed = time.monotonic() - t0
    rows = []
    unexpected = 0
    for s in sets:
        for case in s.cases:
            passed, symptom = results[case.key].verdict(case)
            if passed and case.xfail:
                status = "CLOSED"
                unexpected += 1
            elif passed:
                status = "pass"
            elif case.xfail:
                status = "xfail"
            else:
                status = "FAIL"
                unexpected += 1
            if args.failing and passed:
                continue
            rows.append((s.module.rsplit(".", 1)[-1], case.id, status, symptom, case.xfail or ""))
    if args.markdown:
        print("| module | case | status | symptom observed | marker |")
        print("|---|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(x.replace("|", "\\|") for x in row) + " |")
    else:
        for module, cid, status, symptom, _ in rows:
            print(f"{status:6} {module}::{cid}: {symptom}")
    print(
        f"\n{len(cases)} cases in {elapsed:.1f} s; "
        f"{sum(1 for s in sets for c in s.cases if results[c.key].verdict(c)[0])} pass, "
        f"{unexpected} unexpected (FAIL, or CLOSED: an xfail marker to remove)",
        file=sys.stderr,
    )
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
