"""The scikit-learn estimators: FeatureHasher, PCA, IncrementalPCA and OneHotEncoder.

They subclass scikit-learn's BaseEstimator and TransformerMixin, so they clone, pickle, drop
into a Pipeline and pass ``sklearn.utils.estimator_checks.check_estimator`` (the few checks
that cannot apply are listed in doc/transforms.md). This module imports scikit-learn; it is
loaded on first use of one of the classes (``outcore.transform.__getattr__``), never by
``import outcore`` alone. The work is C++ (python/src/bindings_transform.cpp).

Input, for PCA, IncrementalPCA and OneHotEncoder: a NumPy array, a pandas DataFrame, anything
array-like, or an ``outcore.Dataset``. A Dataset is streamed from its file, and its columns are
chosen by ``fit(ds, columns=[...])``, else by the estimator's ``columns`` parameter, else all
numeric columns (PCA) / all dictionary-coded string columns (one-hot); the fitted estimator
remembers them in ``feature_names_in_`` and ``transform(ds)`` reads the same ones, so a Dataset
can be the X of a ``Pipeline``. ``where`` and ``nulls`` (parameters, or keywords of fit and
transform) choose a Dataset's rows and what a null does (doc/transforms.md, "Rows and nulls").
"""

from __future__ import annotations

import numbers
import sys

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from . import _core
from .transform import _consumed_page_releaser, _csr, _gen_batches, _is_dataset, _parse_limit

__all__ = ["PCA", "FeatureHasher", "IncrementalPCA", "OneHotEncoder"]


