"""One serializer for both doors: Dataset.info() is json.loads of `outcore info --json`."""

import json
import os

import pytest

import outcore as oc
from conftest import run


def write_csv(path, first_id, rows):
    with open(path, "w") as f:
        f.write("id,topic,price,score\n")
        for i in range(first_id, first_id + rows):
            price = "oops" if i % 50 == 7 else f"{i % 90}.5"
            f.write(f"{i},{['food', 'travel', 'tech'][i % 3]},{price},{i / 7:.6f}\n")
        f.write(f"{first_id + rows},short\n")  # a field_count reject: a reason of the whole row
    return path


OPTIONS = dict(index=["topic"], schema={"price": "float64"}, range={"id": (0, 10**6)},
               lossy={"score": "float32"}, memory_limit="128MiB", threads=2)


def ingest(inputs, output, **options):
    """oc.ingest of write_csv's files, whose rejects (13 of 601 rows) earn a warning."""
    with pytest.warns(oc.RejectWarning, match="13 rows of 601"):
        return oc.ingest(inputs, output, **options)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("in")
    return [str(write_csv(d / f"in{k}.csv", k * 1000, 600)) for k in range(3)]


def test_info_of_a_file_is_what_info_json_prints(inputs, tmp_path):
    path = tmp_path / "one.oc"
    ingest(inputs[0], path, **OPTIONS, reject=tmp_path / "rejects.csv")
    info = oc.open(path).info()
    assert info == json.loads(run("info", path, "--json").stdout)
    assert "parts" not in info
    assert info["ingest"]["rules"] == [{"kind": "range", "rule": "range id=0..1000000", "rows_rejected": 0}]
    assert [c["column"] for c in info["lossy"]] == ["score"] and info["indexes"][0]["column"] == "topic"
    assert isinstance(info["indexes"][0]["share_of_file"], float)


def test_info_of_a_folder_is_what_info_json_prints(inputs, tmp_path):
    path = tmp_path / "ds.ocd"
    ingest(inputs, path, parts=True, **OPTIONS)
    info = oc.open(path).info()
    assert info == json.loads(run("info", path, "--json").stdout)
    assert [os.path.basename(p["path"]) for p in info["parts"]] == ["part-00000.oc", "part-00001.oc",
                                                                   "part-00002.oc"]
    assert info["file_bytes"] == sum(p["bytes"] for p in info["parts"])


def test_info_of_a_column_without_values_has_null_bounds(tmp_path):
    csv = tmp_path / "n.csv"
    csv.write_text("id,note\n1,\n2,\n")
    oc.ingest(csv, tmp_path / "n.oc")
    info = oc.open(tmp_path / "n.oc").info()
    assert info == json.loads(run("info", tmp_path / "n.oc", "--json").stdout)
    note = info["columns"][1]
    assert note["name"] == "note" and note["min"] is None and note["max"] is None
    assert info["columns"][0]["min"] == "1" and info["columns"][0]["max"] == "2"
