"""Issue 10: header names and dialect options (--skip-rows, --comment, --pad-short-rows,
--decimal, ':' and space-aligned detection), from the command line and from Python, with
pandas as the oracle."""

import io
import json

import pandas as pd
import pytest

import outcore as oc
from conftest import run


def cat(path):
    """The rows of a .oc file as dicts, read back with `outcore cat --format jsonl`."""
    return [json.loads(line) for line in run("cat", path, "--format", "jsonl").stdout.splitlines()]


def ingest_json(*args):
    return json.loads(run("ingest", *args, "--json", "-q").stdout)


@pytest.mark.parametrize("header", ["a,a", "a,a,a", "a,a,a.1", "a,a.1,a", "x,x.1,x,x.1", "0,0,0.1,0"])
def test_issue10_duplicate_header_names_match_pandas(tmp_path, header):
    n = header.count(",") + 1
    csv = tmp_path / "dup.csv"
    csv.write_text(header + "\n" + ",".join(str(i) for i in range(n)) + "\n")
    expected = list(pd.read_csv(csv).columns)
    report = ingest_json(csv, "-o", tmp_path / "cli.oc")
    assert [c["name"] for c in report["columns"]] == expected
    assert list(cat(tmp_path / "cli.oc")[0]) == expected
    py = oc.ingest(csv, tmp_path / "py.oc")
    assert [c["name"] for c in py["columns"]] == expected
    raw = header.split(",")
    renamed = [{"position": i + 1, "from": raw[i], "to": expected[i]} for i in range(n) if raw[i] != expected[i]]
    assert report["renamed_columns"] == py["renamed_columns"] == renamed


def test_issue10_empty_header_names_are_numbered_and_reported(tmp_path):
    csv = tmp_path / "empty.csv"
    csv.write_text("a,,c,\n1,2,3,4\n")
    report = ingest_json(csv, "-o", tmp_path / "e.oc")
    assert [c["name"] for c in report["columns"]] == ["a", "column_2", "c", "column_4"]
    assert report["renamed_columns"] == [{"position": 2, "from": "", "to": "column_2"},
                                         {"position": 4, "from": "", "to": "column_4"}]
    text = run("ingest", csv, "-o", tmp_path / "t.oc", "-q").stdout
    assert "'' -> column_2 (column 2)" in text


def test_issue10_schema_by_a_repeated_name_types_every_copy(tmp_path):
    csv = tmp_path / "dup.csv"
    csv.write_text("id,id\n007,008\n")
    oc.ingest(csv, tmp_path / "s.oc", schema={"id": "string"})
    assert cat(tmp_path / "s.oc") == [{"id": "007", "id.1": "008"}]


DEBIAN = (
    "version,codename,series,created,release,eol,eol-lts\n"
    "1.1,Buzz,buzz,1993-08-16,1996-06-17,1997-06-05\n"
    "2.0,Hamm,hamm,1996-06-17,1998-07-24,2000-03-09\n"
    "7,Wheezy,wheezy,2011-02-06,2013-05-04,2016-04-26,2018-05-31\n"
    "14,Forky,forky,2025-08-09\n"
)


def test_issue10_pad_short_rows_matches_pandas(tmp_path):
    csv = tmp_path / "debian.csv"
    csv.write_text(DEBIAN)
    strict = ingest_json(csv, "-o", tmp_path / "strict.oc")
    assert strict["rows_rejected"] == 3 and strict["rows_padded"] == 0
    report = ingest_json(csv, "-o", tmp_path / "pad.oc", "--pad-short-rows")
    assert report["rows_read"] == report["rows_kept"] == 4 and report["rows_rejected"] == 0
    assert report["rows_padded"] == 3
    expected = pd.read_csv(csv, dtype=str, keep_default_na=False).replace("", None)  # pandas pads with NaN
    got = cat(tmp_path / "pad.oc")
    for row, (_, want) in zip(got, expected.iterrows()):
        for column in ("codename", "created", "release", "eol", "eol-lts"):
            assert row[column] == (None if pd.isna(want[column]) else want[column])
    py = oc.ingest(csv, tmp_path / "py.oc", pad_short_rows=True)
    assert py["rows_padded"] == 3 and py["rows_rejected"] == 0


