"""Machine-learning preparation out of core: feature hashing, exact and incremental PCA, ...

Each class follows scikit-learn's estimator protocol (get_params/set_params, fit,
transform) and gives the same numbers as its scikit-learn namesake; the work is done
chunk by chunk in C++ (src/transform/).

    import outcore as oc
    X = oc.FeatureHasher(n_features=2**20, input_type="string").transform([["a", "b"], ["c"]])
    pca = oc.PCA(n_components=8).fit(oc.open("data.oc"), columns=["x1", "x2", ...])  # exact, out of core
    oc.column_stats(oc.open("data.oc"), ["x1"], where="x2 > 0", nulls="drop")

Transforms of a Dataset take ``where=`` (which rows, doc/query.md) and ``nulls=``: "keep" (each
transform's own form of a missing value), "fail", "drop" or "mean" (doc/transforms.md).
"""

from __future__ import annotations

import os

import numpy as np

from . import _core

# The estimators are resolved by __getattr__ below.
__all__ = ["PCA", "FeatureHasher", "IncrementalPCA", "OneHotEncoder", "column_stats", "normalize_"]  # noqa: F822

# The estimator classes subclass scikit-learn's, so they live in ._estimators, which imports
# scikit-learn; that module is loaded on first use of a class, not with this one.
_ESTIMATORS = ("PCA", "FeatureHasher", "IncrementalPCA", "OneHotEncoder")


def __getattr__(name):
    if name in _ESTIMATORS:
        try:
            from . import _estimators
        except ImportError as e:  # pragma: no cover - exercised only without scikit-learn
            raise ImportError(f"outcore.{name} needs scikit-learn: pip install scikit-learn ({e})") from e
        return getattr(_estimators, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _parse_limit(memory_limit) -> int:
    if memory_limit is None:
        return 0
    return memory_limit if isinstance(memory_limit, int) else _core.parse_size(memory_limit)


def _csr(data, indices, indptr, shape, dtype):
    import scipy.sparse as sp

    if indptr[-1] <= np.iinfo(np.int32).max:
        indptr = indptr.astype(np.int32)
    if np.dtype(dtype) != np.float64:
        data = data.astype(dtype)
    return sp.csr_matrix((data, indices, indptr), shape=shape)


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


def column_stats(dataset, columns=None, *, where=None, nulls="keep") -> dict:
    """Per-column statistics of an outcore Dataset in one streaming pass (``outcore stats``).

    Returns {column: {"type", "count", "nulls", and for numeric columns "nans", "min", "max",
    "mean", "variance"; for dictionary columns "distinct"}}. The variance is the population
    variance (ddof=0, numpy's default), merged across chunks with Chan et al.'s stable update;
    NaN is counted in "nans" and left out of min/max/mean/variance. ``where`` picks the rows;
    ``nulls``: "keep" (counted in "nulls"), "drop" (rows with a null in any of the columns are
    left out), "mean" (a null counts as its column's mean: the variance is the imputed
    column's) or "fail".

    >>> column_stats(outcore.open("sample.oc"), ["price"])["price"]["mean"]  # doctest: +SKIP
    """
    rows = _core.column_stats(dataset._core, list(columns or []), where, nulls)
    return {row.pop("name"): row for row in rows}


def normalize_(X, method="minmax", *, columns=None, feature_range=(0.0, 1.0), out=None, where=None,
               nulls="keep"):
    """Scale columns in place: "minmax" (MinMaxScaler) or "zscore" (StandardScaler).

    On a .oc file (a path or an outcore Dataset, with ``columns``) the chosen columns are rewritten
    chunk by chunk into a new file that atomically replaces the original (``out=`` a path writes
    there instead); int64 columns become float64, and a Dataset object must be reopened to see the
    new values. ``where`` picks the rows the statistics are fitted on (every row is scaled);
    ``nulls``: "keep" (nulls stay null, out of the fit), "mean" (the column's mean, scaled, in
    their place) or "fail".

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
                                    os.fspath(out) if out is not None else "", where, nulls)
    if where is not None or nulls != "keep":
        raise ValueError("where= and nulls= apply to a .oc file; NaN in an array is ignored when fitting and kept")
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
