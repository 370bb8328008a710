#!/usr/bin/env python3
"""Ingest benchmark: outcore against DuckDB, Polars, pyarrow and pandas.

Generates one synthetic CSV with `outcore gen` (1 GB by default, cached in
bench/data/), then runs every tool in its own fresh process, twice per tool:
ingest (CSV -> compressed columnar file) and scan (read every column back).
Wall time and peak RSS come from the OS for that child only (os.wait4's
ru_maxrss); each result is the median of --repeat runs.

    python bench/ingest_bench.py --quick                 # 50 MB smoke run
    python bench/ingest_bench.py --repeat 3 --write-results
    python bench/ingest_bench.py --size 10G --tools outcore,duckdb,polars

The parent imports nothing heavy on purpose: on Linux a child's ru_maxrss
starts at the parent's peak RSS (it is carried through fork/vfork + exec), so
a lean parent keeps that floor low. The floor is measured and reported.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from measure import generated_csv, machine_description, median, run_measured

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
PEERS = ("duckdb", "polars", "pyarrow", "pandas")
ALL_TOOLS = ("outcore", *PEERS)

# Each peer's ingest, run as `python -c CODE SRC DST THREADS`. It prints one
# JSON object: rows kept in the output and the types it gave the columns.
_PARQUET_FACTS = """
def _facts(path, notes=""):
    import json, pyarrow.parquet as pq
    meta = pq.read_metadata(path)
    schema = pq.read_schema(path)
    types = {f.name: str(f.type) for f in schema}
    print(json.dumps({"rows_kept": meta.num_rows, "types": types, "notes": notes}))
"""

PEER_INGEST = {
    "duckdb": _PARQUET_FACTS
    + """
import sys, duckdb
src, dst, threads = sys.argv[1:4]
con = duckdb.connect()
con.execute(f"SET threads={int(threads)}")
con.execute("COPY (SELECT * FROM read_csv(?, ignore_errors=true)) TO '" + dst.replace("'", "''") +
            "' (FORMAT parquet, COMPRESSION zstd)", [src])
_facts(dst, "read_csv(ignore_errors=true)")
""",
    "polars": _PARQUET_FACTS
    + """
import sys, polars as pl
src, dst, threads = sys.argv[1:4]
pl.scan_csv(src, ignore_errors=True, truncate_ragged_lines=True, encoding="utf8-lossy").sink_parquet(
    dst, compression="zstd")
_facts(dst, "scan_csv(ignore_errors, truncate_ragged_lines, utf8-lossy)")
""",
    "pyarrow": _PARQUET_FACTS
    + """
import sys, pyarrow.csv as pc, pyarrow.parquet as pq
src, dst, threads = sys.argv[1:4]
skipped = 0
def skip(row):
    global skipped
    skipped += 1
    return "skip"
reader = pc.open_csv(src,
    parse_options=pc.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
    convert_options=pc.ConvertOptions(check_utf8=False))
writer = pq.ParquetWriter(dst, reader.schema, compression="zstd")
for batch in reader:
    writer.write_batch(batch)
writer.close()
_facts(dst, f"open_csv(invalid_row_handler=skip, check_utf8=False); {skipped} rows skipped")
""",
    "pandas": _PARQUET_FACTS
    + """
import sys, pandas as pd
src, dst, threads = sys.argv[1:4]
frame = pd.read_csv(src, on_bad_lines="skip", encoding_errors="replace")
notes = "read_csv(on_bad_lines=skip, encoding_errors=replace)"
try:
    frame.to_parquet(dst, compression="zstd")
except Exception as error:  # mixed-type object columns (rows with a missing field shift values)
    for column in frame.columns[frame.dtypes == object]:
        frame[column] = frame[column].astype(str)
    frame.to_parquet(dst, compression="zstd")
    notes += f"; to_parquet failed ({type(error).__name__}), object columns cast to str"
_facts(dst, notes)
""",
}

# Each peer's scan of its own parquet, run as `python -c CODE FILE THREADS`:
# every column materialized, batch by batch where the tool streams.
PEER_SCAN = {
    "duckdb": """
import sys, json, duckdb
con = duckdb.connect()
con.execute(f"SET threads={int(sys.argv[2])}")
reader = con.read_parquet(sys.argv[1]).to_arrow_reader()
rows = sum(batch.num_rows for batch in reader)
print(json.dumps({"rows": rows}))
""",
    "polars": """
