"""outcore.ingest / outcore.open / Dataset.scan against pandas as the oracle."""

import json

import numpy as np
import pandas as pd
import pytest

import outcore as oc
from conftest import run

NA = ["", "NA", "N/A", "NULL", "null", "NaN", "nan", "None"]
TEXT_COLUMNS = ["topic", "word", "passage"]


def read_with_pandas(path):
    # outcore's spellings: the NA list in typed columns, only an empty field in
    # text columns (the generator's made-up words include "nan").
    columns = pd.read_csv(path, nrows=0).columns
    na = {c: [""] if c in TEXT_COLUMNS else NA for c in columns}
    return pd.read_csv(path, keep_default_na=False, na_values=na, dtype={c: object for c in TEXT_COLUMNS})


def test_values_match_pandas_exactly(clean_csv, tmp_path):
    out = tmp_path / "clean.oc"
    report = oc.ingest(clean_csv, out, memory_limit="128MiB")
    assert report["rows_read"] == 20000 and report["rows_rejected"] == 0
    ds = oc.open(out)
    assert ds.num_rows == 20000
    assert ds.schema == {
        "id": "int64", "active": "bool", "topic": "string", "word": "string", "passage": "string",
        "quantity": "int64", "score": "float64", "price": "float64", "day": "date", "created": "timestamp",
    }
    got = ds.to_pandas()
    want = read_with_pandas(clean_csv)
    np.testing.assert_array_equal(got["id"].to_numpy(), want["id"].to_numpy())
    # Floats bit for bit (NaN where missing on both sides).
    for col in ["score", "price"]:
        a, b = np.asarray(got[col], dtype=float), want[col].to_numpy(dtype=float)
        assert np.array_equal(a.view(np.int64)[~np.isnan(a)], b.view(np.int64)[~np.isnan(b)])
        assert np.array_equal(np.isnan(a), np.isnan(b))
    for col in ["topic", "word", "passage"]:
        a = [None if pd.isna(x) else x for x in got[col]]
        b = [None if pd.isna(x) else x for x in want[col]]
        assert a == b, col
    q = pd.Series(got["quantity"])
    assert q.isna().sum() == want["quantity"].isna().sum()
    assert (q.dropna().astype(int).to_numpy() == want["quantity"].dropna().astype(int).to_numpy()).all()
    days = pd.to_datetime(want["day"]).to_numpy(dtype="datetime64[D]")
    assert np.array_equal(pd.Series(got["day"]).to_numpy(dtype="datetime64[D]")[~pd.isna(want["day"])],
                          days[~pd.isna(want["day"])])


def test_rows_read_equals_kept_plus_rejected_and_rejects_name_lines(dirty_csv, tmp_path):
    gen = json.loads(run("gen", "--rows", 50000, "--seed", 11, "--json", "-o", tmp_path / "again.csv").stdout)
    rejects = tmp_path / "rejects.csv"
    report = oc.ingest(dirty_csv, tmp_path / "d.oc", reject=rejects)
    assert report["rows_read"] == 50000
    assert report["rows_read"] == report["rows_kept"] + report["rows_rejected"]
    must_reject = gen["rows"] - gen["valid_rows"]
    assert report["rows_rejected"] == must_reject
    table = pd.read_csv(rejects, dtype=str, keep_default_na=False, encoding_errors="replace")
    assert list(table.columns) == ["file", "line", "column", "reason", "detail", "raw"]
    assert len(table) == report["rows_rejected"]
    assert set(table["reason"]) <= {"field_count", "unparsable", "invalid_utf8", "out_of_range"}
    # Each line number points at the raw row in the input (rows start with their id).
    with open(dirty_csv, "rb") as f:
        lines = f.read().split(b"\n")
    for _, r in table.head(50).iterrows():
        assert lines[int(r["line"]) - 1].split(b",")[0] == r["raw"].split(",")[0].encode()


