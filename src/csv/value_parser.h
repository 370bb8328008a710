// Value parsing and formatting: text of one CSV field <-> a typed value of a
// TypeId. Parsers are the inner loop of ingest (no allocation, no locale);
// formatters are their exact inverse, used by `outcore cat` and tests:
// Parse(Format(v)) == v for every value a parser can produce.
//
// Thread-safety: pure functions; SpellingSet and ValueSpellings are immutable
// after construction and may be shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/types.h"

namespace outcore {

enum class ParseOutcome : uint8_t {
  kOk = 0,
  kUnparsable = 1,  // not of the type ("abc" as int64, "2024-13" as date)
  kOutOfRange = 2,  // of the type's shape but no value of it (int64 overflow, 2023-02-30)
  kLossy = 3,       // a value, but storing it loses text: "02134" -> 2134 (ParseLossless* only)
};

// A small set of spellings with a membership test cheap enough for every value:
// a mask of the lengths present and of the first bytes rejects most values
// before any string compare.
//   SpellingSet na{"", "NA"};  na.Contains("NA") == true
class SpellingSet {
 public:
  SpellingSet() = default;
  SpellingSet(std::initializer_list<std::string_view> values);
  explicit SpellingSet(const std::vector<std::string>& values);

  // Asked for every value of every column (is it a null?): two bit tests,
  // inline, turn nearly every value away; only a candidate compares strings.
  bool Contains(std::string_view value) const {
    const size_t length_bit = value.size() < 63 ? value.size() : 63;
    if (!((length_mask_ >> length_bit) & 1)) return false;
    if (!value.empty()) {
      const uint8_t first = uint8_t(value[0]);
      if (!((first_bytes_[first >> 6] >> (first & 63)) & 1)) return false;
    }
    return HasSpelling(value);
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  void Add(std::string_view value);
  bool HasSpelling(std::string_view value) const;

  std::vector<std::string> values_;
  uint64_t length_mask_ = 0;      // bit n: a spelling of length n (63: 63 or longer)
  uint64_t first_bytes_[4] = {};  // bit b: a spelling starting with byte b
};

// How null and boolean values are spelled in the input. Nulls are matched on
// the raw field. `na` applies to typed columns (quoted or not); string columns
// use `string_na`, and only on unquoted fields: by default just the empty
// field, because "NA" (Namibia), "None" (a town) or "nan" are real text, and a
// quoted "" is an empty string. An explicit --na list sets both.
struct ValueSpellings {
  SpellingSet na{"", "NA", "N/A", "NULL", "null", "NaN", "nan", "None"};
  SpellingSet string_na{""};
  SpellingSet true_values{"true", "True", "TRUE"};
  SpellingSet false_values{"false", "False", "FALSE"};
  char decimal_point = '.';  // ',' for files that write 1,5 (--decimal ,)
  // '\0': none. Else the separator of thousands in int64 and float64 values
  // (--thousands ,): "1,338" and "12,345,678.5" are read, groups of exactly
  // three digits in the integer part only (ParseInt64Grouped).
  char thousands = '\0';
};

// All parsers accept ASCII spaces and tabs around the value and never read
// outside `text`.

// [+-]digits. "  -42 " -> -42; "1.0" and "" are kUnparsable; past int64 kOutOfRange.
//   int64_t v; if (ParseInt64("-9223372036854775808", &v) == ParseOutcome::kOk) ...
ParseOutcome ParseInt64(std::string_view text, int64_t* out);
// Decimal or scientific, correctly rounded (fast_float); "inf", "-inf",
// "infinity", "nan" in any case. Values past double's range (1e400) are
// kOutOfRange; values below its smallest denormal round to (signed) zero.
//   double v; ParseFloat64("2.5e-3", &v);
ParseOutcome ParseFloat64(std::string_view text, double* out);
// ParseFloat64 with another decimal point: with ',', "1,5" -> 1.5 and "1.5"
// (a thousands separator there, as in 1.613) is kUnparsable, never 1.5.
//   double v; ParseFloat64WithPoint("-2,5e3", ',', &v);  // -2500
ParseOutcome ParseFloat64WithPoint(std::string_view text, char decimal_point, double* out);

// As ParseInt64 / ParseFloat64, but a value whose stored form would not give
// the text back is kLossy (and *out is still set): see IsLosslessInt64Text and
// IsLosslessFloat64Text. Used for inferred columns, where the type is a guess
// and must not cost information; a type the user declared parses leniently.
//   ParseLosslessInt64("02134", &v) == ParseOutcome::kLossy   // a ZIP code
ParseOutcome ParseLosslessInt64(std::string_view text, int64_t* out);
ParseOutcome ParseLosslessFloat64(std::string_view text, double* out);
ParseOutcome ParseLosslessFloat64WithPoint(std::string_view text, char decimal_point, double* out);

// The common shapes of numbers, inline for per-value loops (the block
// parser's): each reads its shape and returns false for any other text,
// which the full parser above then reads. They set what the full parser sets.
//   if (!ParseShortInt64(text, &v)) outcome = ParseLosslessInt64(text, &v);
//
// Whether the number at text[at] starts with a zero that its value would
// drop: "02134", "007.5" (not "0", "0.5").
inline bool HasLeadingZero(std::string_view text, size_t at) {
  return at + 1 < text.size() && text[at] == '0' && text[at + 1] >= '0' && text[at + 1] <= '9';
}
// "[-]digits", 1 to 18 digits and nothing else (no spaces, no '+'): 18
// digits stay below 10^18 < 2^63, so nothing can overflow.
inline bool ParseShortInt64(std::string_view text, int64_t* out) {
  const size_t at = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == at || text.size() - at > 18) return false;
  uint64_t magnitude = 0;
  bool bad = false;
  for (size_t i = at; i < text.size(); ++i) {
    const unsigned digit = unsigned(uint8_t(text[i])) - unsigned('0');
    bad |= digit > 9;
    magnitude = magnitude * 10 + digit;
  }
  if (bad) return false;
  *out = at ? int64_t(0 - magnitude) : int64_t(magnitude);
  return true;
}
// ParseLosslessInt64's outcome for a text ParseShortInt64 read: kLossy for
// a leading zero ("007") and "-0".
inline ParseOutcome ShortInt64Outcome(std::string_view text) {
  const bool lossless = text[0] == '-' ? text[1] != '0' : !HasLeadingZero(text, 0);
  return lossless ? ParseOutcome::kOk : ParseOutcome::kLossy;
}
// A plain decimal ("-12.50", "3", "0.125": digits on both sides of an
// optional `decimal_point`, at most 15 in all): the mantissa (< 10^15 < 2^53)
// and the power of ten are exact doubles, so one division rounds correctly
// and gives the double fast_float gives (its own fast path divides the same).
inline bool ParseShortDecimal(std::string_view text, char decimal_point, double* out) {
  static constexpr double kExactPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  constexpr size_t kMaxDigits = 15;
  const size_t at = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == at || text.size() - at > kMaxDigits + 1) return false;
  uint64_t mantissa = 0;
  size_t digits = 0, point = std::string_view::npos;
  for (size_t i = at; i < text.size(); ++i) {
    const unsigned digit = unsigned(uint8_t(text[i])) - unsigned('0');
    if (digit <= 9) {
      mantissa = mantissa * 10 + digit;
      ++digits;
    } else if (text[i] == decimal_point && point == std::string_view::npos) {
      point = i;
    } else {
      return false;
    }
  }
  if (digits > kMaxDigits) return false;
  if (point != std::string_view::npos && (point == at || point + 1 == text.size())) return false;
  const size_t fraction_digits = point == std::string_view::npos ? 0 : text.size() - 1 - point;
  const double magnitude = double(mantissa) / kExactPowersOfTen[fraction_digits];
  *out = at ? -magnitude : magnitude;
  return true;
}
// ParseLosslessFloat64's outcome for a text ParseShortDecimal read: a double
// keeps 15 digits, so only a leading zero ("007.5", "-01.5") is lost. Decided
// from the text, without waiting for the division.
inline ParseOutcome ShortDecimalOutcome(std::string_view text) {
  return HasLeadingZero(text, text[0] == '-' ? 1 : 0) ? ParseOutcome::kLossy : ParseOutcome::kOk;
}

