"""Progress of ``ingest(..., progress=True)`` and ``index(..., progress=True)``.

The engine calls back about four times a second (and at the end of each stage) with a dict:
``stage`` ("reading"; "indexing" then "writing"), ``done`` of ``total`` in ``unit`` ("B" of the
input files, or "chunks"), ``rows`` (and ``rows_rejected`` while ingesting), ``seconds``,
``rss``. ``progress=True`` shows it with tqdm when tqdm is installed (a notebook widget in
Jupyter), else as one line on stderr redrawn in place; ``progress=callable`` hands each dict to
the callable instead (an exception from it stops the work, as Ctrl-C does, and is raised).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from . import _core


class _TqdmProgress:
    def __init__(self, tqdm, what: str):
        self._tqdm, self._what, self._bar, self._stage = tqdm, what, None, None

    def __call__(self, p: dict) -> None:
        if p["stage"] != self._stage:
            if self._bar is not None:
                self._bar.close()
            self._stage = p["stage"]
            in_bytes = p["unit"] == "B"
            self._bar = self._tqdm(
                total=p["total"] or None, desc=f"{self._what}: {p['stage']}", unit=p["unit"],
                unit_scale=in_bytes, unit_divisor=1024 if in_bytes else 1000, leave=True,
            )
        self._bar.update(p["done"] - self._bar.n)
        self._bar.set_postfix_str(f"{p['rows']:,} rows, RSS {_core.format_size(p['rss'])}", refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _LineProgress:
    """One stderr line, redrawn with a carriage return; a newline when the work ends."""

    def __init__(self, what: str, stream=None):
        self._what, self._stream, self._shown = what, stream or sys.stderr, False

    def __call__(self, p: dict) -> None:
        if p["unit"] == "B":
            done = _core.format_size(p["done"])
            of = f" / {_core.format_size(p['total'])}" if p["total"] else ""
        else:
            done, of = f"{p['done']:,}", f" / {p['total']:,} {p['unit']}"
        share = f" ({100 * p['done'] / p['total']:3.0f}%)" if p["total"] else ""
        self._stream.write(
            f"\r{self._what}: {p['stage']} {done}{of}{share}  {p['rows']:,} rows  "
            f"{p['seconds']:.1f} s  RSS {_core.format_size(p['rss'])}   "
        )
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self._stream.write("\n")
            self._stream.flush()


def reporter(progress, what: str):
    """The object handed to the engine for ``progress`` (None: no progress), with ``close()``."""
    if progress is None or progress is False:
        return None
    if callable(progress):
        return _Callable(progress)
    if progress is not True:
        raise TypeError(f"progress takes True, False or a callable of one dict, not {progress!r}")
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _LineProgress(what)
    return _TqdmProgress(tqdm, what)


def run(shown, function, *args, **kwargs):
    """``function(*args, progress=shown, **kwargs)``, then the progress display is closed."""
    try:
        return function(*args, progress=shown, **kwargs)
    finally:
        if shown is not None:
            shown.close()


class _Callable:
    def __init__(self, function: Callable[[dict], None]):
        self._function = function

    def __call__(self, p: dict) -> None:
        self._function(p)

    def close(self) -> None:
        pass
