"""Queries end to end: scan(where=...), count, explain, oc.index, `cat --where`, `outcore index`.

The oracle is pandas on the ingested data (read back in full, without a predicate) with nullable
dtypes, whose `&`, `|` and `~` are Kleene's three-valued logic, the same as doc/query.md: a
comparison on a null is unknown (NA) and only rows that are true are selected. `in` and
`contains` are built here so that a null row stays unknown; `contains` uses the tokenizer rule
of doc/query.md written as a regex.
"""

import bisect
import hashlib
import io
import json
import re
import shutil
import string

import numpy as np
import pandas as pd
import pytest

import outcore as oc
from conftest import run

BLOCK = "64KiB"
VALUE_INDEXED = ["topic", "day", "quantity", "active"]
TOKEN_INDEXED = ["passage"]
PATHS = [(True, True), (True, False), (False, True), (False, False)]  # (use_indexes, use_zone_maps)

# ---------------------------------------------------------------------------------------------
# The oracle


_TOKEN = re.compile("[A-Za-z0-9\u0080-\U0010ffff]+")  # ASCII alnum and every non-ASCII character
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def tokens(text):
    """doc/query.md: maximal runs of ASCII letters/digits and non-ASCII bytes, ASCII lowercased."""
    return {t.translate(_ASCII_LOWER) for t in _TOKEN.findall(text)}


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def days(text):
    return int(np.datetime64(text, "D").astype(np.int64))


def micros(text):
    return int(np.datetime64(text.replace(" ", "T").rstrip("Z"), "us").astype(np.int64))


class Oracle:
    """The whole file as nullable pandas Series; dates as Int64 days, timestamps as Int64 us."""

    def __init__(self, ds):
        schema = ds.schema
        parts = {c: [] for c in schema}
        for batch in ds.scan(batch_rows=1 << 20):
            for c, v in batch.items():
                parts[c].append(v)
        cols = {}
        for c, kind in schema.items():
            if kind == "string":
                values = [x for arr in parts[c] for x in arr]
                cols[c] = pd.array(values, dtype=pd.StringDtype("python"))  # comparisons give BooleanArray
                continue
            data = np.concatenate([np.ma.getdata(v) for v in parts[c]])
            mask = np.concatenate([np.ma.getmaskarray(v) for v in parts[c]])
            if kind in ("int64", "date", "timestamp"):
                cols[c] = pd.arrays.IntegerArray(data.astype(np.int64), mask)
            elif kind == "float64":
                cols[c] = pd.arrays.FloatingArray(data.astype(np.float64), mask)  # NaN stays a value
            elif kind == "bool":
                cols[c] = pd.arrays.BooleanArray(data.astype(bool), mask)
            else:
                raise AssertionError(kind)
        self.df = pd.DataFrame(cols)
        self.n = len(self.df)
        self._tokens = {}

    def __getattr__(self, name):
        if name.startswith("_") or name not in self.__dict__.get("df", {}):
            raise AttributeError(name)
        return self.df[name]

    def col(self, name):
        return self.df[name]

    def isin(self, name, values):
        s = self.df[name]
        out = pd.array(s.isin(values).to_numpy(), dtype="boolean")
        out[s.isna().to_numpy()] = pd.NA
        return pd.Series(out, index=s.index)

    def between(self, name, lo, hi):
        s = self.df[name]
        return (s >= lo) & (s <= hi)

    def row_tokens(self, name):
        if name not in self._tokens:
            self._tokens[name] = [None if pd.isna(x) else tokens(x) for x in self.df[name]]
        return self._tokens[name]

    def contains(self, name, words):
        want = tokens(words)
        assert want, "a contains literal needs a token"
        out = pd.array([None if t is None else want <= t for t in self.row_tokens(name)], dtype="boolean")
        return pd.Series(out, index=self.df.index)

    def selected(self, result):
        """Rows where a three-valued result is true (NA and false are not selected)."""
        return np.asarray(pd.Series(result).fillna(False).astype(bool).to_numpy())

    def ids(self, result):
        return self.df["id"].to_numpy(dtype=np.int64)[self.selected(result)]


def scan_ids(ds, where, use_indexes=True, use_zone_maps=True, batch_rows=1000):
    out = []
    for batch in ds.scan(columns=["id"], batch_rows=batch_rows, where=where,
                         use_indexes=use_indexes, use_zone_maps=use_zone_maps):
        assert list(batch) == ["id"]
        assert 0 < len(batch["id"]) <= batch_rows
        out.append(np.asarray(batch["id"], dtype=np.int64))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


_CHUNK_LINE = re.compile(r"^chunk (\d+) \(rows (\d+)\.\.(\d+)\): (read|skipped)\b")
_SUMMARY = re.compile(r"read (\d+) of (\d+) chunks, (\d+) candidate rows")


def parse_explain(text):
    chunks = []
    for line in text.splitlines():
        m = _CHUNK_LINE.match(line)
        if m:
            chunks.append((int(m[1]), int(m[2]), int(m[3]), m[4] == "read"))
    m = _SUMMARY.search(text)
    assert m, text
    return chunks, int(m[1]), int(m[2]), int(m[3])


# ---------------------------------------------------------------------------------------------
# Files (module scope: generated and ingested once)


@pytest.fixture(scope="module")
def gen_csv(tmp_path_factory):
    """20,000 rows with dirt (rejected rows leave gaps in the ids) and ~2% missing cells."""
    path = tmp_path_factory.mktemp("where") / "gen.csv"
    run("gen", "--rows", 20000, "--seed", 23, "-o", path)
    return path


@pytest.fixture(scope="module")
def files(gen_csv, tmp_path_factory):
    d = tmp_path_factory.mktemp("where_oc")
    plain, indexed, after, every = d / "plain.oc", d / "indexed.oc", d / "after.oc", d / "every.oc"
    plain_report = oc.ingest(gen_csv, plain, block_size=BLOCK)
    report = oc.ingest(gen_csv, indexed, block_size=BLOCK, index=VALUE_INDEXED, index_tokens=TOKEN_INDEXED)
    shutil.copy(plain, after)
    after_list = oc.index(after, columns=VALUE_INDEXED, tokens=TOKEN_INDEXED)
    every_list = oc.index(plain, columns=list(oc.open(plain).schema), tokens=["passage", "word", "topic"],
                          output=every)
    return {
        "plain": plain, "indexed": indexed, "after": after, "every": every,
        "plain_report": plain_report, "report": report, "after_list": after_list, "every_list": every_list,
    }


@pytest.fixture(scope="module")
def oracle(files):
    return Oracle(oc.open(files["plain"]))


@pytest.fixture(scope="module")
def full_indexed(files):
    return oc.open(files["indexed"]).to_pandas()


