#include "encoding/column_encoder.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <string>

#include "base/byte_io.h"
#include "encoding/delta.h"
#include "encoding/float16.h"
#include "encoding/frame_of_reference.h"

namespace outcore {
namespace {

// Payload header (doc/encodings.md, "Column payload"): u8 encoding, u8 flags.
constexpr uint8_t kFlagValidity = 0x01;
constexpr uint8_t kKnownFlags = kFlagValidity;

constexpr double kPow10[kMaxDecimalScale + 1] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
// Mantissas beyond 2^53 are not exact as doubles, so k / 10^s would not be
// the division the decoder performs.
constexpr double kMaxExactMantissa = 9007199254740992.0;  // 2^53

bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

// True when v == (double)k / 10^scale bit-for-bit; sets *mantissa = k.
// NaN, inf, -0.0 and huge values are never decimal.
bool DecimalMantissa(double v, int scale, int64_t* mantissa) {
  double scaled = v * kPow10[scale];
  if (!(std::fabs(scaled) <= kMaxExactMantissa)) return false;
  // Round half away from zero with an inline truncation (nearbyint is a libm
  // call without SSE4.1). A true decimal lies within an ulp of an integer, far
  // from a .5 tie, and the exact check below rejects anything else.
  int64_t k = int64_t(scaled + std::copysign(0.5, scaled));
  if (!SameBits(double(k) / kPow10[scale], v)) return false;
  *mantissa = k;
  return true;
}

bool FitsFloat32(double v) {
  if (std::isnan(v)) return false;  // NaN payloads need not survive float conversion
  if (!std::isinf(v) && !(std::fabs(v) <= double(FLT_MAX))) return false;
  return SameBits(double(float(v)), v);
}

bool IsValidRow(const uint8_t* validity, int64_t row) { return !validity || GetBit(validity, row); }

// Set bits among the first n of a bitmap (padding bits past n are ignored).
int64_t CountValid(const uint8_t* bits, int64_t n) {
  int64_t count = 0;
  for (int64_t byte = 0; byte < (n >> 3); ++byte) count += std::popcount(bits[byte]);
  if (n & 7) count += std::popcount(uint8_t(bits[n >> 3] & ((1u << (n & 7)) - 1)));
  return count;
}

Status TooSmall(const char* buffer, TypeId type, int64_t length, size_t have, uint64_t need) {
  return Status::InvalidArgument(std::string("EncodeColumn: ") + buffer + " buffer of a " +
                                 std::string(TypeName(type)) + " column of " + std::to_string(length) +
                                 " rows holds " + std::to_string(have) + " bytes, needs " +
                                 std::to_string(need));
}

// --- encoders -------------------------------------------------------------

// A FOR plan and, when asked, the step (10, 11): the largest step every
// valid value's distance from the minimum is a multiple of. The distances
// from the first valid value have the same common divisors as those from the
// minimum (they differ by a constant), so both come from one pass over the
// values; once a candidate step is known a value it divides costs one
// remainder, and the search ends when the step falls to 1. Given a
// DeltaPlanner, the same pass prices delta (12), whose differences share
// that step. get(row) -> int64_t.
struct StepPlan {
  ForPlan plan;       // for (2) / decimal (3)
  uint64_t step = 0;  // at least 2 when the step form is smaller, else 0
  ForPlan quotients;  // the FOR plan of (v - plan.reference) / step
  DeltaPlan delta;    // usable only when a DeltaPlanner was given
  uint64_t SteppedBytes(int64_t n) const { return 8 + quotients.EncodedBytes(n); }
};
template <typename Get>
StepPlan PlanForAndStep(int64_t n, const uint8_t* validity, bool want_step, DeltaPlanner* delta, Get get) {
  int64_t min_value = std::numeric_limits<int64_t>::max(), max_value = std::numeric_limits<int64_t>::min();
  int64_t first = 0;
  bool any = false;
  uint64_t step = want_step ? 0 : 1;
  for (int64_t row = 0; row < n; ++row) {
    if (!IsValidRow(validity, row)) continue;
    const int64_t value = get(row);
    min_value = std::min(min_value, value);
    max_value = std::max(max_value, value);
    if (delta) delta->Add(value);
    if (!any) {
      first = value;
      any = true;
    } else if (step != 1) {
      const uint64_t distance =
          value >= first ? uint64_t(value) - uint64_t(first) : uint64_t(first) - uint64_t(value);
      if (step == 0 || distance % step != 0) step = std::gcd(step, distance);
    }
  }
  StepPlan planned;
  if (!any) return planned;
  planned.plan.reference = min_value;
  const uint64_t span = uint64_t(max_value) - uint64_t(min_value);
  planned.plan.width = BitWidth(span);
  if (delta) planned.delta = delta->Finish(n, span, step);
  if (step < 2 || planned.plan.width <= 1) return planned;
  planned.quotients = planned.plan;
  planned.quotients.width = BitWidth(span / step);
  // Taken when the 8 bytes of the step pay for themselves.
  if (planned.SteppedBytes(n) < planned.plan.EncodedBytes(n)) planned.step = step;
  return planned;
}

// The step and the FOR block of the quotients (doc/encodings.md, "step (10)").
template <typename Get>
void AppendStepped(ByteWriter<Buffer>* writer, const StepPlan& planned, int64_t n, const uint8_t* validity,
                   Get get) {
  const uint64_t step = planned.step, reference = uint64_t(planned.plan.reference);
  writer->U64(step);
  AppendFor(writer, planned.quotients, n, validity,
            [&](int64_t row) { return int64_t(reference + (uint64_t(get(row)) - reference) / step); });
}

// for (2), step (10) when the values' distances from their minimum share a
// factor that narrows the packed width, or delta (12) when their successive
// differences pack smaller still: the smallest, ties keeping the earlier.
template <typename T>
Encoding EncodeInts(const T* values, int64_t n, const uint8_t* validity, bool allow_step, bool allow_delta,
                    ByteWriter<Buffer>* writer) {
  auto get = [values](int64_t row) { return int64_t(values[row]); };
  std::optional<DeltaPlanner> delta;
  int64_t pivot = 0;
  if (allow_delta && ProbeDelta(n, validity, get, &pivot)) delta.emplace(pivot);
  const StepPlan planned = PlanForAndStep(n, validity, allow_step, delta ? &*delta : nullptr, get);
  const uint64_t exact_bytes = planned.step ? planned.SteppedBytes(n) : planned.plan.EncodedBytes(n);
  if (planned.delta.usable && planned.delta.bytes < exact_bytes) {
    AppendDelta(writer, planned.delta, n, validity, get);
    return Encoding::kDelta;
  }
  if (planned.step) {
    AppendStepped(writer, planned, n, validity, get);
    return Encoding::kForStep;
  }
  AppendFor(writer, planned.plan, n, validity, get);
  return Encoding::kForInt;
}

Encoding EncodeFloat(const double* values, int64_t n, const uint8_t* validity, const EncodeOptions& options,
                     ByteWriter<Buffer>* writer) {
  // Decimal: the smallest scale at which every value is k / 10^scale. If v is
  // exact at scale s it is exact at every larger scale (10k / 10^(s+1) is the
  // same correctly rounded quotient) so the scale only ever rises.
  bool decimal = options.allow_decimal;
  int scale = 0;
  for (int64_t row = 0; decimal && row < n; ++row) {
    if (!IsValidRow(validity, row)) continue;
    int64_t k;
    while (!DecimalMantissa(values[row], scale, &k)) {
      if (++scale > kMaxDecimalScale) {
        decimal = false;
        break;
      }
    }
  }
  StepPlan planned;
  if (decimal) {
    // Re-check every value at the final scale (the rise assumed 10k exact)
    // while planning the mantissas' frame of reference and, for mantissas a
    // common step apart (fares in steps of 0.50 are k = 5, 10, 15, ... at
    // scale 1), decimal with a step (11).
    planned = PlanForAndStep(n, validity, options.allow_step, nullptr, [&](int64_t row) {
      int64_t k = 0;
      if (!DecimalMantissa(values[row], scale, &k)) decimal = false;
      return k;
    });
  }
  auto mantissa = [&](int64_t row) {
    int64_t k = 0;
    DecimalMantissa(values[row], scale, &k);
    return k;
  };
  const uint64_t decimal_payload =
      1 + (planned.step ? planned.SteppedBytes(n) : planned.plan.EncodedBytes(n));
  // float32 can only win when decimal does not fit in 4 bytes per value.
  bool float32 = options.allow_float32 && (!decimal || decimal_payload > 4 * uint64_t(n));
  for (int64_t row = 0; float32 && row < n; ++row) {
    if (IsValidRow(validity, row) && !FitsFloat32(values[row])) float32 = false;
  }

  uint64_t decimal_bytes = decimal ? decimal_payload : ~uint64_t(0);
  uint64_t float32_bytes = float32 ? 4 * uint64_t(n) : ~uint64_t(0);
  uint64_t float64_bytes = 8 * uint64_t(n);
  if (decimal && decimal_bytes <= float32_bytes && decimal_bytes <= float64_bytes) {
    writer->U8(uint8_t(scale));
    if (planned.step) {
      AppendStepped(writer, planned, n, validity, mantissa);
      return Encoding::kDecimalStep;
    }
    AppendFor(writer, planned.plan, n, validity, mantissa);
    return Encoding::kDecimal;
  }
  if (float32 && float32_bytes < float64_bytes) {
    float* out = reinterpret_cast<float*>(writer->Extend(float32_bytes));
    for (int64_t row = 0; row < n; ++row) {
      float narrow = IsValidRow(validity, row) ? float(values[row]) : 0.0f;
      std::memcpy(out + row, &narrow, sizeof(float));
    }
    return Encoding::kFloat32;
  }
  uint8_t* out = writer->Extend(float64_bytes);
  if (!validity) {
    if (n) std::memcpy(out, values, float64_bytes);
  } else {
    for (int64_t row = 0; row < n; ++row) {
      double value = GetBit(validity, row) ? values[row] : 0.0;
      std::memcpy(out + 8 * row, &value, 8);
    }
  }
  return Encoding::kFloat64;
}

// --- lossy encoders (doc/encodings.md, "Lossy forms") ----------------------

// k = round(x / step), ties to even, when x is finite and k and k * step stay
// exact (|k| <= 2^53, k * step finite).
bool QuantizeFloat(double value, double step, int64_t* k) {
  if (!std::isfinite(value)) return false;
  double quotient = std::nearbyint(value / step);
  if (!(std::fabs(quotient) <= kMaxExactMantissa) || !std::isfinite(quotient * step)) return false;
  *k = int64_t(quotient);
  return true;
}

// The same in integers for an int64 column and a whole step: false when
// k * step would leave int64.
bool QuantizeInt(int64_t value, int64_t step, int64_t* k) {
  int64_t quotient = value / step, remainder = value % step;
  uint64_t twice = 2 * uint64_t(remainder < 0 ? -remainder : remainder);
  if (twice > uint64_t(step) || (twice == uint64_t(step) && (quotient & 1))) quotient += value < 0 ? -1 : 1;
  int64_t decoded;
  if (__builtin_mul_overflow(quotient, step, &decoded)) return false;
  *k = quotient;
  return true;
}

// The midpoint between FLT_MAX and 2^128: binary64 values at or past it round to infinity as binary32.
constexpr double kFloat32Overflow = 0x1.ffffffp+127;

bool IsWholeStep(double step) { return step >= 1 && step <= kMaxExactMantissa && std::floor(step) == step; }

// Writes the lossy body; false (and *bad = the value) when a valid value has no lossy form.
bool EncodeLossyBody(const ColumnVector& column, const LossyForm& form, const uint8_t* validity,
                     ByteWriter<Buffer>* writer, Encoding* encoding, double* bad) {
  const int64_t n = column.length;
  if (column.type == TypeId::kInt64) {  // quantize, whole step (checked by the caller)
    const int64_t* values = column.values.as<int64_t>();
    const int64_t step = int64_t(form.step);
    for (int64_t row = 0; row < n; ++row) {
      int64_t k;
      if (IsValidRow(validity, row) && !QuantizeInt(values[row], step, &k)) {
        *bad = double(values[row]);
        return false;
      }
    }
    auto get = [&](int64_t row) {
      int64_t k = 0;
      QuantizeInt(values[row], step, &k);
      return k;
    };
    *encoding = Encoding::kQuantized;
    writer->F64(form.step);
    AppendFor(writer, PlanFor(n, validity, get), n, validity, get);
    return true;
  }
  const double* values = column.values.as<double>();
  switch (form.kind) {
    case LossyKind::kFloat32: {
      for (int64_t row = 0; row < n; ++row) {
        double v = values[row];
        // Past FLT_MAX + half its ulp a finite value would round to infinity
        // (tested before converting: an out-of-range conversion is undefined).
        if (IsValidRow(validity, row) && std::isfinite(v) && !(std::fabs(v) < kFloat32Overflow)) {
          *bad = v;
          return false;
        }
      }
      *encoding = Encoding::kFloat32;
      float* out = reinterpret_cast<float*>(writer->Extend(4 * uint64_t(n)));
      for (int64_t row = 0; row < n; ++row) {
        float narrow = IsValidRow(validity, row) ? float(values[row]) : 0.0f;
        std::memcpy(out + row, &narrow, sizeof(float));
      }
      return true;
    }
    case LossyKind::kFloat16: {
      for (int64_t row = 0; row < n; ++row) {
        double v = values[row];
        if (IsValidRow(validity, row) && std::isfinite(v) && !(std::fabs(v) < kFloat16Overflow)) {
          *bad = v;
          return false;
        }
      }
      *encoding = Encoding::kFloat16;
      uint8_t* out = writer->Extend(2 * uint64_t(n));
      for (int64_t row = 0; row < n; ++row) {
        uint16_t half = IsValidRow(validity, row) ? DoubleToHalf(values[row]) : 0;
        std::memcpy(out + 2 * row, &half, 2);
      }
      return true;
    }
    case LossyKind::kQuantize: {
      for (int64_t row = 0; row < n; ++row) {
        int64_t k;
        if (IsValidRow(validity, row) && !QuantizeFloat(values[row], form.step, &k)) {
          *bad = values[row];
          return false;
        }
      }
      auto get = [&](int64_t row) {
        int64_t k = 0;
        QuantizeFloat(values[row], form.step, &k);
        return k;
      };
      *encoding = Encoding::kQuantized;
      writer->F64(form.step);
      AppendFor(writer, PlanFor(n, validity, get), n, validity, get);
      return true;
    }
  }
  return false;
}

// Writes the body (everything after the validity section) and reports which
// encoding it chose.
Status EncodeBody(const ColumnVector& column, const EncodeOptions& options, const uint8_t* validity,
                  ByteWriter<Buffer>* writer, Encoding* encoding) {
  const int64_t n = column.length;
  const size_t have = column.values.size();
  switch (column.type) {
    case TypeId::kBool: {
      uint64_t need = BitmapBytes(n);
      if (have < need) return TooSmall("values", column.type, n, have, need);
      *encoding = Encoding::kBits;
      uint8_t* out = writer->Extend(need);
      if (need) std::memcpy(out, column.values.data(), need);
      // Canonical form: null slots and padding bits are zero.
      if (validity) {
        for (uint64_t byte = 0; byte < need; ++byte) out[byte] &= validity[byte];
      }
      if (n & 7) out[need - 1] &= uint8_t((1u << (n & 7)) - 1);
      return Status::OK();
    }
    case TypeId::kInt64:
    case TypeId::kTimestamp: {
      uint64_t need = 8 * uint64_t(n);
      if (have < need) return TooSmall("values", column.type, n, have, need);
      *encoding = EncodeInts(column.values.as<int64_t>(), n, validity, options.allow_step,
                             options.allow_delta, writer);
      return Status::OK();
    }
    case TypeId::kDate: {
      uint64_t need = 4 * uint64_t(n);
      if (have < need) return TooSmall("values", column.type, n, have, need);
      *encoding = EncodeInts(column.values.as<int32_t>(), n, validity, options.allow_step,
                             options.allow_delta, writer);
      return Status::OK();
    }
    case TypeId::kFloat64: {
      uint64_t need = 8 * uint64_t(n);
      if (have < need) return TooSmall("values", column.type, n, have, need);
      *encoding = EncodeFloat(column.values.as<double>(), n, validity, options, writer);
      return Status::OK();
    }
    case TypeId::kString:
      break;
  }
  if (options.dictionary_codes || column.is_dictionary()) {
    uint64_t need = 4 * uint64_t(n);
    if (have < need) return TooSmall("codes", column.type, n, have, need);
    const int32_t* codes = column.values.as<int32_t>();
    int64_t limit = column.dictionary ? column.dictionary->size : std::numeric_limits<int32_t>::max();
    for (int64_t row = 0; row < n; ++row) {
      if (IsValidRow(validity, row) && (codes[row] < 0 || codes[row] >= limit)) {
        return Status::InvalidArgument("EncodeColumn: dictionary code " + std::to_string(codes[row]) +
                                       " at row " + std::to_string(row) + " is outside [0, " +
                                       std::to_string(limit) + ")");
      }
    }
    *encoding = Encoding::kDictCodes;
    EncodeInts(codes, n, validity, /*allow_step=*/false, /*allow_delta=*/false, writer);
    return Status::OK();
  }
  uint64_t need = 4 * uint64_t(n + 1);
  if (have < need) return TooSmall("offsets", column.type, n, have, need);
  const int32_t* offsets = column.values.as<int32_t>();
  for (int64_t row = 0; row < n; ++row) {
    if (offsets[row + 1] < offsets[row] || offsets[row] < 0) {
      return Status::InvalidArgument("EncodeColumn: string offsets decrease at row " + std::to_string(row));
    }
  }
  if (uint64_t(offsets[n]) > column.data.size()) {
    return TooSmall("data", column.type, n, column.data.size(), uint64_t(offsets[n]));
  }
  auto length = [offsets](int64_t row) { return int64_t(offsets[row + 1]) - offsets[row]; };
  *encoding = Encoding::kPlainString;
  AppendFor(writer, PlanFor(n, validity, length), n, validity, length);
  const char* bytes = reinterpret_cast<const char*>(column.data.data());
  if (!validity) {
    writer->Bytes(bytes + offsets[0], size_t(offsets[n] - offsets[0]));
  } else {
    for (int64_t row = 0; row < n; ++row) {
      if (GetBit(validity, row)) writer->Bytes(bytes + offsets[row], size_t(length(row)));
    }
  }
  return Status::OK();
}

// --- decoders -------------------------------------------------------------

bool EncodingFitsType(Encoding encoding, TypeId type) {
  switch (type) {
    case TypeId::kBool:
      return encoding == Encoding::kBits;
    case TypeId::kInt64:
      return encoding == Encoding::kForInt || encoding == Encoding::kForStep ||
             encoding == Encoding::kDelta || encoding == Encoding::kQuantized;
    case TypeId::kTimestamp:
    case TypeId::kDate:
      return encoding == Encoding::kForInt || encoding == Encoding::kForStep || encoding == Encoding::kDelta;
    case TypeId::kFloat64:
      return encoding == Encoding::kDecimal || encoding == Encoding::kDecimalStep ||
             encoding == Encoding::kFloat32 || encoding == Encoding::kFloat64 ||
             encoding == Encoding::kFloat16 || encoding == Encoding::kQuantized;
    case TypeId::kString:
      return encoding == Encoding::kPlainString || encoding == Encoding::kDictCodes;
  }
  return false;
}

bool IsKnownEncoding(uint8_t raw) {
  return raw >= uint8_t(Encoding::kBits) && raw <= uint8_t(Encoding::kDelta);
}

// A packed run ends in padding bits; canonical payloads keep them zero, and a
// set padding bit is a cheap sign of damage.
bool PaddingIsZero(const uint8_t* bits, int64_t n) {
  return (n & 7) == 0 || (bits[BitmapBytes(n) - 1] >> (n & 7)) == 0;
}

Status RowError(const ByteReader& reader, const char* what, int64_t row) {
  return reader.Corrupt(std::string(what) + " at row " + std::to_string(row));
}

// The step of step (10) and decimal step (11): at least 2.
Status ReadStep(ByteReader* reader, const char* what, uint64_t* step) {
  OC_RETURN_IF_ERROR(reader->U64(what, step));
  if (*step < 2)
    return reader->Corrupt(std::string(what) + " " + std::to_string(*step) + " (at least 2 is valid)");
  return Status::OK();
}

// What a stepped FOR block's packed value stands for: reference + (value -
// reference) * step, wrapping as the encoder's distances did (step 1: the value).
int64_t Unstep(const ForRun& run, uint64_t step, int64_t value) {
  const uint64_t reference = uint64_t(run.reference);
  return int64_t(reference + (uint64_t(value) - reference) * step);
}

// for (2), and step (10): a u64 step before the FOR block.
Status DecodeForInts(ByteReader* reader, Encoding encoding, TypeId type, int64_t rows,
                     const uint8_t* validity, ColumnVector* out) {
  uint64_t step = 1;
  if (encoding == Encoding::kForStep) OC_RETURN_IF_ERROR(ReadStep(reader, "integer step", &step));
  ForRun run;
  OC_RETURN_IF_ERROR(ReadFor(reader, rows, "integer FOR block", &run));
  auto scaled = [&](int64_t value) { return Unstep(run, step, value); };
  if (type == TypeId::kDate) {
    out->values.Resize(4 * size_t(rows));
    int32_t* days = out->values.as<int32_t>();
    int64_t bad = UnpackFor(
        run, rows, validity,
        [&](int64_t row, int64_t packed) {
          const int64_t value = scaled(packed);
          days[row] = int32_t(value);
          return value >= std::numeric_limits<int32_t>::min() && value <= std::numeric_limits<int32_t>::max();
        },
        [&](int64_t row) { days[row] = 0; });
    if (bad >= 0) return RowError(*reader, "date outside the int32 day range (or a null with a value)", bad);
    return Status::OK();
  }
  out->values.Resize(8 * size_t(rows));
  int64_t* values = out->values.as<int64_t>();
  int64_t bad = UnpackFor(
      run, rows, validity,
      [&](int64_t row, int64_t packed) {
        values[row] = scaled(packed);
        return true;
      },
      [&](int64_t row) { values[row] = 0; });
  if (bad >= 0) return RowError(*reader, "null with a non-zero delta", bad);
  return Status::OK();
}

// delta (12): dates are checked against the int32 day range as for `for`.
Status DecodeDelta(ByteReader* reader, TypeId type, int64_t rows, const uint8_t* validity,
                   ColumnVector* out) {
  if (type == TypeId::kDate) {
    out->values.Resize(4 * size_t(rows));
    int32_t* days = out->values.as<int32_t>();
    return ReadDelta(
        reader, rows, validity,
        [&](int64_t row, int64_t value) {
          days[row] = int32_t(value);
          return value >= std::numeric_limits<int32_t>::min() && value <= std::numeric_limits<int32_t>::max();
        },
        [&](int64_t row) { days[row] = 0; });
  }
  out->values.Resize(8 * size_t(rows));
  int64_t* values = out->values.as<int64_t>();
  return ReadDelta(
      reader, rows, validity,
      [&](int64_t row, int64_t value) {
        values[row] = value;
        return true;
      },
      [&](int64_t row) { values[row] = 0; });
}

Status DecodeFloats(ByteReader* reader, Encoding encoding, int64_t rows, const uint8_t* validity,
                    ColumnVector* out) {
  out->values.Resize(8 * size_t(rows));
  double* values = out->values.as<double>();
  if (encoding == Encoding::kDecimal || encoding == Encoding::kDecimalStep) {
    uint8_t scale = 0;
    OC_RETURN_IF_ERROR(reader->U8("decimal scale", &scale));
    if (scale > kMaxDecimalScale) {
      return reader->Corrupt("decimal scale " + std::to_string(scale) + " is above " +
                             std::to_string(kMaxDecimalScale));
    }
    uint64_t step = 1;
    if (encoding == Encoding::kDecimalStep) OC_RETURN_IF_ERROR(ReadStep(reader, "decimal step", &step));
    ForRun run;
    OC_RETURN_IF_ERROR(ReadFor(reader, rows, "decimal mantissa FOR block", &run));
    const double divisor = kPow10[scale];
    int64_t bad = UnpackFor(
        run, rows, validity,
        [&](int64_t row, int64_t packed) {
          const int64_t k = Unstep(run, step, packed);
          double mantissa = double(k);
          values[row] = mantissa / divisor;
          return std::fabs(mantissa) <= kMaxExactMantissa;
        },
        [&](int64_t row) { values[row] = 0.0; });
    if (bad >= 0) return RowError(*reader, "decimal mantissa beyond 2^53 (or a null with a value)", bad);
    return Status::OK();
  }
  const uint8_t* raw = nullptr;
  if (encoding == Encoding::kFloat16) {
    OC_RETURN_IF_ERROR(reader->Bytes("float16 values", 2 * uint64_t(rows), &raw));
    for (int64_t row = 0; row < rows; ++row) {
      uint16_t half;
      std::memcpy(&half, raw + 2 * row, 2);
      values[row] = HalfToDouble(half);
    }
  } else if (encoding == Encoding::kFloat32) {
    OC_RETURN_IF_ERROR(reader->Bytes("float32 values", 4 * uint64_t(rows), &raw));
    for (int64_t row = 0; row < rows; ++row) {
      float narrow;
      std::memcpy(&narrow, raw + 4 * row, 4);
      values[row] = double(narrow);
    }
  } else {
    OC_RETURN_IF_ERROR(reader->Bytes("float64 values", 8 * uint64_t(rows), &raw));
    if (rows) std::memcpy(values, raw, 8 * size_t(rows));
  }
  if (validity) {
    for (int64_t row = 0; row < rows; ++row) {
      if (!GetBit(validity, row)) values[row] = 0.0;
    }
  }
  return Status::OK();
}

// quantized (9): step f64, then the FOR block of k; value = k * step.
Status DecodeQuantized(ByteReader* reader, TypeId type, int64_t rows, const uint8_t* validity,
                       ColumnVector* out) {
  double step = 0;
  OC_RETURN_IF_ERROR(reader->F64("quantize step", &step));
  const bool whole = IsWholeStep(step);
  if (!(step > 0) || !std::isfinite(step) || (type == TypeId::kInt64 && !whole)) {
    return reader->Corrupt("quantize step " + std::to_string(step) + " is not a positive" +
                           (type == TypeId::kInt64 ? " whole number up to 2^53" : " finite number"));
  }
  ForRun run;
  OC_RETURN_IF_ERROR(ReadFor(reader, rows, "quantized FOR block", &run));
  out->values.Resize(8 * size_t(rows));
  int64_t bad = 0;
  if (type == TypeId::kInt64) {
    int64_t* values = out->values.as<int64_t>();
    const int64_t int_step = int64_t(step);
    bad = UnpackFor(
        run, rows, validity,
        [&](int64_t row, int64_t k) { return !__builtin_mul_overflow(k, int_step, &values[row]); },
        [&](int64_t row) { values[row] = 0; });
  } else {
    double* values = out->values.as<double>();
    bad = UnpackFor(
        run, rows, validity,
        [&](int64_t row, int64_t k) {
          values[row] = double(k) * step;
          return std::fabs(double(k)) <= kMaxExactMantissa && std::isfinite(values[row]);
        },
        [&](int64_t row) { values[row] = 0.0; });
  }
  if (bad >= 0) return RowError(*reader, "quantized value out of range (or a null with a value)", bad);
  return Status::OK();
}

Status DecodePlainStrings(ByteReader* reader, int64_t rows, const uint8_t* validity, ColumnVector* out) {
  ForRun run;
  OC_RETURN_IF_ERROR(ReadFor(reader, rows, "string length FOR block", &run));
  // The bytes follow the lengths and end the payload, so every length and
  // their running total is bounded by what remains: a lying length cannot
  // make us allocate or read more than the payload holds.
  const uint64_t available = std::min<uint64_t>(reader->remaining(), std::numeric_limits<int32_t>::max());
  out->values.Resize(4 * size_t(rows + 1));
  int32_t* offsets = out->values.as<int32_t>();
  offsets[0] = 0;
  uint64_t total = 0;
  int64_t bad = UnpackFor(
      run, rows, validity,
      [&](int64_t row, int64_t length) {
        if (length < 0 || uint64_t(length) > available - total) return false;
        total += uint64_t(length);
        offsets[row + 1] = int32_t(total);
        return true;
      },
      [&](int64_t row) { offsets[row + 1] = int32_t(total); });
  if (bad >= 0) {
    return RowError(*reader, "string length is negative, beyond the payload, or set for a null", bad);
  }
  const uint8_t* bytes = nullptr;
  OC_RETURN_IF_ERROR(reader->Bytes("string bytes", total, &bytes));
  out->data.Resize(total);
  if (total) std::memcpy(out->data.data(), bytes, total);
  return Status::OK();
}

Status DecodeDictCodes(ByteReader* reader, int64_t rows, const uint8_t* validity,
                       std::shared_ptr<const Dictionary> dictionary, ColumnVector* out) {
  if (!dictionary) {
    return reader->Corrupt("chunk holds dictionary codes but the column has no dictionary");
  }
  ForRun run;
  OC_RETURN_IF_ERROR(ReadFor(reader, rows, "dictionary code FOR block", &run));
  out->values.Resize(4 * size_t(rows));
  int32_t* codes = out->values.as<int32_t>();
  const int64_t size = dictionary->size;
  int64_t bad = UnpackFor(
      run, rows, validity,
      [&](int64_t row, int64_t code) {
        codes[row] = int32_t(code);
        return code >= 0 && code < size;
      },
      [&](int64_t row) { codes[row] = 0; });
  if (bad >= 0) {
    return RowError(*reader, ("dictionary code outside [0, " + std::to_string(size) + ")").c_str(), bad);
  }
  out->dictionary = std::move(dictionary);
  return Status::OK();
}

Status DecodeInto(TypeId type, int64_t rows, std::string_view payload,
                  std::shared_ptr<const Dictionary> dictionary, ColumnVector* out) {
  ByteReader reader(payload, "column payload");
  if (rows < 0 || rows > kMaxPayloadRows) {
    return reader.Corrupt("row count " + std::to_string(rows) + " is out of range");
  }
  uint8_t raw_encoding = 0, flags = 0;
  OC_RETURN_IF_ERROR(reader.U8("encoding", &raw_encoding));
  OC_RETURN_IF_ERROR(reader.U8("flags", &flags));
  if (!IsKnownEncoding(raw_encoding)) {
    return reader.Corrupt("unknown encoding id " + std::to_string(raw_encoding));
  }
  Encoding encoding = Encoding(raw_encoding);
  if (!EncodingFitsType(encoding, type)) {
    return reader.Corrupt("encoding '" + std::string(EncodingName(encoding)) + "' cannot hold a " +
                          std::string(TypeName(type)) + " column");
  }
  if (flags & ~kKnownFlags) return reader.Corrupt("unknown flag bits " + std::to_string(flags));

  const uint8_t* validity = nullptr;
  if (flags & kFlagValidity) {
    const uint8_t* bits = nullptr;
    OC_RETURN_IF_ERROR(reader.Bytes("validity bitmap", BitmapBytes(rows), &bits));
    if (!PaddingIsZero(bits, rows)) return reader.Corrupt("validity bitmap padding bits are set");
    int64_t valid_count = CountValid(bits, rows);
    if (valid_count == rows) return reader.Corrupt("validity bitmap present but no row is null");
    out->validity.Resize(BitmapBytes(rows));
    std::memcpy(out->validity.data(), bits, BitmapBytes(rows));
    out->null_count = rows - valid_count;
    validity = out->validity.data();
  }

  switch (encoding) {
    case Encoding::kBits: {
      const uint8_t* bits = nullptr;
      OC_RETURN_IF_ERROR(reader.Bytes("boolean bits", BitmapBytes(rows), &bits));
      if (!PaddingIsZero(bits, rows)) return reader.Corrupt("boolean padding bits are set");
      out->values.Resize(BitmapBytes(rows));
      uint8_t* values = out->values.data();
      for (int64_t byte = 0; byte < BitmapBytes(rows); ++byte) {
        values[byte] = validity ? uint8_t(bits[byte] & validity[byte]) : bits[byte];
      }
      break;
    }
    case Encoding::kForInt:
    case Encoding::kForStep:
      OC_RETURN_IF_ERROR(DecodeForInts(&reader, encoding, type, rows, validity, out));
      break;
    case Encoding::kDelta:
      OC_RETURN_IF_ERROR(DecodeDelta(&reader, type, rows, validity, out));
      break;
    case Encoding::kQuantized:
      OC_RETURN_IF_ERROR(DecodeQuantized(&reader, type, rows, validity, out));
      break;
    case Encoding::kFloat16:
    case Encoding::kDecimal:
    case Encoding::kDecimalStep:
    case Encoding::kFloat32:
    case Encoding::kFloat64:
      OC_RETURN_IF_ERROR(DecodeFloats(&reader, encoding, rows, validity, out));
      break;
    case Encoding::kPlainString:
      OC_RETURN_IF_ERROR(DecodePlainStrings(&reader, rows, validity, out));
      break;
    case Encoding::kDictCodes:
      OC_RETURN_IF_ERROR(DecodeDictCodes(&reader, rows, validity, std::move(dictionary), out));
      break;
  }
  OC_RETURN_IF_ERROR(reader.ExpectEnd());
  out->length = rows;
  return Status::OK();
}

}  // namespace

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kBits:
      return "bits";
    case Encoding::kForInt:
      return "for";
    case Encoding::kDecimal:
      return "decimal";
    case Encoding::kFloat32:
      return "float32";
    case Encoding::kFloat64:
      return "float64";
    case Encoding::kPlainString:
      return "plain";
    case Encoding::kDictCodes:
      return "dict";
    case Encoding::kFloat16:
      return "float16";
    case Encoding::kQuantized:
      return "quantized";
    case Encoding::kForStep:
      return "step";
    case Encoding::kDecimalStep:
      return "decimal_step";
    case Encoding::kDelta:
      return "delta";
  }
  return "unknown";
}

