// The lossy forms (doc/encodings.md, "Lossy forms"): float16 conversions,
// each form's payload decoding to the value it promises, the values a form
// cannot hold, hostile quantized payloads, and the error measure.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "encoding/column_encoder.h"
#include "encoding/encoding_test_util.h"
#include "encoding/float16.h"

namespace outcore {
namespace {

using testing_util::MakeColumn;

// Encodes `column` in `form` (expecting it held) and decodes it.
ColumnVector LossyRoundTrip(const ColumnVector& column, LossyForm form, Encoding expected) {
  Buffer payload;
  double bad = 0;
  auto held = EncodeLossyColumn(column, form, &payload, &bad);
  EXPECT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_TRUE(held.ok() && *held) << "unrepresentable: " << bad;
  auto encoding = PayloadEncoding(payload.view());
  EXPECT_TRUE(encoding.ok());
  if (encoding.ok()) {
    EXPECT_EQ(EncodingName(*encoding), EncodingName(expected));
  }
  ColumnVector decoded;
  Status status = DecodeColumn(column.type, column.length, payload.view(), nullptr, &decoded);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return decoded;
}

TEST(Float16, KnownValuesRoundToNearestEven) {
  EXPECT_EQ(DoubleToHalf(1.0), 0x3C00);
  EXPECT_EQ(DoubleToHalf(-2.0), 0xC000);
  EXPECT_EQ(DoubleToHalf(65504.0), 0x7BFF);
  EXPECT_EQ(DoubleToHalf(65519.99), 0x7BFF);  // below the midpoint to 65536
  EXPECT_EQ(DoubleToHalf(65520.0), 0x7C00);   // the midpoint rounds to even: infinity
  EXPECT_EQ(DoubleToHalf(0x1p-24), 0x0001);   // smallest subnormal
  EXPECT_EQ(DoubleToHalf(0x1p-25), 0x0000);   // a tie between 0 and 2^-24: even is 0
  EXPECT_EQ(DoubleToHalf(3 * 0x1p-25), 0x0002);
  EXPECT_EQ(DoubleToHalf(0x1p-14 - 0x1p-26), 0x0400);  // rounds up into the normals
  EXPECT_EQ(DoubleToHalf(1.0 + 0x1p-11), 0x3C00);      // tie: to the even mantissa
  EXPECT_EQ(DoubleToHalf(1.0 + 3 * 0x1p-11), 0x3C02);
  EXPECT_EQ(DoubleToHalf(-0.0), 0x8000);
  EXPECT_EQ(DoubleToHalf(INFINITY), 0x7C00);
  EXPECT_TRUE(std::isnan(HalfToDouble(DoubleToHalf(NAN))));
  EXPECT_EQ(HalfToDouble(0x7BFF), 65504.0);
  EXPECT_EQ(HalfToDouble(0x0001), 0x1p-24);
  EXPECT_EQ(HalfToDouble(0x3555), 0.333251953125);
}

#ifdef __FLT16_MAX__
TEST(Float16, AgreesWithTheCompilersHalfOnRandomDoubles) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-26, 16);
  for (int i = 0; i < 200000; ++i) {
    double v = std::exp2(exponent(rng)) * (rng() & 1 ? -1 : 1);
    if (!(std::fabs(v) < kFloat16Overflow)) continue;
    const _Float16 reference = _Float16(v);
    EXPECT_EQ(DoubleToHalf(v), std::bit_cast<uint16_t>(reference)) << v;
    EXPECT_EQ(HalfToDouble(DoubleToHalf(v)), double(reference)) << v;
  }
}
#endif

