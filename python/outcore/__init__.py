"""outcore: tabular data larger than memory, in a memory budget you set.

    import outcore as oc
    report = oc.ingest("sample.csv", "sample.oc", memory_limit="512MiB", reject="rejects.csv")
    ds = oc.open("sample.oc")
    for batch in ds.scan(columns=["id", "topic", "price"], batch_rows=100_000):
        batch["price"]                 # numpy.ndarray (numpy.ma.MaskedArray where the batch has nulls)
        batch["topic"].to_pandas()     # pandas.Categorical, built from int32 codes + categories
    oc.index("sample.oc", columns=["topic"], tokens=["passage"])   # or ingest(..., index=[...])
    for batch in ds.scan(columns=["id", "price"], where="topic == 'food' and price > 100"):
        ...                            # only matching rows; indexes and zone maps skip chunks
    oc.memory.rss(), oc.memory.peak()

Columns in a batch (no copy from the engine's buffers unless said):
  bool       numpy bool array (unpacked from bits: a copy)
  int64      numpy int64          float64  numpy float64
  date       numpy datetime64[D] (a copy: stored as int32 days)
  timestamp  numpy datetime64[us]
  string     DictionaryArray (int32 codes, -1 = missing, + categories) for dictionary-encoded
             columns; StringArray (Arrow-style int32 offsets + UTF-8 bytes) otherwise.
             Neither costs a Python object per value.
Missing values: a column with nulls in a batch is a numpy.ma.MaskedArray (mask True = missing).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence

import numpy as np

from . import _core, memory
from ._columns import DictionaryArray, StringArray
from .transform import FeatureHasher, IncrementalPCA, OneHotEncoder, column_stats, normalize_

__all__ = [
    "ingest", "index", "open", "Dataset", "DictionaryArray", "StringArray", "memory",
    "RejectLimitError", "RejectWarning",
    "FeatureHasher", "IncrementalPCA", "OneHotEncoder", "column_stats", "normalize_",
    "__version__",
]
__version__ = "0.1.0"


class RejectLimitError(ValueError):
    """``ingest`` stopped because more rows were rejected than ``max_rejects`` allows (by
    default: every row). Nothing was written to the output (an existing file is kept); the
    ``reject`` file has the rows. ``report`` is the ingest report (a dict) of the rows read
    until then, with ``rejects_by_column``: which columns, why, and an example each."""

    def __init__(self, message: str, report: dict):
        super().__init__(message)
        self.report = report


class RejectWarning(UserWarning):
    """More than 1% of the rows were rejected; the message names the columns and reasons."""


def ingest(
    inputs: str | os.PathLike | Sequence[str | os.PathLike],
    output: str | os.PathLike,
    *,
    memory_limit: str | int | None = None,
    threads: int = 0,
    delimiter: str | None = None,
    quote: str = '"',
    header: bool = True,
    na_values: Sequence[str] | None = None,
    true_values: Sequence[str] | None = None,
    false_values: Sequence[str] | None = None,
    schema: Mapping[str, str] | None = None,
    reject: str | os.PathLike | None = None,
    on_error: str = "reject",
    max_rejects: int | str | None = None,
    compression: str = "zstd",
    level: int = 1,
    block_size: str | int | None = None,
    index: Sequence[str] = (),
    index_tokens: Sequence[str] = (),
    encoding: str | None = None,
    skip_rows: int = 0,
    comment: str | None = None,
    pad_short_rows: bool = False,
    decimal: str = ".",
) -> dict:
    """Ingest CSV file(s) into one .oc file; returns the report as a dict.

    Plain, gzip, zstd, bzip2, xz or a zip holding one file (recognised by the first bytes);
    Parquet, Arrow, Excel, JSON and other files that are not CSV raise ValueError saying so.

    Same options as ``outcore ingest``: ``memory_limit`` ("512MiB", "2G" or bytes) bounds the
    whole process; ``schema`` ({"id": "int64", ...}) overrides inferred types (inferred ones
    lose nothing: "02134" or "300389460z" keep a column text, and ``report["columns"][i]
    ["type_note"]`` says why, see doc/inference.md); ``na_values`` replaces the missing-value
    spellings in every column (default: "", NA, N/A, NULL, null, NaN, nan, None in typed
    columns, only an empty unquoted field in text columns, so "NA" stays text); rejected rows go
    to ``reject`` (a CSV with file, line, column, reason, detail, raw). ``index`` builds value
    indexes and ``index_tokens`` token indexes (text columns) for ``scan(where=...)``; an index
    that does not fit the budget is reported in ``report["indexes"]`` with ``built=False``.
    ``encoding`` ("latin-1", "cp1252", "utf-16le", ...; default: a byte order mark decides, else
    UTF-8) is transcoded to UTF-8 while streaming; ``report["encoding"]`` and
    ``report["line_ending"]`` say what was read (LF, CRLF and CR line endings are detected).
    ``max_rejects`` (a row count, or a share of the rows read such as ``"1%"``; default: fail
    only when every row is rejected) makes too many rejects an error: RejectLimitError (a
    ValueError) with the report as its ``report`` attribute. More than 1% rejected warns
    (RejectWarning) naming the columns, the reasons and the ``schema`` override to try.
    Raises ValueError for bad data with ``on_error="fail"`` and for bad arguments, OSError for
    I/O problems.

    How the file is spelled, as ``outcore ingest`` takes it: ``delimiter`` is one character,
    ``"tab"``, or ``"spaces"`` / ``"2spaces"`` for space-aligned columns (default: detected among
    , tab ; | : and space-aligned); ``skip_rows`` drops title lines above the header;
    ``comment="#"`` skips lines starting with it; ``pad_short_rows=True`` keeps rows that leave
    off trailing fields (nulls there); ``decimal=","`` reads ``1,5`` as 1.5. Repeated or empty
    header names become ``a.1`` / ``column_3`` as in pandas; the report lists them in
    ``renamed_columns``, next to ``lines_skipped``, ``comment_lines`` and ``rows_padded``.

    >>> report = ingest("sample.csv", "sample.oc", memory_limit="256MiB")
    >>> report["rows_read"] == report["rows_kept"] + report["rows_rejected"]
    True
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    report = _core.ingest(
        [os.fspath(p) for p in inputs],
        os.fspath(output),
        memory_limit=memory_limit,
        threads=threads,
        delimiter=delimiter,
        quote=quote,
        header=header,
        na_values=list(na_values) if na_values is not None else None,
        true_values=list(true_values) if true_values is not None else None,
        false_values=list(false_values) if false_values is not None else None,
        schema=list((schema or {}).items()),
        reject=os.fspath(reject) if reject is not None else None,
        on_error=on_error,
        max_rejects=str(max_rejects) if max_rejects is not None else None,
        compression=compression,
        level=level,
        block_size=block_size,
        index=list(index),
        index_tokens=list(index_tokens),
        encoding=encoding,
        skip_rows=skip_rows,
        comment=comment,
        pad_short_rows=pad_short_rows,
        decimal=decimal,
    )
    error = report.pop("error", None)
    if error is not None:
        raise RejectLimitError(error, report)
    if report["warning"]:
        warnings.warn(report["warning"], RejectWarning, stacklevel=2)
    return report


