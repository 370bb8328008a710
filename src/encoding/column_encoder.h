// Column chunk payloads: EncodeColumn turns one ColumnVector (a chunk of one
// column) into its smallest exact form — validity bits only when there are
// nulls, booleans as bits, integers as frame of reference + bit-packing (or,
// in order, as their successive differences with stray ones patched in),
// floats as decimal / float32 / float64, strings as lengths + bytes or as
// dictionary codes — and DecodeColumn turns it back. EncodeLossyColumn writes
// the lossy forms a user asks for (float32, float16, quantized; doc/encodings.md,
// "Lossy forms") and MeasureLossyError measures what they cost. The payload is
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
#include "outcore/lossy.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore {

// Payload byte 0 (doc/encodings.md, "Column payload"): never renumber.
enum class Encoding : uint8_t {
  kBits = 1,          // bool: one bit per row
  kForInt = 2,        // int64, timestamp, date: frame of reference + bit-packing
  kDecimal = 3,       // float64 stored as k / 10^scale, k frame-of-reference packed
  kFloat32 = 4,       // float64 whose every value is exactly a float
  kFloat64 = 5,       // float64 as IEEE-754 doubles
  kPlainString = 6,   // string: packed lengths + concatenated bytes
  kDictCodes = 7,     // string: packed int32 codes into a file-wide dictionary
  kFloat16 = 8,       // float64 stored as IEEE-754 binary16 (lossy, asked for)
  kQuantized = 9,     // float64 or int64 stored as k, read as k * step (lossy, asked for)
  kForStep = 10,      // int64, timestamp, date: min + k * step, k packed (exact; format version 4)
  kDecimalStep = 11,  // float64 as decimal whose mantissas are a step apart (exact; format version 4)
  kDelta = 12,        // int64, timestamp, date: successive differences, exceptions patched (exact; version 5)
};

// "bits", "for", "decimal", "float32", "float64", "plain", "dict", "float16", "quantized", "step",
// "decimal_step", "delta".
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
  // Allow `step` and `decimal_step` for integers, dates, timestamps and
  // decimals whose values are a common step apart (whole seconds in
  // microseconds, prices in steps of 0.50): files of format version 4 only.
  bool allow_step = true;
  // Allow `delta` for integers, dates and timestamps in or near order (their
  // successive differences, stray ones patched in): files of format version 5 only.
  bool allow_delta = true;
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

// Replaces *payload with `column` in the lossy `form` (doc/encodings.md,
// "Lossy forms"): float32 / float16 for a float64 column, quantize for a
// float64 or int64 one (an int64 column's step is a whole number). Returns
// false, leaving *payload empty and setting *unrepresentable to the first
// valid value the form cannot hold (float32/float16: a finite value that
// would overflow to infinity; quantize: NaN, ±inf, or a value whose k or
// k * step leaves the exact range), so the caller keeps the exact form.
// InvalidArgument when the form does not apply to the column's type.
//   double bad = 0;
//   OC_ASSIGN_OR_RETURN(bool held, EncodeLossyColumn(chunk, {LossyKind::kFloat16}, &payload, &bad));
Result<bool> EncodeLossyColumn(const ColumnVector& column, const LossyForm& form, Buffer* payload,
                               double* unrepresentable);

// The error of `decoded` against `original` (same type, length and nulls;
// float64 or int64), as LossyColumnReport defines it: max |d - x| over valid
// rows whose values are finite, and max |d - x| / |x| over those with x != 0.
// Non-finite values that decode to themselves (±inf, NaN as NaN) add no error.
struct LossyError {
  double max_abs = 0;
  double max_rel = 0;
};
LossyError MeasureLossyError(const ColumnVector& original, const ColumnVector& decoded);

}  // namespace outcore
