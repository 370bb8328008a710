"""ingest(..., progress=...) and index(..., progress=...): the engine reports how far it is.

The engine calls back from its own threads (the GIL released) at most ~4 times a second and once
at the end of each stage; progress=True shows it with tqdm when tqdm is installed, else as one
stderr line. tqdm's absence is simulated in a child interpreter (sys.modules["tqdm"] = None).
"""

import os
import subprocess
import sys
import textwrap

import pytest

import outcore as oc
from conftest import run


@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "p.csv"
    run("gen", "--size", "12MiB", "--seed", 3, "-o", path)
    return path


def test_ingest_reports_bytes_of_the_input_and_rows(csv, tmp_path):
    seen = []
    report = oc.ingest(csv, tmp_path / "p.oc", block_size="1MiB", progress=seen.append)
    assert seen, "no progress was reported"
    assert {p["stage"] for p in seen} == {"reading"} and {p["unit"] for p in seen} == {"B"}
    size = os.path.getsize(csv)
    assert all(p["total"] == size for p in seen)
    done = [p["done"] for p in seen]
    assert done == sorted(done) and done[-1] == size
    rows = [p["rows"] for p in seen]
    assert rows == sorted(rows) and rows[-1] == report["rows_read"]
    assert seen[-1]["rows_rejected"] == report["rows_rejected"] and seen[-1]["rss"] > 0


def test_index_reports_chunks_indexed_then_chunks_written(csv, tmp_path):
    out = tmp_path / "p.oc"
    oc.ingest(csv, out, block_size="1MiB")
    ds = oc.open(out)
    seen = []
    oc.index(out, columns=["topic"], tokens=["passage"], progress=seen.append)
    stages = [p["stage"] for p in seen]
    assert stages == sorted(stages) and set(stages) == {"indexing", "writing"}  # indexing first
    assert all(p["unit"] == "chunks" and p["total"] == ds.num_chunks > 1 for p in seen)
    last_indexing = [p for p in seen if p["stage"] == "indexing"][-1]
    assert last_indexing["done"] == ds.num_chunks and last_indexing["rows"] == ds.num_rows
    assert seen[-1]["stage"] == "writing" and seen[-1]["done"] == ds.num_chunks
    assert [i["column"] for i in oc.open(out).indexes] == ["topic", "passage"]


class Stop(Exception):
    pass


def test_an_exception_from_the_callable_stops_ingest_and_is_raised(csv, tmp_path):
    out = tmp_path / "p.oc"

    def fail(p):
        raise Stop(p["done"])

    with pytest.raises(Stop):
        oc.ingest(csv, out, block_size="1MiB", progress=fail)
    assert not out.exists() and os.listdir(tmp_path) == []


def test_an_exception_from_the_callable_leaves_the_file_unindexed(csv, tmp_path):
    out = tmp_path / "p.oc"
    oc.ingest(csv, out, block_size="1MiB")
    before = out.read_bytes()

    def fail(p):
        raise Stop()

    with pytest.raises(Stop):
        oc.index(out, columns=["topic"], progress=fail)
    assert out.read_bytes() == before and os.listdir(tmp_path) == ["p.oc"]


def test_ctrl_c_still_stops_an_ingest_with_progress(csv, tmp_path):
    # The callable sends SIGINT at the first update: KeyboardInterrupt, and nothing written.
    out = tmp_path / "p.oc"
    code = f"""
        import os, signal, outcore as oc
        try:
            oc.ingest({str(csv)!r}, {str(out)!r}, block_size="1MiB",
                      progress=lambda p: os.kill(os.getpid(), signal.SIGINT))
        except KeyboardInterrupt:
            print("interrupted")
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)
    assert result.stdout.strip() == "interrupted", result.stderr
    assert not out.exists()


def child_stderr(code, tqdm_missing):
    prelude = "import sys\nsys.modules['tqdm'] = sys.modules['tqdm.auto'] = None\n" if tqdm_missing else ""
    # bytes, decoded here: text mode would turn each carriage return into a newline
    result = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, check=True)
    return result.stderr.decode()


def test_progress_true_without_tqdm_writes_one_stderr_line(csv, tmp_path):
    out = tmp_path / "p.oc"
    err = child_stderr(f"""
        import outcore as oc
        oc.ingest({str(csv)!r}, {str(out)!r}, block_size="1MiB", progress=True)
        oc.index({str(out)!r}, columns=["topic"], progress=True)
    """, tqdm_missing=True)
    size = oc.memory.format_size(os.path.getsize(csv))
    ingest_line, index_line = err.split("\n")[:2]
    assert ingest_line.startswith("\ringest: reading ") and f"/ {size} (100%)" in ingest_line.split("\r")[-1]
    rows = oc.open(out).info()["ingest"]["rows_read"]
    assert f"{rows:,} rows" in ingest_line.split("\r")[-1]
    chunks = oc.open(out).num_chunks
    assert "\rindex: indexing " in index_line and f"index: writing {chunks:,} / {chunks:,} chunks (100%)" \
        in index_line.split("\r")[-1]
    assert err.endswith("\n") and err.count("\n") == 2


def test_progress_true_uses_tqdm_when_installed(csv, tmp_path):
    pytest.importorskip("tqdm")
    out = tmp_path / "p.oc"
    err = child_stderr(f"""
        import sys, outcore as oc
        oc.ingest({str(csv)!r}, {str(out)!r}, block_size="1MiB", progress=True)
        assert "tqdm" in sys.modules
    """, tqdm_missing=False)
    last = err.rstrip("\n").split("\r")[-1]
    assert last.startswith("ingest: reading: 100%|") and " rows, RSS " in last, err


def test_progress_takes_a_bool_or_a_callable(csv, tmp_path):
    with pytest.raises(TypeError, match="progress takes True, False or a callable"):
        oc.ingest(csv, tmp_path / "p.oc", progress="yes")
