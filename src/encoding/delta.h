// Delta with patched exceptions (encoding 12): values in or near order stored
// as their successive differences, bit-packed above the smallest, with the
// few differences that would widen every row (a stray stamp, a gap) kept in a
// list of exceptions instead. Layout and choice: doc/encodings.md, "delta (12)".
// DeltaPlanner prices the form in the pass that plans `for` and `step`;
// AppendDelta writes it; ReadDelta decodes a hostile body.
// Internal to the encoding layer. Stateless templates and small values; safe
// from any thread on distinct objects.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <string>

#include "base/byte_io.h"
#include "encoding/bitpack.h"
#include "encoding/frame_of_reference.h"
#include "outcore/column.h"
#include "outcore/status.h"

namespace outcore {

// first i64, step u64, the slots' FOR header, count u32, the exceptions' FOR
// header (doc/encodings.md, "delta (12)").
inline constexpr uint64_t kDeltaFixedBytes = 8 + 8 + kForHeaderBytes + 4 + kForHeaderBytes;
// At most max(rows / kDeltaExceptionShare, kDeltaMinExceptions) exceptions:
// their positions and quotients are all but incompressible, where the slots
// (and a FOR block of a column with a few common values) compress well; more
// exceptions than that are a column out of order, for `for` to store.
inline constexpr int64_t kDeltaExceptionShare = 64;
inline constexpr int64_t kDeltaMinExceptions = 4;
// Differences the pivot is the median of.
inline constexpr int kDeltaPivotDifferences = 16;
// Classes of a difference: below the pivot by a distance of bit width 64..1,
// then at or above it by a distance of bit width 0..64, in the order of the
// differences.
inline constexpr int kDeltaClasses = 129;

// Bits of one exception position: BitWidth(rows - 1).
inline int DeltaPositionWidth(int64_t rows) { return rows > 1 ? BitWidth(uint64_t(rows - 1)) : 0; }

// The difference of a value from the one before it, wrapping.
inline int64_t WrappingDifference(int64_t value, int64_t previous) {
  return int64_t(uint64_t(value) - uint64_t(previous));
}

// How a chunk is written as delta, and its size.
struct DeltaPlan {
  bool usable = false;  // false when no row is valid (delta is then never smaller)
  int64_t first = 0;    // the first valid value
  uint64_t step = 1;    // every difference is a multiple of it
  // The differences d with low <= d <= high are packed as slots (quotients
  // d / step above slots.reference); the others are exceptions.
  int64_t low = 0, high = 0;
  ForPlan slots;
  int64_t exceptions = 0;
  ForPlan exception_quotients;  // of the quotients of the exceptions
  uint64_t bytes = std::numeric_limits<uint64_t>::max();
  // step = odd << shift; inverse * odd == 1 (mod 2^64). Every difference is a
  // multiple of step, so its quotient is a shift and a multiplication — no
  // division per value.
  int shift = 0;
  uint64_t inverse = 1;

  void SetStep(uint64_t multiple) {
    step = multiple;
    shift = std::countr_zero(multiple);
    const uint64_t odd = multiple >> shift;
    inverse = odd;  // right in 3 bits (odd * odd == 1 mod 8); each round doubles them
    for (int round = 0; round < 5; ++round) inverse *= 2 - odd * inverse;
  }
  // REQUIRES: difference is a multiple of step.
  int64_t Quotient(int64_t difference) const { return int64_t(uint64_t(difference >> shift) * inverse); }
};

// The median of the chunk's first differences: the classes are distances
// from it, so a regular interval's classes are its jitter. Looks at no more
// than the first 4096 rows. get(row) -> int64_t.
template <typename Get>
int64_t DeltaPivot(int64_t n, const uint8_t* validity, Get get) {
  int64_t differences[kDeltaPivotDifferences];
  int count = 0;
  bool any = false;
  int64_t previous = 0;
  for (int64_t row = 0; row < std::min<int64_t>(n, 4096) && count < kDeltaPivotDifferences; ++row) {
    if (validity && !GetBit(validity, row)) continue;
    const int64_t value = get(row);
    if (any) differences[count++] = WrappingDifference(value, previous);
    previous = value;
    any = true;
  }
  if (count == 0) return 0;
  std::nth_element(differences, differences + count / 2, differences + count);
  return differences[count / 2];
}

// Counts the successive differences of a chunk's valid values, fed in row
// order, into kDeltaClasses classes, keeping each one's count and bounds;
// Finish prices every run of adjacent classes as the kept window.
class DeltaPlanner {
 public:
  explicit DeltaPlanner(int64_t pivot) : pivot_(pivot) {}

  void Add(int64_t value) {
    if (!any_ || new_run_) {
      if (!any_) first_ = value;
      previous_ = value;
      any_ = true;
      new_run_ = false;
      return;
    }
    const int64_t difference = WrappingDifference(value, previous_);
    previous_ = value;
    // The distance from the pivot, exact in uint64 whatever the signs.
    const bool up = difference >= pivot_;
    const uint64_t distance =
        up ? uint64_t(difference) - uint64_t(pivot_) : uint64_t(pivot_) - uint64_t(difference);
    const int width = BitWidth(distance);
    Class& bucket = classes_[up ? 64 + width : 64 - width];
    ++bucket.count;
    bucket.min = std::min(bucket.min, difference);
    bucket.max = std::max(bucket.max, difference);
  }

