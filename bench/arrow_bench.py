"""Arrow out against Parquet: pa.table(ds) and pl.DataFrame(ds) over a .oc file, against
pyarrow.parquet.read_table and pl.read_parquet of the same rows -- rows/s of the load and peak
RSS (os.wait4 of a fresh child per run), medians of --repeat runs, side by side and interleaved
(each round runs every case once).

    python bench/arrow_bench.py --rows 2000000 --repeat 5 [--write-results]

The CSV is generated on demand (``outcore gen --rows N --seed S``) into --data (default
bench/data/, git-ignored), ingested to .oc once, and the Parquet file (zstd) is written once by
pyarrow from ``pa.table(ds)``, so both hold the same rows and types (dictionary columns stay
dictionary-encoded). Each run is a child that imports its libraries, loads the table and
reports the load's seconds, the rows and the result's bytes; the parent stays lean so that
ru_maxrss is the child's own (bench/measure.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import append_results, interleaved_children, median

CHILD = r"""
import json, sys, time
kind, path = sys.argv[1], sys.argv[2]
if kind.startswith("outcore"):
    import outcore as oc
    ds = oc.open(path)
if kind.endswith("pyarrow"):
    import pyarrow as pa
    import pyarrow.parquet as pq
    start = time.perf_counter()
    table = pa.table(ds) if kind.startswith("outcore") else pq.read_table(path)
    seconds = time.perf_counter() - start
    rows, size = table.num_rows, table.nbytes
else:
    import polars as pl
    start = time.perf_counter()
    frame = pl.DataFrame(ds) if kind.startswith("outcore") else pl.read_parquet(path)
    seconds = time.perf_counter() - start
    rows, size = frame.height, frame.estimated_size()
print(json.dumps({"seconds": seconds, "rows": rows, "bytes": size}))
"""

MAKE_PARQUET = r"""
import sys
import outcore as oc, pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table(oc.open(sys.argv[1])), sys.argv[2], compression="zstd")
"""

CASES = (
    ("pa.table(ds)", "outcore:pyarrow", "oc"),
    ("pyarrow.parquet.read_table", "parquet:pyarrow", "parquet"),
    ("pl.DataFrame(ds)", "outcore:polars", "oc"),
    ("pl.read_parquet", "parquet:polars", "parquet"),
)


def prepare(args) -> tuple[Path, Path, Path]:
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    stem = f"arrow-gen-{args.rows}-seed{args.seed}"
    csv, oc_path, parquet = data / f"{stem}.csv", data / f"{stem}.oc", data / f"{stem}.parquet"
    if not csv.exists():
        subprocess.run([args.outcore, "gen", "--rows", str(args.rows), "--seed", str(args.seed), "-o", csv],
                       check=True, capture_output=True)
    if not oc_path.exists():
        subprocess.run([args.outcore, "ingest", csv, "-o", oc_path], check=True, capture_output=True)
    if not parquet.exists():
        subprocess.run([sys.executable, "-c", MAKE_PARQUET, oc_path, parquet], check=True)
    return csv, oc_path, parquet


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows of `outcore gen --rows`")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parent / "data"),
                        help="folder for the generated CSV, .oc and .parquet files")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--outcore", default="outcore")
    parser.add_argument("--write-results", action="store_true", help="append a section to bench/RESULTS.md")
    args = parser.parse_args()
    csv, oc_path, parquet = prepare(args)
    argvs = [(tool, [sys.executable, "-c", CHILD, kind, str(oc_path if which == "oc" else parquet)])
             for tool, kind, which in CASES]
    measured = interleaved_children(argvs, args.repeat)
    cases = []
    for tool, _, _ in CASES:
        runs = measured[tool]
        if not runs:
            continue
        load = median([r[1]["seconds"] for r in runs])
        rows = runs[0][1]["rows"]
        cases.append({
            "tool": tool, "load_s": load, "rows_per_s": rows / load,
            "wall_s": median([r[0].wall for r in runs]),
            "peak_mib": median([r[0].max_rss for r in runs]) / (1 << 20),
            "result_mib": runs[0][1]["bytes"] / (1 << 20), "rows": rows, "runs": len(runs),
        })
        c = cases[-1]
        print(f"{tool:28} load {c['load_s']:6.3f} s  {c['rows_per_s'] / 1e6:7.1f} M rows/s  "
              f"wall {c['wall_s']:6.2f} s  peak {c['peak_mib']:6.0f} MiB  result {c['result_mib']:6.0f} MiB  "
              f"rows {rows}")
    if args.write_results:
        write_results(cases, args, csv, oc_path, parquet)


def write_results(cases, args, csv, oc_path, parquet):
    import polars
    import pyarrow

    append_results(
        "Arrow out: pa.table(ds) and pl.DataFrame(ds) against reading Parquet (issue 11)",
        f"python bench/arrow_bench.py --rows {args.rows} --repeat {args.repeat} --write-results",
        f"Data: `outcore gen --rows {args.rows} --seed {args.seed}` ({os.path.getsize(csv) >> 20} MiB of CSV) "
        f"ingested to {os.path.getsize(oc_path) >> 20} MiB of .oc; the same rows written by pyarrow from "
        f"`pa.table(ds)` to {os.path.getsize(parquet) >> 20} MiB of Parquet (zstd). Versions: python "
        f"{sys.version.split()[0]}, pyarrow {pyarrow.__version__}, polars {polars.__version__}.",
        "Each run is a fresh child (imports included in wall, not in load); peak RSS is its "
        "`ru_maxrss` from `os.wait4`; medians of the runs. result: `Table.nbytes` / "
        "`DataFrame.estimated_size()`.",
        ["tool", "load s", "M rows/s", "wall s", "peak RSS MiB", "result MiB", "rows", "runs"],
        [[c["tool"], f"{c['load_s']:.3f}", f"{c['rows_per_s'] / 1e6:.1f}", f"{c['wall_s']:.2f}",
          f"{c['peak_mib']:.0f}", f"{c['result_mib']:.0f}", c["rows"], c["runs"]] for c in cases],
    )

if __name__ == "__main__":
    main()
