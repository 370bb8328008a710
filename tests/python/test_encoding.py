"""Issue 10: line endings (LF, CRLF, CR) and text encodings (UTF-8, UTF-16 by BOM, --encoding).

pandas, told the file's encoding, is the oracle for every cell.
"""

import gzip
import json
import os

import pandas as pd
import pytest

import outcore as oc
from conftest import run

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "real-csv")
if not os.path.isdir(CORPUS):
    CORPUS = "/work/shared/real-csv"

ROWS = [("Jos\u00e9", "M\u00fcnchen", "1"), ("Ana", "K\u00f6ln", "2"), ("\u00c5sa", "Malm\u00f6", "3")]
TEXT = "name,city,n\n" + "".join(",".join(r) + "\n" for r in ROWS)


def cells(path):
    """Every cell as text, row by row, from `outcore cat`."""
    out = run("cat", path, "--format", "jsonl").stdout
    return [[str(v) for v in json.loads(line).values()] for line in out.splitlines() if line.strip()]


def oracle(path, **kw):
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kw).values.tolist()


def ingest_json(*args):
    return json.loads(run("ingest", *args, "--json", "-q").stdout)


# Item 3: CR-only line endings made the whole file the header: 0 rows, exit 0.
def test_issue10_cr_only_file_from_the_issue(tmp_path):
    cr = tmp_path / "cr.csv"
    cr.write_bytes(b"a,b\r1,x\r2,y\r")
    report = ingest_json(cr, "-o", tmp_path / "cr.oc")
    assert report["line_ending"] == "CR"
    assert [c["name"] for c in report["columns"]] == ["a", "b"]
    assert report["rows_read"] == report["rows_kept"] == 2
    assert cells(tmp_path / "cr.oc") == [["1", "x"], ["2", "y"]] == oracle(cr)


def test_cr_only_rejects_name_the_physical_line(tmp_path):
    cr = tmp_path / "cr.csv"
    cr.write_bytes(b'id,word\r1,"two\rlines"\r2,b,extra\r3,c\r')
    rejects = tmp_path / "rejects.csv"
    report = ingest_json(cr, "-o", tmp_path / "cr.oc", "--reject", rejects)
    assert report["rows_read"] == report["rows_kept"] + report["rows_rejected"] == 3
    table = pd.read_csv(rejects, dtype=str, keep_default_na=False)
    assert table["line"].tolist() == ["4"] and table["raw"].tolist() == ["2,b,extra"]
    assert cells(tmp_path / "cr.oc") == [["1", "two\rlines"], ["3", "c"]]


# Item 4: UTF-16 (Excel "Unicode text") came in as NUL-riddled garbage.
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_issue10_utf16_with_bom_is_read_as_text(tmp_path, codec):
    path = tmp_path / "u16.csv"
    path.write_bytes(("\ufeff" + TEXT.replace("\n", "\r\n")).encode(codec))
    report = ingest_json(path, "-o", tmp_path / "u16.oc")
    assert report["encoding"] == codec.replace("-le", "le").replace("-be", "be") + " (byte order mark)"
    assert [c["name"] for c in report["columns"]] == ["name", "city", "n"]
    assert cells(tmp_path / "u16.oc") == oracle(path, encoding="utf-16") == [list(r) for r in ROWS]


def test_gzipped_utf16_is_decompressed_then_transcoded(tmp_path):
    path = tmp_path / "u16.csv.gz"
    path.write_bytes(gzip.compress(TEXT.encode("utf-16")))
    run("ingest", path, "-o", tmp_path / "u16.oc")
    assert cells(tmp_path / "u16.oc") == [list(r) for r in ROWS]


def test_utf16_without_bom_asks_for_the_encoding(tmp_path):
    path = tmp_path / "nobom.csv"
    path.write_bytes(TEXT.encode("utf-16-le"))
    failed = run("ingest", path, "-o", tmp_path / "x.oc", check=False)
    assert failed.returncode != 0
    assert "looks like utf-16le" in failed.stderr and "--encoding utf-16le" in failed.stderr
    assert not (tmp_path / "x.oc").exists()
    run("ingest", path, "-o", tmp_path / "x.oc", "--encoding", "utf-16le")
    assert cells(tmp_path / "x.oc") == [list(r) for r in ROWS]


