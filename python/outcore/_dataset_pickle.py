"""Pickling an outcore.Dataset: by path, reopened on load.

A Dataset is a view of a file, not data, so its pickle holds the file's absolute path and what
identifies it (rows, schema); unpickling reopens the file (it must be readable there, e.g. on a
shared disk for multiprocessing or joblib workers). A file that is gone, moved or replaced by a
different one raises an error that says which file the pickle expects and what to do.
"""

from __future__ import annotations

import os


def reduce_dataset(ds):
    """Dataset.__reduce__: (reopen, (absolute path, num_rows, schema))."""
    return (reopen, (os.path.abspath(ds.path), ds.num_rows, tuple(ds.schema.items())))


def reopen(path, num_rows, schema):
    from . import Dataset

    if not os.path.exists(path):
        raise FileNotFoundError(
            f"cannot unpickle outcore.Dataset: {path} is not there (moved or deleted since it was pickled); "
            f"put the file back at that path, or open the new place with outcore.open(...)")
    try:
        ds = Dataset(path)
    except (OSError, ValueError) as e:
        raise type(e)(f"cannot unpickle outcore.Dataset: reopening {path} failed: {e}") from e
    if ds.num_rows != num_rows or tuple(ds.schema.items()) != tuple(schema):
        raise ValueError(
            f"cannot unpickle outcore.Dataset: {path} is not the file that was pickled (it had {num_rows} rows "
            f"and columns {[name for name, _ in schema]}, it now has {ds.num_rows} rows and columns "
            f"{list(ds.schema)}); open it with outcore.open(...) if the new file is meant")
    return ds
