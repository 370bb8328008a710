"""outcore's estimators behave like scikit-learn's: every check_estimator check, pickling (the
fitted estimators and a Dataset, by path), a Dataset as the X of a Pipeline, and OneHotEncoder on
arrays and DataFrames against sklearn's own."""

import pickle
import shutil

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("pandas")
import pandas as pd
from sklearn.decomposition import IncrementalPCA as SkPCA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder as SkOneHot
from sklearn.utils.estimator_checks import parametrize_with_checks

import outcore as oc

# Checks that cannot apply, with the reason; doc/transforms.md lists the same. (None today:
# scikit-learn itself skips check_array_api_input unless SCIPY_ARRAY_API=1, and the estimators
# do not claim array-API support: they compute in C++ on NumPy memory.)
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {"PCA": {}, "IncrementalPCA": {}, "OneHotEncoder": {}}


@parametrize_with_checks(
    [oc.PCA(), oc.IncrementalPCA(), oc.OneHotEncoder()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS[type(est).__name__],
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


N = 400


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """A .oc with numbers (some null), a dictionary string column (some null), and its values."""
    rng = np.random.default_rng(3)
    a = rng.normal(size=N) * 10
    b = a * 0.5 + rng.normal(size=N)
    c = rng.integers(0, 100, size=N).astype(float)
    topic = rng.choice(["art", "food", "sport", "tech"], size=N).astype(object)
    b_null = rng.random(N) < 0.05
    topic_null = rng.random(N) < 0.05
    frame = pd.DataFrame({"a": a, "b": np.where(b_null, np.nan, b), "c": c.astype(np.int64),
                          "topic": np.where(topic_null, None, topic)})
    folder = tmp_path_factory.mktemp("estimators")
    csv = folder / "t.csv"
    frame.to_csv(csv, index=False)
    path = folder / "t.oc"
    oc.ingest(csv, path)
    return path, frame


def test_dataset_pickles_by_path_and_reopens(table, tmp_path):
    path, frame = table
    ds = oc.open(path)
    back = pickle.loads(pickle.dumps(ds))
    assert back is not ds and back.path == ds.path
    assert back.num_rows == N and back.schema == ds.schema
    a = np.concatenate([np.asarray(batch["a"]) for batch in back.scan(columns=["a"])])
    np.testing.assert_array_equal(a, frame["a"].to_numpy())


def test_unpickling_a_moved_or_replaced_dataset_says_which_file(table, tmp_path):
    path, _ = table
    copy = tmp_path / "copy.oc"
    shutil.copy(path, copy)
    blob = pickle.dumps(oc.open(copy))
    moved = tmp_path / "moved.oc"
    copy.rename(moved)
    with pytest.raises(FileNotFoundError, match=r"copy\.oc is not there \(moved or deleted"):
        pickle.loads(blob)
    # Another file at the path: refused, naming what the pickle expected.
    csv = tmp_path / "other.csv"
    csv.write_text("a\n1\n2\n")
    oc.ingest(csv, copy)
    with pytest.raises(ValueError, match=r"is not the file that was pickled \(it had 400 rows"):
        pickle.loads(blob)


def test_fitted_estimators_pickle_with_equal_results(table):
    path, frame = table
    ds = oc.open(path)
    X = np.random.default_rng(0).normal(size=(300, 6))
    for pca in (oc.IncrementalPCA(n_components=3, batch_size=50).fit(X),
                oc.IncrementalPCA(n_components=2, columns=["a", "b", "c"], nulls="mean").fit(ds)):
        back = pickle.loads(pickle.dumps(pca))  # the C++ model is rebuilt from the attributes
        for name in ("components_", "explained_variance_", "singular_values_", "mean_", "var_"):
            np.testing.assert_array_equal(getattr(back, name), getattr(pca, name))
        if pca.columns is None:
            Y = np.random.default_rng(1).normal(size=(20, pca.n_features_in_))
            np.testing.assert_array_equal(back.transform(Y), pca.transform(Y))
        else:
            np.testing.assert_array_equal(back.transform(ds), pca.transform(ds))
    # partial_fit goes on from the unpickled state exactly as from the original.
    pca = oc.IncrementalPCA(n_components=3).partial_fit(X[:100])
    back = pickle.loads(pickle.dumps(pca))
    pca.partial_fit(X[100:])
    back.partial_fit(X[100:])
    np.testing.assert_array_equal(back.components_, pca.components_)

    enc = oc.OneHotEncoder(handle_unknown="ignore").fit(frame[["topic"]].fillna("none"))
    back = pickle.loads(pickle.dumps(enc))
    rows = frame[["topic"]].fillna("none")
    assert (back.transform(rows) != enc.transform(rows)).nnz == 0
    enc = oc.OneHotEncoder(columns=["topic"]).fit(ds)
    back = pickle.loads(pickle.dumps(enc))
    assert (back.transform(ds) != enc.transform(ds)).nnz == 0

    hasher = oc.FeatureHasher(n_features=64, input_type="string").fit()
    back = pickle.loads(pickle.dumps(hasher))
    samples = [["a", "b"], ["c"]]
    assert (back.transform(samples) != hasher.transform(samples)).nnz == 0


def test_pipeline_takes_a_dataset_as_x(table):
    path, frame = table
    ds = oc.open(path)
    y = frame["c"].to_numpy(dtype=float)
    ours = Pipeline([("pca", oc.IncrementalPCA(n_components=2, columns=["a", "b"], nulls="mean")),
                     ("lr", LinearRegression())]).fit(ds, y)
    # The same thing in scikit-learn, on the matrix: mean imputation, then PCA, then regression.
    theirs = make_pipeline(SimpleImputer(strategy="mean"), SkPCA(n_components=2), LinearRegression())
    theirs.fit(frame[["a", "b"]].to_numpy(), y)
    np.testing.assert_allclose(ours.predict(ds), theirs.predict(frame[["a", "b"]].to_numpy()), rtol=1e-8)
    assert list(ours.named_steps["pca"].feature_names_in_) == ["a", "b"]

    # One-hot of a Dataset's dictionary column feeding a regression, nulls all-zero.
    pipe = Pipeline([("onehot", oc.OneHotEncoder(columns=["topic"])), ("lr", LinearRegression())]).fit(ds, y)
    topics = frame[["topic"]].to_numpy(dtype=object)
    sk = SkOneHot(handle_unknown="ignore").fit(topics[~pd.isna(topics[:, 0])])
    ref = LinearRegression().fit(sk.transform(np.where(pd.isna(topics), "?", topics)), y)
    np.testing.assert_allclose(pipe.predict(ds), ref.predict(sk.transform(np.where(pd.isna(topics), "?", topics))),
                               rtol=1e-8, atol=1e-8)


def test_pca_dataset_columns_come_from_fit_then_the_parameter_then_all_numeric(table):
    path, _ = table
    ds = oc.open(path)
    assert list(oc.IncrementalPCA(columns=["a", "c"]).fit(ds).feature_names_in_) == ["a", "c"]
    assert list(oc.IncrementalPCA(columns=["a", "c"]).fit(ds, columns=["c"]).feature_names_in_) == ["c"]
    assert list(oc.IncrementalPCA(nulls="drop").fit(ds).feature_names_in_) == ["a", "b", "c"]


@pytest.mark.parametrize("handle_unknown", ["error", "ignore"])
def test_onehot_on_arrays_and_dataframes_matches_sklearn(handle_unknown):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"city": rng.choice(["Oslo", "Bergen", "Ålesund"], 200),
                          "size": rng.choice([1, 2, 10], 200), "score": rng.choice([0.5, 1.5], 200)})
    ours = oc.OneHotEncoder(handle_unknown=handle_unknown).fit(frame)
    theirs = SkOneHot(handle_unknown=handle_unknown).fit(frame)
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    for got, want in zip(ours.categories_, theirs.categories_):
        np.testing.assert_array_equal(got, want)
    assert (ours.transform(frame) != theirs.transform(frame)).nnz == 0
    array = frame[["city"]].to_numpy()
    ours, theirs = oc.OneHotEncoder(handle_unknown=handle_unknown).fit(array), SkOneHot(
        handle_unknown=handle_unknown).fit(array)
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())  # x0_Bergen, ...
    unseen = np.array([["Oslo"], ["Trondheim"]], dtype=object)
    if handle_unknown == "error":
        with pytest.raises(ValueError, match="Found unknown categories \\['Trondheim'\\] in column 0"):
            ours.transform(unseen)
    else:
        np.testing.assert_array_equal(ours.transform(unseen).toarray(), theirs.transform(unseen).toarray())


