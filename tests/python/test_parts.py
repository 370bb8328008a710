"""Data sets of parts: a folder of .oc files with a part manifest (doc/format.md, "The part
manifest"), written by `ingest --parts` / `--append` / oc.add_parts and read as one table by
every command and by oc.open()."""

import hashlib
import json
import os
import pickle

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import outcore as oc
from conftest import run

TOPICS = [["apple", "pear"], ["kiwi", "pear", "fig"], ["zucchini", "apple", "date"]]


def write_csv(path, first_id, rows, topics, price_text=None):
    lines = ["id,topic,price,note"]
    for i in range(rows):
        row_id = first_id + i
        price = price_text if price_text is not None else f"{row_id * 0.5:.1f}"
        note = "" if row_id % 7 == 0 else f"n{row_id % 5}"
        lines.append(f"{row_id},{topics[i % len(topics)]},{price},{note}")
    path.write_text("\n".join(lines) + "\n")
    return path


def folder_state(folder):
    """Each file of the folder with its bytes' hash: what "left as it was" compares."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("parts_in")
    return [write_csv(d / f"in{k}.csv", k * 1000, 300, TOPICS[k]) for k in range(3)]


@pytest.fixture(scope="module")
def single(inputs, tmp_path_factory):
    """The same inputs ingested into one file: what the folder must read back as."""
    path = tmp_path_factory.mktemp("parts_single") / "all.oc"
    run("ingest", *inputs, "-o", path, "-q")
    return path


@pytest.fixture(scope="module")
def folder(inputs, tmp_path_factory):
    path = tmp_path_factory.mktemp("parts_ds") / "logs.ocd"
    r = run("ingest", *inputs, "-o", f"{path}/", "--parts", "-q", "--json")
    return path, json.loads(r.stdout)


def test_one_part_per_input_and_a_manifest(folder, inputs):
    path, report = folder
    names = sorted(p.name for p in path.iterdir())
    assert names == ["_manifest.ocm", "part-00000.oc", "part-00001.oc", "part-00002.oc"]
    assert [p["part"] for p in report["parts"]] == ["part-00000.oc", "part-00001.oc", "part-00002.oc"]
    assert [p["input"] for p in report["parts"]] == [str(p) for p in inputs]
    assert report["rows_read"] == report["rows_kept"] + report["rows_rejected"] == 900
    ds = oc.open(path)
    assert ds.is_part_set and ds.num_rows == 900
    assert [p["rows"] for p in ds.parts] == [300, 300, 300]
    for k, part in enumerate(ds.parts):
        assert os.path.isabs(part["path"]) and part["path"].endswith(f"part-0000{k}.oc")
        alone = oc.open(part["path"])  # each part is a valid .oc file of its own
        assert not alone.is_part_set and alone.num_rows == 300 and alone.num_chunks == part["chunks"]
    assert ds.num_chunks == sum(p["chunks"] for p in ds.parts)


def test_a_file_is_the_one_part_of_itself(single):
    ds = oc.open(single)
    assert ds.parts == [{"path": os.path.abspath(single), "rows": 900, "chunks": ds.num_chunks}]
    assert ds.part_candidates("id > 5") == [0]


def test_folder_reads_the_same_rows_as_one_file(folder, single):
    path, _ = folder
    assert run("cat", path, "--format", "csv").stdout == run("cat", single, "--format", "csv").stdout
    a, b = oc.open(path).to_pandas(), oc.open(single).to_pandas()
    pd.testing.assert_frame_equal(a.astype(object), b.astype(object))
    assert oc.open(path).to_numpy(["id", "price"]).tolist() == oc.open(single).to_numpy(["id", "price"]).tolist()
    stats_folder = json.loads(run("stats", path, "--columns", "id,price", "--json").stdout)
    stats_file = json.loads(run("stats", single, "--columns", "id,price", "--json").stdout)
    assert stats_folder["columns"] == stats_file["columns"]


def test_dictionaries_that_differ_per_part_give_one_code_space(folder):
    path, _ = folder
    ds = oc.open(path)
    expected = [TOPICS[k][i % len(TOPICS[k])] for k in range(3) for i in range(300)]
    assert "topic" in ds.dictionary_columns
    # The parts' own dictionaries differ: the same code is another string in each part.
    own = [oc.open(p["path"]).categories("topic").tolist() for p in ds.parts]
    assert own[0] != own[1]
    categories = ds.categories("topic").tolist()
    assert categories == sorted({t for topics in TOPICS for t in topics})
    frame = ds.to_pandas()
    assert isinstance(frame["topic"].dtype, pd.CategoricalDtype)
    assert frame["topic"].tolist() == expected
    assert list(frame["topic"].cat.categories) == categories
    table = pa.table(ds)
    assert table.column("topic").to_pylist() == expected
    assert pa.types.is_dictionary(table.schema.field("topic").type)
    batches = [b["topic"] for b in ds.scan(columns=["topic"], batch_rows=128)]
    assert [categories[c] for b in batches for c in b.codes.tolist()] == expected
    pl = pytest.importorskip("polars")
    assert pl.DataFrame(ds)["topic"].cast(pl.Utf8).to_list() == expected


def test_where_prunes_whole_parts_and_the_rows_stay_the_same(folder, single):
    path, _ = folder
    where = "id >= 1150"
    explain = run("cat", path, "--where", where, "--explain").stdout
    assert "part 0 (part-00000.oc): pruned" in explain
    assert "part 1 (part-00001.oc): read" in explain and "part 2 (part-00002.oc): read" in explain
    assert "parts: 2 of 3 read, 1 pruned" in explain
    assert (run("cat", path, "--where", where, "--format", "csv").stdout
            == run("cat", single, "--where", where, "--format", "csv").stdout)
    ds = oc.open(path)
    assert ds.part_candidates(where) == [1, 2]
    assert ds.part_candidates("topic == 'zucchini'") == [2]  # min/max per part: apple..pear, fig..pear, apple..zucchini
    assert ds.part_candidates("id < 0") == []
    assert ds.count(where) == oc.open(single).count(where) == 450
    assert ds.explain(where).count("pruned:") == 1
    # Without zone maps nothing is pruned, and the rows are the same.
    assert ds.count(where, use_zone_maps=False) == 450
    rows = ds.to_pandas(columns=["id"], where="topic == 'kiwi'")["id"].tolist()
    assert rows == [1000 + i for i in range(300) if i % 3 == 0]


def test_append_adds_a_part_and_rewrites_only_the_manifest(inputs, tmp_path):
    path = tmp_path / "ds.ocd"
    run("ingest", *inputs[:2], "-o", path, "--parts", "-q")
    before = folder_state(path)
    extra = write_csv(tmp_path / "extra.csv", 5000, 50, ["new", "apple"])
    r = run("ingest", extra, "-o", path, "--append", "-q")
    assert "part-00002.oc" in r.stdout and "2 before" in r.stdout
    after = folder_state(path)
    assert {k: v for k, v in after.items() if k in before and k != "_manifest.ocm"} == {
        k: v for k, v in before.items() if k != "_manifest.ocm"}
    assert after["_manifest.ocm"] != before["_manifest.ocm"]
    ds = oc.open(path)
    assert ds.num_rows == 650 and len(ds.parts) == 3
    assert ds.to_pandas(columns=["topic"])["topic"].tolist()[-2:] == ["new", "apple"]
    # Python: the same, as oc.ingest(..., append=True).
    report = oc.ingest(write_csv(tmp_path / "more.csv", 6000, 10, ["x"]), path, append=True)
    assert [p["part"] for p in report["parts"]] == ["part-00003.oc"] and report["parts_before"] == 3
    assert oc.open(path).num_rows == 660


def test_a_folder_that_is_a_data_set_needs_append(inputs, tmp_path):
    path = tmp_path / "ds.ocd"
    run("ingest", inputs[0], "-o", path, "--parts", "-q")
    r = run("ingest", inputs[1], "-o", path, "--parts", check=False)
    assert r.returncode != 0 and "pass --append" in r.stderr
    r = run("ingest", inputs[1], "-o", tmp_path / "none.ocd", "--append", check=False)
    assert r.returncode != 0 and "holds none" in r.stderr


def test_schema_mismatch_at_append_names_the_part_and_column_and_leaves_the_folder(inputs, tmp_path):
    path = tmp_path / "ds.ocd"
    run("ingest", *inputs[:2], "-o", path, "--parts", "-q")
    before = folder_state(path)
    bad = write_csv(tmp_path / "bad.csv", 0, 20, ["a"], price_text="cheap")
    r = run("ingest", bad, "-o", path, "--append", check=False)
    assert r.returncode != 0
    assert "part-00002.oc: column 'price' is string, the data set's parts have it as float64" in r.stderr
    assert "first part: part-00000.oc" in r.stderr and str(bad) in r.stderr
    assert folder_state(path) == before
    with pytest.raises(ValueError, match="column 'price' is string"):
        oc.ingest(bad, path, append=True)
    assert folder_state(path) == before
    # A different order is named as such.
    (tmp_path / "order.csv").write_text("topic,id,price,note\na,1,2.0,x\n")
    r = run("ingest", tmp_path / "order.csv", "-o", path, "--append", check=False)
    assert "a different order" in r.stderr and folder_state(path) == before


def test_schema_mismatch_at_open_names_the_part(inputs, tmp_path):
    path = tmp_path / "ds.ocd"
    run("ingest", *inputs[:2], "-o", path, "--parts", "-q")
    other = tmp_path / "other.oc"
    (tmp_path / "o.csv").write_text("id,topic,price,note\n" + "".join(f"{i},t,x{i},n\n" for i in range(300)))
    run("ingest", tmp_path / "o.csv", "-o", other, "-q")
    os.replace(other, path / "part-00001.oc")
    with pytest.raises(ValueError, match=r"part-00001\.oc: column 'price' is string"):
        oc.open(path)
    r = run("cat", path, check=False)
    assert r.returncode != 0 and "part-00001.oc" in r.stderr


def test_a_failed_ingest_leaves_the_folder_as_it_was(inputs, tmp_path):
    missing = tmp_path / "missing.csv"
    new = tmp_path / "new.ocd"
    r = run("ingest", inputs[0], missing, "-o", new, "--parts", check=False)
    assert r.returncode != 0 and "missing.csv" in r.stderr and "left as it was" in r.stderr
    assert not new.exists()  # the folder it made is gone with the part it wrote
    path = tmp_path / "ds.ocd"
    run("ingest", inputs[0], "-o", path, "--parts", "-q")
    before = folder_state(path)
    not_csv = tmp_path / "data.parquet"
    not_csv.write_bytes(b"PAR1" + bytes(100) + b"PAR1")
    r = run("ingest", inputs[1], not_csv, "-o", path, "--append", check=False)
    assert r.returncode != 0 and "data.parquet" in r.stderr
    assert folder_state(path) == before
    assert oc.open(path).num_rows == 300


def test_rejects_per_part_and_a_merged_report(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("id,v\n1,2\n2,oops,extra\n3,4\n")
    b = tmp_path / "b.csv"
    b.write_text("id,v\n4,5\n5\n6,7\n7,8\n")
    path = tmp_path / "ds.ocd"
    with pytest.warns(oc.RejectWarning, match="part-00000.oc: 1 row of 3"):
        report = oc.ingest([a, b], path, parts=True, reject=tmp_path / "rejects.csv")
    assert report["rows_read"] == 7 and report["rows_kept"] == 5 and report["rows_rejected"] == 2
    assert report["rows_read"] == report["rows_kept"] + report["rows_rejected"]
    lines = report["parts"]
    assert [(p["rows_read"], p["rows_kept"], p["rows_rejected"]) for p in lines] == [(3, 2, 1), (4, 3, 1)]
    assert [os.path.basename(p["reject_file"]) for p in lines] == ["rejects.part-00000.csv", "rejects.part-00001.csv"]
    assert "2,oops,extra" in (tmp_path / "rejects.part-00000.csv").read_text()
    assert ",5" in (tmp_path / "rejects.part-00001.csv").read_text()
    info = oc.open(path).info()
    assert info["ingest"]["rows_read"] == 7 and info["ingest"]["rows_rejected"] == 2


def test_pickles_by_path(folder):
    path, _ = folder
    ds = oc.open(path)
    back = pickle.loads(pickle.dumps(ds))
    assert back.is_part_set and back.num_rows == ds.num_rows and back.parts == ds.parts
    assert back.to_pandas(columns=["id"])["id"].tolist() == ds.to_pandas(columns=["id"])["id"].tolist()


def test_add_parts_registers_files_written_by_workers(inputs, tmp_path):
    path = tmp_path / "ds.ocd"
    path.mkdir()
    for k in range(2):
        oc.ingest(inputs[k], path / f"w{k}.oc")
    oc.add_parts(path, [path / "w0.oc", path / "w1.oc"])  # no manifest yet: made here
    ds = oc.open(path)
    assert ds.num_rows == 600 and [os.path.basename(p["path"]) for p in ds.parts] == ["w0.oc", "w1.oc"]
    before = folder_state(path)
    with pytest.raises(ValueError, match=r"is a part of .* already"):
        oc.add_parts(path, [path / "w0.oc"])
    outside = tmp_path / "outside.oc"
    oc.ingest(inputs[2], outside)
    with pytest.raises(ValueError, match="does not lie directly inside"):
        oc.add_parts(path, [outside])
    (tmp_path / "o.csv").write_text("id,topic\n1,a\n")
    oc.ingest(tmp_path / "o.csv", path / "w9.oc")
    with pytest.raises(ValueError, match=r"w9\.oc: column 'price' is missing"):
        oc.add_parts(path, [path / "w9.oc"])
    assert {k: v for k, v in folder_state(path).items() if k != "w9.oc"} == before
    oc.ingest(inputs[2], path / "w2.oc")
    oc.add_parts(path, [path / "w2.oc"])
    assert oc.open(path).num_rows == 900


def test_index_indexes_every_part_and_rewrites_the_manifest(inputs, tmp_path):
    path = tmp_path / "ds.ocd"
    run("ingest", *inputs, "-o", path, "--parts", "-q")
    where = "topic == 'fig'"
    rows = oc.open(path).to_pandas(columns=["id"], where=where)["id"].tolist()
    r = run("index", path, "--columns", "topic", "-q")
    assert "topic" in r.stdout
    names = sorted(p.name for p in path.iterdir())
    assert names == ["_manifest.ocm", "part-00000.i1.oc", "part-00001.i1.oc", "part-00002.i1.oc"]
    ds = oc.open(path)
    assert [i["column"] for i in ds.indexes] == ["topic"]
    assert ds.to_pandas(columns=["id"], where=where)["id"].tolist() == rows
    assert "index" in ds.explain(where)
    run("index", path, "--columns", "id", "-q")
    assert sorted(p.name for p in path.iterdir())[1] == "part-00000.i2.oc"
    assert oc.open(path).num_rows == 900


def test_info_describes_the_parts_together(folder):
    path, _ = folder
    info = json.loads(run("info", path, "--json").stdout)
    assert info["rows"] == 900 and len(info["parts"]) == 3
    assert info["file_bytes"] == sum(p["bytes"] for p in info["parts"])
    topic = next(c for c in info["columns"] if c["name"] == "topic")
    assert topic["dictionary_entries"] == topic["distinct"] == 6 and topic["distinct_exact"]  # the union
    ident = next(c for c in info["columns"] if c["name"] == "id")
    assert (ident["min"], ident["max"]) == ("0", "2299")
    assert info["ingest"]["sources"] == [p["input"] for p in folder[1]["parts"]]
    text = run("info", path).stdout
    assert "a data set of 3 parts" in text and "part-00001.oc" in text


def test_transforms_read_the_folder_as_one_table(folder, single, tmp_path):
    path, _ = folder
    for source, out in ((path, tmp_path / "a.npz"), (single, tmp_path / "b.npz")):
        run("hash", source, "--columns", "topic", "--n-features", 64, "-o", out)
    a, b = np.load(tmp_path / "a.npz"), np.load(tmp_path / "b.npz")
    assert all(np.array_equal(a[k], b[k]) for k in b.files)
    r = run("normalize", path, "--columns", "price", check=False)
    assert r.returncode != 0 and "folder of parts" in r.stderr


def test_damaged_manifests_are_clear_errors(folder, tmp_path):
    path, _ = folder
    copy = tmp_path / "copy.ocd"
    copy.mkdir()
    for p in path.iterdir():
        (copy / p.name).write_bytes(p.read_bytes())
    manifest = copy / "_manifest.ocm"
    good = manifest.read_bytes()
    manifest.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match=r"_manifest\.ocm: .*truncated"):
        oc.open(copy)
    manifest.write_bytes(good[:-9] + bytes([good[-9] ^ 1]) + good[-8:])
    with pytest.raises(ValueError, match="checksum mismatch"):
        oc.open(copy)
    manifest.unlink()
    with pytest.raises(OSError, match="without a part manifest"):
        oc.open(copy)


def test_a_quoted_pattern_is_the_files_it_matches_in_name_order(inputs, tmp_path):
    path = tmp_path / "ds.ocd"
    r = run("ingest", os.path.join(os.path.dirname(inputs[0]), "in*.csv"), "-o", path, "--parts", "--json")
    assert [p["input"] for p in json.loads(r.stdout)["parts"]] == [str(p) for p in inputs]
    r = run("ingest", tmp_path / "nothing*.csv", "-o", tmp_path / "x.ocd", "--parts", check=False)
    assert r.returncode != 0 and "no file matches the input pattern" in r.stderr
    assert not (tmp_path / "x.ocd").exists()


def test_ctrl_c_during_an_append_leaves_the_folder_as_it_was(tmp_path):
    from test_interrupt import CALL, interrupt_child

    big = tmp_path / "big.csv"
    run("gen", "--size", "8MiB", "--seed", 5, "--no-dirt", "-o", big)
    path = tmp_path / "ds.ocd"
    oc.ingest(big, path, parts=True)
    before = folder_state(path)

    def second_new_part_under_way():  # part-00001.oc is in place, part-00002.oc being written
        return any(name.startswith(".part-00002.oc.tmp-") for name in os.listdir(path))

    call = f"oc.ingest([{str(big)!r}] * 6, {str(path)!r}, append=True, threads=1)"
    printed, _ = interrupt_child(CALL.format(call=call), second_new_part_under_way)
    assert "KeyboardInterrupt" in printed and "finished" not in printed, printed
    assert folder_state(path) == before
    assert oc.open(path).num_rows == oc.open(os.path.join(path, "part-00000.oc")).num_rows


def test_an_input_without_rows_adds_no_part(inputs, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("id,topic,price,note\n")  # its types would infer as string
    path = tmp_path / "ds.ocd"
    report = oc.ingest([inputs[0], empty, inputs[1]], path, parts=True)
    assert [p["part"] for p in report["parts"]] == ["part-00000.oc", "", "part-00001.oc"]
    assert report["rows_read"] == 600 and len(oc.open(path).parts) == 2
    with pytest.raises(ValueError, match="no input has a row"):
        oc.ingest([empty], tmp_path / "none.ocd", parts=True)
    assert not (tmp_path / "none.ocd").exists()


def test_arrow_data_outlives_the_folder_it_came_from(folder):
    # The unified dictionary keeps the budget it is charged to: freeing the table after the
    # data set (its parts, its budget) is gone must not touch freed memory (caught by ASan).
    path, _ = folder
    ds = oc.open(path)
    table = pa.table(ds)
    expected = [TOPICS[k][i % len(TOPICS[k])] for k in range(3) for i in range(300)]
    del ds
    import gc

    gc.collect()
    assert table.column("topic").to_pylist() == expected
    del table
    gc.collect()
