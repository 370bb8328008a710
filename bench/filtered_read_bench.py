"""A filtered read of every column, in-process: ``ds.to_arrow(where=...)`` on queries that the
zone maps cannot rule out chunk by chunk (the matching rows are few and scattered), which is
where decoding the predicate's columns first and the rest only for chunks with a match (late
materialization) pays; and, with ``--taxi``, issue 12's comparison on the taxi shape.

    python bench/filtered_read_bench.py FILE.oc [--runs 5]
    python bench/filtered_read_bench.py --taxi [--rows 2000000] [--rounds 5] [--python PY ...]
        [--write-results]

Run the first form once per build to compare (e.g. the installed package of two trees,
alternately); it prints one line per query with the rows matched and the median wall time of
--runs reads. The file is any .oc file; the queries below are for ``outcore gen``'s columns
(score, price, quantity, created).

``--taxi`` makes the taxi-shaped CSV of bench/size_bench.py (its generator: pickups in time
order with 0.01% stray stamps years away, which stretch every chunk's min/max over years),
ingests it with default options (with each --python's own `outcore` command, so each build
writes its own file), writes a zstd Parquet of it with DuckDB, and reads every column of the
rows of one pickup window: outcore in-process (``ds.to_arrow(where=...)``), Polars
(``pl.scan_parquet(...).filter(...).collect()``) and DuckDB (``duckdb.sql(...).to_arrow_table()``) on
the Parquet file; then the whole process (``python -c`` with its imports) of outcore and
DuckDB. Each measurement is a fresh child (peak RSS from os.wait4); the tools run
interleaved, round after round, and the table has the medians over --rounds (in-process: each
child's median of --repeat reads after one warm-up read).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import append_results, median, run_measured

QUERIES = [
    "score > 4.5",
    "quantity == 7 and price > 4900",
    "price between 1234.5 and 1234.6",
    "created between '2020-03-01 00:00:00' and '2020-03-01 06:00:00'",
]

# Pickup windows of the taxi shape (its stamps start 2019-01-01, ~9,000 trips an hour, so 2M rows
# span 9 days: one hour is 0.46% of them, one day 10.7%).
TAXI_WINDOWS = {
    "one hour": ("2019-01-05 12:00:00", "2019-01-05 12:59:59"),
    "six hours": ("2019-01-05 06:00:00", "2019-01-05 11:59:59"),
    "one day": ("2019-01-05 00:00:00", "2019-01-05 23:59:59"),
}
PICKUP = "tpep_pickup_datetime"

# What a child runs, by tool: reads the window `lo`..`hi` of file `path` into Arrow (or a Polars
# frame) `repeat` times after a warm-up read, and prints the row count and each read's seconds.
CHILD = {
    "outcore": """
import outcore
ds = outcore.open(path)
read = lambda: ds.to_arrow(where=f"{column} between '{lo}' and '{hi}'").num_rows
""",
    "polars": """
import datetime, polars as pl
when = lambda s: datetime.datetime.fromisoformat(s)
read = lambda: pl.scan_parquet(path).filter(pl.col(column).is_between(when(lo), when(hi))).collect().height
""",
    "duckdb": """
import duckdb
read = lambda: duckdb.sql(
    f"SELECT * FROM read_parquet('{path}') WHERE {column} BETWEEN TIMESTAMP '{lo}' AND TIMESTAMP '{hi}'"
).to_arrow_table().num_rows
""",
}
TIMED = """
import json, time
rows = read()
times = []
for _ in range(repeat):
    start = time.perf_counter()
    rows = read()
    times.append(time.perf_counter() - start)
