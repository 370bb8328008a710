"""Lossy forms on request (doc/encodings.md, "Lossy forms"): `--lossy` / `lossy=`.

The oracle is the CSV itself read with Python's float() and int() (correctly rounded, as the
engine's parser) and the values the file gives back; the errors the report and `info` give must
be the ones recomputed here from those two, and the bytes saved the difference against a
lossless ingest of the same file with the same chunking.
"""

import csv
import json
import math
import random
import re

import numpy as np
import pytest

import outcore as oc
from conftest import run

BLOCK = "64KiB"  # many chunks
ROWS = 12000
LOSSY = {"reading": "float16", "level": "float32", "price": "float32", "qty": "quantize:5", "x": "quantize:0.25"}


def write_csv(path, rows=ROWS, seed=3, big_at=None):
    """Real-looking columns: sensor readings with 7 decimals, prices with 2, small counts."""
    rng = random.Random(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "reading", "level", "price", "qty", "x", "label", "big"])
        for i in range(rows):
            reading = 21.5 + 3 * math.sin(i / 500) + rng.gauss(0, 0.05)
            level = rng.lognormvariate(2, 1.5)
            price = round(math.exp(math.log(20) + 1.2 * rng.gauss(0, 1)), 2)
            big = rng.uniform(-1000, 1000)
            if big_at is not None and i == big_at:
                big = 70000.5
            w.writerow([i, f"{reading:.7f}", repr(level), f"{price:.2f}", min(500, int(rng.expovariate(1 / 35))),
                        f"{rng.uniform(-50, 50):.6f}", rng.choice(["a", "bb", "ccc"]), f"{big:.4f}"])
    return path


