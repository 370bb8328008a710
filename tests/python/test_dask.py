"""outcore.dask: .oc files (and folders of parts) as Dask DataFrames, ingest on a cluster, and
the estimators fitted on Dask DataFrames, against single-process results.

The cluster tests start a real scheduler: distributed.LocalCluster with two worker processes of
one thread each and a memory limit, and read each worker's peak from the worker itself.
"""

import os

import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
import pytest

import outcore
from outcore import dask as ocd

ROWS = 6000
TOPICS = ["food", "fashion", "travel", "sport", "music"]


def write_csv(path, rows, start=0, seed=0, topics=TOPICS):
    rng = np.random.default_rng(seed)
    ids = np.arange(start, start + rows)
    topic = rng.choice(topics, rows)
    price = np.round(rng.gamma(2.0, 30.0, rows), 2).astype(object)
    price[rng.random(rows) < 0.05] = ""  # nulls
    score = rng.normal(0, 1, rows)
    quantity = rng.integers(0, 50, rows)
    with open(path, "w") as f:
        f.write("id,topic,price,score,quantity\n")
        for row in zip(ids, topic, price, score, quantity):
            f.write(",".join(str(v) for v in row) + "\n")
    return path


@pytest.fixture(scope="module")
def oc_file(tmp_path_factory):
    """A file of several chunks (a small block size), sorted by id."""
    d = tmp_path_factory.mktemp("dask")
    csv = write_csv(d / "a.csv", ROWS)
    out = d / "a.oc"
    outcore.ingest(csv, out, block_size="64KiB", index=["topic"])
    ds = outcore.open(out)
    assert ds.num_chunks >= 4, ds.num_chunks
    return out


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, memory_limit="1GiB",
                                  dashboard_address=None) as lc, distributed.Client(lc) as client:
        yield client


def frames_equal(got, expected):
    got = got.reset_index(drop=True)
    expected = expected.reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=True, check_categorical=True)


# --- read_oc -----------------------------------------------------------------------------------


def test_read_oc_partitions_equal_to_pandas(oc_file):
    ds = outcore.open(oc_file)
    ddf = ocd.read_oc(oc_file, partition_rows=1000)
    assert ddf.npartitions >= 4
    # meta: the file's own dtypes (category with the file's categories, narrow ints)
    expected = ds.to_pandas()
    assert dict(ddf.dtypes) == dict(expected.dtypes)
    assert list(ddf.dtypes["topic"].categories) == list(ds.categories("topic"))
    frames_equal(ddf.compute(scheduler="sync"), expected)


def test_read_oc_projection_reaches_the_read(oc_file):
    ddf = ocd.read_oc(oc_file, partition_rows=1000)
    projected = ddf[["price"]].optimize(fuse=False)
    # Dask's optimizer hands the projection to the read: the partition function gets columns=["price"].
    reads = [e for e in projected.expr.walk() if type(e).__name__.startswith("FromMap")]
    assert reads and list(reads[0].operand("columns")) == ["price"]
    got = projected.compute(scheduler="sync")
    frames_equal(got, outcore.open(oc_file).to_pandas(["price"]))


def test_read_oc_where_prunes_partitions(oc_file):
    ds = outcore.open(oc_file)
    everything = ocd.read_oc(oc_file, partition_rows=1000)
    where = "id < 1500"
    pruned = ocd.read_oc(oc_file, where=where, partition_rows=1000)
    assert pruned.npartitions < everything.npartitions
    frames_equal(pruned.compute(scheduler="sync"), ds.to_pandas(where=where))
    # a where answered by the index: rows equal too
    topic = ocd.read_oc(oc_file, columns=["id", "topic"], where="topic == 'food'", partition_rows=1000)
    frames_equal(topic.compute(scheduler="sync"), ds.to_pandas(["id", "topic"], where="topic == 'food'"))
    # nothing can match: an empty frame with the schema
    none = ocd.read_oc(oc_file, where="id > 99999999")
    assert len(none.compute(scheduler="sync")) == 0
    assert dict(none.dtypes) == dict(ds.to_pandas(chunks=(0, 0)).dtypes)


def test_read_oc_index_gives_divisions(oc_file):
    ds = outcore.open(oc_file)
    ddf = ocd.read_oc(oc_file, columns=["price", "topic"], index="id", partition_rows=1000)
    assert ddf.known_divisions
    assert ddf.divisions[0] == 0 and ddf.divisions[-1] == ROWS - 1
    expected = ds.to_pandas(["id", "price", "topic"]).set_index("id")
    pd.testing.assert_frame_equal(ddf.compute(scheduler="sync"), expected)
    # loc on the index reads only the partitions that hold it
    part = ddf.loc[2000:2100]
    assert part.npartitions < ddf.npartitions
    pd.testing.assert_frame_equal(part.compute(scheduler="sync"), expected.loc[2000:2100])
    # an unsorted column: no divisions, same rows
    unsorted = ocd.read_oc(oc_file, columns=["id"], index="quantity", partition_rows=1000)
    assert not unsorted.known_divisions


