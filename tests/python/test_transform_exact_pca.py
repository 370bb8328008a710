"""outcore.PCA (exact, out of core) against sklearn.decomposition.PCA(svd_solver="full").

One pass of the covariance route rounds each eigenvalue to ~eps times the largest; where an
eigenvalue is below 1e-6 of the largest, a second pass takes it to its own precision, as the full
SVD does (doc/transforms.md, "Exact PCA"). An explained variance is checked to 1e-9 of itself
wherever the SVD's own bound (eps * sqrt(largest * itself)) is smaller, and a component's
direction wherever its eigenvalue gap makes it well defined. Each data set is fitted from a NumPy
array, a memmap and a .oc file.
"""

import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA as SkPCA

import outcore
from conftest import run
from outcore import PCA

EPS = np.finfo(np.float64).eps


def variance_tolerance(expected, n_features, one_pass=False):
    """Per component: 1e-9 of its own explained variance, or the full SVD's rounding (a small
    multiple of eps * sqrt(largest * itself), and of eps^2 * largest for a zero one), whichever
    is larger; `one_pass`: the one-pass covariance bound instead (eps times the largest)."""
    if one_pass:
        return np.maximum(1e-9 * expected, 64 * n_features * EPS * expected[0])
    floor = 64 * n_features * EPS * (np.sqrt(expected[0] * np.maximum(expected, 0)) + EPS * expected[0])
    return np.maximum(1e-9 * expected, floor)


def well_separated(variance, n_features):
    """Components whose eigenvalue is 1e-6 of the largest away from its neighbours (their
    directions are then fixed to far better than 1e-9 in cosine by either solver)."""
    gaps = np.full(len(variance), np.inf)
    gaps[:-1] = np.minimum(gaps[:-1], variance[:-1] - variance[1:])
    gaps[1:] = np.minimum(gaps[1:], variance[:-1] - variance[1:])
    return gaps > 1e-6 * variance[0]


def assert_matches_full(ours, X, n_components=None, whiten=False, strict=None, theirs=None, full=None):
    """`ours` (fitted on X) against sklearn's full-SVD PCA (`theirs`, fitted here unless given;
    `full`: every explained variance); `strict`: how many leading components must be within 1e-9
    relative (the test data promises that many). The bound is the SVD's unless `ours` took one
    pass."""
    if theirs is None:
        theirs = SkPCA(n_components=n_components, whiten=whiten, svd_solver="full").fit(X)
    if full is None:
        full = SkPCA(svd_solver="full").fit(X).explained_variance_  # every eigenvalue: gaps and bound
    n, d = X.shape
    assert ours.n_components_ == theirs.n_components_
    assert ours.n_samples_ == theirs.n_samples_ == n and ours.n_features_in_ == d
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-13, atol=1e-13 * np.abs(X).max())
    one_pass = ours.n_passes_ == 1
    tol = variance_tolerance(full, d, one_pass)[: theirs.n_components_]
    ev = theirs.explained_variance_
    assert np.all(np.abs(ours.explained_variance_ - ev) <= tol), np.abs(ours.explained_variance_ - ev) / ev
    if strict is not None:  # the data is such that these meet 1e-9 relative outright
        assert np.all(tol[:strict] == 1e-9 * ev[:strict])
    np.testing.assert_allclose(ours.explained_variance_ratio_, theirs.explained_variance_ratio_,
                               atol=(tol / full.sum()).max())
    sv = theirs.singular_values_
    assert np.all(np.abs(ours.singular_values_**2 - sv**2) <= tol * (n - 1))
    noise_bound = full[0] if one_pass else np.sqrt(full[0] * theirs.noise_variance_) + EPS * full[0]
    noise_tol = max(1e-9 * theirs.noise_variance_, 64 * d * EPS * noise_bound)
    assert abs(ours.noise_variance_ - theirs.noise_variance_) <= noise_tol
    sure = well_separated(full, d)[: theirs.n_components_]
    assert sure.sum() >= min(3, theirs.n_components_), "the test data should have separated components"
    dots = np.sum(ours.components_ * theirs.components_, axis=1)
    assert np.all(dots[sure] >= 1 - 1e-9), dots  # positive: the same svd_flip signs
    if hasattr(ours, "feature_names_in_"):
        return theirs  # fitted on a Dataset: transform(ds) is checked apart
    Y = X[:50]
    np.testing.assert_allclose(ours.transform(Y)[:, sure], theirs.transform(Y)[:, sure], rtol=1e-6,
                               atol=1e-7 * np.abs(theirs.transform(Y)).max())
    return theirs