def test_issue10_skip_rows_and_comment_match_pandas_and_keep_line_numbers(tmp_path):
    csv = tmp_path / "office.csv"
    csv.write_text(
        'Population by region "2024\n'  # a title line; its stray quote opens nothing
        "Source: statistics office\n"
        "region;people\n"
        "# provisional figures\n"
        "north;100\n"
        "south;many\n"  # line 6: a reject
        "east;300\n"
    )
    expected = pd.read_csv(csv, sep=";", skiprows=2, comment="#")
    rejects = tmp_path / "rej.csv"
    report = ingest_json(csv, "-o", tmp_path / "o.oc", "--skip-rows", 2, "--comment", "#",
                         "--schema", "people:int64", "--reject", rejects)
    assert report["lines_skipped"] == 2 and report["comment_lines"] == 1
    assert report["rows_read"] == len(expected) == report["rows_kept"] + report["rows_rejected"]
    assert [c["name"] for c in report["columns"]] == list(expected.columns)
    table = pd.read_csv(rejects, dtype=str)
    assert list(table["line"]) == ["6"] and table["raw"][0] == "south;many"
    assert [r["region"] for r in cat(tmp_path / "o.oc")] == ["north", "east"]
    py = oc.ingest(csv, tmp_path / "py.oc", skip_rows=2, comment="#")
    assert py["lines_skipped"] == 2 and py["comment_lines"] == 1 and py["rows_kept"] == 3


def test_issue10_decimal_comma_matches_pandas(tmp_path):
    csv = tmp_path / "de.csv"
    csv.write_text("Ort;Wert;Anteil\nBerlin;1,5;0,25\nBonn;-2,75;1\nKöln;3;12,125\n")
    expected = pd.read_csv(csv, sep=";", decimal=",")
    report = ingest_json(csv, "-o", tmp_path / "de.oc", "--decimal", ",")
    assert report["delimiter"] == ";"
    assert [c["type"] for c in report["columns"]] == ["string", "float64", "float64"]
    got = cat(tmp_path / "de.oc")
    assert [r["Wert"] for r in got] == list(expected["Wert"])
    assert [r["Anteil"] for r in got] == list(expected["Anteil"])
    py = oc.ingest(csv, tmp_path / "py.oc", decimal=",")
    assert [c["type"] for c in py["columns"]] == ["string", "float64", "float64"]


def test_issue10_decimal_comma_refuses_a_comma_delimiter(tmp_path):
    csv = tmp_path / "x.csv"
    csv.write_text("a;b\n1,5;2\n")
    p = run("ingest", csv, "-o", tmp_path / "x.oc", "--decimal", ",", "--delimiter", ",", check=False)
    assert p.returncode != 0 and "--decimal ','" in p.stderr
    assert not (tmp_path / "x.oc").exists()
    with pytest.raises(ValueError, match="decimal"):
        oc.ingest(csv, tmp_path / "y.oc", decimal=",", delimiter=",")
    with pytest.raises(ValueError, match="decimal"):
        oc.ingest(csv, tmp_path / "y.oc", decimal=";;")


def test_issue10_colon_delimiter_is_detected(tmp_path):
    csv = tmp_path / "colon.csv"
    csv.write_text("city:region:population\nSouthborough:MA:9686\nNorthbridge:MA:14061\n")
    report = ingest_json(csv, "-o", tmp_path / "c.oc")
    assert report["delimiter"] == ":"
    expected = pd.read_csv(csv, sep=":")
    assert cat(tmp_path / "c.oc") == expected.to_dict("records")


def test_issue10_space_aligned_columns_are_detected(tmp_path):
    text = ("city          population  founded\n"
            "New York        8336817     1624\n"
            "Rio de Janeiro  6748000     1565\n")
    csv = tmp_path / "aligned.txt"
    csv.write_text(text)
    expected = pd.read_csv(io.StringIO(text), sep=r"\s{2,}", engine="python")
    report = ingest_json(csv, "-o", tmp_path / "a.oc")
    assert report["delimiter"] == "2spaces"
    assert cat(tmp_path / "a.oc") == expected.to_dict("records")
    given = oc.ingest(csv, tmp_path / "g.oc", delimiter="2spaces")
    assert given["delimiter"] == "2spaces" and given["rows_kept"] == 2
    # Any run of spaces separates with "spaces": "New York" would be two fields.
    words = tmp_path / "words.txt"
    words.write_text("a  b\n1 2\n3   4\n")
    assert ingest_json(words, "-o", tmp_path / "w.oc")["delimiter"] == "spaces"
    assert cat(tmp_path / "w.oc") == [{"a": 1, "b": 2}, {"a": 3, "b": 4}]


def test_issue10_help_documents_each_option_with_an_example():
    text = run("ingest", "--help").stdout
    for option, example in [("--skip-rows", "--skip-rows 3"), ("--comment", "--comment '#'"),
                            ("--pad-short-rows", "--pad-short-rows"), ("--decimal", "--decimal ,"),
                            ("--delimiter", "2spaces")]:
        assert option in text and example in text, option
