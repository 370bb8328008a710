"""One serializer for both doors: Dataset.info() is json.loads of `outcore info --json`, and
oc.ingest()'s report has the keys of `outcore ingest --json` less the command's own context."""

import json
import os

import pytest

import outcore as oc
from conftest import run

# What `outcore ingest --json` adds around the report: the command line's inputs and output,
# its --reject file, and the error of a tripped reject limit.
CLI_CONTEXT = {"inputs", "output", "reject_file", "error"}
# Figures of one run, not of the data: they differ between two ingests of the same input.
OF_THE_RUN = {"seconds", "mb_per_s", "peak_rss", "budget_peak"}


def shape(value):
    """The keys of every object inside ``value``, nested as they are (lists: their first item)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__ if value is not None else None


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
CLI_OPTIONS = ["--index", "topic", "--schema", "price:float64", "--range", "id=0..1000000",
               "--lossy", "score=float32", "--memory-limit", "128MiB", "--threads", "2", "-q", "--json"]


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


def without_run_figures(report):
    return {k: v for k, v in report.items() if k not in OF_THE_RUN}


def test_ingest_report_has_the_keys_of_ingest_json(inputs, tmp_path):
    report = ingest(inputs[0], tmp_path / "py.oc", **OPTIONS)
    cli = json.loads(run("ingest", inputs[0], "-o", tmp_path / "cli.oc", *CLI_OPTIONS).stdout)
    assert {"inputs", "output", "reject_file"} <= set(cli)
    context = {key: cli.pop(key) for key in CLI_CONTEXT if key in cli}
    assert context == {"inputs": [inputs[0]], "output": str(tmp_path / "cli.oc"), "reject_file": None}
    assert shape(report) == shape(cli)
    # The same data gives the same figures, but for those of the run (time, memory).
    assert without_run_figures(report) == without_run_figures(cli)
    assert report["rows_read"] == 601 and report["rejects_by_column"][-1]["column"] is None
    assert report["warning"] is not None and report["source"] == "csv"
    assert isinstance(report["ratio"], float) and isinstance(report["memory_plan"]["bytes_per_field"], float)


def test_parts_report_has_the_keys_of_ingest_parts_json(inputs, tmp_path):
    report = ingest(inputs, tmp_path / "py.ocd", parts=True, reject=tmp_path / "r.csv", **OPTIONS)
    cli = json.loads(run("ingest", *inputs, "-o", tmp_path / "cli.ocd", "--parts", "--reject",
                         tmp_path / "r2.csv", *CLI_OPTIONS).stdout)
    assert cli.pop("reject_file") == str(tmp_path / "r2.csv")
    for key in CLI_CONTEXT - {"reject_file"}:
        cli.pop(key, None)
    assert shape(report) == shape(cli)
    assert [os.path.basename(p["reject_file"]) for p in report["parts"]] == [
        f"r.part-0000{k}.csv" for k in range(3)]
    assert report["parts_before"] == 0 and [p["part"] for p in report["parts"]] == [p["part"] for p in cli["parts"]]


def test_a_tripped_reject_limit_reports_the_same_keys(inputs, tmp_path):
    with pytest.raises(oc.RejectLimitError) as caught:
        oc.ingest(inputs[0], tmp_path / "py.oc", max_rejects=1, **OPTIONS)
    tripped = run("ingest", inputs[0], "-o", tmp_path / "cli.oc", "--max-rejects", "1", *CLI_OPTIONS, check=False)
    assert tripped.returncode == 1
    cli = json.loads(tripped.stdout)
    assert str(caught.value).replace("py.oc", "cli.oc") == cli["error"]  # it names the output
    assert set(caught.value.report) == set(cli) - CLI_CONTEXT
    assert shape(caught.value.report) == shape({k: v for k, v in cli.items() if k not in CLI_CONTEXT})


def test_bytes_that_are_not_utf8_read_as_backslashreplace_in_both(tmp_path):
    # A value that is not UTF-8 rejects its row, and the report's example quotes its bytes.
    raw = b"id,name\n1,caf\xe9\n2,ok\n3,ok\n"
    csv = tmp_path / "latin.csv"
    csv.write_bytes(raw)
    with pytest.warns(oc.RejectWarning):
        report = oc.ingest(csv, tmp_path / "py.oc")
    # (stderr's warning is text, with the byte as it is)
    cli = json.loads(run("ingest", csv, "-o", tmp_path / "cli.oc", "-q", "--json", errors="backslashreplace").stdout)
    value = raw.split(b"\n")[1].split(b",")[1].decode("utf-8", "backslashreplace")
    assert value == "caf\\xe9"  # the four characters \xe9, not the character é or ÿ
    example = report["rejects_by_column"][0]["example"]
    assert example == cli["rejects_by_column"][0]["example"]
    assert example.startswith(f"'{value}' is not valid UTF-8")
    assert report["warning"] is not None and f"'{value}'" in report["warning"]


def test_index_returns_the_index_reports(inputs, tmp_path):
    path = tmp_path / "i.oc"
    report = ingest(inputs[0], path, index=["topic"])
    built = oc.index(path, columns=["id"], tokens=["topic"])
    assert [(r["column"], r["kind"], r["built"]) for r in built] == [("id", "value", True), ("topic", "token", True)]
    assert set(built[0]) == set(report["indexes"][0]) == {"column", "kind", "built", "keys", "stored_bytes", "note"}
    assert built[0]["keys"] == report["rows_kept"] and built[0]["note"] == ""
