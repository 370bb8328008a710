"""Arrow out: a Dataset, a scan and a batch read by pyarrow, Polars and DuckDB through the Arrow
C Data / C Stream interfaces (doc/arrow.md, "Arrow out"): every stored type, with and without
nulls, across chunks, equal to to_pandas; dictionaries kept; the engine's buffers handed over
without a copy; everything released; the errors a consumer can meet."""

import datetime as dt
import gc
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import outcore as oc

MiB = 1 << 20
N = 12_000
TOPICS = ["food", "travel", "gaming", "café", "sports"]


def source_table(n: int = N) -> pa.Table:
    """Every stored type twice, without nulls and with (every 7th row); strings both
    few-valued (stored as a dictionary) and all distinct (plain). ``late`` has its only
    null in the last row, so only the last chunk holds one."""
    rows = np.arange(n)
    nulls = rows % 7 == 3
    day0 = dt.date(2019, 12, 30)
    t0 = 1_577_836_800_000_000  # 2020-01-01 in µs

    def both(name, values, type_):
        return {name: pa.array(values, type_), name + "_n": pa.array(values, type_, mask=nulls)}

    cols = {"id": pa.array(rows, pa.int64())}
    cols |= both("i", rows * 3 - 5000, pa.int64())
    cols |= both("f", rows / 8 - 100.25, pa.float64())
    cols |= both("b", rows % 3 == 0, pa.bool_())
    cols |= both("cat", [TOPICS[r % len(TOPICS)] for r in rows], pa.string())
    cols |= both("text", [f"row {r} ünïcode {r * r}" for r in rows], pa.string())
    cols |= both("d", [day0 + dt.timedelta(days=int(r % 900)) for r in rows], pa.date32())
    cols |= both("ts", t0 + rows * 1_000_003, pa.timestamp("us"))
    cols["late"] = pa.array(rows.astype(float), pa.float64(), mask=rows == n - 1)
    return pa.table(cols)


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    out = tmp_path_factory.mktemp("arrow_out") / "t.oc"
    oc.ingest(source_table(), out, block_size="64KiB")
    return out


@pytest.fixture()
def ds(path):
    return oc.open(path)