  // The next value has no difference to the one before it (the probe's runs).
  void StartRun() { new_run_ = true; }

  // `span` = max - min of the valid values (wrapping), `gcd` the gcd of their
  // distances from the first one (0 or 1 when not computed).
  DeltaPlan Finish(int64_t rows, uint64_t span, uint64_t gcd) const;

 private:
  struct Class {
    int64_t count = 0;
    int64_t min = std::numeric_limits<int64_t>::max();
    int64_t max = std::numeric_limits<int64_t>::min();
  };
  int64_t pivot_;
  bool any_ = false, new_run_ = false;
  int64_t first_ = 0, previous_ = 0;
  Class classes_[kDeltaClasses];
};

// The probe looks at kDeltaProbeRuns runs of kDeltaProbeRunRows rows spread
// evenly over the chunk (all of a chunk that is smaller).
inline constexpr int64_t kDeltaProbeRuns = 16;
inline constexpr int64_t kDeltaProbeRunRows = 64;

// Whether delta is worth pricing over the whole chunk (one more step in the
// pass that plans `for`): on the probe's runs, would delta's slots and
// exceptions (the differences inside each run) take fewer bytes than `for`
// (at the width of all the runs' values' range, close to the chunk's)? A chunk
// out of order (most are) then costs the probe, not a class per value. Sets
// *pivot for the DeltaPlanner. get(row) -> int64_t.
template <typename Get>
bool ProbeDelta(int64_t n, const uint8_t* validity, Get get, int64_t* pivot) {
  *pivot = DeltaPivot(n, validity, get);
  const int64_t runs = n <= kDeltaProbeRuns * kDeltaProbeRunRows ? 1 : kDeltaProbeRuns;
  const int64_t run_rows = runs == 1 ? n : kDeltaProbeRunRows;
  DeltaPlanner probe(*pivot);
  int64_t min_value = std::numeric_limits<int64_t>::max(), max_value = std::numeric_limits<int64_t>::min();
  for (int64_t run = 0; run < runs; ++run) {
    probe.StartRun();
    const int64_t start = run * (n / runs);
    for (int64_t row = start; row < start + run_rows; ++row) {
      if (validity && !GetBit(validity, row)) continue;
      const int64_t value = get(row);
      probe.Add(value);
      min_value = std::min(min_value, value);
      max_value = std::max(max_value, value);
    }
  }
  if (min_value > max_value) return true;  // no valid row to judge by: price it
  const uint64_t span = uint64_t(max_value) - uint64_t(min_value);
  const int64_t rows = runs * run_rows;
  const DeltaPlan plan = probe.Finish(rows, span, 1);
  return plan.bytes - kDeltaFixedBytes < BitPackedBytes(rows, BitWidth(span));
}

// Appends the delta body `plan` describes for the n values; get(row) -> int64_t.
// REQUIRES: plan came from a DeltaPlanner fed these values.
template <typename Get>
void AppendDelta(ByteWriter<Buffer>* writer, const DeltaPlan& plan, int64_t n, const uint8_t* validity,
                 Get get) {
  const int slot_width = plan.slots.width, position_width = DeltaPositionWidth(n);
  const int quotient_width = plan.exception_quotients.width;
  writer->U64(uint64_t(plan.first));
  writer->U64(plan.step);
  writer->U64(uint64_t(plan.slots.reference));
  writer->U8(uint8_t(slot_width));
  const size_t slots_at = writer->size();
  writer->Extend(BitPackedBytes(n, slot_width));
  writer->U32(uint32_t(plan.exceptions));
  const size_t positions_at = writer->size();
  writer->Extend(BitPackedBytes(plan.exceptions, position_width));
  writer->U64(uint64_t(plan.exception_quotients.reference));
  writer->U8(uint8_t(quotient_width));
  const size_t quotients_at = writer->size();
  writer->Extend(BitPackedBytes(plan.exceptions, quotient_width));

  const uint64_t slot_reference = uint64_t(plan.slots.reference);
  const uint64_t quotient_reference = uint64_t(plan.exception_quotients.reference);
  uint64_t slots[kForBlockValues], positions[kForBlockValues], quotients[kForBlockValues];
  int64_t pending = 0, flushed = 0;  // exceptions in the stack blocks, and already packed
  auto flush = [&] {
    BitPack(positions, pending, position_width,
            writer->At(positions_at + BitPackedBytes(flushed, position_width)));
    BitPack(quotients, pending, quotient_width,
            writer->At(quotients_at + BitPackedBytes(flushed, quotient_width)));
    flushed += pending;
    pending = 0;
  };
  bool seen = false;
  int64_t previous = 0;
  for (int64_t start = 0; start < n; start += kForBlockValues) {
    const int64_t count = std::min(kForBlockValues, n - start);
    for (int64_t i = 0; i < count; ++i) {
      const int64_t row = start + i;
      slots[i] = 0;
      if (validity && !GetBit(validity, row)) continue;
      const int64_t value = get(row);
      const int64_t difference = WrappingDifference(value, previous);
      previous = value;
      if (!seen) {
        seen = true;
        continue;
      }
      const uint64_t quotient = uint64_t(plan.Quotient(difference));
      if (difference >= plan.low && difference <= plan.high) {
        slots[i] = quotient - slot_reference;
        continue;
      }
      positions[pending] = uint64_t(row);
      quotients[pending] = quotient - quotient_reference;
      if (++pending == kForBlockValues) flush();  // a multiple of 8: the next block starts on a byte
    }
    BitPack(slots, count, slot_width, writer->At(slots_at + BitPackedBytes(start, slot_width)));
  }
  if (pending) flush();
}

// Unpacks an n-value bit-packed run one stack block at a time, in order.
class PackedCursor {
 public:
  PackedCursor(const uint8_t* packed, int width, int64_t n) : packed_(packed), width_(width), n_(n) {}
  // REQUIRES: fewer than n values taken.
  uint64_t Next() {
    if (taken_ == loaded_) {
      const int64_t count = std::min(kForBlockValues, n_ - loaded_);
      BitUnpack(packed_ + BitPackedBytes(loaded_, width_), count, width_, block_);
      loaded_ += count;
    }
    return block_[taken_++ % kForBlockValues];
  }

