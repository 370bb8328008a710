"""Dataset.to_pandas against pd.read_parquet of the same rows: wall time of the load and
peak RSS (os.wait4 of a fresh child per run), medians of --repeat runs, side by side.

    python bench/frames_bench.py --csv /work/bd/s1g.csv --data /work/bd --repeat 3 [--write-results]

The .oc file is ingested from the CSV once; the Parquet file is written once by pyarrow from
the same rows (outcore's pandas-dtype frame, so both hold the same values). Each run is a
child that imports its libraries, loads the table and reports the load's seconds, the rows
and the frame's bytes (DataFrame.memory_usage(deep=True)); the bench parent stays lean so
that ru_maxrss is the child's own (bench/measure.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import append_results, median, repeated_child

CHILD = r"""
import json, sys, time
kind, path, columns = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
import pandas as pd
if kind.startswith("outcore"):
    import outcore as oc
    ds = oc.open(path)
    start = time.perf_counter()
    df = ds.to_pandas(columns, dtypes=kind.split(":")[1])
else:
    import pyarrow  # noqa: F401  (pd.read_parquet's engine; imported before the clock)
    start = time.perf_counter()
    df = pd.read_parquet(path, columns=columns)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rows": len(df), "frame": int(df.memory_usage(deep=True).sum())}))
"""

MAKE_PARQUET = r"""
import sys
import outcore as oc, pyarrow as pa, pyarrow.parquet as pq
df = oc.open(sys.argv[1]).to_pandas(dtypes="pandas")
pq.write_table(pa.Table.from_pandas(df, preserve_index=False), sys.argv[2])
"""

NUMERIC = ["id", "active", "topic", "quantity", "score", "price", "day", "created"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True, help="the CSV (outcore gen --size 1G --seed 1)")
    parser.add_argument("--data", required=True, help="folder for the .oc and .parquet files")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--outcore", default="outcore")
    parser.add_argument("--write-results", action="store_true", help="append a section to bench/RESULTS.md")
    args = parser.parse_args()
    data = Path(args.data)
    stem = Path(args.csv).stem
    oc_path, parquet = data / f"frames-{stem}.oc", data / f"frames-{stem}.parquet"
    if not oc_path.exists():
        subprocess.run([args.outcore, "ingest", args.csv, "-o", oc_path], check=True, capture_output=True)
    if not parquet.exists():
        subprocess.run([sys.executable, "-c", MAKE_PARQUET, oc_path, parquet], check=True)
    all_columns = ["id", "active", "topic", "word", "passage", "quantity", "score", "price", "day", "created"]
    cases = []
    for label, columns in (("all 10 columns", all_columns), ("8 columns without free text", NUMERIC)):
        for tool, kind, path in (
            ("outcore to_pandas(dtypes='compact')", "outcore:compact", oc_path),
            ("outcore to_pandas(dtypes='pandas')", "outcore:pandas", oc_path),
            ("pandas read_parquet (pyarrow)", "parquet", parquet),
        ):
            argv = [sys.executable, "-c", CHILD, kind, str(path), json.dumps(columns)]
            runs = repeated_child(argv, args.repeat, tool)
            if not runs:
                continue
            cases.append({
                "columns": label, "tool": tool,
                "load_s": median([r[1]["seconds"] for r in runs]),
                "wall_s": median([r[0].wall for r in runs]),
                "peak_mib": median([r[0].max_rss for r in runs]) / (1 << 20),
                "frame_mib": runs[0][1]["frame"] / (1 << 20),
                "rows": runs[0][1]["rows"],
                "runs": len(runs),
            })
            c = cases[-1]
            print(f"{label:28} {tool:38} load {c['load_s']:6.2f} s  wall {c['wall_s']:6.2f} s  "
                  f"peak {c['peak_mib']:7.0f} MiB  frame {c['frame_mib']:7.0f} MiB  rows {c['rows']}")
    if args.write_results:
        write_results(cases, args, oc_path, parquet)


def write_results(cases, args, oc_path, parquet):
    import numpy
    import pandas
    import pyarrow

    append_results(
        "Reading into pandas: to_pandas against pd.read_parquet (issue 11)",
        f"python bench/frames_bench.py --repeat {args.repeat} --write-results",
        f"Data: `{Path(args.csv).name}` (`outcore gen --size 1G --seed 1`) ingested "
        f"to {os.path.getsize(oc_path) >> 20} MiB of .oc; the same rows written by pyarrow to "
        f"{os.path.getsize(parquet) >> 20} MiB of Parquet. Versions: python {sys.version.split()[0]}, "
        f"numpy {numpy.__version__}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}.",
        "Each run is a fresh child (imports included in wall, not in load); peak RSS is its "
        "`ru_maxrss` from `os.wait4`; medians of the runs. frame: `memory_usage(deep=True)` of the result.",
        ["columns", "tool", "load s", "wall s", "peak RSS MiB", "frame MiB", "peak / frame", "rows", "runs"],
        [[c["columns"], c["tool"], f"{c['load_s']:.2f}", f"{c['wall_s']:.2f}", f"{c['peak_mib']:.0f}",
          f"{c['frame_mib']:.0f}", f"{c['peak_mib'] / c['frame_mib']:.2f}", c["rows"], c["runs"]] for c in cases],
        text_columns=2,
    )

if __name__ == "__main__":
    main()
