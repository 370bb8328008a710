"""Issue 10: --escape (backslash-escaped quotes), --thousands, and the hints that name the
option a file needs (a backslash before a closing quote, a missing-value marker, a first line
shorter than the rows), from the command line and from Python; Python's csv module and pandas
are the oracles."""

import csv
import io
import json
import random

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


def escaped_file(tmp_path, rows=2000, seed=10):
    """Values holding quotes, delimiters, newlines and backslashes, written with backslash
    escapes in quoted and unquoted fields (and doubled quotes inside quotes sometimes)."""
    rng = random.Random(seed)
    alphabet = 'ab,"\n\\;x'
    lines, values = ["id,text\n"], []
    for i in range(rows):
        value = "v" + "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        quoted = rng.random() < 0.5
        out = []
        for c in value:
            if c == "\\" or (c == '"' and (not quoted or rng.random() < 0.5)) or (not quoted and c in ",\n"):
                out.append("\\")
            elif c == '"':
                out.append('"')  # doubled inside quotes
            out.append(c)
        text = "".join(out)
        lines.append(f'{i},"{text}"\n' if quoted else f"{i},{text}\n")
        values.append(value)
    path = tmp_path / "escaped.csv"
    path.write_text("".join(lines), newline="")
    return path, values


@pytest.mark.parametrize("block_size", [64, 256, 4096, None])
def test_issue10_escapes_in_and_out_of_quotes_match_python_csv_at_every_block_size(tmp_path, block_size):
    path, values = escaped_file(tmp_path)
    with open(path, newline="") as f:
        expected = list(csv.reader(f, escapechar="\\"))[1:]
    assert [row[1] for row in expected] == values  # the oracle agrees with what was written
    report = oc.ingest(path, tmp_path / "e.oc", escape="\\", delimiter=",", block_size=block_size)
    assert report["rows_rejected"] == 0 and report["rows_read"] == len(values)
    assert oc.open(tmp_path / "e.oc").to_pandas()["text"].tolist() == values


def test_issue10_an_escape_as_the_last_byte_is_kept(tmp_path):
    # Python's csv reads a final lone backslash as an escaped line end ('x\n'); there is
    # nothing to escape, so outcore keeps the byte as written (README, "--escape").
    path = tmp_path / "end.csv"
    path.write_bytes(b"a,b\n1,x\\")
    oc.ingest(path, tmp_path / "end.oc", escape="\\")
    assert oc.open(tmp_path / "end.oc").to_pandas()["b"].tolist() == ["x\\"]
    path.write_bytes(b'a,b\n1,"x\\"')  # the escaped quote cannot close: unterminated
    with pytest.warns(oc.RejectWarning, match="unterminated_quote"):
        report = oc.ingest(path, tmp_path / "open.oc", escape="\\", max_rejects=1)
    assert report["rows_rejected"] == 1 and report["rejected_by_reason"] == {"unterminated_quote": 1}


