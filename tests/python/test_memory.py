import numpy as np

import outcore as oc


def test_rss_sees_a_large_array():
    before = oc.memory.rss()
    block = np.ones(64 << 20, dtype=np.uint8)  # touched: resident
    assert oc.memory.rss() >= before + (48 << 20)
    assert oc.memory.peak() >= oc.memory.rss()
    del block


def test_track_measures_the_peak_of_a_block():
    with oc.memory.track() as t:
        block = np.ones(96 << 20, dtype=np.uint8)
        del block
    assert t.delta >= 80 << 20
    with oc.memory.track() as quiet:
        pass
    assert quiet.delta < 16 << 20


def test_reading_has_every_field_and_sizes_parse():
    r = oc.memory.reading()
    assert {"rss", "peak_rss", "rss_anon", "rss_file", "swap"} <= set(r)
    assert oc.memory.parse_size("512MiB") == 512 << 20
    assert oc.memory.format_size(256 << 20) == "256.0 MiB"


def test_track_does_not_hide_the_process_peak():
    block = np.ones(128 << 20, dtype=np.uint8)  # an earlier peak, well above what follows
    del block
    before = oc.memory.peak()
    with oc.memory.track() as t:
        pass
    assert t.peak < before - (64 << 20)  # the block's own peak: the mark was reset
    assert oc.memory.peak() >= before  # the process's peak is still reported