def canon(value):
    """One spelling per value across pandas, pyarrow, Polars and DuckDB: None for a null,
    pd.Timestamp for dates and times, plain Python numbers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (dt.date, np.datetime64, pd.Timestamp)):
        return pd.Timestamp(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def columns_of(frame) -> dict[str, list]:
    """{name: canonical values} of a pandas or Polars frame or a pyarrow table."""
    if isinstance(frame, pd.DataFrame):
        return {name: [canon(v) for v in frame[name].astype(object)] for name in frame.columns}
    if isinstance(frame, pa.Table):
        return {name: [canon(v) for v in frame.column(name).to_pylist()] for name in frame.column_names}
    return {name: [canon(v) for v in frame[name].to_list()] for name in frame.columns}


@pytest.fixture(scope="module")
def expected(path):
    return columns_of(oc.open(path).to_pandas())


def test_the_file_has_every_type_in_several_chunks(ds):
    assert ds.num_chunks >= 4
    assert set(ds.schema.values()) == {"int64", "float64", "bool", "string", "date", "timestamp"}
    assert set(ds.dictionary_columns) == {"cat", "cat_n"}
    assert set(ds.nullable_columns) == {c for c in ds.schema if c.endswith("_n")} | {"late"}


def test_expected_values_are_the_source_rows(expected):
    # to_pandas is the reference below; pin it to the rows that were ingested.
    assert expected == columns_of(source_table())


def test_schema_types_and_nullability(ds):
    schema = pa.schema(ds)
    want = {
        "id": pa.int64(), "i": pa.int64(), "f": pa.float64(), "b": pa.bool_(), "text": pa.string(),
        "cat": pa.dictionary(pa.int32(), pa.string()), "d": pa.date32(), "ts": pa.timestamp("us"),
        "late": pa.float64(),
    }
    for name, type_ in want.items():
        assert schema.field(name).type == type_, name
        if name != "late":
            assert schema.field(name + "_n" if name != "id" else name).type == type_
    for field in schema:
        assert field.nullable == (field.name in ds.nullable_columns), field.name


def test_pyarrow_table_equals_to_pandas(ds, expected):
    table = pa.table(ds)
    assert table.num_rows == N
    assert len(table.to_batches()) == ds.num_chunks  # one record batch per chunk
    assert table.schema == pa.schema(ds)
    assert columns_of(table) == expected
    assert table.column("cat").type == pa.dictionary(pa.int32(), pa.string())


def test_to_arrow_is_the_same_table(ds):
    assert ds.to_arrow().equals(pa.table(ds))
    assert pa.RecordBatchReader.from_stream(ds).read_all().equals(pa.table(ds))
    part = ds.to_arrow(columns=["id", "cat_n"], where="id >= 5000 and cat_n == 'café'")
    assert part.column_names == ["id", "cat_n"]
    want = [r for r in range(5000, N) if r % 7 != 3 and TOPICS[r % len(TOPICS)] == "café"]
    assert part.column("id").to_pylist() == want
    assert set(part.column("cat_n").to_pylist()) == {"café"}


def test_record_batch_reader_from_a_filtered_scan(ds, expected):
    where = "i_n > 20000 and b == true"
    reader = pa.RecordBatchReader.from_stream(ds.scan(columns=["id", "i_n", "cat_n", "text_n"], where=where))
    assert reader.schema.field("cat_n").type == pa.dictionary(pa.int32(), pa.string())
    table = reader.read_all()
    keep = [r for r in range(N) if expected["i_n"][r] is not None and expected["i_n"][r] > 20000 and expected["b"][r]]
    assert len(keep) > 1000
    assert columns_of(table) == {c: [expected[c][r] for r in keep] for c in ["id", "i_n", "cat_n", "text_n"]}
    assert ds.count(where) == len(keep)


def test_polars_dataframe_equals_to_pandas(ds, expected):
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(ds)
    assert frame.height == N
    assert frame.schema["cat"] == pl.Categorical or isinstance(frame.schema["cat"], pl.Categorical)
    assert frame.schema["d"] == pl.Date and frame.schema["ts"] == pl.Datetime("us")
    assert columns_of(frame) == expected
    assert columns_of(pl.from_arrow(ds.to_arrow())) == expected
    assert columns_of(pl.from_arrow(ds).struct.unnest()) == expected  # Polars: a Series for a non-pyarrow source
    lazy = pl.scan_arrow_c_stream(ds.scan(columns=["id", "cat_n"])).filter(pl.col("cat_n") == "café")
    want = [r for r in range(N) if expected["cat_n"][r] == "café"]
    assert lazy.collect()["id"].to_list() == want


def test_batches_much_smaller_than_the_dictionary_get_the_entries_they_use(ds, expected):
    # In a stream, a batch whose dictionary has more than 4 entries a row gets its used entries
    # only, in the file's order, so that a consumer mapping each batch's dictionary into its own
    # does not redo all of it per batch; `cat` has 5 entries: batches of 1 row, not of 2.
    cols, where, n = ["id", "cat", "cat_n"], "id < 2000", 2000
    want = {c: expected[c][:n] for c in cols}
    table = pa.table(ds.scan(columns=cols, batch_rows=1, where=where))
    assert table.num_rows == n
    for name in ["cat", "cat_n"]:
        file_order = list(ds.categories(name))
        assert len(file_order) == len(TOPICS) == 5
        for chunk in table.column(name).chunks:
            entries = chunk.dictionary.to_pylist()
            assert len(entries) <= len(chunk)
            assert entries == [t for t in file_order if t in entries]  # the file's order
            assert set(entries) == {v for v in chunk.to_pylist() if v is not None}  # each one used
        pairs = pa.table(ds.scan(columns=[name], batch_rows=2, where=where)).column(name).chunks
        assert all(chunk.dictionary.to_pylist() == file_order for chunk in pairs if len(chunk) == 2)
        assert sum(len(chunk) == 2 for chunk in pairs) > 900
    assert columns_of(table) == want
    pl = pytest.importorskip("polars")
    assert columns_of(pl.DataFrame(ds.scan(columns=cols, batch_rows=1, where=where))) == want
    duckdb = pytest.importorskip("duckdb")
    scan = ds.scan(columns=cols, batch_rows=1, where=where)  # noqa: F841 (read by name)
    rows = duckdb.sql("select cat, cat_n from scan order by id").fetchall()
    assert [list(r) for r in rows] == [[want["cat"][i], want["cat_n"][i]] for i in range(n)]
    # pandas through pyarrow unifies the batches' dictionaries: the same values.
    assert columns_of(table.to_pandas()) == want
    # NumPy batches, and a batch exported alone, keep the file's codes and dictionary.
    batch = next(iter(ds.scan(columns=cols, batch_rows=1)))
    assert list(batch["cat"].categories) == list(ds.categories("cat"))
    assert pa.record_batch(batch).column("cat").dictionary.to_pylist() == list(ds.categories("cat"))
    assert list(batch["cat"]) == expected["cat"][:1]


def test_duckdb_reads_the_dataset_and_a_scan(ds, expected):
    duckdb = pytest.importorskip("duckdb")
    rows = duckdb.sql("select * from ds order by id").fetchall()
    names = list(ds.schema)
    assert {name: [canon(row[i]) for row in rows] for i, name in enumerate(names)} == expected
    scan = ds.scan(columns=["cat_n", "f_n"], where="id < 6000")  # noqa: F841 (read by name)
    got = dict(duckdb.sql("select cat_n, count(*) from scan group by 1").fetchall())
    counts = pd.Series(expected["cat_n"][:6000]).value_counts(dropna=False)
    assert got == {(None if pd.isna(k) else k): int(v) for k, v in counts.items()}


def test_a_batch_is_an_arrow_array_and_a_stream(ds, expected):
    for batch in ds.scan(batch_rows=5000):
        rb = pa.record_batch(batch)
        lo, hi = batch.first_row, batch.first_row + batch.num_rows
        assert columns_of(pa.Table.from_batches([rb])) == {c: v[lo:hi] for c, v in expected.items()}
        assert pa.table(batch).equals(pa.Table.from_batches([rb]))
        assert rb.schema == pa.schema(ds)  # the stream's schema, whatever the batch holds


def test_polars_takes_a_batch_through_its_arrow_export(ds, expected):
    pl = pytest.importorskip("polars")
    batch = next(ds.scan(batch_rows=1000))
    frame = pl.DataFrame(batch)  # not column by column: DictionaryArray is no Polars column
    assert frame.schema["cat_n"] == pl.Categorical or isinstance(frame.schema["cat_n"], pl.Categorical)
    assert columns_of(frame) == {c: v[: batch.num_rows] for c, v in expected.items()}
    # Still dict-like for NumPy users.
    assert list(batch.keys()) == list(ds.schema) and "id" in batch and batch.get("nope") is None
    assert dict(batch)["id"] is batch["id"] and len(batch) == len(ds.schema)


def test_batch_columns_follow_the_schema_not_the_batch(ds):
    # ``late`` has a null in the last chunk only: it is a MaskedArray in every batch, and a
    # column without nulls in the file is a plain ndarray in every batch.
    batches = list(ds.scan(columns=["late", "f", "text", "text_n"], batch_rows=2000))
    assert len(batches) >= 6
    for batch in batches:
        assert isinstance(batch["late"], np.ma.MaskedArray)
        assert type(batch["f"]) is np.ndarray
        assert batch["text"].mask is None and batch["text_n"].mask is not None
    assert not batches[0]["late"].mask.any() and batches[-1]["late"].mask[-1]


def arrow_addresses(array: pa.Array) -> list[int]:
    return [b.address if b is not None else 0 for b in array.buffers()]


def test_exports_are_the_engines_buffers(ds):
    batch = next(ds.scan(batch_rows=1 << 40))  # a whole chunk: its buffers as decoded
    engine = dict(zip(batch, batch._core.buffer_addresses()))
    first, second = pa.record_batch(batch), pa.record_batch(batch)
    for name in ["id", "i_n", "f", "f_n", "b", "b_n", "d", "ts_n", "text", "text_n", "cat_n"]:
        a, b = first.column(name), second.column(name)
        assert arrow_addresses(a) == arrow_addresses(b), name  # two exports, one memory
        validity, values, data = engine[name]
        got = arrow_addresses(a.indices if name.startswith("cat") else a)
        assert got[0] == validity and got[1] == values, name
        if name.startswith("text"):
            assert got[2] == data
    # NumPy's views are the same memory as Arrow's.
    assert first.column("id").buffers()[1].address == batch["id"].ctypes.data
    assert first.column("f_n").buffers()[1].address == batch["f_n"].data.ctypes.data
    assert first.column("text").buffers()[2].address == batch["text"].data.ctypes.data
    # The dictionary is the file's, shared by every batch of every export.
    other = pa.table(ds).column("cat_n").chunks[-1].dictionary
    assert arrow_addresses(first.column("cat_n").dictionary) == arrow_addresses(other)


def test_exported_buffers_outlive_the_scan_and_are_charged_until_released(ds):
    scan = ds.scan(memory_limit="256MiB")
    budget = scan._budget()
    assert budget.held == 0
    table = pa.table(scan)
    del scan
    gc.collect()
    held = budget.held
    assert held >= table.nbytes * 0.9  # the table is the engine's memory, still charged
    assert budget.used >= held
    assert table.column("text_n").to_pylist()[:2] == ["row 0 ünïcode 0", "row 1 ünïcode 1"]
    del table
    gc.collect()
    assert budget.held == 0 and budget.used == 0


def test_a_consumer_holding_more_than_the_budget_is_refused(path):
    ds = oc.open(path)
    with pytest.raises(MemoryError, match="memory_limit"):
        pa.table(ds.scan(memory_limit="1MiB"))
    # The same budget suffices to read batch by batch, releasing each.
    reader = pa.RecordBatchReader.from_stream(ds.scan(memory_limit="1MiB"))
    assert sum(b.num_rows for b in reader) == N


def test_a_scan_is_consumed_once(ds):
    scan = ds.scan(columns=["id"])
    assert pa.table(scan).num_rows == N
    with pytest.raises(ValueError, match="handed to an Arrow consumer"):
        pa.table(scan)
    with pytest.raises(ValueError, match="handed to an Arrow consumer"):
        next(scan)
    capsule = ds.__arrow_c_stream__()
    pa.RecordBatchReader._import_from_c_capsule(capsule).read_all()
    with pytest.raises(ValueError, match="consumed"):
        oc.ingest(CapsuleHolder(capsule), "never-written.oc")
    # The dataset itself is a fresh scan at every call.
    assert pa.table(ds).num_rows == pa.table(ds).num_rows == N


class CapsuleHolder:  # a stand-in producer that hands out one capsule
    def __init__(self, capsule):
        self.capsule = capsule

    def __arrow_c_stream__(self, requested_schema=None):
        return self.capsule


def test_a_damaged_block_stops_the_stream_with_an_oserror_naming_it(path, tmp_path):
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside a data block: caught by its checksum when read
    flipped = tmp_path / "flip.oc"
    flipped.write_bytes(bytes(data))
    with pytest.raises(OSError, match=r"flip\.oc: checksum mismatch in chunk \d+ of column"):
        pa.table(oc.open(flipped))


def test_a_partly_iterated_scan_streams_the_rest(ds):
    scan = ds.scan(columns=["id"], batch_rows=1000)
    first = next(scan)
    rest = pa.table(scan)
    assert list(first["id"]) == list(range(first.num_rows))
    assert rest.column("id").to_pylist() == list(range(first.num_rows, N))


def test_an_empty_scan_has_the_schema_and_no_rows(ds):
    table = pa.table(ds.scan(columns=["cat", "text", "d"], where="id < 0"))
    assert table.num_rows == 0
    assert table.schema.field("cat").type == pa.dictionary(pa.int32(), pa.string())


def rss() -> int:
    return oc.memory.rss()


@pytest.mark.rss
def test_repeated_export_releases_everything(ds):
    def once():
        pa.table(ds)
        for batch in ds.scan(batch_rows=3000):
            pa.record_batch(batch)
            batch.__arrow_c_stream__()  # a capsule nobody consumes is released too

    for _ in range(5):
        once()
    gc.collect()
    before = rss()
    for _ in range(200):
        once()
    gc.collect()
    grown = rss() - before
    # 200 exports of a 1.7 MB table: a leak of one table each would be some 400 MiB.
    assert grown < 16 * MiB, f"RSS grew {grown / MiB:.1f} MiB over 200 exports"