Result<Encoding> PayloadEncoding(std::string_view payload) {
  if (payload.empty() || !IsKnownEncoding(uint8_t(payload[0]))) {
    return Status::Corruption("column payload does not start with a known encoding id");
  }
  return Encoding(uint8_t(payload[0]));
}

namespace {

// The payload header (encoding, flags, validity) around a body that
// `write_body(validity, writer, &encoding)` writes; shared by the exact and
// the lossy encoders.
template <typename WriteBody>
Status EncodePayload(const ColumnVector& column, Buffer* payload, WriteBody write_body) {
  payload->Clear();
  const int64_t n = column.length;
  if (n < 0 || n > kMaxPayloadRows) {
    return Status::InvalidArgument("EncodeColumn: column length " + std::to_string(n) +
                                   " is outside [0, 2^31 - 1]");
  }
  const uint8_t* validity = nullptr;
  if (column.null_count > 0) {
    if (column.validity.size() < uint64_t(BitmapBytes(n))) {
      return TooSmall("validity", column.type, n, column.validity.size(), BitmapBytes(n));
    }
    validity = column.validity.data();
    // The bitmap is the truth; a count that disagrees is a bug upstream.
    int64_t valid_count = CountValid(validity, n);
    if (n - valid_count != column.null_count) {
      return Status::InvalidArgument("EncodeColumn: null_count " + std::to_string(column.null_count) +
                                     " disagrees with the validity bitmap (" +
                                     std::to_string(n - valid_count) + " nulls)");
    }
  }
  ByteWriter writer(payload);
  writer.U8(0);  // encoding: patched once the body has chosen it
  writer.U8(validity ? kFlagValidity : 0);
  if (validity) {
    uint8_t* bits = writer.Extend(BitmapBytes(n));
    std::memcpy(bits, validity, BitmapBytes(n));
    if (n & 7) bits[BitmapBytes(n) - 1] &= uint8_t((1u << (n & 7)) - 1);
  }
  Encoding encoding = Encoding::kBits;
  OC_RETURN_IF_ERROR(write_body(validity, &writer, &encoding));
  payload->data()[0] = uint8_t(encoding);
  return Status::OK();
}

}  // namespace

