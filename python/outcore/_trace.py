"""``oc.trace()``: the allocation tracer of ``outcore trace``, on a block of code in this process.

    import outcore as oc
    with oc.trace(html="report.html") as t:
        df = build_features()
    t.peak                     # bytes the block held at its peak (heap + anonymous mmap)
    t.top[0]["location"]       # 'job.py:12': the line that held most of it
    t.kept                     # what the block left allocated, by site
    t.html_path, t.text        # the HTML report, the text `outcore trace` prints

In process, not in a subprocess: the tracer (liboutcore_trace_inproc.so, the same hooks as the
preloaded library) is loaded into this interpreter, and every loaded object's calls to the
allocator are redirected to it until the block ends (doc/trace.md, "In Python"). A fresh copy of
the library serves each block. ``outcore trace --attach`` runs beside the process meanwhile,
sampling its RSS, and writes the report when the block ends — or when the process dies in it.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from html import escape

from . import _core

_LIBRARY = "liboutcore_trace_inproc.so"


def _tool_dir() -> str:
    """Where the `outcore` command and the tracer library were installed (pip's scripts dir)."""
    tried = []
    for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable),
                   os.path.dirname(shutil.which("outcore") or "")):
        if folder and folder not in tried:
            tried.append(folder)
            if os.path.exists(os.path.join(folder, _LIBRARY)) and os.path.exists(os.path.join(folder, "outcore")):
                return folder
    raise FileNotFoundError(f"cannot find `outcore` and {_LIBRARY}; looked in: {', '.join(tried)}")


