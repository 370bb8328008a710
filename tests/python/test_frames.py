"""Dataset.to_numpy / to_pandas / memory_estimate, `outcore export --to npy|npz` and
oc.compact: values equal to what was written (the expected frame is built from the CSV's
own values, not read back through outcore), every type with and without nulls, across
chunk boundaries, with where=, into memmaps; the peak-RSS bound of to_pandas is measured
on a child process through a launcher (see test_budget.py for why)."""

import json
import subprocess
import sys
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

import outcore as oc
from conftest import run

ROWS = 5000
MiB = 1 << 20


def expected_columns():
    """The values the CSV below holds, as Python values (None = null)."""
    cols = {
        "flag": [r % 3 == 0 for r in range(ROWS)],
        "flag_n": [None if r % 10 == 4 else r % 2 == 0 for r in range(ROWS)],
        "small": [(r % 200) - 100 for r in range(ROWS)],
        "small_n": [None if r % 9 == 2 else r % 50 for r in range(ROWS)],
        "wide": [r * 100_003 for r in range(ROWS)],
        "big": [(r - 2500) * 10**15 for r in range(ROWS)],
        "price": [r / 4 for r in range(ROWS)],
        "price_n": [None if r % 11 == 5 else r + 0.5 for r in range(ROWS)],
        "topic": [("food", "art", "sport", "travel")[r % 4] for r in range(ROWS)],
        "topic_n": [None if r % 13 == 1 else ("x", "y")[r % 2] for r in range(ROWS)],
        "text": [f"passage number {r * 7919 % 100003}" for r in range(ROWS)],
        "day": [date(2020, 1, 1) + timedelta(days=r % 900) for r in range(ROWS)],
        "day_n": [None if r % 8 == 3 else date(2021, 6, 1) + timedelta(days=r % 30) for r in range(ROWS)],
        "at": [datetime(2022, 3, 4, 5, 6, 7) + timedelta(seconds=r * 37) for r in range(ROWS)],
    }
    return cols


def csv_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("frames")
    cols = expected_columns()
    csv = folder / "all.csv"
    with open(csv, "w") as f:
        f.write(",".join(cols) + "\n")
        for r in range(ROWS):
            f.write(",".join(csv_text(cols[c][r]) for c in cols) + "\n")
    path = folder / "all.oc"
    oc.ingest(csv, path, block_size="32KiB", schema={"text": "string"})
    ds = oc.open(path)
    assert ds.num_chunks > 3, "the file must have several chunks (batches never span one)"
    assert "topic" in ds.dictionary_columns and "text" not in ds.dictionary_columns
    return ds, cols, folder


def expected_frame(cols, rows=None):
    """pandas' own reading of the values, as object columns (None for null)."""
    rows = range(ROWS) if rows is None else rows
    return {c: [v[r] for r in rows] for c, v in cols.items()}


COMPACT = {
    "flag": "bool", "flag_n": "boolean", "small": "int8", "small_n": "Int8", "wide": "int32",
    "big": "int64", "price": "float64", "price_n": "float64", "topic": "category",
    "topic_n": "category", "text": "object", "day": "datetime64[s]", "day_n": "datetime64[s]",
    "at": "datetime64[us]",
}
PANDAS = {
    "flag": "bool", "flag_n": "object", "small": "int64", "small_n": "float64", "wide": "int64",
    "big": "int64", "price": "float64", "price_n": "float64", "topic": "object",
    "topic_n": "object", "text": "object", "day": "datetime64[s]", "day_n": "datetime64[s]",
    "at": "datetime64[us]",
}


def check_values(df, expected):
    assert list(df.columns) == list(expected)
    for name, values in expected.items():
        got = df[name].astype(object).tolist()
        want = []
        for v in values:
            if isinstance(v, date):  # datetime is a date too
                v = pd.Timestamp(v)
            want.append(v)
        got = [None if (g is pd.NA or g is pd.NaT or (isinstance(g, float) and np.isnan(g))) else g for g in got]
        assert got == want, name


