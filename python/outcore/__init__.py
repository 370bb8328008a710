"""outcore: tabular data larger than memory, in a memory budget you set.

    import outcore as oc
    report = oc.ingest("sample.csv", "sample.oc", memory_limit="512MiB", reject="rejects.csv")
    ds = oc.open("sample.oc")
    for batch in ds.scan(columns=["id", "topic", "price"], batch_rows=100_000):
        batch["price"]                 # numpy.ma.MaskedArray if the file has a null price, else ndarray
        batch["topic"].to_pandas()     # pandas.Categorical, built from int32 codes + categories
    pa.table(ds); pl.DataFrame(ds); duckdb.sql("from ds")   # Arrow C stream, zero-copy (doc/arrow.md)
    pa.RecordBatchReader.from_stream(ds.scan(columns=["id"], where="price > 100"))
    ds.to_arrow(columns=["id", "topic"])                    # a pyarrow.Table
    oc.index("sample.oc", columns=["topic"], tokens=["passage"])   # or ingest(..., index=[...])
    for batch in ds.scan(columns=["id", "price"], where="topic == 'food' and price > 100"):
        ...                            # only matching rows; indexes and zone maps skip chunks
    oc.memory.rss(), oc.memory.peak()
    with oc.trace() as t: ...          # t.peak, t.top[0]["location"]: the block's allocations by line
    %load_ext outcore                  # in IPython/Jupyter: %%outcore_trace shows that report inline

Columns in a batch (no copy from the engine's buffers unless said):
  bool       numpy bool array (unpacked from bits: a copy)
  int64      numpy int64          float64  numpy float64
  date       numpy datetime64[D] (a copy: stored as int32 days)
  timestamp  numpy datetime64[us]
  string     DictionaryArray (int32 codes, -1 = missing, + categories) for dictionary-encoded
             columns; StringArray (Arrow-style int32 offsets + UTF-8 bytes) otherwise.
             Neither costs a Python object per value.
Missing values, one rule (a column's Python type depends on the file, never on the batch): a
column the file records any null in (``ds.nullable_columns``; nullable in the Arrow schema) is
a numpy.ma.MaskedArray (mask True = missing) in every batch, its mask all False in a batch
without nulls, and a plain string column a StringArray whose ``mask`` is an array; a column
the file holds no null in is a plain ndarray (StringArray with ``mask`` None). Dictionary
columns are DictionaryArray either way (code -1 = missing).
"""

from __future__ import annotations

import json  # loaded by outcore._trace anyway: the reports are json.loads of the engine's text
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from . import _arrow_in, _core, _progress, memory
from ._args import _chunk_span
from ._arrow import Batch, Scan
from ._columns import DictionaryArray, StringArray
from ._trace import trace

if TYPE_CHECKING:
    import numpy as np