# Item 5: latin-1 / cp1252 had no --encoding: every non-ASCII row was rejected,
# and a latin-1 header made a file that oc.open(p).schema could not read.
@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_issue10_latin1_and_cp1252_with_encoding(tmp_path, encoding):
    path = tmp_path / "l1.csv"
    text = TEXT.replace("name", "nom_\u00e9l\u00e8ve")
    if encoding == "cp1252":
        text += "\u20ac uro,\u201cquoted\u201d,4\n"  # characters latin-1 does not have
    path.write_bytes(text.encode(encoding))
    out = tmp_path / "l1.oc"
    report = oc.ingest(path, out, encoding=encoding)
    assert report["rows_rejected"] == 0 and report["encoding"] == encoding
    ds = oc.open(out)
    assert list(ds.schema) == ["nom_\u00e9l\u00e8ve", "city", "n"]
    assert cells(out) == oracle(path, encoding=encoding)
    run("ingest", path, "-o", tmp_path / "cli.oc", "--encoding", encoding)
    assert cells(tmp_path / "cli.oc") == cells(out)


def test_a_header_that_is_not_utf8_is_an_error_naming_the_byte(tmp_path):
    path = tmp_path / "l1.csv"
    path.write_bytes("id,J\u00e9r\u00f4me\n1,2\n".encode("latin-1"))
    out = tmp_path / "l1.oc"
    with pytest.raises(ValueError, match=r"l1.csv, line 1: the header is not valid UTF-8: column 2 has byte "
                                         r"0xE9 at byte offset 4; pass the file's encoding"):
        oc.ingest(path, out)
    assert not out.exists()  # never a file Python cannot open
    failed = run("ingest", path, "-o", out, check=False)
    assert failed.returncode != 0 and "--encoding latin-1" in failed.stderr


def test_data_rows_that_are_not_utf8_are_rejected_with_a_hint(tmp_path):
    path = tmp_path / "l1.csv"
    path.write_bytes("id,name\n1,Jos\u00e9\n2,Ana\n".encode("latin-1"))
    rejects = tmp_path / "rejects.csv"
    report = oc.ingest(path, tmp_path / "l1.oc", reject=rejects)
    assert (report["rows_kept"], report["rows_rejected"]) == (1, 1)
    table = pd.read_csv(rejects, dtype=str, keep_default_na=False, encoding_errors="replace")
    assert table["reason"].tolist() == ["invalid_utf8"] and "--encoding" in table["detail"][0]


def test_an_invalid_byte_for_the_encoding_names_file_and_offset(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n1,x\x81\n")
    with pytest.raises(ValueError, match=r"bad.csv: byte offset 7 \(0x81\) is not valid cp1252"):
        oc.ingest(path, tmp_path / "bad.oc", encoding="cp1252")


def test_an_unknown_encoding_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n")
    with pytest.raises(ValueError, match="unknown encoding 'klingon-8'"):
        oc.ingest(path, tmp_path / "a.oc", encoding="klingon-8")
    failed = run("ingest", path, "-o", tmp_path / "a.oc", "--encoding", "klingon-8", check=False)
    assert failed.returncode != 0 and "unknown encoding 'klingon-8'" in failed.stderr


def test_help_shows_encoding_with_an_example():
    help_text = run("ingest", "--help").stdout
    assert "--encoding" in help_text and "cp1252" in help_text
    assert "outcore ingest old-excel-export.csv -o export.oc --encoding cp1252" in help_text


@pytest.mark.parametrize("name, kw, args", [
    ("messytables__utf-16le_encoded.csv", {"encoding": "utf-16"}, []),
    ("rustcsv__uspop-latin1.csv", {"encoding": "latin-1"}, ["--encoding", "latin-1"]),
    ("messytables__211.csv", {"encoding": "mac_roman"}, ["--encoding", "mac_roman"]),  # CR-only, an old Mac export
    ("messytables__mixedGLB.csv", {}, []),  # CR-only line endings
])
def test_real_exports_come_in_intact(tmp_path, name, kw, args):
    path = os.path.join(CORPUS, name)
    if not os.path.exists(path):
        pytest.skip(f"the real-CSV corpus is not at {CORPUS}")
    want = pd.read_csv(path, dtype=str, keep_default_na=False, **kw)
    names = [c["name"] for c in ingest_json(path, "-o", tmp_path / "typed.oc", *args)["columns"]]
    assert len(names) == want.shape[1]
    out = tmp_path / "text.oc"
    report = oc.ingest(path, out, schema={n: "string" for n in names}, na_values=[""], **kw)
    assert report["rows_read"] == report["rows_kept"] == len(want)
    got = oc.open(out).to_pandas().astype(object)
    assert got.where(got.notna(), "").values.tolist() == want.values.tolist()