// Numbers with a thousands separator (ValueSpellings::thousands). `text`
// with the separators taken out of its integer part, when that part is
// grouped in threes after a first group of 1 to 3 digits ("1,338",
// "-12,345,678", "1,338.25"); text without the separator is read as it is.
// Anything else holding it ("13,38", "1,3380", "1.5,000") is kUnparsable.
//   ParseInt64Grouped("1,338", ',', &v);  // 1338
ParseOutcome ParseInt64Grouped(std::string_view text, char separator, int64_t* out);
ParseOutcome ParseFloat64Grouped(std::string_view text, char separator, char decimal_point, double* out);
// The lossless forms: a leading zero, a '+' or lost digits of what is left
// after the separators are taken out are kLossy, as in ParseLossless*.
ParseOutcome ParseLosslessInt64Grouped(std::string_view text, char separator, int64_t* out);
ParseOutcome ParseLosslessFloat64Grouped(std::string_view text, char separator, char decimal_point,
                                         double* out);
// Whether `text` is a number with at least one `separator` between groups of
// three digits of its integer part, as ParseInt64Grouped reads it: "1,338",
// "1,338.5" (`decimal_point` '.'), not "12,50" or "1,5".
bool IsGroupedNumber(std::string_view text, char separator, char decimal_point);