@pytest.fixture(scope="module")
def v(oracle):
    """Literals taken from the data, so that equality predicates select something whatever the seed."""
    df = oracle.df
    price = df["price"].dropna()
    score = df["score"].dropna()
    day_values = sorted(int(x) for x in df["day"].dropna().unique())
    assert len(day_values) >= 5, "the day column should advance every 2000 rows"
    created = df["created"].dropna()
    qcounts = df["quantity"].dropna().value_counts()
    word = df["word"].dropna().value_counts().index[0]
    # two tokens of one passage, and a token that occurs in very few rows
    counts = {}
    for t in oracle.row_tokens("passage"):
        for tok in t or ():
            counts[tok] = counts.get(tok, 0) + 1
    passage = next(x for x in df["passage"].dropna() if len(tokens(x)) >= 6)
    toks = sorted(tokens(passage), key=lambda t: (-counts[t], t))
    rare = min((t for t in counts if counts[t] == 1 and t.isalpha()), key=lambda t: (len(t), t))

    def day_text(k):
        return str(np.datetime64(day_values[k], "D"))

    def ts_text(i):
        return str(np.datetime64(int(created.iloc[i]), "us").astype("datetime64[s]")).replace("T", " ")

    return {
        "price": repr(float(price.iloc[100])), "price2": repr(float(price.iloc[5000])),
        "score": repr(float(score.iloc[77])),
        "day0": day_text(0), "day": day_text(len(day_values) // 2), "day2": day_text(len(day_values) // 2 + 1),
        "created": ts_text(len(created) // 3), "created2": ts_text(2 * len(created) // 3),
        "q_rare": int(qcounts.index[-1]), "word": word,
        "tok1": toks[0], "tok2": toks[3],
        "phrase": f"  {toks[3].upper()}, {toks[0]}! ",  # case, punctuation and order do not matter
        "rare": rare,
    }


# ---------------------------------------------------------------------------------------------
# Predicates and their pandas equivalents: (where template, oracle(o, v)), v holds the literals

D, T = days, micros

# `o.active == True` is elementwise on a Series (E712 does not apply)
PREDICATES = [
    # int64
    ("id == 1", lambda o, v: o.id == 1),
    ("id != 5", lambda o, v: o.id != 5),
    ("id between 100 and 200", lambda o, v: o.between("id", 100, 200)),
    ("quantity == 2", lambda o, v: o.quantity == 2),
    ("quantity != 2", lambda o, v: o.quantity != 2),
    ("quantity < 10", lambda o, v: o.quantity < 10),
    ("quantity <= 10", lambda o, v: o.quantity <= 10),
    ("quantity > 100", lambda o, v: o.quantity > 100),
    ("quantity >= 100", lambda o, v: o.quantity >= 100),
    ("quantity >= -3", lambda o, v: o.quantity >= -3),
    ("quantity == -0", lambda o, v: o.quantity == 0),
    ("quantity == {q_rare}", lambda o, v: o.quantity == v["q_rare"]),
    ("quantity in (1, 2, 3)", lambda o, v: o.isin("quantity", [1, 2, 3])),
    ("quantity not in (1, 2, 3)", lambda o, v: ~o.isin("quantity", [1, 2, 3])),
    ("quantity between 10 and 20", lambda o, v: o.between("quantity", 10, 20)),
    ("quantity not between 10 and 400", lambda o, v: ~o.between("quantity", 10, 400)),
    ("quantity between 20 and 10", lambda o, v: o.between("quantity", 20, 10)),
    ("quantity is null", lambda o, v: o.quantity.isna()),
    ("quantity is not null", lambda o, v: o.quantity.notna()),
    ("not (quantity == 1)", lambda o, v: ~(o.quantity == 1)),
    ("quantity == 1 or quantity is null", lambda o, v: (o.quantity == 1) | o.quantity.isna()),
    # float64
    ("price > 100", lambda o, v: o.price > 100),
    ("price <= 1e1", lambda o, v: o.price <= 10),
    ("price < .75", lambda o, v: o.price < 0.75),
    ("price >= 2.5E+2", lambda o, v: o.price >= 250),
    ("price == {price}", lambda o, v: o.price == float(v["price"])),
    ("price != {price}", lambda o, v: o.price != float(v["price"])),
    ("price in ({price}, {price2}, 123456)",
     lambda o, v: o.isin("price", [float(v["price"]), float(v["price2"]), 123456.0])),
    ("price not in ({price})", lambda o, v: ~o.isin("price", [float(v["price"])])),
    ("score == {score}", lambda o, v: o.score == float(v["score"])),
    ("score between -0.5 and 0.5", lambda o, v: o.between("score", -0.5, 0.5)),
    ("score not between -1 and 1", lambda o, v: ~o.between("score", -1, 1)),
    ("score < 0", lambda o, v: o.score < 0),
    ("score is null", lambda o, v: o.score.isna()),
    ("not (score > 0)", lambda o, v: ~(o.score > 0)),
    ("score == 1", lambda o, v: o.score == 1.0),
    # bool
    ("active == true", lambda o, v: o.active == True),
    ("active == false", lambda o, v: o.active == False),
    ("active != true", lambda o, v: o.active != True),
    ("active < true", lambda o, v: o.active < True),
    ("active >= false", lambda o, v: o.active >= False),
    ("active is null", lambda o, v: o.active.isna()),
    ("not active == true", lambda o, v: ~(o.active == True)),
    ("active in (TRUE)", lambda o, v: o.isin("active", [True])),
    ("active not in (false)", lambda o, v: ~o.isin("active", [False])),
    # string, dictionary-encoded (topic)
    ("topic == 'food'", lambda o, v: o.topic == "food"),
    ("topic != 'food'", lambda o, v: o.topic != "food"),
    ("topic == 'real estate'", lambda o, v: o.topic == "real estate"),
    ("topic == 'Food'", lambda o, v: o.topic == "Food"),
    ("topic in ('food', 'travel')", lambda o, v: o.isin("topic", ["food", "travel"])),
    ("topic not in ('food', 'travel')", lambda o, v: ~o.isin("topic", ["food", "travel"])),
    ("topic < 'g'", lambda o, v: o.topic < "g"),
    ("topic >= 'music'", lambda o, v: o.topic >= "music"),
    ("topic between 'f' and 'h'", lambda o, v: o.between("topic", "f", "h")),
    ("topic is null", lambda o, v: o.topic.isna()),
    ('"topic" == \'food\'', lambda o, v: o.topic == "food"),
    ("topic contains 'ESTATE'", lambda o, v: o.contains("topic", "estate")),
    ("not (topic contains 'real')", lambda o, v: ~o.contains("topic", "real")),
    # string, other (word, passage)
    ("word == '{word}'", lambda o, v: o.word == v["word"]),
    ("word != '{word}'", lambda o, v: o.word != v["word"]),
    ("word > 'y'", lambda o, v: o.word > "y"),
    ("word in ('{word}', 'zz')", lambda o, v: o.isin("word", [v["word"], "zz"])),
    ("word is null", lambda o, v: o.word.isna()),
    ("word contains '{word}'", lambda o, v: o.contains("word", v["word"])),
    ("passage < 'B'", lambda o, v: o.passage < "B"),
    ("passage is null", lambda o, v: o.passage.isna()),
    ("passage contains '{tok1}'", lambda o, v: o.contains("passage", v["tok1"])),
    ("passage contains '{phrase}'", lambda o, v: o.contains("passage", v["phrase"])),
    ("passage contains '{rare}'", lambda o, v: o.contains("passage", v["rare"])),
    ("passage contains 'qqqzzzxxx'", lambda o, v: o.contains("passage", "qqqzzzxxx")),
    ("not (passage contains '{tok1}')", lambda o, v: ~o.contains("passage", v["tok1"])),
    ("passage contains '{tok1}' or passage is null",
     lambda o, v: o.contains("passage", v["tok1"]) | o.passage.isna()),
    # date
    ("day == '{day}'", lambda o, v: o.day == D(v["day"])),
    ("day != '{day}'", lambda o, v: o.day != D(v["day"])),
    ("day < '{day}'", lambda o, v: o.day < D(v["day"])),
    ("day <= '{day}'", lambda o, v: o.day <= D(v["day"])),
    ("day > '{day}'", lambda o, v: o.day > D(v["day"])),
    ("day >= '{day}'", lambda o, v: o.day >= D(v["day"])),
    ("day between '{day}' and '{day2}'", lambda o, v: o.between("day", D(v["day"]), D(v["day2"]))),
    ("day not between '{day}' and '{day2}'", lambda o, v: ~o.between("day", D(v["day"]), D(v["day2"]))),
    ("day in ('{day}', '{day0}')", lambda o, v: o.isin("day", [D(v["day"]), D(v["day0"])])),
    ("day not in ('{day}')", lambda o, v: ~o.isin("day", [D(v["day"])])),
    ("day is null", lambda o, v: o.day.isna()),
    ("day > '2099-12-31'", lambda o, v: o.day > D("2099-12-31")),
    # timestamp
    ("created < '{created}'", lambda o, v: o.created < T(v["created"])),
    ("created == '{created}'", lambda o, v: o.created == T(v["created"])),
    ("created != '{created}'", lambda o, v: o.created != T(v["created"])),
    ("created >= '{created}Z'", lambda o, v: o.created >= T(v["created"])),
    ("created > '{created}.5'", lambda o, v: o.created > T(v["created"]) + 500_000),
    ("created <= '{day}'", lambda o, v: o.created <= T(v["day"] + " 00:00:00")),  # a bare date is midnight
    ("created between '{created}' and '{created2}'",
     lambda o, v: o.between("created", T(v["created"]), T(v["created2"]))),
    ("created in ('{created}', '{created2}')", lambda o, v: o.isin("created", [T(v["created"]), T(v["created2"])])),
    ("created is not null", lambda o, v: o.created.notna()),
    # combinations, precedence, keywords in any case, whitespace
    ("topic == 'food' and price > 100", lambda o, v: (o.topic == "food") & (o.price > 100)),
    ("topic == 'food' or quantity < 5 and active == true",
     lambda o, v: (o.topic == "food") | ((o.quantity < 5) & (o.active == True))),
    ("(topic == 'food' or quantity < 5) and active == true",
     lambda o, v: ((o.topic == "food") | (o.quantity < 5)) & (o.active == True)),
    ("not (topic == 'food' or price > 50)", lambda o, v: ~((o.topic == "food") | (o.price > 50))),
    ("not topic == 'food' and not price > 50", lambda o, v: ~(o.topic == "food") & ~(o.price > 50)),
    ("quantity between 1 and 5 and active == true",
     lambda o, v: o.between("quantity", 1, 5) & (o.active == True)),
    ("not (not (active == true))", lambda o, v: ~~(o.active == True)),
    ("NOT (day == '{day}') AnD passage CONTAINS '{tok1}'",
     lambda o, v: ~(o.day == D(v["day"])) & o.contains("passage", v["tok1"])),
    ("quantity is null or price is null or topic is null",
     lambda o, v: o.quantity.isna() | o.price.isna() | o.topic.isna()),
    ("passage contains '{tok2}' and topic in ('food', 'travel') or day == '{day}'",
     lambda o, v: (o.contains("passage", v["tok2"]) & o.isin("topic", ["food", "travel"])) | (o.day == D(v["day"]))),
    ("topic == 'food' and (price > 100 or (quantity <= 3 and not (score is null)))",
     lambda o, v: (o.topic == "food") & ((o.price > 100) | ((o.quantity <= 3) & ~o.score.isna()))),
    ("topic == 'food'\n\tand\n  price > 10", lambda o, v: (o.topic == "food") & (o.price > 10)),
    ("day == '{day}' and topic != 'food' and not (quantity in (1, 2)) or id <= 50",
     lambda o, v: ((o.day == D(v["day"])) & (o.topic != "food") & ~o.isin("quantity", [1, 2])) | (o.id <= 50)),
    ("(active == false or active is null) and not (word is null) and score > 1",
     lambda o, v: ((o.active == False) | o.active.isna()) & ~o.word.isna() & (o.score > 1)),
]
PRED_IDS = [p[0].replace("\n", " ").replace("\t", " ") for p in PREDICATES]


def values(series):
    return [None if pd.isna(x) else x for x in series]


def expect(oracle, v, i):
    template, fn = PREDICATES[i]
    return template.format(**v), oracle.ids(fn(oracle, v))


# ---------------------------------------------------------------------------------------------
# 1. scan(where=...) agrees with pandas; 2. the four paths agree on files with and without indexes


def test_the_files_hold_the_same_rows(files, oracle, gen_csv):
    report = files["plain_report"]
    assert report["rows_rejected"] > 0 and oracle.n == report["rows_kept"]
    assert oc.open(files["plain"]).num_chunks >= 30, "a small block size gives many chunks"
    dictionary = oc.open(files["plain"]).dictionary_columns
    assert "topic" in dictionary and "passage" not in dictionary, "both string encodings are covered"
    for name in ["indexed", "after", "every"]:
        ds = oc.open(files[name])
        assert ds.num_rows == oracle.n and ds.num_chunks == oc.open(files["plain"]).num_chunks
        assert np.array_equal(scan_ids(ds, None), oracle.id.to_numpy(dtype=np.int64))
    # and the oracle's input is what to_pandas() gives
    full = oc.open(files["plain"]).to_pandas()
    assert full["id"].tolist() == oracle.id.tolist()
    assert full["topic"].isna().sum() == oracle.topic.isna().sum() > 0


def test_every_predicate_selects_something_and_not_everything_overall(oracle, v):
    """Guard against a vacuous suite: most predicates select a proper, non-empty subset."""
    proper = 0
    for i in range(len(PREDICATES)):
        _, want = expect(oracle, v, i)
        proper += 0 < len(want) < oracle.n
    assert proper >= len(PREDICATES) - 8


@pytest.mark.parametrize("i", range(len(PREDICATES)), ids=PRED_IDS)
def test_to_pandas_where_matches_pandas(files, oracle, v, i):
    where, want = expect(oracle, v, i)
    ds = oc.open(files["indexed"])
    got = ds.to_pandas(columns=["id"], where=where)
    assert list(got.columns) == ["id"]
    assert got["id"].tolist() == want.tolist(), where
    assert ds.count(where) == len(want)


FULL_ROWS = [PRED_IDS.index(t) for t in [
    "quantity == 2", "not (quantity == 1)", "price in ({price}, {price2}, 123456)", "active in (TRUE)",
    "topic < 'g'", "word != '{word}'", "passage contains '{phrase}'", "day <= '{day}'",
    "created in ('{created}', '{created2}')", "quantity is null or price is null or topic is null",
    "topic == 'food' and (price > 100 or (quantity <= 3 and not (score is null)))",
]]


@pytest.mark.parametrize("i", FULL_ROWS, ids=[PRED_IDS[i] for i in FULL_ROWS])
def test_to_pandas_where_gives_whole_rows(files, oracle, v, full_indexed, i):
    """Every column of the selected rows comes back intact (no misalignment inside a chunk)."""
    where, want = expect(oracle, v, i)
    got = oc.open(files["indexed"]).to_pandas(where=where)
    assert got["id"].tolist() == want.tolist(), where
    assert list(got.columns) == list(full_indexed.columns)
    mask = oracle.selected(PREDICATES[i][1](oracle, v))
    for c in got.columns:  # by value: a column's dtype depends on whether its batches had nulls
        assert values(got[c]) == values(full_indexed[c][mask]), (where, c)


@pytest.mark.parametrize("name", ["plain", "indexed", "every"])
@pytest.mark.parametrize("i", range(len(PREDICATES)), ids=PRED_IDS)
def test_four_paths_agree_with_pandas(files, oracle, v, i, name):
    where, want = expect(oracle, v, i)
    ds = oc.open(files[name])
    for use_indexes, use_zone_maps in PATHS:
        got = scan_ids(ds, where, use_indexes, use_zone_maps)
        assert got.tolist() == want.tolist(), (where, name, use_indexes, use_zone_maps)
        assert ds.count(where, use_indexes=use_indexes, use_zone_maps=use_zone_maps) == len(want)


def test_projection_limit_and_batches_with_where(files, oracle, v):
    ds = oc.open(files["indexed"])
    where = "topic in ('food', 'travel') and price > 20"
    want = oracle.ids(oracle.isin("topic", ["food", "travel"]) & (oracle.price > 20))
    assert len(want) > 100
    # the predicate's columns need not be projected
    batches = list(ds.scan(columns=["id", "score"], where=where, batch_rows=97))
    assert all(list(b) == ["id", "score"] and 0 < len(b["id"]) <= 97 for b in batches)
    assert np.concatenate([b["id"] for b in batches]).tolist() == want.tolist()
    for use_indexes, use_zone_maps in PATHS:
        got = [int(x) for b in ds.scan(columns=["id"], where=where, limit=37, use_indexes=use_indexes,
                                       use_zone_maps=use_zone_maps) for x in b["id"]]
        assert got == want[:37].tolist()
    # strings of the selected rows come as DictionaryArray / StringArray
    b = next(ds.scan(columns=["topic", "passage"], where=where))
    assert set(b["topic"].to_pandas()) <= {"food", "travel"}
    assert len(b["passage"].to_pandas()) == len(b["topic"])


def test_long_strings_at_the_chunk_bounds(files, oracle):
    """Zone maps keep strings cut to 64 bytes: compare with each chunk's own min and max passage."""
    chunks, *_ = parse_explain(oc.open(files["plain"]).explain("id is null", use_indexes=False,
                                                               use_zone_maps=False))
    passage = oracle.passage
    literals = []
    for _, a, b, _ in chunks:
        seg = passage.iloc[a:b].dropna()
        for lit in [max(seg), min(seg)]:
            if len(lit.encode()) > 64:
                literals += [lit, lit[:64], lit[:63] + "~"]
        if len(literals) >= 12:
            break
    assert len(literals) >= 9
    # counts by bisection in the sorted non-null values (str order is UTF-8 byte order)
    ordered = sorted(passage.dropna())
    nonnull = len(ordered)
    ops = {
        "==": lambda lt, le: le - lt, "!=": lambda lt, le: nonnull - (le - lt),
        "<": lambda lt, le: lt, "<=": lambda lt, le: le, ">": lambda lt, le: nonnull - le,
        ">=": lambda lt, le: nonnull - lt,
    }
    datasets = [oc.open(files[name]) for name in ["plain", "every"]]
    for lit in literals:
        quoted = lit.replace("'", "''")
        lt, le = bisect.bisect_left(ordered, lit), bisect.bisect_right(ordered, lit)
        for op, count in ops.items():
            where = f"passage {op} '{quoted}'"
            want = count(lt, le)
            for ds in datasets:
                for use_indexes, use_zone_maps in PATHS:
                    assert ds.count(where, use_indexes=use_indexes, use_zone_maps=use_zone_maps) == want, where


def test_null_and_nan_semantics_on_a_small_file(tmp_path):
    """The examples of doc/query.md, on a file where "nan" is a NaN value and only "" is null."""
    csv = tmp_path / "n.csv"
    csv.write_text(
        "k,n,x,s,flag\n"
        "1,1,1.5,Ice-cream; 2 SCOOPS!,true\n"
        "2,,nan,Café au lait,false\n"
        "3,2,,CAFÉ,\n"
        "4,1,-0.0,snake_case_word,true\n"
        "5,,0.0,O'Brien said ice,false\n"
        "6,2,7,\"cream, then ice\",true\n"
        "7,3,inf,,true\n"
    )
    for name, index, index_tokens in [("a", [], []), ("b", ["n", "x", "s", "flag"], ["s"])]:
        oc.ingest(csv, tmp_path / f"{name}.oc", na_values=[""], index=index, index_tokens=index_tokens)
    ds = oc.open(tmp_path / "a.oc")
    assert ds.schema == {"k": "int64", "n": "int64", "x": "float64", "s": "string", "flag": "bool"}
    x = next(ds.scan(columns=["x"]))["x"]
    assert np.isnan(x.data[1]) and not x.mask[1] and x.mask[2], "nan must be a value and '' a null"
    cases = {
        # n = 1, null, 2, ... : doc/query.md's example
        "n == 1": [1, 4],
        "not (n == 1)": [3, 6, 7],
        "n == 1 or n is null": [1, 2, 4, 5],
        "n != 1": [3, 6, 7],
        "n not in (1, 3)": [3, 6],
        # NaN: IEEE comparisons, a value and not a null; -0.0 == 0.0
        "x == 1.5": [1],
        "x != 1.5": [2, 4, 5, 6, 7],
        "x < 5": [1, 4, 5],
        "not (x < 5)": [2, 6, 7],
        "x > 5": [6, 7],
        "x between -1 and 100": [1, 4, 5, 6],
        "not (x between -1 and 100)": [2, 7],
        "x in (0, 7)": [4, 5, 6],
        "x not in (0, 7)": [1, 2, 7],
        "x == 0": [4, 5],
        "x == -0.0": [4, 5],
        "x <= 0": [4, 5],
        "x is null": [3],
        "x is not null": [1, 2, 4, 5, 6, 7],
        # tokens: ASCII lowercased, '_' and punctuation separate, non-ASCII bytes unchanged
        "s contains 'ice cream'": [1, 6],
        "s contains 'CREAM'": [1, 6],
        "s contains 'scoops 2'": [1],
        "s contains 'café'": [2],
        "s contains 'CAFÉ'": [3],
        "s contains 'caf'": [],
        "s contains 'snake'": [4],
        "s contains 'case word'": [4],
        "s contains 'o brien'": [5],
        "not (s contains 'ice')": [2, 3, 4],
        "s == 'O''Brien said ice'": [5],
        "s not in ('CAFÉ')": [1, 2, 4, 5, 6],
        "s is null": [7],
        # bool: false < true
        "flag < true": [2, 5],
        "flag == true": [1, 4, 6, 7],
        "not flag == true": [2, 5],
        "flag is null": [3],
    }
    for name in ["a", "b"]:
        ds = oc.open(tmp_path / f"{name}.oc")
        for where, want in cases.items():
            for use_indexes, use_zone_maps in PATHS:
                got = [int(k) for b in ds.scan(columns=["k"], where=where, use_indexes=use_indexes,
                                               use_zone_maps=use_zone_maps) for k in b["k"]]
                assert got == want, (name, where, use_indexes, use_zone_maps)
    # the test's own tokenizer agrees with the examples above
    assert tokens("Ice-cream, 2 SCOOPS!") == {"ice", "cream", "2", "scoops"}
    assert tokens("Café") == {"café"} and tokens("CAFÉ") == {"cafÉ"} and tokens("a_b") == {"a", "b"}


def test_stray_stamps_do_not_defeat_zone_maps(tmp_path):
    """Issue 12: stamps in time order with a few strays years away in every chunk. The zone maps'
    core ranges skip the chunks min/max alone would read (explain counts them), and the rows are
    those of pandas on the whole file, through Python and `cat --where`; the float column's core
    too, NaN and nulls beside it."""
    rng = np.random.default_rng(12)
    rows = 6000
    stamps = np.datetime64("2015-01-01T00:00:00", "s") + np.arange(rows) * np.timedelta64(60, "s")
    strays = rng.choice(rows, 80, replace=False)
    stamps[strays] += (rng.choice([-6, 5], 80) * 365 * 86400).astype("timedelta64[s]")
    fare = np.round(rng.uniform(5, 50, rows), 2).astype(object)
    fare[rng.choice(rows, 40, replace=False)] = -999.5
    fare[rng.choice(rows, 30, replace=False)] = "nan"
    fare[rng.choice(rows, 30, replace=False)] = ""
    frame = pd.DataFrame({"id": np.arange(rows), "ts": np.datetime_as_string(stamps).astype(object), "fare": fare})
    frame["ts"] = frame["ts"].str.replace("T", " ")
    csv = tmp_path / "stamps.csv"
    frame.to_csv(csv, index=False)
    path = tmp_path / "stamps.oc"
    oc.ingest(csv, path, block_size="8KiB", na_values=[""])  # "nan" is a NaN, "" a null
    ds = oc.open(path)
    back = ds.to_pandas()
    ts = pd.to_datetime(back["ts"])
    where = "ts between '2015-01-02 10:00:00' and '2015-01-02 13:59:59'"
    _, read, total, _ = parse_explain(ds.explain(where))
    expected = back["id"][(ts >= "2015-01-02 10:00:00") & (ts <= "2015-01-02 13:59:59")].to_numpy()
    assert len(expected) > 200
    assert total > 20 and read <= 3, ds.explain(where)
    assert "chunks skipped only by core ranges" in ds.explain(where)
    assert list(scan_ids(ds, where)) == list(expected)
    assert list(scan_ids(ds, where, use_zone_maps=False)) == list(expected)
    cat = run("cat", path, "--columns", "id", "--where", where, "--format", "csv").stdout.split()
    assert [int(x) for x in cat[1:]] == list(expected)
    # A stray asked exactly is found; the years between the strays and the rest hold nothing.
    stray = back["ts"][back["id"] == int(strays[0])].iloc[0]
    assert list(scan_ids(ds, f"ts == '{stray}'")) == [int(strays[0])]
    empty = "ts between '2012-01-01 00:00:00' and '2014-12-31 23:59:59'"
    assert parse_explain(ds.explain(empty))[1] == 0 and len(scan_ids(ds, empty)) == 0
    # The fares as stored: values (NaN among them) and nulls, apart.
    batches = list(ds.scan(columns=["id", "fare"]))
    ids = np.concatenate([np.asarray(b["id"]) for b in batches])
    x = np.concatenate([np.asarray(b["fare"].data, dtype=float) for b in batches])
    valid = ~np.concatenate([np.asarray(np.ma.getmaskarray(b["fare"])) for b in batches])
    assert np.isnan(x[valid]).sum() > 0 and (~valid).sum() > 0
    with np.errstate(invalid="ignore"):
        for query, mask in [
            ("fare == -999.5", x == -999.5),
            ("fare between -999 and 4", (x >= -999) & (x <= 4)),
            ("not (fare between 5 and 50)", ~((x >= 5) & (x <= 50))),  # NaN is in no range
            ("fare != 10", x != 10),
        ]:
            assert list(scan_ids(ds, query)) == list(ids[valid & mask]), query
    assert parse_explain(ds.explain("fare between -999 and 4"))[1] == 0


def test_quoted_column_names(tmp_path):
    csv = tmp_path / "q.csv"
    csv.write_text('k,unit price,and,"we""ird"\n1,500,1,x\n2,2000,0,y\n3,1e4,1,\n')
    oc.ingest(csv, tmp_path / "q.oc")
    ds = oc.open(tmp_path / "q.oc")
    assert list(ds.schema) == ["k", "unit price", "and", 'we"ird']

    def ks(where):
        return [int(k) for b in ds.scan(columns=["k"], where=where) for k in b["k"]]

    assert ks('"unit price" > 1e3') == [2, 3]
    assert ks('"and" == 1') == [1, 3]
    assert ks('"we""ird" == \'y\' or "we""ird" is null') == [2, 3]
    with pytest.raises(ValueError, match="'and' is a keyword"):
        ks("and == 1")


# ---------------------------------------------------------------------------------------------
# 3. Index use really prunes (explain)


def chunks_holding(chunks, rows):
    """Chunk numbers whose row range [a, b) holds one of ``rows`` (0-based row numbers)."""
    rows = np.asarray(rows)
    return {c for c, a, b, _ in chunks if np.any((rows >= a) & (rows < b))}


def check_plan(ds, where, oracle_result, use_indexes, use_zone_maps):
    text = ds.explain(where, use_indexes=use_indexes, use_zone_maps=use_zone_maps)
    assert text.splitlines()[0].startswith("where (")
    chunks, k, n, candidates = parse_explain(text)
    assert n == ds.num_chunks and len(chunks) == n
    # chunk lines cover the file, in order, without gaps
    assert [c for c, *_ in chunks] == list(range(n))
    assert chunks[0][1] == 0 and chunks[-1][2] == ds.num_rows
    assert all(chunks[i][2] == chunks[i + 1][1] for i in range(n - 1))
    read = {c for c, _, _, r in chunks if r}
    assert len(read) == k
    assert ("skipped" in text) == (k < n)
    # sound: every chunk holding a matching row is read
    rows = np.flatnonzero(oracle_result)
    holding = chunks_holding(chunks, rows)
    assert holding <= read, (where, sorted(holding - read))
    read_rows = sum(b - a for _, a, b, r in chunks if r)
    assert len(rows) <= candidates <= read_rows
    return k, n, candidates, holding, text


def test_clustered_day_queries_skip_most_chunks(files, oracle, v):
    for name in ["indexed", "plain"]:
        ds = oc.open(files[name])
        for where, result in [
            ("day == '{day}'".format(**v), oracle.day == D(v["day"])),
            ("day between '{day}' and '{day2}'".format(**v), oracle.between("day", D(v["day"]), D(v["day2"]))),
        ]:
            sel = oracle.selected(result)
            k, n, _, holding, text = check_plan(ds, where, sel, True, True)
            assert "skipped" in text and k <= n // 3, text
            assert k <= len(holding) + 2, "day is clustered: only the chunks holding it (and neighbours)"
            # without indexes and zone maps every chunk is read
            k0, n0, cand0, _, text0 = check_plan(ds, where, sel, False, False)
            assert k0 == n0 == n and "skipped" not in text0 and cand0 == ds.num_rows
            # either mechanism alone prunes on this file (zone maps: days are clustered)
            if name == "indexed":
                ki, *_ = check_plan(ds, where, sel, True, False)
                assert ki == len(holding), "an exact index reads exactly the chunks holding matches"
            kz, *_ = check_plan(ds, where, sel, False, True)
            assert kz <= n // 3


def test_indexes_read_only_the_chunks_holding_matches(files, oracle, v):
    """A rare quantity or word: an exact index reads exactly the chunks that hold it."""
    ds = oc.open(files["indexed"])
    for where, result in [
        ("quantity == {q_rare}".format(**v), oracle.quantity == v["q_rare"]),
        ("passage contains '{rare}'".format(**v), oracle.contains("passage", v["rare"])),
        ("passage contains '{rare}' and topic == 'food'".format(**v),
         oracle.contains("passage", v["rare"]) & (oracle.topic == "food")),
    ]:
        sel = oracle.selected(result)
        assert sel.sum() <= 5
        k, n, candidates, holding, text = check_plan(ds, where, sel, True, False)
        assert k == len(holding) <= 5 < n and candidates == sel.sum(), text
        assert check_plan(ds, where, sel, True, True)[0] == k
        if "contains" in where:
            kz, nz, *_ = check_plan(ds, where, sel, False, True)
            assert kz >= nz - 2, "zone maps cannot prune a word search"
    # half indexed: the index narrows the rows, the scan filters the rest
    where = "topic == 'food' and score > 1.5"
    sel = oracle.selected((oracle.topic == "food") & (oracle.score > 1.5))
    candidates = check_plan(ds, where, sel, True, True)[2]
    assert candidates == int(oracle.selected(oracle.topic == "food").sum()) > sel.sum()


# ---------------------------------------------------------------------------------------------
# 4. oc.index, ds.indexes, ingest(index=...) == oc.index afterwards


def _expected_keys(oracle, column, kind):
    s = oracle.col(column).dropna()
    if kind == "token":
        return len(set().union(*(t for t in oracle.row_tokens(column) if t is not None)))
    return len(set(s.tolist()))


def test_index_reports_and_ds_indexes(files, oracle):
    listed = files["report"]["indexes"]
    assert sorted((i["column"], i["kind"]) for i in listed) == sorted(
        [(c, "value") for c in VALUE_INDEXED] + [(c, "token") for c in TOKEN_INDEXED])
    for entries in [listed, files["after_list"], files["every_list"]]:
        for e in entries:
            assert e["built"] is True and e["note"] == "" and e["stored_bytes"] > 0
            assert e["keys"] == _expected_keys(oracle, e["column"], e["kind"]), e
    # the plain ingest built none, and its file lists none
    assert files["plain_report"].get("indexes", []) == [] and oc.open(files["plain"]).indexes == []

    def key(entries):
        return sorted((e["column"], e["kind"], e["keys"], e["stored_bytes"]) for e in entries)

    assert key(oc.open(files["indexed"]).indexes) == key(listed)
    assert key(oc.open(files["after"]).indexes) == key(files["after_list"]) == key(listed)
    assert key(oc.open(files["every"]).indexes) == key(files["every_list"])
    assert len(files["every_list"]) == len(oracle.df.columns) + 3


def test_ingest_with_index_equals_index_afterwards(files, oracle, v):
    a, b = oc.open(files["indexed"]), oc.open(files["after"])
    for template, _ in PREDICATES:
        where = template.format(**v)
        assert a.explain(where) == b.explain(where), where
    # and the plans use the index (text differs from the plain file's on an indexed column)
    where = "topic == 'food'"
    assert a.explain(where) != oc.open(files["plain"]).explain(where)


def test_index_with_output_and_replacing(files, oracle, tmp_path):
    src = tmp_path / "src.oc"
    shutil.copy(files["plain"], src)
    before = sha256(src)
    out = tmp_path / "out.oc"
    listed = oc.index(src, columns=["price"], tokens=["word"], output=out)
    assert sha256(src) == before and oc.open(src).indexes == []
    assert {(e["column"], e["kind"]) for e in listed} == {("price", "value"), ("word", "token")}
    assert {(e["column"], e["kind"]) for e in oc.open(out).indexes} == {("price", "value"), ("word", "token")}
    # an index of the same kind on the same column is replaced, others are kept
    oc.index(out, columns=["price", "topic"])
    kinds = sorted((e["column"], e["kind"]) for e in oc.open(out).indexes)
    assert kinds == [("price", "value"), ("topic", "value"), ("word", "token")]
    ds = oc.open(out)
    where = "price > 30 and topic == 'food' or word contains 'bo'"
    want = oracle.ids(((oracle.price > 30) & (oracle.topic == "food")) | oracle.contains("word", "bo"))
    for use_indexes, use_zone_maps in PATHS:
        assert scan_ids(ds, where, use_indexes, use_zone_maps).tolist() == want.tolist()


def test_index_errors_leave_the_file_alone(files, tmp_path):
    path = tmp_path / "e.oc"
    shutil.copy(files["plain"], path)
    before = sha256(path)
    for kwargs, pattern in [
        ({"columns": ["nope"]}, "nope"),
        ({"tokens": ["nope"]}, "nope"),
        ({"columns": ["topic", "nope"]}, "nope"),
        ({"columns": ["topic"], "tokens": ["price"]}, "price"),
        ({"tokens": ["quantity"]}, "quantity"),
        ({}, "columns"),
        ({"columns": ["topic"], "memory_limit": "lots"}, "lots"),
    ]:
        with pytest.raises(ValueError, match=pattern):
            oc.index(path, **kwargs)
        assert sha256(path) == before, kwargs
        with pytest.raises(ValueError, match=pattern):
            oc.index(path, output=tmp_path / "never.oc", **kwargs)
        assert not (tmp_path / "never.oc").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.oc"], "no temporary file is left behind"
    assert oc.open(path).indexes == []


def test_index_over_budget_is_reported_and_queries_stay_right(files, oracle, v, tmp_path):
    path = tmp_path / "small.oc"
    shutil.copy(files["plain"], path)
    listed = oc.index(path, columns=["topic"], tokens=["passage"], memory_limit="4MiB")
    by = {(e["column"], e["kind"]): e for e in listed}
    assert by[("topic", "value")]["built"] is True
    token = by[("passage", "token")]
    assert token["built"] is False and token["note"] and token["keys"] == 0 and token["stored_bytes"] == 0
    assert [(e["column"], e["kind"]) for e in oc.open(path).indexes] == [("topic", "value")]
    where = "passage contains '{tok1}' and topic == 'food'".format(**v)
    want = oracle.ids(oracle.contains("passage", v["tok1"]) & (oracle.topic == "food"))
    ds = oc.open(path)
    for use_indexes, use_zone_maps in PATHS:
        assert scan_ids(ds, where, use_indexes, use_zone_maps).tolist() == want.tolist()


# ---------------------------------------------------------------------------------------------
# 5. The command line


def test_cli_cat_where_equals_python(files, oracle, v):
    path = files["indexed"]
    ds = oc.open(path)
    where = "topic in ('food', 'real estate') and (price > 30 or day == '{day}')".format(**v)
    want = ds.to_pandas(columns=["id", "topic", "price", "day"], where=where)
    assert len(want) > 50
    text = run("cat", path, "--where", where, "--columns", "id,topic,price,day", "--format", "csv").stdout
    got = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""],
                      dtype={"topic": object, "day": object})
    assert list(got.columns) == ["id", "topic", "price", "day"]
    assert got["id"].tolist() == want["id"].tolist()
    assert [None if pd.isna(x) else x for x in got["topic"]] == [None if pd.isna(x) else x for x in want["topic"]]
    assert np.array_equal(got["price"].to_numpy(float), np.asarray(want["price"], float), equal_nan=True)
    want_day = [None if pd.isna(x) else str(x.date()) for x in want["day"]]
    assert [None if pd.isna(x) else x for x in got["day"]] == want_day
    # every path prints the same bytes; --limit takes the first rows
    for flags in [["--no-index"], ["--no-zone-maps"], ["--no-index", "--no-zone-maps"]]:
        assert run("cat", path, "--where", where, "--columns", "id,topic,price,day", *flags).stdout == text
    limited = run("cat", path, "--where", where, "--columns", "id", "--limit", 7, "--no-header").stdout
    assert [int(x) for x in limited.split()] == want["id"].tolist()[:7]
    # jsonl
    lines = run("cat", path, "--where", where, "--format", "jsonl", "--columns", "id,topic").stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == want["id"].tolist() and set(rows[0]) == {"id", "topic"}
    assert {r["topic"] for r in rows} <= {"food", "real estate"}


