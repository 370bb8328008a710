"""The lossy forms on request (`outcore ingest --lossy`): per form, what a float column takes on
disk, the error it causes and what ingest pays for trying it, on real-looking data.

    python bench/lossy_bench.py [--rows 2000000] [--repeat 3] [--write-results]

Shapes, one float64 column each beside an int64 id, made on demand under bench/data/ (never
committed): shop prices with 2 decimals (log-normal around 20.00), sensor readings with 3
decimals (a temperature drifting through the day, with noise), and computed features at full
precision (17 significant digits). Each form runs as a fresh `outcore ingest --json` child
(--threads 2, the limit planned from the work), interleaved run by run; medians of wall and CPU
(user + sys), peak RSS from os.wait4 (bench/measure.py). Sizes and errors come from the ingest
report (measured at ingest: each chunk encoded and compressed both ways); they are the same
every run.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import append_results, median, run_measured

HERE = Path(__file__).resolve().parent

SHAPES = {
    "prices (2 decimals)": ("price", ["float32", "float16", "quantize:0.05", "quantize:1"]),
    "sensor (3 decimals)": ("reading", ["float32", "float16", "quantize:0.01", "quantize:0.1"]),
    "features (17 digits)": ("feature", ["float32", "float16", "quantize:0.001", "quantize:0.0001"]),
}


def write_shape(path, name, rows, seed=1):
    rng = random.Random(seed)
    column = SHAPES[name][0]
    with open(path, "w") as f:
        f.write(f"id,{column}\n")
        for i in range(rows):
            if column == "price":
                cents = min(500000, max(50, round(math.exp(math.log(20) + 1.2 * rng.gauss(0, 1)) * 100)))
                value = f"{cents // 100}.{cents % 100:02d}"
            elif column == "reading":
                value = f"{18 + 6 * math.sin(2 * math.pi * i / 86400) + rng.gauss(0, 0.2):.3f}"
            else:
                value = repr(rng.gauss(0, 1) * rng.lognormvariate(0, 1))
            f.write(f"{i},{value}\n")


def shape_csv(data_dir, name, rows):
    slug = name.split()[0]
    path = data_dir / f"lossy-{slug}-{rows}.csv"
    if not path.exists():
        write_shape(path, name, rows)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--outcore", default=shutil.which("outcore"))
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    if not args.outcore:
        sys.exit("no `outcore` on PATH (scripts/build.sh), or pass --outcore")
    data_dir = HERE / "data"
    data_dir.mkdir(exist_ok=True)

    table = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.oc"
        for name, (column, forms) in SHAPES.items():
            csv_path = shape_csv(data_dir, name, args.rows)
            variants = ["exact", *forms]
            runs = {form: [] for form in variants}
            for _ in range(args.repeat):
                for form in variants:
                    argv = [args.outcore, "ingest", str(csv_path), "-o", str(out), "--threads", "2", "--json", "-q"]
                    if form != "exact":
                        argv += ["--lossy", f"{column}={form}"]
                    run = run_measured(argv)
                    if not run.ok:
                        sys.exit(f"{name} {form}: {run.error_tail()}")
                    runs[form].append(run)
            exact_report = runs["exact"][0].json()
            exact_bytes = next(c["stored_bytes"] for c in exact_report["columns"] if c["name"] == column)
            exact_encoding = next(c["encodings"] for c in exact_report["columns"] if c["name"] == column)
            exact_cpu = median([r.cpu for r in runs["exact"]])
            for form in variants:
                report = runs[form][0].json()
                col = next(c for c in report["columns"] if c["name"] == column)
                lossy = report["lossy"][0] if report["lossy"] else None
                cpu = median([r.cpu for r in runs[form]])
                if lossy and lossy["bytes_saved"] != exact_bytes - col["stored_bytes"]:
                    sys.exit(f"{name} {form}: the report's bytes_saved {lossy['bytes_saved']} is not the difference "
                             f"against the exact ingest, {exact_bytes - col['stored_bytes']} (other chunking?)")
                table.append([
                    name,
                    form if form != "exact" else f"exact ({exact_encoding})",
                    f"{col['stored_bytes'] / 2**20:.2f}",
                    f"{col['stored_bytes'] / args.rows:.2f}",
                    f"{100 * (exact_bytes - col['stored_bytes']) / exact_bytes:.1f}%" if lossy else "-",
                    f"{lossy['max_abs_error']:.3g}" if lossy else "0",
                    f"{lossy['max_rel_error']:.3g}" if lossy else "0",
                    (f"{lossy['chunks_lossy']}/{report['chunks']}" + (
                        f" ({lossy['chunks_exact_not_smaller']} not smaller)" if lossy["chunks_exact_not_smaller"]
                        else "")) if lossy else "-",
                    f"{median([r.wall for r in runs[form]]):.2f}",
                    f"{cpu:.2f}",
                    f"{(cpu / exact_cpu - 1) * 100:+.0f}%" if form != "exact" else "-",
                    f"{median([r.max_rss for r in runs[form]]) / 2**20:.0f}",
                ])
                print(" | ".join(table[-1]), flush=True)

    header = ["data", "form", "column MiB", "bytes/value", "saved", "max abs err", "max rel err", "lossy chunks",
              "wall s", "cpu s", "cpu vs exact", "peak RSS MiB"]
    if args.write_results:
        append_results(
            "Lossy forms on request: size and error per form on a float column",
            f"python bench/lossy_bench.py --rows {args.rows} --repeat {args.repeat} --write-results",
            f"Medians of {args.repeat} interleaved runs per row; {args.rows:,} rows per shape, one float64 "
            "column beside an int64 id; --threads 2, the memory limit planned from the work.",
            "column MiB and bytes/value: the float column's stored (compressed) chunks; saved: against the "
            "exact ingest of the same file (checked equal to the report's bytes_saved); errors: the report's, "
            "measured on the decoded values; lossy chunks: chunks stored lossy of all (the rest kept exact "
            "because the lossy form was not smaller); cpu vs exact: the cost of encoding and compressing the "
            "column both ways.",
            header,
            table,
            text_columns=2,
        )


if __name__ == "__main__":
    main()
