// libFuzzer harness: the value parsers (int64, float64, bool, date,
// timestamp) on hostile text, and the promise value_parser.h makes about
// them: Parse(Format(v)) == v for every value a parser produces.
//
// Input: byte 0 picks the parser (modulo 7: 5 and 6 are the --thousands
// forms, int64 with ',' and float64 with '.' and a decimal comma), the rest is
// the field's text. A grouped number must be the plain parser's number of the
// text without its separators.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "csv/value_parser.h"
#include "fuzz_util.h"

namespace {

using outcore::ParseOutcome;
using outcore::fuzz::Check;

// Formats `value` with `format`, parses the text back with `parse` and
// returns what it gave; the round trip itself must succeed.
template <typename T, typename FormatFn, typename ParseFn>
T RoundTrip(T value, FormatFn format, ParseFn parse) {
  char buffer[outcore::kFormatBufferSize];
  const char* end = format(value, buffer);
  Check(end >= buffer && end <= buffer + sizeof buffer, "formatter wrote past its buffer");
  T back{};
  Check(parse(std::string_view(buffer, size_t(end - buffer)), &back) == ParseOutcome::kOk,
        "a formatted value does not parse back");
  return back;
}

// `text` without any `separator`.
std::string Without(std::string_view text, char separator) {
  std::string out;
  for (char c : text) {
    if (c != separator) out += c;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) {
    outcore::fuzz::Rejected(size, "no parser selector byte");
    return 0;
  }
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ParseOutcome outcome = ParseOutcome::kUnparsable;
  switch (data[0] % 7) {
    case 0: {
      int64_t value = 0;
      outcome = outcore::ParseInt64(text, &value);
      if (outcome == ParseOutcome::kOk)
        Check(RoundTrip(value, outcore::FormatInt64, outcore::ParseInt64) == value, "int64 round trip");
      break;
    }
    case 1: {
      double value = 0;
      outcome = outcore::ParseFloat64(text, &value);
      if (outcome == ParseOutcome::kOk) {
        const double back = RoundTrip(value, outcore::FormatFloat64, outcore::ParseFloat64);
        Check(std::isnan(value) ? std::isnan(back) : std::memcmp(&back, &value, sizeof value) == 0,
              "float64 round trip (bit for bit)");
      }
      break;
    }
    case 2: {
      static const outcore::ValueSpellings spellings;
      bool value = false;
      outcome = outcore::ParseBool(text, spellings, &value);
      if (outcome == ParseOutcome::kOk) {
        auto parse = [](std::string_view formatted, bool* out) {
          return outcore::ParseBool(formatted, spellings, out);
        };
        Check(RoundTrip(value, outcore::FormatBool, parse) == value, "bool round trip");
      }
      break;
    }
    case 3: {
      int32_t value = 0;
      outcome = outcore::ParseDate(text, &value);
      if (outcome == ParseOutcome::kOk)
        Check(RoundTrip(value, outcore::FormatDate, outcore::ParseDate) == value, "date round trip");
      break;
    }
    case 5: {
      int64_t value = 0;
      outcome = outcore::ParseInt64Grouped(text, ',', &value);
      if (outcome == ParseOutcome::kOk) {
        int64_t plain = 0;
        Check(outcore::ParseInt64(Without(text, ','), &plain) == ParseOutcome::kOk && plain == value,
              "a grouped int64 is not the number without its separators");
      }
      break;
    }
    case 6: {
      double value = 0;
      outcome = outcore::ParseFloat64Grouped(text, '.', ',', &value);
      if (outcome == ParseOutcome::kOk) {
        double plain = 0;
        Check(outcore::ParseFloat64WithPoint(Without(text, '.'), ',', &plain) == ParseOutcome::kOk &&
                  (std::isnan(value) ? std::isnan(plain) : std::memcmp(&plain, &value, sizeof value) == 0),
              "a grouped float64 is not the number without its separators");
      }
      break;
    }
    default: {
      int64_t value = 0;
      outcome = outcore::ParseTimestamp(text, &value);
      if (outcome == ParseOutcome::kOk) {
        Check(RoundTrip(value, outcore::FormatTimestamp, outcore::ParseTimestamp) == value,
              "timestamp round trip");
      }
      break;
    }
  }
  Check(outcome == ParseOutcome::kOk || outcome == ParseOutcome::kUnparsable ||
            outcome == ParseOutcome::kOutOfRange,
        "an outcome outside the enum");
  if (outcome != ParseOutcome::kOk) outcore::fuzz::Rejected(size, "the value does not parse");
  return 0;
}