Status EncodeColumn(const ColumnVector& column, const EncodeOptions& options, Buffer* payload) {
  return EncodePayload(column, payload,
                       [&](const uint8_t* validity, ByteWriter<Buffer>* writer, Encoding* encoding) {
                         return EncodeBody(column, options, validity, writer, encoding);
                       });
}

Result<bool> EncodeLossyColumn(const ColumnVector& column, const LossyForm& form, Buffer* payload,
                               double* unrepresentable) {
  const bool fits =
      column.type == TypeId::kFloat64 ||
      (column.type == TypeId::kInt64 && form.kind == LossyKind::kQuantize && IsWholeStep(form.step));
  if (!fits || (form.kind == LossyKind::kQuantize && !(form.step > 0 && std::isfinite(form.step)))) {
    return Status::InvalidArgument("EncodeLossyColumn: " + LossyFormName(form) + " does not apply to a " +
                                   std::string(TypeName(column.type)) + " column");
  }
  const uint64_t need = 8 * uint64_t(std::max<int64_t>(column.length, 0));
  if (column.values.size() < need)
    return TooSmall("values", column.type, column.length, column.values.size(), need);
  bool held = true;
  OC_RETURN_IF_ERROR(EncodePayload(
      column, payload, [&](const uint8_t* validity, ByteWriter<Buffer>* writer, Encoding* encoding) {
        held = EncodeLossyBody(column, form, validity, writer, encoding, unrepresentable);
        return Status::OK();
      }));
  if (!held) payload->Clear();
  return held;
}

