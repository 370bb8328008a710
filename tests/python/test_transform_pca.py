"""outcore.IncrementalPCA against sklearn.decomposition.IncrementalPCA, number for number."""

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.decomposition import IncrementalPCA as SkPCA

from outcore.transform import IncrementalPCA

ATTRS = ["explained_variance_", "explained_variance_ratio_", "singular_values_", "mean_", "var_"]


def data(n, d, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    scales = np.linspace(3.0, 0.2, d)
    X = rng.normal(size=(n, d)) * scales @ rng.normal(size=(d, d)) + rng.normal(size=d) * 10
    return X.astype(dtype)


def assert_same_model(ours, theirs, rtol=1e-9):
    assert ours.n_components_ == theirs.n_components_
    assert ours.n_samples_seen_ == theirs.n_samples_seen_
    for name in ATTRS:
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=rtol, atol=1e-12, err_msg=name)
    cos = np.abs(np.sum(ours.components_ * theirs.components_, axis=1))
    assert np.all(cos >= 1 - 1e-6), cos
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-6)  # same signs (svd_flip)
    np.testing.assert_allclose(ours.noise_variance_, theirs.noise_variance_, rtol=rtol, atol=1e-15)


@pytest.mark.parametrize("n,d,k,batch", [(1000, 10, 3, None), (997, 8, None, 50), (500, 5, 5, 40),
                                         (300, 1, 1, None), (203, 6, 4, 10), (64, 12, 2, 7)])
@pytest.mark.parametrize("whiten", [False, True])
def test_fit_matches_sklearn(n, d, k, batch, whiten):
    X = data(n, d, seed=n + d)
    ours = IncrementalPCA(n_components=k, whiten=whiten, batch_size=batch).fit(X)
    theirs = SkPCA(n_components=k, whiten=whiten, batch_size=batch).fit(X)
    assert ours.batch_size_ == theirs.batch_size_
    assert_same_model(ours, theirs)
    Y = data(50, d, seed=99)
    np.testing.assert_allclose(ours.transform(Y), theirs.transform(Y), rtol=1e-7, atol=1e-9)
    Z = theirs.transform(Y)
    np.testing.assert_allclose(ours.inverse_transform(Z), theirs.inverse_transform(Z), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(ours.get_covariance(), theirs.get_covariance(), rtol=1e-7, atol=1e-10)


def test_partial_fit_with_a_batch_smaller_than_n_components_after_the_first():
    X = data(120, 6, seed=5)
    ours, theirs = IncrementalPCA(n_components=4), SkPCA(n_components=4)
    for part in (slice(0, 50), slice(50, 52), slice(52, 53), slice(53, 120)):
        ours.partial_fit(X[part])
        theirs.partial_fit(X[part])
    assert_same_model(ours, theirs)


def test_first_batch_smaller_than_n_components_is_an_error_like_sklearn():
    X = data(3, 6)
    with pytest.raises(ValueError, match="n_components=4"):
        IncrementalPCA(n_components=4).partial_fit(X)
    with pytest.raises(ValueError):
        SkPCA(n_components=4).partial_fit(X)


def test_constant_columns_and_nan_policy():
    X = data(200, 5, seed=7)
    X[:, 2] = 3.5
    assert_same_model(IncrementalPCA(n_components=3).fit(X), SkPCA(n_components=3).fit(X))
    X[10, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        IncrementalPCA(n_components=3).fit(X)


def test_float32_input_matches_to_float32_precision():
    X = data(800, 7, seed=8, dtype=np.float32)
    ours, theirs = IncrementalPCA(n_components=3).fit(X), SkPCA(n_components=3).fit(X)
    np.testing.assert_allclose(ours.explained_variance_, theirs.explained_variance_, rtol=1e-4)
    cos = np.abs(np.sum(ours.components_ * theirs.components_, axis=1))
    assert np.all(cos >= 1 - 1e-4)
    assert ours.transform(X[:5]).dtype == np.float32


def test_fortran_order_and_integer_input_fit_batch_by_batch():
    X = data(400, 6, seed=9)
    ours = IncrementalPCA(n_components=2).fit(np.asfortranarray(X))
    assert_same_model(ours, SkPCA(n_components=2).fit(X))
    Xi = np.rint(X * 10).astype(np.int64)
    assert_same_model(IncrementalPCA(n_components=2).fit(Xi), SkPCA(n_components=2).fit(Xi))


def test_memmapped_npy_fits_without_loading(tmp_path):
    X = data(5000, 8, seed=10)
    path = tmp_path / "x.npy"
    np.save(path, X)
    mm = np.load(path, mmap_mode="r")
    assert_same_model(IncrementalPCA(n_components=3).fit(mm), SkPCA(n_components=3).fit(X))


def test_estimator_protocol_and_not_fitted_error():
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    pca = IncrementalPCA(n_components=2, batch_size=30)
    assert clone(pca).get_params() == pca.get_params()
    with pytest.raises(NotFittedError):
        pca.transform(data(3, 4))
    Xt = pca.fit_transform(data(100, 4))
    assert Xt.shape == (100, 2)
