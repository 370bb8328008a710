#!/usr/bin/env python3
"""How accurate the exact PCA's smallest explained variance is as the data grows ill-conditioned:
oc.PCA with one pass, with two passes (second_pass="always"), and sklearn's PCA(svd_solver="full"),
on matrices built with a known spectrum (doc/transforms.md, "Exact PCA", prints the table).

    python bench/transform/pca_accuracy.py [--rows 20000] [--cols 10]

Each matrix is U diag(s) V^T + 100 with U, V random orthonormal (U's columns orthogonal to the
ones vector, so the centred matrix has exactly those singular values) and s spaced evenly in log
from 1 to 1/kappa; the expected explained variances are s^2 / (n - 1). Deterministic (seeded): a
figure of rounding, not of time.
"""

from __future__ import annotations

import argparse

import numpy as np


def known_spectrum(rows, cols, kappa, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(rows, cols))
    u -= u.mean(axis=0)  # centred columns: orthogonal to the ones vector, and stay so under QR
    u, _ = np.linalg.qr(u)
    v, _ = np.linalg.qr(rng.normal(size=(cols, cols)))
    s = np.geomspace(1.0, 1.0 / kappa, cols)
    return (u * s) @ v.T + 100.0, s**2 / (rows - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--cols", type=int, default=10)
    args = parser.parse_args()
    from sklearn.decomposition import PCA as SkPCA

    import outcore as oc

    print("| kappa = s_max / s_min | one pass | two passes | sklearn full SVD |")
    print("|---:|---:|---:|---:|")
    for kappa in (1e2, 1e4, 1e6, 1e8):
        X, expected = known_spectrum(args.rows, args.cols, kappa)
        errors = []
        for model in (oc.PCA(second_pass="never"), oc.PCA(second_pass="always"), SkPCA(svd_solver="full")):
            got = model.fit(X).explained_variance_
            errors.append(abs(got[-1] - expected[-1]) / expected[-1])
        print(f"| {kappa:.0e} | " + " | ".join(f"{e:.1e}" for e in errors) + " |")


if __name__ == "__main__":
    main()
