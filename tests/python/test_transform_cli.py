"""`outcore hash` / `outcore pca` and the Dataset paths of the Python classes, against scikit-learn."""

import numpy as np
import pytest

pytest.importorskip("sklearn")
import scipy.sparse as sp
from sklearn.decomposition import IncrementalPCA as SkPCA
from sklearn.feature_extraction import FeatureHasher as SkHasher

import outcore
from conftest import run
from outcore.transform import FeatureHasher, IncrementalPCA

N = 5003
TOPICS = ["food", "travel", "sport", "naïve", "x=y", "日本"]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A CSV with strings (some null), ints, floats and text; its .oc; and the values as Python objects."""
    rng = np.random.default_rng(42)
    topic = [None if rng.random() < 0.05 else TOPICS[i] for i in rng.integers(0, len(TOPICS), N)]
    user = [f"u{i}" for i in rng.integers(0, 2000, N)]
    count = rng.integers(-3, 4, N)
    score = rng.normal(size=N).round(6)
    words = ["alpha", "beta", "gamma", "delta", "éta"]
    text = [" ".join(words[j] for j in rng.integers(0, 5, rng.integers(0, 6))) for _ in range(N)]
    X = rng.normal(size=(N, 5)) @ rng.normal(size=(5, 5)) + 3
    folder = tmp_path_factory.mktemp("transform")
    csv = folder / "t.csv"
    with open(csv, "w", encoding="utf-8") as f:
        f.write("topic,user,count,score,text,x0,x1,x2,x3,x4\n")
        for r in range(N):
            xs = ",".join(repr(float(v)) for v in X[r])
            f.write(f"{topic[r] or ''},{user[r]},{count[r]},{float(score[r])!r},{text[r]},{xs}\n")
    oc = folder / "t.oc"
    run("ingest", csv, "-o", oc, "--schema", "text:string")
    return {"oc": oc, "folder": folder, "topic": topic, "user": user, "count": count, "score": score, "text": text,
            "X": X}


def sklearn_rows(t):
    rows = []
    for r in range(N):
        d = {"user": t["user"][r], "count": int(t["count"][r]), "score": float(t["score"][r])}
        if t["topic"][r] is not None:
            d["topic"] = t["topic"][r]
        pairs = [(k, d[k]) for k in ("topic", "user", "count", "score") if k in d]
        pairs += [(tok, 1) for tok in t["text"][r].split()]
        rows.append(pairs)
    return rows


def assert_same_csr(a, b):
    b = b.copy()
    b.sum_duplicates()
    assert a.shape == b.shape
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("n_features,alternate", [(2**20, True), (16, False), (1, True)])
def test_hash_command_writes_the_matrix_sklearn_computes(table, n_features, alternate):
    out = table["folder"] / f"X{n_features}.npz"
    args = ["hash", table["oc"], "--columns", "topic,user,count,score", "--tokens", "text",
            "--n-features", n_features, "-o", out]
    run(*args, *([] if alternate else ["--no-alternate-sign"]))
    ours = sp.load_npz(out)
    theirs = SkHasher(n_features, input_type="pair", alternate_sign=alternate).transform(sklearn_rows(table))
    assert_same_csr(ours, theirs)
    same = FeatureHasher(n_features, alternate_sign=alternate).transform_dataset(
        outcore.open(table["oc"]), columns=["topic", "user", "count", "score"], tokens=["text"])
    assert_same_csr(same, theirs)


@pytest.mark.parametrize("where", [None, "count > 0"])
def test_columns_without_tokens_match_sklearn_with_and_without_a_row_selection(table, where):
    # Without tokens and a selection the matrix is sized once up front; with a
    # where= it grows as rows are kept. Both must be sklearn's matrix.
    columns = ["topic", "user", "count", "score"]
    keep = [r for r in range(N) if where is None or table["count"][r] > 0]
    every = sklearn_rows(table)
    rows = [[p for p in every[r] if p[0] in columns] for r in keep]
    theirs = SkHasher(2**20, input_type="pair").transform(rows)
    ours = FeatureHasher(2**20).transform_dataset(outcore.open(table["oc"]), columns=columns, where=where)
    assert ours.shape[0] == len(keep)
    assert_same_csr(ours, theirs)


def test_hash_command_names_a_missing_column_and_leaves_no_file(table):
    out = table["folder"] / "bad.npz"
    result = run("hash", table["oc"], "--columns", "nope", "-o", out, check=False)
    assert result.returncode != 0 and "nope" in result.stderr
    assert not out.exists()
    assert not [p for p in table["folder"].iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("k,whiten,batch", [(2, False, None), (5, True, 64), (3, False, 7)])
def test_incremental_pca_command_model_and_projection_match_sklearn(table, k, whiten, batch):
    model, proj = table["folder"] / "m.npz", table["folder"] / "T.npy"
    cols = "x0,x1,x2,x3,x4"
    run("pca", table["oc"], "--incremental", "--columns", cols, "-k", k, "-o", model, "--transform", proj,
        *(["--whiten"] if whiten else []), *(["--batch-size", batch] if batch else []))
    theirs = SkPCA(k, whiten=whiten, batch_size=batch).fit(table["X"])
    m = np.load(model)
    np.testing.assert_allclose(m["components"], theirs.components_, atol=1e-9)
    np.testing.assert_allclose(m["explained_variance"], theirs.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(m["explained_variance_ratio"], theirs.explained_variance_ratio_, rtol=1e-9)
    np.testing.assert_allclose(m["singular_values"], theirs.singular_values_, rtol=1e-9)
    np.testing.assert_allclose(m["mean"], theirs.mean_, rtol=1e-12)
    assert int(m["n_samples_seen"]) == N and int(m["batch_size"]) == theirs.batch_size_
    assert [c.decode() for c in m["columns"]] == cols.split(",")
    T = np.load(proj, mmap_mode="r")
    np.testing.assert_allclose(T, theirs.transform(table["X"]), rtol=1e-7, atol=1e-9)


def test_python_pca_fits_from_a_dataset_like_sklearn(table):
    ours = IncrementalPCA(n_components=3).fit(outcore.open(table["oc"]), columns=["x0", "x1", "x2", "x3", "x4"])
    theirs = SkPCA(n_components=3).fit(table["X"])
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-9)
    np.testing.assert_allclose(ours.explained_variance_, theirs.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(ours.noise_variance_, theirs.noise_variance_, rtol=1e-9)


def test_pca_refuses_string_columns_with_a_hint(table):
    result = run("pca", table["oc"], "--columns", "topic", "-o", table["folder"] / "m2.npz", check=False)
    assert result.returncode != 0 and "topic" in result.stderr and "hash" in result.stderr


def test_column_stats_match_numpy(table):
    from outcore.transform import column_stats

    stats = column_stats(outcore.open(table["oc"]))
    for name, values in (("count", table["count"].astype(float)), ("score", table["score"]),
                         ("x3", table["X"][:, 3])):
        s = stats[name]
        assert s["count"] == N and s["nulls"] == 0 and s["nans"] == 0
        assert s["min"] == values.min() and s["max"] == values.max()
        np.testing.assert_allclose(s["mean"], values.mean(), rtol=1e-12)
        np.testing.assert_allclose(s["variance"], values.var(), rtol=1e-10)
    topics = [t for t in table["topic"] if t is not None]
    assert stats["topic"]["nulls"] == N - len(topics)
    assert stats["topic"]["distinct"] == len(set(topics))
    out = run("stats", table["oc"], "--json")
    import json

    report = {c["name"]: c for c in json.loads(out.stdout)["columns"]}
    np.testing.assert_allclose(report["x3"]["variance"], table["X"][:, 3].var(), rtol=1e-10)


@pytest.mark.parametrize("columns", [["topic"], ["topic", "user"]])
def test_onehot_matches_sklearn_with_feature_names(table, columns):
    from sklearn.preprocessing import OneHotEncoder as SkOneHot

    from outcore.transform import OneHotEncoder

    values = np.array([[table[c][r] if table[c][r] is not None else "<null>" for c in columns] for r in range(N)],
                      dtype=object)
    # Per column, sklearn's categories are np.unique of its values; nulls are left out of them.
    cats = [np.unique(np.array([v for v in table[c] if v is not None], dtype=object)) for c in columns]
    sk = SkOneHot(categories=cats, handle_unknown="ignore").fit(values)
    expected = sk.transform(values)  # nulls are unseen: all-zero, as outcore encodes them
    ds = outcore.open(table["oc"])
    enc = OneHotEncoder().fit(ds, columns=columns)
    for ours, theirs in zip(enc.categories_, sk.categories_):
        assert list(ours) == list(theirs)
    assert list(enc.get_feature_names_out()) == list(sk.get_feature_names_out(columns))
    assert_same_csr(enc.transform(ds), expected)
    out = table["folder"] / "onehot.npz"
    run("onehot", table["oc"], "--columns", ",".join(columns), "-o", out)
    assert_same_csr(sp.load_npz(out), expected)
    names = [n.decode() for n in np.load(out)["feature_names"]]
    assert names == list(sk.get_feature_names_out(columns))


def test_onehot_unknown_values_error_or_ignore(table, tmp_path):
    from outcore.transform import OneHotEncoder

    small = tmp_path / "small.csv"
    small.write_text("topic\nfood\nfood\n")
    other = tmp_path / "small.oc"
    run("ingest", small, "-o", other)
    enc = OneHotEncoder().fit(outcore.open(other), columns=["topic"])
    with pytest.raises(ValueError, match="not among the fitted categories"):
        enc.transform(outcore.open(table["oc"]))
    X = enc.set_params(handle_unknown="ignore").transform(outcore.open(table["oc"]))
    np.testing.assert_array_equal(X.toarray()[:, 0], [1.0 if t == "food" else 0.0 for t in table["topic"]])
    out = tmp_path / "o.npz"
    result = run("onehot", table["oc"], "--columns", "topic", "--categories-from", other, "-o", out, check=False)
    assert result.returncode != 0 and "not among" in result.stderr and not out.exists()
