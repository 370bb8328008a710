"""NumPy arrays and pandas DataFrames from a .oc file in bounded memory, and
compaction of any DataFrame (doc/python.md, "Arrays and DataFrames").

The engine does the work: it counts the rows first, this module allocates
every array once at its final size, and ``_core.fill_columns`` converts the
scan's batches straight into them, column by column. Nothing but the result
and one batch is ever held; no per-batch frames are concatenated. pandas is
imported only by the functions that return or take a DataFrame.
"""

from __future__ import annotations

import numpy as np

from . import _core
from ._args import _chunk_span, _memory_limit

_ARRAY_DTYPES = ("bool", "int8", "int16", "int32", "int64", "float32", "float64")
_INT_STEPS = (np.int8, np.int16, np.int32, np.int64)


def _column_list(ds, columns) -> list[str]:
    if columns is None:
        return list(ds.schema)
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def to_numpy(ds, columns, where=None, out=None, dtype=None, memory_limit=None, chunks=None) -> np.ndarray:
    """Dataset.to_numpy: see its docstring."""
    single = isinstance(columns, str)
    names = _column_list(ds, columns)
    if not names:
        raise ValueError("to_numpy needs at least one column")
    rows = ds.count(where, chunks=chunks)
    if dtype is None:
        dtype = out.dtype if out is not None else np.dtype(_core.default_array_dtype(ds._core, names))
    dtype = np.dtype(dtype)
    if dtype.name not in _ARRAY_DTYPES or dtype.byteorder == ">":
        raise ValueError(f"dtype {dtype} is not one to_numpy fills: use one of {', '.join(_ARRAY_DTYPES)}")
    shape = (rows,) if single else (rows, len(names))
    if out is None:
        out = np.empty(shape, dtype=dtype)
    else:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"out must be a NumPy array or memmap, not {type(out).__name__}")
        if out.shape != shape:
            raise ValueError(
                f"out has shape {out.shape}, but {len(names)} column(s) x {rows} rows"
                f"{' matching the where' if where else ''} need {shape}: allocate it as "
                f"np.lib.format.open_memmap(path, mode='w+', dtype='{dtype.name}', shape={shape})"
            )
        if out.dtype != dtype:
            raise ValueError(f"out has dtype {out.dtype}, not {dtype}: pass dtype={out.dtype.name!r} or another out")
        if not out.flags.writeable:
            raise ValueError("out is read-only (open a memmap with mode='w+' or 'r+')")
    views = [out] if single else [out[:, i] for i in range(len(names))]
    targets = [(name, dtype.name, view, None, "default", False, None) for name, view in zip(names, views)]
    filled = _core.fill_columns(ds._core, targets, rows, where, _memory_limit(memory_limit), _chunk_span(chunks))
    if filled != rows:
        raise ValueError(f"{ds.path} gave {filled} rows where {rows} were counted")
    return out


def _plan(ds, names, dtypes, rows):
    if dtypes not in ("compact", "pandas"):
        raise ValueError(f'dtypes must be "compact" or "pandas", not {dtypes!r}')
    return _core.plan_frame(ds._core, names, dtypes, rows)


def to_pandas(ds, columns=None, where=None, dtypes="compact", memory_limit=None, chunks=None):
    """Dataset.to_pandas: see its docstring."""
    import pandas as pd

    names = _column_list(ds, columns)
    if len(set(names)) != len(names):
        raise ValueError("a column is named twice; a DataFrame's columns must be distinct")
    rows = ds.count(where, chunks=chunks)
    plans = _plan(ds, names, dtypes, rows)
    targets, parts = [], []
    for plan in plans:
        name, kind = plan["column"], plan["kind"]
        if kind == "object":
            values = np.empty(rows, dtype=object)
            categories = ds.categories(name).tolist() if name in ds.dictionary_columns else None
            targets.append((name, "object", values, None, "default", False, categories))
            parts.append((kind, values, None))
            continue
        values = np.empty(rows, dtype=np.dtype(plan["element"]))
        mask = np.empty(rows, dtype=bool) if kind == "masked" else None
        targets.append((name, plan["element"], values, mask, plan["nulls"], kind == "categorical", None))
        parts.append((kind, values, mask))
    if targets:
        filled = _core.fill_columns(ds._core, targets, rows, where, _memory_limit(memory_limit), _chunk_span(chunks))
        if filled != rows:
            raise ValueError(f"{ds.path} gave {filled} rows where {rows} were counted")
    data = {}
    for plan, (kind, values, mask) in zip(plans, parts):
        name = plan["column"]
        if kind == "masked":
            cls = pd.arrays.BooleanArray if values.dtype == bool else pd.arrays.IntegerArray
            data[name] = cls(values, mask)
        elif kind == "categorical":
            dtype = pd.CategoricalDtype(pd.Index(ds.categories(name), dtype=object))
            data[name] = pd.Categorical.from_codes(values, dtype=dtype)
        elif kind == "object":
            data[name] = pd.Series(values, dtype=object, copy=False)
        else:
            data[name] = values
    return pd.DataFrame(data, columns=names, copy=False)


