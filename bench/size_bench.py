#!/usr/bin/env python3
"""File size on shapes the generator does not make: a NYC-taxi-like export and a wide float file,
outcore's .oc against DuckDB's and pyarrow's Parquet (zstd) of the same CSV, side by side; per
column for the taxi shape, so that a change to one encoding shows where it lands.

    python bench/size_bench.py [--rows 2000000] [--wide-rows 200000] [--outcore PATH]
        [--baseline PATH] [--write-results]

Inputs are generated on demand into --data (default /tmp/outcore-bench-size, never committed),
deterministically (seeded NumPy):

* taxi: 18 columns as a yellow-cab trip export has them — pickup timestamps in whole seconds,
  in time order with 0.01% stray stamps years away, dropoffs a trip later, small integer
  codes, 2-decimal amounts (fares in steps of 0.5 plus extras), Y/N flags, and
  congestion_surcharge empty in 40% of the rows.
* wide: 200 float64 columns of full-precision values (measurement-like: a random walk per
  column rounded to 6 decimals).

`--baseline` names another outcore binary (e.g. an older build) whose .oc sizes are shown
beside, so a change is measured before and after on the same CSV. Sizes are deterministic:
one run is enough.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import machine_description

TAXI_COLUMNS = [
    "VendorID", "tpep_pickup_datetime", "tpep_dropoff_datetime", "passenger_count", "trip_distance",
    "RatecodeID", "store_and_fwd_flag", "PULocationID", "DOLocationID", "payment_type", "fare_amount",
    "extra", "mta_tax", "tip_amount", "tolls_amount", "improvement_surcharge", "total_amount",
    "congestion_surcharge",
]


def write_taxi(path: Path, rows: int, seed: int = 7) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    start = np.datetime64("2019-01-01T00:00:00", "s").astype(np.int64)
    gaps = rng.exponential(0.8, rows).astype(np.int64)  # trips are seconds apart, in time order
    pickup = start + np.cumsum(gaps)
    strays = rng.random(rows) < 1e-4  # clock errors: stamps years away
    pickup[strays] = pickup[strays] + rng.choice([-10, -3, 1, 8], strays.sum()) * 365 * 86400
    duration = np.clip(rng.lognormal(6.4, 0.7, rows), 30, 5 * 3600).astype(np.int64)
    dropoff = pickup + duration
    distance = np.round(np.clip(duration / 240 * rng.lognormal(0, 0.3, rows), 0, 80), 2)
    fare = np.round(2.5 + distance * 2.5 + duration / 60 * 0.5, 0) / 2 * 1.0  # steps of 0.5
    extra = rng.choice([0.0, 0.5, 1.0, 2.5], rows, p=[0.4, 0.3, 0.2, 0.1])
    tip = np.where(rng.random(rows) < 0.6, np.round(fare * rng.uniform(0.1, 0.3, rows), 2), 0.0)
    tolls = np.where(rng.random(rows) < 0.05, 5.76, 0.0)
    surcharge = rng.choice([2.5, 0.0], rows, p=[0.9, 0.1])
    total = np.round(fare + extra + 0.5 + tip + tolls + 0.3 + surcharge, 2)
    stamp = lambda s: np.datetime_as_string(s.astype("datetime64[s]"), unit="s")  # noqa: E731
    block = 200_000
    with open(path, "w") as out:
        out.write(",".join(TAXI_COLUMNS) + "\n")
        for lo in range(0, rows, block):
            hi = min(rows, lo + block)
            n = hi - lo
            cols = [
                rng.choice(["1", "2"], n, p=[0.35, 0.65]),
                np.char.replace(stamp(pickup[lo:hi]), "T", " "),
                np.char.replace(stamp(dropoff[lo:hi]), "T", " "),
                rng.choice(["0", "1", "2", "3", "4", "5", "6"], n, p=[.02, .7, .14, .05, .03, .04, .02]),
                np.char.mod("%.2f", distance[lo:hi]),
                rng.choice(["1", "2", "3", "4", "5"], n, p=[.96, .02, .005, .005, .01]),
                rng.choice(["N", "Y"], n, p=[0.99, 0.01]),
                rng.integers(1, 266, n).astype(str),
                rng.integers(1, 266, n).astype(str),
                rng.choice(["1", "2", "3", "4"], n, p=[.7, .28, .01, .01]),
                np.char.mod("%.2f", fare[lo:hi]),
                np.char.mod("%.2f", extra[lo:hi]),
                np.full(n, "0.50"),
                np.char.mod("%.2f", tip[lo:hi]),
                np.char.mod("%.2f", tolls[lo:hi]),
                np.full(n, "0.30"),
                np.char.mod("%.2f", total[lo:hi]),
                np.where(rng.random(n) < 0.4, "", np.char.mod("%.2f", surcharge[lo:hi])),
            ]
            lines = cols[0]
            for col in cols[1:]:
                lines = np.char.add(np.char.add(lines, ","), col)
            out.write("\n".join(lines.tolist()) + "\n")


def write_wide(path: Path, rows: int, cols: int = 200, seed: int = 11) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0, 1, (rows, cols)), axis=0) + rng.uniform(-100, 100, cols)
    with open(path, "w") as out:
        out.write(",".join(f"f{i}" for i in range(cols)) + "\n")
        for lo in range(0, rows, 20_000):
            np.savetxt(out, walk[lo:lo + 20_000], delimiter=",", fmt="%.6f")


def outcore_sizes(binary: str, csv: Path, out: Path) -> tuple[int, dict]:
    subprocess.run([binary, "ingest", str(csv), "-o", str(out), "-q"], check=True, capture_output=True)
    info = json.loads(subprocess.run([binary, "info", str(out), "--json"], check=True, capture_output=True,
                                     text=True).stdout)
    return out.stat().st_size, {c["name"]: (c["stored_bytes"], c["encoding"]) for c in info["columns"]}


def parquet_sizes(tool: str, csv: Path, out: Path) -> tuple[int, dict]:
    code = {
        "duckdb": ("import duckdb, sys; duckdb.sql(f\"COPY (SELECT * FROM read_csv('{sys.argv[1]}')) TO "
                   "'{sys.argv[2]}' (FORMAT parquet, COMPRESSION zstd)\")"),
        "pyarrow": ("import sys, pyarrow.csv as c, pyarrow.parquet as pq; "
                    "pq.write_table(c.read_csv(sys.argv[1]), sys.argv[2], compression='zstd')"),
    }[tool]
    subprocess.run([sys.executable, "-c", code, str(csv), str(out)], check=True)
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(out).metadata
    columns: dict[str, int] = {}
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            chunk = group.column(c)
            columns[chunk.path_in_schema] = columns.get(chunk.path_in_schema, 0) + chunk.total_compressed_size
    return out.stat().st_size, columns


def mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="taxi rows")
    parser.add_argument("--wide-rows", type=int, default=200_000)
    parser.add_argument("--data", default="/tmp/outcore-bench-size")
    parser.add_argument("--outcore", default=shutil.which("outcore") or "outcore")
    parser.add_argument("--baseline", help="another outcore binary, shown beside (before/after)")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    shapes = {"taxi": (data / f"taxi_{args.rows}.csv", lambda p: write_taxi(p, args.rows)),
              "wide": (data / f"wide_{args.wide_rows}.csv", lambda p: write_wide(p, args.wide_rows))}
    lines = []
    for shape, (csv, make) in shapes.items():
        if not csv.exists():
            make(csv.with_suffix(".tmp"))
            os.replace(csv.with_suffix(".tmp"), csv)
        results = {"outcore": outcore_sizes(args.outcore, csv, data / f"{shape}.oc")}
        if args.baseline:
            results["outcore (baseline)"] = outcore_sizes(args.baseline, csv, data / f"{shape}.base.oc")
        for tool in ("duckdb", "pyarrow"):
            results[tool] = parquet_sizes(tool, csv, data / f"{shape}.{tool}.parquet")
        duck = results["duckdb"][0]
        lines.append(f"\n### {shape}: {mib(csv.stat().st_size)} MiB of CSV\n")
        lines.append("| file | MiB | vs DuckDB |")
        lines.append("|---|---:|---:|")
        for tool, (size, _) in results.items():
            lines.append(f"| {tool} | {mib(size)} | {size / duck:.2f}x |")
        if shape == "taxi":
            tools = list(results)
            lines.append("\n| column | " + " | ".join(f"{t} MiB" for t in tools) + " | outcore encoding |")
            lines.append("|---|" + "---:|" * len(tools) + "---|")
            for name in TAXI_COLUMNS:
                sizes = []
                for tool in tools:
                    entry = results[tool][1].get(name)
                    sizes.append(mib(entry[0] if isinstance(entry, tuple) else entry or 0))
                lines.append(f"| {name} | " + " | ".join(sizes) + f" | {results['outcore'][1][name][1]} |")
    text = "\n".join(lines)
    print(text)
    if args.write_results:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent).stdout.strip()
        now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        section = (f"\n## File size on the taxi and wide shapes (issue 12)\n\nProduced by `python bench/size_bench.py "
                   f"--rows {args.rows} --wide-rows {args.wide_rows}` on {now} (outcore commit {commit}). Sizes "
                   "are deterministic (seeded data, one run).\n\nMachine:\n```\n"
                   + "\n".join(machine_description()) + "\n```\n" + text + "\n")
        with open(Path(__file__).parent / "RESULTS.md", "a") as results:
            results.write(section)

if __name__ == "__main__":
    main()
