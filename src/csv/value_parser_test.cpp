#include "csv/value_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace outcore {
namespace {

std::string Int64Text(int64_t v) {
  char buf[kFormatBufferSize];
  return std::string(buf, FormatInt64(v, buf));
}
std::string Float64Text(double v) {
  char buf[kFormatBufferSize];
  return std::string(buf, FormatFloat64(v, buf));
}
std::string DateText(int32_t v) {
  char buf[kFormatBufferSize];
  return std::string(buf, FormatDate(v, buf));
}
std::string TimestampText(int64_t v) {
  char buf[kFormatBufferSize];
  return std::string(buf, FormatTimestamp(v, buf));
}

TEST(ParseInt64, AcceptsSignsAndSurroundingSpaces) {
  int64_t v = 0;
  EXPECT_EQ(ParseInt64("  -42 ", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, -42);
  EXPECT_EQ(ParseInt64("+7", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 7);
  EXPECT_EQ(ParseInt64("\t007\t", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 7);
}

TEST(ParseInt64, RejectsNonIntegers) {
  int64_t v;
  for (const char* text : {"", " ", "-", "+", "1.0", "1e3", "abc", "1 2", "--1", "0x10", "12a"}) {
    EXPECT_EQ(ParseInt64(text, &v), ParseOutcome::kUnparsable) << text;
  }
}

TEST(ParseInt64, ReportsOverflowAsOutOfRange) {
  int64_t v;
  EXPECT_EQ(ParseInt64("9223372036854775807", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseInt64("-9223372036854775808", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ParseInt64("9223372036854775808", &v), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseInt64("-9223372036854775809", &v), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseInt64("99999999999999999999999", &v), ParseOutcome::kOutOfRange);
}

TEST(ParseInt64, EighteenAndNineteenDigitsParseExactlyOnBothSidesOfTheShortPath) {
  int64_t v;
  EXPECT_EQ(ParseInt64("999999999999999999", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 999999999999999999);
  EXPECT_EQ(ParseInt64("-999999999999999999", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, -999999999999999999);
  EXPECT_EQ(ParseInt64("1000000000000000000", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 1000000000000000000);
  EXPECT_EQ(ParseInt64("-1000000000000000000", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, -1000000000000000000);
  // A non-digit anywhere, also at the last place and past a wrapping product.
  EXPECT_EQ(ParseInt64("99999999999999999/", &v), ParseOutcome::kUnparsable);
  EXPECT_EQ(ParseInt64("99999999999999999:", &v), ParseOutcome::kUnparsable);
  EXPECT_EQ(ParseInt64("\xff", &v), ParseOutcome::kUnparsable);
  EXPECT_EQ(ParseInt64("1e99999", &v), ParseOutcome::kUnparsable);
  EXPECT_EQ(ParseInt64("9999999999999999999", &v), ParseOutcome::kOutOfRange);
}

TEST(ParseInt64, RoundTripsRandomValuesAndExtremes) {
  std::mt19937_64 rng(1);
  std::vector<int64_t> values = {0, 1, -1, std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 20000; ++i) values.push_back(int64_t(rng()) >> (rng() % 64));
  for (int64_t value : values) {
    int64_t parsed = 0;
    ASSERT_EQ(ParseInt64(Int64Text(value), &parsed), ParseOutcome::kOk) << value;
    EXPECT_EQ(parsed, value);
  }
}

TEST(ParseFloat64, ParsesDecimalScientificAndInfinities) {
  double v;
  EXPECT_EQ(ParseFloat64(" 2.5e-3 ", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 2.5e-3);
  EXPECT_EQ(ParseFloat64("+1.5", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 1.5);
  EXPECT_EQ(ParseFloat64("-inf", &v), ParseOutcome::kOk);
  EXPECT_TRUE(std::isinf(v) && v < 0);
  EXPECT_EQ(ParseFloat64("inf", &v), ParseOutcome::kOk);
  EXPECT_TRUE(std::isinf(v) && v > 0);
  EXPECT_EQ(ParseFloat64("0.1", &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 0.1);  // correctly rounded
}

TEST(ParseFloat64, ShortDecimalsGiveTheCorrectlyRoundedDoubleOfStrtod) {
  // Up to 15 digits with a point anywhere: the short path's division must
  // round as a full parse does, bit for bit, with a point or a comma.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200000; ++i) {
    const int digits = 1 + int(rng() % 17);  // 16 and 17 take the full parse
    std::string text = rng() % 3 == 0 ? "-" : "";
    for (int d = 0; d < digits; ++d) text += char('0' + rng() % 10);
    const size_t sign = text[0] == '-' ? 1 : 0;
    if (digits > 1 && rng() % 4 != 0) text.insert(sign + 1 + rng() % (digits - 1), 1, '.');
    const double want = std::strtod(text.c_str(), nullptr);
    double got;
    ASSERT_EQ(ParseFloat64(text, &got), ParseOutcome::kOk) << text;
    ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0) << text << " " << got << " " << want;
    std::string comma = text;
    std::replace(comma.begin(), comma.end(), '.', ',');
    ASSERT_EQ(ParseFloat64WithPoint(comma, ',', &got), ParseOutcome::kOk) << comma;
    ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0) << comma;
    // Lossless up to 15 digits unless a leading zero would be dropped.
    const bool leading_zero = text.size() > sign + 1 && text[sign] == '0' && text[sign + 1] != '.';
    const ParseOutcome lossless = ParseLosslessFloat64(text, &got);
    ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0) << text;
    if (digits <= 15) {
      ASSERT_EQ(lossless, leading_zero ? ParseOutcome::kLossy : ParseOutcome::kOk) << text;
    } else if (leading_zero) {
      ASSERT_EQ(lossless, ParseOutcome::kLossy) << text;
    }
  }
  double v;
  EXPECT_EQ(ParseFloat64("-0", &v), ParseOutcome::kOk);
  EXPECT_TRUE(v == 0 && std::signbit(v));
  EXPECT_EQ(ParseFloat64("-0.000", &v), ParseOutcome::kOk);
  EXPECT_TRUE(v == 0 && std::signbit(v));
  // Shapes the short path leaves to the full parse, which still reads them.
  for (const char* text : {".5", "5.", "-.5", "1e3", "0.1234567890123456789", "12345678901234567"}) {
    EXPECT_EQ(ParseFloat64(text, &v), ParseOutcome::kOk) << text;
    EXPECT_EQ(v, std::strtod(text, nullptr)) << text;
  }
  for (const char* text : {"-", "1.2.3", "1-2", "-+1", "1.5x"}) {
    EXPECT_EQ(ParseFloat64(text, &v), ParseOutcome::kUnparsable) << text;
  }
}

TEST(ParseFloat64, RejectsGarbageAndOverflow) {
  double v;
  for (const char* text : {"", "abc", "1,5", "1.2.3", "+-1", "--1", "1e", "0x1p3"}) {
    EXPECT_EQ(ParseFloat64(text, &v), ParseOutcome::kUnparsable) << text;
  }
  EXPECT_EQ(ParseFloat64("1e400", &v), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseFloat64("-1e400", &v), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseFloat64("1e-400", &v), ParseOutcome::kOk);  // underflow rounds to zero
  EXPECT_EQ(v, 0.0);
}

TEST(ParseFloat64, RoundTripsRandomBitsAndExtremes) {
  std::mt19937_64 rng(2);
  std::vector<double> values = {0.0,
                                -0.0,
                                1e308,
                                -1e308,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::lowest(),
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::denorm_min(),
                                -std::numeric_limits<double>::denorm_min(),
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(),
                                0.1,
                                1.0 / 3};
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    if (!std::isnan(value)) values.push_back(value);
  }
  for (double value : values) {
    double parsed = 1;
    const std::string text = Float64Text(value);
    ASSERT_EQ(ParseFloat64(text, &parsed), ParseOutcome::kOk) << text;
    EXPECT_EQ(std::memcmp(&parsed, &value, sizeof value), 0) << text;  // bit-exact, -0.0 included
  }
  double parsed;
  EXPECT_EQ(ParseFloat64(Float64Text(std::nan("")), &parsed), ParseOutcome::kOk);
  EXPECT_TRUE(std::isnan(parsed));
}

// Issue 10: inferred columns must not lose information.
TEST(ParseLosslessInt64, Issue10LeadingZerosPlusAndMinusZeroAreLossy) {
  int64_t v = 0;
  for (const char* text : {"02134", "007", "\t00\t", "-01", "+7", "+4930123456", "-0"}) {
    EXPECT_EQ(ParseLosslessInt64(text, &v), ParseOutcome::kLossy) << text;
  }
  EXPECT_EQ(v, 0);
  EXPECT_EQ(ParseLosslessInt64("02134", &v), ParseOutcome::kLossy);
  EXPECT_EQ(v, 2134);  // the value is still there, for a caller that wants it
  for (const char* text : {"0", "7", " 42 ", "-7", "-9223372036854775808", "10"}) {
    EXPECT_EQ(ParseLosslessInt64(text, &v), ParseOutcome::kOk) << text;
  }
  EXPECT_EQ(ParseLosslessInt64("12A", &v), ParseOutcome::kUnparsable);
  EXPECT_EQ(ParseLosslessInt64("99999999999999999999", &v), ParseOutcome::kOutOfRange);
}

TEST(ParseLosslessFloat64, Issue10DigitsPastDoublePrecisionAndLeadingZerosAreLossy) {
  double v;
  for (const char* text : {"9007199254740993", "0.10000000000000000001", "12345678901234567890123", "02134",
                           "007.5", "-01.5", "+4930123456", "1e-400", "99999999999999999999"}) {
    EXPECT_EQ(ParseLosslessFloat64(text, &v), ParseOutcome::kLossy) << text;
  }
  for (const char* text : {"0", "0.5", "-0.5", ".5", "+1.5", "-0", "0.000", "1e5", "inf", "-infinity",
                           "9007199254740992", "100000000000000000000", "1.000000000000000056e-01",
                           "0.1000000000000000055511151231257827021181583404541015625", " 2.5 "}) {
    EXPECT_EQ(ParseLosslessFloat64(text, &v), ParseOutcome::kOk) << text;
  }
}

TEST(ParseLosslessFloat64, EveryExactPrintOfADoubleIsLossless) {
  // Shortest, 17 significant digits (%.17g) and numpy.savetxt's %.18e all
  // print digits of the double itself.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    if (std::isnan(value)) continue;
    char text[64];
    for (const char* format : {"%.17g", "%.18e"}) {
      std::snprintf(text, sizeof text, format, value);
      double parsed;
      ASSERT_EQ(ParseLosslessFloat64(text, &parsed), ParseOutcome::kOk) << text;
    }
    double parsed;
    ASSERT_EQ(ParseLosslessFloat64(Float64Text(value), &parsed), ParseOutcome::kOk) << Float64Text(value);
  }
}

TEST(LooksLikeCode, LettersAndDigitsTogether) {
  for (const char* text : {"300389460z", "12A", "A-7", "1.5kg", "AB_12/3", " x1 "}) {
    EXPECT_TRUE(LooksLikeCode(text)) << text;
  }
  for (const char* text : {"many", "a dozen", "12,50", "n/a", "123", "", "12 A", "#N/A", "1,2A"}) {
    EXPECT_FALSE(LooksLikeCode(text)) << text;
  }
}

TEST(ParseBool, UsesTheSpellings) {
  ValueSpellings spellings;
  bool v = false;
  EXPECT_EQ(ParseBool("TRUE", spellings, &v), ParseOutcome::kOk);
  EXPECT_TRUE(v);
  EXPECT_EQ(ParseBool(" false ", spellings, &v), ParseOutcome::kOk);
  EXPECT_FALSE(v);
  EXPECT_EQ(ParseBool("yes", spellings, &v), ParseOutcome::kUnparsable);
  spellings.true_values = SpellingSet{"yes", "y"};
  EXPECT_EQ(ParseBool("y", spellings, &v), ParseOutcome::kOk);
  EXPECT_TRUE(v);
  char buf[kFormatBufferSize];
  EXPECT_EQ(std::string(buf, FormatBool(true, buf)), "true");
  EXPECT_EQ(std::string(buf, FormatBool(false, buf)), "false");
}

TEST(SpellingSet, MatchesExactlyTheSpellings) {
  SpellingSet na{"", "NA", "N/A", std::string(70, 'x')};
  EXPECT_TRUE(na.Contains(""));
  EXPECT_TRUE(na.Contains("NA"));
  EXPECT_TRUE(na.Contains("N/A"));
  EXPECT_TRUE(na.Contains(std::string(70, 'x')));
  EXPECT_FALSE(na.Contains("na"));
  EXPECT_FALSE(na.Contains("NB"));
  EXPECT_FALSE(na.Contains("N"));
  EXPECT_FALSE(na.Contains(std::string(71, 'x')));
  EXPECT_FALSE(ValueSpellings{}.na.Contains("0"));
}

TEST(ParseDate, ValidatesTheCalendar) {
  int32_t days = -1;
  EXPECT_EQ(ParseDate("1970-01-01", &days), ParseOutcome::kOk);
  EXPECT_EQ(days, 0);
  EXPECT_EQ(ParseDate("1970-01-02", &days), ParseOutcome::kOk);
  EXPECT_EQ(days, 1);
  EXPECT_EQ(ParseDate("1969-12-31", &days), ParseOutcome::kOk);
  EXPECT_EQ(days, -1);
  EXPECT_EQ(ParseDate("2000-02-29", &days), ParseOutcome::kOk);
  EXPECT_EQ(days, 11016);
  EXPECT_EQ(ParseDate("2023-02-29", &days), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseDate("1900-02-29", &days), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseDate("2023-13-01", &days), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseDate("2023-04-31", &days), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseDate("0000-01-01", &days), ParseOutcome::kOutOfRange);
  for (const char* text : {"", "2023-1-01", "2023/01/01", "20230101", "2023-01-01x", "abcd-ef-gh"}) {
    EXPECT_EQ(ParseDate(text, &days), ParseOutcome::kUnparsable) << text;
  }
}

TEST(ParseDate, RoundTripsEveryDayOfYearsOneTo9999) {
  int32_t first = 0, last = 0;
  ASSERT_EQ(ParseDate("0001-01-01", &first), ParseOutcome::kOk);
  ASSERT_EQ(ParseDate("9999-12-31", &last), ParseOutcome::kOk);
  EXPECT_EQ(DateText(first), "0001-01-01");
  EXPECT_EQ(DateText(last), "9999-12-31");
  EXPECT_EQ(last - first + 1, 3652059);  // days in the proleptic Gregorian years 1..9999
  for (int32_t day = first; day <= last; ++day) {
    int32_t parsed;
    const std::string text = DateText(day);
    ASSERT_EQ(ParseDate(text, &parsed), ParseOutcome::kOk) << text;
    ASSERT_EQ(parsed, day) << text;
  }
}

TEST(ParseTimestamp, AcceptsSeparatorsFractionsAndZulu) {
  int64_t us = 0;
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:01.5Z", &us), ParseOutcome::kOk);
  EXPECT_EQ(us, 1500000);
  EXPECT_EQ(ParseTimestamp("1970-01-01 00:01:00", &us), ParseOutcome::kOk);
  EXPECT_EQ(us, 60000000);
  EXPECT_EQ(ParseTimestamp("1969-12-31 23:59:59.999999", &us), ParseOutcome::kOk);
  EXPECT_EQ(us, -1);
  EXPECT_EQ(ParseTimestamp("1970-01-02", &us), ParseOutcome::kOk);
  EXPECT_EQ(us, 86400000000);
  EXPECT_EQ(ParseTimestamp("1970-01-01 00:00:00.000001000", &us), ParseOutcome::kOk);
  EXPECT_EQ(us, 1);
}

TEST(ParseTimestamp, AppliesUtcOffsets) {
  int64_t local = 0, utc = 0;
  ASSERT_EQ(ParseTimestamp("2024-01-01T10:00:00+02:00", &local), ParseOutcome::kOk);
  ASSERT_EQ(ParseTimestamp("2024-01-01 08:00:00", &utc), ParseOutcome::kOk);
  EXPECT_EQ(local, utc);
  ASSERT_EQ(ParseTimestamp("2024-01-01T02:30:00.25-05:30", &local), ParseOutcome::kOk);
  ASSERT_EQ(ParseTimestamp("2024-01-01 08:00:00.25", &utc), ParseOutcome::kOk);
  EXPECT_EQ(local, utc);
  EXPECT_EQ(ParseTimestamp("2024-01-01T10:00:00+24:00", &local), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseTimestamp("2024-01-01T10:00:00+0a:00", &local), ParseOutcome::kUnparsable);
  EXPECT_EQ(ParseTimestamp("2024-01-01T10:00:00+2:00", &local), ParseOutcome::kUnparsable);
}

TEST(ParseTimestamp, RejectsBadShapesAndOutOfRangeParts) {
  int64_t us;
  EXPECT_EQ(ParseTimestamp("1970-01-01 00:00:00.0000001", &us),
            ParseOutcome::kOutOfRange);  // nanoseconds lost
  EXPECT_EQ(ParseTimestamp("1970-01-01 24:00:00", &us), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseTimestamp("1970-01-01 00:60:00", &us), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseTimestamp("1970-01-01 00:00:60", &us), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseTimestamp("2023-02-30 00:00:00", &us), ParseOutcome::kOutOfRange);
  for (const char* text : {"", "1970-01-01 00:00", "1970-01-01X00:00:00", "1970-01-01 00:00:00.",
                           "1970-01-01 00:00:00.1234567890", "1970-01-01 0:00:00", "12:00:00"}) {
    EXPECT_EQ(ParseTimestamp(text, &us), ParseOutcome::kUnparsable) << text;
  }
}

TEST(ParseTimestamp, RoundTripsRandomMicrosecondsAndExtremes) {
  int64_t first = 0, last = 0;
  ASSERT_EQ(ParseTimestamp("0001-01-01 00:00:00", &first), ParseOutcome::kOk);
  ASSERT_EQ(ParseTimestamp("9999-12-31 23:59:59.999999", &last), ParseOutcome::kOk);
  EXPECT_EQ(TimestampText(first), "0001-01-01 00:00:00");
  EXPECT_EQ(TimestampText(last), "9999-12-31 23:59:59.999999");
  EXPECT_EQ(TimestampText(1500000), "1970-01-01 00:00:01.5");
  EXPECT_EQ(TimestampText(-1), "1969-12-31 23:59:59.999999");
  std::mt19937_64 rng(3);
  std::vector<int64_t> values = {first, last, 0, -1, 1};
  for (int i = 0; i < 20000; ++i) {
    int64_t value = first + int64_t(rng() % uint64_t(last - first + 1));
    if (i % 3 == 0) value -= value % 1000000;  // whole seconds: no fraction printed
    values.push_back(value);
  }
  for (int64_t value : values) {
    int64_t parsed;
    const std::string text = TimestampText(value);
    ASSERT_EQ(ParseTimestamp(text, &parsed), ParseOutcome::kOk) << text;
    EXPECT_EQ(parsed, value) << text;
  }
}

// info's zone-map bounds and cat's values both print integer-held values
// through FormatIntegerAs: each type as its own formatter prints it.
TEST(FormatIntegerAs, PrintsEachIntegerHeldTypeAsItsFormatterDoes) {
  char buf[kFormatBufferSize];
  auto text = [&](TypeId type, int64_t v) { return std::string(buf, FormatIntegerAs(type, v, buf)); };
  EXPECT_EQ(text(TypeId::kBool, 1), "true");
  EXPECT_EQ(text(TypeId::kBool, 0), "false");
  EXPECT_EQ(text(TypeId::kDate, 0), "1970-01-01");
  EXPECT_EQ(text(TypeId::kDate, 18262), DateText(18262));
  EXPECT_EQ(text(TypeId::kTimestamp, 1500000), "1970-01-01 00:00:01.5");
  EXPECT_EQ(text(TypeId::kInt64, -42), "-42");
  EXPECT_EQ(text(TypeId::kInt64, INT64_MIN), Int64Text(INT64_MIN));
}

// Issue 10, item 12: decimal commas (1,5 in ';'-separated files).
TEST(ParseFloat64WithPoint, Issue10ReadsDecimalCommas) {
  double v;
  EXPECT_EQ(ParseFloat64WithPoint(" 1,5 ", ',', &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 1.5);
  EXPECT_EQ(ParseFloat64WithPoint("-2,5e3", ',', &v), ParseOutcome::kOk);
  EXPECT_EQ(v, -2500.0);
  EXPECT_EQ(ParseFloat64WithPoint("0,1", ',', &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 0.1);  // correctly rounded, as with '.'
  EXPECT_EQ(ParseFloat64WithPoint("42", ',', &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 42.0);
  // A '.' there is a thousands separator (1.613 = 1613): never read as 1.613.
  EXPECT_EQ(ParseFloat64WithPoint("1.613", ',', &v), ParseOutcome::kUnparsable);
  EXPECT_EQ(ParseFloat64WithPoint("1,5,0", ',', &v), ParseOutcome::kUnparsable);
  // The default point does not take commas.
  EXPECT_EQ(ParseFloat64("1,5", &v), ParseOutcome::kUnparsable);
  EXPECT_EQ(ParseFloat64WithPoint("1.5", '.', &v), ParseOutcome::kOk);
}

}  // namespace
// Issue 10: --thousands. Only groups of exactly three digits in the
// integer part are read; anything else holding the separator is not a number.
TEST(ValueParser, Issue10ThousandsSeparatorsGroupInThrees) {
  int64_t v = 0;
  EXPECT_EQ(ParseInt64Grouped("1,338", ',', &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 1338);
  EXPECT_EQ(ParseInt64Grouped(" -12,345,678 ", ',', &v), ParseOutcome::kOk);
  EXPECT_EQ(v, -12345678);
  EXPECT_EQ(ParseInt64Grouped("1338", ',', &v), ParseOutcome::kOk);  // no separator: as it is
  EXPECT_EQ(v, 1338);
  for (const char* bad : {"13,38", "1,3380", "1338,000", ",338", "1,", "1,,338", "1,33a", "1 338"}) {
    EXPECT_EQ(ParseInt64Grouped(bad, ',', &v), ParseOutcome::kUnparsable) << bad;
  }
  EXPECT_EQ(ParseInt64Grouped("9,223,372,036,854,775,808", ',', &v), ParseOutcome::kOutOfRange);
  EXPECT_EQ(ParseLosslessInt64Grouped("0,338", ',', &v), ParseOutcome::kLossy);  // a leading zero
  EXPECT_EQ(ParseInt64Grouped("1.338", '.', &v), ParseOutcome::kOk);
  EXPECT_EQ(v, 1338);

  double d = 0;
  EXPECT_EQ(ParseFloat64Grouped("1,338.25", ',', '.', &d), ParseOutcome::kOk);
  EXPECT_EQ(d, 1338.25);
  EXPECT_EQ(ParseFloat64Grouped("1.338,25", '.', ',', &d), ParseOutcome::kOk);
  EXPECT_EQ(d, 1338.25);
  EXPECT_EQ(ParseFloat64Grouped("1,338.2,5", ',', '.', &d),
            ParseOutcome::kUnparsable);  // not in the fraction
  EXPECT_EQ(ParseFloat64Grouped("2.5e3", ',', '.', &d), ParseOutcome::kOk);
  EXPECT_EQ(d, 2500.0);
  EXPECT_EQ(ParseLosslessFloat64Grouped("9,007,199,254,740,993", ',', '.', &d), ParseOutcome::kLossy);

  EXPECT_TRUE(IsGroupedNumber("\t1,338 ", ',', '.'));
  EXPECT_TRUE(IsGroupedNumber("-1,338.5", ',', '.'));
  EXPECT_FALSE(IsGroupedNumber("12,50", ',', '.'));
  EXPECT_FALSE(IsGroupedNumber("1338", ',', '.'));
  EXPECT_FALSE(IsGroupedNumber("1,338x", ',', '.'));
}

}  // namespace outcore
