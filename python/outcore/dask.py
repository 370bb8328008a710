"""outcore inside Dask: the same data sets and the same calls, on many workers (doc/scaling.md).

``pip install ".[dask]"`` (dask[dataframe] and distributed) is all it takes; nothing here is
imported by ``import outcore``.

- ``read_oc(path, columns, where, partition_rows, index)``: a .oc file, or a folder of parts
  (``outcore ingest ... -o logs.ocd/ --parts``), as a ``dask.dataframe.DataFrame``. One partition
  per part, or per group of a part's chunks; columns that Dask's optimizer projects are the only
  ones read; ``where`` is pushed into the read (parts and chunks it rules out by their
  statistics and indexes are not read at all, and are not partitions); ``meta`` has the file's
  dtypes (category with the file's categories, narrow ints); with ``index=`` a column the chunks
  are sorted by gives known ``divisions``.
- ``ingest(files, folder, client=None, memory_limit=...)``: one ingest task per input file, on
  the workers, each inside its own budget; the manifest is written once every part is done. A
  failure removes the parts this call wrote and leaves the manifest as it was.
- The estimators take a Dask DataFrame as they take an array: ``oc.PCA().fit(ddf)`` fits each
  partition on its worker and merges the moments (Chan's update), ``OneHotEncoder().fit(ddf)``
  unions the categories, ``IncrementalPCA().fit(ddf)`` feeds the partitions in order (it is
  sequential by definition), ``FeatureHasher().transform(ddf)`` gives a Dask array of CSR
  blocks, and ``column_stats(ddf)`` merges per-partition statistics. Results equal the
  single-process ones.

Each task runs the C++ engine on its worker; this module only plans partitions and merges
states.
"""

from __future__ import annotations

import glob
import os
import secrets
from collections.abc import Iterable, Sequence

import numpy as np

import outcore as _oc

from . import _core

__all__ = ["read_oc", "ingest", "column_stats", "worker_peaks"]

# The decoded bytes a partition aims at when partition_rows is not given: large enough that a
# task's overhead is small next to its work, small enough for many partitions per worker.
_PARTITION_BYTES = 128 << 20


def _dd():
    try:
        import dask.dataframe as dd
    except ImportError as e:  # pragma: no cover - the extra is installed with the project
        raise ImportError('outcore.dask needs dask: pip install "outcore[dask]"') from e
    return dd


def is_dask_collection(X) -> bool:
    """Whether X is a Dask collection (checked without importing dask)."""
    return hasattr(X, "__dask_graph__") and callable(getattr(X, "__dask_graph__", None))


# --- reading ---------------------------------------------------------------------------------


def _parts_of(ds) -> list[dict]:
    parts = getattr(ds, "parts", None)
    if parts:
        return list(parts)
    return [{"path": ds.path, "rows": ds.num_rows, "chunks": ds.num_chunks}]


def _bound(text, kind):
    """A chunk's min/max as text (ChunkRange) as a value of the index's dtype."""
    if text is None:
        return None
    if kind in ("int64", "bool"):
        return int(text) if kind == "int64" else text == "true"
    if kind == "float64":
        return float(text)
    if kind == "date":
        return np.datetime64(text, "s")
    if kind == "timestamp":
        return np.datetime64(text.replace(" ", "T").rstrip("Z"), "us")
    return text


