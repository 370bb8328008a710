"""Scans and batches as Python sees them, and their Arrow doors (doc/arrow.md).

``Scan`` is what ``Dataset.scan()`` returns: an iterator of ``Batch`` objects and, through
``__arrow_c_stream__``, an Arrow C stream of the rest of the scan. ``Batch`` is a read-only
dict-like {column name: array} (NumPy views of the engine's buffers, see outcore.__init__'s
batch-type rule) that also exports itself through ``__arrow_c_array__`` /
``__arrow_c_stream__`` -- the same memory, no copy. pyarrow is never imported here.
"""

from __future__ import annotations

from collections.abc import Iterator


class Batch:
    """One batch of a scan: {column name: array}, plus ``num_rows`` and ``first_row``.

    ``pa.record_batch(batch)``, ``pa.table(batch)`` and ``pl.DataFrame(batch)`` read the
    engine's buffers in place (dictionary columns stay dictionary<int32, utf8>).

    Dict-like (``batch["x"]``, ``keys()``, ``items()``, ``dict(batch)``) but deliberately not a
    ``collections.abc.Mapping``: consumers such as Polars take a Mapping column by column
    (and do not know DictionaryArray); this way they take the batch's Arrow export instead.
    """

    __slots__ = ("_core", "_columns")

    def __init__(self, core, columns: dict):
        self._core = core
        self._columns = columns

    def __getitem__(self, name: str):
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __contains__(self, name) -> bool:
        return name in self._columns

    def keys(self):
        return self._columns.keys()

    def values(self):
        return self._columns.values()

    def items(self):
        return self._columns.items()

    def get(self, name: str, default=None):
        return self._columns.get(name, default)

    @property
    def num_rows(self) -> int:
        return self._core.num_rows

    @property
    def first_row(self) -> int:
        """The file row number of the batch's first row."""
        return self._core.first_row

    def __arrow_c_array__(self, requested_schema=None):
        """(schema capsule, array capsule): a struct array of the columns, zero-copy.

        ``requested_schema`` is not honoured: the batch comes in its own types (cast afterwards).
        """
        return self._core.array_capsules()

    def __arrow_c_stream__(self, requested_schema=None):
        """A stream of this one batch, for consumers that take streams only."""
        return self._core.stream_capsule()

    def __repr__(self) -> str:
        return f"<outcore.Batch {self.num_rows} rows: {', '.join(self._columns)}>"


class Scan:
    """A scan in progress: iterate it for ``Batch`` objects, or hand it to an Arrow consumer.

    ``pa.RecordBatchReader.from_stream(scan)``, ``pa.table(scan)``, ``pl.DataFrame(scan)``
    take the rest of the scan as an Arrow C stream (``__arrow_c_stream__``); the scan is then
    spent (iterating it raises ValueError). The stream's batches are the engine's buffers and
    stay charged to the scan's ``memory_limit`` until the consumer drops them: a consumer that
    keeps more than that gets a MemoryError naming ``memory_limit`` (read batch by batch,
    fewer columns, or a larger ``memory_limit``).
    """

    __slots__ = ("_core", "_adapt")

    def __init__(self, core, adapt):
        self._core = core
        self._adapt = adapt  # _core.Batch -> Batch

    def __iter__(self) -> Scan:
        return self

    def __next__(self) -> Batch:
        core = self._core.next()
        if core is None:
            raise StopIteration
        return self._adapt(core)

    def close(self) -> None:
        """Frees the scan's buffers now (batches already handed out stay valid)."""
        self._core.close()

    def __arrow_c_stream__(self, requested_schema=None):
        """The rest of the scan as an ArrowArrayStream capsule.

        ``requested_schema`` is not honoured: the data comes in the dataset's own types.
        """
        return self._core.stream_capsule()

    def __arrow_c_schema__(self):
        return self._core.schema_capsule()

    def _budget(self):
        """The scan's budget (used, held, limit in bytes): for tests of the Arrow export."""
        return self._core.budget()