def test_cli_count_and_explain(files, oracle, v):
    for name in ["plain", "indexed"]:
        path = files[name]
        ds = oc.open(path)
        for template in ["quantity == 2", "topic == 'food'", "passage contains '{phrase}'", "day == '{day}'",
                         "topic == 'food' and price > 100"]:
            where, want = expect(oracle, v, [p[0] for p in PREDICATES].index(template))
            count = run("cat", path, "--where", where, "--count").stdout.strip()
            assert int(count) == len(want) == ds.count(where), where
            unpruned = run("cat", path, "--where", where, "--count", "--no-index", "--no-zone-maps").stdout
            assert int(unpruned) == len(want)
        where = "day == '{day}'".format(**v)
        text = run("cat", path, "--where", where, "--explain").stdout
        assert text.strip() == ds.explain(where).strip()
        _, k, n, _ = parse_explain(text)
        assert n == ds.num_chunks and k <= n // 3 and "skipped" in text
        text = run("cat", path, "--where", where, "--explain", "--no-index", "--no-zone-maps").stdout
        assert text.strip() == ds.explain(where, use_indexes=False, use_zone_maps=False).strip()
        assert parse_explain(text)[1] == n


def _caret_offset(message, expr):
    """The caret's offset within ``expr`` in a message that repeats ``expr`` with a caret line under it."""
    lines = message.splitlines()
    i = next(i for i, line in enumerate(lines) if line.lstrip().startswith("^"))
    above = lines[i - 1]
    assert above.endswith(expr), message
    return lines[i].index("^") - (len(above) - len(expr))