def _pieces_of_part(part_ds, where, wanted_rows, index):
    """The partitions of one part: (path, begin, end, min, max) spans of whole chunks with about
    ``wanted_rows`` candidate rows each; chunks that `where` rules out are in no span."""
    chunks = _core.describe_chunks(part_ds._core, index)
    if where is not None:
        keep = set(part_ds._scanner(None, 1 << 20, None, where, True, True, None, count_only=True).chunks_to_read())
    else:
        keep = set(range(len(chunks)))
    kind = part_ds.schema[index] if index is not None else None
    pieces, begin, last, rows, lo, hi, sortable = [], None, -1, 0, None, None, True

    def close(end):
        pieces.append((part_ds.path, begin, end, lo, hi))

    for c, (_, chunk_rows, nulls, cmin, cmax) in enumerate(chunks):
        if c not in keep:
            continue
        if begin is not None and rows + chunk_rows > wanted_rows:
            close(last + 1)
            begin, rows, lo, hi = None, 0, None, None
        if begin is None:
            begin = c
        last = c
        rows += chunk_rows
        if index is not None:
            if nulls or cmin is None or cmax is None:
                sortable = False
            else:
                vmin, vmax = _bound(cmin, kind), _bound(cmax, kind)
                lo = vmin if lo is None or vmin < lo else lo
                hi = vmax if hi is None or vmax > hi else hi
    if begin is not None:
        close(last + 1)
    return pieces, sortable


def _divisions(pieces):
    """Known divisions when every partition's index range is known and lies strictly after the
    previous one's (Dask's divisions are partition bounds), else None."""
    if not pieces or any(p[3] is None for p in pieces):
        return None
    for before, after in zip(pieces, pieces[1:]):
        if not before[4] < after[3]:
            return None
    return tuple([p[3] for p in pieces] + [pieces[-1][4]])


def _conform(df, meta):
    """A partition's frame with ``meta``'s dtypes: parts ingested apart narrow their integers and
    code their categories each their own way; the Dask frame has one dtype per column."""
    for name, dtype in meta.dtypes.items():
        if name not in df.columns or df[name].dtype == dtype:
            continue
        if getattr(dtype, "name", "") == "category" and getattr(df[name].dtype, "name", "") == "category":
            # The union holds every part's categories: remap the codes (a take on integers), not the
            # strings.
            df[name] = df[name].cat.set_categories(dtype.categories)
        elif getattr(dtype, "name", "") == "category":
            import pandas as pd

            df[name] = pd.Categorical(df[name], dtype=dtype)
        else:
            df[name] = df[name].astype(dtype)
    return df


def _read_piece(piece, columns=None, *, where, dtypes, index, memory_limit, conform_to):
    """One partition: chunks ``begin <= c < end`` of one .oc file, as a pandas DataFrame."""
    path, begin, end = piece[0], piece[1], piece[2]
    meta = conform_to
    if columns is None:
        columns = [c for c in meta.columns]
    names = list(columns)
    if index is not None and index not in names:
        names = [index, *names]
    df = _oc.open(path).to_pandas(names, where=where, dtypes=dtypes, memory_limit=memory_limit, chunks=(begin, end))
    if index is not None:
        df = df.set_index(index)
        meta = meta[[c for c in columns if c in meta.columns]]
    return _conform(df[list(columns)] if list(df.columns) != list(columns) else df, meta)


def _meta_of(ds, parts, names, dtypes, index):
    """The empty frame every partition conforms to: the file's dtypes; for parts, integers
    widened to hold every part and categories unioned (in the folder's order when it has one)."""
    import pandas as pd

    if len(parts) == 1 and parts[0]["path"] == ds.path:
        metas = [ds.to_pandas(names, dtypes=dtypes, chunks=(0, 0))]
    else:
        metas = [_oc.open(p["path"]).to_pandas(names, dtypes=dtypes, chunks=(0, 0)) for p in parts]
    meta = metas[0]
    for name in names:
        kinds = [m[name].dtype for m in metas]
        if all(k == kinds[0] for k in kinds):
            continue
        if all(getattr(k, "name", "") == "category" for k in kinds):
            seen = dict.fromkeys(v for k in kinds for v in k.categories)
            meta[name] = pd.Categorical([], categories=pd.Index(list(seen), dtype=object))
        else:
            meta[name] = meta[name].astype(_common(kinds))
    if index is not None:
        meta = meta.set_index(index)
    return meta


