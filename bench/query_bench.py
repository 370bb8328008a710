#!/usr/bin/env python3
"""Query benchmark: load the subset you need without reading the whole data set.

Generates one synthetic CSV with `outcore gen` (1 GB by default, cached in
bench/data/), ingests it with value indexes on `topic` and `day` (and once
without, to show what the indexes cost), then answers five `--where` queries
with outcore three ways -- indexes + zone maps, zone maps only, and a forced
full scan -- and with DuckDB on Parquet (and on a native DuckDB table) made
from the very rows outcore kept. Every run is its own fresh child process;
wall time and peak RSS come from os.wait4 for that child alone; each figure is
the median of --repeat runs. Every answer is checked: outcore's three ways,
the Python scanner's counters and DuckDB must give the same row count.

    python bench/query_bench.py --quick                 # ~50 MB smoke run, 1 repeat
    python bench/query_bench.py --write-results         # 1 GB, 3 repeats, bench/QUERY_RESULTS.md
    python bench/query_bench.py --size 10G --repeat 5

Queries (parameters computed from the data, the selectivity is measured):
  a  day between D1 and D2     ~1% of rows, clustered (day advances every 2000 rows)
  b  day == D                  one day, ~0.025% of the 1 GB file
  c  topic == 'gaming'         ~1.5%, scattered over every chunk
  d  topic == 'food' and price > 100    scattered; index narrows, scan filters
  e  id between A and B        ~1%, zone maps only (no index on id)

The parent imports nothing heavy on purpose: on Linux a child's ru_maxrss
starts at the parent's peak RSS (it is carried through fork + exec), so a lean
parent keeps that floor low. The floor is measured and reported.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from measure import generated_csv, machine_description, median, run_measured

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
RESULTS_FILE = BENCH / "QUERY_RESULTS.md"
INDEXED_COLUMNS = "topic,day"
OUTPUT_COLUMNS = "id,topic,price"
# The generator's `day` advances every this many rows.
ROWS_PER_DAY = 2000

# --- child programs (run as `python -c CODE ARGS...`; each prints one JSON line) ---

# Picks the query parameters from the data: the day at 45% of the rows and as
# many following days as make ~1% of the rows; the day at 30%; the id at 60%.
PREPARE = """
import sys, json, datetime
import numpy as np, outcore as oc
ds = oc.open(sys.argv[1])
n = ds.num_rows
first = next(iter(ds.schema))
targets = {"range": int(n * 0.45), "day": int(n * 0.30), "id": int(n * 0.60)}
found, days, offset, max_id = {}, set(), 0, 0
for batch in ds.scan(columns=["id", "day"], batch_rows=1 << 20):
    ids = np.ma.getdata(batch["id"])
    mask = np.ma.getmaskarray(batch["day"])
    values = np.ma.getdata(batch["day"]).astype("datetime64[D]")
    days.update(np.unique(values[~mask]).astype(str).tolist())
    m = len(ids)
    for key, pos in targets.items():
        if key in found or pos >= offset + m:
            continue
        i = max(pos - offset, 0)
        if key == "id":
            found[key] = int(ids[i])
            continue
        valid = np.flatnonzero(~mask[i:])
        if len(valid):
            found[key] = str(values[i + valid[0]])
    offset += m
    if m:
        max_id = max(max_id, int(ids.max()))
rows_per_day = n / max(len(days), 1)
k = max(1, round(0.01 * n / rows_per_day))
d1 = datetime.date.fromisoformat(found["range"])
d2 = d1 + datetime.timedelta(days=k - 1)
id_lo = found["id"]
id_hi = id_lo + max(1, round(0.01 * n)) - 1
print(json.dumps({"rows": n, "first_column": first, "distinct_days": len(days),
                  "rows_per_day": rows_per_day, "days_in_range": k, "d1": str(d1), "d2": str(d2),
                  "day": found["day"], "id_lo": id_lo, "id_hi": id_hi, "max_id": max_id,
                  "min_day": min(days), "max_day": max(days)}))
"""

# The scanner's own counters (chunks and bytes read), per mode, through the
# private `_scanner` binding: first column only, counted the way `cat --count`
# counts (the scanner's count() where the engine has it: answered from the plan
# when the indexes are exact; else every batch), and the output columns, batch
# by batch (what `cat --columns` reads); the scanner adds the predicate's columns.
COUNTERS = """
import sys, json, outcore as oc
path, where, out_columns = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
ds = oc.open(path)
first = next(iter(ds.schema))
modes = {"full": (True, True, False), "forced": (True, True, True), "zonemaps": (False, True, False),
         "index": (True, False, False), "scan": (False, False, False)}
out = {}
for name, columns in (("count", [first]), ("columns", out_columns)):
    for mode, (use_indexes, use_zone_maps, force) in modes.items():
        scanner = ds._scanner(columns, 1 << 20, None, where, use_indexes, use_zone_maps, None, force,
                              count_only=name == "count")
        if name == "count" and hasattr(scanner, "count"):
            scanner.count()
            api = "count()"
        else:
            while scanner.next() is not None:
                pass
            api = "next()"
        out[name + "/" + mode] = dict(scanner.counters(), api=api)