BAD = [
    # (expression, part of the message, where the caret points)
    ("price = 1", "use '=='", 6),
    ("nope == 1", "unknown column 'nope'", 0),
    ("price > 'abc'", "expected a number for float64 column 'price'", 8),
    ("(price > 1", "expected ')'", 10),
    ("quantity > 1.5", "expected a whole number for int64 column 'quantity'", 11),
    ("day >= '2023-02-30'", "'2023-02-30' is not a calendar date", 7),
    ("price contains 'x'", "contains needs a string column; 'price' is float64", 6),
    ("price == null", "null can only be tested with 'is null' or 'is not null'", 9),
    ("and == 1", "'and' is a keyword", 0),
    ("TOPIC == 'food'", "unknown column 'TOPIC'", 0),
    ("topic == 'food' extra", "expected", 16),
    ("price == nan", "expected a value", 9),
    ("active == 1", "expected true or false for bool column 'active'", 10),
]


def test_cli_bad_expression_exits_2_with_the_message(files):
    for expr, message, _ in BAD:
        r = run("cat", files["indexed"], "--where", expr, check=False)
        assert r.returncode == 2, (expr, r.returncode, r.stderr)
        assert message in r.stderr and expr in r.stderr and "^" in r.stderr, r.stderr
        assert r.stdout == ""
        r = run("cat", files["indexed"], "--where", expr, "--count", check=False)
        assert r.returncode == 2 and message in r.stderr