def _common(dtypes):
    """The dtype that holds each of ``dtypes`` exactly (int8 + int32 -> int32, Int8 + int64 ->
    Int64), as pandas finds it."""
    from pandas.core.dtypes.cast import find_common_type

    return find_common_type(list(dtypes))


def read_oc(
    path: str | os.PathLike,
    columns: Sequence[str] | None = None,
    where: str | None = None,
    partition_rows: int | None = None,
    index: str | None = None,
    dtypes: str = "compact",
    memory_limit: str | int | None = None,
):
    """A .oc file or a folder of parts as a ``dask.dataframe.DataFrame``.

    Partitions are whole chunks of one part (``partition_rows`` candidate rows each at most,
    whole chunks always; default: about 128 MiB of decoded columns). ``columns`` picks columns
    (Dask's optimizer narrows them further: ``read_oc(p)[["a"]]`` reads only ``a``); ``where``
    (doc/query.md) is applied in each read, and parts and chunks it rules out are not partitions
    at all. ``index``: a column to index the frame by; when each partition's range of it (from
    the chunks' statistics) lies after the previous one's, ``divisions`` are known, so
    ``loc``, joins and ``set_index`` on it need no shuffle. ``dtypes`` and ``memory_limit`` (each
    task's scan budget) as in ``Dataset.to_pandas``.

    >>> ddf = read_oc("sample.oc", columns=["topic", "price"], where="price > 0")  # doctest: +SKIP
    >>> ddf.groupby("topic").price.mean().compute()  # doctest: +SKIP
    """
    dd = _dd()
    ds = _oc.open(path)
    names = list(ds.schema) if columns is None else [columns] if isinstance(columns, str) else list(columns)
    for name in names + ([index] if index is not None else []):
        if name not in ds.schema:
            raise ValueError(f"no column {name!r} in {ds.path}; its columns are: {', '.join(ds.schema)}")
    if where is not None and not where.strip():
        raise ValueError("where is blank: leave it out (None) to read every row")
    parts = _parts_of(ds)
    if where is not None and len(parts) > 1 and hasattr(ds, "part_candidates"):
        chosen = [parts[i] for i in ds.part_candidates(where)]
    else:
        chosen = parts
    if partition_rows is None:
        info = {c["name"]: c for c in ds.info()["columns"]}
        per_row = sum(info[n]["decoded_bytes"] for n in set(names) | ({index} - {None})) / max(1, ds.num_rows)
        partition_rows = max(1, int(_PARTITION_BYTES / max(per_row, 1.0)))
    elif not isinstance(partition_rows, (int, np.integer)) or partition_rows < 1:
        raise ValueError(f"partition_rows must be a positive number of rows, not {partition_rows!r}")
    pieces, sortable = [], True
    for part in chosen:
        part_ds = ds if part["path"] == ds.path else _oc.open(part["path"])
        found, part_sortable = _pieces_of_part(part_ds, where, int(partition_rows), index)
        pieces += found
        sortable = sortable and part_sortable
    meta_names = names if index is None or index in names else [index, *names]
    meta = _meta_of(ds, parts, meta_names, dtypes, index)
    if index is not None and index in names:
        names = [n for n in names if n != index]
    meta = meta[names]
    if not pieces:
        # Nothing can match: one empty partition keeps the frame's schema.
        pieces = [(parts[0]["path"], 0, 0, None, None)]
    divisions = _divisions(pieces) if index is not None and sortable else None
    return dd.from_map(
        _read_piece,
        pieces,
        columns=names,
        where=where,
        dtypes=dtypes,
        index=index,
        memory_limit=memory_limit,
        conform_to=meta,
        meta=meta,
        divisions=divisions,
        label="read-oc",
        enforce_metadata=False,
    )


# --- ingest ----------------------------------------------------------------------------------


