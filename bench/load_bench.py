#!/usr/bin/env python3
"""Loading a few numeric columns of every row into one float64 NumPy array, as whole processes:
outcore's ``ds.to_numpy`` on a .oc file against DuckDB and Polars on Parquet of the same rows,
side by side, interleaved (A B A B), medians of --repeat fresh children; wall, CPU (user + sys)
and peak RSS from ``os.wait4`` (bench/measure.py). Issue 12's target: outcore's whole process
<= DuckDB's.

    python bench/load_bench.py --oc F.oc --parquet F.parquet --columns a,b,c [--repeat 7]
        [--label NAME] [--write-results]

Every tool ends with the same thing: a rows x columns float64 array, nulls as NaN (DuckDB:
``coalesce(c, 'nan')`` then ``np.column_stack`` of ``fetchnumpy()``; Polars:
``read_parquet(columns=...).to_numpy()``). The child prints the array's shape and the sum of
the non-NaN values of every 997th row (a check that costs no second array), and the parent
checks that every tool got the same.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import append_results, interleaved_children, median

CHILD = r"""
import json, sys, time
kind, path, columns = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
start = time.perf_counter()
if kind == "outcore":
    import outcore as oc
    X = oc.open(path).to_numpy(columns, dtype="float64")
elif kind == "duckdb":
    import duckdb, numpy as np
    select = ", ".join(f"coalesce(CAST(\"{c}\" AS DOUBLE), 'nan'::DOUBLE) AS \"{c}\"" for c in columns)
    arrays = duckdb.sql(f"SELECT {select} FROM read_parquet('{path}')").fetchnumpy()
    X = np.column_stack([arrays[c] for c in columns])
else:
    import polars as pl
    X = pl.read_parquet(path, columns=columns).to_numpy().astype("float64", copy=False)
import numpy as np
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "shape": list(X.shape), "sum": float(np.nansum(X[::997]))}))
"""

TOOLS = ("outcore", "duckdb", "polars")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--oc", required=True, help="the .oc file")
    parser.add_argument("--parquet", required=True, help="Parquet of the same rows")
    parser.add_argument("--columns", required=True, help="comma-separated numeric columns")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--label", default=None, help="what the data is, for the results table")
    parser.add_argument("--write-results", action="store_true", help="append a section to bench/RESULTS.md")
    args = parser.parse_args()
    cases = [(tool, [sys.executable, "-c", CHILD, tool, args.oc if tool == "outcore" else args.parquet,
                     args.columns]) for tool in TOOLS]
    measured = interleaved_children(cases, args.repeat)
    rows = []
    answers = {}
    for tool in TOOLS:
        runs = measured[tool]
        if not runs:
            continue
        answers[tool] = (runs[0][1]["shape"], runs[0][1]["sum"])
        rows.append({
            "tool": tool, "wall": median([r[0].wall for r in runs]), "cpu": median([r[0].cpu for r in runs]),
            "peak": median([r[0].max_rss for r in runs]) / (1 << 20),
            "load": median([r[1]["seconds"] for r in runs]), "runs": len(runs),
        })
    shapes = {tuple(shape) for shape, _ in answers.values()}
    sums = [s for _, s in answers.values()]
    if len(shapes) != 1 or max(sums) - min(sums) > 1e-9 * max(1.0, abs(max(sums))):
        sys.exit(f"the tools loaded different arrays: {answers}")
    duck = next((r for r in rows if r["tool"] == "duckdb"), None)
    for r in rows:
        r["ratio"] = r["wall"] / duck["wall"] if duck else float("nan")
        print(f"{r['tool']:8} wall {r['wall']:6.3f} s ({r['ratio']:.2f}x DuckDB)  CPU {r['cpu']:6.3f} s  "
              f"in-process {r['load']:6.3f} s  peak {r['peak']:7.1f} MiB")
    if args.write_results:
        shape = next(iter(shapes))
        append_results(
            f"Loading {len(args.columns.split(','))} numeric columns of every row into NumPy, whole processes "
            f"({args.label or Path(args.oc).stem}; issue 12)",
            f"python bench/load_bench.py --oc {args.oc} --parquet {args.parquet} --columns {args.columns} "
            f"--repeat {args.repeat} --write-results",
            f"Result: a {shape[0]} x {shape[1]} float64 array, the same in every tool (shape and sum checked).",
            "Each run is a fresh interpreter (start-up and imports included in wall and CPU); in-process: the "
            "load alone (imports included); peak RSS: the child's `ru_maxrss` from `os.wait4`; medians, "
            "the tools interleaved.",
            ["tool", "wall s", "vs DuckDB", "CPU s", "in-process s", "peak RSS MiB", "runs"],
            [[r["tool"], f"{r['wall']:.3f}", f"{r['ratio']:.2f}x", f"{r['cpu']:.3f}", f"{r['load']:.3f}",
              f"{r['peak']:.1f}", r["runs"]] for r in rows],
        )


if __name__ == "__main__":
    main()