def test_dictionary_column_is_categorical_ready(clean_csv, tmp_path):
    out = tmp_path / "c.oc"
    oc.ingest(clean_csv, out)
    ds = oc.open(out)
    assert "topic" in ds.dictionary_columns
    assert "passage" not in ds.dictionary_columns
    batch = next(ds.scan(columns=["topic", "passage"], batch_rows=1000))
    topic = batch["topic"]
    assert isinstance(topic, oc.DictionaryArray)
    assert topic.codes.dtype == np.int32 and len(topic) == 1000
    cat = topic.to_pandas()
    assert isinstance(cat, pd.Categorical)
    assert set(cat.categories) <= {"fashion", "real estate", "food", "travel", "sports", "technology",
                                    "health", "finance", "music", "politics", "science", "gaming"}
    passage = batch["passage"]
    assert isinstance(passage, oc.StringArray)
    assert passage.offsets.dtype == np.int32 and len(passage.offsets) == 1001
    arrow = passage.to_arrow()
    assert arrow.to_pylist() == list(passage)


def test_scan_projection_batches_and_limit(clean_csv, tmp_path):
    out = tmp_path / "p.oc"
    oc.ingest(clean_csv, out, block_size="256KiB")
    ds = oc.open(out)
    assert ds.num_chunks > 3
    seen = 0
    for batch in ds.scan(columns=["price", "id"], batch_rows=777):
        assert list(batch) == ["price", "id"]
        assert 0 < len(batch["id"]) <= 777
        assert np.array_equal(batch["id"], np.arange(seen + 1, seen + 1 + len(batch["id"])))
        seen += len(batch["id"])
    assert seen == 20000
    assert sum(len(b["id"]) for b in ds.scan(columns=["id"], limit=1234)) == 1234
    with pytest.raises(ValueError, match=r"no column 'nope'.*id"):
        next(ds.scan(columns=["nope"]))


def test_nulls_come_as_masked_arrays(tmp_path):
    csv = tmp_path / "n.csv"
    csv.write_text("a,b,c\n1,2.5,x\n,NA,\n3,,z\n")
    oc.ingest(csv, tmp_path / "n.oc")
    batch = next(oc.open(tmp_path / "n.oc").scan())
    a = batch["a"]
    assert isinstance(a, np.ma.MaskedArray)
    assert a.mask.tolist() == [False, True, False] and a.data[[0, 2]].tolist() == [1, 3]
    assert batch["b"].mask.tolist() == [False, True, True]
    assert list(batch["c"]) == ["x", None, "z"]


def test_errors_become_python_exceptions_naming_the_file(tmp_path):
    with pytest.raises(OSError, match=r"missing\.csv"):
        oc.ingest(tmp_path / "missing.csv", tmp_path / "x.oc")
    bad = tmp_path / "bad.oc"
    bad.write_bytes(b"not an outcore file at all, but long enough to have a trailer" * 2)
    with pytest.raises(ValueError, match=r"bad\.oc"):
        oc.open(bad)
    csv = tmp_path / "f.csv"
    csv.write_text("a,b\n1,2\n3,x\n")
    with pytest.raises(ValueError, match="line 3"):
        oc.ingest(csv, tmp_path / "f.oc", schema={"b": "int64"}, on_error="fail")
    assert not (tmp_path / "f.oc").exists()
    with pytest.raises(ValueError, match=r"memory-limit|size"):
        oc.ingest(csv, tmp_path / "g.oc", memory_limit="lots")


def test_truncated_file_is_a_clean_error(clean_csv, tmp_path):
    out = tmp_path / "t.oc"
    oc.ingest(clean_csv, out)
    data = out.read_bytes()
    for cut in [10, len(data) // 2, len(data) - 1]:
        short = tmp_path / f"cut{cut}.oc"
        short.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=f"cut{cut}.oc"):
            oc.open(short)
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0xFF  # inside a data block: caught by its checksum when read
    (tmp_path / "flip.oc").write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="checksum"):
        for _ in oc.open(tmp_path / "flip.oc").scan():
            pass