class MemoryEstimate:
    """What ``Dataset.to_pandas`` would take, per column, for both ``dtypes`` choices.

    ``columns``: one dict per column (column, compact_dtype, compact_bytes, pandas_dtype,
    pandas_bytes); ``compact`` and ``pandas``: the totals; ``bytes``: the total of the
    ``dtypes`` asked for. Text columns' bytes are estimated (one str object per value or per
    category); everything else is exact, as ``DataFrame.memory_usage(deep=True)`` counts it.
    """

    def __init__(self, rows: int, columns: list[dict], dtypes: str):
        self.rows = rows
        self.columns = columns
        self.dtypes = dtypes
        self.compact = sum(c["compact_bytes"] for c in columns)
        self.pandas = sum(c["pandas_bytes"] for c in columns)
        self.bytes = self.compact if dtypes == "compact" else self.pandas

    def __getitem__(self, key):
        return {c["column"]: c for c in self.columns}[key]

    def __repr__(self) -> str:
        width = max([len(c["column"]) for c in self.columns] + [6])
        lines = [f"<outcore.MemoryEstimate: {self.rows:,} rows, {_size(self.compact)} compact, "
                 f"{_size(self.pandas)} with pandas' dtypes>"]
        lines.append(f"  {'column':<{width}}  {'compact':>22}  {'pandas':>22}")
        for c in self.columns:
            lines.append(
                f"  {c['column']:<{width}}  {c['compact_dtype']:>12} {_size(c['compact_bytes']):>9}"
                f"  {c['pandas_dtype']:>12} {_size(c['pandas_bytes']):>9}"
            )
        return "\n".join(lines)


def _size(n: int) -> str:
    return _core.format_size(int(n))


def memory_estimate(ds, columns=None, where=None, dtypes="compact") -> MemoryEstimate:
    """Dataset.memory_estimate: see its docstring."""
    names = _column_list(ds, columns)
    rows = ds.count(where)
    compact = _plan(ds, names, "compact", rows)
    usual = _plan(ds, names, "pandas", rows)
    if dtypes not in ("compact", "pandas"):
        raise ValueError(f'dtypes must be "compact" or "pandas", not {dtypes!r}')
    columns_out = [
        {
            "column": c["column"],
            "compact_dtype": c["dtype"],
            "compact_bytes": c["bytes"],
            "pandas_dtype": p["dtype"],
            "pandas_bytes": p["bytes"],
        }
        for c, p in zip(compact, usual)
    ]
    return MemoryEstimate(rows, columns_out, dtypes)


# --- compaction of any DataFrame ---------------------------------------------------------


class CompactReport:
    """What ``oc.compact`` changed: one dict per column (column, before, after, bytes_before,
    bytes_after, note) and the totals ``bytes_before`` / ``bytes_after`` (as
    ``DataFrame.memory_usage(deep=True)`` counts them)."""

    def __init__(self, columns: list[dict]):
        self.columns = columns
        self.bytes_before = sum(c["bytes_before"] for c in columns)
        self.bytes_after = sum(c["bytes_after"] for c in columns)

    @property
    def saved(self) -> int:
        return self.bytes_before - self.bytes_after

    def __getitem__(self, key):
        return {c["column"]: c for c in self.columns}[key]

    def __repr__(self) -> str:
        ratio = self.bytes_before / self.bytes_after if self.bytes_after else 0.0
        width = max([len(str(c["column"])) for c in self.columns] + [6])
        lines = [f"<outcore.CompactReport: {_size(self.bytes_before)} -> {_size(self.bytes_after)} "
                 f"({ratio:.1f}x smaller), every value kept>"]
        for c in self.columns:
            change = f"{c['before']} -> {c['after']}" if c["before"] != c["after"] else f"{c['before']} (kept)"
            lines.append(
                f"  {c['column']!s:<{width}}  {change:<28} {_size(c['bytes_before']):>9} -> "
                f"{_size(c['bytes_after']):>9}" + (f"  {c['note']}" if c["note"] else "")
            )
        return "\n".join(lines)


