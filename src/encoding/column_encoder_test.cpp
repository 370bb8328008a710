#include "encoding/column_encoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <utility>

#include "base/byte_io.h"
#include "encoding/bitpack.h"
#include "encoding/delta.h"
#include "encoding/encoding_test_util.h"

namespace outcore {
namespace {

using testing_util::ExpectSameColumn;
using testing_util::MakeBoolColumn;
using testing_util::MakeColumn;
using testing_util::MakeStringColumn;

constexpr uint64_t kHeader = 2;  // u8 encoding, u8 flags
constexpr uint64_t kFor = 9;     // i64 reference, u8 width

// Encodes, checks the chosen encoding, decodes, compares bit-for-bit; returns
// the payload so the caller can assert its size.
std::string RoundTrip(const ColumnVector& column, Encoding expected, const EncodeOptions& options = {},
                      std::shared_ptr<const Dictionary> dictionary = nullptr) {
  Buffer payload;
  Status status = EncodeColumn(column, options, &payload);
  EXPECT_TRUE(status.ok()) << status.ToString();
  auto encoding = PayloadEncoding(payload.view());
  EXPECT_TRUE(encoding.ok());
  if (encoding.ok()) {
    EXPECT_EQ(EncodingName(*encoding), EncodingName(expected));
  }
  ColumnVector decoded;
  status = DecodeColumn(column.type, column.length, payload.view(), dictionary, &decoded);
  EXPECT_TRUE(status.ok()) << status.ToString();
  ExpectSameColumn(column, decoded);
  return std::string(payload.view());
}

// Encodes with the default options, decodes, compares bit-for-bit: for cases
// where more than one form may be the smallest.
void RoundTripAnyEncoding(const ColumnVector& column) {
  Buffer payload;
  ASSERT_TRUE(EncodeColumn(column, {}, &payload).ok());
  ColumnVector decoded;
  Status status = DecodeColumn(column.type, column.length, payload.view(), nullptr, &decoded);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ExpectSameColumn(column, decoded);
}

// --- integers -------------------------------------------------------------

TEST(EncodeColumn, SmallIntsPackToFewBitsAboveTheirMinimum) {
  std::vector<int64_t> values(1000);
  std::mt19937_64 rng(1);
  for (auto& value : values) value = 1'000'000 + int64_t(rng() % 8);  // width 3
  values[0] = 1'000'000;
  values[1] = 1'000'007;
  std::string payload = RoundTrip(MakeColumn(TypeId::kInt64, values), Encoding::kForInt);
  EXPECT_EQ(payload.size(), kHeader + kFor + BitPackedBytes(1000, 3));
}

TEST(EncodeColumn, Int64MinAndMaxInOneChunkUseWidth64) {
  std::vector<int64_t> values = {std::numeric_limits<int64_t>::min(), 0, -1,
                                 std::numeric_limits<int64_t>::max(), 42};
  EncodeOptions no_delta;  // whose wrapping differences happen to pack smaller
  no_delta.allow_delta = false;
  std::string payload = RoundTrip(MakeColumn(TypeId::kInt64, values), Encoding::kForInt, no_delta);
  EXPECT_EQ(payload.size(), kHeader + kFor + 5 * 8);
  EXPECT_EQ(uint8_t(payload[kHeader + 8]), 64);  // the width byte
}

TEST(EncodeColumn, ConstantChunkHasWidthZeroAndNoPackedBytes) {
  std::vector<int64_t> values(4096, -77);
  std::string payload = RoundTrip(MakeColumn(TypeId::kTimestamp, values), Encoding::kForInt);
  EXPECT_EQ(payload.size(), kHeader + kFor);
}

TEST(EncodeColumn, NullSlotsDoNotWidenTheRange) {
  // Garbage in null slots (the contract says 0, but it must not matter).
  std::vector<int64_t> values = {10, std::numeric_limits<int64_t>::max(), 11, -999999, 12, 13, 10, 11, 12};
  std::vector<bool> valid = {true, false, true, false, true, true, true, true, true};
  ColumnVector column = MakeColumn(TypeId::kInt64, values, valid);
  std::string payload = RoundTrip(column, Encoding::kForInt);
  EXPECT_EQ(payload.size(), kHeader + BitmapBytes(9) + kFor + BitPackedBytes(9, 2));
  ColumnVector decoded;
  ASSERT_TRUE(DecodeColumn(TypeId::kInt64, 9, payload, nullptr, &decoded).ok());
  EXPECT_EQ(decoded.GetInt64(1), 0);  // a null slot holds 0
}

TEST(EncodeColumn, RandomIntsRoundTripAtEveryRangeWithNulls) {
  std::mt19937_64 rng(2);
  for (int width = 0; width <= 64; width += 3) {
    std::vector<int64_t> values(777);
    std::vector<bool> valid(777);
    uint64_t mask = width == 64 ? ~0ull : (1ull << width) - 1;
    int64_t base = int64_t(rng());
    for (size_t row = 0; row < values.size(); ++row) {
      values[row] = int64_t(uint64_t(base) + (rng() & mask));
      valid[row] = rng() % 5 != 0;
    }
    // Where base + mask passes INT64_MAX the values wrap and FOR takes width
    // 64; delta's wrapping differences do not, and win.
    EncodeOptions no_delta;
    no_delta.allow_delta = false;
    RoundTrip(MakeColumn(TypeId::kInt64, values, valid), Encoding::kForInt, no_delta);
    RoundTripAnyEncoding(MakeColumn(TypeId::kInt64, values, valid));
  }
}

TEST(EncodeColumn, DatesRoundTripAcrossTheInt32Range) {
  std::vector<int32_t> days = {std::numeric_limits<int32_t>::min(), 0, 19000,
                               std::numeric_limits<int32_t>::max(), -1};
  std::string payload = RoundTrip(MakeColumn(TypeId::kDate, days), Encoding::kForInt);
  EXPECT_EQ(payload.size(), kHeader + kFor + BitPackedBytes(5, 32));
}

// Whole seconds stored as microseconds: the distances from the minimum share
// the factor 1,000,000, so only the seconds are packed (20 bits a row fewer).
TEST(EncodeColumn, TimestampsInWholeSecondsPackTheSecondsAlone) {
  std::mt19937_64 rng(3);
  const int64_t start = 1'700'000'000'000'000;  // 2023-11, in microseconds
  std::vector<int64_t> stamps(5000);
  std::vector<bool> valid(stamps.size());
  for (size_t row = 0; row < stamps.size(); ++row) {
    stamps[row] = start + int64_t(rng() % (86400 * 365)) * 1'000'000;
    valid[row] = row % 7 != 3;
  }
  stamps[0] = start;  // the minimum, and the range a full year of seconds
  stamps[1] = start + int64_t(86400 * 365 - 1) * 1'000'000;
  ColumnVector column = MakeColumn(TypeId::kTimestamp, stamps, valid);
  std::string payload = RoundTrip(column, Encoding::kForStep);
  const int seconds_width = BitWidth(uint64_t(86400 * 365 - 1));  // 25
  EXPECT_EQ(payload.size(), kHeader + BitmapBytes(5000) + 8 + kFor + BitPackedBytes(5000, seconds_width));
  uint64_t step = 0;
  std::memcpy(&step, payload.data() + kHeader + BitmapBytes(5000), 8);
  EXPECT_EQ(step, 1'000'000u);
  // Without the step (a writer of an older version): the full width.
  EncodeOptions no_step;
  no_step.allow_step = false;
  std::string plain = RoundTrip(column, Encoding::kForInt, no_step);
  EXPECT_EQ(plain.size(), kHeader + BitmapBytes(5000) + kFor + BitPackedBytes(5000, 45));
  // One value off the grid: no common step but 1, plain FOR.
  stamps[17] += 1;
  valid[17] = true;
  RoundTrip(MakeColumn(TypeId::kTimestamp, stamps, valid), Encoding::kForInt);
}

TEST(EncodeColumn, AStepIsTakenOnlyWhereItPaysAndRoundTripsAtTheExtremes) {
  // Multiples of 100 (cents of whole amounts), negative too, and dates a week
  // apart; in order they would be delta, which these cases are not about.
  EncodeOptions no_delta;
  no_delta.allow_delta = false;
  std::vector<int64_t> cents;
  for (int64_t i = -500; i < 500; ++i) cents.push_back(i * 100);
  RoundTrip(MakeColumn(TypeId::kInt64, cents), Encoding::kForStep, no_delta);
  std::vector<int32_t> weeks;
  for (int32_t i = 0; i < 400; ++i) weeks.push_back(-20000 + 7 * i);
  RoundTrip(MakeColumn(TypeId::kDate, weeks), Encoding::kForStep, no_delta);
  // Eight values a step of 2 apart save 8 bits, less than the step's 8 bytes.
  RoundTrip(MakeColumn<int64_t>(TypeId::kInt64, {0, 2, 4, 6, 8, 10, 12, 14}), Encoding::kForInt);
  // The whole int64 range in steps of 2^62: distances near 2^64 wrap exactly.
  const int64_t lo = std::numeric_limits<int64_t>::min();
  std::vector<int64_t> extremes;
  for (int i = 0; i < 200; ++i)
    extremes.push_back(int64_t(uint64_t(lo) + uint64_t(i % 4) * (uint64_t(1) << 62)));
  std::string payload = RoundTrip(MakeColumn(TypeId::kInt64, extremes), Encoding::kForStep, no_delta);
  EXPECT_EQ(payload.size(), kHeader + 8 + kFor + BitPackedBytes(200, 2));
}

// Fares in steps of 0.50 at scale 1 are mantissas 5, 10, 15, ...: the step 5
// leaves their quotients 2.3 bits narrower; values stay bit for bit.
TEST(EncodeColumn, DecimalsAStepApartPackTheirQuotients) {
  std::mt19937_64 rng(5);
  std::vector<double> fares(4000);
  std::vector<bool> valid(fares.size());
  for (size_t row = 0; row < fares.size(); ++row) {
    fares[row] = 2.5 + 0.5 * double(rng() % 200);  // 2.50 .. 102.00
    valid[row] = row % 9 != 4;
  }
  fares[0] = 2.5;
  fares[1] = 102.0;
  ColumnVector column = MakeColumn(TypeId::kFloat64, fares, valid);
  std::string payload = RoundTrip(column, Encoding::kDecimalStep);
  const size_t body = kHeader + BitmapBytes(4000);
  EXPECT_EQ(uint8_t(payload[body]), 1);  // scale 1: k = 25 .. 1020
  uint64_t step = 0;
  std::memcpy(&step, payload.data() + body + 1, 8);
  EXPECT_EQ(step, 5u);
  EXPECT_EQ(payload.size(), body + 1 + 8 + kFor + BitPackedBytes(4000, BitWidth(199)));
  EncodeOptions no_step;
  no_step.allow_step = false;
  RoundTrip(column, Encoding::kDecimal, no_step);
  // Negative amounts and a step of 25 cents.
  std::vector<double> quarters;
  for (int i = -300; i < 300; ++i) quarters.push_back(0.25 * i);
  RoundTrip(MakeColumn(TypeId::kFloat64, quarters), Encoding::kDecimalStep);
  // A hostile step is refused, and so is a mantissa it takes past 2^53.
  std::string bad = payload;
  const uint64_t one = 1, huge = uint64_t(1) << 50;
  std::memcpy(bad.data() + body + 1, &one, 8);
  ColumnVector out;
  Status status = DecodeColumn(TypeId::kFloat64, 4000, bad, nullptr, &out);
  EXPECT_NE(status.message().find("decimal step 1"), std::string::npos) << status.message();
  std::memcpy(bad.data() + body + 1, &huge, 8);
  status = DecodeColumn(TypeId::kFloat64, 4000, bad, nullptr, &out);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("beyond 2^53"), std::string::npos) << status.message();
}

TEST(DecodeColumn, AStepBelowTwoOrADateThatLeavesInt32IsCorruption) {
  std::vector<int32_t> weeks;
  for (int32_t i = 0; i < 400; ++i) weeks.push_back(7 * i);
  std::shuffle(weeks.begin(), weeks.end(), std::mt19937(9));  // out of order: not delta
  Buffer payload;
  ASSERT_TRUE(EncodeColumn(MakeColumn(TypeId::kDate, weeks), {}, &payload).ok());
  ASSERT_EQ(*PayloadEncoding(payload.view()), Encoding::kForStep);
  std::string bytes(payload.view());
  ColumnVector out;
  for (uint64_t step : {uint64_t(0), uint64_t(1)}) {
    std::memcpy(bytes.data() + kHeader, &step, 8);
    Status status = DecodeColumn(TypeId::kDate, 400, bytes, nullptr, &out);
    EXPECT_EQ(status.code(), StatusCode::kCorruption);
    EXPECT_NE(status.message().find("integer step " + std::to_string(step)), std::string::npos)
        << status.message();
  }
  const uint64_t huge = uint64_t(1) << 40;  // 399 * 2^40 days leaves int32
  std::memcpy(bytes.data() + kHeader, &huge, 8);
  Status status = DecodeColumn(TypeId::kDate, 400, bytes, nullptr, &out);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("int32 day range"), std::string::npos) << status.message();
}

