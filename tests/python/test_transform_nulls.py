"""--where / --nulls of the transform commands (and where= / nulls= in Python): each null policy
changes the result the way it says — drop counts fewer rows, mean puts the column mean in a
null's place, fail names the options — checked against numpy and scikit-learn."""

import json

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("pandas")
import pandas as pd
import scipy.sparse as sp
from sklearn.decomposition import PCA

import outcore
from conftest import run

N = 3001


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rng = np.random.default_rng(9)
    x = rng.normal(size=N) * 4 + 10
    y = x * 2 + rng.normal(size=N)
    z = rng.integers(0, 50, size=N)
    topic = rng.choice(["art", "food", "sport"], size=N).astype(object)
    frame = pd.DataFrame({
        "x": np.where(rng.random(N) < 0.04, np.nan, x),
        "y": np.where(rng.random(N) < 0.04, np.nan, y),
        "z": pd.array(np.where(rng.random(N) < 0.04, None, z), dtype="Int64"),
        "topic": np.where(rng.random(N) < 0.04, None, topic),
    })
    folder = tmp_path_factory.mktemp("nulls")
    csv = folder / "t.csv"
    frame.to_csv(csv, index=False)
    oc = folder / "t.oc"
    run("ingest", csv, "-o", oc, "--index", "topic")
    return {"oc": oc, "folder": folder, "frame": frame}


def stats(table, *args):
    out = run("stats", table["oc"], "--json", *args).stdout
    return {c["name"]: c for c in json.loads(out)["columns"]}


def test_stats_keep_drop_mean_fail(table):
    f = table["frame"]
    keep = stats(table, "--columns", "x,y")
    assert keep["x"]["count"] == f["x"].notna().sum() and keep["x"]["nulls"] == f["x"].isna().sum()

    drop = stats(table, "--columns", "x,y", "--nulls", "drop")
    complete = f.dropna(subset=["x", "y"])
    assert drop["x"]["count"] == drop["y"]["count"] == len(complete) < keep["x"]["count"]
    assert drop["x"]["nulls"] == 0
    assert drop["x"]["mean"] == pytest.approx(complete["x"].mean(), rel=1e-12)

    mean = stats(table, "--columns", "x", "--nulls", "mean")
    imputed = f["x"].fillna(f["x"].mean())
    assert mean["x"]["count"] == N and mean["x"]["nulls"] == 0
    assert mean["x"]["mean"] == pytest.approx(imputed.mean(), rel=1e-12)
    assert mean["x"]["variance"] == pytest.approx(imputed.var(ddof=0), rel=1e-10)
    assert mean["x"]["variance"] < keep["x"]["variance"]

    food = stats(table, "--columns", "x", "--where", "topic == 'food'", "--nulls", "drop")
    assert food["x"]["count"] == ((f["topic"] == "food") & f["x"].notna()).sum()

    failed = run("stats", table["oc"], "--columns", "x", "--nulls", "fail", check=False)
    assert failed.returncode == 1
    assert "--nulls drop" in failed.stderr and "--nulls mean" in failed.stderr
    assert '--where "x is not null"' in failed.stderr

    wrong = run("stats", table["oc"], "--nulls", "zero", check=False)
    assert wrong.returncode == 2 and "--nulls is 'drop', 'mean', 'fail' or 'keep', not 'zero'" in wrong.stderr


def test_python_column_stats_take_where_and_nulls(table):
    f = table["frame"]
    ds = outcore.open(table["oc"])
    got = outcore.column_stats(ds, ["z"], where="topic == 'art'", nulls="mean")["z"]
    art = f.loc[f["topic"] == "art", "z"].astype(float)
    assert got["count"] == len(art)
    assert got["mean"] == pytest.approx(art.mean(), rel=1e-12)
    assert got["variance"] == pytest.approx(art.fillna(art.mean()).var(ddof=0), rel=1e-10)
    with pytest.raises(ValueError, match=r'nulls="drop".*nulls="mean".*where="z is not null"'):
        outcore.column_stats(ds, ["z"], nulls="fail")


def load_model(path):
    with np.load(path) as m:
        return {k: m[k] for k in m.files}


