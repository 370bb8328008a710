#!/usr/bin/env python3
"""Bits a row of `for`, `delta` and a delta-of-delta form on the shapes an ordered column takes
(doc/encodings.md, "delta (12)"): a model of the delta layout (38 fixed bytes, the slots, the
exceptions' positions and quotients) that takes the best window of kept differences, on
65,536-row chunks. It is the figure behind "no delta-of-delta form".

    python bench/delta_shapes.py
"""

import numpy as np

ROWS = 65_536


def width(span: int) -> int:
    return int(span).bit_length()


def patched_bytes(differences: np.ndarray, rows: int) -> int:
    """The smallest delta body over every window [low, low + 2^w) of kept differences."""
    q = np.sort(differences)
    best = None
    for w in range(40):
        ends = np.searchsorted(q, q + ((1 << w) - 1), side="right")
        kept = ends - np.arange(len(q))
        start = int(np.argmax(kept))
        exceptions = np.concatenate([q[:start], q[start + kept[start]:]])
        count = len(exceptions)
        exception_width = width(int(exceptions.max()) - int(exceptions.min())) if count else 0
        size = 38 + (rows * w + 7) // 8 + (count * width(rows - 1) + 7) // 8 + (count * exception_width + 7) // 8
        best = size if best is None else min(best, size)
    return best


def for_bytes(values: np.ndarray) -> int:
    return 9 + (len(values) * width(int(values.max()) - int(values.min())) + 7) // 8


def main() -> None:
    rng = np.random.default_rng(1)
    shapes = {
        "pickup stamps (s), exponential gaps of 0.8 s": np.cumsum(rng.exponential(0.8, ROWS).astype(np.int64)),
        "interval 1000 +- 5 (jittered interval)": np.cumsum(1000 + rng.integers(-5, 6, ROWS)),
        "grid of 1000 +- 5 (jittered stamp)": np.arange(ROWS) * 1000 + rng.integers(-5, 6, ROWS),
        "interval 1000, 1% gaps of 5000": np.cumsum(np.where(rng.random(ROWS) < 0.01, 5000, 1000)),
        "random walk, steps -20..20": np.cumsum(rng.integers(-20, 21, ROWS)),
        "accelerating counter (second differences 0..2)": np.cumsum(np.cumsum(rng.integers(0, 3, ROWS))),
    }
    print("| shape | for | delta | delta of delta |\n|---|---:|---:|---:|")
    for name, values in shapes.items():
        delta = np.diff(values)
        bits = [8 * b / ROWS for b in (for_bytes(values), patched_bytes(delta, ROWS),
                                       patched_bytes(np.diff(delta), ROWS))]
        print(f"| {name} | " + " | ".join(f"{b:.1f}" for b in bits) + " |")


if __name__ == "__main__":
    main()