def _expand(files) -> list[str]:
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    out = []
    for pattern in files:
        pattern = os.fspath(pattern)
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise FileNotFoundError(f"no file matches {pattern!r}")
        out += matches
    if not out:
        raise ValueError("ingest needs at least one input file")
    return out


def _ingest_part(source, part, reject, memory_limit, options):
    """One task: `source` into the part file `part` (written atomically by the engine), with this
    worker's budget; returns the report and the worker's peak resident size."""
    report = _oc.ingest(source, part, memory_limit=memory_limit, reject=reject, **options)
    report["input"] = source
    report["part"] = part
    report["reject_file"] = reject
    report["worker_peak_rss"] = _oc.memory.peak()
    return report


def _part_name(source: str, n: int) -> str:
    stem = os.path.basename(source).split(".")[0] or "part"
    return f"part-{n:05d}-{stem}-{secrets.token_hex(4)}.oc"


def ingest(
    files: str | os.PathLike | Iterable[str | os.PathLike],
    output_folder: str | os.PathLike,
    client=None,
    memory_limit: str | int | None = None,
    rejects: bool = True,
    **options,
) -> dict:
    """Ingest many CSV files into a folder of parts on a Dask cluster: one task per file.

    ``files``: paths or glob patterns (``"logs/*.csv.gz"``). Each task runs ``outcore.ingest``
    on its worker with ``memory_limit`` (that worker's budget; keep it under the worker's own
    memory limit divided by its threads) and the other ``options`` of ``outcore.ingest``
    (``schema``, ``index``, ...). ``rejects=True`` gives each part a rejects CSV beside it
    (``<part>.rejects.csv``). ``client``: a ``distributed.Client`` (default: the current one, or
    Dask's local scheduler when there is none).

    The folder's manifest is written once, after every task succeeded, adding the new parts to
    those already there. If a task fails, the parts this call wrote are removed, the manifest is
    left as it was, and the error names the input. Returns the merged report: ``rows_read``,
    ``rows_kept``, ``rows_rejected`` summed, and ``parts``, one report per input (with ``input``,
    ``part``, ``reject_file`` and ``worker_peak_rss``).
    """
    import dask

    sources = _expand(files)
    folder = os.fspath(output_folder)
    os.makedirs(folder, exist_ok=True)
    if client is None:
        try:
            from distributed import get_client

            client = get_client()
        except (ImportError, ValueError):
            client = None
    already = len(_parts_of(_oc.open(folder))) if _has_manifest(folder) else 0
    parts = [os.path.join(os.path.abspath(folder), _part_name(s, already + i)) for i, s in enumerate(sources)]
    tasks = [
        dask.delayed(_ingest_part, pure=False)(os.path.abspath(s), p, p + ".rejects.csv" if rejects else None,
                                               memory_limit, options)
        for s, p in zip(sources, parts)
    ]
    reports, failure = [], None
    if client is not None:
        futures = client.compute(tasks)
        from distributed import wait

        wait(futures)
        for source, future in zip(sources, futures):
            if future.status == "finished":
                reports.append(future.result())
            elif failure is None:
                failure = (source, future.exception())
    else:
        try:
            reports = list(dask.compute(*tasks))
        except Exception as e:  # the local scheduler stops at the first failure
            failure = (getattr(e, "filename", None) or "one of the inputs", e)
    if failure is not None:
        for p in parts:
            for leftover in (p, p + ".rejects.csv"):
                if os.path.exists(leftover):
                    os.remove(leftover)
        source, error = failure
        raise RuntimeError(f"ingest of {source} failed on its worker, so no part was added to {folder} "
                           f"(its manifest is unchanged): {error}") from error
    _oc.add_parts(folder, parts)
    merged = {key: sum(r[key] for r in reports) for key in ("rows_read", "rows_kept", "rows_rejected")}
    merged["parts"] = reports
    merged["folder"] = folder
    return merged