print(json.dumps(out))
"""

# What a data scientist runs: load the matching rows of a few columns as NumPy
# arrays in one Python process (ds.scan(where=...)), timed in-process
# (perf_counter, median of `repeat` after one warm-up), so process start-up
# and CSV formatting are out of the figure. Modes as in COUNTERS.
PY_LOAD = """
import sys, json, time, statistics, outcore as oc
path, where, out_columns, repeat = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
ds = oc.open(path)
modes = {"full": (True, True, False), "forced": (True, True, True), "scan": (False, False, False)}
out = {}
for mode, (use_indexes, use_zone_maps, force) in modes.items():
    times, rows = [], 0
    for run in range(repeat + 1):
        start = time.perf_counter()
        rows = sum(len(b[out_columns[0]]) for b in ds.scan(columns=out_columns, where=where,
                   use_indexes=use_indexes, use_zone_maps=use_zone_maps, force_indexes=force))
        if run:
            times.append(time.perf_counter() - start)
    out[mode] = {"ms": statistics.median(times) * 1000, "rows": rows}
print(json.dumps(out))
"""

DUCKDB_TYPES = (
    "{'id': 'BIGINT', 'active': 'BOOLEAN', 'topic': 'VARCHAR', 'word': 'VARCHAR', "
    "'passage': 'VARCHAR', 'quantity': 'BIGINT', 'score': 'DOUBLE', 'price': 'DOUBLE', "
    "'day': 'DATE', 'created': 'TIMESTAMP'}"
)

# outcore's clean rows (outcore cat --format csv) -> Parquet, strict: explicit
# types, no sniffing, no ignore_errors, so a row DuckDB could not read is an error.
DUCKDB_TO_PARQUET = """
import sys, json, duckdb
src, dst, threads, types = sys.argv[1:5]
con = duckdb.connect()
con.execute(f"SET threads={int(threads)}")
q = lambda p: "'" + p.replace("'", "''") + "'"
reader = f"read_csv({q(src)}, header=true, auto_detect=false, columns={types})"
copy = f"COPY (SELECT * FROM {reader}) TO {q(dst)} (FORMAT parquet, COMPRESSION zstd)"
rows = con.execute(copy).fetchone()[0]
meta = con.execute("SELECT count(DISTINCT row_group_id), max(row_group_num_rows) "
                   f"FROM parquet_metadata({q(dst)})").fetchone()
described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({q(dst)})").fetchall()
types = {name: kind for name, kind, *_ in described}
print(json.dumps({"rows": rows, "row_groups": meta[0], "row_group_rows": meta[1], "types": types}))
"""

DUCKDB_TO_NATIVE = """
import sys, json, duckdb
src, dst, threads = sys.argv[1:4]
con = duckdb.connect(dst)
con.execute(f"SET threads={int(threads)}")
con.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM read_parquet(?)", [src])
rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
con.execute("CHECKPOINT")
print(json.dumps({"rows": rows}))
"""

# One query in a fresh process: count(*), or the output columns written as CSV
# to /dev/null (as `outcore cat --format csv > /dev/null` does).
DUCKDB_QUERY = """
import sys, json, time, duckdb
kind, path, mode, predicate, columns, threads = sys.argv[1:7]
if kind == "native":
    con = duckdb.connect(path, read_only=True)
    source = "t"
else:
    con = duckdb.connect()
    source = "read_parquet('" + path.replace("'", "''") + "')"
con.execute(f"SET threads={int(threads)}")
start = time.perf_counter()
if mode == "count":
    rows = con.execute(f"SELECT count(*) FROM {source} WHERE {predicate}").fetchone()[0]
else:
    rows = con.execute(f"COPY (SELECT {columns} FROM {source} WHERE {predicate}) TO '/dev/null' "
                       "(FORMAT csv, HEADER)").fetchone()[0]
print(json.dumps({"rows": rows, "query_s": time.perf_counter() - start}))
"""

DUCKDB_STARTUP = """
import json, duckdb
con = duckdb.connect()
con.execute("SET threads=2")
print(json.dumps({"rows": con.execute("SELECT 1").fetchone()[0]}))
"""

VERSIONS = """
import json, importlib, sys
out = {"python": sys.version.split()[0]}
for name in ("outcore", "duckdb", "numpy"):
    try:
        out[name] = getattr(importlib.import_module(name), "__version__", "installed")
    except Exception as error:
        out[name] = f"not installed ({type(error).__name__})"