def read_csv(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        cols = list(zip(*r))
    out = {}
    for name, values in zip(header, cols):
        if name in ("id", "qty"):
            out[name] = np.array([int(v) for v in values], dtype=np.int64)
        elif name == "label":
            out[name] = np.array(values, dtype=object)
        else:
            out[name] = np.array([float(v) for v in values], dtype=np.float64)
    return out


def errors(original, decoded):
    """LossyColumnReport's definition: over finite x; relative over x != 0."""
    x = original.astype(np.float64) if original.dtype != np.int64 else original
    d = decoded
    if x.dtype == np.int64:
        abs_err = np.abs((d - x).astype(np.float64))
        mag = np.abs(x.astype(np.float64))
    else:
        keep = np.isfinite(x)
        x, d = x[keep], d[keep]
        abs_err = np.abs(d - x)
        mag = np.abs(x)
    nz = mag != 0
    return float(abs_err.max(initial=0.0)), float((abs_err[nz] / mag[nz]).max(initial=0.0))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lossy")
    src = write_csv(tmp / "data.csv", big_at=ROWS // 2)
    exact = oc.ingest(src, tmp / "exact.oc", block_size=BLOCK, threads=2)
    lossy = oc.ingest(src, tmp / "lossy.oc", block_size=BLOCK, threads=2, lossy=LOSSY | {"big": "float16"})
    return {"src": src, "exact": tmp / "exact.oc", "lossy": tmp / "lossy.oc", "exact_report": exact,
            "report": lossy, "data": read_csv(src), "tmp": tmp}


def by_column(entries):
    return {e["column"]: e for e in entries}


def test_reported_errors_are_the_errors_of_the_decoded_values(files):
    report = by_column(files["report"]["lossy"])
    assert list(report) == [*LOSSY, "big"]  # in the order asked
    frame = oc.open(files["lossy"]).to_pandas()
    for column in LOSSY | {"big": "float16"}:
        max_abs, max_rel = errors(files["data"][column], frame[column].to_numpy())
        assert report[column]["max_abs_error"] == max_abs, column
        assert report[column]["max_rel_error"] == max_rel, column
        assert report[column]["form"] == (LOSSY | {"big": "float16"})[column]
    # The forms did lose something where they were kept, and no more than they promise.
    assert 0 < report["reading"]["max_abs_error"] <= 2.0**-6  # readings in [16, 32): half an ulp of float16
    assert 0 < report["reading"]["max_rel_error"] <= 2.0**-11
    assert 0 < report["level"]["max_rel_error"] <= 2.0**-24
    assert 0 < report["x"]["max_abs_error"] <= 0.125 * (1 + 1e-12)
    assert report["qty"]["max_abs_error"] <= 2.5


def test_decoded_columns_keep_their_logical_type(files):
    import pyarrow as pa

    ds = oc.open(files["lossy"])
    assert ds.schema["reading"] == "float64" and ds.schema["qty"] == "int64"
    assert pa.table(ds).schema.field("reading").type == pa.float64()
    assert pa.table(ds).schema.field("qty").type == pa.int64()
    assert ds.to_pandas(columns=["reading"])["reading"].dtype == np.float64
    frame = ds.to_pandas(columns=["reading", "qty"], dtypes="pandas")
    assert frame["reading"].dtype == np.float64 and frame["qty"].dtype == np.int64
    qty = frame["qty"].to_numpy()
    assert (qty % 5 == 0).all()  # decoded as k * 5
    reading = frame["reading"].to_numpy()
    assert (reading.astype(np.float16).astype(np.float64) == reading).all()  # exactly halves
    assert not np.array_equal(reading, files["data"]["reading"])


def test_exact_columns_are_bit_identical_to_a_lossless_ingest(files):
    lossy = oc.open(files["lossy"]).to_pandas()
    exact = oc.open(files["exact"]).to_pandas()
    for column in ("id", "label"):
        assert lossy[column].tolist() == exact[column].tolist()
    assert np.array_equal(lossy["id"].to_numpy(), files["data"]["id"])
    # price asked for float32 but its exact form (decimal) is smaller: every chunk stayed exact.
    assert np.array_equal(lossy["price"].to_numpy().view(np.int64), exact["price"].to_numpy().view(np.int64))
    price = by_column(files["report"]["lossy"])["price"]
    assert price["chunks_lossy"] == 0 and price["chunks_exact_not_smaller"] == files["report"]["chunks"]
    assert price["max_abs_error"] == 0 and price["bytes_saved"] == 0
    exact_sizes = {c["name"]: c["stored_bytes"] for c in files["exact_report"]["columns"]}
    lossy_sizes = {c["name"]: c["stored_bytes"] for c in files["report"]["columns"]}
    for column in ("id", "label", "price"):
        assert lossy_sizes[column] == exact_sizes[column], column


def test_bytes_saved_is_the_difference_against_a_lossless_ingest(files):
    exact_sizes = {c["name"]: c["stored_bytes"] for c in files["exact_report"]["columns"]}
    lossy_sizes = {c["name"]: c["stored_bytes"] for c in files["report"]["columns"]}
    assert files["report"]["chunks"] == files["exact_report"]["chunks"] > 4
    for entry in files["report"]["lossy"]:
        column = entry["column"]
        assert entry["exact_bytes"] == exact_sizes[column], column
        assert entry["stored_bytes"] == lossy_sizes[column], column
        assert entry["bytes_saved"] == exact_sizes[column] - lossy_sizes[column], column
    saved = by_column(files["report"]["lossy"])
    for column in ("reading", "level", "x"):
        assert saved[column]["bytes_saved"] > 0, column
        assert saved[column]["chunks_lossy"] == files["report"]["chunks"], column
    assert files["report"]["output_bytes"] < files["exact_report"]["output_bytes"]


def test_a_value_float16_cannot_hold_keeps_its_chunk_exact(files):
    big = by_column(files["report"]["lossy"])["big"]
    assert big["chunks_exact_unrepresentable"] == 1
    assert big["chunks_lossy"] + big["chunks_exact_not_smaller"] == files["report"]["chunks"] - 1
    assert "70000.5" in big["unrepresentable_example"] and "65504" in big["unrepresentable_example"]
    values = oc.open(files["lossy"]).to_pandas(columns=["big"])["big"].to_numpy()
    assert np.isfinite(values).all()  # never a silent inf
    assert values[ROWS // 2] == 70000.5  # its chunk is exact
    exact = oc.open(files["exact"]).to_pandas(columns=["big"])["big"].to_numpy()
    assert (values == exact).sum() >= 100  # that whole chunk, not only the one value


def test_quantize_on_inf_keeps_the_chunk_exact_and_says_so(tmp_path):
    src = tmp_path / "inf.csv"
    src.write_text("v\n" + "".join(f"{i * 0.3:.1f}\n" for i in range(200)) + "inf\n")
    report = oc.ingest(src, tmp_path / "inf.oc", lossy={"v": "quantize:1"}, na_values=[""])
    (entry,) = report["lossy"]
    assert entry["chunks_exact_unrepresentable"] == 1 and entry["chunks_lossy"] == 0
    assert "finite" in entry["unrepresentable_example"]
    values = oc.open(tmp_path / "inf.oc").to_pandas()["v"].to_numpy()
    assert values[-1] == np.inf and values[1] == 0.3


def test_info_and_the_cli_report_the_same_figures(files):
    info = oc.open(files["lossy"]).info()["lossy"]
    reported = files["report"]["lossy"]
    for got, want in zip(info, reported, strict=True):
        assert got | {"unrepresentable_example": ""} == want | {"unrepresentable_example": ""}
    cli = json.loads(run("info", files["lossy"], "--json").stdout)["lossy"]
    assert [e["max_abs_error"] for e in cli] == [e["max_abs_error"] for e in reported]
    assert [e["bytes_saved"] for e in cli] == [e["bytes_saved"] for e in reported]
    text = run("info", files["lossy"]).stdout
    assert "lossy columns" in text and "quantize:0.25" in text
    assert oc.open(files["exact"]).info()["lossy"] == []


def test_cli_takes_both_spellings_and_prints_the_figures(files):
    out = files["tmp"] / "cli.oc"
    res = run("ingest", files["src"], "-o", out, "--block-size", BLOCK, "--threads", 2, "--json",
              "--lossy", "reading:float16,x=quantize:0.25,qty:quantize:5")
    lossy = json.loads(res.stdout)["lossy"]
    assert [e["form"] for e in lossy] == ["float16", "quantize:0.25", "quantize:5"]
    want = by_column(files["report"]["lossy"])
    for entry in lossy:
        assert entry["max_abs_error"] == want[entry["column"]]["max_abs_error"]
        assert entry["bytes_saved"] == want[entry["column"]]["bytes_saved"]
    text = run("ingest", files["src"], "-o", out, "-q", "--lossy", "reading=float16").stdout
    assert "lossy columns" in text and "reading" in text and "float16" in text
    assert "--lossy score=float32" in run("ingest", "--help").stdout


def test_files_are_written_as_version_5_lossy_or_not(files):
    # Version 5 (the delta encoding and zone-map core ranges) holds version 4's step encoding
    # and version 3's lossy forms too (doc/format.md).
    assert files["lossy"].read_bytes()[8:12] == (5).to_bytes(4, "little")
    assert files["exact"].read_bytes()[8:12] == (5).to_bytes(4, "little")


def test_a_lossy_section_under_a_version_2_header_is_refused(files, tmp_path):
    forged = tmp_path / "forged.oc"
    data = bytearray(files["lossy"].read_bytes())
    data[8:12] = (2).to_bytes(4, "little")  # the header is not under the footer's checksum
    forged.write_bytes(bytes(data))
    with pytest.raises((ValueError, OSError), match="a lossy section in a version 2 file"):
        oc.open(forged)


def test_adding_an_index_keeps_the_lossy_record(files, tmp_path):
    out = tmp_path / "indexed.oc"
    oc.index(files["lossy"], columns=["qty"], output=out)
    assert oc.open(out).info()["lossy"] == oc.open(files["lossy"]).info()["lossy"]
    assert out.read_bytes()[8:12] == (5).to_bytes(4, "little")  # rewritten as this version writes


def test_where_on_a_lossy_column_prunes_on_the_decoded_values(tmp_path):
    # The first half is in [10.1, 10.2], which quantize:0.5 stores as 10.0: zone maps of the
    # ingested values would skip every such chunk for `x <= 10.0`.
    src = tmp_path / "x.csv"
    rng = random.Random(5)
    rows = [f"{i},{rng.uniform(10.1, 10.2):.4f}" for i in range(4000)]
    rows += [f"{i},{rng.uniform(20, 30):.4f}" for i in range(4000, 8000)]
    src.write_text("id,x\n" + "\n".join(rows) + "\n")
    report = oc.ingest(src, tmp_path / "x.oc", block_size="8KiB", lossy={"x": "quantize:0.5"}, index=["x"])
    assert report["chunks"] > 4
    ds = oc.open(tmp_path / "x.oc")
    x = ds.to_pandas()["x"].to_numpy()
    for where, want in (("x <= 10.0", int((x <= 10.0).sum())), ("x == 10.0", int((x == 10.0).sum())),
                        ("x > 10.0", int((x > 10.0).sum()))):
        for use_indexes in (True, False):
            for use_zone_maps in (True, False):
                assert ds.count(where, use_indexes=use_indexes, use_zone_maps=use_zone_maps) == want, where
    assert ds.count("x <= 10.0") == 4000
    info = {c["name"]: c for c in ds.info()["columns"]}
    assert float(info["x"]["min"]) == 10.0  # the zone maps hold decoded values


@pytest.mark.parametrize(
    ("lossy", "message"),
    [
        ({"nope": "float16"}, "--lossy nope=float16: no column 'nope'"),
        ({"reading": "float8"}, "lossy reading=float8: unknown lossy form 'float8'"),
        ({"label": "float16"}, "'label' is a string column"),
        ({"id": "float32"}, "'id' is an int64 column; float32 and float16 apply to float64 columns"),
        ({"x": "quantize:0"}, "lossy x=quantize:0: the quantize step must be a positive number"),
        ({"x": "quantize:-0.5"}, "lossy x=quantize:-0.5: the quantize step must be a positive number"),
        ({"qty": "quantize:0.5"}, "'qty' is an int64 column, which reads back as whole numbers"),
    ],
)
def test_bad_lossy_options_are_refused_up_front(tmp_path, lossy, message):
    src = write_csv(tmp_path / "small.csv", rows=50)
    out = tmp_path / "out.oc"
    with pytest.raises(ValueError, match=re.escape(message)):
        oc.ingest(src, out, lossy=lossy)
    assert not out.exists()


def test_bad_lossy_options_on_the_command_line(tmp_path):
    src = write_csv(tmp_path / "small.csv", rows=50)
    out = tmp_path / "out.oc"
    for spec, message in (("reading=float8", "--lossy reading=float8: unknown lossy form"),
                          ("reading", "--lossy 'reading': expected column=form"),
                          ("label=quantize:1", "--lossy label=quantize:1: 'label' is a string column"),
                          ("x=quantize:0", "--lossy x=quantize:0: the quantize step")):
        res = run("ingest", src, "-o", out, "--lossy", spec, check=False)
        assert res.returncode == 2, (spec, res.stderr)
        assert message in res.stderr, res.stderr
        assert not out.exists()
    with pytest.raises(TypeError, match="mapping"):
        oc.ingest(src, out, lossy="x=float16")


def test_arrow_in_takes_lossy_forms_too(tmp_path):
    import pyarrow as pa

    rng = np.random.default_rng(4)
    values = rng.normal(100, 20, 5000)
    # n shuffled: in order, its exact form (delta, a few dozen bytes) would beat any lossy one.
    table = pa.table({"v": values, "n": rng.permutation(5000).astype(np.int64)})
    report = oc.ingest(table, tmp_path / "a.oc", lossy={"v": "float16", "n": "quantize:10"})
    back = oc.open(tmp_path / "a.oc").to_pandas(dtypes="pandas")
    assert np.array_equal(back["v"].to_numpy(), values.astype(np.float16).astype(np.float64))
    assert (back["n"].to_numpy() % 10 == 0).all()
    entries = by_column(report["lossy"])
    assert entries["v"]["max_abs_error"] == float(np.abs(back["v"].to_numpy() - values).max())
    assert entries["n"]["max_abs_error"] == 5