@pytest.mark.parametrize("dtypes, table", [("compact", COMPACT), ("pandas", PANDAS)])
def test_to_pandas_gives_every_value_with_the_documented_dtypes(data, dtypes, table):
    ds, cols, _ = data
    df = ds.to_pandas(dtypes=dtypes)
    assert {c: str(t) for c, t in df.dtypes.items()} == table
    assert len(df) == ROWS
    check_values(df, expected_frame(cols))
    if dtypes == "compact":
        assert df["topic"].cat.codes.dtype == np.int8
        assert list(df["topic"].cat.categories) == sorted(set(cols["topic"]), key=cols["topic"].index)


def test_to_pandas_where_and_columns_keep_the_matching_rows_in_order(data):
    ds, cols, _ = data
    df = ds.to_pandas(["small_n", "topic", "text", "flag_n"], where="small < -50 and topic != 'art'")
    rows = [r for r in range(ROWS) if cols["small"][r] < -50 and cols["topic"][r] != "art"]
    assert 0 < len(rows) < ROWS
    want = expected_frame(cols, rows)
    check_values(df, {c: want[c] for c in ["small_n", "topic", "text", "flag_n"]})
    empty = ds.to_pandas(["small", "topic"], where="small > 1000")
    assert len(empty) == 0 and str(empty["small"].dtype) == "int8"  # dtypes come from the file, not the rows


def test_compact_frame_astype_back_equals_the_pandas_frame(data):
    ds, _, _ = data
    numeric = ["flag", "small", "small_n", "wide", "big", "price", "price_n", "topic", "day"]
    usual = ds.to_pandas(numeric, dtypes="pandas")
    compact = ds.to_pandas(numeric)
    back = compact.astype({c: usual[c].dtype for c in numeric})
    assert back.equals(usual)
    assert compact.memory_usage(deep=True).sum() < usual.memory_usage(deep=True).sum() / 2


def test_memory_estimate_is_what_the_frame_takes(data):
    ds, _, _ = data
    numeric = ["flag", "flag_n", "small", "small_n", "wide", "price", "day", "at", "topic"]
    estimate = ds.memory_estimate(numeric, where="small > 0")
    df = ds.to_pandas(numeric, where="small > 0")
    usage = df.memory_usage(index=False, deep=True)
    for name in numeric:
        if name == "topic":  # codes exact, the categories' str objects estimated
            assert abs(estimate[name]["compact_bytes"] - usage[name]) < 1024
        else:
            assert estimate[name]["compact_bytes"] == usage[name], name
        assert estimate[name]["compact_dtype"] == COMPACT[name]
        assert estimate[name]["pandas_dtype"] == PANDAS[name]
    assert estimate.rows == len(df)
    assert estimate.pandas > estimate.compact
    assert "compact" in repr(estimate) and "small_n" in repr(estimate)


# --- to_numpy -----------------------------------------------------------------------------


def test_to_numpy_fills_c_and_fortran_arrays_and_a_memmap(data):
    ds, cols, folder = data
    names = ["small", "price_n", "flag"]
    want = np.array([[cols["small"][r], np.nan if cols["price_n"][r] is None else cols["price_n"][r],
                      float(cols["flag"][r])] for r in range(ROWS)])
    x = ds.to_numpy(names)
    assert x.dtype == np.float64 and x.shape == (ROWS, 3) and x.flags.c_contiguous
    np.testing.assert_array_equal(x, want)
    fortran = np.empty((ROWS, 3), order="F")
    assert ds.to_numpy(names, out=fortran) is fortran
    np.testing.assert_array_equal(fortran, want)
    mm = np.lib.format.open_memmap(folder / "X.npy", mode="w+", dtype="float32", shape=(ROWS, 3))
    ds.to_numpy(names, out=mm)
    mm.flush()
    del mm
    np.testing.assert_array_equal(np.load(folder / "X.npy"), want.astype(np.float32))


def test_to_numpy_dtypes_and_where(data):
    ds, cols, _ = data
    ints = ds.to_numpy(["small", "wide"], where="small >= 90")
    rows = [r for r in range(ROWS) if cols["small"][r] >= 90]
    assert ints.dtype == np.int64
    np.testing.assert_array_equal(ints, [[cols["small"][r], cols["wide"][r]] for r in rows])
    one = ds.to_numpy("small", dtype="int8")
    assert one.shape == (ROWS,) and one.dtype == np.int8
    np.testing.assert_array_equal(one, cols["small"])
    assert ds.to_numpy(["flag"]).dtype == np.bool_