# `import outcore` loads the engine only. NumPy loads with the first NumPy result (a scanned
# batch's columns, categories, to_numpy), so an Arrow consumer (pl.DataFrame(ds), pa.table(ds),
# DuckDB) never pays for it; scikit-learn, SciPy, pandas and pyarrow are imported where they are
# first used. The estimators live in outcore.transform (which imports
# scikit-learn's base classes), loaded on first access to one of these names (PEP 562).
_LAZY = {
    "PCA": "transform", "FeatureHasher": "transform", "IncrementalPCA": "transform", "OneHotEncoder": "transform",
    "column_stats": "transform", "normalize_": "transform", "transform": "transform",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
    value = module if name == _LAZY[name] else getattr(module, name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def load_ipython_extension(ipython) -> None:
    """``%load_ext outcore``: registers the ``%%outcore_trace`` cell magic (outcore._ipython)."""
    from ._ipython import load_ipython_extension as load

    load(ipython)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ingest", "index", "open", "add_parts", "compact", "Dataset", "Batch", "Scan", "DictionaryArray", "StringArray",
    "memory", "trace",
    "RejectLimitError", "RejectWarning",
    "PCA", "FeatureHasher", "IncrementalPCA", "OneHotEncoder", "column_stats", "normalize_",
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
    inputs: str | os.PathLike | Sequence[str | os.PathLike] | object,
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
    escape: str | None = None,
    thousands: str | None = None,
    require: str | Sequence[str] = (),
    range: Mapping[str, str | tuple] | None = None,
    allowed: Mapping[str, Sequence] | None = None,
    drop_where: str | None = None,
    dedupe: str | Sequence[str] = (),
    lossy: Mapping[str, str] | None = None,
    progress: bool | Callable[[dict], None] = False,
    parts: bool = False,
    append: bool = False,
) -> dict:
    """Ingest CSV file(s), or an Arrow stream, into one .oc file; returns the report as a dict.

    ``parts=True`` makes ``output`` a folder, a data set of parts (doc/format.md, "The part
    manifest"): each input becomes a .oc part of its own, then the manifest is written, and
    ``open(output)`` reads them as one table. ``append=True`` adds the inputs as new parts to
    such a folder. A failure leaves the folder as it was; every part must have the same
    columns, order and types (``schema`` makes them agree). ``report["parts"]`` lists the parts
    written (input, part, rows read/kept/rejected, ``reject_file``: with ``reject`` each part has
    its own, ``rejects.part-00003.csv``); the other figures are the parts' summed. The report is
    ``outcore ingest --json``'s, less the command's context (doc/python.md, "Reports").

    ``inputs`` may be any object with ``__arrow_c_stream__`` instead of paths — a pyarrow
    Table or RecordBatchReader (for Parquet: ``pa.RecordBatchReader.from_batches(pf.schema_arrow,
    pq.ParquetFile(path).iter_batches(batch_size=65536))``), a Polars DataFrame, a DuckDB
    result — read batch by batch in C++ into the same encoders, indexes and rejects, inside
    ``memory_limit``. Types map exactly (doc/arrow.md, "Arrow in"); a column with no outcore
    type (binary, decimal, nested) is refused up front with the cast to make; a value with no
    exact form (a uint64 past int64, a nanosecond timestamp with a sub-microsecond part) is a
    rejected row, its "line" the 1-based row number. ``schema`` casts where that is exact
    (int64 <-> float64, anything <-> string, date <-> timestamp). The CSV options (delimiter,
    quote, header, encoding, na/true/false values, skip_rows, comment, pad_short_rows, decimal,
    escape, thousands)
    are refused; ``report["source"]`` is ``"arrow"`` (``"csv"`` otherwise).

    Plain, gzip, zstd, bzip2, xz or a zip holding one file (recognised by the first bytes);
    Parquet, Arrow, Excel, JSON and other files that are not CSV raise ValueError saying so.

    Same options as ``outcore ingest``: ``memory_limit`` ("512MiB", "2G" or bytes) bounds the
    whole process (None: planned from the work, 4 MiB blocks for every thread and each column's
    state, ``report["memory_limit"]`` says what it was); ``schema`` ({"id": "int64", ...})
    overrides inferred types (inferred ones lose nothing: "02134" or "300389460z" keep a column
    text, and ``report["columns"][i]["type_note"]`` says why, see doc/inference.md);
    ``na_values`` replaces the missing-value spellings in every column (default: "", NA, N/A,
    NULL, null, NaN, nan, None in typed columns, only an empty unquoted field in text columns,
    so "NA" stays text); rejected rows go to ``reject`` (a CSV with file, line, column, reason,
    detail, raw). ``index`` builds value indexes and ``index_tokens`` token indexes (text
    columns) for ``scan(where=...)``; an index that does not fit the budget is reported in
    ``report["indexes"]`` with ``built=False``. ``encoding`` ("latin-1", "cp1252", "utf-16le",
    ...; default: a byte order mark decides, else UTF-8) is transcoded to UTF-8 while streaming;
    ``report["encoding"]`` and ``report["line_ending"]`` say what was read (LF, CRLF and CR line
    endings are detected). ``max_rejects`` (a row count, or a share of the rows read such as
    ``"1%"``; default: fail only when every row is rejected) makes too many rejects an error:
    RejectLimitError (a ValueError) with the report as its ``report`` attribute. More than 1%
    rejected warns (RejectWarning) naming the columns, the reasons and the ``schema`` override
    to try. Raises ValueError for bad data with ``on_error="fail"`` and for bad arguments,
    OSError for I/O problems.

    How the file is spelled, as ``outcore ingest`` takes it: ``delimiter`` is one character,
    ``"tab"``, or ``"spaces"`` / ``"2spaces"`` for space-aligned columns (default: detected among
    , tab ; | : and space-aligned); ``skip_rows`` drops title lines above the header;
    ``comment="#"`` skips lines starting with it; ``pad_short_rows=True`` keeps rows that leave
    off trailing fields (nulls there); ``decimal=","`` reads ``1,5`` as 1.5; ``escape="\\"``
    makes the next character literal, in quotes or not, as Python's csv ``escapechar``
    (``\\"`` is a quote); ``thousands=","`` reads ``"1,338"`` as 1338 (without it such a column
    stays text, and its ``type_note`` says so). Repeated or empty
    header names become ``a.1`` / ``column_3`` as in pandas; the report lists them in
    ``renamed_columns``, next to ``lines_skipped``, ``comment_lines`` and ``rows_padded``.

    Row rules, as ``outcore ingest`` takes them (README, "Rules"), checked in C++ by the workers
    on every row that parsed, CSV or Arrow, in this order: ``require=["price", "topic"]`` (null
    or empty there), ``range={"price": (0, 10000), "day": ("2020-01-01", None)}`` (inclusive,
    ``None`` an open end, or the text ``"0..10000"``; int64, float64, date and timestamp
    columns; a null passes), ``allowed={"topic": ["food", "travel"]}`` (a null passes),
    ``drop_where="source == 'scraper-7' or price < 0"`` (the ``scan(where=...)`` language), then
    ``dedupe=["id"]`` (a later row with a key seen before; the first is kept; the exact set of
    keys must fit a quarter of the budget, else MemoryError naming the ``memory_limit`` to try).
    A failing row is rejected with reason ``"rule"`` and the rule's text as its detail;
    ``report["rules"]`` lists each rule with the rows it rejected (also ``Dataset.info()``).
    ``lossy`` stores columns in a lossy form, as ``outcore ingest --lossy`` does:
    ``{"score": "float32", "price": "float16", "amount": "quantize:0.01"}`` (float32 and
    float16 for float64 columns; ``quantize:STEP`` keeps ``round(x / STEP)`` and reads
    ``k * STEP``, for float64 columns and for int64 ones with a whole STEP). The columns still
    read as float64 (int64). A chunk keeps its exact form where a value has no lossy one or the
    lossy form is not smaller; ``report["lossy"]`` gives, per column, the form, the measured
    ``max_abs_error`` and ``max_rel_error``, ``bytes_saved`` and those chunk counts
    (doc/encodings.md, "Lossy forms"); ``Dataset.info()["lossy"]`` keeps them.

    ``progress=True`` shows bytes read of the input's size and rows (tqdm when installed, else a
    line on stderr); a callable gets each update as a dict instead (outcore/_progress.py).

    >>> report = ingest("sample.csv", "sample.oc", memory_limit="256MiB")
    >>> report["rows_read"] == report["rows_kept"] + report["rows_rejected"]
    True
    """
    if _arrow_in.is_arrow_source(inputs):
        sources = _arrow_in.stream_capsule(inputs)
    else:
        if isinstance(inputs, (str, os.PathLike)):
            inputs = [inputs]
        sources = [os.fspath(p) for p in inputs]
    text, error = _progress.run(
        _progress.reporter(progress, "ingest"),
        _core.ingest,
        sources,
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
        escape=escape,
        thousands=thousands,
        rules=_row_rules(require, range, allowed, drop_where, dedupe),
        lossy=_lossy_pairs(lossy),
        parts=parts,
        append=append,
    )
    report = json.loads(text)  # the text `outcore ingest --json` prints, less its context
    if error is not None:
        raise RejectLimitError(error, report)
    if report["warning"]:
        warnings.warn(report["warning"], RejectWarning, stacklevel=2)
    return report


def _bound_text(value: object) -> str:
    """A range bound or allowed value as the command line writes it (dates as ISO text)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):  # datetime.date, datetime.datetime, pandas.Timestamp
        return value.isoformat()
    return str(value)


def _row_rules(require, ranges, allowed, drop_where, dedupe) -> list[tuple[str, str]]:
    """ingest()'s rule arguments as (option, text) pairs, parsed in C++ as the CLI's are."""
    rules: list[tuple[str, str]] = []
    if require:
        rules.append(("require", require if isinstance(require, str) else ",".join(require)))
    for column, bounds in (ranges or {}).items():
        if not isinstance(bounds, str):
            low, high = bounds
            bounds = f"{_bound_text(low)}..{_bound_text(high)}"
        rules.append(("range", f"{column}={bounds}"))
    for column, values in (allowed or {}).items():
        if isinstance(values, str):
            values = [values]
        rules.append(("allowed", f"{column}=" + ",".join(_bound_text(v) for v in values)))
    if drop_where:
        rules.append(("drop_where", drop_where))
    if dedupe:
        rules.append(("dedupe", dedupe if isinstance(dedupe, str) else ",".join(dedupe)))
    return rules
def _lossy_pairs(lossy: Mapping[str, str] | None) -> list[tuple[str, str]]:
    if lossy is None:
        return []
    if not isinstance(lossy, Mapping):
        raise TypeError(
            f"lossy takes a mapping of column to form, e.g. {{'price': 'float16'}}, not {type(lossy).__name__}"
        )
    for column, form in lossy.items():
        if not isinstance(column, str) or not isinstance(form, str):
            raise TypeError(f"lossy={{{column!r}: {form!r}}}: columns and forms are strings, e.g. 'quantize:0.01'")
    return list(lossy.items())


def index(
    path: str | os.PathLike,
    *,
    columns: Sequence[str] = (),
    tokens: Sequence[str] = (),
    output: str | os.PathLike | None = None,
    memory_limit: str | int | None = None,
    progress: bool | Callable[[dict], None] = False,
) -> list[dict]:
    """Add value indexes (``columns``) and token indexes (``tokens``, text columns) to a .oc file.

    The file is rewritten atomically (or written to ``output``); blocks are copied as they are.
    In place, the file is locked until it is replaced: a second writer of the same file waits.
    Returns one dict per index: column, kind, built, keys, stored_bytes, note (why it was not
    built: it did not fit ``memory_limit``). Same as ``outcore index``. ``progress=True`` shows
    the chunks indexed, then the chunks copied (tqdm when installed, else a line on stderr).

    >>> index("sample.oc", columns=["topic"], tokens=["passage"])
    [{'column': 'topic', 'kind': 'value', 'built': True, 'keys': 12, ...}, ...]
    """
    return json.loads(_progress.run(
        _progress.reporter(progress, "index"),
        _core.add_indexes,
        os.fspath(path),
        columns=list(columns),
        tokens=list(tokens),
        output=os.fspath(output) if output is not None else None,
        memory_limit=memory_limit,
    ))


def compact(df, *, report: bool = False, category_cap: int = 65536, nullable: bool = True):
    """``df`` with the narrowest exact dtypes: every value kept (``compact(df).astype(df.dtypes)``
    equals ``df``).

    Integers get the narrowest of int8/16/32/64 that holds their min and max; floats that are
    all whole numbers become integers (nullable Int8.. where there is NaN, unless
    ``nullable=False``), other float64 columns float32 only when every value survives the
    round trip (never float16: the popular ``reduce_mem_usage`` snippet loses values there);
    text columns become category when they have at most ``category_cap`` distinct values, no
    more than half as many as rows, and that is smaller. The engine scans the columns (min/max,
    integrality, float32 exactness, distinct counts); pandas rebuilds the frame. With
    ``report=True`` returns ``(frame, report)``, the report saying per column what changed and
    the bytes before and after (``DataFrame.memory_usage(deep=True)``).
    """
    from ._frames import compact as compact_frame

    return compact_frame(df, report=report, category_cap=category_cap, nullable=nullable)


def open(path: str | os.PathLike) -> Dataset:  # mirrors the built-in on purpose
    """Open a .oc file, or a folder of parts written by ``ingest(..., parts=True)`` (validated: a
    corrupt or truncated file or manifest, or a part that differs from its manifest, raises
    ValueError). A folder reads as one table, its parts in order (``Dataset.parts``)."""
    return Dataset(os.fspath(path))


def add_parts(folder: str | os.PathLike, part_paths: Sequence[str | os.PathLike]) -> None:
    """Register .oc files already written inside ``folder`` as new parts of its data set.

    Each file is validated and checked against the data set's schema (with no manifest yet,
    the first file's schema becomes the data set's), its rows, chunks and column statistics go
    into the manifest, and the manifest is rewritten atomically, in one step for all of them.
    What ``ingest(..., append=True)`` does after writing its part; workers that each write
    ``ingest(file, f"{folder}/{name}.oc")`` are joined so by one call. A file outside the
    folder, one that is a part already, or a schema mismatch raises ValueError naming it, and
    the manifest is left as it was.

    >>> add_parts("logs.ocd", ["logs.ocd/w1.oc", "logs.ocd/w2.oc"])
    """
    _core.add_parts(os.fspath(folder), [os.fspath(p) for p in part_paths])


# batch_rows that makes every batch a whole chunk: the scanner then hands over the decoded
# buffers themselves, with no slicing copy (what the Arrow exports use).
_WHOLE_CHUNKS = 1 << 40


class Dataset:
    """A .oc file or a folder of parts: ``schema``, ``num_rows``, and ``scan()`` for batches of
    NumPy arrays. A folder scans its parts in order, skipping the parts whose statistics rule
    ``where`` out, with one code space for dictionary columns across the parts.

    It is an Arrow stream too (``__arrow_c_stream__``, each call a fresh scan of every column):
    ``pa.table(ds)``, ``pl.DataFrame(ds)``, ``duckdb.sql("from ds")``.
    """

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
    def nullable_columns(self) -> list[str]:
        """Columns the file records a null in: MaskedArray in every batch, nullable in Arrow."""
        return _core.nullable_columns(self._core)

    @property
    def num_rows(self) -> int:
        return self._core.num_rows

    @property
    def num_chunks(self) -> int:
        return self._core.num_chunks

    @property
    def parts(self) -> list[dict]:
        """The parts in scan order: ``[{"path": absolute path of the .oc file, "rows", "chunks"}]``;
        a file is the one part of itself. Each part opens alone: ``open(ds.parts[0]["path"])``."""
        return self._core.parts

    @property
    def is_part_set(self) -> bool:
        """True for a folder of parts."""
        return self._core.is_part_set

    def part_candidates(self, where: str) -> list[int]:
        """Indices of the parts that may hold a row matching ``where``: those the manifest's
        per-part statistics (min/max, null counts) cannot rule out. A file: ``[0]``."""
        return self._core.part_candidates(where)

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
        parts = f" in {len(self.parts)} parts" if self.is_part_set else ""
        return f"<outcore.Dataset {self.path!r}: {self.num_rows} rows{parts}; {cols}>"

    def info(self) -> dict:
        """What ``outcore info --json`` prints: sizes, rows kept/rejected, per column its type,
        encodings, stored/decoded bytes, nulls, distinct values, min/max; the indexes; and under
        ``"lossy"`` each column stored in a lossy form with its measured errors and bytes saved."""
        return json.loads(_core.describe_dataset(self._core))

    def _repr_html_(self) -> str:
        from ._html import dataset_html

        return dataset_html(self.info())

    def categories(self, column: str) -> np.ndarray:
        """The distinct values of a dictionary column, in code order (an object array, one per value)."""
        if column not in self._categories:
            import numpy as np

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
        chunks: tuple[int, int] | None = None,
    ) -> Scan:
        """Batches of the file, at most ``batch_rows`` rows each: iterate for ``Batch`` objects
        ({column name: array}, see the batch-type rule in the package docstring), or hand the
        scan to an Arrow consumer (``pa.RecordBatchReader.from_stream(ds.scan(...))``).

        ``where`` keeps only the rows for which a predicate is true (doc/query.md), e.g.
        ``"topic == 'food' and price > 100"`` or ``"passage contains 'ice cream'"``; value and
        token indexes and per-chunk min/max skip the chunks that cannot match. The rows are the
        same with ``use_indexes=False`` / ``use_zone_maps=False`` (slower). A bad expression
        raises ValueError with a caret under the problem.

        Memory stays bounded: each batch is decoded from one chunk of the file, and nothing is
        kept once you drop the batch. ``memory_limit`` bounds the scan's buffers; an Arrow
        consumer that keeps more batches than that gets a MemoryError saying so.

        ``chunks=(begin, end)`` reads only chunks ``begin <= c < end`` of the file (one
        partition of it, as ``outcore.dask.read_oc`` splits a file; ``num_chunks`` says how many
        there are). Rows keep their file row numbers (``Batch.first_row``).
        """
        scanner = self._scanner(
            columns, batch_rows, limit, where, use_indexes, use_zone_maps, memory_limit, force_indexes,
            chunks=chunks,
        )
        return Scan(scanner, self._batch)

    def __arrow_c_stream__(self, requested_schema=None):
        """Every column as an ArrowArrayStream capsule (Arrow PyCapsule interface), whole
        chunks per batch, zero-copy. ``requested_schema`` is not honoured."""
        return self.scan(batch_rows=_WHOLE_CHUNKS).__arrow_c_stream__()

    def __arrow_c_schema__(self):
        """The file's schema as an ArrowSchema capsule: ``pa.schema(ds)``."""
        return _core.arrow_schema(self._core)

    def to_arrow(
        self,
        columns: Iterable[str] | None = None,
        where: str | None = None,
        memory_limit: str | int | None = None,
        chunks: tuple[int, int] | None = None,
    ):
        """The columns (all by default) of the rows matching ``where`` as a ``pyarrow.Table``,
        one record batch per chunk read, over the engine's buffers (no copy). Dictionary columns
        are dictionary<int32, utf8>. The table must fit ``memory_limit`` (the scan's budget):
        past it, MemoryError names it. ``chunks``: as in ``scan``."""
        import pyarrow as pa

        scan = self.scan(columns, batch_rows=_WHOLE_CHUNKS, where=where, memory_limit=memory_limit, chunks=chunks)
        return pa.RecordBatchReader.from_stream(scan).read_all()

    def explain(
        self,
        where: str,
        columns: Iterable[str] | None = None,
        use_indexes: bool = True,
        use_zone_maps: bool = True,
        force_indexes: bool = False,
        chunks: tuple[int, int] | None = None,
    ) -> str:
        """Which chunks ``scan(columns, where=..., chunks=...)`` reads and why, one line per chunk
        and a summary."""
        return self._scanner(
            columns, 65536, None, where, use_indexes, use_zone_maps, None, force_indexes, chunks=chunks
        ).explain()

    def count(
        self,
        where: str | None = None,
        use_indexes: bool = True,
        use_zone_maps: bool = True,
        force_indexes: bool = False,
        chunks: tuple[int, int] | None = None,
    ) -> int:
        """The number of rows for which ``where`` is true (all rows without it); ``chunks``: as
        in ``scan``."""
        if where is None and chunks is None:
            return self.num_rows
        scanner = self._scanner(
            None, 1 << 20, None, where, use_indexes, use_zone_maps, None, force_indexes, count_only=True,
            chunks=chunks,
        )
        return scanner.count()

    def _batch(self, core) -> Batch:
        return Batch(core, {name: self._adapt(name, *rest) for name, *rest in core.columns()})

    def _scanner(
        self, columns, batch_rows, limit, where, use_indexes, use_zone_maps, memory_limit, force_indexes=False,
        count_only=False, chunks=None,
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
            _chunk_span(chunks),
        )

    def to_numpy(self, columns, where=None, out=None, dtype=None, memory_limit=None, chunks=None) -> np.ndarray:
        """Columns as one 2-D array (rows x columns; a 1-D array for one column given as a str).

        The rows matching ``where`` are counted first, then the engine writes each batch straight
        into ``out`` — any writable array of that shape, C- or F-ordered, or a memmap such as
        ``np.lib.format.open_memmap("X.npy", mode="w+", dtype="float64", shape=(ds.count(), 3))``
        — or into one it allocates. ``dtype`` defaults to ``out``'s, else to NumPy's result type
        of the columns (bool, int64 or float64). Nulls become NaN in a float array; an integer or
        bool array refuses them with a ValueError naming the column and row (pass
        ``dtype="float64"``, or leave the rows out with ``where="x is not null"``). ``chunks``: as
        in ``scan``.
        """
        from ._frames import to_numpy

        return to_numpy(self, columns, where=where, out=out, dtype=dtype, memory_limit=memory_limit, chunks=chunks)

    def to_pandas(
        self,
        columns: Iterable[str] | None = None,
        where: str | None = None,
        dtypes: str = "compact",
        memory_limit: str | int | None = None,
        chunks: tuple[int, int] | None = None,
    ):
        """The whole table (or some columns, or the rows matching ``where``) as a pandas DataFrame.

        Each column is allocated once at its final size and filled by the engine batch by batch,
        so the peak is the frame itself plus one batch. ``dtypes="compact"`` (the default) gives
        the narrowest exact dtypes: int8/16/32/64 from the file's stored min/max, category for
        dictionary-encoded text, bool, float64, and the nullable Int8.. / boolean where a column
        has nulls; ``dtypes="pandas"`` gives pandas' usual ones (int64, float64 with NaN for an
        integer column with nulls, bool or object, object for text). Dates are datetime64[s],
        timestamps datetime64[us]. ``memory_estimate`` says what each choice costs. The dtypes
        come from the whole file, so every ``chunks=`` partition of it (as in ``scan``) has the
        same ones.
        """
        from ._frames import to_pandas

        return to_pandas(self, columns, where=where, dtypes=dtypes, memory_limit=memory_limit, chunks=chunks)

    def memory_estimate(self, columns: Iterable[str] | None = None, where: str | None = None,
                        dtypes: str = "compact"):
        """The bytes ``to_pandas(columns, where)`` would take, per column, for both ``dtypes``."""
        from ._frames import memory_estimate

        return memory_estimate(self, columns, where=where, dtypes=dtypes)

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
            import numpy as np

            return np.ma.MaskedArray(values, mask=mask)
        return values