def digits():
    return load_digits().data  # 1797 x 64, a few columns constant 0: rank deficient


def mixed_scales(n=3000, d=12, seed=0):
    rng = np.random.default_rng(seed)
    scales = np.geomspace(1e3, 1e-2, d)
    mix = np.eye(d) + 0.1 * rng.normal(size=(d, d))
    return (rng.normal(size=(n, d)) * scales) @ mix + rng.normal(size=d) * 1e4


def near_rank_deficient(n=2000, d=20, rank=6, seed=1):
    """Rank-6 signal (singular values 10..1) plus noise 1e-5: the other 14 eigenvalues are ~1e-10
    of the largest, below the covariance's rounding, and close to one another."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, rank)))
    signal = rng.normal(size=(n, rank)) * np.linspace(10, 1, rank) @ q.T
    return signal + 1e-5 * rng.normal(size=(n, d)) + 5.0


def write_oc(X, folder, name):
    csv, oc = folder / f"{name}.csv", folder / f"{name}.oc"
    names = [f"c{i}" for i in range(X.shape[1])]
    np.savetxt(csv, X, delimiter=",", header=",".join(names), comments="", fmt="%.17g")
    run("ingest", csv, "-o", oc, "--schema", ",".join(f"{c}:float64" for c in names))
    return outcore.open(oc), names


DATA = {"digits": (digits, [None, 10], 5), "mixed_scales": (mixed_scales, [None, 4], 4),
        "near_rank_deficient": (near_rank_deficient, [6, 8], 6)}


@pytest.mark.parametrize("name", DATA)
def test_equal_to_sklearn_full_pca_from_an_array_a_memmap_and_an_oc_file(name, tmp_path):
    make, ks, strict = DATA[name]
    X = make()
    np.save(tmp_path / "x.npy", X)
    ds, names = write_oc(X, tmp_path, name)
    full = SkPCA(svd_solver="full").fit(X).explained_variance_
    for k, whiten in ((ks[0], False), (ks[1], True)):
        theirs = SkPCA(k, whiten=whiten, svd_solver="full").fit(X)
        fits = {"array": PCA(k, whiten=whiten).fit(X),
                "memmap": PCA(k, whiten=whiten).fit(np.load(tmp_path / "x.npy", mmap_mode="r")),
                "oc": PCA(k, whiten=whiten).fit(ds, columns=names)}
        for source, ours in fits.items():
            try:
                assert_matches_full(ours, X, k, whiten, min(strict, k or strict), theirs, full)
            except AssertionError as e:
                raise AssertionError(f"{name}, k={k}, whiten={whiten}, from {source}: {e}") from e
        # The same rows give the same numbers, whichever way they came.
        np.testing.assert_allclose(fits["memmap"].components_, fits["array"].components_, atol=1e-12)
        np.testing.assert_allclose(fits["oc"].explained_variance_, fits["array"].explained_variance_,
                                   rtol=1e-12)
    np.testing.assert_allclose(fits["oc"].transform(ds), fits["array"].transform(X), rtol=1e-9, atol=1e-9)


def test_a_second_pass_takes_the_small_eigenvalues_to_their_own_precision(tmp_path):
    """The near-rank-deficient matrix's 14 noise eigenvalues are ~1e-12 of the largest: one pass
    knows them to a few digits, two passes to 1e-9 of themselves, from every kind of input."""
    X = near_rank_deficient()
    theirs = SkPCA(svd_solver="full").fit(X)
    ev = theirs.explained_variance_
    one = PCA(second_pass="never").fit(X)
    assert one.n_passes_ == 1
    assert np.max(np.abs(one.explained_variance_ - ev) / ev) > 1e-6  # beyond one pass's reach
    np.save(tmp_path / "x.npy", X)
    ds, names = write_oc(X, tmp_path, "near")
    fits = {"array": PCA().fit(X), "memmap": PCA().fit(np.load(tmp_path / "x.npy", mmap_mode="r")),
            "fortran": PCA().fit(np.asfortranarray(X)), "oc": PCA().fit(ds, columns=names),
            "pickled": pickle.loads(pickle.dumps(PCA(8).fit(X)))}
    for source, ours in fits.items():
        assert ours.n_passes_ == 2, source
        k = ours.n_components_
        np.testing.assert_allclose(ours.explained_variance_, ev[:k], rtol=1e-9, err_msg=source)
    pickled = fits["pickled"]
    np.testing.assert_allclose(pickled.noise_variance_, ev[8:].mean(), rtol=1e-9)
    np.testing.assert_array_equal(pickled.transform(X[:10]), PCA(8).fit(X).transform(X[:10]))
    # Well-spread eigenvalues need no second pass, unless asked.
    Y = mixed_scales(2000, 6, seed=2)[:, :3]
    assert PCA().fit(Y).n_passes_ == 1 and PCA(second_pass="always").fit(Y).n_passes_ == 2
    with pytest.raises(ValueError, match="second_pass must be 'auto', 'always' or 'never'"):
        PCA(second_pass="twice").fit(Y)


def test_merged_partial_states_equal_the_fit_on_the_concatenation():
    X = mixed_scales(2000, 8, seed=3)
    whole = PCA(n_components=5).fit(X)
    left, right = PCA(n_components=5).fit(X[:700]), PCA(n_components=5)
    for part in (slice(700, 701), slice(701, 1500), slice(1500, 2000)):  # a one-row part too
        right.partial_fit(X[part])
    right = pickle.loads(pickle.dumps(right))  # states travel (to Dask workers) pickled
    merged = left.merge(right)
    assert merged.n_samples_ == 2000
    np.testing.assert_allclose(merged.mean_, whole.mean_, rtol=1e-14)
    ev = whole.explained_variance_
    assert np.all(np.abs(merged.explained_variance_ - ev) <= 1e-12 * ev + 16 * 8 * EPS * ev[0])
    np.testing.assert_allclose(merged.components_, whole.components_, atol=1e-10)
    assert_matches_full(merged, X, 5)
    with pytest.raises(ValueError, match="features"):
        PCA().fit(X).merge(PCA().fit(X[:, :3]))


def test_pickled_model_transforms_the_same_and_keeps_fitting():
    X = digits()
    pca = PCA(n_components=10, whiten=True).fit(X[:1000])
    back = pickle.loads(pickle.dumps(pca))
    for name in ("components_", "explained_variance_", "singular_values_", "mean_", "noise_variance_"):
        np.testing.assert_array_equal(getattr(back, name), getattr(pca, name))
    np.testing.assert_array_equal(back.transform(X[1000:]), pca.transform(X[1000:]))
    np.testing.assert_allclose(back.inverse_transform(back.transform(X[:5])),
                               pca.inverse_transform(pca.transform(X[:5])))
    back.partial_fit(X[1000:])
    np.testing.assert_allclose(back.explained_variance_, PCA(n_components=10).fit(X).explained_variance_,
                               rtol=1e-12)


def test_inverse_transform_and_fit_transform_follow_sklearn():
    X = mixed_scales(500, 6, seed=4)
    for whiten in (False, True):
        ours, theirs = PCA(6, whiten=whiten), SkPCA(6, whiten=whiten, svd_solver="full")
        np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), rtol=1e-6, atol=1e-8)
        Z = theirs.transform(X[:20])
        np.testing.assert_allclose(ours.inverse_transform(Z), theirs.inverse_transform(Z), rtol=1e-9)
        np.testing.assert_allclose(ours.get_covariance(), theirs.get_covariance(), rtol=1e-7,
                                   atol=1e-9 * np.abs(theirs.get_covariance()).max())
    assert PCA(n_components=3).get_params() == {"n_components": 3, "whiten": False, "copy": True,
                                                 "second_pass": "auto", "columns": None, "where": None,
                                                 "nulls": "fail"}
    assert PCA().set_params(n_components=2).fit(X).n_components_ == 2


def test_errors_say_what_is_wrong():
    X = mixed_scales(50, 4, seed=5)
    with pytest.raises(ValueError, match=r"n_components=5 must be between 1 and min\(n_samples, n_features\)=4"):
        PCA(5).fit(X)
    with pytest.raises(ValueError, match="at least 2 rows"):
        PCA().fit(X[:1])
    with pytest.raises(ValueError, match="positive integer or None"):
        PCA(0.9).fit(X)
    bad = X.copy()
    bad[30, 2] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinity \(row 30, column 2\)"):
        PCA().fit(bad)
    bad[30, 2] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        PCA().fit(np.asfortranarray(bad))  # the path that converts part by part


def test_float32_and_fortran_input():
    X = mixed_scales(800, 5, seed=6)
    ours = PCA(3).fit(np.asfortranarray(X))
    assert_matches_full(ours, X, 3)
    X32 = X.astype(np.float32)
    ours32 = PCA(3).fit(X32)  # fitted in float64, transformed back to float32
    assert ours32.transform(X32[:4]).dtype == np.float32
    np.testing.assert_allclose(ours32.explained_variance_, PCA(3).fit(X32.astype(np.float64)).explained_variance_)


def test_command_is_exact_by_default_and_incremental_on_request(tmp_path):
    X = near_rank_deficient(1500, 10, rank=4, seed=7)
    ds, names = write_oc(X, tmp_path, "cli")
    model, proj = tmp_path / "m.npz", tmp_path / "T.npy"
    result = run("pca", ds.path, "-k", 4, "-o", model, "--transform", proj)
    assert "(exact, two passes)" in result.stderr  # noise eigenvalues ~1e-12 of the largest
    theirs = SkPCA(4, svd_solver="full").fit(X)
    with np.load(model) as m:
        np.testing.assert_allclose(m["explained_variance"], theirs.explained_variance_, rtol=1e-9)
        np.testing.assert_allclose(m["components"], theirs.components_, atol=1e-9)
        np.testing.assert_allclose(m["mean"], theirs.mean_, rtol=1e-13)
        assert int(m["n_samples"]) == len(X) and [c.decode() for c in m["columns"]] == names
        # The mergeable state: n_samples, mean and the co-moments about the mean.
        centred = X - X.mean(axis=0)
        np.testing.assert_allclose(m["comoment"], centred.T @ centred, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.load(proj), theirs.transform(X), rtol=1e-7, atol=1e-9)
    result = run("pca", ds.path, "-k", 4, "-o", model, "--incremental", "--batch-size", 100)
    assert "(incremental, batch 100)" in result.stderr
    with np.load(model) as m:
        assert int(m["batch_size"]) == 100 and "comoment" not in m.files
    refused = run("pca", ds.path, "-k", 4, "-o", model, "--batch-size", 100, check=False)
    assert refused.returncode != 0 and "--incremental" in refused.stderr
    result = run("pca", ds.path, "-k", 4, "-o", model, "--second-pass", "never")
    assert "(exact)" in result.stderr
    with np.load(model) as m:
        np.testing.assert_allclose(m["explained_variance"], theirs.explained_variance_, rtol=1e-9)