def test_cli_caret_points_under_the_problem(files):
    # The expression and its caret line are printed indented alike, so on the terminal the
    # caret sits under the problem (it once sat 30 columns to the left).
    for expr, _, offset in BAD:
        r = run("cat", files["indexed"], "--where", expr, check=False)
        assert _caret_offset(r.stderr, expr) == offset, r.stderr


def test_cli_empty_where_is_an_error_not_every_row(files):
    for blank in ("", "  "):
        r = run("cat", files["indexed"], "--where", blank, "--count", check=False)
        assert r.returncode == 2 and "--where is empty" in r.stderr, r.stderr
        assert r.stdout == ""


def test_cli_index_and_info(files, oracle, tmp_path):
    path = tmp_path / "c.oc"
    shutil.copy(files["plain"], path)
    assert json.loads(run("info", path, "--json").stdout).get("indexes", []) == []
    assert "index on" not in run("info", path).stdout
    before = sha256(path)
    r = run("index", path, "--columns", "nope", check=False)
    assert r.returncode != 0 and "nope" in r.stderr and sha256(path) == before
    run("index", path, "--columns", "topic,quantity", "--tokens", "passage", "--memory-limit", "256MiB")
    info = json.loads(run("info", path, "--json").stdout)
    got = sorted((e["column"], e["kind"], e["keys"]) for e in info["indexes"])
    assert got == sorted([
        ("topic", "value", _expected_keys(oracle, "topic", "value")),
        ("quantity", "value", _expected_keys(oracle, "quantity", "value")),
        ("passage", "token", _expected_keys(oracle, "passage", "token")),
    ])
    size = path.stat().st_size
    assert info["file_bytes"] == size
    for e in info["indexes"]:
        assert e["share_of_file"] == pytest.approx(e["stored_bytes"] / size, rel=1e-6)
    assert sorted((e["column"], e["kind"], e["stored_bytes"]) for e in info["indexes"]) == sorted(
        (e["column"], e["kind"], e["stored_bytes"]) for e in oc.open(path).indexes)
    text = run("info", path).stdout
    assert "index on" in text
    table = text[text.index("index on"):].splitlines()[1:]
    assert sorted(line.split()[0] for line in table if line.strip()) == ["passage", "quantity", "topic"]
    # -o writes elsewhere and leaves the input alone
    before = sha256(path)
    run("index", path, "--columns", "day", "-o", tmp_path / "d.oc")
    assert sha256(path) == before
    assert ("day", "value") in {(e["column"], e["kind"]) for e in oc.open(tmp_path / "d.oc").indexes}
    # ingest --index / --index-tokens build the same indexes as `outcore index`
    csv_path = tmp_path / "small.csv"
    run("gen", "--rows", 5000, "--seed", 5, "-o", csv_path)
    run("ingest", csv_path, "-o", tmp_path / "i.oc", "--block-size", BLOCK, "--index", "topic,day",
        "--index-tokens", "passage", "-q")
    run("ingest", csv_path, "-o", tmp_path / "j.oc", "--block-size", BLOCK, "-q")
    run("index", tmp_path / "j.oc", "--columns", "topic,day", "--tokens", "passage")
    a = json.loads(run("info", tmp_path / "i.oc", "--json").stdout)["indexes"]
    b = json.loads(run("info", tmp_path / "j.oc", "--json").stdout)["indexes"]
    assert sorted((e["column"], e["kind"], e["keys"], e["stored_bytes"]) for e in a) == sorted(
        (e["column"], e["kind"], e["keys"], e["stored_bytes"]) for e in b)
    assert {(e["column"], e["kind"]) for e in a} == {("topic", "value"), ("day", "value"), ("passage", "token")}