def test_to_numpy_refuses_nulls_in_an_integer_array_saying_what_to_do(data):
    ds, cols, _ = data
    first_null = cols["small_n"].index(None)
    with pytest.raises(ValueError, match=rf"column 'small_n' is null in row {first_null}.*float dtype.*"
                                         r"where \"small_n is not null\""):
        ds.to_numpy(["small", "small_n"], dtype="int64")
    with pytest.raises(ValueError, match="outside int8"):
        ds.to_numpy(["wide"], dtype="int8")
    x = ds.to_numpy(["small_n"], dtype="int32", where="small_n is not null")
    assert x.dtype == np.int32 and len(x) == sum(v is not None for v in cols["small_n"])


def test_to_numpy_wrong_out_is_refused_before_any_work(data):
    ds, _, _ = data
    with pytest.raises(ValueError, match=r"out has shape \(10, 2\).*need \(5000, 2\).*open_memmap"):
        ds.to_numpy(["small", "price"], out=np.empty((10, 2)))
    with pytest.raises(ValueError, match="out has dtype float32, not float64"):
        ds.to_numpy(["small", "price"], out=np.empty((ROWS, 2), dtype=np.float32), dtype="float64")
    readonly = np.empty((ROWS, 2))
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        ds.to_numpy(["small", "price"], out=readonly)
    with pytest.raises(ValueError, match=r"column 'topic' .* is string.*to_pandas"):
        ds.to_numpy(["small", "topic"])
    with pytest.raises(ValueError, match="is not one to_numpy fills"):
        ds.to_numpy(["small"], dtype="complex128")


# --- outcore export -----------------------------------------------------------------------


def test_export_npy_and_npz_round_trip_equal_to_numpy(data):
    ds, _, folder = data
    names = ["small", "wide", "price_n", "flag"]
    npy, npz, per = folder / "e.npy", folder / "e.npz", folder / "per.npz"
    where = "topic == 'food' or small > 80"
    out = run("export", ds.path, "--columns", ",".join(names), "--to", "npy", "-o", npy, "--where", where)
    assert "rows x 4 columns (float64)" in out.stderr
    np.testing.assert_array_equal(np.load(npy), ds.to_numpy(names, where=where))
    assert np.load(npy, mmap_mode="r").shape == (ds.count(where), 4)
    run("export", ds.path, "--columns", ",".join(names), "--to", "npz", "-o", npz, "--dtype", "float32")
    with np.load(npz) as z:
        assert list(z) == ["X"]
        np.testing.assert_array_equal(z["X"], ds.to_numpy(names, dtype="float32"))
    run("export", ds.path, "--columns", "small,wide,flag,price", "--to", "npz", "--per-column", "-o", per)
    with np.load(per) as z:
        assert list(z) == ["small", "wide", "flag", "price"]
        assert [z[k].dtype for k in z] == [np.int64, np.int64, np.bool_, np.float64]
        np.testing.assert_array_equal(z["wide"], ds.to_numpy("wide"))


def test_export_errors_name_the_problem_and_leave_no_file(data):
    ds, _, folder = data
    target = folder / "bad.npy"
    bad = run("export", ds.path, "--columns", "small_n", "--to", "npy", "-o", target, check=False)
    assert bad.returncode == 1 and "column 'small_n' is null in row" in bad.stderr
    assert not target.exists() and not list(folder.glob(".bad.npy*"))
    bad = run("export", ds.path, "--columns", "topic", "--to", "npy", "-o", target, check=False)
    assert bad.returncode == 2 and "is string" in bad.stderr
    bad = run("export", ds.path, "--to", "csv", "-o", target, check=False)
    assert bad.returncode == 2 and "--to must be npy or npz" in bad.stderr
    bad = run("export", ds.path, "--to", "npy", "--per-column", "-o", target, check=False)
    assert bad.returncode == 2 and "--per-column needs --to npz" in bad.stderr
    bad = run("export", ds.path, "--to", "npy", "-o", ds.path, check=False)
    assert bad.returncode == 2 and "input" in bad.stderr
    assert "Examples:" in run("export", "--help").stdout


