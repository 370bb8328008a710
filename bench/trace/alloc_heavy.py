"""Allocation-heavy Python workload for the tracer benchmark: NumPy arrays,
bytes, lists and dicts big enough to reach malloc (not only pymalloc), in a
loop, plus a peak of long-lived arrays."""
import sys

import numpy as np


def churn(rounds):
    held = []
    checksum = 0
    for _ in range(rounds):
        for i in range(20000):
            a = np.empty(64 + i % 200)
            b = bytes(600 + i % 500)
            c = list(range(80 + i % 50))
            d = {k: k for k in range(40)}
            checksum += len(a) + len(b) + len(c) + len(d)
        held.append(np.ones(1 << 17))
    return checksum


if __name__ == "__main__":
    print(churn(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
