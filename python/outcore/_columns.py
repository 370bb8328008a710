"""String columns of a scanned batch, without a Python object per value.

DictionaryArray: int32 ``codes`` (-1 = missing) into ``categories`` -- exactly what
``pandas.Categorical.from_codes`` takes.
StringArray: Arrow's layout -- int32 ``offsets`` (length n + 1) into UTF-8 ``data`` bytes, and an
optional boolean ``mask`` (True = missing); ``to_arrow()`` is zero-copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # NumPy is loaded by whoever made the arrays; `import outcore` does not load it
    import numpy as np


class DictionaryArray:
    __slots__ = ("codes", "categories")

    def __init__(self, codes: np.ndarray, categories: np.ndarray):
        self.codes = codes
        self.categories = categories

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: int):
        code = self.codes[i]
        return None if code < 0 else self.categories[code]

    def __iter__(self):
        for code in self.codes:
            yield None if code < 0 else self.categories[code]

    def __repr__(self) -> str:
        return f"<outcore.DictionaryArray {len(self)} values, {len(self.categories)} categories>"

    @property
    def mask(self) -> np.ndarray:
        return self.codes < 0

    def to_pandas(self):
        import pandas as pd

        return pd.Categorical.from_codes(self.codes, categories=self.categories)

    def to_numpy(self) -> np.ndarray:
        """Object array of str (None where missing): one Python object per value."""
        import numpy as np

        out = self.categories[np.maximum(self.codes, 0)]
        out[self.codes < 0] = None
        return out

    def to_arrow(self):
        import pyarrow as pa

        return pa.DictionaryArray.from_arrays(
            pa.array(self.codes, mask=self.codes < 0), pa.array(list(self.categories), type=pa.string())
        )


class StringArray:
    __slots__ = ("offsets", "data", "mask")

    def __init__(self, offsets: np.ndarray, data: np.ndarray, mask: np.ndarray | None = None):
        self.offsets = offsets
        self.data = data
        self.mask = mask

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int):
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        if self.mask is not None and self.mask[i]:
            return None
        return self.data[self.offsets[i] : self.offsets[i + 1]].tobytes().decode("utf-8")

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return f"<outcore.StringArray {len(self)} values, {len(self.data)} bytes>"

    def to_arrow(self):
        """A pyarrow.StringArray over the same memory (no copy)."""
        import numpy as np
        import pyarrow as pa

        validity = None
        null_count = 0
        if self.mask is not None:
            null_count = int(self.mask.sum())
            validity = pa.py_buffer(np.packbits(~self.mask, bitorder="little"))
        return pa.StringArray.from_buffers(
            len(self), pa.py_buffer(self.offsets), pa.py_buffer(self.data), validity, null_count
        )

    def to_numpy(self) -> np.ndarray:
        """NumPy StringDType array (NumPy >= 2), missing values as the dtype's NA; object array otherwise."""
        import numpy as np

        values = list(self)
        try:
            dtype = np.dtypes.StringDType(na_object=None)
            return np.array(values, dtype=dtype)
        except AttributeError:  # NumPy 1.x
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out

    def to_pandas(self):
        import pandas as pd

        return pd.array(list(self), dtype="string")
