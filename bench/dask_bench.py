"""outcore inside Dask against Dask's own CSV and Parquet path, on the same LocalCluster shape.

    python bench/dask_bench.py [--size 1G] [--files 8] [--runs 3] [--workers 2]

1. Ingest: the generator's sample (without dirt: Dask's reader stops at a row with a wrong
   field count) split into --files CSV files, turned into a folder of parts by
   ``outcore.dask.ingest`` (one task per file, each with --memory-limit) against
   ``dd.read_csv(files).to_parquet(dir)`` (pyarrow engine, zstd).
2. Query: ``read_oc(folder).groupby("topic").price.mean().compute()`` against the same on
   ``dd.read_parquet`` of the Parquet the peer wrote (the same rows).

Each run starts a fresh ``LocalCluster(n_workers, processes=True, threads_per_worker=1,
memory_limit=--worker-memory)``, so a worker's peak resident size (VmHWM from /proc, read on
the worker by ``client.run``) is that run's alone. The runs alternate (ours, theirs, ours, ...);
the table gives medians of wall time and of the larger worker peak. Inputs are generated on
demand under bench/out/ and are never committed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import machine_description  # noqa: E402


def worker_peak() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def split(sample: Path, files: int, out: Path) -> list[Path]:
    """The sample's rows dealt into `files` CSV files in order, each with the header."""
    out.mkdir(parents=True, exist_ok=True)
    size = sample.stat().st_size
    paths = [out / f"part{i:02d}.csv" for i in range(files)]
    if all(p.exists() for p in paths):
        return paths
    with open(sample, "rb") as f:
        header = f.readline()
        for i, path in enumerate(paths):
            target = size * (i + 1) // files
            with open(path, "wb") as w:
                w.write(header)
                while f.tell() < target:
                    line = f.readline()
                    if not line:
                        break
                    w.write(line)
    return paths


def cluster(workers, memory):
    import distributed

    lc = distributed.LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, memory_limit=memory,
                                  dashboard_address=None)
    return lc, distributed.Client(lc)


def timed(workers, memory, work):
    lc, client = cluster(workers, memory)
    try:
        start = time.perf_counter()
        result = work(client)
        wall = time.perf_counter() - start
        peaks = client.run(worker_peak)
        return wall, max(peaks.values()), result
    finally:
        client.close()
        lc.close()


def ours_ingest(files, folder, limit):
    def work(client):
        from outcore import dask as ocd

        shutil.rmtree(folder, ignore_errors=True)
        return ocd.ingest([str(p) for p in files], folder, client=client, memory_limit=limit, rejects=False)

    return work


def theirs_ingest(files, folder):
    def work(client):
        import dask.dataframe as dd

        shutil.rmtree(folder, ignore_errors=True)
        ddf = dd.read_csv([str(p) for p in files], dtype={"word": "object", "passage": "object"},
                          parse_dates=["day", "created"], blocksize="64MB")
        ddf.to_parquet(str(folder), engine="pyarrow", compression="zstd", write_index=False)
        return None

    return work


def ours_query(folder):
    def work(client):
        from outcore import dask as ocd

        return ocd.read_oc(folder, columns=["topic", "price"]).groupby("topic", observed=True).price.mean().compute()

    return work


def theirs_query(folder):
    def work(client):
        import dask.dataframe as dd

        return dd.read_parquet(str(folder), columns=["topic", "price"]).groupby("topic").price.mean().compute()

    return work


def mib(n):
    return f"{n / 2**20:.0f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1G")
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-memory", default="4GiB")
    parser.add_argument("--memory-limit", default="256MiB", help="each ingest task's budget")
    args = parser.parse_args()

    out = HERE / "out" / "dask"
    out.mkdir(parents=True, exist_ok=True)
    # Without dirt: Dask's CSV reader stops at the first row with a wrong field count, where
    # outcore would reject it.
    sample = out / f"sample-{args.size}-clean.csv"
    if not sample.exists():
        subprocess.run(["outcore", "gen", "--size", args.size, "--no-dirt", "-o", str(sample)], check=True)
    files = split(sample, args.files, out / f"split-{args.size}-clean-{args.files}")
    folder, parquet = out / "sample.ocd", out / "sample.parquet"

    rows = {}
    for label, ours, theirs in (
        ("ingest", ours_ingest(files, folder, args.memory_limit), theirs_ingest(files, parquet)),
        ("groupby", ours_query(folder), theirs_query(parquet)),
    ):
        if label == "groupby":
            # The query reads what the ingest runs wrote: make sure both exist.
            if not folder.exists():
                timed(args.workers, args.worker_memory, ours_ingest(files, folder, args.memory_limit))
            if not parquet.exists():
                timed(args.workers, args.worker_memory, theirs_ingest(files, parquet))
        a, b = [], []
        results = []
        for _ in range(args.runs):
            wall, peak, result = timed(args.workers, args.worker_memory, ours)
            a.append((wall, peak))
            results.append(result)
            wall, peak, result = timed(args.workers, args.worker_memory, theirs)
            b.append((wall, peak))
            results.append(result)
        if label == "groupby":
            ours_means, theirs_means = results[0].sort_index(), results[1].sort_index()
            diff = max(abs(float(ours_means[k]) - float(theirs_means[k])) for k in theirs_means.index)
            print(f"groupby means agree to {diff:.2e}")
        rows[label] = (a, b)

    sizes = (sum(f.stat().st_size for f in folder.glob("*.oc")),
             sum(f.stat().st_size for f in parquet.rglob("*.parquet")))
    print()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=HERE).stdout.strip()
    print("\n".join(machine_description()))
    print(f"commit {commit}; {args.size} sample in {args.files} files, {args.workers} workers x 1 thread, "
          f"worker memory {args.worker_memory}, ingest budget {args.memory_limit}, medians of {args.runs}")
    print()
    print("| step | outcore.dask wall | Dask wall | ratio | outcore worker peak | Dask worker peak |")
    print("|---|---|---|---|---|---|")
    for label, (a, b) in rows.items():
        wa, wb = statistics.median(x[0] for x in a), statistics.median(x[0] for x in b)
        pa, pb = statistics.median(x[1] for x in a), statistics.median(x[1] for x in b)
        peer = "read_csv -> to_parquet" if label == "ingest" else "read_parquet groupby"
        print(f"| {label} ({peer}) | {wa:.2f} s | {wb:.2f} s | {wa / wb:.2f}x | {mib(pa)} | {mib(pb)} |")
    print()
    print(f"on disk: parts {mib(sizes[0])}, Parquet {mib(sizes[1])}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