import sys, json, polars as pl
frame = pl.read_parquet(sys.argv[1])
print(json.dumps({"rows": frame.height}))
""",
    "pyarrow": """
import sys, json, pyarrow.parquet as pq
rows = sum(batch.num_rows for batch in pq.ParquetFile(sys.argv[1]).iter_batches())
print(json.dumps({"rows": rows}))
""",
    "pandas": """
import sys, json, pandas as pd
print(json.dumps({"rows": len(pd.read_parquet(sys.argv[1]))}))
""",
}

OUTCORE_PY_SCAN = """
import sys, json, outcore
def batch_rows(batch):
    if hasattr(batch, "num_rows"):
        return batch.num_rows
    if hasattr(batch, "values"):
        first = next(iter(batch.values()), None)
        return 0 if first is None else len(first)
    return len(batch)
rows = sum(batch_rows(batch) for batch in outcore.open(sys.argv[1]).scan())
print(json.dumps({"rows": rows}))
"""

VERSIONS = """
import json, importlib, sys
out = {"python": sys.version.split()[0]}
for name in ("duckdb", "polars", "pyarrow", "pandas"):
    try:
        out[name] = importlib.import_module(name).__version__
    except Exception as error:
        out[name] = f"not installed ({type(error).__name__})"
print(json.dumps(out))
"""


def find_outcore(explicit):
    if explicit:
        return explicit
    if os.environ.get("OUTCORE_BIN"):
        return os.environ["OUTCORE_BIN"]
    candidates = glob.glob(str(REPO / "build*" / "outcore")) + glob.glob(
        str(REPO / "build*" / "*" / "outcore")
    )
    candidates = [c for c in candidates if os.access(c, os.X_OK)]
    if candidates:
        return max(candidates, key=os.path.getmtime)
    return shutil.which("outcore")


def has_subcommand(outcore, name):
    if not outcore:
        return False
    try:
        done = subprocess.run([outcore, name, "--help"], capture_output=True, timeout=30, check=False)
    except OSError:
        return False
    # An unknown subcommand with --help prints the top-level help and exits 0,
    # so look for the subcommand's own usage line.
    return (
        done.returncode == 0 and re.search(rb"Usage: \S+ " + name.encode() + rb"\b", done.stdout) is not None
    )


def ensure_data(outcore, size, seed, threads, data_dir):
    """Generates (or reuses) the CSV; returns (path, gen stats, Run or None)."""
    if not outcore or not has_subcommand(outcore, "gen"):
        sys.exit(
            "ingest_bench: no `outcore` binary with `gen` found; build it (cmake --build build --target "
            "outcore_cli) or pass --outcore PATH"
        )
    path, stats, run, notes = generated_csv(outcore, size, seed, threads, data_dir)
    for note in notes:
        print(f"ingest_bench: {note}", file=sys.stderr)
    return path, stats, run


class Result:
    """All runs of one (tool, phase)."""

    def __init__(self, tool, phase):
        self.tool, self.phase = tool, phase
        self.runs = []
        self.status = "ok"
        self.rows_kept = None
        self.output_bytes = None
        self.notes = ""
        self.types = {}

    def add(self, run):
        self.runs.append(run)

    @property
    def wall(self):
        return median([r.wall for r in self.runs if r.ok])

    @property
    def max_rss(self):
        return median([r.max_rss for r in self.runs if r.ok])


def measure(result, argv, repeat, env=None, capture=True, timeout=None, after=None):
    """Runs argv `repeat` times into result; stops at the first failure."""
    for _ in range(repeat):
        run = run_measured(argv, env=env, stdout="capture" if capture else "devnull", timeout=timeout)
        result.add(run)
        if not run.ok:
            result.status = "failed: " + run.error_tail()
            return False
        if after:
            after(run)
    return True


def bench_outcore(args, outcore, csv_path, out_dir, results):
    oc_path = out_dir / "x.oc"
    ingest = Result("outcore", "ingest")
    results.append(ingest)
    if not has_subcommand(outcore, "ingest"):
        ingest.status = "not available (outcore ingest not built yet)"
        return
    argv = [
        outcore,
        "ingest",
        str(csv_path),
        "-o",
        str(oc_path),
        "--memory-limit",
        args.memory_limit,
        "--threads",
        str(args.threads),
        "--json",
    ]

    def record(run):
        report = run.json()
        ingest.rows_kept = report.get("rows_kept", report.get("kept", ingest.rows_kept))
        rejected = report.get("rows_rejected", report.get("rejected"))
        ingest.output_bytes = report.get("output_bytes") or (
            oc_path.stat().st_size if oc_path.exists() else None
        )
        ingest.notes = f"--memory-limit {args.memory_limit}" + (
            f"; {rejected} rows rejected" if rejected is not None else ""
        )

    if not measure(ingest, argv, args.repeat, timeout=args.timeout, after=record):
        return
    scan = Result("outcore", "scan (cat --format csv)")
    results.append(scan)
    if has_subcommand(outcore, "cat"):
        measure(
            scan,
            [outcore, "cat", str(oc_path), "--format", "csv"],
            args.repeat,
            capture=False,
            timeout=args.timeout,
        )
        scan.notes = "all columns formatted as CSV to /dev/null"
    else:
        scan.status = "not available (outcore cat not built yet)"
    py_scan = Result("outcore", "scan (python)")
    probe = run_measured([sys.executable, "-c", "import outcore; outcore.open"])
    if probe.ok:
        results.append(py_scan)
        measure(
            py_scan,
            [sys.executable, "-c", OUTCORE_PY_SCAN, str(oc_path)],
            args.repeat,
            timeout=args.timeout,
            after=lambda run: setattr(py_scan, "rows_kept", run.json().get("rows")),
        )
        py_scan.notes = "outcore.open(x).scan() over all columns"
    if not args.keep_outputs and oc_path.exists():
        oc_path.unlink()


def bench_peer(args, tool, csv_path, out_dir, results, versions):
    ingest = Result(tool, "ingest")
    results.append(ingest)
    if versions.get(tool, "").startswith("not installed"):
        ingest.status = versions[tool]
        return
    if tool == "pandas":
        # pandas holds the whole frame (5-10x the CSV); do not let it invoke the OOM killer
        # on a shared machine.
        needed = csv_path.stat().st_size * 8
        available = available_memory()
        if available and needed > available:
            ingest.status = f"skipped: needs ~{needed / 2**30:.0f} GiB, {available / 2**30:.0f} GiB available"
            return
    parquet = out_dir / f"{tool}.parquet"
    env = dict(
        os.environ,
        POLARS_MAX_THREADS=str(args.threads),
        OMP_NUM_THREADS=str(args.threads),
        ARROW_NUM_THREADS=str(args.threads),
    )
    argv = [sys.executable, "-c", PEER_INGEST[tool], str(csv_path), str(parquet), str(args.threads)]

    def record(run):
        facts = run.json()
        ingest.rows_kept = facts.get("rows_kept")
        ingest.types = facts.get("types", {})
        ingest.notes = facts.get("notes", "")
        ingest.output_bytes = parquet.stat().st_size if parquet.exists() else None

    if not measure(ingest, argv, args.repeat, env=env, timeout=args.timeout, after=record):
        return
    scan = Result(tool, "scan (parquet)")
    results.append(scan)
    measure(
        scan,
        [sys.executable, "-c", PEER_SCAN[tool], str(parquet), str(args.threads)],
        args.repeat,
        env=env,
        timeout=args.timeout,
        after=lambda run: setattr(scan, "rows_kept", run.json().get("rows")),
    )
    if not args.keep_outputs and parquet.exists():
        parquet.unlink()


def available_memory():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def fmt_number(value, digits=2):
    return "-" if value is None else f"{value:.{digits}f}"


def table(results, csv_bytes):
    header = (
        "| tool | phase | status | wall s | CSV MB/s | peak RSS MiB | output MiB | CSV/output | rows | notes |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|"
    )
    lines = [header]
    for r in results:
        wall, rss = r.wall, r.max_rss
        speed = csv_bytes / 1e6 / wall if wall else None
        out_mib = r.output_bytes / 2**20 if r.output_bytes else None
        ratio = csv_bytes / r.output_bytes if r.output_bytes else None
        notes = r.notes
        if r.types:
            notes += f"; quantity:{r.types.get('quantity', '?')}, price:{r.types.get('price', '?')}"
        lines.append(
            f"| {r.tool} | {r.phase} | {r.status} | {fmt_number(wall)} | {fmt_number(speed, 0)} | "
            f"{fmt_number(rss / 2**20 if rss else None, 0)} | {fmt_number(out_mib, 1)} | "
            f"{fmt_number(ratio, 1)} | {'-' if r.rows_kept is None else r.rows_kept} | {notes} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="1G", help="CSV size for outcore gen --size (default 1G)")
    parser.add_argument("--quick", action="store_true", help="50MB smoke run (one repeat unless --repeat)")
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs per tool and phase; medians reported (3)"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="256MiB", help="outcore ingest --memory-limit")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tools", default=",".join(ALL_TOOLS), help="comma list of " + ",".join(ALL_TOOLS))
    parser.add_argument("--outcore", help="path of the outcore binary (default: newest build*/outcore)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a run is killed")
    parser.add_argument("--keep-outputs", action="store_true", help="keep bench/out/* after each tool")
    parser.add_argument("--write-results", action="store_true", help="write the head of bench/RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.size = "50MB"
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(ALL_TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")

    outcore = find_outcore(args.outcore)
    csv_path, gen_stats, gen_run = ensure_data(outcore, args.size, args.seed, args.threads, BENCH / "data")
    csv_bytes = csv_path.stat().st_size
    out_dir = BENCH / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    versions = run_measured([sys.executable, "-c", VERSIONS]).json()
    floor = run_measured(["/bin/true"]).max_rss

    load_before = os.getloadavg()[0]
    results = []
    if gen_run:
        gen = Result("outcore", "gen (make the CSV)")
        gen.add(gen_run)
        gen.output_bytes, gen.rows_kept = csv_bytes, gen_stats.get("rows")
        results.append(gen)
    for tool in tools:
        print(f"running {tool} ...", file=sys.stderr)
        if tool == "outcore":
            bench_outcore(args, outcore, csv_path, out_dir, results)
        else:
            bench_peer(args, tool, csv_path, out_dir, results, versions)

    dirt = ", ".join(
        f"{k}={gen_stats.get(k)}"
        for k in ("extra_field", "missing_field", "text_in_numeric", "invalid_utf8", "tricky_quoted")
    )
    summary = [
        (
            f"Data: {csv_path.name}, {csv_bytes / 1e6:.0f} MB, {gen_stats.get('rows')} rows; "
            f"{gen_stats.get('rejectable_rows')} must be rejected, {gen_stats.get('valid_rows')} are valid "
            f"({dirt})."
        ),
        (
            f"Runs: {args.repeat} per tool and phase (medians), --threads {args.threads}; "
            f"RSS floor inherited from the bench process: {floor / 2**20:.0f} MiB; "
            f"1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
            f"({os.cpu_count()} CPUs: other work on the machine slows every tool)."
        ),
    ]
    report = "\n".join(summary) + "\n\n" + table(results, csv_bytes)
    print(report)
    if args.write_results:
        write_results(args, report, versions, outcore)


def write_results(args, report, versions, outcore):
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, check=False, text=True
    ).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    version_line = ", ".join(f"{k} {v}" for k, v in versions.items())
    text = f"""# Ingest benchmark results

Produced by `python bench/ingest_bench.py {" ".join(sys.argv[1:])}` on {now}
(outcore commit {commit or "unknown"}, binary {outcore}). See bench/README.md for what is measured.

Versions: {version_line}.

Machine:
```
{chr(10).join(machine_description())}
```

{report}

wall s: median wall time of the child process (interpreter start and imports
included for Python tools). peak RSS: the child's ru_maxrss from os.wait4.
CSV MB/s: CSV bytes / wall. rows: rows the tool kept (ingest) or read (scan).
"""
    # This table heads the file; the sections other benchmarks append after it stay.
    results = BENCH / "RESULTS.md"
    previous = results.read_text() if results.exists() else ""
    rest = previous.find("\n## ")
    results.write_text(text + (previous[rest:] if rest >= 0 else ""))
    print(f"wrote the head of {results}", file=sys.stderr)


if __name__ == "__main__":
    main()
