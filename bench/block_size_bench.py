"""Ingest at several block sizes, and at the default budget, on several shapes of data: what a
block size costs in time, CPU and memory, and where larger blocks stop paying (the "sweet spot"
that caps planned blocks, src/ingest/memory_plan.h kSweetSpotBlockBytes).

    python bench/block_size_bench.py [--size 200M] [--repeat 3] [--write-results]

Shapes, made on demand under bench/data/ (never committed): the generator's sample (mixed types,
text, dirt), 10 float64 columns of 6 decimals, and 2,000 small-integer columns. Each run is a
fresh `outcore ingest --json` child at --memory-limit 4GiB with --block-size B (and one row
without either flag: the limit planned from the work), interleaved run by run so drift hits
every row alike; medians; CPU (user + sys) and peak RSS from os.wait4 (bench/measure.py).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import append_results, generated_csv, median, run_measured

HERE = Path(__file__).resolve().parent
BLOCKS = ["512KiB", "1MiB", "2MiB", "4MiB", "8MiB", "16MiB", "64MiB"]


def floats_csv(path, rows, seed=1):
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write(",".join(f"x{i}" for i in range(10)) + "\n")
        for _ in range(rows):
            f.write(",".join(f"{rng.gauss(0, 1):.6f}" for _ in range(10)) + "\n")


def wide_csv(path, rows, seed=5):
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write(",".join(f"c{i}" for i in range(2000)) + "\n")
        for _ in range(rows):
            f.write(",".join(str(rng.randrange(100)) for _ in range(2000)) + "\n")


def shape(data_dir, name, make, rows):
    path = data_dir / f"{name}-{rows}.csv"
    if not path.exists():
        make(path, rows)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="200M", help="the generator's sample size")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--outcore", default=shutil.which("outcore"))
    parser.add_argument("--write-results", action="store_true", help="append the table to bench/RESULTS.md")
    args = parser.parse_args()
    data_dir = HERE / "data"
    gen, _, _, _ = generated_csv(args.outcore, args.size, 42, 2, data_dir)
    shapes = [
        ("generator sample", gen),
        ("10 float64 columns", shape(data_dir, "floats10", floats_csv, 1_500_000)),
        ("2,000 int columns", shape(data_dir, "wide2000", wide_csv, 12_000)),
    ]
    configs = [(b, ["--memory-limit", "4GiB", "--block-size", b]) for b in BLOCKS] + [("default", [])]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.oc"
        for label, csv in shapes:
            runs = {name: [] for name, _ in configs}
            for _ in range(args.repeat):
                for name, flags in configs:
                    run = run_measured([args.outcore, "ingest", str(csv), "-o", str(out), "--json", "-q", *flags])
                    if not run.ok:
                        sys.exit(f"{label} {name}: {run.error_tail()}")
                    runs[name].append(run)
            for name, _ in configs:
                report = runs[name][-1].json()
                plan = report["memory_plan"]
                rows.append([
                    label,
                    name,
                    f"{plan['block_bytes'] / 2**20:.2f}",
                    report["chunks"],
                    f"{median([r.wall for r in runs[name]]):.2f}",
                    f"{median([r.cpu for r in runs[name]]):.2f}",
                    f"{median([r.max_rss for r in runs[name]]) / 2**20:.0f}",
                    f"{report['memory_limit'] / 2**20:.0f}",
                    f"{report['output_bytes'] / 2**20:.1f}",
                ])
                print(" | ".join(map(str, rows[-1])), flush=True)
    if args.write_results:
        append_results(
            "Block size: where larger blocks stop paying, and the default budget",
            f"python bench/block_size_bench.py --size {args.size} --repeat {args.repeat} --write-results",
            f"Medians of {args.repeat} interleaved runs per row; inputs: the generator's {args.size} sample, "
            "1.5M rows x 10 float64, 12,000 rows x 2,000 small ints.",
            "Rows with a block size ran at --memory-limit 4GiB --block-size B; `default` gave neither flag "
            "(the limit planned from the work, blocks capped at the sweet spot). CPU = user + sys of the child.",
            ["shape", "block", "block MiB", "chunks", "wall s", "cpu s", "peak RSS MiB", "limit MiB", "output MiB"],
            rows,
            text_columns=2,
        )


if __name__ == "__main__":
    main()
