"""Arrow in: oc.ingest(source) for any object with __arrow_c_stream__ (pyarrow, Parquet via
iter_batches, Polars, DuckDB), read in C++ into the same encoders, rejects and report as CSV."""

import datetime as dt
import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import outcore as oc

MiB = 1 << 20


def every_type_table(nulls: bool) -> pa.Table:
    n = 10
    mask = np.array([i % 3 == 1 for i in range(n)]) if nulls else None

    def arr(values, type_):
        return pa.array(values, type_, mask=mask)

    return pa.table({
        "i8": arr(np.arange(n, dtype=np.int8) - 5, pa.int8()),
        "u8": arr(np.arange(n, dtype=np.uint8) + 200, pa.uint8()),
        "i16": arr(np.arange(n) * -3000, pa.int16()),
        "u16": arr(np.arange(n) * 6000, pa.uint16()),
        "i32": arr(np.arange(n) * -200_000_000, pa.int32()),
        "u32": arr(np.arange(n) * 400_000_000, pa.uint32()),
        "i64": arr(np.arange(n) * (2**60 // 10), pa.int64()),
        "u64": arr(np.arange(n) * 7, pa.uint64()),
        "f16": arr(np.arange(n, dtype=np.float16) / 4, pa.float16()),
        "f32": arr(np.arange(n, dtype=np.float32) / 3, pa.float32()),
        "f64": arr(np.arange(n) / 7, pa.float64()),
        "b": arr([i % 2 == 0 for i in range(n)], pa.bool_()),
        "s": arr([f"v{i}é" for i in range(n)], pa.string()),
        "ls": arr([f"long{i}" for i in range(n)], pa.large_string()),
        "dict": pa.DictionaryArray.from_arrays(
            pa.array([i % 3 for i in range(n)], pa.int8(), mask=mask), pa.array(["red", "green", "blue"])),
        "d32": arr([dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(n)], pa.date32()),
        "d64": arr([dt.date(1960, 5, 1) + dt.timedelta(days=i) for i in range(n)], pa.date64()),
        "ts_s": arr(np.arange(n) * 86_401, pa.timestamp("s")),
        "ts_ms": arr(np.arange(n) * 1_234, pa.timestamp("ms", tz="UTC")),
        "ts_us": arr(np.arange(n) * 1_000_001, pa.timestamp("us")),
        "ts_ns": arr(np.arange(n) * 5_000, pa.timestamp("ns")),
    })


def expected_frame(table: pa.Table) -> pd.DataFrame:
    """What a .oc holds for `table`: Arrow types widened to outcore's, as pandas shows them."""
    out = {}
    for name in table.column_names:
        col = table.column(name)
        t = col.type
        if pa.types.is_dictionary(t):
            col = col.cast(t.value_type)
            t = col.type
        if pa.types.is_integer(t):
            col = col.cast(pa.int64())
        elif pa.types.is_floating(t):
            col = col.cast(pa.float64())
        elif pa.types.is_large_string(t):
            col = col.cast(pa.string())
        elif pa.types.is_date64(t):
            col = col.cast(pa.date32())
        elif pa.types.is_timestamp(t):
            col = col.cast(pa.timestamp("us"))
        out[name] = col.to_pandas()
    return pd.DataFrame(out)


def read_back(path) -> pd.DataFrame:
    return oc.open(path).to_pandas()


def assert_same(got: pd.DataFrame, want: pd.DataFrame):
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for name in want.columns:
        g, w = got[name], want[name]
        assert (g.isna().to_numpy() == w.isna().to_numpy()).all(), name
        keep = ~w.isna().to_numpy()
        gv, wv = g[keep], w[keep]
        if name.startswith(("d32", "d64")):
            gv, wv = pd.to_datetime(gv), pd.to_datetime(wv)
        elif name.startswith("ts"):
            gv = pd.to_datetime(gv).dt.tz_localize(None)
            wv = pd.to_datetime(wv)
            wv = wv.dt.tz_localize(None) if wv.dt.tz is None else wv.dt.tz_convert(None)
        elif name == "b":
            gv, wv = gv.astype(bool), wv.astype(bool)
        elif name in ("s", "ls", "dict"):
            gv, wv = gv.astype(str), wv.astype(str)
        assert list(gv) == list(wv), name


@pytest.mark.parametrize("nulls", [False, True])
def test_every_supported_type_round_trips(tmp_path, nulls):
    table = every_type_table(nulls)
    report = oc.ingest(table, tmp_path / "t.oc")
    assert report["source"] == "arrow"
    assert report["rows_read"] == report["rows_kept"] == 10 and report["rows_rejected"] == 0
    types = {c["name"]: c["type"] for c in report["columns"]}
    assert types["u32"] == "int64" and types["f16"] == "float64" and types["dict"] == "string"
    assert types["d64"] == "date" and types["ts_ns"] == "timestamp" and types["b"] == "bool"
    assert_same(read_back(tmp_path / "t.oc"), expected_frame(table))


def test_sliced_multi_batch_and_empty_tables(tmp_path):
    table = every_type_table(True)
    batches = [b for t in (table, table.slice(3, 5), table.slice(7)) for b in t.to_batches()]
    reader = pa.RecordBatchReader.from_batches(table.schema, iter(batches))
    oc.ingest(reader, tmp_path / "m.oc", block_size=1024)
    want = pd.concat([expected_frame(table), expected_frame(table.slice(3, 5)), expected_frame(table.slice(7))],
                     ignore_index=True)
    assert_same(read_back(tmp_path / "m.oc"), want)

    empty = table.slice(0, 0)
    report = oc.ingest(empty, tmp_path / "e.oc")
    assert report["rows_read"] == 0
    ds = oc.open(tmp_path / "e.oc")
    assert ds.num_rows == 0 and list(ds.schema) == table.column_names


def test_null_type_column_is_all_null_string(tmp_path):
    table = pa.table({"x": pa.array([1, 2, 3]), "nothing": pa.nulls(3)})
    report = oc.ingest(table, tmp_path / "n.oc")
    assert {c["name"]: c["type"] for c in report["columns"]}["nothing"] == "string"
    assert read_back(tmp_path / "n.oc")["nothing"].isna().all()


def test_uint64_past_int64_is_a_reject_with_its_row(tmp_path):
    table = pa.table({"id": pa.array([1, 2**64 - 1, 3, 2**63], pa.uint64()), "s": ["a", "b", "c", "d"]})
    with pytest.warns(oc.RejectWarning):
        report = oc.ingest(table, tmp_path / "u.oc", reject=tmp_path / "rej.csv")
    assert (report["rows_read"], report["rows_kept"], report["rows_rejected"]) == (4, 2, 2)
    lines = (tmp_path / "rej.csv").read_text().splitlines()
    assert lines[1].split(",")[1:4] == ["2", "id", "out_of_range"]
    assert "18446744073709551615" in lines[1]
    assert lines[2].split(",")[1] == "4"
    assert list(read_back(tmp_path / "u.oc")["id"]) == [1, 3]


def test_ns_timestamp_with_sub_microsecond_part_is_rejected(tmp_path):
    table = pa.table({"t": pa.array([1_000, 1_001, 2_000], pa.timestamp("ns"))})
    with pytest.warns(oc.RejectWarning):
        report = oc.ingest(table, tmp_path / "t.oc", on_error="reject")
    assert report["rows_rejected"] == 1
    with pytest.raises(ValueError, match=r"row 2.*sub-microsecond"):
        oc.ingest(table, tmp_path / "t2.oc", on_error="fail")
    assert not (tmp_path / "t2.oc").exists()


@pytest.mark.parametrize("type_, words", [
    (pa.decimal128(10, 2), "decimal"), (pa.binary(), "binary"), (pa.list_(pa.int64()), "list"),
    (pa.struct([("a", pa.int64())]), "struct"), (pa.time64("us"), "time64"),
])
def test_unsupported_types_are_refused_naming_the_column(tmp_path, type_, words):
    values = pa.array([None, None], type_)
    table = pa.table({"ok": [1, 2], "bad": values})
    with pytest.raises(ValueError, match=f"column 'bad' is {words}.*(cast|flatten)"):
        oc.ingest(table, tmp_path / "x.oc")
    assert not (tmp_path / "x.oc").exists()


def test_csv_options_are_refused_and_schema_casts_exactly(tmp_path):
    table = pa.table({"n": pa.array([1, 2**53 + 1, 3]), "f": [1.0, 2.5, 3.0], "s": ["1", "x", "3"]})
    with pytest.raises(ValueError, match="delimiter is a CSV option"):
        oc.ingest(table, tmp_path / "x.oc", delimiter=";")
    with pytest.raises(ValueError, match="escape, thousands are CSV options"):
        oc.ingest(table, tmp_path / "x.oc", escape="\\", thousands=",")
    with pytest.raises(ValueError, match="it can become"):
        oc.ingest(table, tmp_path / "x.oc", schema={"f": "date"})
    with pytest.warns(oc.RejectWarning):
        report = oc.ingest(table, tmp_path / "c.oc", schema={"n": "float64", "f": "int64", "s": "int64"})
    # Row 2: 2^53+1 has no float64 form, 2.5 no int64 form, "x" is no int64: one reject.
    assert (report["rows_kept"], report["rows_rejected"]) == (2, 1)
    back = read_back(tmp_path / "c.oc")
    assert list(back["n"]) == [1.0, 3.0] and list(back["f"]) == [1, 3] and list(back["s"]) == [1, 3]
    report = oc.ingest(table, tmp_path / "str.oc", schema={"n": "string"})
    assert list(read_back(tmp_path / "str.oc")["n"]) == ["1", str(2**53 + 1), "3"]


def test_index_and_where_work_on_arrow_ingest(tmp_path):
    table = pa.table({"topic": ["food", "tech", "food", "art"] * 500, "x": list(range(2000))})
    report = oc.ingest(table, tmp_path / "i.oc", index=["topic"], compression="lz4")
    assert report["indexes"][0]["built"]
    assert oc.open(tmp_path / "i.oc").count(where="topic == 'food'") == 1000


def test_parquet_through_iter_batches(tmp_path):
    table = every_type_table(True)
    big = pa.concat_tables([table] * 50)
    pq.write_table(big, tmp_path / "p.parquet", row_group_size=100)
    pf = pq.ParquetFile(tmp_path / "p.parquet")
    reader = pa.RecordBatchReader.from_batches(pf.schema_arrow, pf.iter_batches(batch_size=64))
    report = oc.ingest(reader, tmp_path / "p.oc")
    assert report["rows_kept"] == 500
    assert_same(read_back(tmp_path / "p.oc"), expected_frame(pq.read_table(tmp_path / "p.parquet")))


def test_polars_and_duckdb_sources(tmp_path):
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    df = pl.DataFrame({"a": [1, None, 3], "s": ["x", "y", None], "c": pl.Series(["u", "v", "u"], dtype=pl.Categorical)})
    report = oc.ingest(df, tmp_path / "pl.oc")
    assert report["rows_kept"] == 3
    back = read_back(tmp_path / "pl.oc")
    assert list(back["a"].fillna(-1)) == [1, -1, 3] and list(back["c"].astype(str)) == ["u", "v", "u"]
    assert back["s"].isna().tolist() == [False, False, True]

    con = duckdb.connect()
    rel = con.sql("select range as n, 'k' || (range % 4) as k from range(1000)")
    report = oc.ingest(rel, tmp_path / "dk.oc")
    assert report["rows_kept"] == 1000
    back = read_back(tmp_path / "dk.oc")
    assert list(back["n"]) == list(range(1000)) and back["k"].iloc[5] == "k1"


def test_a_failing_producer_is_a_clear_error(tmp_path):
    schema = pa.schema([("n", pa.int64())])

    def batches():
        yield pa.record_batch([pa.array([1, 2])], schema=schema)
        raise RuntimeError("the source broke at batch 2")

    with pytest.raises(OSError, match="the source broke at batch 2"):
        oc.ingest(pa.RecordBatchReader.from_batches(schema, batches()), tmp_path / "f.oc")
    assert not (tmp_path / "f.oc").exists()


# Peak RSS is measured in a child started by a small launcher (see test_budget.py): the child
# imports pyarrow and outcore and runs one small ingest of the same batches (so that what the
# producer loads on first use — pyarrow's pandas shim, NumPy's random — is in the baseline, not
# in the growth), notes its RSS, then streams ~200 MB of generated batches into ingest under a
# 64 MiB limit; the growth over that baseline must stay near the limit.
CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np, pyarrow as pa, outcore as oc
    batch = 65_536
    schema = pa.schema([("id", pa.int64()), ("x", pa.float64()), ("s", pa.string())])
    def batches(rows):
        rng = np.random.default_rng(1)
        for start in range(0, rows, batch):
            n = min(batch, rows - start)
            ids = np.arange(start, start + n)
            words = pa.array([f"word-{v:012d}-{v % 977:04d}" for v in rng.integers(0, 10**12, n)])
            yield pa.record_batch([pa.array(ids), pa.array(rng.random(n)), words], schema=schema)
    oc.ingest(pa.RecordBatchReader.from_batches(schema, batches(1000)), sys.argv[1], memory_limit="64MiB")
    base = oc.memory.rss()
    oc.ingest(pa.RecordBatchReader.from_batches(schema, batches(3_000_000)), sys.argv[1], memory_limit="64MiB")
    print(json.dumps({"baseline": base, "rows": oc.open(sys.argv[1]).num_rows}))
""")

LAUNCHER = """
import json, os, sys
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.dup2(w, 1)
    os.execv(sys.executable, [sys.executable, "-c", sys.argv[1], sys.argv[2]])
os.close(w)
out = os.read(r, 1 << 16).decode()
_, status, usage = os.wait4(pid, 0)
print(json.dumps({"rc": os.waitstatus_to_exitcode(status), "maxrss_kib": usage.ru_maxrss, "out": out}))
"""


@pytest.mark.rss
def test_streamed_arrow_ingest_stays_in_budget(tmp_path):
    out = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, CHILD, str(tmp_path / "b.oc")],
                         capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout)
    assert figures["rc"] == 0, figures
    child = json.loads(figures["out"].strip().splitlines()[-1])
    assert child["rows"] == 3_000_000
    growth = figures["maxrss_kib"] * 1024 - child["baseline"]
    # The input is ~200 MB; the engine's buffers stay inside the 64 MiB limit, the producer
    # holds one 64K-row batch (~4 MB) at a time.
    assert growth < 80 * MiB, f"peak grew {growth / MiB:.0f} MiB over the imports"