// Whether text that ParseInt64 accepted prints back as itself (spaces aside):
// no leading zero ("007"), no '+' ("+4930...", a phone number), not "-0".
bool IsLosslessInt64Text(std::string_view text);
// Whether text that ParseFloat64 read as `value` keeps its information: no
// leading zero before the digits ("02134", "007.5"), no '+' on a whole number,
// and every significant digit it has is the double's own, i.e. `value` printed
// with as many significant digits gives the same digits ("0.1", and numpy's
// "1.000000000000000056e-01" are kept; "9007199254740993" or
// "0.10000000000000000001" are not). Up to 15 significant digits always are;
// the check costs a scan only past 15 characters.
bool IsLosslessFloat64Text(std::string_view text, double value);
// Whether text that is not a number looks like a code or id rather than a
// typo: ASCII letters and digits, at least one of each, perhaps joined by
// '-', '_', '.', '/' ("300389460z", "12A", "A-7", "1.5kg"). Words without
// digits ("many", "n/a") and numbers in another notation ("12,50") are not.
bool LooksLikeCode(std::string_view text);
// A spelling from spellings.true_values / false_values, else kUnparsable.
ParseOutcome ParseBool(std::string_view text, const ValueSpellings& spellings, bool* out);
// "YYYY-MM-DD", years 0001..9999, validated against the calendar (2023-02-29
// is kOutOfRange) -> days since 1970-01-01.
//   int32_t days; ParseDate("1970-01-02", &days);  // days == 1
ParseOutcome ParseDate(std::string_view text, int32_t* out);
// "YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}][Z|+HH:MM|-HH:MM]" or a bare date (midnight)
// -> microseconds since 1970-01-01 00:00:00 UTC: an offset is applied, so
// "10:00:00+02:00" is stored (and formatted back) as "08:00:00". Digits past
// the microsecond must be zero: a non-zero nanosecond part would be lost, so it
// is kOutOfRange rather than silently truncated. Hours 00..23, seconds 00..59
// (no leap seconds).
//   int64_t us; ParseTimestamp("1970-01-01T00:00:01.5Z", &us);  // us == 1500000
ParseOutcome ParseTimestamp(std::string_view text, int64_t* out);

// Formatters write into `out` (at least kFormatBufferSize bytes) and return
// the end of what they wrote.
//   char buf[kFormatBufferSize];
//   std::string_view text(buf, FormatFloat64(0.1, buf) - buf);  // "0.1"
inline constexpr size_t kFormatBufferSize = 48;
char* FormatInt64(int64_t value, char* out);
// Shortest text that parses back to the same double (std::to_chars): "0.1",
// "1e+308", "-0", "inf", "-inf", "nan".
char* FormatFloat64(double value, char* out);
// "true" / "false".
char* FormatBool(bool value, char* out);
// "YYYY-MM-DD". Days outside years 1..9999 (never produced by ParseDate) are
// written with a wider or negative year.
char* FormatDate(int32_t days, char* out);
// "YYYY-MM-DD HH:MM:SS", plus ".f" (up to 6 digits, trailing zeros trimmed)
// when there is a fraction.
char* FormatTimestamp(int64_t micros, char* out);
// A value held as an integer, written as its type prints it: bool (0/1),
// date (days), timestamp (microseconds) or int64. `type` is not kFloat64 or
// kString (they are not held as integers).
//   char buf[kFormatBufferSize];
//   FormatIntegerAs(TypeId::kDate, 0, buf);  // "1970-01-01"
char* FormatIntegerAs(TypeId type, int64_t value, char* out);

}  // namespace outcore