print(json.dumps({"rows": rows, "times": times}))
"""
# The whole process: imports, open, one read.
WHOLE = {
    "outcore": "import outcore; print(outcore.open(path).to_arrow(where=f\"{column} between '{lo}' and '{hi}'\")"
    ".num_rows)",
    "duckdb": "import duckdb; print(duckdb.sql(f\"SELECT * FROM read_parquet('{path}') WHERE {column} BETWEEN "
    "TIMESTAMP '{lo}' AND TIMESTAMP '{hi}'\").to_arrow_table().num_rows)",
}


def preamble(path, lo, hi, repeat=1):
    return f"path, column, lo, hi, repeat = {str(path)!r}, {PICKUP!r}, {lo!r}, {hi!r}, {repeat}\n"


def outcore_command(python):
    return str(Path(python).parent / "outcore")


def explain_summary(python, oc_file, lo, hi):
    """The last line of `outcore cat --explain`: chunks read, and those only the cores skipped."""
    run = subprocess.run([outcore_command(python), "cat", str(oc_file), "--where",
                          f"{PICKUP} between '{lo}' and '{hi}'", "--explain"], capture_output=True, text=True)
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("read ")]
    return lines[-1] if lines else "(no explain)"


def taxi(args):
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    csv = data / f"taxi_{args.rows}.csv"
    parquet = data / f"taxi_{args.rows}.zstd.parquet"
    # In a child: NumPy and pyarrow would raise this process's peak RSS, which each measured
    # child's ru_maxrss starts from.
    make = (f"import os, sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
            "from size_bench import parquet_sizes, write_taxi\n"
            f"csv, parquet, rows = {str(csv)!r}, {str(parquet)!r}, {args.rows}\n"
            "if not os.path.exists(csv):\n"
            "    write_taxi(csv + '.tmp', rows)\n"
            "    os.replace(csv + '.tmp', csv)\n"
            "if not os.path.exists(parquet):\n"
            "    from pathlib import Path; parquet_sizes('duckdb', Path(csv), Path(parquet))\n")
    subprocess.run([sys.executable, "-c", make], check=True)
    parquet = Path(parquet)
    builds = {}  # label -> (python, .oc file)
    for index, python in enumerate(args.python):
        label = args.labels[index] if index < len(args.labels) else f"outcore[{index}]"
        oc_file = data / f"taxi_{args.rows}.{index}.oc"
        run = run_measured([outcore_command(python), "ingest", str(csv), "-o", str(oc_file), "-q"])
        if not run.ok:
            sys.exit(f"{label}: ingest failed: {run.error_tail()}")
        builds[label] = (python, oc_file)
        print(f"{label}: ingested in {run.wall:.1f} s, {oc_file.stat().st_size / 2**20:.1f} MiB", file=sys.stderr)
    tools = [(label, "outcore", python, oc_file) for label, (python, oc_file) in builds.items()]
    tools += [("Polars", "polars", sys.executable, parquet), ("DuckDB", "duckdb", sys.executable, parquet)]
    whole = [(label, "outcore", python, oc_file) for label, (python, oc_file) in builds.items()]
    whole += [("DuckDB", "duckdb", sys.executable, parquet)]
    rows, notes = [], []
    for window, (lo, hi) in TAXI_WINDOWS.items():
        inproc = {label: [] for label, *_ in tools}
        process = {label: [] for label, *_ in whole}
        matched = {}
        for _ in range(args.rounds):
            for label, tool, python, path in tools:
                code = preamble(path, lo, hi, args.repeat) + CHILD[tool] + TIMED
                run = run_measured([python, "-c", code])
                if not run.ok:
                    sys.exit(f"{label} {window}: {run.error_tail()}")
                result = run.json()
                matched[label] = result["rows"]
                inproc[label].append((statistics.median(result["times"]), run.max_rss))
            for label, tool, python, path in whole:
                run = run_measured([python, "-c", preamble(path, lo, hi) + WHOLE[tool]])
                if not run.ok:
                    sys.exit(f"{label} {window} (whole): {run.error_tail()}")
                process[label].append((run.wall, run.max_rss))
        counts = set(matched.values())
        if len(counts) != 1:
            notes.append(f"{window}: the tools disagree on the rows: {matched}")
        total = args.rows
        share = f"{next(iter(counts)):,} rows ({100 * next(iter(counts)) / total:.2f}%)"
        for kind, table in (("in-process", inproc), ("whole process", process)):
            for label, samples in table.items():
                wall, peak = median([s for s, _ in samples]), median([m for _, m in samples])
                rows.append([window, share, f"{label} {kind}", f"{wall:.3f} s", f"{peak / 2**20:.0f} MiB"])
        for label, (python, oc_file) in builds.items():
            notes.append(f"{label}, {window}: {explain_summary(python, oc_file, lo, hi)}")
    header = ["window", "rows matched", "reader", "median wall", "median peak RSS"]
    print("| " + " | ".join(header) + " |")
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")
    for note in notes:
        print(note)
    if args.write_results:
        sizes = ", ".join(f"{label} {oc.stat().st_size / 2**20:.1f} MiB" for label, (_, oc) in builds.items())
        import duckdb
        import polars

        about = (f"Data: size_bench's taxi shape, {args.rows:,} rows ({csv.stat().st_size / 2**20:.1f} MiB of CSV), "
                 f"ingested with default options ({sizes}); DuckDB's zstd Parquet "
                 f"{parquet.stat().st_size / 2**20:.1f} MiB. Polars {polars.__version__}, DuckDB "
                 f"{duckdb.__version__}. {args.rounds} rounds, tools interleaved; in-process: the median of "
                 f"{args.repeat} reads after a warm-up, per child.")
        command = "python bench/filtered_read_bench.py --taxi " + " ".join(sys.argv[2:])
        append_results("Filtered read on the taxi shape: outcore, Polars and DuckDB (issue 12)", command, about,
                       "\n".join(f"- {note}" for note in notes), header, rows, text_columns=3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--taxi", action="store_true", help="issue 12's comparison on the taxi shape")
    parser.add_argument("--rows", type=int, default=2_000_000, help="taxi rows")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="timed reads per in-process child")
    parser.add_argument("--data", default="/tmp/outcore-bench-size")
    parser.add_argument("--python", action="append", default=[],
                        help="a Python with an outcore build (its venv's `outcore` ingests); repeat to compare")
    parser.add_argument("--labels", default="", help="names of the --python builds, comma-separated")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    if args.taxi:
        args.python = args.python or [sys.executable]
        args.labels = [label for label in args.labels.split(",") if label]
        taxi(args)
        return
    if not args.path:
        parser.error("a .oc file, or --taxi")
    import outcore

    ds = outcore.open(args.path)
    for query in QUERIES:
        times, rows = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            rows = ds.to_arrow(where=query).num_rows
            times.append(time.perf_counter() - start)
        print(f"| `{query}` | {rows} | {statistics.median(times):.3f} s |")


if __name__ == "__main__":
    main()
