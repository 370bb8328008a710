"""Issue 10: inferred types lose nothing, and NA spellings are text where they can be values."""

import csv
import gzip
import json

import outcore as oc
from conftest import run


def jsonl(path):
    return [json.loads(line) for line in run("cat", path, "--format", "jsonl").stdout.splitlines()]


def test_leading_zeros_survive_even_in_quotes(tmp_path):
    src = tmp_path / "z.csv"
    src.write_text('zip,city\n"02134",Boston\n10001,New York\n')
    run("ingest", src, "-o", tmp_path / "z.oc")
    assert run("cat", tmp_path / "z.oc").stdout.splitlines() == ["zip,city", "02134,Boston", "10001,New York"]


def test_namibia_is_not_missing(tmp_path):
    src = tmp_path / "n.csv"
    src.write_text('c,iso2,continent\nNamibia,NA,AF\nCanada,CA,NA\nNowhere,,""\n')
    run("ingest", src, "-o", tmp_path / "n.oc", "--schema", "c:string,iso2:string")
    assert jsonl(tmp_path / "n.oc") == [
        {"c": "Namibia", "iso2": "NA", "continent": "AF"},
        {"c": "Canada", "iso2": "CA", "continent": "NA"},
        {"c": "Nowhere", "iso2": None, "continent": ""},  # empty unquoted: missing; quoted: ""
    ]


def test_a_code_among_digits_keeps_the_column_text_and_nothing_is_rejected(tmp_path):
    src = tmp_path / "codes.csv"
    rows = [str(300389000 + i) for i in range(2000)]
    rows[1234] = "300389460z"
    src.write_text("code,n\n" + "".join(f"{code},{i}\n" for i, code in enumerate(rows)))
    report = json.loads(run("ingest", src, "-o", tmp_path / "c.oc", "--json").stdout)
    assert report["rows_rejected"] == 0
    code = report["columns"][0]
    assert code["type"] == "string"
    assert code["type_note"] == "kept as string: '300389460z' is a code (letters and digits), not a number"
    assert report["columns"][1]["type"] == "int64" and report["columns"][1]["type_note"] == ""
    assert [r["code"] for r in jsonl(tmp_path / "c.oc")] == rows


def test_python_ingest_reports_widening_and_takes_na_values(tmp_path):
    # A gzip file: only its first block is sampled, so the last row's ZIP code
    # is seen after the sample and the column is widened.
    n = 100_000
    lines = ["id,zip"] + [f"{i},{10000 + i % 80000}" for i in range(n - 1)] + [f"{n - 1},02134"]
    src = tmp_path / "late.csv.gz"
    with gzip.open(src, "wt") as f:
        f.write("\n".join(lines) + "\n")
    report = oc.ingest(src, tmp_path / "late.oc", block_size="64KiB")
    assert report["rows_rejected"] == 0
    zip_column = report["columns"][1]
    assert zip_column["type"] == "string" and zip_column["inferred"] is True
    assert zip_column["type_note"].startswith("widened from int64 to string after the sample: line 100001 of ")
    table = oc.open(tmp_path / "late.oc").to_pandas(columns=["zip"])
    assert list(table["zip"][-2:]) == [str(10000 + (n - 2) % 80000), "02134"]

    names = tmp_path / "names.csv"
    names.write_text("town,score\nNone,NA\nNA,1.5\n")
    oc.ingest(names, tmp_path / "default.oc")
    assert jsonl(tmp_path / "default.oc") == [{"town": "None", "score": None}, {"town": "NA", "score": 1.5}]
    oc.ingest(names, tmp_path / "asked.oc", na_values=["None", "NA"])
    assert jsonl(tmp_path / "asked.oc") == [{"town": None, "score": None}, {"town": None, "score": 1.5}]


def test_stdin_cannot_be_read_twice_so_the_row_is_rejected_with_the_reason(tmp_path):
    text = "id,zip\n" + "".join(f"{i},{10000 + i}\n" for i in range(100_000)) + "100000,02134\n"
    rejects = tmp_path / "rejects.csv"
    out = run("ingest", "-", "-o", tmp_path / "s.oc", "--block-size", "64KiB", "--reject", rejects, "--json",
              input=text).stdout
    report = json.loads(out)
    assert report["rows_read"] == 100_001 and report["rows_rejected"] == 1
    with open(rejects, newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["line"] == "100002" and row["column"] == "zip"
    assert "'02134' would lose its leading zero as int64" in row["detail"]