def test_pca_fails_by_default_naming_the_options_and_drop_or_mean_match_sklearn(table):
    f, folder = table["frame"], table["folder"]
    model = folder / "m.npz"
    failed = run("pca", table["oc"], "--columns", "x,y,z", "-k", "2", "-o", model, check=False)
    assert failed.returncode == 1 and not model.exists()
    assert "is null in row" in failed.stderr
    for option in ("--nulls drop", "--nulls mean", "--where"):
        assert option in failed.stderr

    X = f[["x", "y", "z"]].astype(float)
    npy = folder / "X.npy"
    run("pca", table["oc"], "--columns", "x,y,z", "-k", "2", "-o", model, "--nulls", "drop", "--transform", npy)
    complete = X.dropna().to_numpy()
    sk = PCA(n_components=2, svd_solver="full").fit(complete)
    m = load_model(model)
    assert m["n_samples"] == len(complete)
    np.testing.assert_allclose(m["explained_variance"], sk.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(np.load(npy), sk.transform(complete), rtol=1e-7, atol=1e-9)

    run("pca", table["oc"], "--columns", "x,y,z", "-k", "2", "-o", model, "--nulls", "mean", "--transform", npy)
    imputed = X.fillna(X.mean()).to_numpy()
    sk = PCA(n_components=2, svd_solver="full").fit(imputed)
    m = load_model(model)
    assert m["n_samples"] == N
    np.testing.assert_allclose(m["mean"], X.mean().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(m["explained_variance"], sk.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(np.load(npy), sk.transform(imputed), rtol=1e-7, atol=1e-9)

    keep = run("pca", table["oc"], "--columns", "x", "-o", model, "--nulls", "keep", check=False)
    assert keep.returncode == 2 and "use drop, mean or fail" in keep.stderr


def test_hash_and_onehot_drop_rows_and_where(table):
    f, folder = table["frame"], table["folder"]
    out = folder / "H.npz"
    run("hash", table["oc"], "--columns", "x,topic", "-o", out, "--nulls", "drop", "--where", "z > 10")
    kept = f[f["x"].notna() & f["topic"].notna() & (f["z"] > 10).fillna(False)]
    assert sp.load_npz(out).shape[0] == len(kept)

    run("hash", table["oc"], "--columns", "x", "--n-features", "4", "--no-alternate-sign", "-o", out,
        "--nulls", "mean")
    X = sp.load_npz(out)
    nulls = f["x"].isna().to_numpy()
    np.testing.assert_allclose(np.asarray(X.sum(axis=1)).ravel()[nulls], f["x"].mean(), rtol=1e-12)

    out = folder / "O.npz"
    run("onehot", table["oc"], "--columns", "topic", "-o", out)
    assert sp.load_npz(out).shape[0] == N  # nulls are all-zero rows by default
    run("onehot", table["oc"], "--columns", "topic", "-o", out, "--nulls", "drop")
    assert sp.load_npz(out).shape[0] == sp.load_npz(out).nnz == f["topic"].notna().sum()
    mean = run("onehot", table["oc"], "--columns", "topic", "-o", out, "--nulls", "mean", check=False)
    assert mean.returncode == 2 and "numeric columns only" in mean.stderr


def test_normalize_mean_fills_nulls_and_drop_is_refused(table, tmp_path):
    f = table["frame"]
    out = tmp_path / "n.oc"
    run("normalize", table["oc"], "--columns", "x", "--method", "zscore", "--nulls", "mean", "-o", out)
    x = np.concatenate([np.ma.filled(b["x"], np.nan) for b in outcore.open(out).scan(columns=["x"])])
    imputed = f["x"].fillna(f["x"].mean()).to_numpy()
    np.testing.assert_allclose(x, (imputed - imputed.mean()) / imputed.std(), rtol=1e-9, atol=1e-12)
    assert np.all(x[f["x"].isna().to_numpy()] == pytest.approx(0, abs=1e-12))

    drop = run("normalize", table["oc"], "--columns", "x", "--nulls", "drop", "-o", out, check=False)
    assert drop.returncode == 2 and "cannot drop rows" in drop.stderr

    # where: the statistics come from the chosen rows, every row is scaled, nulls stay null.
    outcore.normalize_(table["oc"], "minmax", columns=["y"], where="topic == 'food'", out=out)
    y = np.concatenate([np.ma.filled(b["y"], np.nan) for b in outcore.open(out).scan(columns=["y"])])
    food = f.loc[f["topic"] == "food", "y"]
    np.testing.assert_allclose(y, (f["y"] - food.min()) / (food.max() - food.min()), rtol=1e-9)


def test_memory_limit_is_the_whole_process_like_cat(table, tmp_path):
    for command in (["stats"], ["pca", "--columns", "x", "-o", tmp_path / "m.npz"]):
        result = run(command[0], table["oc"], *command[1:], "--memory-limit", "32MiB", check=False)
        assert result.returncode == 2 and "too small: outcore needs at least 64MiB" in result.stderr
