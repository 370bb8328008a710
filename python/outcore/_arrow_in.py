"""Arrow in: what ``outcore.ingest`` accepts besides CSV paths (doc/arrow.md, "Arrow in").

Any object with ``__arrow_c_stream__`` (the Arrow PyCapsule interface): a pyarrow Table or
RecordBatchReader, a Polars DataFrame, a DuckDB result, ... The C++ engine reads the stream
itself; this module only asks the object for its capsule.
"""

from __future__ import annotations

import os


def is_arrow_source(source: object) -> bool:
    """True for an object that exports an Arrow C stream (and is not a path)."""
    return not isinstance(source, (str, bytes, os.PathLike)) and hasattr(source, "__arrow_c_stream__")


def stream_capsule(source: object) -> object:
    """The "arrow_array_stream" PyCapsule of ``source``, which ingest consumes (once)."""
    capsule = source.__arrow_c_stream__()
    if type(capsule).__name__ != "PyCapsule":
        raise TypeError(
            f"{type(source).__name__}.__arrow_c_stream__() returned {type(capsule).__name__}, "
            "not a PyCapsule holding an ArrowArrayStream"
        )
    return capsule
