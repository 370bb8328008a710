"""Issue 10: --escape (backslash-escaped quotes), --thousands, and the hints that name the
option a file needs (a backslash before a closing quote, a missing-value marker, a first line
shorter than the rows), from the command line and from Python; Python's csv module and pandas
are the oracles."""

import csv
import io
import json

import pandas as pd
import pytest

import outcore as oc
from conftest import run


def cat(path):
    return [json.loads(line) for line in run("cat", path, "--format", "jsonl").stdout.splitlines()]


ESCAPED = ('name;year\n"\\"Hacksaw\\" Jim Duggan";1987\n"Bret \\"Hit Man\\" Hart";1984\n'
           'a\\;b;1\n"multi\\\nline";2\n"back\\\\slash";3\n')


def test_issue10_escape_reads_backslash_escaped_quotes_as_python_csv(tmp_path):
    path = tmp_path / "strange.csv"
    path.write_text(ESCAPED)
    expected = list(csv.reader(io.StringIO(ESCAPED, newline=""), delimiter=";", escapechar="\\"))[1:]
    report = json.loads(run("ingest", path, "-o", tmp_path / "cli.oc", "--escape", "\\", "--json", "-q").stdout)
    assert report["escape"] == "\\" and report["rows_rejected"] == 0 and report["delimiter"] == ";"
    assert [[r["name"], str(r["year"])] for r in cat(tmp_path / "cli.oc")] == expected
    py = oc.ingest(path, tmp_path / "py.oc", escape="\\", block_size=16)  # many small blocks: the cut
    assert py["escape"] == "\\" and py["rows_kept"] == len(expected)
    assert [[r["name"], str(r["year"])] for r in cat(tmp_path / "py.oc")] == expected
    assert expected[0][0] == '"Hacksaw" Jim Duggan'


def test_issue10_backslash_quotes_without_escape_are_rejected_with_the_fix(tmp_path):
    path = tmp_path / "strange.csv"
    path.write_text(ESCAPED)
    p = run("ingest", path, "-o", tmp_path / "x.oc", "-q", check=False)
    assert p.returncode != 0 or "--escape" in p.stderr
    assert "quotes escaped with a backslash? pass --escape '\\'" in p.stderr


def test_issue10_escape_that_is_the_quote_or_delimiter_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n")
    for bad in ('"', ","):
        p = run("ingest", path, "-o", tmp_path / "x.oc", "--escape", bad, check=False)
        assert p.returncode != 0 and "escape character" in p.stderr
    assert not (tmp_path / "x.oc").exists()


def counts_csv(tmp_path):
    rows = [f"{i},{i * 7}" for i in range(200)] + ['200,"1,338"', '201,"62,271"']
    path = tmp_path / "counts.csv"
    path.write_text("id,admissions\n" + "\n".join(rows) + "\n")
    return path


def test_issue10_thousands_separators_keep_the_column_text_by_default(tmp_path):
    path = counts_csv(tmp_path)
    report = json.loads(run("ingest", path, "-o", tmp_path / "t.oc", "--json", "-q").stdout)
    col = report["columns"][1]
    assert col["type"] == "string" and report["rows_rejected"] == 0
    assert "pass --thousands ," in col["type_note"]
    assert cat(tmp_path / "t.oc")[-1]["admissions"] == "62,271"  # exactly as written


def test_issue10_thousands_option_matches_pandas(tmp_path):
    path = counts_csv(tmp_path)
    expected = pd.read_csv(path, thousands=",")["admissions"].tolist()
    report = json.loads(run("ingest", path, "-o", tmp_path / "t.oc", "--thousands", ",", "--json", "-q").stdout)
    assert report["columns"][1]["type"] == "int64" and report["thousands"] == ","
    assert [r["admissions"] for r in cat(tmp_path / "t.oc")] == expected
    py = oc.ingest(path, tmp_path / "p.oc", thousands=",")
    assert py["columns"][1]["type"] == "int64" and py["rows_rejected"] == 0
    with pytest.raises(ValueError, match="decimal point"):
        oc.ingest(path, tmp_path / "q.oc", thousands=".", decimal=".")


def test_issue10_missing_value_marker_is_a_reject_naming_na(tmp_path):
    path = tmp_path / "glb.csv"
    path.write_text("year,anomaly\n" + "".join(f"{1880 + i},{i - 50}\n" for i in range(98)) + "1978,****\n1979,****\n")
    report = json.loads(run("ingest", path, "-o", tmp_path / "g.oc", "--json", "-q").stdout)
    assert report["rows_rejected"] == 2 and report["columns"][1]["type"] == "int64"
    text = run("ingest", path, "-o", tmp_path / "g2.oc", "-q").stderr
    assert "or --na ',****' if '****' marks a missing value" in text
    fixed = json.loads(run("ingest", path, "-o", tmp_path / "g3.oc", "--na", ",****", "--json", "-q").stdout)
    assert fixed["rows_rejected"] == 0 and fixed["columns"][1]["null_count"] == 2


def test_issue10_metadata_first_line_names_skip_rows(tmp_path):
    path = tmp_path / "meta.csv"
    path.write_text("3,2,a\n" + "".join(f"{i}.5,{i}.25,7.{i},{i % 2}\n" for i in range(3)))
    p = run("ingest", path, "-o", tmp_path / "m.oc", "-q", check=False)
    assert p.returncode != 0 and "pass --skip-rows 1 (and --no-header" in p.stderr
    report = json.loads(run("ingest", path, "-o", tmp_path / "m.oc", "--skip-rows", "1", "--no-header",
                            "--json", "-q").stdout)
    types = [c["type"] for c in report["columns"]]
    assert report["rows_kept"] == 3 and types == ["float64", "float64", "float64", "int64"]