def _has_manifest(folder: str) -> bool:
    try:
        _oc.open(folder)
    except (ValueError, OSError):
        return False
    return True


def worker_peaks(client) -> dict:
    """Each worker's peak resident size so far (bytes, from the OS), by worker address."""
    return client.run(lambda: _oc.memory.peak())


# --- transforms ------------------------------------------------------------------------------


def _partition_arrays(ddf, columns):
    """The numeric columns of each partition as delayed float64 arrays."""
    import dask

    names = list(ddf.columns) if columns is None else list(columns)
    return names, [dask.delayed(_as_float_array)(part, names) for part in ddf[names].to_delayed()]


def _as_float_array(df, names):
    return np.ascontiguousarray(df[names].to_numpy(dtype=np.float64, na_value=np.nan))


def _pca_moments(X, n_components, whiten):
    model = _core.PCA(-1, whiten)
    if len(X):
        model.update(X)
    return model.moments()


def _merge_moments(a, b):
    """Two PCA moment states (n, mean, co-moment) merged by the engine (Chan's update)."""
    if a[0] == 0:
        return b
    if b[0] == 0:
        return a
    model = _core.PCA(-1, False)
    model.restore(*a)
    model.merge(*b)
    return model.moments()


def _tree_reduce(values, merge):
    import dask

    while len(values) > 1:
        values = [dask.delayed(merge)(values[i], values[i + 1]) if i + 1 < len(values) else values[i]
                  for i in range(0, len(values), 2)]
    return values[0]


def fit_pca(estimator, ddf, columns=None):
    """PCA.fit on a Dask DataFrame: each partition's moments on its worker, merged pairwise, then
    the eigendecomposition once on the client. A null (NaN) is an error naming the partition."""
    names, arrays = _partition_arrays(ddf, columns)
    moments = _tree_reduce([
        _delayed(_pca_moments)(a, estimator.n_components, estimator.whiten) for a in arrays
    ], _merge_moments).compute()
    n, mean, comoment = moments
    if n == 0:
        raise ValueError("the Dask DataFrame has no rows to fit")
    model = estimator._new_model()
    model.restore(n, mean, comoment)
    model.finish()
    estimator._model = model
    estimator._input_dtype = np.dtype(np.float64)
    estimator._sync()
    estimator.n_features_in_ = len(names)
    estimator.feature_names_in_ = np.asarray(names, dtype=object)
    return estimator


def _delayed(f):
    import dask

    return dask.delayed(f, pure=True)


def fit_incremental_pca(estimator, ddf, columns=None):
    """IncrementalPCA.fit on a Dask DataFrame: the partitions are computed on the workers, one at
    a time and in order, and fed on the client in the batches a single-process fit uses
    (``batch_size_``, the short last batch merged into the one before as sklearn's gen_batches
    does; rows are carried across partitions), so the result is the same."""
    from .transform import _gen_batches

    names, arrays = _partition_arrays(ddf, columns)
    for attribute in ("_model", "components_", "n_features_in_"):
        estimator.__dict__.pop(attribute, None)
    batch = estimator._new_model().batch_size_for(len(names))
    smallest = estimator.n_components or 0
    pending = np.empty((0, len(names)))
    for part in arrays:
        X = part.compute()
        pending = np.concatenate([pending, X]) if len(pending) else X
        # A batch is final once at least `smallest` rows follow it (else the rest joins it).
        fed = 0
        while len(pending) - fed >= batch + smallest and len(pending) - fed > batch:
            estimator.partial_fit(pending[fed:fed + batch])
            fed += batch
        pending = pending[fed:]
    for rows in _gen_batches(len(pending), batch, smallest):
        estimator.partial_fit(pending[rows])
    if not hasattr(estimator, "components_"):
        raise ValueError("the Dask DataFrame has no rows to fit")
    estimator.feature_names_in_ = np.asarray(names, dtype=object)
    return estimator


