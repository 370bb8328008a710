"""Damaged .oc files raise ValueError naming the file and the part, never another type.

Issue 9: hostile files raised MemoryError, ``RuntimeError: nanobind::str(): conversion
error!`` or a UnicodeDecodeError naming no file. Each test takes a good file, damages
bytes, and recomputes the checksums the format keeps (XXH3-64 of each block and of the
footer, doc/format.md) so that the damage gets past them to the decoder.
"""

import ctypes
import ctypes.util
import struct

import pytest

import outcore as oc
from conftest import run

_xxhash = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
_xxhash.XXH3_64bits.restype = ctypes.c_uint64
_xxhash.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]


def xxh3(data: bytes) -> int:
    return _xxhash.XXH3_64bits(data, len(data))


class OcBytes:
    """A .oc file's bytes, with the footer and block checksums recomputed on save.

    BlockRefs (offset, stored, decoded, codec, checksum) live in the footer and, for
    column chunks, in the chunk metadata blocks the footer names (format version 2);
    a ref is found by its checksum matching the bytes it names."""

    def __init__(self, path):
        self.data = bytearray(path.read_bytes())
        self.footer_offset, self.footer_length, _ = struct.unpack_from("<QQQ", self.data, len(self.data) - 32)

    @property
    def footer(self) -> bytearray:
        return self.data[self.footer_offset : self.footer_offset + self.footer_length]

    def _refs(self, start, end):
        """File positions of the valid BlockRefs in bytes start..end, with the range each names."""
        for at in range(start, end - 32):
            offset, stored = struct.unpack_from("<QQ", self.data, at)
            if offset >= 16 and offset + stored <= self.footer_offset:
                (checksum,) = struct.unpack_from("<Q", self.data, at + 25)
                if checksum == xxh3(bytes(self.data[offset : offset + stored])):
                    yield at, offset, stored

    def block_ref_at(self, position):
        """(file position of the BlockRef of the block holding byte `position`, file position
        of the ref of the chunk metadata block holding that ref, or None when in the footer)."""
        footer_end = self.footer_offset + self.footer_length
        footer_refs = list(self._refs(self.footer_offset, footer_end))
        for at, offset, stored in footer_refs:
            if offset <= position < offset + stored:
                return at, None
        for container, offset, stored in footer_refs:
            for at, inner, inner_stored in self._refs(offset, offset + stored):
                if inner <= position < inner + inner_stored:
                    return at, container
        raise AssertionError(f"no block holds byte {position}")

    def patch_ref(self, ref, new: bytes, at_in_ref=0):
        """Writes `new` into the BlockRef at `ref` (a position from block_ref_at), then the
        checksum of the chunk metadata block holding it."""
        at, container = ref
        self.data[at + at_in_ref : at + at_in_ref + len(new)] = new
        if container is not None:
            offset, stored = struct.unpack_from("<QQ", self.data, container)
            struct.pack_into("<Q", self.data, container + 25, xxh3(bytes(self.data[offset : offset + stored])))

    def damage_block(self, needle: bytes, replacement: bytes, start=16):
        """Replaces the first `needle` in the blocks after `start`, and fixes that block's checksum."""
        position = self.data.index(needle, start, self.footer_offset)
        ref = self.block_ref_at(position)
        self.data[position : position + len(needle)] = replacement
        offset, stored = struct.unpack_from("<QQ", self.data, ref[0])
        self.patch_ref(ref, struct.pack("<Q", xxh3(bytes(self.data[offset : offset + stored]))), 25)

    def patch_footer(self, at, new: bytes):
        start = self.footer_offset + at
        self.data[start : start + len(new)] = new

    def save(self, path):
        checksum = xxh3(bytes(self.footer))
        struct.pack_into("<Q", self.data, len(self.data) - 16, checksum)
        path.write_bytes(bytes(self.data))
        return path


@pytest.fixture(scope="module")
def plain_oc(tmp_path_factory):
    """Uncompressed blocks, so that damage lands in the encoded values themselves."""
    folder = tmp_path_factory.mktemp("hostile")
    csv = folder / "small.csv"
    run("gen", "--rows", 3000, "--seed", 3, "--no-dirt", "-o", csv)
    path = folder / "plain.oc"
    oc.ingest(csv, path, compression="none")
    return path


def expect_value_error(call, *parts):
    with pytest.raises(ValueError) as error:
        call()
    for part in parts:
        assert part in str(error.value), str(error.value)
    return str(error.value)


def test_issue9_a_column_name_that_is_not_utf8_is_refused_at_open(plain_oc, tmp_path):
    f = OcBytes(plain_oc)
    at = f.footer.index(struct.pack("<I", 4) + b"word")
    f.patch_footer(at + 4, b"w\xffrd")
    bad = f.save(tmp_path / "name.oc")
    expect_value_error(lambda: oc.open(bad), str(bad), "the name of column 3 is not valid UTF-8")


def test_issue9_a_dictionary_entry_that_is_not_utf8_names_the_dictionary(plain_oc, tmp_path):
    ds = oc.open(plain_oc)
    assert "topic" in ds.dictionary_columns
    topic = ds.categories("topic")[0].encode()
    f = OcBytes(plain_oc)
    # The dictionary is written after the chunks: the last occurrence is in it.
    position = f.data.rindex(topic, 16, f.footer_offset)
    f.damage_block(topic, b"\xff" + topic[1:], start=position)
    bad = f.save(tmp_path / "dict.oc")
    ds = oc.open(bad)
    expect_value_error(lambda: ds.categories("topic"), str(bad), "dictionary of column 'topic'", "UTF-8")
    expect_value_error(lambda: next(ds.scan(columns=["topic"])), str(bad), "dictionary of column 'topic'")


def test_issue9_a_plain_string_that_is_not_utf8_names_the_chunk_and_value(plain_oc, tmp_path):
    ds = oc.open(plain_oc)
    assert "passage" not in ds.dictionary_columns  # free text is stored plain
    first = next(ds.scan(columns=["passage"], batch_rows=10))["passage"]
    value = next(v for v in first if v).encode()
    f = OcBytes(plain_oc)
    f.damage_block(value, b"\xc3" + value[1:])  # a lead byte with no continuation
    bad = f.save(tmp_path / "plain.oc")
    ds = oc.open(bad)
    error = expect_value_error(lambda: ds.to_pandas(columns=["passage"]), str(bad), "chunk 0 of column 'passage'")
    assert "is not valid UTF-8" in error


def test_issue9_a_hostile_decoded_size_is_damage_not_memory(tmp_path):
    csv = tmp_path / "small.csv"
    run("gen", "--rows", 2000, "--seed", 4, "--no-dirt", "-o", csv)
    good = tmp_path / "zstd.oc"
    oc.ingest(csv, good)
    f = OcBytes(good)
    # The first block in the file is chunk 0 of the first column; claim a petabyte for it.
    ref = f.block_ref_at(16)
    f.patch_ref(ref, struct.pack("<Q", 1 << 39), 16)
    bad = f.save(tmp_path / "size.oc")
    ds = oc.open(bad)
    expect_value_error(lambda: ds.to_pandas(), str(bad), "chunk 0 of column 'id'", "damaged")