// --- delta (12) -----------------------------------------------------------

// The byte offsets of a delta payload's fields (doc/encodings.md, "delta (12)"),
// read back from the payload, so a test can damage one field at a time.
struct DeltaFields {
  size_t first = 0, step = 0, slot_reference = 0, slot_width = 0, slots = 0, count = 0, positions = 0,
         quotient_reference = 0, quotient_width = 0, quotients = 0;
  int slot_bits = 0, position_bits = 0, quotient_bits = 0;
  uint32_t exceptions = 0;
};

DeltaFields ParseDelta(const std::string& payload, int64_t rows, bool has_validity) {
  DeltaFields f;
  f.first = kHeader + (has_validity ? BitmapBytes(rows) : 0);
  f.step = f.first + 8;
  f.slot_reference = f.step + 8;
  f.slot_width = f.slot_reference + 8;
  f.slot_bits = uint8_t(payload[f.slot_width]);
  f.slots = f.slot_width + 1;
  f.count = f.slots + BitPackedBytes(rows, f.slot_bits);
  std::memcpy(&f.exceptions, payload.data() + f.count, 4);
  f.positions = f.count + 4;
  f.position_bits = rows > 1 ? BitWidth(uint64_t(rows - 1)) : 0;
  f.quotient_reference = f.positions + BitPackedBytes(f.exceptions, f.position_bits);
  f.quotient_width = f.quotient_reference + 8;
  f.quotient_bits = uint8_t(payload[f.quotient_width]);
  f.quotients = f.quotient_width + 1;
  EXPECT_EQ(payload.size(), f.quotients + BitPackedBytes(f.exceptions, f.quotient_bits));
  return f;
}