print(json.dumps(out))
"""

# --- measuring --------------------------------------------------------------------


class Result:
    """All runs of one measured thing; medians of the successful ones."""

    def __init__(self, label):
        self.label = label
        self.runs = []
        self.status = "ok"
        self.rows = None  # the answer of the last run (rows counted / written / kept)
        self.answers = set()  # every run's answer, to catch a run that disagrees
        self.extra = {}

    @property
    def ok(self):
        return self.status == "ok" and bool(self.runs)

    @property
    def wall(self):
        return median([r.wall for r in self.runs if r.ok]) if self.ok else None

    @property
    def max_rss(self):
        return median([r.max_rss for r in self.runs if r.ok]) if self.ok else None

    def median_of(self, key):
        """Median of a number each run printed in its JSON line (e.g. DuckDB's in-process query_s)."""
        values = [r.json().get(key) for r in self.runs if r.ok]
        values = [v for v in values if isinstance(v, (int, float))]
        return median(values) if self.ok and values else None


WARMUP = 1  # unmeasured runs before each series (--warmup)


def measure(label, argv, repeat, timeout, env=None, stdout="capture", answer=None, warmup=None):
    """Runs argv `warmup` times unmeasured, then `repeat` times; `answer(run)` extracts the
    row count. Stops at a failure."""
    result = Result(label)
    for _ in range(WARMUP if warmup is None else warmup):
        run = run_measured(argv, env=env, stdout=stdout, timeout=timeout)
        if not run.ok:
            result.runs.append(run)
            result.status = "failed: " + run.error_tail()
            print(f"  {label}: {result.status}", file=sys.stderr)
            return result
    for _ in range(repeat):
        run = run_measured(argv, env=env, stdout=stdout, timeout=timeout)
        result.runs.append(run)
        if not run.ok:
            result.status = "failed: " + run.error_tail()
            print(f"  {label}: {result.status}", file=sys.stderr)
            return result
        if answer:
            try:
                result.rows = answer(run)
            except (ValueError, KeyError, TypeError) as error:
                result.status = f"failed: unreadable answer ({error}): {run.text()[:80]!r}"
                return result
            result.answers.add(result.rows)
    return result


# --- the outcore binary and the data ---------------------------------------------------


def find_outcore(explicit):
    """--outcore, else $OUTCORE_BIN, else `outcore` on PATH (a pyenv shim resolved to the binary)."""
    path = explicit or os.environ.get("OUTCORE_BIN") or shutil.which("outcore")
    if not path:
        sys.exit("query_bench: no outcore binary: pass --outcore PATH or set $OUTCORE_BIN")
    path = shutil.which(path) or path
    try:
        with open(path, "rb") as f:
            is_script = f.read(2) == b"#!"
    except OSError:
        sys.exit(f"query_bench: cannot read {path}")
    if is_script and "pyenv" in path:
        # A pyenv shim is a bash script that execs the real binary: ~30-60 ms and a
        # bash's RSS per run. Time the binary itself.
        done = subprocess.run(["pyenv", "which", "outcore"], capture_output=True, text=True, check=False)
        real = done.stdout.strip()
        if done.returncode == 0 and real and os.access(real, os.X_OK):
            return real
    return path


def day_column_is_ordered(path):
    """The generator writes `day` in file order: rows 1-3 share a day, the row with id
    ROWS_PER_DAY+1 has the next day."""
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        reader = csv.reader(f)
        header = next(reader)
        try:
            id_col, day_col = header.index("id"), header.index("day")
        except ValueError:
            return False
        days = {}
        for i, row in enumerate(reader):
            if i > ROWS_PER_DAY + 200:
                break
            if len(row) == len(header) and row[id_col].isdigit():
                days[int(row[id_col])] = row[day_col]
    first = [days.get(i) for i in (1, 2, 3)]
    after = next((days[i] for i in range(ROWS_PER_DAY + 1, ROWS_PER_DAY + 50) if days.get(i)), None)
    if not all(first) or len(set(first)) != 1 or not after:
        return False
    try:
        d0 = datetime.date.fromisoformat(first[0])
        return datetime.date.fromisoformat(after) == d0 + datetime.timedelta(days=1)
    except ValueError:
        return False


def ensure_data(outcore, size, seed, threads, data_dir):
    """The shared generated CSV (measure.generated_csv), checked to have `day` in file order.

    Returns (path, gen stats, Run or None, notes).
    """
    path, stats, run, notes = generated_csv(outcore, size, seed, threads, data_dir)
    if not day_column_is_ordered(path):
        notes.append(
            f"WARNING: the day column does not advance every {ROWS_PER_DAY} rows; "
            "queries a and b are then not clustered"
        )
    return path, stats, run, notes


def outcore_info(outcore, path):
    run = run_measured([outcore, "info", str(path), "--json"])
    if not run.ok:
        return {"error": run.error_tail()}
    try:
        return json.loads(run.text())
    except ValueError:
        return run.json()


def explain_chunks(outcore, oc_path, where, flags):
    run = run_measured([outcore, "cat", str(oc_path), "--where", where, "--explain", *flags])
    if not run.ok:
        return None, None, run.error_tail()
    lines = run.text().strip().splitlines()
    last = lines[-1] if lines else ""
    m = re.search(r"read (\d+) of (\d+) chunks", last)
    if not m:
        return None, None, f"unexpected --explain output: {last[:100]!r}"
    return int(m.group(1)), int(m.group(2)), last


# --- machine and formatting ---------------------------------------------------------


def ms(seconds):
    if seconds is None:
        return "-"
    value = seconds * 1000
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def mib(nbytes, digits=0):
    return "-" if nbytes is None else f"{nbytes / 2**20:.{digits}f}"


RSS_FLOOR = 0  # the bench process's inherited ru_maxrss floor, set in main()


def rss(nbytes):
    """Peak RSS in MiB; at the inherited floor the child's own peak is unknown but no higher."""
    if nbytes is None:
        return "-"
    if RSS_FLOOR and nbytes <= RSS_FLOOR + (1 << 19):
        return f"≤{RSS_FLOOR / 2**20:.0f}"
    return f"{nbytes / 2**20:.0f}"


def pct(share, digits=2):
    return "-" if share is None else f"{share * 100:.{digits}f}%"


def ratio(a, b, digits=1):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.{digits}f}x"


