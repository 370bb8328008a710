"""The `outcore` command as a user runs it."""

import json

import pandas as pd

from conftest import run


def test_cat_gives_back_what_went_in(clean_csv, tmp_path):
    out = tmp_path / "c.oc"
    run("ingest", clean_csv, "-o", out, "--memory-limit", "128MiB", "-q")
    text = run("cat", out).stdout
    back = tmp_path / "back.csv"
    back.write_text(text)
    na = ["", "NA", "N/A", "NULL", "null", "NaN", "nan", "None"]
    a = pd.read_csv(clean_csv, keep_default_na=False, na_values=na)
    b = pd.read_csv(back, keep_default_na=False, na_values=na)
    pd.testing.assert_frame_equal(a, b)


def test_ingest_json_report_and_info(dirty_csv, tmp_path):
    out = tmp_path / "d.oc"
    report = json.loads(run("ingest", dirty_csv, "-o", out, "--json", "--memory-limit", "96MiB").stdout)
    assert report["rows_read"] == report["rows_kept"] + report["rows_rejected"] > 0
    assert sum(report["rejected_by_reason"].values()) == report["rows_rejected"]
    assert report["peak_rss"] > 0 and report["memory_limit"] == 96 << 20
    info = json.loads(run("info", out, "--json").stdout)
    assert info["rows"] == report["rows_kept"]
    assert info["ingest"]["rows_rejected"] == report["rows_rejected"]
    topic = next(c for c in info["columns"] if c["name"] == "topic")
    assert topic["dictionary"] and topic["distinct_exact"] and topic["distinct"] == 12
    text = run("info", out).stdout
    assert "topic" in text and "dict" in text


def test_ingest_json_reports_the_memory_plan(clean_csv, tmp_path):
    # doc/architecture.md, "Memory planning": the columns' state first, then blocks from the rest,
    # each raw block costing its bytes and each worker's parsed one 48 bytes a field (5 a byte at least)
    out = tmp_path / "p.oc"
    report = json.loads(
        run("ingest", clean_csv, "-o", out, "--json", "--memory-limit", "96MiB", "--threads", 2).stdout)
    plan = report["memory_plan"]
    assert plan["memory_limit"] == report["memory_limit"] == 96 << 20
    assert plan["baseline_reserve"] == 40 << 20
    assert plan["threads"] == report["threads"] == 2 and plan["blocks_in_flight"] == 4
    assert plan["columns"] == len(report["columns"]) and plan["bytes_per_field"] > 1
    engine = (96 - 40) << 20
    assert plan["dictionary_bytes"] == int(engine * 0.2)
    assert plan["block_share_bytes"] + plan["column_state_bytes"] == int(engine * 0.8)
    per_block_byte = 4 + 2 * max(5, 48 / plan["bytes_per_field"])
    assert plan["block_bytes"] == report["block_bytes"]
    # ... and never more than the measured sweet spot of 4 MiB (bench/RESULTS.md, "Block size")
    assert abs(plan["block_bytes"] - min(4 << 20, plan["block_share_bytes"] / per_block_byte)) <= 1
    assert plan["index_pool_bytes"] == 0
    indexed = json.loads(run("ingest", clean_csv, "-o", out, "--json", "--memory-limit", "96MiB",
                             "--threads", 2, "--index", "topic").stdout)["memory_plan"]
    assert indexed["index_pool_bytes"] == int(engine * 0.25)
    assert indexed["block_bytes"] < plan["block_bytes"]


def test_jsonl_is_valid_json(clean_csv, tmp_path):
    out = tmp_path / "j.oc"
    run("ingest", clean_csv, "-o", out, "-q")
    lines = run("cat", out, "--format", "jsonl", "--limit", 100, "--columns", "id,passage,day").stdout.splitlines()
    assert len(lines) == 100
    rows = [json.loads(line) for line in lines]
    assert rows[0]["id"] == 1 and set(rows[0]) == {"id", "passage", "day"}


def test_usage_errors_explain_themselves(tmp_path):
    r = run("ingest", tmp_path / "nope.csv", "-o", tmp_path / "x.oc", check=False)
    assert r.returncode == 1 and "nope.csv" in r.stderr
    r = run("ingest", "a.csv", "-o", "x.oc", "--memory-limit", "lots", check=False)
    assert r.returncode == 2 and "512MiB" in r.stderr
    r = run("cat", tmp_path / "none.oc", check=False)
    assert r.returncode == 1 and "none.oc" in r.stderr
    assert "Examples" in run("ingest", "--help").stdout