std::vector<uint64_t> UnpackRun(const std::string& payload, size_t at, int64_t n, int width) {
  std::vector<uint64_t> values(static_cast<size_t>(n));
  BitUnpack(reinterpret_cast<const uint8_t*>(payload.data()) + at, n, width, values.data());
  return values;
}

void RepackRun(std::string* payload, size_t at, const std::vector<uint64_t>& values, int width) {
  BitPack(values.data(), int64_t(values.size()), width, reinterpret_cast<uint8_t*>(payload->data()) + at);
}

uint64_t EncodedSize(const ColumnVector& column, const EncodeOptions& options) {
  Buffer payload;
  EXPECT_TRUE(EncodeColumn(column, options, &payload).ok());
  return payload.size();
}

// What delta alone would take for an int64 column, planned as the encoder plans it.
uint64_t DeltaBodyBytes(const std::vector<int64_t>& values, const std::vector<bool>& valid = {}) {
  ColumnVector column = MakeColumn(TypeId::kInt64, values, valid);
  const uint8_t* validity = column.null_count ? column.validity.data() : nullptr;
  auto get = [&](int64_t row) { return values[size_t(row)]; };
  const int64_t n = int64_t(values.size());
  DeltaPlanner planner(DeltaPivot(n, validity, get));
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min(), first = 0;
  uint64_t gcd = 0;
  bool any = false;
  for (int64_t row = 0; row < n; ++row) {
    if (validity && !GetBit(validity, row)) continue;
    planner.Add(get(row));
    if (!any) first = get(row);
    any = true;
    lo = std::min(lo, get(row));
    hi = std::max(hi, get(row));
    const int64_t v = get(row);
    gcd = std::gcd(gcd, v >= first ? uint64_t(v) - uint64_t(first) : uint64_t(first) - uint64_t(v));
  }
  return planner.Finish(n, any ? uint64_t(hi) - uint64_t(lo) : 0, gcd).bytes;
}

// Pickup stamps as a taxi export has them: whole seconds in microseconds, a
// trip a fraction of a second after the last, and stray stamps years away.
std::vector<int64_t> PickupStamps(size_t rows, const std::vector<std::pair<size_t, int64_t>>& strays,
                                  uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> stamps(rows);
  int64_t second = 1'546'300'800;  // 2019-01-01
  for (auto& stamp : stamps) {
    second += int64_t(rng() % 4 == 0);
    stamp = second * 1'000'000;
  }
  for (auto [row, years] : strays) stamps[row] += years * 365 * 86400 * 1'000'000;
  return stamps;
}

TEST(EncodeColumn, SortedStampsWithStraysBothWaysAreDeltaWithTwoExceptionsPerStray) {
  const std::vector<std::pair<size_t, int64_t>> strays = {{1000, 8}, {2500, -10}, {2501, -10}, {4000, 3}};
  std::vector<int64_t> stamps = PickupStamps(5000, strays, 11);
  ColumnVector column = MakeColumn(TypeId::kTimestamp, stamps);
  std::string payload = RoundTrip(column, Encoding::kDelta);
  DeltaFields f = ParseDelta(payload, 5000, false);
  uint64_t step = 0;
  std::memcpy(&step, payload.data() + f.step, 8);
  EXPECT_EQ(step, 1'000'000u);  // whole seconds
  EXPECT_EQ(f.slot_bits, 1);    // the next trip is 0 or 1 s later
  // Out and back for each stray; the two strays in a row are 0 s apart out there.
  EXPECT_EQ(f.exceptions, 6u);
  EXPECT_EQ(UnpackRun(payload, f.positions, 6, f.position_bits),
            (std::vector<uint64_t>{1000, 1001, 2500, 2502, 4000, 4001}));
  // Smaller than either form it replaces, by the width of the strays.
  EncodeOptions no_delta;
  no_delta.allow_delta = false;
  const uint64_t stepped = EncodedSize(column, no_delta);
  no_delta.allow_step = false;
  const uint64_t plain = EncodedSize(column, no_delta);
  EXPECT_LT(payload.size() * 10, stepped);
  EXPECT_LT(stepped, plain);
  EXPECT_EQ(payload.size(), kHeader + DeltaBodyBytes(stamps));
}

TEST(EncodeColumn, AConstantIntervalPacksAtWidthZeroAndARareGapIsAnException) {
  std::vector<int64_t> ticks;
  for (int64_t i = 0; i < 4096; ++i) ticks.push_back(-5'000'000 + 250 * i);
  std::string payload = RoundTrip(MakeColumn(TypeId::kInt64, ticks), Encoding::kDelta);
  EXPECT_EQ(payload.size(), kHeader + kDeltaFixedBytes);  // every slot width 0, no exception
  DeltaFields f = ParseDelta(payload, 4096, false);
  int64_t reference = 0;
  std::memcpy(&reference, payload.data() + f.slot_reference, 8);
  EXPECT_EQ(reference, 1);  // 250 / step 250
  // A missed sample: one interval of 500, kept as an exception, not a wider slot.
  for (size_t row = 3000; row < ticks.size(); ++row) ticks[row] += 250;
  payload = RoundTrip(MakeColumn(TypeId::kInt64, ticks), Encoding::kDelta);
  f = ParseDelta(payload, 4096, false);
  EXPECT_EQ(f.slot_bits, 0);
  EXPECT_EQ(f.exceptions, 1u);
  EXPECT_EQ(UnpackRun(payload, f.positions, 1, f.position_bits)[0], 3000u);
}

TEST(EncodeColumn, NullsInADeltaChunkCostNoWidthLeadingTrailingOrAll) {
  // One reading a second over the valid rows, one stray; null rows hold garbage.
  std::vector<int64_t> stamps(3000);
  std::vector<bool> valid(stamps.size(), true);
  for (size_t row = 0; row < 40; ++row) valid[row] = false;                // leading
  for (size_t row = 2960; row < stamps.size(); ++row) valid[row] = false;  // trailing
  for (size_t row = 100; row < 3000; row += 7) valid[row] = false;         // inside, and runs of them
  for (size_t row = 2000; row < 2100; ++row) valid[row] = false;
  int64_t second = 1'700'000'000;
  for (size_t row = 0; row < stamps.size(); ++row) {
    stamps[row] = valid[row] ? (second++) * 1'000'000 : std::numeric_limits<int64_t>::min() + int64_t(row);
  }
  stamps[1501] += int64_t(5) * 365 * 86400 * 1'000'000;
  ColumnVector column = MakeColumn(TypeId::kTimestamp, stamps, valid);
  std::string payload = RoundTrip(column, Encoding::kDelta);
  DeltaFields f = ParseDelta(payload, 3000, true);
  EXPECT_EQ(f.slot_bits, 0);  // the nulls added no difference
  EXPECT_EQ(f.exceptions, 2u);
  EXPECT_EQ(UnpackRun(payload, f.positions, 2, f.position_bits), (std::vector<uint64_t>{1501, 1502}));
  int64_t first = 0;
  std::memcpy(&first, payload.data() + f.first, 8);
  EXPECT_EQ(first, stamps[40]);  // the first valid row
  ColumnVector decoded;
  ASSERT_TRUE(DecodeColumn(TypeId::kTimestamp, 3000, payload, nullptr, &decoded).ok());
  EXPECT_EQ(decoded.GetInt64(0), 0);  // a null decodes as 0
  // Every row null: nothing to difference, `for` at width 0 is the smaller.
  std::vector<bool> none(stamps.size(), false);
  RoundTrip(MakeColumn(TypeId::kTimestamp, stamps, none), Encoding::kForInt);
}