class FeatureHasher(TransformerMixin, BaseEstimator):
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
        """Hash an iterable of samples into a (n_samples, n_features) scipy CSR matrix.

        A Dask DataFrame gives a Dask array of CSR blocks, one per partition, each row hashed as
        the dict {column: value} (outcore.dask.hash_transform).
        """
        self._validate()
        if _is_dask(raw_X):
            from .dask import hash_transform

            return hash_transform(self, raw_X)
        data, indices, indptr, n_samples = _core.hash_features(
            raw_X, int(self.n_features), bool(self.alternate_sign), self.input_type
        )
        if n_samples == 0:
            raise ValueError("Cannot vectorize empty sequence.")
        return _csr(data, indices, indptr, (n_samples, int(self.n_features)), self.dtype)

    def transform_dataset(self, dataset, columns=(), tokens=(), *, where=None, nulls="keep"):
        """Hash columns of an outcore Dataset in C++ (what ``outcore hash`` writes to .npz).

        Each row is hashed as ``input_type="dict"`` would hash ``{column: value}`` (a string value
        v of column c is the feature "c=v"; numbers keep their value), plus each
        whitespace-separated token of the ``tokens`` columns with value 1. A dictionary column's
        distinct values are hashed once. ``where`` picks the rows; ``nulls``: "keep" (a null's
        feature is absent), "drop" (rows with a null are left out), "mean" (a number column's
        mean is hashed in its place) or "fail".
        """
        self._validate()
        data, indices, indptr, n_samples = _core.hash_dataset(
            dataset._core, list(columns), list(tokens), int(self.n_features), bool(self.alternate_sign),
            where, nulls,
        )
        return _csr(data, indices, indptr, (n_samples, int(self.n_features)), self.dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.dict = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


def _dataset_columns(X, given, default):
    """The columns an estimator reads of Dataset X: `given` if set, else `default(X)`."""
    columns = list(given) if given is not None else default(X)
    if not columns:
        raise ValueError(f"{X.path} has no columns to use here: pass columns=[...]")
    return columns


def _numeric_columns(ds):
    return [name for name, kind in ds.schema.items() if kind in ("int64", "float64", "bool")]


def _resolve(value, default):
    return default if value is None else value


def _feed_parts(X, parts, feed, release=None):
    """Hands each slice in `parts` of validated array X to `feed` as C-contiguous float64 (a view
    when X already is one, so a memmap's pages are read in place); `release(rows_done)` after each
    drops the pages of a read-only memmap already consumed (_consumed_page_releaser)."""
    for part in parts:
        feed(np.ascontiguousarray(X[part], dtype=np.float64))
        if release is not None:
            release(part.stop)


def _is_dask(X) -> bool:
    """Whether X is a Dask collection, told without importing dask."""
    return callable(getattr(X, "__dask_graph__", None))


def _dask_frame(estimator, X, columns, where, nulls):
    """X (a Dask DataFrame) narrowed to the columns a fit reads, its rows as ``nulls`` says."""
    if _resolve(where, estimator.where) is not None:
        raise ValueError("where= applies to an outcore Dataset: filter a Dask DataFrame with ddf[...], or read "
                         "it with outcore.dask.read_oc(path, where=...)")
    columns = _resolve(columns, estimator.columns)
    if columns is None:
        columns = [c for c, t in X.dtypes.items() if t.kind in "biuf"]
    X = X[list(columns)]
    nulls = _resolve(nulls, estimator.nulls)
    if nulls == "drop":
        return X.dropna()
    if nulls not in ("fail", "keep"):
        raise ValueError(f"nulls={nulls!r} does not apply to a Dask DataFrame fitted by partitions: the means "
                         "would be each partition's; use nulls='drop', or fill the nulls first")
    return X


def _positive_or_none(name, value):
    """`value` as C++ takes it (-1 for None); ValueError unless a positive integer or None."""
    if value is not None and (not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1):
        raise ValueError(f"{name} must be a positive integer or None, not {value!r}")
    return -1 if value is None else int(value)


class _PcaBase(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """What the exact and the incremental PCA share: fitting from a Dataset, transform (arrays and
    Datasets), inverse_transform, get_covariance. Subclasses give _new_model() and _sync()."""

    @property
    def _n_features_out(self):
        return self.n_components_

    def _sync(self):
        for key, value in self._model.state().items():
            setattr(self, key, value)

    def _prepare_fit(self, X, columns, where, nulls, memory_limit):
        """fit's common start: a new C++ model, fitted here when X is a Dataset (returns None);
        else (model, X validated, the page releaser of a read-only memmap or None)."""
        model = self._new_model()
        if _is_dataset(X):
            self._fit_dataset(model, X, columns, where, nulls, memory_limit)
            return None
        release = _consumed_page_releaser(X)  # before validation: np.asarray drops the memmap type
        # Finiteness is checked chunk by chunk in C++: a whole-array check would read every page
        # of a memmap at once.
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_all_finite=False, copy=False)
        return model, X, release

    def _fit_dataset(self, model, X, columns, where, nulls, memory_limit):
        columns = _dataset_columns(X, _resolve(columns, self.columns), _numeric_columns)
        rows = (_resolve(where, self.where), _resolve(nulls, self.nulls))
        model.fit_dataset(X._core, columns, _parse_limit(memory_limit), *rows)
        self._model = model
        self._dataset_rows = rows  # transform(ds) reads the rows fit read
        self._input_dtype = np.dtype(np.float64)
        self._sync()
        self.feature_names_in_ = np.asarray(columns, dtype=object)
        return self

    def _add_rows(self, X, method):
        """partial_fit's part: X checked (its features those of the first call) and handed to the
        C++ model's `method`."""
        first = not hasattr(self, "_model")
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=first, copy=False)
        if first:
            self._model = self._new_model()
        self._input_dtype = X.dtype
        getattr(self._model, method)(np.ascontiguousarray(X, dtype=np.float64))

    def transform(self, X, *, where=None, nulls=None):
        """Project X onto the components: (X - mean_) @ components_.T, whitened if asked.

        For a Dataset: the columns fitted (``feature_names_in_``), and the rows and nulls as fit
        chose them unless ``where`` / ``nulls`` say otherwise.
        """
        check_is_fitted(self, "components_")
        if _is_dataset(X):
            if hasattr(self, "feature_names_in_"):
                columns = list(self.feature_names_in_)
            else:
                columns = _dataset_columns(X, self.columns, _numeric_columns)
            fit_where, fit_nulls = getattr(self, "_dataset_rows", (self.where, self.nulls))
            return self._model.transform_dataset(X._core, columns, _resolve(where, fit_where),
                                                 _resolve(nulls, fit_nulls))
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False, copy=False)
        out = self._model.transform(np.ascontiguousarray(X, dtype=np.float64))
        return out.astype(np.float32) if X.dtype == np.float32 else out

    def inverse_transform(self, X):
        """Map projected rows back to the feature space."""
        check_is_fitted(self, "components_")
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array (n_samples, n_components), got shape {X.shape}")
        out = self._model.inverse_transform(np.ascontiguousarray(X, dtype=np.float64))
        return out.astype(np.float32) if X.dtype == np.float32 else out

    def get_covariance(self):
        """Covariance of the data under the fitted model, as sklearn's PCA computes it."""
        check_is_fitted(self, "components_")
        components = self.components_
        if self.whiten:
            components = components * np.sqrt(self.explained_variance_)[:, None]
        variance = np.where(self.explained_variance_ > self.noise_variance_,
                            self.explained_variance_ - self.noise_variance_, 0.0)
        cov = (components.T * variance) @ components
        cov.flat[:: cov.shape[0] + 1] += self.noise_variance_
        return cov

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class PCA(_PcaBase):
    """Exact PCA out of core: the numbers of ``sklearn.decomposition.PCA(svd_solver="full")``.

    One pass over the rows in C++: each chunk's mean and co-moment matrix (BLAS dsyrk on the
    chunk centred on its own mean), merged with Chan's pairwise update, then the covariance's
    eigendecomposition (LAPACK dsyevd); signs as sklearn's ``svd_flip``. Memory is
    O(n_features^2) whatever the number of rows, so X may be far larger than memory: a
    ``numpy.memmap`` (read in order; consumed pages are dropped), an ``outcore.Dataset``
    (streamed from the .oc file), or any array or DataFrame.

    One pass knows each eigenvalue to about 1e-16 times the largest one, not to 1e-16 of itself.
    ``second_pass="auto"`` (the default) therefore reads the rows a second time when an eigenvalue
    is below 1e-6 of the largest: rotated into the first pass's eigenvectors, their co-moments are
    nearly diagonal, and Jacobi rotations take every eigenvalue to full relative precision, as
    sklearn's full SVD has it. ``"always"`` or ``"never"`` decide it; ``n_passes_`` says what a
    fit did. ``partial_fit``, ``merge`` and Dask fits take one pass (doc/transforms.md, "Exact
    PCA").

    Attributes after fitting, as sklearn names them: ``components_``, ``explained_variance_``,
    ``explained_variance_ratio_``, ``singular_values_``, ``mean_``, ``noise_variance_``,
    ``n_components_``, ``n_features_in_``, ``n_samples_`` (and ``feature_names_in_`` for a
    DataFrame or a Dataset). ``n_components``: an int, or None for min(n_samples, n_features).

    ``partial_fit`` adds rows and refits; ``merge(other)`` adds the rows another PCA has seen (its
    moments travel with it when pickled), so parts fitted apart give the PCA of all of them.
    ``columns``, ``where`` and ``nulls`` apply to a Dataset as for ``IncrementalPCA``. ``copy``
    is accepted for sklearn's signature; X is never modified.

    >>> pca = PCA(n_components=2).fit(np.random.rand(100, 5))
    >>> pca.transform(np.random.rand(3, 5)).shape
    (3, 2)
    """

    def __init__(self, n_components=None, *, whiten=False, copy=True, second_pass="auto", columns=None,
                 where=None, nulls="fail"):
        self.n_components = n_components
        self.whiten = whiten
        self.copy = copy
        self.second_pass = second_pass
        self.columns = columns
        self.where = where
        self.nulls = nulls

    # Rows handed to C++ at a time from an array that is not one C-contiguous float64 block.
    _PART_BYTES = 64 << 20

    def _new_model(self):
        return _core.PCA(_positive_or_none("n_components", self.n_components), bool(self.whiten),
                         str(self.second_pass))

    def fit(self, X, y=None, *, columns=None, where=None, nulls=None, memory_limit=None):
        """Fit on all of X: an array, a memmap, a DataFrame, an outcore Dataset, or a Dask
        DataFrame (each partition's moments on its worker, merged: outcore.dask.fit_pca)."""
        if _is_dask(X):
            from .dask import fit_pca

            return fit_pca(self, _dask_frame(self, X, columns, where, nulls))
        prepared = self._prepare_fit(X, columns, where, nulls, memory_limit)
        if prepared is None:
            return self
        model, X, release = prepared
        if X.dtype == np.float64 and X.flags.c_contiguous and release is None:
            model.fit(X)  # chunks are read straight from X's memory (twice for a second pass)
        else:
            step = max(1, self._PART_BYTES // (8 * X.shape[1]))
            for second in (False, True):
                if second:
                    if not model.wants_second_pass():
                        break
                    model.begin_second_pass()
                _feed_parts(X, (slice(start, start + step) for start in range(0, X.shape[0], step)),
                            model.update, release)
                model.finish()
        self._model = model
        self._input_dtype = X.dtype
        self._sync()
        return self

    def partial_fit(self, X, y=None):
        """Add rows to the model and refit: after any sequence of calls the model is the PCA of all
        the rows given. Until there are at least 2 rows (and n_components), the rows are kept and
        the model is not fitted yet."""
        self._add_rows(X, "update")
        self._refit()
        return self

    def _refit(self):
        if self._model.moments()[0] >= max(2, self.n_components or 0):
            self._model.finish()
            self._sync()

    def merge(self, other):
        """Add the rows `other` (an outcore PCA) has seen: the result is the PCA of both sets of rows,
        as if fitted on their concatenation. Returns self."""
        if not isinstance(other, PCA) or not hasattr(other, "_model"):
            raise TypeError("merge takes an outcore PCA that has seen rows (fit or partial_fit first)")
        if not hasattr(self, "_model"):
            self._model = self._new_model()
            for name in ("n_features_in_", "feature_names_in_"):
                if hasattr(other, name):
                    setattr(self, name, getattr(other, name))
        elif hasattr(other, "feature_names_in_") and list(getattr(self, "feature_names_in_", [])) != list(
                other.feature_names_in_):
            raise ValueError("the two PCAs were fitted on different features: "
                             f"{list(getattr(self, 'feature_names_in_', []))} and {list(other.feature_names_in_)}")
        self._model.merge(*other._model.moments())
        self._refit()
        return self

    # Pickling: the C++ model is rebuilt from its moments (n_samples, mean, co-moments), which
    # travel with the pickle so that an unpickled PCA can still merge and partial_fit, and from
    # a second pass's state when the fit took one.
    def __getstate__(self):
        state = dict(super().__getstate__())
        model = state.pop("_model", None)
        if model is not None:
            state["_moments"] = model.moments()
            refinement = model.refinement()
            if refinement is not None:
                state["_second_pass"] = refinement
        return state

    def __setstate__(self, state):
        state = dict(state)
        moments = state.pop("_moments", None)
        refinement = state.pop("_second_pass", None)
        super().__setstate__(state)
        if moments is not None:
            self._model = self._new_model()
            self._model.restore(*moments)
            if "components_" in state:
                self._model.finish()
                if refinement is not None:
                    self._model.restore_refinement(*refinement)
                    self._model.finish()


class IncrementalPCA(_PcaBase):
    """Incremental PCA with the same algorithm and numbers as ``sklearn.decomposition.IncrementalPCA``.

    Fits batch by batch in C++ (LAPACK dgesdd via OpenBLAS): ``partial_fit`` on arrays; ``fit``
    on an array, a ``numpy.memmap`` (read one batch at a time, never copied whole), a DataFrame,
    or an ``outcore.Dataset`` (streamed from the .oc file). The default ``batch_size`` is
    ``5 * n_features``, the short last batch merged as sklearn does. Attributes after fitting:
    ``components_``, ``explained_variance_``, ``explained_variance_ratio_``,
    ``singular_values_``, ``mean_``, ``var_``, ``noise_variance_``, ``n_components_``,
    ``n_samples_seen_``, ``batch_size_``, ``n_features_in_`` (and ``feature_names_in_`` for a
    DataFrame or a Dataset).

    ``columns``, ``where`` and ``nulls`` apply to a Dataset: the columns fitted (default: every
    int64/float64/bool column), the rows (a predicate, doc/query.md) and what a null does:
    "fail" (the default: an error naming the column, the row and these options), "drop" (rows
    with a null are left out, so fit_transform gives fewer rows) or "mean" (the column's mean in
    its place; ``transform`` puts ``mean_`` there, so a null adds nothing to the projection).

    >>> pca = IncrementalPCA(n_components=2).fit(np.random.rand(100, 5))
    >>> pca.transform(np.random.rand(3, 5)).shape
    (3, 2)
    """

    def __init__(self, n_components=None, *, whiten=False, copy=True, batch_size=None, columns=None,
                 where=None, nulls="fail"):
        self.n_components = n_components
        self.whiten = whiten
        self.copy = copy
        self.batch_size = batch_size
        self.columns = columns
        self.where = where
        self.nulls = nulls

    def _new_model(self):
        return _core.IncrementalPCA(
            _positive_or_none("n_components", self.n_components),
            bool(self.whiten),
            _positive_or_none("batch_size", self.batch_size),
        )

    def _sync(self):
        super()._sync()
        self.batch_size_ = self._model.batch_size_for(self.n_features_in_)

    def fit(self, X, y=None, *, columns=None, where=None, nulls=None, memory_limit=None):
        """Fit from scratch on X: an array, a memmap, a DataFrame, an outcore Dataset, or a Dask
        DataFrame (its partitions fed in order, in the same batches: outcore.dask.fit_incremental_pca)."""
        if _is_dask(X):
            from .dask import fit_incremental_pca

            return fit_incremental_pca(self, _dask_frame(self, X, columns, where, nulls))
        prepared = self._prepare_fit(X, columns, where, nulls, memory_limit)
        if prepared is None:
            return self
        model, X, release = prepared
        self._model = model
        self._input_dtype = X.dtype
        if X.dtype == np.float64 and X.flags.c_contiguous and release is None:
            model.fit(X)  # batches are read straight from X's memory
        else:
            # Batch by batch; from a read-only memmap the batches are views of the file's pages,
            # and the pages already consumed are dropped, so RSS stays flat whatever its size.
            batch = model.batch_size_for(X.shape[1])
            _feed_parts(X, _gen_batches(X.shape[0], batch, self.n_components or 0), model.partial_fit, release)
        self._sync()
        return self

    def partial_fit(self, X, y=None, check_input=True):
        """Merge one batch of samples into the model."""
        self._add_rows(X, "partial_fit")
        self._sync()
        return self

    # Pickling: the C++ model is rebuilt from the fitted attributes, which are its whole state.
    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_model", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "components_" in state:
            self._model = self._new_model()
            self._model.restore(
                int(self.n_components_), int(self.n_features_in_), int(self.n_samples_seen_),
                np.ravel(self.components_).tolist(), list(self.singular_values_), list(self.mean_),
                list(self.var_), list(self.explained_variance_), list(self.explained_variance_ratio_),
                float(self.noise_variance_),
            )


def _missing(values):
    """Mask of the missing entries (None, NaN, pandas.NA) of a 1-D array."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(len(values), dtype=bool)
    pd = sys.modules.get("pandas")  # pandas.NA only exists where pandas is loaded already
    na = pd.NA if pd is not None else None
    return np.fromiter((v is None or v is na or (isinstance(v, float) and v != v) for v in values),
                       dtype=bool, count=len(values))


class OneHotEncoder(TransformerMixin, BaseEstimator):
    """One-hot encoding as sklearn's ``OneHotEncoder`` (sparse output), of arrays, DataFrames or
    string columns of an outcore Dataset.

    ``fit`` takes each column's sorted distinct values as its categories (``categories_``,
    np.unique's order); ``transform`` returns a scipy CSR matrix whose columns are the columns'
    categories side by side, named by ``get_feature_names_out()`` ("topic_food", ... or "x0_a"
    for an array). A value not among the categories raises ValueError with
    ``handle_unknown="error"`` and encodes as all-zero with ``"ignore"``. A missing value (a
    null, None, NaN) is no category: it encodes as all-zero (``nulls="keep"``, the default), or
    is an error (``"fail"``); a Dataset also takes ``"drop"`` (rows with a null are left out) and
    ``where``. The code lookups are NumPy's (np.unique, searchsorted); a Dataset is encoded in
    C++ from its dictionaries, and the sparse matrix is built in C++ either way.

    >>> enc = OneHotEncoder().fit(np.array([["a"], ["b"], ["a"]], dtype=object))
    >>> enc.transform(np.array([["b"]], dtype=object)).toarray()
    array([[0., 1.]])
    """

    def __init__(self, *, handle_unknown="error", dtype=np.float64, columns=None, where=None, nulls="keep"):
        self.handle_unknown = handle_unknown
        self.dtype = dtype
        self.columns = columns
        self.where = where
        self.nulls = nulls

    def _check_params(self, nulls, where, dataset):
        if self.handle_unknown not in ("error", "ignore"):
            raise ValueError(f"handle_unknown must be 'error' or 'ignore', not {self.handle_unknown!r}")
        allowed = ("keep", "drop", "fail") if dataset else ("keep", "fail")
        if nulls not in allowed:
            extra = "" if dataset else " (drop applies to an outcore Dataset: filter an array yourself)"
            raise ValueError(f"nulls must be one of {', '.join(repr(a) for a in allowed)}, not {nulls!r}{extra}")
        if where is not None and not dataset:
            raise ValueError("where= applies to an outcore Dataset; select an array's rows yourself")

    def fit(self, X, y=None, *, columns=None, where=None, nulls=None):
        """Learn each column's categories from X (an array, a DataFrame, an outcore Dataset, or a
        Dask DataFrame: each partition's categories, unioned, outcore.dask.fit_onehot)."""
        where, nulls = _resolve(where, self.where), _resolve(nulls, self.nulls)
        if _is_dask(X):
            from .dask import fit_onehot

            self._check_params(nulls, where, False)
            names = list(_resolve(columns, self.columns) or X.columns)
            if nulls == "fail" and bool(X[names].isna().any().any().compute()):
                raise ValueError("a column of the Dask DataFrame is missing a value: pass nulls='keep' to encode "
                                 "it as all-zero")
            return fit_onehot(self, X, names)
        if _is_dataset(X):
            self._check_params(nulls, where, True)
            names = _dataset_columns(X, _resolve(columns, self.columns), lambda ds: ds.dictionary_columns)
            categories = _core.onehot_categories(X._core, names, where, nulls)
            self._dataset_rows = (where, nulls)  # transform(ds) reads the rows fit read
            self.categories_ = []
            for values in categories:
                arr = np.empty(len(values), dtype=object)
                arr[:] = values
                self.categories_.append(arr)
            self.feature_names_in_ = np.asarray(names, dtype=object)
            self.n_features_in_ = len(names)
            return self
        self._check_params(nulls, where, False)
        X = validate_data(self, X, dtype=None, ensure_all_finite=False)
        self.categories_ = []
        for column in range(X.shape[1]):
            values = X[:, column]
            missing = _missing(values)
            if nulls == "fail" and missing.any():
                raise ValueError(f"column {column} is missing a value in row {int(np.argmax(missing))}: "
                                 f"pass nulls='keep' to encode it as all-zero")
            try:
                categories = np.unique(values[~missing])
            except TypeError as e:
                raise TypeError(f"column {column} mixes strings and numbers; encoders need either: {e}") from e
            if values.dtype.kind == "O":
                categories = categories.astype(object)
            self.categories_.append(categories)
        return self

    def transform(self, X, *, where=None, nulls=None):
        """Encode X as a (n_samples, sum of category counts) scipy CSR matrix."""
        check_is_fitted(self, "categories_")
        if _is_dataset(X):
            fit_where, fit_nulls = getattr(self, "_dataset_rows", (self.where, self.nulls))
            where, nulls = _resolve(where, fit_where), _resolve(nulls, fit_nulls)
        else:
            where, nulls = _resolve(where, self.where), _resolve(nulls, self.nulls)
        if _is_dataset(X):
            self._check_params(nulls, where, True)
            data, indices, indptr, n_samples = _core.onehot_encode(
                X._core, list(self.feature_names_in_), [[str(c) for c in cats] for cats in self.categories_],
                self.handle_unknown == "ignore", where, nulls)
        else:
            self._check_params(nulls, where, False)
            X = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)
            codes = np.empty(X.shape, dtype=np.int32)
            for column, categories in enumerate(self.categories_):
                codes[:, column] = self._codes(X[:, column], categories, column, nulls)
            data, indices, indptr, n_samples = _core.onehot_codes(
                codes, [len(c) for c in self.categories_])
        width = sum(len(c) for c in self.categories_)
        return _csr(data, indices, indptr, (n_samples, width), self.dtype)

    def _codes(self, values, categories, column, nulls):
        missing = _missing(values)
        if nulls == "fail" and missing.any():
            raise ValueError(f"column {column} is missing a value in row {int(np.argmax(missing))}: "
                             f"pass nulls='keep' to encode it as all-zero")
        codes = np.full(len(values), -1, dtype=np.int32)
        present = values[~missing]
        if len(categories) and len(present):
            try:
                at = np.searchsorted(categories, present)
            except TypeError as e:
                raise TypeError(f"column {column} mixes strings and numbers; encoders need either: {e}") from e
            at = np.minimum(at, len(categories) - 1)
            found = categories[at] == present
            codes[~missing] = np.where(found, at, -1)
        else:
            found = np.zeros(len(present), dtype=bool)
        if self.handle_unknown == "error" and not found.all():
            unknown = np.unique(present[~found]).tolist()
            raise ValueError(f"Found unknown categories {unknown[:10]} in column {column} during transform")
        return codes

    def get_feature_names_out(self, input_features=None):
        """"<input feature>_<category>" for every output column, in order."""
        check_is_fitted(self, "categories_")
        names = _check_feature_names_in(self, input_features)
        out = [f"{name}_{category}" for name, cats in zip(names, self.categories_) for category in cats]
        return np.asarray(out, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True  # a missing value encodes as all-zero
        tags.transformer_tags.preserves_dtype = []
        return tags
