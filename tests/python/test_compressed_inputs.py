"""Inputs recognised by their magic bytes: bzip2, xz and zip read like the plain
CSV; Parquet, Arrow, Feather, .oc, Excel, tar and JSON refused with what to do."""

import bz2
import gzip
import io
import json
import lzma
import tarfile
import warnings
import zipfile

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

import outcore as oc
from conftest import run


def write_zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)


def write_zip_streamed(path, name, data):
    """A member written to an unseekable stream: zipfile sets flag bit 3 and
    puts the sizes in a data descriptor after the data."""

    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.buffer = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.buffer += b
            return len(b)

    sink = Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w") as member:
        member.write(data)
    path.write_bytes(bytes(sink.buffer))
    assert zipfile.ZipFile(path).infolist()[0].flag_bits & 0x08


COMPRESSORS = {
    "bz2": lambda path, data: path.write_bytes(bz2.compress(data)),
    "xz": lambda path, data: path.write_bytes(lzma.compress(data)),
    "zip": lambda path, data: write_zip(path, [("export/", b""), ("export/data.csv", data)]),
    "stored.zip": lambda path, data: write_zip(path, [("data.csv", data)], zipfile.ZIP_STORED),
    "streamed.zip": lambda path, data: write_zip_streamed(path, "data.csv", data),
}


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_csv_reads_like_the_plain_one(clean_csv, tmp_path, kind):
    plain = tmp_path / "plain.oc"
    run("ingest", clean_csv, "-o", plain, "-q")
    # No telling suffix: the magic bytes decide.
    packed = tmp_path / f"data.{kind}.bin"
    COMPRESSORS[kind](packed, clean_csv.read_bytes())
    out = tmp_path / "packed.oc"
    run("ingest", packed, "-o", out, "-q")
    assert run("cat", out).stdout == run("cat", plain).stdout


@pytest.mark.parametrize("kind", ["bz2", "xz", "zip"])
def test_python_ingest_reads_compressed_inputs(clean_csv, tmp_path, kind):
    packed = tmp_path / f"data.csv.{kind}"
    COMPRESSORS[kind](packed, clean_csv.read_bytes())
    report = oc.ingest(packed, tmp_path / "x.oc", memory_limit="128MiB")
    assert report["rows_read"] == 20000 and report["rows_rejected"] == 0
    assert report["input_bytes"] == packed.stat().st_size
    plain = oc.ingest(clean_csv, tmp_path / "plain.oc", memory_limit="128MiB")
    assert plain["rows_read"] == 20000
    assert oc.open(tmp_path / "x.oc").to_pandas().equals(oc.open(tmp_path / "plain.oc").to_pandas())


TABLE = pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]})


def write_xlsx(path):
    # The members every .xlsx has; enough for the archive to say what it is.
    write_zip(path, [("[Content_Types].xml", b"<Types/>"), ("_rels/.rels", b"<Relationships/>"),
                     ("xl/workbook.xml", b"<workbook/>"), ("xl/worksheets/sheet1.xml", b"<worksheet/>")])


def write_tar_gz(path):
    data = b"id,name\n1,a\n"
    info = tarfile.TarInfo("data.csv")
    info.size = len(data)
    with tarfile.open(path, "w:gz") as archive:
        archive.addfile(info, io.BytesIO(data))


def write_feather_v1(path):
    with warnings.catch_warnings():  # deprecated by pyarrow, still written by old tools
        warnings.simplefilter("ignore", DeprecationWarning)
        feather.write_feather(TABLE, path, version=1)


def write_arrow_stream(path):
    with pa.OSFile(str(path), "wb") as sink, ipc.new_stream(sink, TABLE.schema) as writer:
        writer.write_table(TABLE)


REFUSED = {
    "t.parquet": (lambda p: pq.write_table(TABLE, p), " is a Parquet file, not CSV"),
    "t.arrow": (lambda p: feather.write_feather(TABLE, p), " is an Arrow IPC / Feather file, not CSV"),
    "t.feather": (write_feather_v1, " is an Arrow IPC / Feather file"),
    "t.arrows": (write_arrow_stream, " is an Arrow IPC stream, not CSV"),
    "t.xlsx": (write_xlsx, " is an Excel workbook (.xlsx), not CSV"),
    # The OLE2 compound-file header every .xls starts with (the rest left empty).
    "t.xls": (lambda p: p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)), " is an Excel .xls workbook"),
    "t.json": (lambda p: p.write_text(json.dumps([{"id": 1, "name": "a"}], indent=2)), " is a JSON document"),
    "t.jsonl": (lambda p: p.write_text('{"id": 1}\n{"id": 2}\n'), " is JSON lines"),
    "t.jsonl.gz": (lambda p: p.write_bytes(gzip.compress(b'{"id": 1}\n{"id": 2}\n')),
                   ", once decompressed (gzip), is JSON lines"),
    "t.tar.gz": (write_tar_gz, ", once decompressed (gzip), is a tar archive"),
    "two.zip": (lambda p: write_zip(p, [("a.csv", b"x\n1\n"), ("b.csv", b"x\n2\n")]),
                " is a zip archive of 2 files (a.csv, b.csv)"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_formats_that_are_not_csv_are_refused(tmp_path, name):
    write, says = REFUSED[name]
    path = tmp_path / name
    write(path)
    out = tmp_path / "out.oc"
    r = run("ingest", path, "-o", out, check=False)
    assert r.returncode == 2, r.stderr
    assert f"{path}{says}" in r.stderr, r.stderr
    assert not out.exists()
    with pytest.raises(ValueError, match=r"not CSV|zip archive of 2 files"):
        oc.ingest(path, out)


def test_an_oc_file_is_refused_as_input(clean_csv, tmp_path):
    first = tmp_path / "first.oc"
    run("ingest", clean_csv, "-o", first, "-q")
    r = run("ingest", first, "-o", tmp_path / "again.oc", check=False)
    assert r.returncode == 2 and f"{first} is an outcore .oc file already, not CSV" in r.stderr, r.stderr


def test_a_csv_starting_with_brackets_is_still_csv(tmp_path):
    path = tmp_path / "brackets.csv"
    path.write_text('[id],{name}\n1,a\n2,b\n')
    run("ingest", path, "-o", tmp_path / "b.oc", "-q")
    assert run("cat", tmp_path / "b.oc").stdout == "[id],{name}\n1,a\n2,b\n"


@pytest.mark.parametrize("kind", ["bz2", "xz", "zip"])
def test_truncated_compressed_input_is_an_error_naming_the_file(clean_csv, tmp_path, kind):
    whole = tmp_path / "whole.bin"
    COMPRESSORS[kind](whole, clean_csv.read_bytes())
    cut = tmp_path / f"cut.{kind}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    r = run("ingest", cut, "-o", tmp_path / "cut.oc", check=False)
    assert r.returncode == 1 and str(cut) in r.stderr, r.stderr
    assert ("truncated" in r.stderr) or ("end-of-central-directory" in r.stderr), r.stderr
    assert not (tmp_path / "cut.oc").exists()
