"""Declared row rules at ingest (require, range, allowed, drop-where, dedupe) against a pandas oracle.

The data is generated with nulls, empty strings, dates and timestamps, and ingested in small
blocks on several threads, so that rules run on many chunks in parallel and dedupe's "first
occurrence wins" is checked across blocks.
"""

import csv
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import outcore as oc
from conftest import run

ROWS = 40_000
TOPICS = ["food", "fashion", "travel", "tech", "", None]

RULES = dict(
    require=["price", "topic"],
    range={"price": (0, 10000), "day": ("2020-01-01", "2020-12-31"), "at": ("2020-01-01 06:00:00", None)},
    allowed={"topic": ["food", "fashion", "travel"]},
    drop_where="source == 'scraper-7' or id > 19000",
    dedupe=["id"],
)
CLI_RULES = [
    "--require", "price,topic",
    "--range", "price=0..10000", "--range", "day=2020-01-01..2020-12-31", "--range", "at=2020-01-01 06:00:00..",
    "--allowed", "topic=food,fashion,travel",
    "--drop-where", "source == 'scraper-7' or id > 19000",
    "--dedupe", "id",
]  # fmt: skip
SCHEMA = {"n": "int64", "id": "int64", "price": "float64", "topic": "string", "day": "date", "at": "timestamp",
          "source": "string"}  # fmt: skip


def generate(rows: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def with_nulls(values, share):
        values = pd.Series(values, dtype=object)
        values[rng.random(rows) < share] = None
        return values

    day0 = np.datetime64("2019-06-01")
    return pd.DataFrame(
        {
            "n": np.arange(rows),
            "id": with_nulls(rng.integers(0, 20_000, rows), 0.02),
            "price": with_nulls(np.round(rng.normal(5000, 4000, rows), 2), 0.03),
            "topic": pd.Series(rng.choice(np.array(TOPICS, dtype=object), rows, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1])),
            "day": with_nulls([str(day0 + int(d)) for d in rng.integers(0, 800, rows)], 0.02),
            "at": with_nulls(
                [str(np.datetime64("2020-01-01T00:00:00") + int(s)).replace("T", " ")
                 for s in rng.integers(0, 86_400, rows)],
                0.02,
            ),
            "source": rng.choice(["web", "app", "scraper-7"], rows, p=[0.5, 0.45, 0.05]),
        }
    )


def write_csv(df: pd.DataFrame, path) -> None:
    """A null is an empty field; an empty string is a quoted "" (a value, which --require rejects)."""
    with open(path, "w", newline="") as f:
        f.write(",".join(df.columns) + "\n")
        for row in df.itertuples(index=False):
            fields = []
            for value in row:
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    fields.append("")
                elif value == "":
                    fields.append('""')
                else:
                    fields.append(str(value))
            f.write(",".join(fields) + "\n")


def oracle(df: pd.DataFrame) -> pd.Series:
    """Per row, the text of the first rule it fails ("" when kept), computed with pandas."""
    price = pd.to_numeric(df.price)
    day = pd.to_datetime(df.day)
    at = pd.to_datetime(df["at"])
    ids = pd.to_numeric(df.id)
    checks = [
        ("require price", price.isna()),
        ("require topic", df.topic.isna() | (df.topic == "")),
        ("range price=0..10000", (price < 0) | (price > 10000)),
        ("range day=2020-01-01..2020-12-31", (day < "2020-01-01") | (day > "2020-12-31")),
        ("range at=2020-01-01 06:00:00..", at < "2020-01-01 06:00:00"),
        ("allowed topic=food,fashion,travel", df.topic.notna() & ~df.topic.isin(["food", "fashion", "travel"])),
        ("drop-where source == 'scraper-7' or id > 19000", (df.source == "scraper-7") | (ids > 19000)),
    ]
    first = pd.Series([""] * len(df), index=df.index, dtype=object)
    for text, fails in checks:
        first[(first == "") & fails.fillna(False).astype(bool)] = text
    kept = first == ""
    dup = ids[kept].duplicated(keep="first")  # NaN ids are equal, as outcore's nulls are
    first[dup[dup].index] = "dedupe id"
    return first


def rule_counts(verdicts: pd.Series) -> list[tuple[str, int]]:
    order = [
        "require price", "require topic", "range price=0..10000", "range day=2020-01-01..2020-12-31",
        "range at=2020-01-01 06:00:00..", "allowed topic=food,fashion,travel",
        "drop-where source == 'scraper-7' or id > 19000", "dedupe id",
    ]  # fmt: skip
    return [(text, int((verdicts == text).sum())) for text in order]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    df = generate(ROWS)
    path = tmp_path_factory.mktemp("rules") / "sales.csv"
    write_csv(df, path)
    return df, path, oracle(df)


