#!/usr/bin/env python3
"""Exact PCA out of core: oc.PCA against scikit-learn's PCA(svd_solver="full") (in memory) and
IncrementalPCA (the out-of-core peer), side by side in one run; then oc.PCA's peak RSS at 1M and
4M rows, which should not grow with the rows.

    python bench/transform/pca_bench.py [--repeat 3] [--write-results]

Inputs are made on demand under --data (default /tmp/outcore-bench-pca, never committed):

* random: a rows x 50 float64 .npy of correlated columns (transform_bench.prepare_npy), 2M rows
  for the comparison and 1M / 4M for the RSS check. oc.PCA and IncrementalPCA read it as a
  memmap; sklearn's PCA gets it loaded into memory first (not timed).
* sample: the 1 GB sample of `outcore gen --size 1G` (bench/measure.generated_csv) ingested to
  .oc; its measurement columns active, quantity, score, price (id, a row number, is left out),
  rows with a null in them dropped. oc.PCA streams the .oc file; scikit-learn gets the same rows
  as an array (ds.to_numpy, not timed). The RSS check picks 1M and 4M of its rows by id.

Every run is a fresh child (bench/measure.py: peak RSS from os.wait4); the fit's own seconds are
reported by the child, medians of --repeat runs. BLAS is single-threaded for every tool
(OPENBLAS_NUM_THREADS=1, as bench/transform/transform_bench.py). Results are checked against
sklearn's PCA: the smallest |cos| between matching components and the largest relative error
of the explained variances.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from measure import append_results, generated_csv, median, repeated_child  # noqa: E402

SAMPLE_COLUMNS = ["active", "quantity", "score", "price"]
NOT_NULL = " and ".join(f"{c} is not null" for c in SAMPLE_COLUMNS)

CHILD = r"""
import json, sys, time
import numpy as np
tool, source, path, k, out, where = sys.argv[1:7]
k = int(k)
columns = ["active", "quantity", "score", "price"]
not_null = " and ".join(f"{c} is not null" for c in columns)
if tool == "outcore":
    import outcore as oc
    PCA = oc.PCA  # loads the estimators (and scikit-learn's base classes) before the clock starts
    if source == "npy":
        X = np.load(path, mmap_mode="r")
    else:
        X = oc.open(path)
    start = time.perf_counter()
    if source == "npy":
        model = PCA(k).fit(X)
    else:
        model = PCA(k).fit(X, columns=columns, nulls="drop", where=where or None)
    seconds = time.perf_counter() - start
    rows = model.n_samples_
else:
    from sklearn.decomposition import PCA, IncrementalPCA
    if source == "npy":
        X = np.load(path, mmap_mode="r" if tool == "ipca" else None)
    else:
        import outcore as oc
        X = oc.open(path).to_numpy(columns, where=f"({where}) and {not_null}" if where else not_null,
                                   dtype="float64")
    start = time.perf_counter()
    model = PCA(k, svd_solver="full").fit(X) if tool == "pca" else IncrementalPCA(k).fit(X)
    seconds = time.perf_counter() - start
    rows = X.shape[0]