TEST(EncodeColumn, DeltaRoundTripsBesideInt64MinAndMax) {
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> top, bottom, both;
  for (int64_t i = 0; i < 1000; ++i) {
    top.push_back(hi - 3000 + 3 * i);
    bottom.push_back(lo + 3 * i);
  }
  top.back() = hi;
  RoundTrip(MakeColumn(TypeId::kInt64, top), Encoding::kDelta);
  RoundTrip(MakeColumn(TypeId::kInt64, bottom), Encoding::kDelta);
  // Both ends in one chunk: the jump from near INT64_MIN to near INT64_MAX
  // wraps, the step falls to 1, and the values still come back exactly.
  both = bottom;
  both.insert(both.end(), top.begin(), top.end());
  std::string payload = RoundTrip(MakeColumn(TypeId::kInt64, both), Encoding::kDelta);
  uint64_t step = 0;
  std::memcpy(&step, payload.data() + ParseDelta(payload, 2000, false).step, 8);
  EXPECT_EQ(step, 1u);
  // Alternating extremes: every difference wraps, and any of the forms is exact.
  std::vector<int64_t> swings;
  for (int i = 0; i < 300; ++i) swings.push_back(i % 2 ? hi - i : lo + i);
  RoundTripAnyEncoding(MakeColumn(TypeId::kInt64, swings));
}

