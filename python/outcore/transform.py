"""Machine-learning preparation out of core: feature hashing, incremental PCA, ...

Each class follows scikit-learn's estimator protocol (get_params/set_params, fit,
transform) and gives the same numbers as its scikit-learn namesake; the work is done
chunk by chunk in C++ (src/transform/).

    import outcore as oc
    X = oc.FeatureHasher(n_features=2**20, input_type="string").transform([["a", "b"], ["c"]])
    pca = oc.IncrementalPCA(n_components=8).fit(oc.open("data.oc"), columns=["x1", "x2", ...])
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from . import _core

__all__ = ["FeatureHasher", "IncrementalPCA", "OneHotEncoder", "column_stats", "normalize_"]

try:  # sklearn's base classes make Pipeline, clone and get_tags work; not required
    from sklearn.base import BaseEstimator as _BaseEstimator
    from sklearn.base import TransformerMixin as _TransformerMixin
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    import inspect

    class _BaseEstimator:
        def get_params(self, deep=True):
            names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
            return {name: getattr(self, name) for name in names}

        def set_params(self, **params):
            valid = self.get_params()
            for key, value in params.items():
                if key not in valid:
                    raise ValueError(f"Invalid parameter {key!r} for estimator {type(self).__name__}")
                setattr(self, key, value)
            return self

    class _TransformerMixin:
        def fit_transform(self, X, y=None, **fit_params):
            return self.fit(X, y, **fit_params).transform(X)


def _csr(data, indices, indptr, shape, dtype):
    import scipy.sparse as sp

    if indptr[-1] <= np.iinfo(np.int32).max:
        indptr = indptr.astype(np.int32)
    if np.dtype(dtype) != np.float64:
        data = data.astype(dtype)
    return sp.csr_matrix((data, indices, indptr), shape=shape)


class FeatureHasher(_TransformerMixin, _BaseEstimator):
    """The hashing trick, bit for bit the same matrix as ``sklearn.feature_extraction.FeatureHasher``.

    ``input_type``: "dict" (one mapping per sample), "pair" ((name, value) pairs), "string"
    (strings with value 1), or "char" (each sample is one string, split into its characters, as
    older scikit-learn did when handed bare strings). A string value v of feature f hashes
    "f=v". MurmurHash3 x86_32 with seed 0; column ``abs(h) % n_features``; negative sign for
    h < 0 when ``alternate_sign``. Returns a scipy CSR matrix with sorted indices.

    >>> FeatureHasher(n_features=8, input_type="string").transform([["dog", "cat"]]).shape
    (1, 8)
    """

    def __init__(self, n_features=2**20, *, input_type="dict", dtype=np.float64, alternate_sign=True):
        self.n_features = n_features
        self.input_type = input_type
        self.dtype = dtype
        self.alternate_sign = alternate_sign

    def _validate(self):
        if not isinstance(self.n_features, numbers.Integral) or isinstance(self.n_features, bool):
            raise TypeError(f"n_features must be an integer, not {type(self.n_features).__name__}")
        if not 1 <= self.n_features <= np.iinfo(np.int32).max:
            raise ValueError(f"n_features must be between 1 and 2**31 - 1, not {self.n_features}")
        if self.input_type not in ("dict", "pair", "string", "char"):
            raise ValueError(f"input_type must be 'dict', 'pair', 'string' or 'char', not {self.input_type!r}")

    def fit(self, X=None, y=None):
        """No-op (the hashing trick is stateless); validates the parameters."""
        self._validate()
        return self

    def transform(self, raw_X):
        """Hash an iterable of samples into a (n_samples, n_features) scipy CSR matrix."""
        self._validate()
        data, indices, indptr, n_samples = _core.hash_features(
            raw_X, int(self.n_features), bool(self.alternate_sign), self.input_type
        )
        if n_samples == 0:
            raise ValueError("Cannot vectorize empty sequence.")
        return _csr(data, indices, indptr, (n_samples, int(self.n_features)), self.dtype)

    def transform_dataset(self, dataset, columns=(), tokens=()):
        """Hash columns of an outcore Dataset in C++ (what ``outcore hash`` writes to .npz).

        Each row is hashed as ``input_type="dict"`` would hash ``{column: value}`` (a string value
        v of column c is the feature "c=v"; numbers keep their value; nulls are skipped), plus each
        whitespace-separated token of the ``tokens`` columns with value 1. A dictionary column's
        distinct values are hashed once.
        """
        self._validate()
        data, indices, indptr, n_samples = _core.hash_dataset(
            dataset._core, list(columns), list(tokens), int(self.n_features), bool(self.alternate_sign)
        )
        return _csr(data, indices, indptr, (n_samples, int(self.n_features)), self.dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


def _is_dataset(X) -> bool:
    return hasattr(X, "scan") and hasattr(X, "_core") and hasattr(X, "num_rows")


def _gen_batches(n, batch_size, min_batch_size=0):
    """sklearn.utils.gen_batches: full batches, the short remainder merged into the last."""
    start = 0
    for _ in range(n // batch_size):
        end = start + batch_size
        if end + min_batch_size > n:
            continue
        yield slice(start, end)
        start = end
    if start < n:
        yield slice(start, n)


def _consumed_page_releaser(X):
    """For a read-only np.memmap: a function(rows_done) that drops the pages of rows already read.

    Pages of a MAP_SHARED read-only file mapping are clean, so MADV_DONTNEED only unmaps them
    from this process (they are re-read from the page cache if touched again); nothing is lost.
    None for anything else (where dropping pages could lose data).
    """
    import mmap

    mm = getattr(X, "_mmap", None)
    if not isinstance(X, np.memmap) or mm is None or getattr(X, "mode", None) != "r" or not hasattr(mm, "madvise"):
        return None
    base = np.frombuffer(mm, dtype=np.uint8)
    start = X.ctypes.data - base.ctypes.data
    del base
    if start < 0 or start + X.nbytes > len(mm):
        return None
    row_bytes = X.strides[0]
    step = 64 << 20
    state = {"done": 0}

    def release(rows_done):
        end = (start + rows_done * row_bytes) // mmap.PAGESIZE * mmap.PAGESIZE
        if end - state["done"] >= step:
            mm.madvise(mmap.MADV_DONTNEED, state["done"], end - state["done"])
            state["done"] = end

    return release


def _as_matrix(X, name="X"):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features), got shape {X.shape}")
    if X.dtype.kind not in "fiub":
        raise ValueError(f"{name} must be numeric, got dtype {X.dtype}")
    return X


class IncrementalPCA(_TransformerMixin, _BaseEstimator):
    """Incremental PCA with the same algorithm and numbers as ``sklearn.decomposition.IncrementalPCA``.

    Fits batch by batch in C++ (LAPACK dgesdd via OpenBLAS): ``partial_fit`` on NumPy arrays;
    ``fit`` on a NumPy array or ``numpy.memmap`` (read one batch at a time, never copied whole),
    or on an ``outcore.Dataset`` with ``columns=[...]`` (streamed from the .oc file). The default
    ``batch_size`` is ``5 * n_features``, the short last batch merged as sklearn does. Attributes
    after fitting: ``components_``, ``explained_variance_``, ``explained_variance_ratio_``,
    ``singular_values_``, ``mean_``, ``var_``, ``noise_variance_``, ``n_components_``,
    ``n_samples_seen_``, ``batch_size_``, ``n_features_in_``.

    >>> pca = IncrementalPCA(n_components=2).fit(np.random.rand(100, 5))
    >>> pca.transform(np.random.rand(3, 5)).shape
    (3, 2)
    """

    def __init__(self, n_components=None, *, whiten=False, copy=True, batch_size=None):
        self.n_components = n_components
        self.whiten = whiten
        self.copy = copy
        self.batch_size = batch_size

    def _new_model(self):
        for name in ("n_components", "batch_size"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, numbers.Integral) or value < 1):
                raise ValueError(f"{name} must be a positive integer or None, not {value!r}")
        return _core.IncrementalPCA(
            -1 if self.n_components is None else int(self.n_components),
            bool(self.whiten),
            -1 if self.batch_size is None else int(self.batch_size),
        )

    def _sync(self):
        for key, value in self._model.state().items():
            setattr(self, key, value)
        self.batch_size_ = self._model.batch_size_for(self.n_features_in_)

    def fit(self, X, y=None, *, columns=None, memory_limit=None):
        """Fit from scratch on X: an array, a memmap, or an outcore Dataset (with ``columns``)."""
        self._model = self._new_model()
        if _is_dataset(X):
            limit = 0 if memory_limit is None else (
                memory_limit if isinstance(memory_limit, int) else _core.parse_size(memory_limit))
            self._model.fit_dataset(X._core, list(columns or []), limit)
            self._input_dtype = np.dtype(np.float64)
            self._sync()
            return self
        release = _consumed_page_releaser(X)  # before _as_matrix: np.asarray drops the memmap type
        X = _as_matrix(X)
        self._input_dtype = X.dtype if X.dtype == np.float32 else np.dtype(np.float64)
        if X.dtype == np.float64 and X.flags.c_contiguous and release is None:
            self._model.fit(X)  # batches are read straight from X's memory
        elif X.dtype == np.float64 and X.flags.c_contiguous:
            # A read-only memmap: batches are views of the file's pages, and the pages already
            # consumed are dropped from this process, so RSS stays flat whatever the file size.
            batch = self._model.batch_size_for(X.shape[1])
            for part in _gen_batches(X.shape[0], batch, self.n_components or 0):
                self._model.partial_fit(X[part])
                release(part.stop)
        else:
            batch = self._model.batch_size_for(X.shape[1])
            for part in _gen_batches(X.shape[0], batch, self.n_components or 0):
                self._model.partial_fit(np.ascontiguousarray(X[part], dtype=np.float64))
        self._sync()
        return self

    def partial_fit(self, X, y=None, check_input=True):
        """Merge one batch of samples into the model."""
        if not hasattr(self, "_model"):
            self._model = self._new_model()
        X = _as_matrix(X)
        self._input_dtype = X.dtype if X.dtype == np.float32 else np.dtype(np.float64)
        self._model.partial_fit(np.ascontiguousarray(X, dtype=np.float64))
        self._sync()
        return self

    def _check_fitted(self):
        if not hasattr(self, "components_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This IncrementalPCA instance is not fitted yet. Call 'fit' first.")

    def transform(self, X):
        """Project X onto the components: (X - mean_) @ components_.T, whitened if asked."""
        self._check_fitted()
        X = _as_matrix(X)
        out = self._model.transform(np.ascontiguousarray(X, dtype=np.float64))
        return out.astype(np.float32) if X.dtype == np.float32 else out

    def inverse_transform(self, X):
        """Map projected rows back to the feature space."""
        self._check_fitted()
        X = _as_matrix(X)
        out = self._model.inverse_transform(np.ascontiguousarray(X, dtype=np.float64))
        return out.astype(np.float32) if X.dtype == np.float32 else out

    def get_covariance(self):
        """Covariance of the data under the fitted model, as sklearn's PCA computes it."""
        self._check_fitted()
        components = self.components_
        if self.whiten:
            components = components * np.sqrt(self.explained_variance_)[:, None]
        variance = np.where(self.explained_variance_ > self.noise_variance_,
                            self.explained_variance_ - self.noise_variance_, 0.0)
        cov = (components.T * variance) @ components
        cov.flat[:: cov.shape[0] + 1] += self.noise_variance_
        return cov