def read_rule_rejects(path) -> dict[int, str]:
    with open(path, newline="") as f:
        return {int(r["line"]): r["detail"] for r in csv.DictReader(f) if r["reason"] == "rule"}


def kept_rows(path) -> list[int]:
    return oc.open(path).to_pandas(columns=["n"])["n"].tolist()


@pytest.mark.parametrize("threads", [1, 3])
def test_csv_rules_match_the_pandas_oracle(data, tmp_path, threads):
    df, path, verdicts = data
    out, rejects = tmp_path / "out.oc", tmp_path / "rejects.csv"
    report = oc.ingest(path, out, schema=SCHEMA, block_size="64KiB", threads=threads, reject=rejects, **RULES)
    assert report["chunks"] >= 20 and report["threads"] == threads
    # Every rule kind rejected something, so each is exercised.
    assert all(count > 0 for _, count in rule_counts(verdicts))
    assert [(r["rule"], r["rows_rejected"]) for r in report["rules"]] == rule_counts(verdicts)
    assert [r["kind"] for r in report["rules"]] == ["require"] * 2 + ["range"] * 3 + ["allowed", "drop-where", "dedupe"]
    assert report["rows_read"] == ROWS
    assert report["rows_read"] == report["rows_kept"] + report["rows_rejected"]
    assert report["rejected_by_reason"] == {"rule": int((verdicts != "").sum())}
    assert report["warning"] is None  # rows the rules drop were asked to be dropped
    assert report["dedupe_keys"] == pd.to_numeric(df.id[verdicts == ""]).nunique(dropna=False)
    assert kept_rows(out) == df.n[verdicts == ""].tolist()
    # The rejects file: each rule-rejected row's line (the header is line 1) and its rule.
    expected = {int(n) + 2: text for n, text in zip(df.n, verdicts) if text}
    assert read_rule_rejects(rejects) == expected
    info = oc.open(out).info()["ingest"]
    assert info["rules"] == report["rules"]
    assert "<code>dedupe id</code> " + f"{rule_counts(verdicts)[-1][1]:,}" in oc.open(out)._repr_html_()
    assert info["rows_read"] == info["rows_kept"] + info["rows_rejected"]


def test_parse_rejects_and_rule_rejects_add_up(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("id,price\n1,5\n2,abc\n2,7\n3,-1\n3,4\n4,1,extra\n")
    out, rejects = tmp_path / "mixed.oc", tmp_path / "rejects.csv"
    with pytest.warns(oc.RejectWarning, match="2 rows of 6"):  # the rows that did not parse, not the rule's
        report = oc.ingest(path, out, schema={"price": "float64"}, reject=rejects, range={"price": "0.."},
                           dedupe="id")  # fmt: skip
    assert report["rows_read"] == 6 == report["rows_kept"] + report["rows_rejected"]
    # 3,-1 fails the range, so the id 3 first seen is the next row's, which is kept.
    assert report["rejected_by_reason"] == {"unparsable": 1, "field_count": 1, "rule": 1}
    with open(rejects, newline="") as f:
        rows = [(int(r["line"]), r["reason"], r["detail"]) for r in csv.DictReader(f)]
    # In input order, whatever rejected them; line 4 (2,7) is the first id 2 that parsed, so it is kept.
    assert [(line, reason) for line, reason, _ in rows] == [(3, "unparsable"), (5, "rule"), (7, "field_count")]
    assert rows[1][2] == "range price=0.."
    assert oc.open(out).to_pandas()["id"].tolist() == [1, 2, 3]


def test_arrow_stream_ingest_applies_the_same_rules(data, tmp_path):
    df, _, verdicts = data
    table = pa.table(
        {
            "n": pa.array(df.n, pa.int64()),
            "id": pa.array(pd.to_numeric(df.id).astype("Int64"), pa.int64()),
            "price": pa.array(pd.to_numeric(df.price), pa.float64()),
            "topic": pa.array(df.topic, pa.string()),
            "day": pa.array([None if pd.isna(d) else d.date() for d in pd.to_datetime(df.day)], pa.date32()),
            "at": pa.array(pd.to_datetime(df["at"]), pa.timestamp("us")),
            "source": pa.array(df.source, pa.string()),
        }
    )
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=2_000))
    out, rejects = tmp_path / "arrow.oc", tmp_path / "rejects.csv"
    report = oc.ingest(reader, out, threads=3, reject=rejects, **RULES)
    assert report["source"] == "arrow"
    assert [(r["rule"], r["rows_rejected"]) for r in report["rules"]] == rule_counts(verdicts)
    assert kept_rows(out) == df.n[verdicts == ""].tolist()
    # Arrow rows are named by their 1-based row number in the stream.
    assert read_rule_rejects(rejects) == {int(n) + 1: text for n, text in zip(df.n, verdicts) if text}


