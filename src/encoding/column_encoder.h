// Column chunk payloads: EncodeColumn turns one ColumnVector (a chunk of one
// column) into its smallest exact form — validity bits only when there are
// nulls, booleans as bits, integers as frame of reference + bit-packing,
// floats as decimal / float32 / float64, strings as lengths + bytes or as
// dictionary codes — and DecodeColumn turns it back. The payload is
// self-describing; its layout is specified in doc/encodings.md and is what the
// format layer block-compresses and checksums.
//
// Thread-safety: stateless free functions; safe from any thread on distinct
// outputs. DecodeColumn treats the payload as hostile input.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "outcore/column.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore {

// Payload byte 0 (doc/encodings.md, "Column payload"): never renumber.
enum class Encoding : uint8_t {
  kBits = 1,         // bool: one bit per row
  kForInt = 2,       // int64, timestamp, date: frame of reference + bit-packing
  kDecimal = 3,      // float64 stored as k / 10^scale, k frame-of-reference packed
  kFloat32 = 4,      // float64 whose every value is exactly a float
  kFloat64 = 5,      // float64 as IEEE-754 doubles
  kPlainString = 6,  // string: packed lengths + concatenated bytes
  kDictCodes = 7,    // string: packed int32 codes into a file-wide dictionary
};

// "bits", "for", "decimal", "float32", "float64", "plain", "dict".
std::string_view EncodingName(Encoding encoding);
// The encoding a payload was written with (for `outcore info`); Corruption
// when the first byte is not a known encoding.
//   auto encoding = PayloadEncoding(payload.view());   // Encoding::kDecimal
Result<Encoding> PayloadEncoding(std::string_view payload);

// Largest chunk a payload may hold: Arrow int32 offsets and codes address at
// most this many rows, far above any chunk a memory budget allows.
inline constexpr int64_t kMaxPayloadRows = (int64_t(1) << 31) - 1;
// Largest decimal scale tried: float64 v is stored as k / 10^scale.
inline constexpr int kMaxDecimalScale = 6;

struct EncodeOptions {
  // column.values hold int32 codes into a file-wide dictionary (column.dictionary
  // may be null). A column with a dictionary is always encoded as codes.
  bool dictionary_codes = false;
  // Allow the exact float forms; turning them off forces raw float64.
  bool allow_float32 = true;
  bool allow_decimal = true;
};

// Replaces *payload with the encoded form of `column` (payload keeps its
// capacity; charge it to the budget). InvalidArgument when the column's
// buffers are smaller than its length says or codes/offsets are negative.
//   Buffer payload(&budget);
//   OC_RETURN_IF_ERROR(EncodeColumn(chunk_column, EncodeOptions{}, &payload));
Status EncodeColumn(const ColumnVector& column, const EncodeOptions& options, Buffer* payload);

// Decodes a payload of `rows` rows of `type` into *out, reusing out's buffers
// (ColumnVector::Reset) so a scan does not reallocate per batch. For a
// dictionary-coded payload, `dictionary` is the column's file-wide dictionary:
// out->dictionary is set to it and every code is checked against its size.
// Corruption (naming the field and offset) when the payload is damaged; *out
// is then reset to zero rows. Never reads outside `payload`, and allocates at
// most what `rows` rows of `type` need (string bytes: at most the payload's
// size). `rows` is trusted up to kMaxPayloadRows: the format layer takes it
// from its validated chunk directory, not from the payload.
//   ColumnVector batch(TypeId::kFloat64, &budget);
//   OC_RETURN_IF_ERROR(DecodeColumn(TypeId::kFloat64, 65536, payload, nullptr, &batch));
Status DecodeColumn(TypeId type, int64_t rows, std::string_view payload,
                    std::shared_ptr<const Dictionary> dictionary, ColumnVector* out);

}  // namespace outcore