TEST(EncodeColumn, DeltaDatesAndTinyChunks) {
  std::vector<int32_t> days;
  for (int32_t i = 0; i < 2000; ++i) days.push_back(std::numeric_limits<int32_t>::max() - 4000 + 2 * i);
  days[700] = std::numeric_limits<int32_t>::min();  // one stray, a whole range away
  RoundTrip(MakeColumn(TypeId::kDate, days), Encoding::kDelta);
  // 0, 1 and 2 rows: delta's fixed 38 bytes never pay.
  RoundTrip(MakeColumn<int64_t>(TypeId::kTimestamp, {}), Encoding::kForInt);
  RoundTrip(MakeColumn<int64_t>(TypeId::kTimestamp, {1'700'000'000'000'000}), Encoding::kForInt);
  RoundTrip(MakeColumn<int64_t>(TypeId::kTimestamp, {1'700'000'000'000'000, 1'700'000'001'000'000}),
            Encoding::kForInt);
  RoundTrip(MakeColumn<int64_t>(TypeId::kInt64, {5, 9}, {false, true}), Encoding::kForInt);
}

// Whatever the shape, the chunk takes the smallest of for, step and delta.
TEST(EncodeColumn, DeltaIsTakenOnlyWhenItIsTheSmallest) {
  std::mt19937_64 rng(13);
  std::vector<std::vector<int64_t>> shapes;
  std::vector<int64_t> shuffled(5000), walk(5000), sawtooth(5000), jitter(5000);
  for (size_t row = 0; row < 5000; ++row) shuffled[row] = int64_t(rng() % 1'000'000);
  int64_t position = 0;
  for (auto& value : walk) value = position += int64_t(rng() % 41) - 20;  // a random walk
  for (size_t row = 0; row < 5000; ++row) sawtooth[row] = int64_t(row % 50);
  for (size_t row = 0; row < 5000; ++row) jitter[row] = int64_t(row) * 1000 + int64_t(rng() % 11);
  for (const auto* values : {&shuffled, &walk, &sawtooth, &jitter}) {
    ColumnVector column = MakeColumn(TypeId::kInt64, *values);
    EncodeOptions no_delta, neither;
    no_delta.allow_delta = false;
    neither.allow_delta = neither.allow_step = false;
    const uint64_t chosen = EncodedSize(column, {});
    const uint64_t delta = kHeader + DeltaBodyBytes(*values);
    const uint64_t smallest = std::min({EncodedSize(column, no_delta), EncodedSize(column, neither), delta});
    EXPECT_EQ(chosen, smallest);
    RoundTrip(column, delta < EncodedSize(column, no_delta) ? Encoding::kDelta : Encoding::kForInt);
  }
  // Unsorted values pick for: their differences are twice as wide as they are.
  RoundTrip(MakeColumn(TypeId::kInt64, shuffled), Encoding::kForInt);
  // A code that is 1 in 96% of the rows (a taxi's rate code): as differences,
  // every change would be an exception, incompressible where the FOR block
  // of 1s compresses to almost nothing; past rows / 64 exceptions delta is out.
  std::vector<int64_t> codes(5000);
  for (auto& code : codes) code = rng() % 100 < 96 ? 1 : 2 + int64_t(rng() % 4);
  RoundTrip(MakeColumn(TypeId::kInt64, codes), Encoding::kForInt);
  RoundTrip(MakeColumn(TypeId::kInt64, walk), Encoding::kDelta);
  RoundTrip(MakeColumn(TypeId::kInt64, jitter), Encoding::kDelta);
  EncodeOptions no_delta;
  no_delta.allow_delta = false;  // a writer of version 4
  RoundTrip(MakeColumn(TypeId::kInt64, jitter), Encoding::kForInt, no_delta);
}

// Ordered by day, shuffled within it (as the generator's `created`): the
// first rows alone span one day, as narrow as their differences; the probe's
// runs spread over the chunk see the ten days, and delta is priced and taken.
TEST(EncodeColumn, TheProbeSeesAChunkOrderedOnlyAtLargeScale) {
  std::mt19937_64 rng(16);
  std::vector<int64_t> stamps(20000);
  for (size_t row = 0; row < stamps.size(); ++row) {
    stamps[row] = 1'700'000'000 + int64_t(row / 2000) * 86400 + int64_t(rng() % 86400);
  }
  ColumnVector column = MakeColumn(TypeId::kTimestamp, stamps);
  std::string payload = RoundTrip(column, Encoding::kDelta);
  EXPECT_EQ(payload.size(), kHeader + DeltaBodyBytes(stamps));
  EncodeOptions no_delta;
  no_delta.allow_delta = false;
  EXPECT_LT(payload.size(), EncodedSize(column, no_delta));
}

// The delta codec itself, whatever the encoder would choose: random values
// (every difference an exception or none), nulls, wrapping differences.
TEST(EncodeColumn, AppendDeltaWritesWhatThePlanPricedAndReadsBack) {
  std::mt19937_64 rng(14);
  for (int trial = 0; trial < 40; ++trial) {
    const int64_t n = int64_t(rng() % 3000);
    std::vector<int64_t> values(static_cast<size_t>(n));
    std::vector<bool> valid(static_cast<size_t>(n), true);
    const uint64_t mask = trial % 4 == 0 ? ~uint64_t(0) : (uint64_t(1) << (rng() % 62)) - 1;
    for (auto& value : values) value = int64_t(rng() & mask);
    if (trial % 3 == 0) std::sort(values.begin(), values.end());
    if (trial % 2 == 0) {
      for (size_t row = 0; row < values.size(); ++row) valid[row] = rng() % 5 != 0;
    }
    ColumnVector column = MakeColumn(TypeId::kInt64, values, valid);
    const uint8_t* validity = column.null_count ? column.validity.data() : nullptr;
    auto get = [&](int64_t row) { return values[size_t(row)]; };
    DeltaPlanner planner(DeltaPivot(n, validity, get));
    for (int64_t row = 0; row < n; ++row) {
      if (!validity || GetBit(validity, row)) planner.Add(values[size_t(row)]);
    }
    const DeltaPlan plan = planner.Finish(n, ~uint64_t(0), 1);  // as if the span were 2^64: step 1
    if (!plan.usable) continue;
    Buffer body;
    ByteWriter writer(&body);
    AppendDelta(&writer, plan, n, validity, get);
    ASSERT_EQ(body.size(), plan.bytes) << "trial " << trial;
    ByteReader reader(body.view(), "delta body");
    std::vector<int64_t> decoded(static_cast<size_t>(n), -1);
    ASSERT_TRUE(ReadDelta(
                    &reader, n, validity,
                    [&](int64_t row, int64_t value) {
                      decoded[size_t(row)] = value;
                      return true;
                    },
                    [&](int64_t row) { decoded[size_t(row)] = 0; })
                    .ok());
    ASSERT_TRUE(reader.ExpectEnd().ok());
    for (int64_t row = 0; row < n; ++row) {
      ASSERT_EQ(decoded[size_t(row)], valid[size_t(row)] ? values[size_t(row)] : 0) << "row " << row;
    }
  }
}

TEST(DecodeColumn, EveryFieldOfADeltaPayloadIsChecked) {
  // 1000 rows, nulls at 5 and 500, strays at 100 and 700: exceptions at 100,
  // 101, 700, 701.
  std::mt19937_64 rng(15);
  std::vector<int64_t> values(1000);
  std::vector<bool> valid(values.size(), true);
  valid[5] = valid[500] = false;
  int64_t position = 0;  // valid rows 8..11 apart, so a null widens nothing
  for (size_t row = 0; row < values.size(); ++row) {
    if (valid[row]) position += 8 + int64_t(rng() % 4);
    values[row] = valid[row] ? position : -1;
  }
  values[100] += 1'000'000'000;
  values[700] -= 1'000'000'000;
  const std::string good = RoundTrip(MakeColumn(TypeId::kInt64, values, valid), Encoding::kDelta);
  const DeltaFields f = ParseDelta(good, 1000, true);
  ASSERT_EQ(f.exceptions, 4u);
  ASSERT_GT(f.slot_bits, 0);
  auto expect = [](TypeId type, const std::string& payload, const std::string& phrase) {
    ColumnVector out;
    Status status = DecodeColumn(type, 1000, payload, nullptr, &out);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << phrase;
    EXPECT_NE(status.message().find(phrase), std::string::npos) << phrase << ": " << status.message();
    EXPECT_EQ(out.length, 0);
  };
  auto with_u64 = [&](size_t at, uint64_t value) {
    std::string bad = good;
    std::memcpy(bad.data() + at, &value, 8);
    return bad;
  };
  auto with_byte = [&](size_t at, uint8_t value) {
    std::string bad = good;
    bad[at] = char(value);
    return bad;
  };
  expect(TypeId::kInt64, with_u64(f.step, 0), "delta step 0");
  expect(TypeId::kInt64, with_byte(f.slot_width, 65), "bit width 65");
  expect(TypeId::kInt64, with_byte(f.quotient_width, 65), "bit width 65");
  {
    std::string bad = good;
    const uint32_t rows_plus_one = 1001;
    std::memcpy(bad.data() + f.count, &rows_plus_one, 4);
    expect(TypeId::kInt64, bad, "exception count 1001 is above the 1000 rows");
    const uint32_t five = 5;  // one more than written: the fields after it shift
    std::memcpy(bad.data() + f.count, &five, 4);
    ColumnVector out;
    EXPECT_EQ(DecodeColumn(TypeId::kInt64, 1000, bad, nullptr, &out).code(), StatusCode::kCorruption);
  }
  const std::vector<uint64_t> positions = UnpackRun(good, f.positions, 4, f.position_bits);
  auto with_positions = [&](std::vector<uint64_t> changed) {
    std::string bad = good;
    RepackRun(&bad, f.positions, changed, f.position_bits);
    return bad;
  };
  expect(TypeId::kInt64, with_positions({100, 101, 701, 700}), "positions do not increase");
  expect(TypeId::kInt64, with_positions({100, 101, 101, 701}), "positions do not increase");
  expect(TypeId::kInt64, with_positions({100, 101, 700, 1000}), "position 1000 is past the 1000 rows");
  expect(TypeId::kInt64, with_positions({5, 101, 700, 701}), "exception on a null");
  expect(TypeId::kInt64, with_positions({0, 101, 700, 701}), "exception on a null or the first valid row");
  // A slot set under a null, the first valid row, or an exception.
  std::vector<uint64_t> slots = UnpackRun(good, f.slots, 1000, f.slot_bits);
  for (size_t row : {size_t(5), size_t(0), size_t(101)}) {
    std::vector<uint64_t> changed = slots;
    changed[row] = 1;
    std::string bad = good;
    RepackRun(&bad, f.slots, changed, f.slot_bits);
    expect(TypeId::kInt64, bad, row == 101 ? "slot set under an exception" : "slot set for a null");
  }
  expect(TypeId::kInt64, good + "x", "trailing bytes");
  expect(TypeId::kInt64, good.substr(0, good.size() - 1), "truncated");
  expect(TypeId::kInt64, good.substr(0, f.count + 2), "truncated");
  // No valid row: `first` must be 0.
  std::vector<bool> none(4, false);
  std::string empty;
  empty += char(Encoding::kDelta);
  empty += char(1);
  empty += char(0);  // validity: every row null
  const uint64_t first = 7, step = 1, zero = 0;
  empty.append(reinterpret_cast<const char*>(&first), 8);
  empty.append(reinterpret_cast<const char*>(&step), 8);
  empty.append(reinterpret_cast<const char*>(&zero), 8);
  empty += char(0);                                       // slot width 0
  empty.append(reinterpret_cast<const char*>(&zero), 4);  // no exceptions
  empty.append(reinterpret_cast<const char*>(&zero), 8);
  empty += char(0);
  ColumnVector out;
  Status status = DecodeColumn(TypeId::kInt64, 4, empty, nullptr, &out);
  EXPECT_NE(status.message().find("first value set in a chunk with no valid row"), std::string::npos)
      << status.message();
  std::memcpy(empty.data() + 3, &zero, 8);
  EXPECT_TRUE(DecodeColumn(TypeId::kInt64, 4, empty, nullptr, &out).ok());
  EXPECT_EQ(out.null_count, 4);
  // A date column whose step takes a value out of the int32 day range.
  std::vector<int32_t> days;
  for (int32_t i = 0; i < 1000; ++i) days.push_back(18000 + i + int32_t(rng() % 2));
  std::string dates = RoundTrip(MakeColumn(TypeId::kDate, days), Encoding::kDelta);
  const uint64_t huge = uint64_t(1) << 33;
  std::memcpy(dates.data() + ParseDelta(dates, 1000, false).step, &huge, 8);
  status = DecodeColumn(TypeId::kDate, 1000, dates, nullptr, &out);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("delta value out of range"), std::string::npos) << status.message();
}

TEST(EncodeColumn, EmptyAllNullAndSingleRowChunksRoundTrip) {
  for (TypeId type : {TypeId::kInt64, TypeId::kTimestamp, TypeId::kFloat64}) {
    // Zero rows: raw float64 is 0 bytes, smaller than any header.
    RoundTrip(MakeColumn<int64_t>(type, {}),
              type == TypeId::kFloat64 ? Encoding::kFloat64 : Encoding::kForInt);
    RoundTrip(MakeColumn<int64_t>(type, {5, 6, 7}, {false, false, false}),
              type == TypeId::kFloat64 ? Encoding::kDecimal : Encoding::kForInt);
    // As a double, the bits of 123456789 are a denormal: only float64 holds it.
    RoundTrip(MakeColumn<int64_t>(type, {123456789}),
              type == TypeId::kFloat64 ? Encoding::kFloat64 : Encoding::kForInt);
  }
  RoundTrip(MakeColumn<int32_t>(TypeId::kDate, {}), Encoding::kForInt);
  RoundTrip(MakeColumn<int32_t>(TypeId::kDate, {1}, {false}), Encoding::kForInt);
  RoundTrip(MakeBoolColumn({}), Encoding::kBits);
  RoundTrip(MakeBoolColumn({true}), Encoding::kBits);
  RoundTrip(MakeStringColumn({}), Encoding::kPlainString);
  RoundTrip(MakeStringColumn({std::nullopt, std::nullopt}), Encoding::kPlainString);
  RoundTrip(MakeStringColumn({"x"}), Encoding::kPlainString);
}

// --- booleans -------------------------------------------------------------

TEST(EncodeColumn, BoolsAreOneBitPerRowWithNullsAsAnotherBitmap) {
  std::mt19937 rng(3);
  std::vector<bool> values(1001), valid(1001);
  for (size_t row = 0; row < values.size(); ++row) {
    values[row] = rng() & 1;
    valid[row] = rng() % 7 != 0;
  }
  std::string dense = RoundTrip(MakeBoolColumn(values), Encoding::kBits);
  EXPECT_EQ(dense.size(), kHeader + BitmapBytes(1001));
  std::string with_nulls = RoundTrip(MakeBoolColumn(values, valid), Encoding::kBits);
  EXPECT_EQ(with_nulls.size(), kHeader + 2 * BitmapBytes(1001));
}

// --- floats ---------------------------------------------------------------

TEST(EncodeColumn, PricesPickDecimalWithTheSmallestScale) {
  std::vector<double> prices;
  std::mt19937 rng(4);
  for (int row = 0; row < 1000; ++row) prices.push_back(double(rng() % 10000) / 100.0);  // 0.00..99.99
  prices[0] = 19.99;
  prices[1] = 0.01;
  prices[2] = 99.99;
  prices[3] = 0.0;
  std::string payload = RoundTrip(MakeColumn(TypeId::kFloat64, prices), Encoding::kDecimal);
  EXPECT_EQ(uint8_t(payload[kHeader]), 2);                                   // scale
  EXPECT_EQ(payload.size(), kHeader + 1 + kFor + BitPackedBytes(1000, 14));  // 9999 < 2^14
}

TEST(EncodeColumn, NegativeAndWholeDecimalsRoundTrip) {
  RoundTrip(MakeColumn<double>(TypeId::kFloat64, {-1.5, 2.25, -1000.125, 3, 0.001}), Encoding::kDecimal);
  std::string whole = RoundTrip(MakeColumn<double>(TypeId::kFloat64, {1, 2, 3, -4}), Encoding::kDecimal);
  EXPECT_EQ(uint8_t(whole[kHeader]), 0);
  std::string micro =
      RoundTrip(MakeColumn<double>(TypeId::kFloat64, {0.000001, 1.123456}), Encoding::kDecimal);
  EXPECT_EQ(uint8_t(micro[kHeader]), 6);
}

TEST(EncodeColumn, SpecialValuesAreNeverDecimal) {
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  // -0.0 is a float32 but not k / 10^s (that gives +0.0).
  RoundTrip(MakeColumn<double>(TypeId::kFloat64, {1.5, -0.0}), Encoding::kFloat32);
  RoundTrip(MakeColumn<double>(TypeId::kFloat64, {1.5, kInf, -kInf}), Encoding::kFloat32);
  // NaN is kept bit-for-bit, sign and payload included, so it stays float64.
  double payload_nan = std::bit_cast<double>(0xFFF8000000012345ull);
  RoundTrip(MakeColumn<double>(TypeId::kFloat64, {1.5, kNaN, payload_nan, -kNaN}), Encoding::kFloat64);
  // Beyond 2^53 the mantissa would not be exact.
  RoundTrip(MakeColumn<double>(TypeId::kFloat64, {1e300, 2.5}), Encoding::kFloat64);
  RoundTrip(MakeColumn<double>(TypeId::kFloat64, {9007199254740993.0 * 4, 1.0}), Encoding::kFloat32);
}

TEST(EncodeColumn, Float32OnlyWhenEveryValueIsExactlyAFloat) {
  std::vector<double> floats;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1e6f, 1e6f);
  for (int row = 0; row < 500; ++row) floats.push_back(double(dist(rng)));
  floats.push_back(double(std::numeric_limits<float>::denorm_min()));
  floats.push_back(double(std::numeric_limits<float>::max()));
  std::string payload = RoundTrip(MakeColumn(TypeId::kFloat64, floats), Encoding::kFloat32);
  EXPECT_EQ(payload.size(), kHeader + 4 * floats.size());

  // One double that is not a float (0.1, a double denormal, a value just past
  // FLT_MAX) forces float64 — but 0.1 alone would be decimal.
  for (double spoiler : {std::numeric_limits<double>::denorm_min(), 0.1 + 1e-17 * 3,
                         double(std::numeric_limits<float>::max()) * 1.0000001, 1.0 / 3.0}) {
    std::vector<double> mixed = floats;
    mixed.push_back(spoiler);
    std::string raw = RoundTrip(MakeColumn(TypeId::kFloat64, mixed), Encoding::kFloat64);
    EXPECT_EQ(raw.size(), kHeader + 8 * mixed.size());
  }
}

TEST(EncodeColumn, OptionsCanForbidTheNarrowFloatForms) {
  ColumnVector prices = MakeColumn<double>(TypeId::kFloat64, {1.25, 2.5, 3.75});
  EncodeOptions no_decimal;
  no_decimal.allow_decimal = false;
  RoundTrip(prices, Encoding::kFloat32, no_decimal);
  no_decimal.allow_float32 = false;
  RoundTrip(prices, Encoding::kFloat64, no_decimal);
}

TEST(EncodeColumn, RandomDoublesKeepTheirBits) {
  std::mt19937_64 rng(6);
  std::vector<double> values(3000);
  std::vector<bool> valid(3000);
  for (size_t row = 0; row < values.size(); ++row) {
    values[row] = std::bit_cast<double>(rng());  // every class: NaNs, denormals, infs
    valid[row] = rng() % 9 != 0;
  }
  RoundTrip(MakeColumn(TypeId::kFloat64, values, valid), Encoding::kFloat64);
}

// --- strings --------------------------------------------------------------

TEST(EncodeColumn, PlainStringsKeepEmptyApartFromNullAndUtf8Intact) {
  std::vector<std::optional<std::string>> values = {"", std::nullopt, "héllo",      "日本語",
                                                    "", "🙂 emoji", std::nullopt, std::string(300, 'z')};
  ColumnVector column = MakeStringColumn(values);
  std::string payload = RoundTrip(column, Encoding::kPlainString);
  uint64_t bytes = 0;
  for (const auto& value : values) bytes += value ? value->size() : 0;
  EXPECT_EQ(payload.size(), kHeader + 1 + kFor + BitPackedBytes(8, 9) + bytes);
  ColumnVector decoded;
  ASSERT_TRUE(DecodeColumn(TypeId::kString, 8, payload, nullptr, &decoded).ok());
  EXPECT_TRUE(decoded.IsValid(0));
  EXPECT_EQ(decoded.GetString(0), "");
  EXPECT_FALSE(decoded.IsValid(1));
  EXPECT_EQ(decoded.values.as<int32_t>()[8], int32_t(bytes));  // Arrow offsets
}

// Regression (found by StringColumnEncoder's tests): a null row stores delta 0,
// which is the minimum length, not length 0, when no valid string is empty.
TEST(EncodeColumn, NullStringsDecodeEmptyWhenNoValidStringIsEmpty) {
  ColumnVector column = MakeStringColumn({"abc", std::nullopt, "defg", std::nullopt, "hij"});
  std::string payload = RoundTrip(column, Encoding::kPlainString);
  ColumnVector decoded;
  ASSERT_TRUE(DecodeColumn(TypeId::kString, 5, payload, nullptr, &decoded).ok());
  EXPECT_EQ(decoded.GetString(1), "");
  EXPECT_EQ(decoded.values.as<int32_t>()[5], 10);
}

TEST(EncodeColumn, DictionaryCodesDecodeAgainstTheGivenDictionary) {
  auto dictionary = std::make_shared<Dictionary>();
  dictionary->size = 3;
  for (int32_t offset : {0, 1, 3, 6}) dictionary->offsets.Push(offset);
  dictionary->bytes.Append("abbccc", 6);
  std::vector<int32_t> codes = {0, 2, 1, 1, 0, 2, 0};
  ColumnVector column = MakeColumn(TypeId::kString, codes, {true, true, false, true, true, true, true});
  column.dictionary = dictionary;
  EncodeOptions options;
  options.dictionary_codes = true;
  std::string payload = RoundTrip(column, Encoding::kDictCodes, options, dictionary);
  EXPECT_EQ(payload.size(), kHeader + 1 + kFor + BitPackedBytes(7, 2));

  ColumnVector decoded;
  ASSERT_TRUE(DecodeColumn(TypeId::kString, 7, payload, dictionary, &decoded).ok());
  EXPECT_EQ(decoded.dictionary, dictionary);
  EXPECT_EQ(decoded.GetString(5), "ccc");

  Status missing = DecodeColumn(TypeId::kString, 7, payload, nullptr, &decoded);
  EXPECT_EQ(missing.code(), StatusCode::kCorruption);
  auto smaller = std::make_shared<Dictionary>();
  smaller->size = 2;
  Status out_of_range = DecodeColumn(TypeId::kString, 7, payload, smaller, &decoded);
  EXPECT_EQ(out_of_range.code(), StatusCode::kCorruption);
  EXPECT_NE(out_of_range.message().find("row 1"), std::string::npos) << out_of_range.message();
  EXPECT_EQ(decoded.length, 0);
}

// --- reuse and misuse -----------------------------------------------------

TEST(DecodeColumn, ReusesTheOutputBuffersAcrossBatches) {
  MemoryBudget budget(1 << 20);
  std::vector<int64_t> values(1000, 5);
  values[3] = 900;
  Buffer payload;
  ASSERT_TRUE(EncodeColumn(MakeColumn(TypeId::kInt64, values), {}, &payload).ok());
  ColumnVector batch(TypeId::kInt64, &budget);
  ASSERT_TRUE(DecodeColumn(TypeId::kInt64, 1000, payload.view(), nullptr, &batch).ok());
  const uint8_t* first = batch.values.data();
  uint64_t used = budget.used();
  for (int repeat = 0; repeat < 5; ++repeat) {
    ASSERT_TRUE(DecodeColumn(TypeId::kInt64, 1000, payload.view(), nullptr, &batch).ok());
  }
  EXPECT_EQ(batch.values.data(), first);
  EXPECT_EQ(budget.used(), used);
  EXPECT_GT(used, 0u);
}

TEST(EncodeColumn, RejectsBuffersShorterThanTheLengthSays) {
  ColumnVector column = MakeColumn<int64_t>(TypeId::kInt64, {1, 2, 3});
  column.length = 4;
  Buffer payload;
  EXPECT_EQ(EncodeColumn(column, {}, &payload).code(), StatusCode::kInvalidArgument);
  ColumnVector nulls = MakeColumn<int64_t>(TypeId::kInt64, {1, 2, 3}, {true, false, true});
  nulls.null_count = 2;
  EXPECT_EQ(EncodeColumn(nulls, {}, &payload).code(), StatusCode::kInvalidArgument);
}

TEST(DecodeColumn, RejectsAnEncodingThatDoesNotFitTheType) {
  Buffer payload;
  ASSERT_TRUE(EncodeColumn(MakeColumn<int64_t>(TypeId::kInt64, {1, 2}), {}, &payload).ok());
  ColumnVector out;
  Status status = DecodeColumn(TypeId::kFloat64, 2, payload.view(), nullptr, &out);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("float64"), std::string::npos);
}