LossyError MeasureLossyError(const ColumnVector& original, const ColumnVector& decoded) {
  LossyError error;
  auto add = [&error](double abs_error, double magnitude) {
    error.max_abs = std::max(error.max_abs, abs_error);
    if (magnitude != 0) error.max_rel = std::max(error.max_rel, abs_error / magnitude);
  };
  const int64_t n = std::min(original.length, decoded.length);
  if (original.type == TypeId::kInt64 && decoded.type == TypeId::kInt64) {
    const int64_t* x = original.values.as<int64_t>();
    const int64_t* d = decoded.values.as<int64_t>();
    for (int64_t row = 0; row < n; ++row) {
      if (!original.IsValid(row)) continue;
      int64_t diff;
      double abs_error = __builtin_sub_overflow(d[row], x[row], &diff)
                             ? std::fabs(double(d[row]) - double(x[row]))
                             : std::fabs(double(diff));
      add(abs_error, std::fabs(double(x[row])));
    }
  } else if (original.type == TypeId::kFloat64 && decoded.type == TypeId::kFloat64) {
    const double* x = original.values.as<double>();
    const double* d = decoded.values.as<double>();
    for (int64_t row = 0; row < n; ++row) {
      if (!original.IsValid(row) || !std::isfinite(x[row])) continue;
      add(std::fabs(d[row] - x[row]), std::fabs(x[row]));
    }
  }
  return error;
}

Status DecodeColumn(TypeId type, int64_t rows, std::string_view payload,
                    std::shared_ptr<const Dictionary> dictionary, ColumnVector* out) {
  out->Reset(type);
  Status status = DecodeInto(type, rows, payload, std::move(dictionary), out);
  if (!status.ok()) out->Reset(type);
  return status;
}

}  // namespace outcore
