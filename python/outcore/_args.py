"""Argument checks shared by the Dataset methods and the frame builders, without NumPy (so that
`import outcore` does not load it)."""

from __future__ import annotations

import operator

from . import _core


def _memory_limit(memory_limit) -> int:
    if memory_limit is None:
        return 0
    if isinstance(memory_limit, int):
        return memory_limit
    return _core.parse_size(str(memory_limit))


def _chunk_span(chunks) -> tuple[int, int] | None:
    """``chunks=(begin, end)`` as the engine takes it, checked: two ints (end -1: to the last).
    NumPy integers count as ints (``operator.index``); bools and floats do not."""
    if chunks is None:
        return None
    try:
        begin, end = chunks
    except (TypeError, ValueError):
        raise TypeError(f"chunks must be a (begin, end) pair of chunk numbers, not {chunks!r}") from None
    try:
        if isinstance(begin, bool) or isinstance(end, bool):
            raise TypeError
        return operator.index(begin), operator.index(end)  # NumPy's bool raises here too
    except TypeError:
        raise TypeError(f"chunks must be a (begin, end) pair of chunk numbers, not {chunks!r}") from None
