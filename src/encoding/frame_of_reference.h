// Frame of reference: a run of int64 values stored as a reference (the
// minimum over valid rows) plus bit-packed unsigned deltas at the width of
// (max - min). Used for integers, dates, timestamps, dictionary codes, decimal
// mantissas and string lengths; layout in doc/encodings.md, "FOR block".
// Internal to the encoding layer. Stateless templates; safe from any thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "base/byte_io.h"
#include "encoding/bitpack.h"
#include "outcore/column.h"
#include "outcore/status.h"

namespace outcore {

// FOR block header: i64 reference, u8 width (doc/encodings.md, "FOR block").
inline constexpr size_t kForHeaderBytes = 9;
// Values are packed and unpacked through a stack block of this many values, so
// no temporary grows with the chunk. A multiple of 8: every block starts on a
// byte boundary of the packed run.
inline constexpr int64_t kForBlockValues = 1024;

struct ForPlan {
  int64_t reference = 0;  // min over valid rows; 0 when there are none
  int width = 0;          // BitWidth(max - min)

  uint64_t EncodedBytes(int64_t n) const { return kForHeaderBytes + BitPackedBytes(n, width); }
};

// Min/max over the rows where validity is set (all rows when validity is
// null). get(row) -> int64_t. Null rows do not widen the range.
template <typename Get>
ForPlan PlanFor(int64_t n, const uint8_t* validity, Get get) {
  int64_t min_value = std::numeric_limits<int64_t>::max();
  int64_t max_value = std::numeric_limits<int64_t>::min();
  bool any = false;
  for (int64_t row = 0; row < n; ++row) {
    if (validity && !GetBit(validity, row)) continue;
    int64_t value = get(row);
    min_value = std::min(min_value, value);
    max_value = std::max(max_value, value);
    any = true;
  }
  ForPlan plan;
  if (!any) return plan;
  plan.reference = min_value;
  plan.width = BitWidth(uint64_t(max_value) - uint64_t(min_value));
  return plan;
}

// Appends the FOR block of n values; null rows are stored as delta 0.
template <typename Get>
void AppendFor(ByteWriter<Buffer>* writer, const ForPlan& plan, int64_t n, const uint8_t* validity, Get get) {
  writer->U64(uint64_t(plan.reference));
  writer->U8(uint8_t(plan.width));
  uint8_t* packed = writer->Extend(BitPackedBytes(n, plan.width));
  if (plan.width == 0) return;
  uint64_t deltas[kForBlockValues];
  for (int64_t start = 0; start < n; start += kForBlockValues) {
    int64_t count = std::min(kForBlockValues, n - start);
    for (int64_t i = 0; i < count; ++i) {
      int64_t row = start + i;
      bool valid = !validity || GetBit(validity, row);
      deltas[i] = valid ? uint64_t(get(row)) - uint64_t(plan.reference) : 0;
    }
    BitPack(deltas, count, plan.width, packed + BitPackedBytes(start, plan.width));
  }
}

// A FOR block located inside a payload; `packed` points into the payload.
struct ForRun {
  int64_t reference = 0;
  int width = 0;
  const uint8_t* packed = nullptr;
};

// Reads and validates the header and packed bytes of an n-value FOR block.
inline Status ReadFor(ByteReader* reader, int64_t n, const char* what, ForRun* run) {
  uint64_t reference = 0;
  uint8_t width = 0;
  OC_RETURN_IF_ERROR(reader->U64(what, &reference));
  OC_RETURN_IF_ERROR(reader->U8(what, &width));
  if (width > kMaxBitWidth) {
    return reader->Corrupt(std::string(what) + " has bit width " + std::to_string(width) +
                           " (at most 64 is valid)");
  }
  run->reference = int64_t(reference);
  run->width = width;
  return reader->Bytes(what, BitPackedBytes(n, width), &run->packed);
}

// Calls sink(row, value) for every valid row, value = reference + delta
// (wrapping, as the encoder computed it), and null_sink(row) for every null
// row (validity null = every row valid). A null row must hold delta 0, the
// canonical form AppendFor writes. Stops at the first row whose sink returns
// false or whose null has a non-zero delta and returns it; -1 when all passed.
template <typename Sink, typename NullSink>
int64_t UnpackFor(const ForRun& run, int64_t n, const uint8_t* validity, Sink sink, NullSink null_sink) {
  uint64_t deltas[kForBlockValues];
  for (int64_t start = 0; start < n; start += kForBlockValues) {
    int64_t count = std::min(kForBlockValues, n - start);
    BitUnpack(run.packed + BitPackedBytes(start, run.width), count, run.width, deltas);
    for (int64_t i = 0; i < count; ++i) {
      int64_t row = start + i;
      if (validity && !GetBit(validity, row)) {
        if (deltas[i] != 0) return row;
        null_sink(row);
      } else if (!sink(row, int64_t(uint64_t(run.reference) + deltas[i]))) {
        return row;
      }
    }
  }
  return -1;
}

}  // namespace outcore