 private:
  const uint8_t* packed_;
  int width_;
  int64_t n_, loaded_ = 0, taken_ = 0;
  uint64_t block_[kForBlockValues];
};

// Reads a delta body of `rows` rows and calls sink(row, value) for every valid
// row (a sink returning false stops: the value is out of the type's range) and
// null_sink(row) for every null row. Corruption for every field that breaks
// doc/encodings.md, "delta (12)".
template <typename Sink, typename NullSink>
Status ReadDelta(ByteReader* reader, int64_t rows, const uint8_t* validity, Sink sink, NullSink null_sink) {
  uint64_t first = 0, step = 0;
  OC_RETURN_IF_ERROR(reader->U64("delta first value", &first));
  OC_RETURN_IF_ERROR(reader->U64("delta step", &step));
  if (step == 0) return reader->Corrupt("delta step 0 (at least 1 is valid)");
  ForRun slots;
  OC_RETURN_IF_ERROR(ReadFor(reader, rows, "delta slot FOR block", &slots));
  uint32_t count = 0;
  OC_RETURN_IF_ERROR(reader->U32("delta exception count", &count));
  if (count > rows) {
    return reader->Corrupt("delta exception count " + std::to_string(count) + " is above the " +
                           std::to_string(rows) + " rows");
  }
  const int position_width = DeltaPositionWidth(rows);
  const uint8_t* packed_positions = nullptr;
  OC_RETURN_IF_ERROR(
      reader->Bytes("delta exception positions", BitPackedBytes(count, position_width), &packed_positions));
  ForRun quotients;
  OC_RETURN_IF_ERROR(ReadFor(reader, count, "delta exception FOR block", &quotients));

  auto row_error = [&](const char* what, int64_t row) {
    return reader->Corrupt(std::string(what) + " at row " + std::to_string(row));
  };
  PackedCursor positions(packed_positions, position_width, count);
  PackedCursor exception_values(quotients.packed, quotients.width, count);
  int64_t taken = 0;
  int64_t next_exception = count ? int64_t(positions.Next()) : rows;
  bool seen = false;
  uint64_t previous = first;
  uint64_t block[kForBlockValues];
  for (int64_t start = 0; start < rows; start += kForBlockValues) {
    const int64_t block_rows = std::min(kForBlockValues, rows - start);
    BitUnpack(slots.packed + BitPackedBytes(start, slots.width), block_rows, slots.width, block);
    for (int64_t i = 0; i < block_rows; ++i) {
      const int64_t row = start + i;
      const bool exception = row == next_exception;
      const bool valid = !validity || GetBit(validity, row);
      if (!valid || !seen) {
        if (block[i] != 0) return row_error("delta slot set for a null or the first valid row", row);
        if (exception) return row_error("delta exception on a null or the first valid row", row);
        if (!valid) {
          null_sink(row);
          continue;
        }
        seen = true;
      } else if (exception) {
        if (block[i] != 0) return row_error("delta slot set under an exception", row);
        previous += (uint64_t(quotients.reference) + exception_values.Next()) * step;
      } else {
        previous += (uint64_t(slots.reference) + block[i]) * step;
      }
      if (exception && ++taken < count) {
        const int64_t position = int64_t(positions.Next());
        if (position <= row) return row_error("delta exception positions do not increase", row);
        next_exception = position;
      }
      if (!sink(row, int64_t(previous))) return row_error("delta value out of range", row);
    }
  }
  if (taken < count) {
    return reader->Corrupt("delta exception position " + std::to_string(next_exception) + " is past the " +
                           std::to_string(rows) + " rows");
  }
  if (!seen && first != 0) return reader->Corrupt("delta first value set in a chunk with no valid row");
  return Status::OK();
}

}  // namespace outcore