def test_normalize_keeps_other_indexes_and_drops_the_normalized_ones(gen_csv, tmp_path):
    path = tmp_path / "n.oc"
    run("ingest", gen_csv, "-o", path, "--block-size", BLOCK, "--index", "topic,price,quantity,day",
        "--index-tokens", "passage", "-q")
    kinds = {(e["column"], e["kind"]) for e in json.loads(run("info", path, "--json").stdout)["indexes"]}
    assert ("price", "value") in kinds and ("quantity", "value") in kinds
    run("normalize", path, "--columns", "price,quantity", "--method", "zscore")
    kinds = {(e["column"], e["kind"]) for e in json.loads(run("info", path, "--json").stdout)["indexes"]}
    assert kinds == {("topic", "value"), ("day", "value"), ("passage", "token")}
    ds = oc.open(path)
    assert ds.schema["quantity"] == "float64"
    o = Oracle(ds)
    p, q = o.price.to_numpy(float, na_value=np.nan), o.quantity.to_numpy(float, na_value=np.nan)
    assert abs(np.nanmean(p)) < 1e-9 and abs(np.nanstd(p) - 1) < 1e-6 and abs(np.nanmean(q)) < 1e-9
    for where, result in [
        ("topic == 'food'", o.topic == "food"),
        ("price > 0", o.price > 0),
        ("price > 1.5 and topic == 'food'", (o.price > 1.5) & (o.topic == "food")),
        ("quantity < -0.5 or passage contains 'bo'", (o.quantity < -0.5) | o.contains("passage", "bo")),
        ("not (price between -0.25 and 0.25)", ~o.between("price", -0.25, 0.25)),
    ]:
        want = o.ids(result)
        assert 0 < len(want) < o.n
        for use_indexes, use_zone_maps in PATHS:
            assert scan_ids(ds, where, use_indexes, use_zone_maps).tolist() == want.tolist(), where
    # the kept topic index is still used: its candidate rows are exactly the matches
    assert parse_explain(ds.explain("topic == 'food'"))[3] == len(o.ids(o.topic == "food"))
    assert parse_explain(ds.explain("price > 0"))[3] > len(o.ids(o.price > 0)), "no index on price any more"