def test_incremental_pca_fits_the_exported_memmap_as_it_fits_the_array(data):
    ds, _, folder = data
    npy = folder / "pca.npy"
    run("export", ds.path, "--columns", "small,wide,price", "--to", "npy", "-o", npy)
    mapped = np.load(npy, mmap_mode="r")
    assert isinstance(mapped, np.memmap)
    from_file = oc.IncrementalPCA(n_components=2).fit(mapped)
    in_memory = oc.IncrementalPCA(n_components=2).fit(ds.to_numpy(["small", "wide", "price"]))
    np.testing.assert_allclose(from_file.components_, in_memory.components_)
    np.testing.assert_allclose(from_file.explained_variance_, in_memory.explained_variance_)
    assert from_file.n_samples_seen_ == ROWS


# --- oc.compact ---------------------------------------------------------------------------


def reduce_mem_usage(df):
    """The rule of the popular Kaggle snippet: each numeric column to the smallest dtype whose
    range holds its min and max — float16 included, which rounds most values."""
    df = df.copy()
    for name in df.columns:
        kind = df[name].dtype.kind
        lo, hi = df[name].min(), df[name].max()
        for t in (np.int8, np.int16, np.int32, np.int64) if kind == "i" else (
                (np.float16, np.float32, np.float64) if kind == "f" else ()):
            info = np.iinfo(t) if kind == "i" else np.finfo(t)
            if info.min < lo and hi < info.max:
                df[name] = df[name].astype(t)
                break
    return df


def frame_to_compact():
    rng = np.random.default_rng(3)
    n = 20_000
    return pd.DataFrame({
        "i64_small": rng.integers(-100, 100, n),
        "i64_wide": rng.integers(0, 1 << 40, n),
        "u16": rng.integers(0, 300, n).astype(np.uint16),
        "f_whole": rng.integers(0, 30_000, n).astype(np.float64),
        "f_whole_nan": np.where(rng.random(n) < 0.1, np.nan, rng.integers(-5, 5, n).astype(float)),
        "f_halves": rng.integers(0, 1000, n) / 2,
        "f_price": np.round(rng.random(n) * 100, 2),
        "f_negzero": np.where(rng.random(n) < 0.5, -0.0, 1.0),
        "topic": rng.choice(np.array(["food", "art", "sport"], dtype=object), n),
        "topic_nan": np.where(rng.random(n) < 0.1, np.nan, rng.choice(np.array(["a", "b"], dtype=object), n)),
        "unique": np.array([f"id-{i}" for i in range(n)], dtype=object),
        "mixed": np.array([i if i % 2 else str(i) for i in range(n)], dtype=object),
        "flag": rng.random(n) < 0.5,
    })


def test_compact_narrows_exactly_and_reports_before_and_after():
    df = frame_to_compact()
    small, report = oc.compact(df, report=True)
    assert {c: str(t) for c, t in small.dtypes.items()} == {
        "i64_small": "int8", "i64_wide": "int64", "u16": "uint16", "f_whole": "int16",
        "f_whole_nan": "Int8", "f_halves": "float32", "f_price": "float64", "f_negzero": "float32",
        "topic": "category", "topic_nan": "category", "unique": str(df["unique"].dtype), "mixed": "object",
        "flag": "bool",
    }
    back = small.astype(df.dtypes.to_dict())
    assert back.equals(df)
    assert np.signbit(back["f_negzero"]).sum() == np.signbit(df["f_negzero"]).sum()
    assert report.bytes_before == df.memory_usage(index=False, deep=True).sum()
    assert report.bytes_after == small.memory_usage(index=False, deep=True).sum()
    changed = [c for c in report.columns if c["column"] not in ("unique", "mixed", "flag", "i64_wide", "f_price")]
    assert sum(c["bytes_after"] for c in changed) < sum(c["bytes_before"] for c in changed) / 3
    assert report.saved == report.bytes_before - report.bytes_after > 0
    assert report["i64_small"]["before"] == "int64" and report["i64_small"]["after"] == "int8"
    assert "every value kept" in repr(report) and "i64_small" in repr(report)
    # the snippet it replaces: float16 changes values; ours keeps every one
    lossy = reduce_mem_usage(df[["f_price", "f_halves"]])
    assert str(lossy["f_price"].dtype) == "float16"
    assert not lossy.astype(np.float64).equals(df[["f_price", "f_halves"]])
    assert oc.compact(df[["f_price", "f_halves"]]).astype(np.float64).equals(df[["f_price", "f_halves"]])