def test_multiple_files_and_header_mismatch(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv.gz", tmp_path / "c.csv"
    a.write_text("k,v\n1,x\n")
    import gzip

    b.write_bytes(gzip.compress(b"k,v\n2,y\n"))
    c.write_text("k,w\n3,z\n")
    run("ingest", a, b, "-o", tmp_path / "ab.oc", "-q")
    assert run("cat", tmp_path / "ab.oc", "--no-header").stdout == "1,x\n2,y\n"
    r = run("ingest", a, c, "-o", tmp_path / "ac.oc", check=False)
    assert r.returncode == 1 and "c.csv" in r.stderr and "'w'" in r.stderr
    assert not (tmp_path / "ac.oc").exists()


def test_cat_and_ingest_refuse_a_delimiter_of_two_characters_alike(clean_csv, tmp_path):
    # `cat --delimiter ab` once wrote with 'a' while `ingest --delimiter ab` refused it.
    out = tmp_path / "d.oc"
    run("ingest", clean_csv, "-o", out, "-q")
    message = "--delimiter takes one character (or 'tab'), not 'ab'"
    r = run("cat", out, "--delimiter", "ab", "--limit", 1, check=False)
    assert r.returncode == 2 and message in r.stderr and r.stdout == "", r.stderr
    r = run("ingest", clean_csv, "-o", tmp_path / "e.oc", "--delimiter", "ab", check=False)
    # ingest also takes space-aligned columns, and says so
    assert r.returncode == 2 and "--delimiter takes one character, 'tab', 'spaces' or '2spaces', not 'ab'" \
        in r.stderr, r.stderr
    assert run("cat", out, "--delimiter", "tab", "--limit", 1).stdout.startswith("id\t")


def test_a_mistyped_command_suggests_the_nearest_one():
    r = run("injest", "a.csv", "-o", "a.oc", check=False)
    assert r.returncode == 2 and "unknown command 'injest'; did you mean 'ingest'?" in r.stderr
    assert "did you mean 'index'?" in run("idnex", "a.oc", check=False).stderr  # two letters swapped
    assert "did you mean 'cat'?" in run("cta", "a.oc", check=False).stderr
    r = run("frobnicate", check=False)  # nothing near: the list of commands
    assert r.returncode == 2 and "did you mean" not in r.stderr
    assert "the commands are: gen, ingest, info, index, cat" in r.stderr
    assert run("--version").stdout.startswith("outcore ")  # options are not commands


def test_index_and_ingest_show_progress_with_the_flag_only(clean_csv, tmp_path):
    out = tmp_path / "p.oc"
    # stderr is a pipe here: no progress line unless asked for, one line per update when asked
    assert run("ingest", clean_csv, "-o", out, "--block-size", "1MiB").stderr == ""
    lines = run("ingest", clean_csv, "-o", out, "--block-size", "1MiB", "--progress").stderr.splitlines()
    assert lines and lines[-1].startswith("  ") and "(100%)" in lines[-1] and "20,000 rows" in lines[-1]
    assert run("index", out, "--columns", "topic").stderr == ""
    lines = run("index", out, "--columns", "topic", "--tokens", "passage", "--progress").stderr.splitlines()
    stages = [line.split()[0] for line in lines]
    assert stages == sorted(stages) and set(stages) == {"indexing", "writing"}, lines
    assert "20,000 of 20,000 rows" in lines[-1] and "(100%)" in lines[-1]


def index_that_does_not_fit(tmp_path):
    """A .oc file whose `key` (300,000 distinct 40-character strings) cannot be value-indexed at
    64 MiB, beside a `topic` of 3 values that can."""
    csv = tmp_path / "keys.csv"
    with open(csv, "w") as f:
        f.write("key,topic\n")
        for i in range(300_000):
            f.write(f"{i * 2654435761 % (1 << 160):040x},{('food', 'travel', 'news')[i % 3]}\n")
    out = tmp_path / "keys.oc"
    run("ingest", csv, "-o", out, "-q")
    return out


def test_index_writes_what_fits_exits_0_and_names_what_did_not(tmp_path):
    # issue 12: `outcore index` exited 1 yet had replaced the file (without the index).
    oc_file = index_that_does_not_fit(tmp_path)
    done = run("index", oc_file, "--columns", "key,topic", "--memory-limit", "64MiB", "-q", check=False)
    assert done.returncode == 0, done.stderr
    assert "warning: the index of key did not fit" in done.stderr, done.stderr
    assert "key" in done.stdout and "not built" in done.stdout
    indexes = json.loads(run("info", oc_file, "--json").stdout)["indexes"]
    assert [(i["column"], i["kind"]) for i in indexes] == [("topic", "value")], indexes


def test_index_where_nothing_fits_leaves_the_file_and_writes_nothing(tmp_path):
    oc_file = index_that_does_not_fit(tmp_path)
    before = oc_file.read_bytes()
    failed = run("index", oc_file, "--columns", "key", "--memory-limit", "64MiB", "-q", check=False)
    assert failed.returncode == 1
    assert "no index fit the memory budget" in failed.stderr and "is unchanged" in failed.stderr, failed.stderr
    assert oc_file.read_bytes() == before
    elsewhere = tmp_path / "other.oc"
    failed = run("index", oc_file, "--columns", "key", "--memory-limit", "64MiB", "-o", elsewhere, check=False)
    assert failed.returncode == 1 and "nothing was written" in failed.stderr, failed.stderr
    assert not elsewhere.exists()