def test_issue10_escape_options_are_checked_with_the_same_names(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n")
    for bad in ("", "ab", "\n"):
        with pytest.raises(ValueError, match="escape"):
            oc.ingest(path, tmp_path / "x.oc", escape=bad)
    with pytest.raises(ValueError, match="escape character"):
        oc.ingest(path, tmp_path / "x.oc", escape='"')
    assert not (tmp_path / "x.oc").exists()


GROUPED = ("id;n;x\n" + "".join(f"{i};{i * 1001};{i}.5\n" for i in range(200))
           + '200;-1,338;-1,250.75\n201;"12,345,678";"1,000,000.125"\n202;999;-0.5\n')


def test_issue10_thousands_in_negative_numbers_and_floats_match_pandas(tmp_path):
    path = tmp_path / "grouped.csv"
    path.write_text(GROUPED)
    expected = pd.read_csv(path, sep=";", thousands=",")
    report = oc.ingest(path, tmp_path / "g.oc", thousands=",")
    assert report["thousands"] == "," and report["rows_rejected"] == 0
    assert [c["type"] for c in report["columns"]] == ["int64", "int64", "float64"]
    got = oc.open(tmp_path / "g.oc").to_pandas()
    assert got["n"].tolist() == expected["n"].tolist()
    assert got["x"].tolist() == expected["x"].tolist()
    assert got["n"].tolist()[-3:] == [-1338, 12345678, 999]
    assert got["x"].tolist()[-3:] == [-1250.75, 1000000.125, -0.5]
    # Without --thousands nothing is lost either: the grouped columns stay text, as written.
    plain = oc.ingest(path, tmp_path / "p.oc")
    assert [c["type"] for c in plain["columns"]] == ["int64", "string", "string"]
    assert "pass --thousands ," in plain["columns"][1]["type_note"]
    assert oc.open(tmp_path / "p.oc").to_pandas()["n"].tolist()[-3:] == ["-1,338", "12,345,678", "999"]


def test_issue10_thousands_dot_with_a_decimal_comma(tmp_path):
    path = tmp_path / "de.csv"
    path.write_text("a;b\n" + "".join(f"{i}.000,25;{i}\n" for i in range(1, 50)) + "-1.338,5;2.000.000\n")
    expected = pd.read_csv(path, sep=";", thousands=".", decimal=",")
    oc.ingest(path, tmp_path / "de.oc", thousands=".", decimal=",")
    got = oc.open(tmp_path / "de.oc").to_pandas()
    assert got["a"].tolist() == expected["a"].tolist() and got["a"].tolist()[-1] == -1338.5
    assert got["b"].tolist() == expected["b"].tolist() and got["b"].tolist()[-1] == 2000000


def test_issue10_wrongly_grouped_values_are_rejected_never_read_without_separators(tmp_path):
    # pandas' C parser drops every separator ('1,23,4' -> 1234); that changes a value that
    # may be a list, a typo or another grouping, so outcore rejects the row and says why.
    path = tmp_path / "wrong.csv"
    path.write_text("id;n\n" + "".join(f"{i};{i}\n" for i in range(300))
                    + "300;1,23,4\n301;1,2345\n302;12,50\n303;1,338\n")
    assert pd.read_csv(path, sep=";", thousands=",")["n"].tolist()[-4:-1] == [1234, 12345, 1250]
    rejects = tmp_path / "rejects.csv"
    report = oc.ingest(path, tmp_path / "w.oc", thousands=",", reject=rejects)
    assert report["rows_read"] == 304 and report["rows_kept"] == 301 and report["rows_rejected"] == 3
    values = oc.open(tmp_path / "w.oc").to_pandas()["n"].tolist()
    assert values[-1] == 1338 and not {1234, 12345, 1250} & set(values)
    with open(rejects, newline="") as f:
        detail = {row["raw"]: row["detail"] for row in csv.DictReader(f)}
    assert detail["300;1,23,4"] == ("'1,23,4' is not an int64: --thousands , reads groups of exactly three "
                                    "digits (1,234,567)")
    assert set(detail) == {"300;1,23,4", "301;1,2345", "302;12,50"}
    # Declared int64: the same.
    declared = oc.ingest(path, tmp_path / "d.oc", thousands=",", schema={"n": "int64"})
    assert declared["rows_rejected"] == 3


def test_issue10_thousands_that_is_the_decimal_point_or_part_of_a_number_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;b\n1,5;2\n")
    p = run("ingest", path, "-o", tmp_path / "x.oc", "--thousands", ",", "--decimal", ",", check=False)
    assert p.returncode != 0 and "--thousands ',' is also the decimal point" in p.stderr
    p = run("ingest", path, "-o", tmp_path / "x.oc", "--thousands", ".", check=False)
    assert p.returncode != 0 and "--thousands '.' is also the decimal point" in p.stderr
    for bad in ("5", "-", "e"):
        p = run("ingest", path, "-o", tmp_path / "x.oc", "--thousands", bad, check=False)
        assert p.returncode != 0 and "it is part of a number" in p.stderr
        with pytest.raises(ValueError, match="it is part of a number"):
            oc.ingest(path, tmp_path / "x.oc", thousands=bad)
    with pytest.raises(ValueError, match="thousands"):
        oc.ingest(path, tmp_path / "x.oc", thousands=",,")
    assert not (tmp_path / "x.oc").exists()


def test_issue10_thousands_that_is_the_delimiter_reads_quoted_numbers_as_pandas(tmp_path):
    # Excel-style exports quote formatted numbers in comma-separated files (the corpus's
    # messytables UTF-16 file: ...,"1,644",2,"1,846"); pandas reads them with thousands=",".
    path = tmp_path / "nhs.csv"
    path.write_text("code,admissions,total\n" + "".join(f"R{i},{i},{i * 3}\n" for i in range(100))
                    + 'RAT,"1,296","2,115"\nRDY,"-1,066",5\n')
    expected = pd.read_csv(path, thousands=",")
    report = oc.ingest(path, tmp_path / "n.oc", thousands=",")
    assert report["delimiter"] == "," and report["rows_rejected"] == 0
    got = oc.open(tmp_path / "n.oc").to_pandas()
    assert got["admissions"].tolist() == expected["admissions"].tolist()
    assert got["total"].tolist()[-2:] == [2115, 5]
    # Unquoted, 1,644 is two fields: a field-count reject with the fix, never a merge
    # (2 rows of 104: over the 1% that warns).
    with open(path, "a") as f:
        f.write("RXX,1,644,7\nRXY,2,000,8\n")
    p = run("ingest", path, "-o", tmp_path / "u.oc", "--thousands", ",", "--json", check=False)
    report = json.loads(p.stdout)
    assert report["rows_rejected"] == 2 and report["rejected_by_reason"] == {"field_count": 2}
    assert "the thousands separator is the delimiter, so a grouped number must be quoted" in p.stderr


def test_issue10_help_names_escape_and_thousands():
    text = run("ingest", "--help").stdout
    assert "--escape" in text and "--thousands" in text
    assert "--escape '\\'" in text and "--thousands ," in text
