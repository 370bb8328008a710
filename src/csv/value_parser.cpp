#include "csv/value_parser.h"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace outcore {

namespace {

inline bool IsSpace(char c) { return c == ' ' || c == '\t'; }

inline std::string_view Trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at text[at]; false if any is not a digit.
inline bool ReadDigits(std::string_view text, size_t at, size_t count, int* out) {
  if (at + count > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[at + i];
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

// Significant digits IsLosslessFloat64Text compares; a double's exact
// decimal expansion has at most 767, so longer texts are lossy anyway.
constexpr size_t kMaxCheckedDigits = 800;

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_index = (5 * day_of_year + 2) / 153;
  *day = int(day_of_year - (153 * month_index + 2) / 5 + 1);
  *month = int(month_index < 10 ? month_index + 3 : month_index - 9);
  *year = year_of_era + era * 400 + (*month <= 2);
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// "YYYY-MM-DD" at the start of `text` (already trimmed) -> days.
ParseOutcome ParseDatePrefix(std::string_view text, int64_t* days) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return ParseOutcome::kUnparsable;
  // All eight digits at once, without loops or early exits: this runs for
  // every value of every date and timestamp column.
  const unsigned char* s = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned digits[8] = {s[0] - 48u, s[1] - 48u, s[2] - 48u, s[3] - 48u,
                              s[5] - 48u, s[6] - 48u, s[8] - 48u, s[9] - 48u};
  bool bad = false;
  for (unsigned digit : digits) bad |= digit > 9;
  if (bad) return ParseOutcome::kUnparsable;
  const int year = int(digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]);
  const int month = int(digits[4] * 10 + digits[5]);
  const int day = int(digits[6] * 10 + digits[7]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return ParseOutcome::kOutOfRange;
  }
  *days = DaysFromCivil(year, month, day);
  return ParseOutcome::kOk;
}

char* WritePadded(int64_t value, int width, char* out) {
  if (value < 0) {
    *out++ = '-';
    value = -value;
  }
  char digits[24];
  int count = 0;
  do {
    digits[count++] = char('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (int pad = count; pad < width; ++pad) *out++ = '0';
  while (count > 0) *out++ = digits[--count];
  return out;
}

char* WriteDate(int64_t days, char* out) {
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  out = WritePadded(year, 4, out);
  *out++ = '-';
  out = WritePadded(month, 2, out);
  *out++ = '-';
  return WritePadded(day, 2, out);
}

}  // namespace

SpellingSet::SpellingSet(std::initializer_list<std::string_view> values) {
  for (std::string_view value : values) Add(value);
}

SpellingSet::SpellingSet(const std::vector<std::string>& values) {
  for (const std::string& value : values) Add(value);
}

bool SpellingSet::HasSpelling(std::string_view value) const {
  return std::find(values_.begin(), values_.end(), value) != values_.end();
}

void SpellingSet::Add(std::string_view value) {
  values_.emplace_back(value);
  length_mask_ |= uint64_t(1) << (value.size() < 63 ? value.size() : 63);
  if (!value.empty()) {
    const uint8_t first = uint8_t(value[0]);
    first_bytes_[first >> 6] |= uint64_t(1) << (first & 63);
  }
}

namespace {

// The parsers' bodies on text already trimmed, so that the lossless variants
// trim once.

inline ParseOutcome ParseTrimmedInt64(std::string_view text, int64_t* out) {
  if (ParseShortInt64(text, out)) return ParseOutcome::kOk;
  if (text.empty()) return ParseOutcome::kUnparsable;
  const bool negative = text[0] == '-';
  if (text[0] == '-' || text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return ParseOutcome::kUnparsable;
  uint64_t magnitude = 0;
  bool overflow = false;
  for (char c : text) {
    if (!IsDigit(c))
      return ParseOutcome::kUnparsable;  // checked before range: "1e99999" is not a number here
    overflow |= __builtin_mul_overflow(magnitude, uint64_t(10), &magnitude);
    overflow |= __builtin_add_overflow(magnitude, uint64_t(c - '0'), &magnitude);
  }
  const uint64_t limit = negative ? uint64_t(1) << 63 : (uint64_t(1) << 63) - 1;
  if (overflow || magnitude > limit) return ParseOutcome::kOutOfRange;
  *out = negative ? int64_t(0 - magnitude) : int64_t(magnitude);
  return ParseOutcome::kOk;
}

inline ParseOutcome ParseTrimmedFloat64(std::string_view text, char decimal_point, double* out) {
  // fast_float takes '-' but not '+'.
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) return ParseOutcome::kUnparsable;
  }
  if (text.empty()) return ParseOutcome::kUnparsable;
  if (ParseShortDecimal(text, decimal_point, out)) return ParseOutcome::kOk;
  double value;
  const char* last = text.data() + text.size();
  auto result = fast_float::from_chars_advanced(
      text.data(), last, value, fast_float::parse_options(fast_float::chars_format::general, decimal_point));
  if (result.ptr != last) return ParseOutcome::kUnparsable;
  if (result.ec == std::errc::result_out_of_range) {
    if (std::isinf(value)) return ParseOutcome::kOutOfRange;
  } else if (result.ec != std::errc()) {
    return ParseOutcome::kUnparsable;
  }
  if (std::isinf(value)) {
    // Overflow returns inf with no error in some fast_float versions: only
    // spelled infinities are values.
    size_t at = text[0] == '-' ? 1 : 0;
    if (at >= text.size() || (text[at] != 'i' && text[at] != 'I')) return ParseOutcome::kOutOfRange;
  }
  *out = value;
  return ParseOutcome::kOk;
}

// IsLosslessInt64Text on trimmed text.
inline bool IsLosslessTrimmedInt64(std::string_view text) {
  if (text.empty() || text[0] == '+') return false;
  return text.size() == 1 || ShortInt64Outcome(text) == ParseOutcome::kOk;  // not "-0", "-01", "007"
}

// IsLosslessFloat64Text for a text the first characters do not decide: the
// significant digits against the double printed with as many.
bool IsLosslessFloat64Digits(std::string_view text, size_t at, bool plus, double value) {
  // The significant digits of the mantissa (leading zeros skipped).
  char digits[kMaxCheckedDigits];
  size_t count = 0;
  bool whole = true;  // no '.', no exponent
  for (size_t i = at; i < text.size(); ++i) {
    const char c = text[i];
    if (c == 'e' || c == 'E') {
      whole = false;
      break;
    }
    if (c == '.' || c == ',') {  // the decimal point, whichever it is
      whole = false;
      continue;
    }
    if (!IsDigit(c)) return true;  // a spelled infinity or nan
    if (count == 0 && c == '0') continue;
    if (count == kMaxCheckedDigits) return false;
    digits[count++] = c;
  }
  if (plus && whole) return false;  // "+4930...": a phone number, not a quantity
  if (count == 0) return value == 0;
  if (count <= 15 && std::fabs(value) >= std::numeric_limits<double>::min()) return true;
  // `value` printed with `count` significant digits must give the same digits.
  char printed[kMaxCheckedDigits + 16];
  auto result = std::to_chars(printed, printed + sizeof printed, std::fabs(value),
                              std::chars_format::scientific, int(count) - 1);
  if (result.ec != std::errc()) return false;
  size_t matched = 0;
  for (const char* p = printed; p < result.ptr && *p != 'e'; ++p) {
    if (*p == '.') continue;
    if (matched == count || *p != digits[matched]) return false;
    ++matched;
  }
  return matched == count;
}

// IsLosslessFloat64Text on trimmed text: the first characters decide for all
// but long texts, a '+', zero and denormals (where fewer digits are exact).
inline bool IsLosslessTrimmedFloat64(std::string_view text, double value) {
  if (text.empty()) return false;
  const bool plus = text[0] == '+';
  const size_t at = plus || text[0] == '-' ? 1 : 0;
  if (HasLeadingZero(text, at)) return false;
  // Up to 15 significant digits always survive a double.
  if (text.size() <= 15 && !plus && std::fabs(value) >= std::numeric_limits<double>::min()) return true;
  return IsLosslessFloat64Digits(text, at, plus, value);
}

// Longest grouped number Ungroup copies (digits past it are lossy anyway).
constexpr size_t kMaxGroupedBytes = 128;

// Trimmed `text` with the thousands separators of its integer part removed,
// into buf (kMaxGroupedBytes): kOk with *out = text itself when it holds no
// separator; kUnparsable when the separators do not group it in threes (or a
// separator sits outside the integer part); *grouped when one was removed.
ParseOutcome Ungroup(std::string_view text, char separator, char decimal_point, char* buf,
                     std::string_view* out, bool* grouped) {
  *grouped = false;
  if (text.find(separator) == std::string_view::npos) {
    *out = text;
    return ParseOutcome::kOk;
  }
  if (text.size() > kMaxGroupedBytes) return ParseOutcome::kUnparsable;
  size_t at = text[0] == '-' || text[0] == '+' ? 1 : 0;
  std::memcpy(buf, text.data(), at);
  size_t length = at;
  // The integer part: 1-3 digits, then (separator, 3 digits) at least once.
  size_t digits = 0;
  while (at < text.size() && IsDigit(text[at]) && digits < 4) {
    buf[length++] = text[at++];
    ++digits;
  }
  if (digits == 0 || digits > 3) return ParseOutcome::kUnparsable;
  while (at < text.size() && text[at] == separator) {
    if (at + 4 > text.size() || !IsDigit(text[at + 1]) || !IsDigit(text[at + 2]) || !IsDigit(text[at + 3])) {
      return ParseOutcome::kUnparsable;
    }
    std::memcpy(buf + length, text.data() + at + 1, 3);
    length += 3;
    at += 4;
    *grouped = true;
  }
  if (!*grouped) return ParseOutcome::kUnparsable;  // the separator is elsewhere: "1.5,000"
  if (at < text.size() && IsDigit(text[at])) return ParseOutcome::kUnparsable;  // "1,3380"
  if (at < text.size() && text[at] != decimal_point && text[at] != 'e' && text[at] != 'E') {
    return ParseOutcome::kUnparsable;
  }
  if (text.find(separator, at) != std::string_view::npos) return ParseOutcome::kUnparsable;
  std::memcpy(buf + length, text.data() + at, text.size() - at);
  length += text.size() - at;
  *out = std::string_view(buf, length);
  return ParseOutcome::kOk;
}

}  // namespace

ParseOutcome ParseInt64(std::string_view text, int64_t* out) { return ParseTrimmedInt64(Trim(text), out); }

ParseOutcome ParseInt64Grouped(std::string_view text, char separator, int64_t* out) {
  char buf[kMaxGroupedBytes];
  std::string_view plain;
  bool grouped;
  const ParseOutcome outcome = Ungroup(Trim(text), separator, '.', buf, &plain, &grouped);
  return outcome != ParseOutcome::kOk ? outcome : ParseTrimmedInt64(plain, out);
}

ParseOutcome ParseLosslessInt64Grouped(std::string_view text, char separator, int64_t* out) {
  char buf[kMaxGroupedBytes];
  std::string_view plain;
  bool grouped;
  ParseOutcome outcome = Ungroup(Trim(text), separator, '.', buf, &plain, &grouped);
  if (outcome != ParseOutcome::kOk) return outcome;
  outcome = ParseTrimmedInt64(plain, out);
  if (outcome == ParseOutcome::kOk && !IsLosslessTrimmedInt64(plain)) return ParseOutcome::kLossy;
  return outcome;
}

ParseOutcome ParseFloat64Grouped(std::string_view text, char separator, char decimal_point, double* out) {
  char buf[kMaxGroupedBytes];
  std::string_view plain;
  bool grouped;
  const ParseOutcome outcome = Ungroup(Trim(text), separator, decimal_point, buf, &plain, &grouped);
  return outcome != ParseOutcome::kOk ? outcome : ParseTrimmedFloat64(plain, decimal_point, out);
}

ParseOutcome ParseLosslessFloat64Grouped(std::string_view text, char separator, char decimal_point,
                                         double* out) {
  char buf[kMaxGroupedBytes];
  std::string_view plain;
  bool grouped;
  ParseOutcome outcome = Ungroup(Trim(text), separator, decimal_point, buf, &plain, &grouped);
  if (outcome != ParseOutcome::kOk) return outcome;
  outcome = ParseTrimmedFloat64(plain, decimal_point, out);
  if (outcome == ParseOutcome::kOk && !IsLosslessTrimmedFloat64(plain, *out)) return ParseOutcome::kLossy;
  return outcome;
}

bool IsGroupedNumber(std::string_view text, char separator, char decimal_point) {
  char buf[kMaxGroupedBytes];
  std::string_view plain;
  bool grouped;
  if (Ungroup(Trim(text), separator, decimal_point, buf, &plain, &grouped) != ParseOutcome::kOk || !grouped) {
    return false;
  }
  double value;
  return ParseTrimmedFloat64(plain, decimal_point, &value) == ParseOutcome::kOk;
}

ParseOutcome ParseFloat64(std::string_view text, double* out) {
  return ParseTrimmedFloat64(Trim(text), '.', out);
}

ParseOutcome ParseFloat64WithPoint(std::string_view text, char decimal_point, double* out) {
  return ParseTrimmedFloat64(Trim(text), decimal_point, out);
}

bool IsLosslessInt64Text(std::string_view text) { return IsLosslessTrimmedInt64(Trim(text)); }

bool IsLosslessFloat64Text(std::string_view text, double value) {
  return IsLosslessTrimmedFloat64(Trim(text), value);
}

ParseOutcome ParseLosslessInt64(std::string_view text, int64_t* out) {
  text = Trim(text);
  if (ParseShortInt64(text, out)) return ShortInt64Outcome(text);
  const ParseOutcome outcome = ParseTrimmedInt64(text, out);
  if (outcome == ParseOutcome::kOk && !IsLosslessTrimmedInt64(text)) return ParseOutcome::kLossy;
  return outcome;
}

ParseOutcome ParseLosslessFloat64(std::string_view text, double* out) {
  return ParseLosslessFloat64WithPoint(text, '.', out);
}

ParseOutcome ParseLosslessFloat64WithPoint(std::string_view text, char decimal_point, double* out) {
  text = Trim(text);
  if (ParseShortDecimal(text, decimal_point, out)) return ShortDecimalOutcome(text);
  const ParseOutcome outcome = ParseTrimmedFloat64(text, decimal_point, out);
  if (outcome == ParseOutcome::kOk && !IsLosslessTrimmedFloat64(text, *out)) return ParseOutcome::kLossy;
  return outcome;
}

bool LooksLikeCode(std::string_view text) {
  text = Trim(text);
  bool letter = false, digit = false;
  for (char c : text) {
    if (IsDigit(c)) {
      digit = true;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      letter = true;
    } else if (c != '-' && c != '_' && c != '.' && c != '/') {
      return false;
    }
  }
  return letter && digit;
}

ParseOutcome ParseBool(std::string_view text, const ValueSpellings& spellings, bool* out) {
  text = Trim(text);
  if (spellings.true_values.Contains(text)) {
    *out = true;
    return ParseOutcome::kOk;
  }
  if (spellings.false_values.Contains(text)) {
    *out = false;
    return ParseOutcome::kOk;
  }
  return ParseOutcome::kUnparsable;
}

ParseOutcome ParseDate(std::string_view text, int32_t* out) {
  text = Trim(text);
  if (text.size() != 10) return ParseOutcome::kUnparsable;
  int64_t days;
  ParseOutcome outcome = ParseDatePrefix(text, &days);
  if (outcome == ParseOutcome::kOk) *out = int32_t(days);
  return outcome;
}

ParseOutcome ParseTimestamp(std::string_view text, int64_t* out) {
  text = Trim(text);
  if (!text.empty() && text.back() == 'Z') text.remove_suffix(1);
  // A UTC offset (+HH:MM / -HH:MM) after the time: the value is stored as UTC.
  int64_t offset_seconds = 0;
  bool bad_offset = false;
  if (text.size() >= 25 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-') &&
      text[text.size() - 3] == ':') {
    int offset_hours, offset_minutes;
    if (!ReadDigits(text, text.size() - 5, 2, &offset_hours) ||
        !ReadDigits(text, text.size() - 2, 2, &offset_minutes)) {
      return ParseOutcome::kUnparsable;
    }
    bad_offset = offset_hours > 23 || offset_minutes > 59;
    offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (text[text.size() - 6] == '-' ? -1 : 1);
    text.remove_suffix(6);
  }
  int64_t days;
  ParseOutcome outcome = ParseDatePrefix(text, &days);
  if (outcome == ParseOutcome::kUnparsable) return outcome;
  if (text.size() == 10) {
    if (outcome == ParseOutcome::kOk) *out = days * kMicrosPerDay;
    return outcome;
  }
  int hour, minute, second;
  if (text.size() < 19 || (text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':' ||
      !ReadDigits(text, 11, 2, &hour) || !ReadDigits(text, 14, 2, &minute) ||
      !ReadDigits(text, 17, 2, &second)) {
    return ParseOutcome::kUnparsable;
  }
  int64_t fraction = 0;  // microseconds
  bool sub_micro = false;
  if (text.size() > 19) {
    const size_t digits = text.size() - 20;
    if (text[19] != '.' || digits < 1 || digits > 9) return ParseOutcome::kUnparsable;
    for (size_t i = 0; i < digits; ++i) {
      const char c = text[20 + i];
      if (!IsDigit(c)) return ParseOutcome::kUnparsable;
      if (i < 6) {
        fraction = fraction * 10 + (c - '0');
      } else {
        sub_micro |= c != '0';
      }
    }
    for (size_t i = digits; i < 6; ++i) fraction *= 10;
  }
  if (outcome != ParseOutcome::kOk || hour > 23 || minute > 59 || second > 59 || sub_micro || bad_offset) {
    return ParseOutcome::kOutOfRange;
  }
  *out = days * kMicrosPerDay + (hour * 3600 + minute * 60 + second - offset_seconds) * kMicrosPerSecond +
         fraction;
  return ParseOutcome::kOk;
}

char* FormatInt64(int64_t value, char* out) { return std::to_chars(out, out + kFormatBufferSize, value).ptr; }

char* FormatFloat64(double value, char* out) {
  return std::to_chars(out, out + kFormatBufferSize, value).ptr;
}

char* FormatBool(bool value, char* out) {
  const char* text = value ? "true" : "false";
  const size_t length = value ? 4 : 5;
  std::memcpy(out, text, length);
  return out + length;
}

char* FormatDate(int32_t days, char* out) { return WriteDate(days, out); }

char* FormatTimestamp(int64_t micros, char* out) {
  // Floor division: times before 1970 still have a non-negative time of day.
  int64_t days = micros / kMicrosPerDay;
  int64_t of_day = micros % kMicrosPerDay;
  if (of_day < 0) {
    of_day += kMicrosPerDay;
    --days;
  }
  out = WriteDate(days, out);
  *out++ = ' ';
  const int64_t seconds = of_day / kMicrosPerSecond;
  out = WritePadded(seconds / 3600, 2, out);
  *out++ = ':';
  out = WritePadded(seconds / 60 % 60, 2, out);
  *out++ = ':';
  out = WritePadded(seconds % 60, 2, out);
  int64_t fraction = of_day % kMicrosPerSecond;
  if (fraction != 0) {
    int digits = 6;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    *out++ = '.';
    out = WritePadded(fraction, digits, out);
  }
  return out;
}

char* FormatIntegerAs(TypeId type, int64_t value, char* out) {
  switch (type) {
    case TypeId::kBool:
      return FormatBool(value != 0, out);
    case TypeId::kDate:
      return FormatDate(int32_t(value), out);
    case TypeId::kTimestamp:
      return FormatTimestamp(value, out);
    default:
      return FormatInt64(value, out);
  }
}

}  // namespace outcore
