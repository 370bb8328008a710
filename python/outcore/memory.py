"""What this process holds, as the OS reports it (/proc/self/status), in bytes.

    import outcore as oc
    oc.memory.rss()             # resident now
    oc.memory.peak()            # the process's resident high-water mark (track() keeps it true)
    oc.memory.reading()         # {'rss', 'peak_rss', 'rss_anon', 'rss_file', 'rss_shmem', 'swap', ...}
    with oc.memory.track() as t:
        work()
    t.peak, t.delta             # peak RSS during the block, and its rise over the RSS at entry
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _core

__all__ = ["rss", "peak", "reading", "track", "parse_size", "format_size"]


def reading(pid: int = 0) -> dict:
    """One reading of /proc/<pid>/status (pid 0: this process)."""
    return _core.read_memory(pid)


def rss() -> int:
    return _core.read_memory(0)["rss"]


# The process's peak from before the last track() reset the kernel's high-water mark
# (VmHWM): peak() reports the larger, so tracking a block never hides an earlier peak.
_peak_before_reset = 0


def peak() -> int:
    """The process's peak RSS since it started, including peaks before a track() block."""
    return max(_core.read_memory(0)["peak_rss"], _peak_before_reset)


def parse_size(text: str) -> int:
    """'512MiB' -> 536870912 (K/M/G are powers of 1024; KB/MB/GB powers of 1000)."""
    return _core.parse_size(text)


def format_size(n: int) -> str:
    return _core.format_size(n)


@dataclass
class Tracked:
    start_rss: int = 0
    peak: int = 0
    end_rss: int = 0

    @property
    def delta(self) -> int:
        """How far the peak rose above the RSS at entry."""
        return max(0, self.peak - self.start_rss)


class track:  # used as a context manager, reads as a verb
    """Measures the peak RSS of a block of code.

    The kernel keeps one high-water mark per process (VmHWM, ru_maxrss); to see the block's own
    peak it is reset on entry (/proc/self/clear_refs). The peak from before is kept here, so
    ``oc.memory.peak()`` still reports the process's peak; ``reading()["peak_rss"]`` and
    ``resource.getrusage`` show the kernel's mark, which then starts at the block.
    """

    def __enter__(self) -> Tracked:
        global _peak_before_reset
        _peak_before_reset = peak()
        self._t = Tracked()
        self._reset = _core.reset_peak_rss()
        self._t.start_rss = rss()
        return self._t

    def __exit__(self, *exc) -> None:
        r = _core.read_memory(0)
        self._t.end_rss = r["rss"]
        self._t.peak = r["peak_rss"]
        return None