# ---------------------------------------------------------------------------------------------
# 6. Bad expressions in Python


@pytest.mark.parametrize("expr,message,offset", BAD, ids=[b[0] for b in BAD])
def test_python_bad_expression_raises_value_error_with_caret(files, expr, message, offset):
    ds = oc.open(files["indexed"])
    with pytest.raises(ValueError) as err:
        next(ds.scan(where=expr))
    text = str(err.value)
    assert message in text
    assert text.splitlines()[0] == expr, "the message starts by repeating the expression"
    assert _caret_offset(text, expr) == offset, text
    for call in [lambda: ds.count(expr), lambda: ds.explain(expr), lambda: ds.to_pandas(where=expr),
                 lambda: ds.count(expr, use_indexes=False, use_zone_maps=False)]:
        with pytest.raises(ValueError, match=re.escape(message)):
            call()


def test_python_more_errors(files):
    ds = oc.open(files["indexed"])
    with pytest.raises(ValueError, match=r"columns: id, active, topic"):
        ds.count("nope == 1")
    with pytest.raises(ValueError, match="nests deeper than 200 levels"):
        ds.count("not " * 300 + "price > 1")
    with pytest.raises(ValueError, match="nests deeper than 200 levels"):
        ds.count("(" * 300 + "price > 1" + ")" * 300)
    # 150 levels is fine, and an even number of `not`s is the predicate itself
    assert ds.count("not " * 150 + "price > 1") == ds.count("(" * 150 + "price > 1" + ")" * 150) == ds.count(
        "price > 1")
    with pytest.raises(ValueError, match="expected a word"):
        ds.count("passage contains ' - '")
    with pytest.raises(ValueError, match="out of range"):
        ds.count("id == 9223372036854775808")
    with pytest.raises(ValueError, match="expected a date"):
        ds.count("day == '2015-01-01 00:00:00'")
    with pytest.raises(ValueError, match="not a valid timestamp"):
        ds.count("created < '2015-01-01 25:00:00'")
    # An empty or blank expression is an error, not "every row" (an empty shell variable).
    for blank in ("", "   ", "\n"):
        with pytest.raises(ValueError, match="where is empty"):
            ds.count(blank)
