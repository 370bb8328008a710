"""outcore.normalize_ against MinMaxScaler / StandardScaler, in place."""

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from outcore.transform import normalize_


def data(n=500, d=4, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    scale, shift = np.resize([1, 100, 1e-3, 5], d), np.resize([0, 1e6, 2, -3], d)
    return (rng.normal(size=(n, d)) * scale + shift).astype(dtype)


@pytest.mark.parametrize("method,scaler", [("minmax", MinMaxScaler()), ("zscore", StandardScaler()),
                                           ("minmax", MinMaxScaler(feature_range=(-1, 3)))])
@pytest.mark.parametrize("order", ["C", "F"])
def test_in_place_matches_sklearn(method, scaler, order):
    X = np.asarray(data(), order=order)
    expected = scaler.fit_transform(X)
    address = X.__array_interface__["data"][0]
    params = normalize_(X, method, feature_range=getattr(scaler, "feature_range", (0, 1)))
    assert X.__array_interface__["data"][0] == address  # the same memory, no copy swapped in
    # Sums run row by row as numpy's do over a C array; a Fortran array numpy sums pairwise,
    # so there the last bits may differ.
    tol = 1e-12 if order == "C" else 1e-10
    np.testing.assert_allclose(X, expected, rtol=tol, atol=tol)
    np.testing.assert_allclose(params["scale_"], scaler.scale_, rtol=1e-12)


def test_constant_column_nan_and_single_feature_edge_cases():
    X = data(200, 3, seed=1)
    X[:, 1] = 7.0
    X[5, 0] = np.nan
    for method, scaler in (("minmax", MinMaxScaler()), ("zscore", StandardScaler())):
        Y = X.copy()
        normalize_(Y, method)
        np.testing.assert_allclose(Y, scaler.fit_transform(X), rtol=1e-12, atol=1e-12)
        assert np.isnan(Y[5, 0])
    v = data(50, 1, seed=2)[:, 0].copy()
    expected = StandardScaler().fit_transform(v.reshape(-1, 1))[:, 0]
    normalize_(v, "zscore")
    np.testing.assert_allclose(v, expected, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32_and_is_exact_to_float32_precision():
    # Statistics accumulate in float64 and each value is rounded once, so the result is the
    # float64 answer rounded to float32 (sklearn's float32 path can be less accurate than that).
    X = data(300, 4, seed=3, dtype=np.float32)
    for method, scaler in (("zscore", StandardScaler()), ("minmax", MinMaxScaler())):
        Y = X.copy()
        expected = scaler.fit_transform(X.astype(np.float64))
        normalize_(Y, method)
        assert Y.dtype == np.float32
        np.testing.assert_allclose(Y, expected, rtol=2e-7, atol=2e-7)


def test_integer_arrays_get_a_clear_error_or_use_out():
    X = np.arange(12, dtype=np.int64).reshape(6, 2)
    with pytest.raises(TypeError, match="convert it first"):
        normalize_(X, "minmax")
    out = np.empty(X.shape)
    normalize_(X, "minmax", out=out)
    np.testing.assert_allclose(out, MinMaxScaler().fit_transform(X))
    assert X[1, 0] == 2  # the input is untouched


def test_memmap_is_normalized_in_place_on_disk(tmp_path):
    X = data(1000, 3, seed=4)
    path = tmp_path / "x.npy"
    np.save(path, X)
    mm = np.load(path, mmap_mode="r+")
    normalize_(mm, "zscore")
    mm.flush()
    del mm
    np.testing.assert_allclose(np.load(path), StandardScaler().fit_transform(X), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="read-only"):
        normalize_(np.load(path, mmap_mode="r"), "minmax")


@pytest.mark.parametrize("method,scaler", [("minmax", MinMaxScaler()), ("zscore", StandardScaler())])
def test_oc_file_is_rewritten_atomically_with_sklearn_numbers(tmp_path, method, scaler):
    import outcore
    from conftest import run

    rng = np.random.default_rng(5)
    n = 3001
    a, b = rng.normal(size=n) * 10 + 3, rng.integers(-50, 50, n)
    csv = tmp_path / "n.csv"
    with open(csv, "w") as f:
        f.write("a,b,tag\n")
        f.writelines(f"{float(a[i])!r},{int(b[i])},{'x' if i % 3 else ''}\n" for i in range(n))
    oc = tmp_path / "n.oc"
    run("ingest", csv, "-o", oc)
    run("normalize", oc, "--columns", "a,b", "--method", method)
    ds = outcore.open(oc)
    assert ds.schema["b"] == "float64"
    got = ds.to_pandas(columns=["a", "b", "tag"])
    expected = scaler.fit_transform(np.column_stack([a, b.astype(float)]))
    np.testing.assert_allclose(got[["a", "b"]].to_numpy(), expected, rtol=1e-9, atol=1e-9)
    assert (got["tag"].isna().to_numpy() == (np.arange(n) % 3 == 0)).all()  # other columns untouched
    # The Python door, into a new file; the original stays as it is.
    other = tmp_path / "m.oc"
    normalize_(outcore.open(oc), "minmax", columns=["a"], out=other)
    np.testing.assert_allclose(outcore.open(other).to_pandas(columns=["a"])["a"],
                               MinMaxScaler().fit_transform(expected[:, :1])[:, 0], rtol=1e-9, atol=1e-9)
    result = run("normalize", oc, "--columns", "tag", check=False)
    assert result.returncode != 0 and "tag" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.oc", "n.csv", "n.oc"]  # no temporaries left