TEST(EncodeLossyColumn, Float16DecodesToTheNearestHalfAndKeepsNulls) {
  std::vector<double> values = {19.99, -0.1, 0.0, 1234.5678, 65504.0, INFINITY, 1e-9};
  ColumnVector column = MakeColumn(TypeId::kFloat64, values, {true, true, false, true, true, true, true});
  ColumnVector decoded = LossyRoundTrip(column, {LossyKind::kFloat16, 0}, Encoding::kFloat16);
  ASSERT_EQ(decoded.length, 7);
  EXPECT_EQ(decoded.null_count, 1);
  for (size_t row = 0; row < values.size(); ++row) {
    if (row == 2) continue;
    EXPECT_EQ(decoded.GetFloat64(int64_t(row)), HalfToDouble(DoubleToHalf(values[row]))) << row;
  }
  EXPECT_EQ(decoded.GetFloat64(0), 19.984375);
  EXPECT_EQ(decoded.GetFloat64(6), 0.0);  // below half the smallest subnormal
}

TEST(EncodeLossyColumn, Float32RoundsEveryValueAndOverflowIsRefused) {
  std::vector<double> values = {0.1, 1.0 / 3, -7e30};
  ColumnVector decoded =
      LossyRoundTrip(MakeColumn(TypeId::kFloat64, values), {LossyKind::kFloat32, 0}, Encoding::kFloat32);
  for (size_t row = 0; row < values.size(); ++row)
    EXPECT_EQ(decoded.GetFloat64(int64_t(row)), double(float(values[row])));

  Buffer payload;
  double bad = 0;
  auto held = EncodeLossyColumn(MakeColumn(TypeId::kFloat64, std::vector<double>{1.0, 1e39}),
                                {LossyKind::kFloat32, 0}, &payload, &bad);
  ASSERT_TRUE(held.ok());
  EXPECT_FALSE(*held);
  EXPECT_EQ(bad, 1e39);
  EXPECT_EQ(payload.size(), 0u);
  // Just below the midpoint to 2^128 still rounds to FLT_MAX; the midpoint itself to infinity.
  const double below = std::nextafter(0x1.ffffffp+127, 0.0);
  ColumnVector edge = LossyRoundTrip(MakeColumn(TypeId::kFloat64, std::vector<double>{below}),
                                     {LossyKind::kFloat32, 0}, Encoding::kFloat32);
  EXPECT_EQ(edge.GetFloat64(0), double(std::numeric_limits<float>::max()));
  held = EncodeLossyColumn(MakeColumn(TypeId::kFloat64, std::vector<double>{-0x1.ffffffp+127}),
                           {LossyKind::kFloat32, 0}, &payload, &bad);
  ASSERT_TRUE(held.ok());
  EXPECT_FALSE(*held);
}

TEST(EncodeLossyColumn, ValuesAFormCannotHoldAreNamedNotStoredAsInfinity) {
  struct Case {
    LossyForm form;
    double value;
  };
  for (const Case& c : {Case{{LossyKind::kFloat16, 0}, 70000.0}, Case{{LossyKind::kFloat16, 0}, -65520.0},
                        Case{{LossyKind::kQuantize, 0.5}, NAN}, Case{{LossyKind::kQuantize, 0.5}, -INFINITY},
                        Case{{LossyKind::kQuantize, 1e-3}, 1e300}}) {
    Buffer payload;
    double bad = 0;
    auto held = EncodeLossyColumn(MakeColumn(TypeId::kFloat64, std::vector<double>{1.0, c.value}), c.form,
                                  &payload, &bad);
    ASSERT_TRUE(held.ok());
    EXPECT_FALSE(*held) << LossyFormName(c.form) << " " << c.value;
    EXPECT_TRUE(bad == c.value || (std::isnan(bad) && std::isnan(c.value)));
  }
  // A null slot's value is not a value: it never makes a chunk fall back.
  Buffer payload;
  double bad = 0;
  auto held = EncodeLossyColumn(MakeColumn(TypeId::kFloat64, std::vector<double>{1.0, 1e9}, {true, false}),
                                {LossyKind::kFloat16, 0}, &payload, &bad);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(*held);
}

TEST(EncodeLossyColumn, QuantizeStoresRoundedMultiplesOfTheStep) {
  std::vector<double> values = {10.1, 10.26, -3.75, 0.0, 1e6 + 0.2};
  ColumnVector decoded =
      LossyRoundTrip(MakeColumn(TypeId::kFloat64, values), {LossyKind::kQuantize, 0.5}, Encoding::kQuantized);
  std::vector<double> expected = {10.0, 10.5, -4.0, 0.0, 1e6};  // -7.5 is a tie: to even (-8 * 0.5)
  for (size_t row = 0; row < values.size(); ++row)
    EXPECT_EQ(decoded.GetFloat64(int64_t(row)), expected[row]) << row;
}

