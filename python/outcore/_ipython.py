"""``%load_ext outcore``: the ``%%outcore_trace`` cell magic, which traces a cell with oc.trace()
and shows the HTML report inline.

    %load_ext outcore
    %%outcore_trace --top 5
    df = pd.read_csv("big.csv")

Options: ``--top N``, ``--html PATH`` (keep the report there), ``--native`` (native call sites
instead of the cell's lines), ``--log SIZE`` (each allocation of at least SIZE). The cell is
saved to a file first (in a temporary folder, one per session) so that the report names its
lines (``cell3.py:2``) and shows their text. The result is ``_outcore_trace`` in the namespace.
"""

from __future__ import annotations

import argparse
import os
import shlex
import tempfile

from ._trace import trace

_cells_dir: str | None = None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="%%outcore_trace", add_help=False)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--html", default=None)
    parser.add_argument("--native", action="store_true")
    parser.add_argument("--log", default=None)
    return parser


def outcore_trace(line: str, cell: str, shell) -> None:
    from IPython.display import display

    global _cells_dir
    try:
        args = _parser().parse_args(shlex.split(line))
    except SystemExit:
        print("usage: %%outcore_trace [--top N] [--html PATH] [--native] [--log SIZE]")
        return
    if _cells_dir is None:
        _cells_dir = tempfile.mkdtemp(prefix="outcore-cells-")
    path = os.path.join(_cells_dir, f"cell{shell.execution_count}.py")
    source = shell.transform_cell(cell)  # %magics and !commands in the cell, as IPython runs them
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    code = compile(source, path, "exec")
    tracer = trace(args.html, python=not args.native, top=args.top, log=args.log)
    error = None
    with tracer as result:
        try:
            exec(code, shell.user_ns)
        except BaseException as e:  # shown after the report, which says what the cell held until then
            error = e
    shell.user_ns["_outcore_trace"] = result
    display(result)  # the report inline (TraceResult._repr_html_), its summary as text elsewhere
    if error is not None:
        raise error


def load_ipython_extension(ipython) -> None:
    def magic(line: str, cell: str) -> None:
        return outcore_trace(line, cell, ipython)

    magic.__doc__ = __doc__  # what `%%outcore_trace?` shows
    ipython.register_magic_function(magic, "cell", "outcore_trace")