def wall_or_status(result, fmt=ms):
    if result is None:
        return "-"
    return fmt(result.wall) if result.ok else result.status.split(":")[0]


# --- the benchmark -------------------------------------------------------------------


def queries_from(params):
    """(key, description, outcore --where, DuckDB SQL predicate)."""
    d1, d2, day = params["d1"], params["d2"], params["day"]
    lo, hi = params["id_lo"], params["id_hi"]
    k = params["days_in_range"]
    return [
        ("a", f"{k} days, clustered, value index", f"day between '{d1}' and '{d2}'",
         f"day BETWEEN DATE '{d1}' AND DATE '{d2}'"),
        ("b", "one day, clustered, value index", f"day == '{day}'", f"day = DATE '{day}'"),
        ("c", "scattered, value index", "topic == 'gaming'", "topic = 'gaming'"),
        ("d", "scattered, index + filter", "topic == 'food' and price > 100",
         "topic = 'food' AND price > 100"),
        ("e", "id range, zone maps only", f"id between {lo} and {hi}", f"id BETWEEN {lo} AND {hi}"),
    ]


OUTCORE_MODES = {
    "full": [],  # value indexes + zone maps; a value index that costs more than it saves is skipped
    "forced": ["--force-index"],  # every index read, even where it costs more than it saves
    "zonemaps": ["--no-index"],
    "index": ["--no-zone-maps"],
    "scan": ["--no-index", "--no-zone-maps"],
}


def bench_ingest(args, outcore, csv_path, out_dir):
    """Ingest with and without indexes, and `outcore index` on the plain file."""
    indexed, plain, added = out_dir / "indexed.oc", out_dir / "plain.oc", out_dir / "added.oc"
    common = ["--memory-limit", args.memory_limit, "--threads", str(args.threads), "--json"]

    def kept(run):
        return run.json()["rows_kept"]

    with_index = measure(
        f"ingest --index {INDEXED_COLUMNS}",
        [outcore, "ingest", str(csv_path), "-o", str(indexed), "--index", INDEXED_COLUMNS, *common],
        args.repeat, args.timeout, answer=kept,
    )
    if with_index.ok:
        with_index.extra["report"] = with_index.runs[-1].json()
    without = measure(
        "ingest (no index)",
        [outcore, "ingest", str(csv_path), "-o", str(plain), *common],
        args.repeat, args.timeout, answer=kept,
    )
    index_after = None
    if without.ok:
        index_after = measure(
            f"index --columns {INDEXED_COLUMNS} (on the no-index file)",
            [outcore, "index", str(plain), "--columns", INDEXED_COLUMNS, "-o", str(added),
             "--memory-limit", args.memory_limit],
            args.repeat, args.timeout,
        )
    infos = {}
    for key, path in (("indexed", indexed), ("plain", plain), ("added", added)):
        if path.exists():
            infos[key] = outcore_info(outcore, path)
    for result, key in ((with_index, "indexed"), (without, "plain"), (index_after, "added")):
        if result is not None and key in infos:
            result.extra["info"] = infos[key]
            if result.rows is None:
                result.rows = infos[key].get("rows")
    return indexed, [r for r in (with_index, without, index_after) if r is not None]


def bench_duckdb(args, outcore, oc_path, out_dir, env):
    """outcore's rows as clean CSV -> DuckDB Parquet (zstd) -> native DuckDB table."""
    clean = out_dir / "clean.csv"
    parquet = out_dir / "duckdb.parquet"
    native = out_dir / "duckdb.duckdb"
    steps = []
    dump = measure("outcore cat --format csv > clean.csv", [outcore, "cat", str(oc_path), "--format", "csv"],
                   1, args.timeout, stdout=clean, warmup=0)
    dump.extra["output_bytes"] = clean.stat().st_size if clean.exists() else None
    steps.append(dump)
    if not dump.ok:
        return None, None, steps
    for path in (parquet, native, native.with_name(native.name + ".wal")):
        if path.exists():
            path.unlink()
    to_parquet = measure(
        "DuckDB COPY clean.csv -> Parquet (zstd)",
        [sys.executable, "-c", DUCKDB_TO_PARQUET, str(clean), str(parquet), str(args.threads), DUCKDB_TYPES],
        1, args.timeout, env=env, answer=lambda run: run.json()["rows"], warmup=0,
    )
    if to_parquet.ok:
        to_parquet.extra.update(to_parquet.runs[-1].json())
        to_parquet.extra["output_bytes"] = parquet.stat().st_size
    steps.append(to_parquet)
    if not args.keep_outputs and clean.exists():
        clean.unlink()
    if not to_parquet.ok:
        return None, None, steps
    if args.no_native:
        return parquet, None, steps
    to_native = measure(
        "DuckDB CREATE TABLE t AS SELECT * FROM read_parquet",
        [sys.executable, "-c", DUCKDB_TO_NATIVE, str(parquet), str(native), str(args.threads)],
        1, args.timeout, env=env, answer=lambda run: run.json()["rows"], warmup=0,
    )
    if to_native.ok:
        to_native.extra["output_bytes"] = native.stat().st_size
    steps.append(to_native)
    return parquet, (native if to_native.ok else None), steps


