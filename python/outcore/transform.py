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

import numpy as np

from . import _core

__all__ = ["FeatureHasher", "IncrementalPCA"]

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