TEST(DecodeColumn, LyingStringLengthsCannotForceAHugeAllocation) {
  // Header claims 1000 strings of 2^40 bytes each with width 0.
  std::string payload;
  payload += char(Encoding::kPlainString);
  payload += char(0);
  uint64_t reference = uint64_t(1) << 40;
  payload.append(reinterpret_cast<const char*>(&reference), 8);
  payload += char(0);
  payload += "abc";
  ColumnVector out;
  Status status = DecodeColumn(TypeId::kString, 1000, payload, nullptr, &out);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_LT(out.data.capacity(), 1u << 20);
}

// --- hostile payloads -----------------------------------------------------

// Each lie gets its own message, so a corrupt-file report says what is wrong.
TEST(DecodeColumn, RejectsEachHeaderLieWithAPreciseMessage) {
  Buffer ints, prices;
  ASSERT_TRUE(EncodeColumn(MakeColumn<int64_t>(TypeId::kInt64, {1, 5, 3}), {}, &ints).ok());
  std::vector<double> price_values(20, 1.25);
  ASSERT_TRUE(EncodeColumn(MakeColumn<double>(TypeId::kFloat64, price_values), {}, &prices).ok());
  auto expect = [](TypeId type, int64_t rows, std::string payload, const char* phrase) {
    ColumnVector out;
    Status status = DecodeColumn(type, rows, payload, nullptr, &out);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << phrase;
    EXPECT_NE(status.message().find(phrase), std::string::npos) << status.message();
  };
  std::string good(ints.view());
  std::string lie = good;
  lie[0] = 13;
  expect(TypeId::kInt64, 3, lie, "unknown encoding id 13");
  lie = good;
  lie[1] = 4;
  expect(TypeId::kInt64, 3, lie, "unknown flag bits");
  lie = good;
  lie[kHeader + 8] = 65;
  expect(TypeId::kInt64, 3, lie, "bit width 65");
  lie = good;
  lie[1] = 1;  // validity flag, then a bitmap byte saying every row is valid
  lie.insert(lie.begin() + kHeader, char(0x07));
  expect(TypeId::kInt64, 3, lie, "no row is null");
  lie[kHeader] = char(0x0D);  // bit 3 is padding for 3 rows
  expect(TypeId::kInt64, 3, lie, "padding");
  expect(TypeId::kInt64, -1, good, "row count");
  expect(TypeId::kInt64, 3, "", "truncated");

  std::string decimal(prices.view());
  ASSERT_EQ(decimal[0], char(Encoding::kDecimal));
  decimal[kHeader] = 7;
  expect(TypeId::kFloat64, 20, decimal, "decimal scale 7");
}