def bench_query(args, outcore, oc_path, parquet, native, query, env):
    key, what, where, sql = query
    print(f"query {key}: {where}", file=sys.stderr)
    q = {"key": key, "what": what, "where": where, "sql": sql, "count": {}, "columns": {}, "chunks": {}}

    def count_answer(run):
        return int(run.text().strip().splitlines()[-1])

    for mode in ("full", "forced", "zonemaps", "scan"):
        q["count"][mode] = measure(
            f"{key} outcore count {mode}",
            [outcore, "cat", str(oc_path), "--where", where, "--count", *OUTCORE_MODES[mode]],
            args.repeat, args.timeout, answer=count_answer,
        )
    for mode in ("full", "forced", "scan"):
        q["columns"][mode] = measure(
            f"{key} outcore columns {mode}",
            [outcore, "cat", str(oc_path), "--where", where, "--columns", OUTPUT_COLUMNS, "--format", "csv",
             *OUTCORE_MODES[mode]],
            args.repeat, args.timeout, stdout="devnull",
        )
    for mode, flags in OUTCORE_MODES.items():
        q["chunks"][mode] = explain_chunks(outcore, oc_path, where, flags)
    counters = run_measured([sys.executable, "-c", COUNTERS, str(oc_path), where, OUTPUT_COLUMNS])
    q["counters"] = counters.json() if counters.ok else {}
    py_load = run_measured([sys.executable, "-c", PY_LOAD, str(oc_path), where, OUTPUT_COLUMNS, str(args.repeat)])
    q["py_load"] = py_load.json() if py_load.ok else {}
    if not counters.ok:
        q["counters_error"] = counters.error_tail()
    duck_sql_columns = OUTPUT_COLUMNS.replace(",", ", ")
    for kind, path in (("parquet", parquet), ("native", native)):
        if path is None:
            continue
        for mode in ("count", "columns"):
            q[mode]["duckdb_" + kind] = measure(
                f"{key} duckdb {kind} {mode}",
                [sys.executable, "-c", DUCKDB_QUERY, kind, str(path), "count" if mode == "count" else "copy",
                 sql, duck_sql_columns, str(args.threads)],
                args.repeat, args.timeout, env=env, answer=lambda run: run.json()["rows"],
            )
    return q


def check_answers(q):
    """Every way of answering must give one row count; returns (rows, problems)."""
    seen = {}
    for mode, result in q["count"].items():
        if result.ok:
            if len(result.answers) > 1:
                seen[f"count/{mode} (runs disagree: {sorted(result.answers)})"] = -1
            seen[f"count/{mode}"] = result.rows
    for mode in ("duckdb_parquet", "duckdb_native"):
        result = q["columns"].get(mode)
        if result is not None and result.ok:
            seen[f"columns/{mode} (rows written)"] = result.rows
    for name, counters in q.get("counters", {}).items():
        seen[f"python scanner {name}"] = counters.get("rows_matched")
    for name, load in q.get("py_load", {}).items():
        seen[f"python load {name}"] = load.get("rows")
    values = set(seen.values())
    rows = q["count"]["scan"].rows if q["count"]["scan"].ok else None
    problems = []
    if len(values) > 1:
        problems.append(", ".join(f"{k}={v}" for k, v in seen.items()))
    if not seen:
        problems.append("no answer at all")
    return rows, problems


def inproc(result):
    return "-" if result is None else ms(result.median_of("query_s"))


def inproc_ratio(outcore_result, duck):
    """outcore's whole process against DuckDB's query alone (DuckDB's start-up left out)."""
    if duck is None:
        return "-"
    return ratio(outcore_result.wall, duck.median_of("query_s"), 2)


def counted_chunks(q):
    counters = q.get("counters", {}).get("count/full")
    if not counters:
        return "-"
    return f"{counters['chunks_read']}/{counters['chunks_total']}"


def chunks_cell(q, mode):
    read, total, _ = q["chunks"].get(mode, (None, None, None))
    return "-" if read is None else f"{read}/{total}"


def share_cell(q, name, mode, file_bytes):
    counters = q.get("counters", {}).get(f"{name}/{mode}")
    if not counters or not file_bytes:
        return "-"
    return pct(counters["bytes_read"] / file_bytes)