def test_onehot_missing_values_are_all_zero_or_an_error():
    X = np.array([["a"], [None], ["b"], [np.nan]], dtype=object)
    enc = oc.OneHotEncoder().fit(X)
    assert list(enc.categories_[0]) == ["a", "b"]
    np.testing.assert_array_equal(enc.transform(X).toarray(), [[1, 0], [0, 0], [0, 1], [0, 0]])
    with pytest.raises(ValueError, match="column 0 is missing a value in row 1: pass nulls='keep'"):
        oc.OneHotEncoder(nulls="fail").fit(X)
    with pytest.raises(ValueError, match="drop applies to an outcore Dataset"):
        oc.OneHotEncoder(nulls="drop").fit(X)


def test_transforms_of_a_dataset_take_where_and_nulls_in_python_spelling(table):
    path, frame = table
    ds = oc.open(path)
    with pytest.raises(ValueError, match=r"column 'b' is null in row \d+: pass nulls=\"drop\" .*nulls=\"mean\""):
        oc.IncrementalPCA(n_components=2).fit(ds, columns=["a", "b"])
    complete = frame.dropna(subset=["a", "b"])
    pca = oc.IncrementalPCA(n_components=2).fit(ds, columns=["a", "b"], nulls="drop")
    assert pca.n_samples_seen_ == len(complete)
    sk = SkPCA(n_components=2).fit(complete[["a", "b"]].to_numpy())
    np.testing.assert_allclose(pca.explained_variance_, sk.explained_variance_, rtol=1e-9)
    assert pca.transform(ds).shape == (len(complete), 2)  # transform reads the same rows

    food = frame[frame["topic"] == "food"]
    pca = oc.IncrementalPCA(n_components=2, where="topic == 'food'", nulls="mean").fit(ds, columns=["a", "b"])
    imputed = food[["a", "b"]].fillna(food["b"].mean()).to_numpy()
    sk = SkPCA(n_components=2).fit(imputed)
    np.testing.assert_allclose(pca.mean_, sk.mean_, rtol=1e-12)
    np.testing.assert_allclose(pca.explained_variance_, sk.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(np.abs(pca.transform(ds)), np.abs(sk.transform(imputed)), rtol=1e-7, atol=1e-9)

    enc = oc.OneHotEncoder(columns=["topic"], nulls="drop", where="a > 0").fit(ds)
    kept = frame[(frame["a"] > 0) & frame["topic"].notna()]
    assert enc.transform(ds).shape[0] == len(kept)
    assert enc.transform(ds).nnz == len(kept)

    hashed = oc.FeatureHasher(n_features=8, alternate_sign=False).transform_dataset(ds, ["b"], nulls="mean")
    nulls = frame["b"].isna().to_numpy()
    np.testing.assert_allclose(np.asarray(hashed.sum(axis=1)).ravel()[nulls], frame["b"].mean())