def _narrowest_int(lo: int, hi: int):
    for t in _INT_STEPS:
        info = np.iinfo(t)
        if info.min <= lo and hi <= info.max:
            return np.dtype(t)
    return None


def _compact_numbers(series, pd, nullable):
    """The exact narrower form of a NumPy-backed or masked numeric column, or None."""
    array = series.array
    masked = isinstance(array, pd.arrays.IntegerArray)
    values = array._data if masked else series.to_numpy(copy=False)
    mask = array._mask if masked else None
    if values.dtype.kind not in "iuf" or values.dtype.byteorder == ">":
        return None, ""
    if masked and mask.any():
        values = values[~mask]  # a copy of the valid values only: masked slots hold anything
    profile = _core.profile_numbers(values)
    itemsize = series.dtype.itemsize if not masked else values.dtype.itemsize + 1
    if values.dtype.kind in "iu":
        if not profile["has_range"] or not profile["fits_int64"]:
            return None, ""
        target = _narrowest_int(profile["min"], profile["max"])
        if target is None or target.itemsize + (1 if masked else 0) >= itemsize:
            return None, ""
        if masked:
            return pd.arrays.IntegerArray(array._data.astype(target), array._mask.copy()), "range"
        return series.to_numpy().astype(target), f"range {profile['min']}..{profile['max']}"
    # floats: whole numbers become integers, others float32 where every value survives it
    if profile["integral"] and profile["has_range"]:
        target = _narrowest_int(profile["min"], profile["max"])
        if target is not None:
            if profile["nans"] == 0 and target.itemsize < itemsize:
                return values.astype(target), "whole numbers"
            if profile["nans"] and nullable and target.itemsize + 1 < itemsize:
                nan = np.isnan(values)
                return (
                    pd.arrays.IntegerArray(np.where(nan, 0, values).astype(target), nan),
                    "whole numbers, NaN -> <NA>",
                )
    if values.dtype == np.float64 and profile["float32_exact"]:
        return values.astype(np.float32), "exact in float32"
    return None, ""


def _compact_text(series, pd, cap):
    """A Categorical when the column is all text (NaN for missing) and that is smaller, or None."""
    values = series.to_numpy(dtype=object, copy=False) if series.dtype != object else series.to_numpy(copy=False)
    profile = _core.profile_objects(values, cap)
    if profile["others"] or profile["nones"] or not profile["strings"] or profile["distinct"] < 0:
        return None, ""
    if profile["distinct"] * 2 > profile["count"]:
        return None, ""
    categorical = pd.Categorical(values, categories=pd.Index(pd.unique(values[pd.notna(values)]), dtype=object))
    return categorical, f"{profile['distinct']:,} distinct"


def compact(df, *, report: bool = False, category_cap: int = 65536, nullable: bool = True):
    """Dataset-free compaction: see outcore.compact."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"compact takes a pandas DataFrame, not {type(df).__name__}")
    out = {}
    rows = []
    for position, name in enumerate(df.columns):
        series = df.iloc[:, position]
        before = series.memory_usage(deep=True, index=False)
        new, note = None, ""
        kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else ""
        if (kind and kind in "iuf") or isinstance(series.array, pd.arrays.IntegerArray):
            new, note = _compact_numbers(series, pd, nullable)
        elif kind == "O" or (
            not isinstance(series.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(series.dtype)
        ):
            new, note = _compact_text(series, pd, category_cap)
        if new is not None:
            candidate = pd.Series(new, index=series.index, name=name, copy=False)
            after = candidate.memory_usage(deep=True, index=False)
            if after < before:
                series = candidate
            else:
                new, note = None, ""
        out[position] = series
        rows.append(
            {
                "column": name,
                "before": str(df.dtypes.iloc[position]),
                "after": str(series.dtype),
                "bytes_before": int(before),
                "bytes_after": int(series.memory_usage(deep=True, index=False)),
                "note": note,
            }
        )
    if out:
        result = pd.concat(list(out.values()), axis=1, ignore_index=True)
        result.columns = df.columns
    else:
        result = df.copy()
    summary = CompactReport(rows)
    return (result, summary) if report else result