def column_stats(dataset, columns=None) -> dict:
    """Per-column statistics of an outcore Dataset in one streaming pass (``outcore stats``).

    Returns {column: {"type", "count", "nulls", and for numeric columns "nans", "min", "max",
    "mean", "variance"; for dictionary columns "distinct"}}. The variance is the population
    variance (ddof=0, numpy's default), merged across chunks with Chan et al.'s stable update;
    NaN is counted in "nans" and left out of min/max/mean/variance.

    >>> column_stats(outcore.open("sample.oc"), ["price"])["price"]["mean"]  # doctest: +SKIP
    """
    rows = _core.column_stats(dataset._core, list(columns or []))
    return {row.pop("name"): row for row in rows}


class OneHotEncoder(_TransformerMixin, _BaseEstimator):
    """One-hot encoding of string columns of an outcore Dataset, as sklearn's OneHotEncoder.

    ``fit(dataset, columns=[...])`` takes each column's sorted distinct values as its categories
    (``categories_``); ``transform(dataset)`` returns a scipy CSR matrix whose columns are the
    columns' categories side by side, named by ``get_feature_names_out()`` ("topic_food", ...).
    A value not among the categories raises ValueError with ``handle_unknown="error"`` and
    encodes as all-zero with ``"ignore"``; a null encodes as all-zero.

    >>> enc = OneHotEncoder().fit(outcore.open("sample.oc"), columns=["topic"])  # doctest: +SKIP
    >>> enc.transform(outcore.open("sample.oc")).shape  # doctest: +SKIP
    """

    def __init__(self, *, handle_unknown="error", dtype=np.float64):
        self.handle_unknown = handle_unknown
        self.dtype = dtype

    def fit(self, X, y=None, *, columns=None):
        if not _is_dataset(X):
            raise TypeError("OneHotEncoder.fit takes an outcore Dataset (use sklearn's OneHotEncoder for arrays)")
        if self.handle_unknown not in ("error", "ignore"):
            raise ValueError(f"handle_unknown must be 'error' or 'ignore', not {self.handle_unknown!r}")
        self.feature_names_in_ = np.array(list(columns or X.dictionary_columns), dtype=object)
        categories = _core.onehot_categories(X._core, list(self.feature_names_in_))
        self.categories_ = []
        for values in categories:
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
            self.categories_.append(arr)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def transform(self, X):
        if not hasattr(self, "categories_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This OneHotEncoder instance is not fitted yet. Call 'fit' first.")
        if not _is_dataset(X):
            raise TypeError("OneHotEncoder.transform takes an outcore Dataset")
        data, indices, indptr, n_samples = _core.onehot_encode(
            X._core, list(self.feature_names_in_), [list(c) for c in self.categories_],
            self.handle_unknown == "ignore")
        width = sum(len(c) for c in self.categories_)
        return _csr(data, indices, indptr, (n_samples, width), self.dtype)

    def fit_transform(self, X, y=None, *, columns=None):
        return self.fit(X, columns=columns).transform(X)

    def get_feature_names_out(self, input_features=None):
        names = input_features if input_features is not None else self.feature_names_in_
        out = [f"{name}_{category}" for name, cats in zip(names, self.categories_) for category in cats]
        return np.asarray(out, dtype=object)