def md_row(cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def md_header(names, left=1, text_last=False):
    """A header line and its rule: the first `left` columns (and the last, if text_last) left-aligned."""
    rule = ["---"] * left + ["---:"] * (len(names) - left)
    if text_last:
        rule[-1] = "---"
    return [md_row(names), md_row(rule)]


def report_tables(ctx):
    """Markdown for the whole run."""
    p, file_bytes, csv_bytes = ctx["params"], ctx["file_bytes"], ctx["csv_bytes"]
    total_rows, gen, startup = p["rows"], ctx["gen_stats"], ctx["duck_startup"]
    lines = [
        (f"Data: {ctx['csv_path'].name}, {csv_bytes / 1e6:.0f} MB, {gen.get('rows')} rows generated, "
        f"{total_rows} kept by outcore ({gen.get('rejectable_rows')} dirty rows rejected); "
        f"`day` has {p['distinct_days']} distinct values ({p['min_day']} .. {p['max_day']}, "
        f"{p['rows_per_day']:.0f} kept rows per day)."),
        (f"Runs: {ctx['repeat']} per measurement (medians) after {WARMUP} unmeasured, "
        f"--threads {ctx['threads']}, warm page cache; RSS floor inherited from the bench process: "
        f"{mib(ctx['floor'])} MiB; DuckDB start-up (python + import duckdb + connect, no query): "
        f"{ms(startup.wall)} ms, {rss(startup.max_rss)} MiB; 1-min load average "
        f"{ctx['load_before']:.1f} before, {ctx['load_after']:.1f} after ({os.cpu_count()} CPUs)."),
    ]
    lines += [f"Note: {note}" for note in ctx["notes"]]

    # Ingest
    lines += ["", "### Ingest: what the indexes cost", ""]
    lines += md_header(
        ["step", "wall s", "CSV MB/s", "peak RSS MiB", "output MiB", "chunks", "rows", "status"],
        text_last=True,
    )
    for r in ctx["ingest"] + ctx["duck_steps"]:
        info = r.extra.get("info", {})
        out_bytes = info.get("file_bytes") or r.extra.get("output_bytes")
        chunks = info.get("chunks")
        if chunks is None and r.extra.get("row_groups"):
            chunks = f"{r.extra['row_groups']} (row groups)"
        wall = r.wall
        speed = f"{csv_bytes / 1e6 / wall:.0f}" if wall and r.label.startswith("ingest") else "-"
        lines.append(
            md_row([
                r.label, "-" if wall is None else f"{wall:.2f}", speed, rss(r.max_rss), mib(out_bytes, 1),
                "-" if chunks is None else chunks, "-" if r.rows is None else r.rows, r.status,
            ])
        )
    with_index, without = ctx["ingest"][0], ctx["ingest"][1]
    if with_index.ok and without.ok:
        wi, wo = with_index.extra.get("info", {}), without.extra.get("info", {})
        dt = with_index.wall - without.wall
        db = (wi.get("file_bytes") or 0) - (wo.get("file_bytes") or 0)
        lines += [
            "",
            (f"Indexes on {INDEXED_COLUMNS} at ingest: {dt:+.2f} s ({dt / without.wall * 100:+.0f}%), "
            f"peak RSS {(with_index.max_rss - without.max_rss) / 2**20:+.0f} MiB, file {db / 2**20:+.1f} MiB "
            f"({db / max(wo.get('file_bytes') or 1, 1) * 100:+.1f}%); {wi.get('chunks')} chunks with indexes "
            f"vs {wo.get('chunks')} without (ingest gives the index builders a share of the budget, taken "
            "from the blocks')."),
        ]
    lines.append("")
    lines += md_header(["index", "kind", "keys", "stored KiB", "share of file", "built"], left=2, text_last=True)
    report_indexes = {i.get("column"): i for i in with_index.extra.get("report", {}).get("indexes", [])}
    for index in with_index.extra.get("info", {}).get("indexes", []):
        built = report_indexes.get(index.get("column"), {})
        lines.append(
            md_row([
                index.get("column"), index.get("kind"), index.get("keys"),
                f"{index.get('stored_bytes', 0) / 1024:.0f}", pct(index.get("share_of_file")),
                "yes" if built.get("built", True) else f"no: {built.get('note')}",
            ])
        )
    for column, built in report_indexes.items():
        if not built.get("built", True):
            lines.append(md_row([column, built.get("kind"), "-", "-", "-", f"no: {built.get('note')}"]))

    # Queries
    lines += ["", "### Queries", ""]
    lines += md_header(
        ["q", "what", "outcore --where", "rows", "selectivity", "chunks read: idx+zm", "forced idx+zm", "zm only",
         "idx only", "scan"],
        left=3,
    )
    for q in ctx["queries"]:
        rows = q["rows"]
        lines.append(
            md_row([
                q["key"], q["what"], f"`{q['where']}`", "-" if rows is None else rows,
                "-" if rows is None else pct(rows / total_rows, 3),
                *(chunks_cell(q, mode) for mode in ("full", "forced", "zonemaps", "index", "scan")),
            ])
        )

    lines += [
        "",
        ("Count (`outcore cat X.oc --where W --count`; DuckDB `SELECT count(*) ... WHERE`). Times in ms, "
        "bytes read as a share of the .oc file:"),
        "",
    ]
    lines += md_header([
        "q", "outcore idx+zm", "forced idx", "zm only", "forced scan", "speedup", "chunks decoded idx+zm",
        "bytes read idx+zm", "forced idx", "zm only", "scan", "RSS MiB idx+zm / scan", "DuckDB Parquet", "in-process",
        "outcore/DuckDB", "vs in-process", "DuckDB RSS MiB", "DuckDB native", "in-process", "agree",
    ], text_last=True)
    for q in ctx["queries"]:
        c = q["count"]
        duck, native = c.get("duckdb_parquet"), c.get("duckdb_native")
        lines.append(
            md_row([
                q["key"], wall_or_status(c["full"]), wall_or_status(c["forced"]), wall_or_status(c["zonemaps"]),
                wall_or_status(c["scan"]), ratio(c["scan"].wall, c["full"].wall), counted_chunks(q),
                *(share_cell(q, "count", mode, file_bytes) for mode in ("full", "forced", "zonemaps", "scan")),
                f"{rss(c['full'].max_rss)} / {rss(c['scan'].max_rss)}", wall_or_status(duck), inproc(duck),
                ratio(c["full"].wall, duck.wall if duck else None, 2), inproc_ratio(c["full"], duck),
                rss(duck.max_rss if duck else None), wall_or_status(native), inproc(native),
                "yes" if not q["problems"] else "NO",
            ])
        )

    sql_columns = OUTPUT_COLUMNS.replace(",", ", ")
    lines += [
        "",
        (f"Columns out (`outcore cat X.oc --where W --columns {OUTPUT_COLUMNS} --format csv > /dev/null`; "
        f"DuckDB `COPY (SELECT {sql_columns} ... WHERE) TO '/dev/null' (FORMAT csv)`):"),
        "",
    ]
    lines += md_header([
        "q", "outcore idx+zm", "forced idx", "forced scan", "speedup", "bytes read idx+zm", "forced idx", "scan",
        "RSS MiB idx+zm / scan",
        "DuckDB Parquet", "in-process", "outcore/DuckDB", "vs in-process", "DuckDB RSS MiB", "DuckDB native",
        "in-process", "native RSS MiB",
    ])
    for q in ctx["queries"]:
        c = q["columns"]
        duck, native = c.get("duckdb_parquet"), c.get("duckdb_native")
        lines.append(
            md_row([
                q["key"], wall_or_status(c["full"]), wall_or_status(c["forced"]), wall_or_status(c["scan"]),
                ratio(c["scan"].wall, c["full"].wall),
                share_cell(q, "columns", "full", file_bytes), share_cell(q, "columns", "forced", file_bytes),
                share_cell(q, "columns", "scan", file_bytes),
                f"{rss(c['full'].max_rss)} / {rss(c['scan'].max_rss)}", wall_or_status(duck), inproc(duck),
                ratio(c["full"].wall, duck.wall if duck else None, 2), inproc_ratio(c["full"], duck),
                rss(duck.max_rss if duck else None), wall_or_status(native), inproc(native),
                rss(native.max_rss if native else None),
            ])
        )

    lines += [
        "",
        ("idx+zm: the planner's choice (a value index that would cost more to read than it can save is "
        "skipped); forced idx: `--force-index`, every index read. speedup: forced scan / idx+zm. "
        "outcore/DuckDB: outcore idx+zm time / DuckDB-on-Parquet time "
        "(< 1: outcore faster), both whole processes; DuckDB's include its Python start-up (above). "
        "in-process: DuckDB's query alone (perf_counter around execute in the child); vs in-process: "
        "outcore's whole process / DuckDB's query alone. bytes read: the scanner's bytes_read (column "
        "chunks and index blocks) / the .oc file size, from the Python scanner on the same columns "
        f"(`--count`: the first column plus the predicate's; columns out: {OUTPUT_COLUMNS} plus the "
        "predicate's). chunks read: `cat --explain`'s last line (the plan for the rows); chunks decoded: "
        "the scanner's chunks_read when counting. RSS ≤N: at the floor inherited from the bench process, "
        "the child's own peak is at most that."),
    ]
    lines += [
        "",
        (f"Loading the matching rows of {OUTPUT_COLUMNS} into NumPy in one Python process "
        "(`ds.scan(columns=..., where=...)`, in-process time, median of the runs after a warm-up; no "
        "process start-up, no CSV formatting):"),
        "",
    ]
    lines += md_header(["q", "rows", "idx+zm ms", "forced idx ms", "forced scan ms", "speedup"])
    for q in ctx["queries"]:
        load = q.get("py_load") or {}
        full, forced, scan = load.get("full", {}), load.get("forced", {}), load.get("scan", {})
        lines.append(md_row([
            q["key"], full.get("rows", "-"),
            f"{full['ms']:.1f}" if "ms" in full else "-", f"{forced['ms']:.1f}" if "ms" in forced else "-",
            f"{scan['ms']:.1f}" if "ms" in scan else "-",
            ratio(scan.get("ms"), full.get("ms")),
        ]))
    problems = [(q["key"], text) for q in ctx["queries"] for text in q["problems"]]
    if problems:
        lines += ["", "**Answers disagree:**"]
        lines += [f"- query {key}: {text}" for key, text in problems]
    else:
        lines += [
            "",
            ("Answers agree: for every query outcore (indexes + zone maps, zone maps only, forced scan), "
            "the Python scanner (all four modes) and DuckDB (count and rows written) give the same rows."),
        ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="1G", help="CSV size for outcore gen --size (default 1G)")
    parser.add_argument("--quick", action="store_true", help="50MB smoke run (one repeat unless --repeat)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per measurement; medians reported (3)")
    parser.add_argument("--threads", type=int, default=2, help="outcore ingest --threads and DuckDB threads")
    parser.add_argument("--memory-limit", default="256MiB", help="outcore ingest --memory-limit")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--outcore", help="outcore binary (default: $OUTCORE_BIN, else outcore on PATH)")
    parser.add_argument("--no-native", action="store_true", help="skip DuckDB on a native .duckdb table")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs before each series (1)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a run is killed")
    parser.add_argument("--keep-outputs", action="store_true", help="keep bench/out/query/* afterwards")
    parser.add_argument(
        "--write-results",
        action="store_true",
        help=f"write or replace this size's section of {RESULTS_FILE.name}",
    )
    args = parser.parse_args()
    if args.quick:
        args.size = "50MB"
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    global WARMUP
    WARMUP = max(0, args.warmup)
    started = time.perf_counter()
    outcore = find_outcore(args.outcore)
    versions = run_measured([sys.executable, "-c", VERSIONS]).json()
    if str(versions.get("duckdb", "")).startswith("not installed"):
        sys.exit("query_bench: duckdb is not installed (pip install duckdb)")
    if str(versions.get("outcore", "")).startswith("not installed"):
        sys.exit("query_bench: the outcore Python package does not import (needed for the scanner counters)")
    version_run = run_measured([outcore, "--version"])
    versions["outcore CLI"] = version_run.text().strip() if version_run.ok else "unknown"

    csv_path, gen_stats, gen_run, notes = ensure_data(
        outcore, args.size, args.seed, args.threads, BENCH / "data"
    )
    if gen_run:
        notes.append(f"generated {csv_path.name} in {gen_run.wall:.1f} s")
    csv_bytes = csv_path.stat().st_size
    out_dir = BENCH / "out" / "query"
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    floor = run_measured(["/bin/true"]).max_rss
    global RSS_FLOOR
    RSS_FLOOR = floor
    load_before = os.getloadavg()[0]

    print("ingesting ...", file=sys.stderr)
    oc_path, ingest = bench_ingest(args, outcore, csv_path, out_dir)
    if not ingest[0].ok:
        sys.exit(f"query_bench: outcore ingest --index failed: {ingest[0].status}")
    info = ingest[0].extra.get("info", {})
    file_bytes = info.get("file_bytes") or oc_path.stat().st_size
    prepare = run_measured([sys.executable, "-c", PREPARE, str(oc_path)])
    if not prepare.ok:
        sys.exit(f"query_bench: choosing the query parameters failed: {prepare.error_tail()}")
    params = prepare.json()

    print("preparing DuckDB's copy of outcore's rows ...", file=sys.stderr)
    parquet, native, duck_steps = bench_duckdb(args, outcore, oc_path, out_dir, env)
    for step in duck_steps:
        if step.ok and step.rows is not None and step.rows != params["rows"]:
            notes.append(f"{step.label}: {step.rows} rows, outcore has {params['rows']}")
    if parquet is None:
        notes.append("DuckDB could not load outcore's rows: " + "; ".join(s.status for s in duck_steps if not s.ok))
    duck_startup = measure(
        "duckdb start-up", [sys.executable, "-c", DUCKDB_STARTUP], args.repeat, args.timeout, env=env
    )

    queries = []
    for query in queries_from(params):
        q = bench_query(args, outcore, oc_path, parquet, native, query, env)
        q["rows"], q["problems"] = check_answers(q)
        if q.get("counters_error"):
            q["problems"].append("python scanner counters failed: " + q["counters_error"])
        queries.append(q)

    ctx = {
        "params": params, "file_bytes": file_bytes, "csv_bytes": csv_bytes, "csv_path": csv_path,
        "gen_stats": gen_stats, "repeat": args.repeat, "threads": args.threads, "floor": floor,
        "duck_startup": duck_startup, "load_before": load_before, "load_after": os.getloadavg()[0],
        "notes": notes, "ingest": ingest, "duck_steps": duck_steps, "queries": queries,
    }
    report = report_tables(ctx)
    header = [
        f"Versions: {', '.join(f'{k} {v}' for k, v in versions.items())}; binary {outcore}.",
        "Machine:",
        "```",
        *machine_description(),
        "```",
        "",
    ]
    print("\n".join(header) + report)
    print(f"(bench took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.write_results:
        write_results(args, report, versions, outcore)
    if not args.keep_outputs:
        for name in ("indexed.oc", "plain.oc", "added.oc", "clean.csv", "duckdb.parquet", "duckdb.duckdb",
                     "duckdb.duckdb.wal"):
            path = out_dir / name
            if path.exists():
                path.unlink()
    if any(q["problems"] for q in queries):
        sys.exit(1)


def write_results(args, report, versions, outcore):
    """Writes or replaces this size's section of bench/QUERY_RESULTS.md."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, check=False, text=True
    ).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    tag = f"size={args.size} seed={args.seed}"
    begin, end = f"<!-- query_bench {tag} -->", f"<!-- /query_bench {tag} -->"
    version_line = ", ".join(f"{k} {v}" for k, v in versions.items())
    section = f"""{begin}
## {args.size} CSV, seed {args.seed}

Produced by `python bench/query_bench.py {" ".join(sys.argv[1:])}` on {now}
(outcore commit {commit or "unknown"}, binary {outcore}).

Versions: {version_line}.

Machine:
```
{chr(10).join(machine_description())}
```

{report}
{end}
"""
    title = (
        "# Query benchmark results\n\n"
        "`bench/query_bench.py`: `--where` queries answered with value indexes and zone maps, with a "
        "forced scan, and by DuckDB on the same rows. See bench/README.md for what is measured.\n"
    )
    text = RESULTS_FILE.read_text() if RESULTS_FILE.exists() else title
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS_FILE.write_text(text)
    print(f"wrote {RESULTS_FILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