def _categories_of(df, names):
    out = []
    for name in names:
        values = df[name]
        if getattr(values.dtype, "name", "") == "category":
            values = values.cat.remove_unused_categories().cat.categories.to_numpy(dtype=object)
        else:
            values = values.dropna().unique()
            values = np.asarray(values, dtype=object)
        out.append(values)
    return out


def _union_categories(a, b):
    return [np.union1d(x.astype(object), y.astype(object)).astype(object) for x, y in zip(a, b)]


def fit_onehot(estimator, ddf, columns=None):
    """OneHotEncoder.fit on a Dask DataFrame: each partition's distinct values, unioned pairwise,
    sorted as np.unique sorts them."""
    names = list(ddf.columns) if columns is None else list(columns)
    cats = _tree_reduce([_delayed(_categories_of)(p, names) for p in ddf[names].to_delayed()],
                        _union_categories).compute()
    estimator.categories_ = [np.sort(c).astype(object) if len(c) else c for c in cats]
    estimator.feature_names_in_ = np.asarray(names, dtype=object)
    estimator.n_features_in_ = len(names)
    return estimator


def _hash_partition(df, hasher, names):
    import scipy.sparse as sp

    records = [{k: v for k, v in row.items() if v is not None and v == v} for row in df[names].to_dict("records")]
    if not records:
        return sp.csr_matrix((0, int(hasher.n_features)), dtype=hasher.dtype)
    return hasher.transform(records)


def hash_transform(hasher, ddf, columns=None):
    """FeatureHasher.transform on a Dask DataFrame: each row hashed as the dict {column: value}
    (as ``transform_dataset`` hashes a .oc file's rows; a null's feature is absent), one CSR block
    per partition, stacked into a Dask array of unknown row chunks."""
    import dask.array as da
    import scipy.sparse as sp

    names = list(ddf.columns) if columns is None else list(columns)
    meta = sp.csr_matrix((0, int(hasher.n_features)), dtype=hasher.dtype)
    blocks = [da.from_delayed(_delayed(_hash_partition)(p, hasher, names), shape=(np.nan, int(hasher.n_features)),
                              dtype=hasher.dtype, meta=meta) for p in ddf[names].to_delayed()]
    return da.concatenate(blocks, axis=0, allow_unknown_chunksizes=True)


def _stats_of(df, names):
    return {name: _core.summarize_values(name, *_values_and_mask(df[name])) for name in names}


def _values_and_mask(s):
    """(type name, float64 values or None for text, validity) of one partition's column."""
    import pandas as pd

    valid = np.ascontiguousarray(s.notna().to_numpy(dtype=bool))
    if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        return "string", None, valid
    if pd.api.types.is_bool_dtype(s.dtype):
        kind = "bool"
    elif pd.api.types.is_integer_dtype(s.dtype):
        kind = "int64"
    elif pd.api.types.is_float_dtype(s.dtype):
        kind = "float64"
    else:
        raise TypeError(f"column_stats of a Dask DataFrame takes numbers and text; {s.name!r} is {s.dtype}")
    values = s.to_numpy(dtype=np.float64, na_value=np.nan)
    return kind, np.ascontiguousarray(values), valid


def _merge_stats(a, b):
    return {name: _core.merge_summaries(a[name], b[name]) for name in a}


def column_stats(ddf, columns=None) -> dict:
    """Per-column count, nulls, NaNs, min, max, mean and (population) variance of a Dask
    DataFrame: each partition summarised in C++ on its worker, merged pairwise with Chan's
    update. The same keys as ``outcore.transform.column_stats`` (no ``distinct``: distinct
    counts do not merge exactly)."""
    names = list(ddf.columns) if columns is None else list(columns)
    parts = [_delayed(_stats_of)(p, names) for p in ddf[names].to_delayed()]
    merged = _tree_reduce(parts, _merge_stats).compute()
    return {name: dict(merged[name]) for name in names}
