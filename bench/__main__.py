"""``python -m bench --scale school|full``: generate (or reuse) the databases, run the cases, report.

``school`` (``make bench-quick``) runs every case on the 100,000-activity school database;
``full`` (``make bench``) adds the 1,000,000-activity trust database. ``tiny`` is the smoke test's
scale: the same code on a few hundred rows, one run each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from . import cases as c
from .generate import CACHE_DIR, database, demo_database
from .runner import (
    BENCH_DIR,
    Result,
    RunInfo,
    format_table,
    run_case,
    unavailable,
    write_json,
    write_markdown,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--scale", choices=["tiny", "school", "full"], default="school")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    p.add_argument("--runs", type=int, help="runs of every case (default: each case's own, 3–5)")
    p.add_argument("--only", action="append", default=[], metavar="TEXT",
                   help="run only the cases whose name contains TEXT (may be repeated; RESULTS.md is left alone)")
    p.add_argument("--out", type=Path, default=BENCH_DIR, help="folder for results.json and RESULTS.md")
    p.add_argument("--cache", type=Path, default=CACHE_DIR, help="folder of the generated databases")
    p.add_argument("--no-markdown", action="store_true", help="write results.json only")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    info = RunInfo(scale=args.scale, seed=args.seed, started=dt.datetime.now().strftime("%d/%m/%Y %H:%M"))
    small = args.scale == "tiny"
    school = database("tiny" if small else "school", args.seed, args.cache)
    trust = None
    if args.scale in ("tiny", "full"):
        trust = database("tiny-trust" if small else "trust", args.seed, args.cache)
    # The tiny scale stands its own school in for the demo school, to keep the smoke test quick.
    demo = school.path if small else demo_database(args.cache)
    for gen in (school, trust):
        if gen is not None:
            info.databases[gen.scale] = (
                ", ".join(f"{v:,} {k}" for k, v in gen.counts.items())
                + (f"; generated in {gen.seconds:.1f} s" if not gen.cached else "; from the cache"))
    with tempfile.TemporaryDirectory(prefix="cpd-bench-") as work:
        ctx = c.Context(sizes=c.SIZES["tiny" if small else "school"], work=Path(work), school=school, trust=trust,
                        demo=demo, runs=args.runs, quick=args.scale == "school")
        results: list[Result] = []
        try:
            for item in c.all_cases(ctx, full=trust is not None, only=args.only):
                if isinstance(item, c.Unavailable):
                    print(f"{item.name}: not available: {item.reason}", flush=True)
                    results.append(unavailable(item))
                    continue
                print(f"{item.name} …", flush=True)
                res = run_case(item, runs=args.runs)
                results.append(res)
                print(f"  {format_table([res]).splitlines()[-1]}", flush=True)
        finally:
            ctx.close()
    info.seconds = time.perf_counter() - started
    print()
    print(format_table(results))
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(results, args.out / "results.json")
    # A run of some cases only would replace the whole section of its scale: it writes results.json alone.
    markdown = not args.no_markdown and not args.only
    if markdown:
        write_markdown(results, info, args.out / "RESULTS.md", notes=[])
    print(f"\nwrote {args.out / 'results.json'}" + (f" and {args.out / 'RESULTS.md'}" if markdown else "")
          + f" in {info.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