def _malloc_is_libc() -> bool:
    """False when something interposes malloc (ASan, a preloaded jemalloc, `outcore trace`): blocks
    of that allocator must not reach libc's free, so the tracer cannot be put in front of it."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    here = ctypes.CDLL(None)
    return ctypes.cast(here.malloc, ctypes.c_void_p).value == ctypes.cast(libc.malloc, ctypes.c_void_p).value


class TraceResult:
    """What ``with oc.trace() as t`` gives: filled in when the block ends."""

    def __init__(self) -> None:
        self.report: dict = {}      # the JSON report of `outcore trace` (doc/trace.md)
        self.text = ""              # the text report
        self.html_path: str | None = None
        self.json_path: str | None = None

    @property
    def _process(self) -> dict:
        processes = self.report.get("processes") or [{}]
        return processes[0]

    @property
    def peak(self) -> int:
        """Bytes the block held at its peak: malloc family + anonymous mmap, allocated in the block."""
        return int(self._process.get("peak_heap", 0))

    @property
    def peak_rss(self) -> int:
        """The process's highest RSS sampled during the block (everything it holds, not just the block's)."""
        return int(self.report.get("peak_rss", 0))

    @property
    def top(self) -> list[dict]:
        """Sites live at the peak, biggest first: ``location`` ('job.py:12'), ``function``, ``bytes``,
        ``share`` (of the peak), ``count`` (blocks), ``kind``, ``stack``."""
        return list(self._process.get("top_at_peak", []))

    @property
    def log(self) -> list[dict]:
        """With ``log=``: each allocation of at least that size, in order (``call``, ``size``,
        ``library``, ``location``, ``seconds``)."""
        return list((self.report.get("log") or {}).get("lines", []))

    @property
    def kept(self) -> list[dict]:
        """Sites whose memory the block left allocated when it ended."""
        return list(self._process.get("leaks", []))

    def __repr__(self) -> str:
        if not self.report:
            return "<outcore trace: running>"
        top = self.top[0] if self.top else None
        where = f", {top['location']} {top['share']:.0%}" if top else ""
        return f"<outcore trace: peak {_core.format_size(self.peak)}{where}; {self.html_path}>"

    def _repr_html_(self) -> str:
        """The HTML report inline (an iframe, so its script and styles stay apart from the notebook's)."""
        if not self.html_path or not os.path.exists(self.html_path):
            return f"<pre>{escape(self.text)}</pre>"
        with open(self.html_path, encoding="utf-8") as f:
            page = f.read()
        return (f'<iframe srcdoc="{escape(page, quote=True)}" style="width:100%;height:720px;border:1px solid #ccc"'
                f' title="outcore trace report"></iframe>')


class trace:  # a context manager, reads as a verb (like oc.memory.track)
    """Traces the allocations of a block of code in this process (doc/trace.md, "In Python").

        with oc.trace(html="report.html") as t:
            df = build_features()
        t.peak, t.top[0]["location"], t.kept, t.html_path

    ``html``/``json``: where the reports go (default: a temporary folder, kept, named in
    ``t.html_path``); ``python``: attribute to Python lines (else to native call sites); ``top``,
    ``min_share``, ``threshold``, ``interval``, ``log``, ``log_limit``: as `outcore trace`'s options
    of those names. Allocations of every thread count while the block runs; what was allocated
    before it and freed in it is not counted (it was not the block's).
    """

    def __init__(self, html: str | os.PathLike | None = None, json: str | os.PathLike | None = None, *,
                 python: bool = True, top: int = 10, min_share: float = 0.01, threshold: float = 0.01,
                 interval: float = 0.02, log: str | int | None = None, log_limit: int = 1000) -> None:
        self._html = os.fspath(html) if html is not None else None
        self._json = os.fspath(json) if json is not None else None
        self._python = python
        self._options = ["--top", str(top), "--min-share", str(min_share), "--threshold", str(threshold),
                         "--interval", str(interval), "--log-limit", str(log_limit)]
        self._log = None if log is None else (str(log) if isinstance(log, int) else log)
        self._threshold = threshold
        self._log_limit = log_limit
        self._result: TraceResult | None = None

    def __enter__(self) -> TraceResult:
        if os.environ.get("OUTCORE_TRACE_DIR"):
            raise RuntimeError("this process already runs under `outcore trace`, which traces all of it")
        if not _malloc_is_libc():
            raise RuntimeError("another allocator interposes malloc in this process (ASan, a preloaded "
                               "jemalloc or tcmalloc): oc.trace() cannot stand in front of it; run the "
                               "program under `outcore trace --python` instead")
        tools = _tool_dir()
        self._dir = tempfile.mkdtemp(prefix="outcore-trace-")
        raw = os.path.join(self._dir, "raw")
        os.mkdir(raw)
        result = TraceResult()
        result.html_path = self._html or os.path.join(self._dir, "report.html")
        result.json_path = self._json or os.path.join(self._dir, "report.json")
        log_bytes = _core.parse_size(self._log) if self._log is not None else 0
        command = [os.path.join(tools, "outcore"), "trace", "--attach", str(os.getpid()), "--trace-dir", raw,
                   "--json", result.json_path, "--html", result.html_path, *self._options]
        if log_bytes:
            command += ["--log", str(log_bytes)]
        if self._python:
            command.append("--python")
        # Started before the hooks are in: the watcher is not part of what is traced. Its own
        # session, so a notebook's interrupt (sent to the kernel's process group) leaves it be.
        self._watcher = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                                         start_new_session=True)
        # The tracer's profile function replaces this thread's for the block; put back after it.
        self._profile = sys.getprofile() if self._python else None
        # A fresh copy per block: a loaded copy keeps the state of the trace it served.
        copy = os.path.join(self._dir, _LIBRARY)
        shutil.copyfile(os.path.join(tools, _LIBRARY), copy)
        # PyDLL: the calls keep the GIL, which installing the profile function needs.
        self._library = ctypes.PyDLL(copy, mode=os.RTLD_LOCAL)
        self._library.outcore_trace_attach.restype = ctypes.c_int
        self._library.outcore_trace_attach.argtypes = [ctypes.c_char_p] * 6
        status = self._library.outcore_trace_attach(
            raw.encode(), b"1" if self._python else b"0", repr(self._threshold).encode(), b"64",
            str(log_bytes).encode(), str(self._log_limit).encode())
        if status < 0:
            self._watcher.stdin.close()
            self._watcher.wait()
            raise OSError(f"the in-process tracer did not start (status {status}) in {raw}")
        self._result = result
        return result

    def __exit__(self, *exc) -> None:
        self._library.outcore_trace_detach()
        if self._profile is not None:
            sys.setprofile(self._profile)
        self._watcher.stdin.close()  # the watcher's signal that the block ended
        text = self._watcher.stderr.read().decode(errors="replace")
        status = self._watcher.wait()
        result = self._result
        result.text = text
        shutil.rmtree(os.path.join(self._dir, "raw"), ignore_errors=True)
        if status != 0 or not os.path.exists(result.json_path):
            if exc[0] is not None:
                return None  # the block's own error is the one to see
            raise OSError(f"outcore trace --attach failed (status {status}): {text.strip()}")
        with open(result.json_path, encoding="utf-8") as f:
            result.report = json.load(f)
        return None