struct Case {
  ColumnVector column;
  EncodeOptions options;
};

std::vector<Case> CorpusOfEveryEncoding(std::shared_ptr<const Dictionary> dictionary) {
  std::mt19937_64 rng(7);
  std::vector<Case> cases;
  std::vector<bool> valid(200);
  for (size_t row = 0; row < valid.size(); ++row) valid[row] = rng() % 4 != 0;
  std::vector<int64_t> ints(200);
  for (auto& value : ints) value = int64_t(rng() % 100000) - 50000;
  cases.push_back({MakeColumn(TypeId::kInt64, ints, valid), {}});
  std::vector<int32_t> days(200);
  for (auto& value : days) value = int32_t(rng() % 40000);
  cases.push_back({MakeColumn(TypeId::kDate, days), {}});
  std::vector<int64_t> stamps(200);  // whole seconds: the step encoding
  for (auto& value : stamps) value = 1'600'000'000'000'000 + int64_t(rng() % 100000) * 1'000'000;
  cases.push_back({MakeColumn(TypeId::kTimestamp, stamps, valid), {}});
  std::vector<double> fares(200);  // steps of 0.50: decimal_step
  for (auto& value : fares) value = 0.5 * double(rng() % 300);
  cases.push_back({MakeColumn(TypeId::kFloat64, fares, valid), {}});
  std::vector<bool> bits(200);
  for (size_t row = 0; row < bits.size(); ++row) bits[row] = rng() & 1;
  cases.push_back({MakeBoolColumn(bits, valid), {}});
  std::vector<double> prices(200), floats(200), doubles(200);
  for (size_t row = 0; row < 200; ++row) {
    prices[row] = double(rng() % 100000) / 100.0;
    floats[row] = double(float(rng() % 1000) / 7.0f);
    doubles[row] = double(rng() % 1000) / 7.0;
  }
  cases.push_back({MakeColumn(TypeId::kFloat64, prices, valid), {}});
  cases.push_back({MakeColumn(TypeId::kFloat64, floats), {}});
  cases.push_back({MakeColumn(TypeId::kFloat64, doubles, valid), {}});
  std::vector<std::optional<std::string>> strings;
  for (size_t row = 0; row < 200; ++row) {
    if (valid[row])
      strings.push_back(std::string(rng() % 12, char('a' + rng() % 26)));
    else
      strings.push_back(std::nullopt);
  }
  cases.push_back({MakeStringColumn(strings), {}});
  std::vector<int32_t> codes(200);
  for (auto& code : codes) code = int32_t(rng() % dictionary->size);
  Case coded{MakeColumn(TypeId::kString, codes, valid), {}};
  coded.options.dictionary_codes = true;
  cases.push_back(std::move(coded));
  std::vector<int64_t> ordered(200);  // in order, two strays: delta
  int64_t second = 1'600'000'000;
  for (auto& value : ordered) value = (second += int64_t(rng() % 3)) * 1'000'000;
  ordered[50] += int64_t(1) << 50;
  ordered[150] -= int64_t(1) << 45;
  cases.push_back({MakeColumn(TypeId::kTimestamp, ordered, valid), {}});
  return cases;
}