def test_compact_leaves_columns_that_would_not_shrink_and_keeps_the_index():
    df = pd.DataFrame({"u8": np.arange(200, dtype=np.uint8), "s": ["x"] * 200}, index=np.arange(200) * 3)
    out = oc.compact(df, category_cap=0)  # no category: more distinct values than the cap
    assert str(out["u8"].dtype) == "uint8" and out["s"].dtype == df["s"].dtype
    assert out.index.equals(df.index)
    with pytest.raises(TypeError, match="DataFrame"):
        oc.compact(np.arange(3))


def test_compact_a_dataset_frame_keeps_it_equal():
    df = pd.DataFrame({"a": np.arange(100_000) % 7, "b": np.arange(100_000) * 1.0})
    out = oc.compact(df)
    assert str(out["a"].dtype) == "int8" and str(out["b"].dtype) == "int32"
    assert out.astype(df.dtypes.to_dict()).equals(df)


# --- peak RSS of to_pandas, measured on a child --------------------------------------------

LAUNCHER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(json.dumps({"rc": os.waitstatus_to_exitcode(status), "maxrss_kib": usage.ru_maxrss}))
"""

CHILD = """
import json, sys
import numpy, pandas
import outcore as oc
ds = oc.open(sys.argv[1])
columns, dtypes = json.loads(sys.argv[2]), sys.argv[3]
ds.to_pandas(columns, where="id == 1", dtypes=dtypes if dtypes != "scan" else "compact")  # code paths warm
rss_before = oc.memory.rss()
frame = 0
if dtypes == "scan":
    for batch in ds.scan(columns):
        pass
else:
    df = ds.to_pandas(columns, dtypes=dtypes)
    frame = int(df.memory_usage(deep=True).sum())
with open(sys.argv[4], "w") as f:
    json.dump({"rss_before": rss_before, "frame": frame, "rows": ds.num_rows}, f)
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rss")
    csv, path = folder / "g.csv", folder / "g.oc"
    run("gen", "--rows", "600k", "--seed", 5, "-o", csv)
    run("ingest", csv, "-o", path, "--memory-limit", "128MiB")  # chunks of ~25k rows
    csv.unlink()
    return path


def measured_growth(path, columns, dtypes, folder):
    """(peak RSS growth of a child's to_pandas or bare scan, its report)."""
    report = folder / f"child-{dtypes}.json"
    out = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, sys.executable, "-c", CHILD, str(path),
         json.dumps(columns), dtypes, str(report)],
        capture_output=True, text=True, check=True,
    )
    figures = json.loads(out.stdout)
    assert figures["rc"] == 0, out.stderr
    child = json.loads(report.read_text())
    return figures["maxrss_kib"] * 1024 - child["rss_before"], child


@pytest.mark.rss
@pytest.mark.parametrize("dtypes", ["compact", "pandas"])
def test_to_pandas_peak_is_the_frame_plus_one_batch(generated, tmp_path, dtypes):
    columns = ["id", "active", "topic", "quantity", "score", "price", "day", "created"]
    batch, _ = measured_growth(generated, columns, "scan", tmp_path)  # what one batch at a time costs
    grew, child = measured_growth(generated, columns, dtypes, tmp_path)
    assert child["rows"] > 590_000 and child["frame"] > 20 * MiB
    assert batch < child["frame"] / 2, f"a bare scan grew {batch / MiB:.1f} MiB: too much to tell"
    # The frame plus one batch, and 4 MiB of allocator slack; the old per-batch frames + concat
    # held the frame twice.
    assert grew <= child["frame"] + batch + 4 * MiB, (
        f"peak grew {grew / MiB:.1f} MiB for a {child['frame'] / MiB:.1f} MiB frame "
        f"(a bare scan: {batch / MiB:.1f} MiB)"
    )
