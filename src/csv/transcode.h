// Text encodings at ingest: every stage after the byte source reads UTF-8, so
// input in another encoding (UTF-16 from Excel's "Unicode text", latin-1 or
// cp1252 from older exports) is transcoded to UTF-8 by glibc iconv while it
// streams, as a ByteSource decorator over the (decompressed) bytes. UTF-8
// input is handed through untouched: no transcoding, no extra copy.
//
// Thread-safety: a source is driven by one thread, as every ByteSource;
// SniffEncoding and NormalizeEncodingName are pure.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "csv/source.h"
#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

// Bytes of a file's start that encoding detection looks at.
inline constexpr size_t kEncodingSniffBytes = 4096;

// What the first bytes of a file say about its encoding.
struct SniffedEncoding {
  // The encoding by its byte order mark ("utf-8", "utf-16le", "utf-16be",
  // "utf-32le", "utf-32be"), or empty when there is none.
  std::string bom_encoding;
  size_t bom_bytes = 0;
  // Without a BOM: "utf-16le" / "utf-16be" when the sample has a NUL in
  // every other byte (ASCII text in UTF-16), else empty.
  std::string nul_pattern;
};

// Looks at up to kEncodingSniffBytes of `head` (the file's first bytes).
//   SniffEncoding("\xFF\xFE" "a\0")  // bom_encoding "utf-16le", bom_bytes 2
//   SniffEncoding("a\0,\0b\0\n\0")   // nul_pattern "utf-16le"
SniffedEncoding SniffEncoding(std::string_view head);

// The spelling of `encoding` that glibc iconv knows, or an error naming it
// (and `option`, as the user typed the option). Python's spellings work
// ("latin-1", "utf_16_le", "utf-8-sig"); case does not matter. "" is "detect".
//   NormalizeEncodingName("latin-1", "--encoding")  // "LATIN1"
Result<std::string> NormalizeEncodingName(std::string_view encoding, std::string_view option);

// Wraps `source` so that Read hands out UTF-8. `encoding`:
//   ""       detect: a byte order mark picks UTF-8 (the BOM is left for
//            SkipBom), UTF-16LE/BE or UTF-32LE/BE (transcoded, BOM dropped);
//            without a BOM the bytes are UTF-8 and pass through, except when
//            they look like UTF-16 without a BOM: then an error that says
//            which --encoding to pass.
//   "utf-8"  pass through, whatever the bytes look like.
//   "utf-16" / "utf-32": the BOM picks the byte order; without one the NUL
//            pattern does, else little-endian.
//   other    any encoding iconv knows (latin-1, cp1252, utf-16le, shift_jis...);
//            a BOM of that encoding is dropped.
// An invalid byte sequence for the encoding is an error naming the path and
// the byte offset (in the decompressed text). `*description` (optional) is
// set to what was chosen, e.g. "utf-16le (byte order mark)". The transcode
// input buffer is charged to `budget`.
//   OC_ASSIGN_OR_RETURN(auto raw, OpenByteSource("export.csv", &budget));
//   OC_ASSIGN_OR_RETURN(auto text, DecodeToUtf8(std::move(raw), "cp1252", &budget, nullptr));
Result<std::unique_ptr<ByteSource>> DecodeToUtf8(std::unique_ptr<ByteSource> source,
                                                 std::string_view encoding, MemoryBudget* budget,
                                                 std::string* description);

}  // namespace outcore