TEST(DecodeColumn, EveryTruncationIsCorruptionAndBitFlipsNeverCrash) {
  auto dictionary = std::make_shared<Dictionary>();
  dictionary->size = 5;
  for (int32_t offset : {0, 1, 2, 3, 4, 5}) dictionary->offsets.Push(offset);
  dictionary->bytes.Append("vwxyz", 5);
  std::mt19937 rng(8);
  for (Case& test_case : CorpusOfEveryEncoding(dictionary)) {
    const ColumnVector& column = test_case.column;
    Buffer encoded;
    ASSERT_TRUE(EncodeColumn(column, test_case.options, &encoded).ok());
    const std::string good(encoded.view());
    ColumnVector out;
    for (size_t cut = 0; cut < good.size(); ++cut) {
      // A copy of exactly `cut` bytes, so an over-read trips ASan.
      std::vector<char> truncated(good.begin(), good.begin() + cut);
      Status status = DecodeColumn(column.type, column.length, {truncated.data(), cut}, dictionary, &out);
      ASSERT_EQ(status.code(), StatusCode::kCorruption) << "cut at " << cut << " of " << good.size();
      EXPECT_EQ(out.length, 0);
    }
    std::string longer = good + "x";
    EXPECT_EQ(DecodeColumn(column.type, column.length, longer, dictionary, &out).code(),
              StatusCode::kCorruption);
    EXPECT_EQ(DecodeColumn(column.type, column.length + 1, good, dictionary, &out).code(),
              StatusCode::kCorruption);
    int rejected = 0;
    for (int trial = 0; trial < 2000; ++trial) {
      std::vector<char> bad(good.begin(), good.end());
      int flips = 1 + int(rng() % 3);
      for (int flip = 0; flip < flips; ++flip) bad[rng() % bad.size()] ^= char(1u << (rng() % 8));
      Status status = DecodeColumn(column.type, column.length, {bad.data(), bad.size()}, dictionary, &out);
      if (status.ok()) {
        ASSERT_EQ(out.length, column.length);  // a flipped value bit is for the checksum to catch
      } else {
        ASSERT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
        ++rejected;
      }
    }
    EXPECT_GT(rejected, 0) << TypeName(column.type);
  }
}

}  // namespace
}  // namespace outcore