np.savez(out, components=model.components_, explained_variance=model.explained_variance_)
print(json.dumps({"seconds": seconds, "rows": int(rows)}))
"""

TOOLS = (("outcore", "oc.PCA"), ("pca", "sklearn PCA(svd_solver='full')"), ("ipca", "sklearn IncrementalPCA"))


def child(args, tool, source, path, k, out, where=""):
    argv = [sys.executable, "-c", CHILD, tool, source, str(path), str(k), str(out), where]
    env_runs = repeated_child_env(argv, args.repeat, f"{tool} {source}")
    if len(env_runs) < args.repeat:
        sys.exit(f"{tool} on {path} failed")
    return {"seconds": median([r[1]["seconds"] for r in env_runs]),
            "rss_mib": median([r[0].max_rss for r in env_runs]) / (1 << 20),
            "rows": env_runs[0][1]["rows"], "runs": len(env_runs)}


def repeated_child_env(argv, repeat, label):
    """measure.repeated_child with single-threaded BLAS in the child."""
    previous = os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    try:
        return repeated_child(argv, repeat, label)
    finally:
        if previous is None:
            del os.environ["OPENBLAS_NUM_THREADS"]
        else:
            os.environ["OPENBLAS_NUM_THREADS"] = previous


def compare(ours, theirs):
    import numpy as np

    with np.load(ours) as a, np.load(theirs) as b:
        cos = np.abs(np.sum(a["components"] * b["components"], axis=1)).min()
        ev = np.max(np.abs(a["explained_variance"] / b["explained_variance"] - 1))
    return float(cos), float(ev)


def prepare_npy(rows, data):
    """transform_bench's random matrix, written in a child (a parent that touched it would pass
    its peak RSS on to every measured child)."""
    code = f"import sys; sys.path.insert(0, {str(HERE)!r}); from transform_bench import prepare_npy; " \
           f"print(prepare_npy({rows}, {str(data)!r}))"
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def prepare_sample(args):
    csv, _, _, _ = generated_csv(args.outcore, "1G", args.seed, 0, Path(args.data))
    oc_path = csv.with_suffix(".oc")
    if not oc_path.exists() or oc_path.stat().st_mtime < csv.stat().st_mtime:
        subprocess.run([args.outcore, "ingest", str(csv), "-o", str(oc_path)], check=True, capture_output=True)
    return csv, oc_path


def side_by_side(args, label, source, path, k, where=""):
    outs = {tool: Path(args.data) / f"model-{tool}.npz" for tool, _ in TOOLS}
    results = {tool: child(args, tool, source, path, k, outs[tool], where) for tool, _ in TOOLS}
    checks = {tool: compare(outs["outcore"], outs[tool]) for tool in ("pca", "ipca")}
    ours = results["outcore"]
    rows = []
    for tool, name in TOOLS:
        r = results[tool]
        cos, ev = checks.get(tool, (None, None))
        rows.append([label, name, f"{r['rows']:,}", f"{r['seconds']:.3f}",
                     "1.0x" if tool == "outcore" else f"{r['seconds'] / ours['seconds']:.1f}x",
                     f"{r['rss_mib']:.0f}",
                     "" if cos is None else f"{cos:.12f}", "" if ev is None else f"{ev:.1e}", r["runs"]])
        print(" | ".join(map(str, rows[-1])), flush=True)
    return rows


def rss_rows(args, sample):
    rows = []
    for label, source, make in (
            ("random x 50, memmap .npy", "npy", lambda n: (prepare_npy(n, args.data), "")),
            ("1 GB sample, .oc file", "oc", lambda n: (sample, f"id <= {n}"))):
        peaks = []
        for n in (1_000_000, 4_000_000):
            path, where = make(n)
            r = child(args, "outcore", source, path, 3 if source == "oc" else 10,
                      Path(args.data) / "model-rss.npz", where)
            peaks.append(r)
        growth = peaks[1]["rss_mib"] / peaks[0]["rss_mib"] - 1
        rows.append([label, f"{peaks[0]['rows']:,}", f"{peaks[0]['rss_mib']:.1f}", f"{peaks[1]['rows']:,}",
                     f"{peaks[1]['rss_mib']:.1f}", f"{growth * 100:+.1f}%", f"{peaks[0]['seconds']:.3f}",
                     f"{peaks[1]['seconds']:.3f}"])
        print(" | ".join(rows[-1]), flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rows", type=int, default=2_000_000, help="rows of the random matrix compared")
    ap.add_argument("--seed", type=int, default=42, help="seed of the 1 GB sample")
    ap.add_argument("--data", default="/tmp/outcore-bench-pca")
    ap.add_argument("--outcore", default=os.environ.get("OUTCORE_BIN", "outcore"))
    ap.add_argument("--write-results", action="store_true", help="append the tables to bench/RESULTS.md")
    args = ap.parse_args()
    os.makedirs(args.data, exist_ok=True)
    npy = prepare_npy(args.rows, args.data)
    csv, sample = prepare_sample(args)
    table = side_by_side(args, f"random {args.rows:,} x 50, 10 components", "npy", npy, 10)
    table += side_by_side(args, "1 GB sample: active, quantity, score, price; 3 components", "oc", sample, 3)
    rss = rss_rows(args, sample)
    if args.write_results:
        write_results(args, table, rss, csv, sample)


def write_results(args, table, rss, csv, sample):
    import numpy
    import sklearn

    about = (f"Data: a random {args.rows:,} x 50 float64 matrix (correlated columns, scales 10 .. 0.5) as a "
             f".npy, memory-mapped for oc.PCA and IncrementalPCA, loaded for sklearn's PCA; and `outcore gen "
             f"--size 1G --seed {args.seed}` ({csv.stat().st_size >> 20} MiB of CSV, "
             f"{sample.stat().st_size >> 20} MiB of .oc), columns {', '.join(SAMPLE_COLUMNS)} with nulls dropped, "
             f"streamed from the .oc file by oc.PCA and handed to scikit-learn as an array (ds.to_numpy, not "
             f"timed). Versions: python {sys.version.split()[0]}, numpy {numpy.__version__}, scikit-learn "
             f"{sklearn.__version__}; OPENBLAS_NUM_THREADS=1 for every tool.")
    append_results(
        "Exact PCA out of core: oc.PCA against sklearn PCA and IncrementalPCA (issue 13)",
        f"python bench/transform/pca_bench.py --repeat {args.repeat} --write-results",
        about,
        "Each run is a fresh child; fit s is the fit alone (the child's own clock), medians of the runs; "
        "peak RSS is the child's ru_maxrss (os.wait4), imports and the loaded array included. x oc.PCA: the "
        "tool's fit time over oc.PCA's. min |cos| and max EV rel err: against oc.PCA's components and "
        "explained variances (IncrementalPCA is an approximation of PCA when components < features).",
        ["data", "tool", "rows", "fit s", "x oc.PCA", "peak RSS MiB", "min abs cos", "max EV rel err", "runs"],
        table, text_columns=2)
    append_results(
        "Exact PCA: peak RSS of oc.PCA at 1M and 4M rows (issue 13)",
        f"python bench/transform/pca_bench.py --repeat {args.repeat} --write-results",
        "The same child as above (oc.PCA, 10 components of the random matrix from a memmap; 3 components of "
        "the sample's columns from the .oc file, `where='id <= N'`).",
        "Medians of the runs; the target is growth within 5%.",
        ["input", "rows", "peak RSS MiB", "rows", "peak RSS MiB", "growth", "fit s", "fit s"],
        rss)
    print(json.dumps({"written": "bench/RESULTS.md"}))


if __name__ == "__main__":
    main()