def test_cli_reports_rules_and_info_shows_them(data, tmp_path):
    _, path, verdicts = data
    out = tmp_path / "cli.oc"
    schema = ",".join(f"{k}:{v}" for k, v in SCHEMA.items())
    result = run("ingest", path, "-o", out, "--schema", schema, "--block-size", "64KiB", "--json", *CLI_RULES)
    report = json.loads(result.stdout)
    assert [(r["rule"], r["rows_rejected"]) for r in report["rules"]] == rule_counts(verdicts)
    assert report["rows_read"] == report["rows_kept"] + report["rows_rejected"]
    text = run("ingest", path, "-o", tmp_path / "cli2.oc", "--schema", schema, *CLI_RULES).stdout
    assert "row rules" in text and re.search(r"dedupe id\s+[\d,]+", text)
    info_text = run("info", out).stdout
    for rule, count in rule_counts(verdicts):
        assert re.search(re.escape(rule) + r"\s+" + f"{count:,}", info_text), (rule, info_text)
    info = json.loads(run("info", out, "--json").stdout)
    assert info["ingest"]["rules"] == report["rules"]
    # Rewriting the file (adding an index) keeps how it was cleaned.
    run("index", out, "--columns", "topic")
    assert json.loads(run("info", out, "--json").stdout)["ingest"]["rules"] == report["rules"]


def test_a_file_without_rules_shows_none(clean_csv, tmp_path):
    out = tmp_path / "plain.oc"
    report = oc.ingest(clean_csv, out)
    assert report["rules"] == [] and report["dedupe_keys"] == 0
    assert oc.open(out).info()["ingest"]["rules"] == []
    assert "row rules" not in run("info", out).stdout


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (dict(range={"topic": "a..z"}), "--range topic=a..z: column 'topic' is string"),
        (dict(range={"day": ("2020-02-30", None)}), "the low bound '2020-02-30' is not a date"),
        (dict(range={"price": ("cheap", None)}), "'cheap' is not a float64"),
        (dict(range={"prise": (0, 1)}), "--range names column 'prise'"),
        (dict(allowed={"id": ["1", "x"]}), "--allowed id=1,x: 'x' is not an int64"),
        (dict(require=["nope"]), "--require names column 'nope'"),
        (dict(drop_where="price >> 1"), "--drop-where"),
        (dict(dedupe=["id", "nope"]), "--dedupe names column 'nope'"),
    ],
)
def test_bad_rules_are_refused_before_any_output(data, tmp_path, rules, message):
    _, path, _ = data
    out, rejects = tmp_path / "never.oc", tmp_path / "never.csv"
    with pytest.raises(ValueError, match=re.escape(message)):
        oc.ingest(path, out, schema=SCHEMA, reject=rejects, **rules)
    assert not out.exists() and not rejects.exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_spelling_errors_name_the_option(data, tmp_path):
    _, path, _ = data
    bad = run("ingest", path, "-o", tmp_path / "x.oc", "--range", "price=10", check=False)
    assert bad.returncode != 0 and "--range" in bad.stderr and "'10'" in bad.stderr
    twice = run("ingest", path, "-o", tmp_path / "x.oc", "--range", "price=1..2", "--range", "price=3..4",
                check=False)  # fmt: skip
    assert twice.returncode != 0 and "given twice for column 'price'" in twice.stderr
    assert not (tmp_path / "x.oc").exists()


def test_an_oversized_dedupe_set_is_refused_naming_the_limit_that_holds_it(tmp_path):
    # 120,000 distinct 120-byte keys (~15 MiB of keys) cannot fit the share a 64 MiB limit gives.
    path = tmp_path / "keys.csv"
    with open(path, "w") as f:
        f.write("key,v\n")
        pad = "k" * 110
        for i in range(120_000):
            f.write(f"{pad}{i:010d},{i}\n")
    out = tmp_path / "keys.oc"
    with pytest.raises(MemoryError) as refused:
        oc.ingest(path, out, memory_limit="64MiB", dedupe="key")
    message = str(refused.value)
    assert "--dedupe key" in message and "nothing was written" in message
    assert not out.exists()
    suggested = re.search(r"try --memory-limit (\d+)MiB", message)
    assert suggested, message
    # The limit it names holds the set.
    report = oc.ingest(path, out, memory_limit=f"{suggested.group(1)}MiB", dedupe="key")
    assert report["rows_kept"] == 120_000 and report["dedupe_keys"] == 120_000
    assert report["budget_peak"] <= report["memory_limit"]
