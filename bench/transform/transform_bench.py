#!/usr/bin/env python3
"""Transform benchmark: outcore against scikit-learn, side by side, in one run.

Every case runs in its own fresh process; wall time and peak RSS of that child come from the
OS (os.wait4's ru_maxrss). Results are checked, not just timed: hashed matrices must be
identical to scikit-learn's, PCA components must match to |cosine| >= 0.999999 and explained
variance to 1e-9 relative at the same batch size.

    python bench/transform/transform_bench.py --quick            # small smoke run
    python bench/transform/transform_bench.py --write-results    # 1M hashing, 2M x 50 PCA (+1M for RSS)
    python bench/transform/transform_bench.py --hash-only        # the two hashing rows (+ CPU times), printed

Data is generated into bench/data/transform/ (cached): an .oc file from `outcore gen` for
hashing, and float64 .npy matrices (written chunk by chunk) for PCA, read as memmaps.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "transform")
N_FEATURES = 50
N_COMPONENTS = 10
REPEAT = 3  # hashing cases: best of 3 in one process (PCA fits run once: they take seconds)


def outcore_bin():
    return os.environ.get("OUTCORE_BIN") or shutil.which("outcore") or sys.exit("outcore is not on PATH")


def prepare_oc(rows):
    path = os.path.join(DATA, f"hash_{rows}.oc")
    if not os.path.exists(path):
        csv = path[:-3] + ".csv"
        subprocess.run([outcore_bin(), "gen", "--rows", str(rows), "--seed", "1", "--no-dirt", "-o", csv], check=True,
                       capture_output=True)
        subprocess.run([outcore_bin(), "ingest", csv, "-o", path], check=True, capture_output=True)
        os.remove(csv)
    return path


def prepare_npy(rows, folder=DATA):
    """A rows x 50 float64 .npy of correlated columns (scales 10 .. 0.5), written 100k rows at a
    time (cached in `folder`)."""
    import numpy as np

    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"pca_{rows}x{N_FEATURES}.npy")
    if not os.path.exists(path):
        rng = np.random.default_rng(0)
        mix = rng.normal(size=(N_FEATURES, N_FEATURES))
        scales = np.geomspace(10.0, 0.5, N_FEATURES)
        out = np.lib.format.open_memmap(path + ".tmp", mode="w+", dtype=np.float64, shape=(rows, N_FEATURES))
        for start in range(0, rows, 100_000):
            n = min(100_000, rows - start)
            out[start:start + n] = (rng.normal(size=(n, N_FEATURES)) * scales) @ mix + 1.0
        out.flush()
        del out
        os.replace(path + ".tmp", path)
    return path


# ---------------------------------------------------------------- children (one case each)

def child_hash_oc(tool, path, out):
    import numpy as np

    import outcore
    from outcore.transform import FeatureHasher

    ds = outcore.open(path)
    columns = ["topic", "word"]
    if tool == "outcore":
        seconds = cpu = float("inf")
        for _ in range(REPEAT):  # best of REPEAT, as for scikit-learn below
            t, c = time.perf_counter(), time.process_time()
            X = FeatureHasher(2**20).transform_dataset(ds, columns=columns)
            seconds, cpu = min(seconds, time.perf_counter() - t), min(cpu, time.process_time() - c)
        import scipy.sparse as sp

        sp.save_npz(out, X, compressed=False)
        return {"seconds": seconds, "cpu_seconds": cpu, "rows": X.shape[0], "nnz": int(X.nnz)}
    from sklearn.feature_extraction import FeatureHasher as SkHasher

    rows = []  # input preparation is not timed: sklearn needs Python dicts
    for batch in ds.scan(columns=columns, batch_rows=1 << 20):
        cols = {c: batch[c].to_pandas() for c in columns}
        for values in zip(*(cols[c] for c in columns)):
            rows.append({c: v for c, v in zip(columns, values) if isinstance(v, str)})
    seconds = cpu = float("inf")
    for _ in range(REPEAT):
        t, c = time.perf_counter(), time.process_time()
        X = SkHasher(2**20).transform(rows)
        seconds, cpu = min(seconds, time.perf_counter() - t), min(cpu, time.process_time() - c)
    import scipy.sparse as sp

    Y = sp.load_npz(out)
    X.sort_indices()
    identical = (X.shape == Y.shape and np.array_equal(X.indptr, Y.indptr) and np.array_equal(X.indices, Y.indices)
                 and np.array_equal(X.data, Y.data))
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": X.shape[0], "nnz": int(X.nnz),
            "identical": bool(identical)}


def child_hash_list(tool, path, out):
    import numpy as np
    from sklearn.feature_extraction import FeatureHasher as SkHasher

    import outcore
    from outcore.transform import FeatureHasher

    samples = []
    for batch in outcore.open(path).scan(columns=["passage"], batch_rows=1 << 20):
        samples.extend(s.split() if isinstance(s, str) else [] for s in batch["passage"].to_pandas())
    t_ours = t_sk = c_ours = c_sk = float("inf")
    for _ in range(REPEAT):  # alternating, best of REPEAT each
        t, c = time.perf_counter(), time.process_time()
        ours = FeatureHasher(2**20, input_type="string").transform(samples)
        t_ours, c_ours = min(t_ours, time.perf_counter() - t), min(c_ours, time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        theirs = SkHasher(2**20, input_type="string").transform(samples)
        t_sk, c_sk = min(t_sk, time.perf_counter() - t), min(c_sk, time.process_time() - c)
    theirs.sort_indices()
    identical = (np.array_equal(ours.indptr, theirs.indptr) and np.array_equal(ours.indices, theirs.indices)
                 and np.array_equal(ours.data, theirs.data))
    return {"outcore_seconds": t_ours, "sklearn_seconds": t_sk, "outcore_cpu_seconds": c_ours,
            "sklearn_cpu_seconds": c_sk, "rows": len(samples), "nnz": int(ours.nnz), "identical": bool(identical)}


def child_pca(tool, path, out):
    import numpy as np

    X = np.load(path, mmap_mode="r")
    t = time.perf_counter()
    if tool == "outcore":
        from outcore.transform import IncrementalPCA

        model = IncrementalPCA(n_components=N_COMPONENTS).fit(X)
    else:
        from sklearn.decomposition import IncrementalPCA

        model = IncrementalPCA(n_components=N_COMPONENTS).fit(X)
    seconds = time.perf_counter() - t
    np.savez(out, components=model.components_, explained_variance=model.explained_variance_,
             explained_variance_ratio=model.explained_variance_ratio_, singular_values=model.singular_values_,
             noise_variance=model.noise_variance_)
    return {"seconds": seconds, "rows": X.shape[0], "batch_size": int(model.batch_size_)}


def child_normalize(tool, path, out):
    """normalize_ on a writable memmap: RssAnon (heap: a copy would land there) before and after."""
    import re

    import numpy as np

    def anon_mib():
        with open("/proc/self/status") as f:
            return int(re.search(r"RssAnon:\s+(\d+)", f.read()).group(1)) / 1024

    from sklearn.preprocessing import StandardScaler

    from outcore.transform import normalize_

    shutil.copyfile(path, out)
    X = np.load(out, mmap_mode="r+")
    before = anon_mib()
    t = time.perf_counter()
    if tool == "outcore":
        normalize_(X, "zscore")
    else:
        X = StandardScaler().fit_transform(X)  # returns a new array
    seconds = time.perf_counter() - t
    grown = anon_mib() - before
    del X
    os.remove(out)
    return {"seconds": seconds, "anon_growth_mib": grown}


def child_prepare(tool, rows, out):
    """Writes the data in a child: a parent that touched 800 MB would pass that peak RSS on."""
    return {"path": prepare_npy(int(rows)) if tool == "npy" else prepare_oc(int(rows))}


def child_baseline(tool, path, out):
    import numpy as np  # noqa: F401

    import outcore.transform  # noqa: F401

    if tool == "sklearn":
        import sklearn.decomposition  # noqa: F401
    return {"seconds": 0.0}


CHILDREN = {"normalize": child_normalize, "hash-oc": child_hash_oc, "hash-list": child_hash_list, "pca": child_pca,
            "prepare": child_prepare, "baseline": child_baseline}


# ---------------------------------------------------------------- parent

def run_child(case, tool, path, out):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", case, tool, path, out]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")})
    stdout = proc.stdout.read()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        sys.exit(f"{case} {tool} failed:\n{stderr.decode()}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    result["peak_rss_mib"] = usage.ru_maxrss / 1024
    return result


def compare_pca(a, b):
    import numpy as np

    x, y = np.load(a), np.load(b)
    cos = np.abs(np.sum(x["components"] * y["components"], axis=1))
    ev = np.max(np.abs(x["explained_variance"] / y["explained_variance"] - 1))
    return float(cos.min()), float(ev)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, case, tool, path, out = sys.argv
        print(json.dumps(CHILDREN[case](tool, path, out)))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100k hashing rows, 200k/400k PCA rows")
    ap.add_argument("--hash-rows", type=int, default=1_000_000)
    ap.add_argument("--pca-rows", type=int, nargs=2, default=[1_000_000, 2_000_000], help="two sizes (RSS check)")
    ap.add_argument("--write-results", action="store_true", help="write bench/transform/RESULTS.md")
    ap.add_argument("--hash-only", action="store_true", help="only the two hashing cases, printed (not written)")
    a = ap.parse_args()
    if a.hash_only and a.write_results:
        ap.error("--hash-only prints its rows; --write-results needs every case")
    if a.quick:
        a.hash_rows, a.pca_rows = 100_000, [200_000, 400_000]
    os.makedirs(DATA, exist_ok=True)
    lines = ["| case | rows | scikit-learn | outcore | speed-up | check | peak RSS sklearn / outcore |",
             "|---|---|---|---|---|---|---|"]

    base_ours = run_child("baseline", "outcore", "-", "-")["peak_rss_mib"]
    base_sk = run_child("baseline", "sklearn", "-", "-")["peak_rss_mib"]
    oc = run_child("prepare", "oc", str(a.hash_rows), "-")["path"]
    npz = os.path.join(DATA, "hash_out.npz")
    ours = run_child("hash-oc", "outcore", oc, npz)
    theirs = run_child("hash-oc", "sklearn", oc, npz)
    lines.append(f"| hash .oc columns topic,word (n_features 2^20) | {ours['rows']:,} | {theirs['seconds']:.2f} s "
                 f"| {ours['seconds']:.3f} s | {theirs['seconds'] / ours['seconds']:.1f}x | identical: "
                 f"{theirs['identical']} | {theirs['peak_rss_mib']:.0f} / {ours['peak_rss_mib']:.0f} MiB |")
    both = run_child("hash-list", "both", oc, npz)
    lines.append(f"| hash Python lists of strings (passage tokens) | {both['rows']:,} "
                 f"| {both['sklearn_seconds']:.2f} s | {both['outcore_seconds']:.2f} s "
                 f"| {both['sklearn_seconds'] / both['outcore_seconds']:.1f}x "
                 f"| identical: {both['identical']} | (same process) |")
    if a.hash_only:
        print("\n".join(lines))
        print(f"CPU seconds, best of {REPEAT}: .oc sklearn {theirs['cpu_seconds']:.3f} / outcore "
              f"{ours['cpu_seconds']:.3f}; lists sklearn {both['sklearn_cpu_seconds']:.2f} / outcore "
              f"{both['outcore_cpu_seconds']:.2f}")
        return
    for rows in a.pca_rows:
        npy = run_child("prepare", "npy", str(rows), "-")["path"]
        o_out, s_out = os.path.join(DATA, "pca_outcore.npz"), os.path.join(DATA, "pca_sklearn.npz")
        ours = run_child("pca", "outcore", npy, o_out)
        theirs = run_child("pca", "sklearn", npy, s_out)
        cos, ev = compare_pca(o_out, s_out)
        lines.append(f"| IncrementalPCA {N_COMPONENTS} of {N_FEATURES}, memmap .npy, batch {ours['batch_size']} "
                     f"| {rows:,} | {theirs['seconds']:.2f} s | {ours['seconds']:.2f} s "
                     f"| {theirs['seconds'] / ours['seconds']:.1f}x | min cos {cos:.9f}, EV rel err {ev:.1e} "
                     f"| {theirs['peak_rss_mib']:.0f} / {ours['peak_rss_mib']:.0f} MiB |")
    npy = run_child("prepare", "npy", str(a.pca_rows[0]), "-")["path"]
    scratch = os.path.join(DATA, "normalize_scratch.npy")
    ours = run_child("normalize", "outcore", npy, scratch)
    theirs = run_child("normalize", "sklearn", npy, scratch)
    lines.append(f"| z-score a {N_FEATURES}-column memmap (r+) in place vs StandardScaler | {a.pca_rows[0]:,} "
                 f"| {theirs['seconds']:.2f} s | {ours['seconds']:.2f} s | {theirs['seconds'] / ours['seconds']:.1f}x "
                 f"| heap growth: sklearn {theirs['anon_growth_mib']:.0f} MiB, "
                 f"outcore {ours['anon_growth_mib']:.0f} MiB "
                 f"| {theirs['peak_rss_mib']:.0f} / {ours['peak_rss_mib']:.0f} MiB |")
    lines.append(f"| (baseline: a child that only imports numpy + outcore / + sklearn) | | | | | | "
                 f"{base_sk:.0f} / {base_ours:.0f} MiB |")
    table = "\n".join(lines)
    print(table)
    if a.write_results:
        import platform

        with open(os.path.join(HERE, "RESULTS.md"), "w") as f:
            f.write("# Transform benchmark results\n\n")
            f.write(f"`python bench/transform/transform_bench.py` on {platform.machine()}, {os.cpu_count()} cores "
                    f"(shared, loaded), {time.strftime('%Y-%m-%d')}. Single-threaded BLAS for both "
                    "(OPENBLAS_NUM_THREADS=1). Hashing times are the best of 3 runs in one process for each tool; "
                    "PCA fits run once. scikit-learn's hashing time is its transform() alone: building its "
                    "input dicts from the file is not counted.\n\n")
            f.write(table + "\n")


if __name__ == "__main__":
    main()