def index(
    path: str | os.PathLike,
    *,
    columns: Sequence[str] = (),
    tokens: Sequence[str] = (),
    output: str | os.PathLike | None = None,
    memory_limit: str | int | None = None,
) -> list[dict]:
    """Add value indexes (``columns``) and token indexes (``tokens``, text columns) to a .oc file.

    The file is rewritten atomically (or written to ``output``); blocks are copied as they are.
    In place, the file is locked until it is replaced: a second writer of the same file waits.
    Returns one dict per index: column, kind, built, keys, stored_bytes, note (why it was not
    built: it did not fit ``memory_limit``). Same as ``outcore index``.

    >>> index("sample.oc", columns=["topic"], tokens=["passage"])
    [{'column': 'topic', 'kind': 'value', 'built': True, 'keys': 12, ...}, ...]
    """
    return _core.add_indexes(
        os.fspath(path),
        columns=list(columns),
        tokens=list(tokens),
        output=os.fspath(output) if output is not None else None,
        memory_limit=memory_limit,
    )


def open(path: str | os.PathLike) -> Dataset:  # mirrors the built-in on purpose
    """Open a .oc file (validated: a corrupt or truncated file raises ValueError)."""
    return Dataset(os.fspath(path))


class Dataset:
    """A .oc file: ``schema``, ``num_rows``, and ``scan()`` for batches of NumPy arrays."""

    def __init__(self, path: str):
        self._core = _core.Dataset.open(path)
        self._categories: dict[str, np.ndarray] = {}

    @property
    def path(self) -> str:
        return self._core.path

    @property
    def schema(self) -> dict[str, str]:
        """Column name -> type name (bool, int64, float64, string, date, timestamp), in file order."""
        return {name: type_name for name, type_name, _ in self._core.schema}

    @property
    def dictionary_columns(self) -> list[str]:
        """String columns that scans return as DictionaryArray (codes + categories)."""
        return [name for name, _, is_dict in self._core.schema if is_dict]

    @property
    def num_rows(self) -> int:
        return self._core.num_rows

    @property
    def num_chunks(self) -> int:
        return self._core.num_chunks

    @property
    def indexes(self) -> list[dict]:
        """The file's indexes: [{"column", "kind" ("value" or "token"), "keys", "stored_bytes"}, ...]."""
        return self._core.indexes

    def __len__(self) -> int:
        return self.num_rows

    def __reduce__(self):
        """Pickled by path and reopened on load (a moved or changed file is an error then)."""
        from ._dataset_pickle import reduce_dataset

        return reduce_dataset(self)

    def __repr__(self) -> str:
        cols = ", ".join(f"{n}: {t}" for n, t in self.schema.items())
        return f"<outcore.Dataset {self.path!r}: {self.num_rows} rows; {cols}>"

    def categories(self, column: str) -> np.ndarray:
        """The distinct values of a dictionary column, in code order (an object array, one per value)."""
        if column not in self._categories:
            values = self._core.dictionary(column)
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
            self._categories[column] = arr
        return self._categories[column]

    def scan(
        self,
        columns: Iterable[str] | None = None,
        batch_rows: int = 65536,
        limit: int | None = None,
        where: str | None = None,
        use_indexes: bool = True,
        use_zone_maps: bool = True,
        memory_limit: str | int | None = None,
        force_indexes: bool = False,
    ) -> Iterator[dict]:
        """Yield batches as dicts {column name: array}, at most ``batch_rows`` rows each.

        ``where`` keeps only the rows for which a predicate is true (doc/query.md), e.g.
        ``"topic == 'food' and price > 100"`` or ``"passage contains 'ice cream'"``; value and
        token indexes and per-chunk min/max skip the chunks that cannot match. The rows are the
        same with ``use_indexes=False`` / ``use_zone_maps=False`` (slower). A bad expression
        raises ValueError with a caret under the problem.

        Memory stays bounded: each batch is decoded from one chunk of the file, and nothing is
        kept once you drop the batch.
        """
        scanner = self._scanner(
            columns, batch_rows, limit, where, use_indexes, use_zone_maps, memory_limit, force_indexes
        )
        while True:
            item = scanner.next()
            if item is None:
                return
            _, _, cols = item
            yield {name: self._adapt(name, *rest) for name, *rest in cols}

    def explain(
        self,
        where: str,
        columns: Iterable[str] | None = None,
        use_indexes: bool = True,
        use_zone_maps: bool = True,
        force_indexes: bool = False,
    ) -> str:
        """Which chunks ``scan(columns, where=...)`` reads and why, one line per chunk and a summary."""
        return self._scanner(
            columns, 65536, None, where, use_indexes, use_zone_maps, None, force_indexes
        ).explain()

    def count(
        self,
        where: str | None = None,
        use_indexes: bool = True,
        use_zone_maps: bool = True,
        force_indexes: bool = False,
    ) -> int:
        """The number of rows for which ``where`` is true (all rows without it)."""
        if where is None:
            return self.num_rows
        scanner = self._scanner(
            None, 1 << 20, None, where, use_indexes, use_zone_maps, None, force_indexes, count_only=True
        )
        return scanner.count()

    def _scanner(
        self, columns, batch_rows, limit, where, use_indexes, use_zone_maps, memory_limit, force_indexes=False,
        count_only=False,
    ):
        return _core.Scanner(
            self._core,
            list(columns) if columns is not None else None,
            batch_rows,
            limit,
            where,
            use_indexes,
            use_zone_maps,
            memory_limit,
            force_indexes,
            count_only,
        )

    def to_pandas(self, columns: Iterable[str] | None = None, where: str | None = None):
        """The whole table (or some columns, or the rows matching ``where``) as a pandas DataFrame.

        Needs the memory for the result.
        """
        import pandas as pd

        frames = [
            pd.DataFrame({k: _to_pandas_column(v) for k, v in batch.items()})
            for batch in self.scan(columns, batch_rows=1 << 20, where=where)
        ]
        if not frames:
            return pd.DataFrame({c: [] for c in (columns or self.schema)})
        return pd.concat(frames, ignore_index=True)

    def _adapt(self, name, type_name, values, mask, data, is_codes):
        if type_name == "string":
            if is_codes:
                return DictionaryArray(values, self.categories(name))
            return StringArray(values, data, mask)
        if type_name == "date":
            values = values.astype("datetime64[D]")
        elif type_name == "timestamp":
            values = values.view("datetime64[us]")
        if mask is not None:
            return np.ma.MaskedArray(values, mask=mask)
        return values


def _to_pandas_column(value):
    import pandas as pd

    if isinstance(value, (DictionaryArray, StringArray)):
        return value.to_pandas()
    if isinstance(value, np.ma.MaskedArray):
        data, mask = np.asarray(value.data), np.ma.getmaskarray(value)
        if data.dtype.kind == "b":
            return pd.arrays.BooleanArray(data, mask)
        if data.dtype.kind in "iu":
            return pd.arrays.IntegerArray(data, mask)
        if data.dtype.kind == "f":
            return np.where(mask, np.nan, data)
        return pd.Series(data).mask(mask)  # datetimes: NaT where missing
    return value