TEST(EncodeLossyColumn, QuantizeOnIntegersUsesIntegerRoundingAndRefusesOverflow) {
  std::vector<int64_t> values = {0, 4, 5, 15, -25, 123456789};
  ColumnVector decoded =
      LossyRoundTrip(MakeColumn(TypeId::kInt64, values), {LossyKind::kQuantize, 10}, Encoding::kQuantized);
  std::vector<int64_t> expected = {0, 0, 0, 20, -20, 123456790};  // ties to even multiples
  for (size_t row = 0; row < values.size(); ++row)
    EXPECT_EQ(decoded.GetInt64(int64_t(row)), expected[row]) << row;

  Buffer payload;
  double bad = 0;
  auto held =
      EncodeLossyColumn(MakeColumn(TypeId::kInt64, std::vector<int64_t>{std::numeric_limits<int64_t>::max()}),
                        {LossyKind::kQuantize, 10}, &payload, &bad);
  ASSERT_TRUE(held.ok());
  EXPECT_FALSE(*held);  // rounds up to a multiple of 10 past INT64_MAX
  // A fractional step, or float16 on integers, is the caller's error.
  EXPECT_FALSE(
      EncodeLossyColumn(MakeColumn(TypeId::kInt64, values), {LossyKind::kQuantize, 0.5}, &payload, &bad)
          .ok());
  EXPECT_FALSE(
      EncodeLossyColumn(MakeColumn(TypeId::kInt64, values), {LossyKind::kFloat16, 0}, &payload, &bad).ok());
}

TEST(DecodeColumn, RejectsHostileQuantizedPayloads) {
  ColumnVector column = MakeColumn(TypeId::kInt64, std::vector<int64_t>{1000000, 2000000, 3000000});
  Buffer payload;
  double bad = 0;
  ASSERT_TRUE(*EncodeLossyColumn(column, {LossyKind::kQuantize, 2}, &payload, &bad));
  std::string bytes(payload.view());
  ColumnVector out;
  for (double step : {0.0, -2.0, 2.5, double(NAN), double(INFINITY)}) {
    std::string damaged = bytes;
    std::memcpy(damaged.data() + 2, &step, 8);  // after u8 encoding, u8 flags
    Status status = DecodeColumn(TypeId::kInt64, 3, damaged, nullptr, &out);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << step;
    EXPECT_NE(status.message().find("quantize step"), std::string::npos) << status.message();
  }
  // k * step past int64 is damage, not a wrapped value.
  std::string damaged = bytes;
  double huge = 9007199254740992.0;
  std::memcpy(damaged.data() + 2, &huge, 8);
  EXPECT_EQ(DecodeColumn(TypeId::kInt64, 3, damaged, nullptr, &out).code(), StatusCode::kCorruption);
  // A timestamp column cannot hold a quantized payload.
  EXPECT_EQ(DecodeColumn(TypeId::kTimestamp, 3, bytes, nullptr, &out).code(), StatusCode::kCorruption);
}

TEST(MeasureLossyError, AbsoluteAndRelativeOverValidFiniteNonZeroValues) {
  ColumnVector original = MakeColumn(TypeId::kFloat64, std::vector<double>{2.0, 0.0, -0.5, 100.0, INFINITY},
                                     {true, true, true, false, true});
  ColumnVector decoded = MakeColumn(TypeId::kFloat64, std::vector<double>{2.25, 0.0, -0.25, 0.0, INFINITY},
                                    {true, true, true, false, true});
  LossyError error = MeasureLossyError(original, decoded);
  EXPECT_EQ(error.max_abs, 0.25);  // the null row's 100 -> 0 is no error
  EXPECT_EQ(error.max_rel, 0.5);   // -0.5 -> -0.25
}

}  // namespace
}  // namespace outcore