def normalize_(X, method="minmax", *, columns=None, feature_range=(0.0, 1.0), out=None):
    """Scale columns in place: "minmax" (MinMaxScaler) or "zscore" (StandardScaler).

    On a .oc file (a path or an outcore Dataset, with ``columns``) the chosen columns are rewritten
    chunk by chunk into a new file that atomically replaces the original (``out=`` a path writes
    there instead); int64 columns become float64, and a Dataset object must be reopened to see the
    new values.

    Works on X itself (a float64 or float32 array, C or Fortran order, or a writable
    ``numpy.memmap``) without a second array, and gives the numbers scikit-learn's scalers give.
    NaN is ignored when fitting and stays NaN. An integer array cannot hold the result: pass
    ``out=`` (a float array of the same shape, filled and scaled instead of X) or convert it first.
    Returns the fitted parameters (sklearn's attribute names: data_min_, data_max_, scale_, min_ or
    mean_, var_, scale_).

    >>> X = np.array([[1.0, 10.0], [3.0, 30.0]])
    >>> _ = normalize_(X, "minmax"); X
    array([[0., 0.],
           [1., 1.]])
    """
    if method not in ("minmax", "zscore"):
        raise ValueError(f"method must be 'minmax' or 'zscore', not {method!r}")
    if isinstance(X, (str, os.PathLike)) or _is_dataset(X):
        path = X.path if _is_dataset(X) else os.fspath(X)
        if not columns:
            raise ValueError("name the columns to normalize: normalize_(path, method, columns=[...])")
        lo, hi = feature_range
        return _core.normalize_file(path, list(columns), method, float(lo), float(hi),
                                    os.fspath(out) if out is not None else "")
    if not isinstance(X, np.ndarray):
        raise TypeError(f"normalize_ works in place on a NumPy array, not {type(X).__name__}")
    target = X
    if out is not None:
        if not isinstance(out, np.ndarray) or out.shape != X.shape:
            raise ValueError(f"out must be a NumPy array of shape {X.shape}")
        np.copyto(out, X, casting="unsafe" if out.dtype.kind == "f" else "same_kind")
        target = out
    if target.dtype not in (np.float64, np.float32):
        raise TypeError(
            f"normalize_ scales in place, and a {target.dtype} array cannot hold the scaled values: "
            f"convert it first (X = X.astype(np.float64)) or pass out=np.empty(X.shape) for the result")
    if not target.flags.writeable:
        raise ValueError("the array is read-only (a memmap opened with mode='r'?): open it with mode='r+' "
                         "to normalize it in place, or pass out=")
    if target.ndim not in (1, 2):
        raise ValueError(f"normalize_ takes a 1-D or 2-D array, got {target.ndim} dimensions")
    view = target.reshape(-1, 1) if target.ndim == 1 else target
    if view.size == 0:
        raise ValueError(f"cannot normalize an empty array of shape {target.shape}")
    lo, hi = feature_range
    if not lo < hi:
        raise ValueError(f"feature_range must be (min, max) with min < max, got {feature_range}")
    return _core.scale_inplace(view, method, float(lo), float(hi))