def test_read_oc_bad_arguments(oc_file):
    with pytest.raises(ValueError, match="no column 'nope'"):
        ocd.read_oc(oc_file, columns=["nope"])
    with pytest.raises(ValueError, match="partition_rows"):
        ocd.read_oc(oc_file, partition_rows=0)
    with pytest.raises(ValueError, match="blank"):
        ocd.read_oc(oc_file, where="  ")


def test_chunk_span_scans(oc_file):
    ds = outcore.open(oc_file)
    n = ds.num_chunks
    whole = ds.to_pandas()
    halves = [ds.to_pandas(chunks=(0, n // 2)), ds.to_pandas(chunks=(n // 2, n))]
    frames_equal(pd.concat(halves), whole)
    assert ds.count(chunks=(0, 1)) + ds.count(chunks=(1, n)) == ds.num_rows
    assert ds.count("topic == 'food'", chunks=(0, n)) == ds.count("topic == 'food'")
    with pytest.raises(ValueError, match="not within"):
        ds.to_pandas(chunks=(0, n + 1))
    with pytest.raises(TypeError, match="pair"):
        ds.to_pandas(chunks=3)
    assert "chunks 1 to 2 of" in ds.explain("id >= 0", chunks=(1, 3))
    assert sum(b.num_rows for b in ds.scan(where="id >= 0", chunks=(1, 3))) == ds.count(chunks=(1, 3))


# --- estimators on Dask DataFrames -------------------------------------------------------------


def test_pca_on_dask_equals_single_process(oc_file):
    ds = outcore.open(oc_file)
    columns = ["price", "score", "quantity"]
    ddf = ocd.read_oc(oc_file, columns=columns, where="price is not null", partition_rows=700)
    assert ddf.npartitions >= 4
    with_dask = outcore.PCA(n_components=2).fit(ddf)
    single = outcore.PCA(n_components=2).fit(ds, columns=columns, where="price is not null")
    for name in ("components_", "explained_variance_", "mean_", "singular_values_"):
        np.testing.assert_allclose(getattr(with_dask, name), getattr(single, name), rtol=1e-10, atol=1e-12)
    assert with_dask.n_samples_ == single.n_samples_
    assert list(with_dask.feature_names_in_) == columns
    # a null is an error, or dropped when asked
    nulls = ocd.read_oc(oc_file, columns=columns, partition_rows=700)
    with pytest.raises(ValueError):
        outcore.PCA(n_components=2).fit(nulls)
    dropped = outcore.PCA(n_components=2).fit(nulls, nulls="drop")
    np.testing.assert_allclose(dropped.components_, single.components_, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="partition"):
        outcore.PCA(n_components=2).fit(nulls, nulls="mean")


def test_incremental_pca_on_dask_equals_single_process(oc_file):
    ds = outcore.open(oc_file)
    columns = ["score", "quantity"]
    ddf = ocd.read_oc(oc_file, columns=columns, partition_rows=700)
    for batch_size in (None, 333, 1000):
        with_dask = outcore.IncrementalPCA(n_components=2, batch_size=batch_size).fit(ddf)
        single = outcore.IncrementalPCA(n_components=2, batch_size=batch_size).fit(ds, columns=columns)
        for name in ("components_", "explained_variance_", "mean_", "var_"):
            np.testing.assert_allclose(getattr(with_dask, name), getattr(single, name), rtol=1e-10, atol=1e-12)
        assert with_dask.n_samples_seen_ == single.n_samples_seen_ == ds.num_rows


def test_onehot_on_dask_unions_categories(tmp_path):
    # partitions with different categories: the union, sorted as np.unique sorts
    frame = pd.DataFrame({"topic": ["b", "a", "c", "a", "d", None], "n": [1, 2, 3, 4, 5, 6]})
    ddf = dd.from_pandas(frame, npartitions=3)
    enc = outcore.OneHotEncoder().fit(ddf, columns=["topic"])
    single = outcore.OneHotEncoder().fit(frame[["topic"]].to_numpy(dtype=object))
    assert [list(c) for c in enc.categories_] == [list(c) for c in single.categories_] == [["a", "b", "c", "d"]]
    with pytest.raises(ValueError, match="missing"):
        outcore.OneHotEncoder(nulls="fail").fit(ddf, columns=["topic"])


def test_column_stats_on_dask(oc_file):
    ds = outcore.open(oc_file)
    ddf = ocd.read_oc(oc_file, partition_rows=700)
    got = ocd.column_stats(ddf, ["price", "score", "quantity", "topic"])
    expected = outcore.transform.column_stats(ds, ["price", "score", "quantity", "topic"])
    for name in ("price", "score", "quantity"):
        for key in ("count", "nulls", "nans"):
            assert got[name][key] == expected[name][key], (name, key)
        for key in ("min", "max", "mean", "variance"):
            assert got[name][key] == pytest.approx(expected[name][key], rel=1e-10), (name, key)
    assert got["topic"]["count"] == expected["topic"]["count"]
    assert got["topic"]["nulls"] == expected["topic"]["nulls"]


def test_feature_hasher_on_dask(oc_file):
    ds = outcore.open(oc_file)
    ddf = ocd.read_oc(oc_file, columns=["topic", "quantity"], partition_rows=1000)
    hasher = outcore.FeatureHasher(n_features=64)
    blocks = hasher.transform(ddf)
    got = blocks.compute(scheduler="sync")
    expected = hasher.transform_dataset(ds, ["topic", "quantity"])
    assert got.shape == expected.shape
    assert (got != expected).nnz == 0


# --- on a real scheduler ---------------------------------------------------------------------


# Pins each worker's peak resident size (and starts worker processes, which under the ASan
# preload would carry its shadow memory): deselected under ASan with the other rss tests.
@pytest.mark.rss
def test_cluster_ingest_read_and_fit(cluster, tmp_path):
    inputs = [write_csv(tmp_path / f"in{i}.csv", 2000, start=2000 * i, seed=i) for i in range(3)]
    folder = tmp_path / "logs.ocd"
    report = ocd.ingest([str(p) for p in inputs], folder, client=cluster, memory_limit="128MiB")
    assert report["rows_read"] == report["rows_kept"] + report["rows_rejected"] == 6000
    assert len(report["parts"]) == 3
    for part in report["parts"]:
        assert os.path.exists(part["part"])
        assert 0 < part["worker_peak_rss"] < (1 << 30)
    ds = outcore.open(folder)
    assert ds.num_rows == 6000
    ddf = ocd.read_oc(folder, columns=["id", "topic", "price"])
    assert ddf.npartitions >= 3
    got = ddf.compute().sort_values("id")
    single = outcore.ingest([str(p) for p in inputs], tmp_path / "one.oc")
    assert single["rows_kept"] == 6000
    expected = outcore.open(tmp_path / "one.oc").to_pandas(["id", "topic", "price"])
    np.testing.assert_array_equal(got["id"].to_numpy(), expected["id"].to_numpy())
    np.testing.assert_array_equal(got["topic"].astype(str).to_numpy(), expected["topic"].astype(str).to_numpy())
    np.testing.assert_array_equal(got["price"].to_numpy(dtype=float, na_value=np.nan),
                                  expected["price"].to_numpy(dtype=float, na_value=np.nan))
    # the groupby the benchmark runs
    means = ddf.groupby("topic", observed=True).price.mean().compute()
    pd.testing.assert_series_equal(means.sort_index(), expected.groupby("topic", observed=True).price.mean()
                                   .sort_index(), check_names=False, rtol=1e-12)
    # distributed PCA over the parts equals the single-process one
    columns = ["score", "quantity"]
    with_dask = outcore.PCA(n_components=2).fit(ocd.read_oc(folder, columns=columns))
    alone = outcore.PCA(n_components=2).fit(outcore.open(tmp_path / "one.oc"), columns=columns)
    np.testing.assert_allclose(with_dask.components_, alone.components_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(with_dask.explained_variance_, alone.explained_variance_, rtol=1e-10)
    # every worker reports its own peak
    peaks = ocd.worker_peaks(cluster)
    assert len(peaks) == 2 and all(0 < p < (1 << 30) for p in peaks.values())


@pytest.mark.rss  # a cluster of worker processes, as above
def test_cluster_ingest_failure_leaves_folder_as_it_was(cluster, tmp_path):
    folder = tmp_path / "logs.ocd"
    ocd.ingest([str(write_csv(tmp_path / "ok.csv", 500))], folder, client=cluster)
    before = sorted(os.listdir(folder))
    rows = outcore.open(folder).num_rows
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"PAR1" + os.urandom(256))  # a Parquet-looking file: refused by the ingest
    good = write_csv(tmp_path / "good.csv", 500, start=500)
    with pytest.raises(RuntimeError, match=r"bad\.csv"):
        ocd.ingest([str(good), str(bad)], folder, client=cluster)
    assert sorted(os.listdir(folder)) == before
    assert outcore.open(folder).num_rows == rows
