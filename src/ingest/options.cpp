// The shared option parsers (include/outcore/options.h).
#include "outcore/options.h"

#include <algorithm>
#include <charconv>

namespace outcore {

Result<char> ParseDelimiter(std::string_view text, std::string_view option) {
  if (text == "\\t" || text == "tab" || text == "\t") return '\t';
  if (text.size() == 1) return text[0];
  return Status::InvalidArgument(std::string(option) + " takes one character (or 'tab'), not '" +
                                 std::string(text) + "'");
}

Status ParseIngestDelimiter(std::string_view text, std::string_view option, IngestOptions* options) {
  if (text == "spaces" || text == "2spaces") {
    options->delimiter.reset();
    options->space_aligned = text == "spaces" ? 1 : 2;
    return Status::OK();
  }
  Result<char> delimiter = ParseDelimiter(text, option);
  if (!delimiter.ok()) {
    return Status::InvalidArgument(std::string(option) +
                                   " takes one character, 'tab', 'spaces' or '2spaces', not '" +
                                   std::string(text) + "'");
  }
  options->delimiter = *delimiter;
  options->space_aligned = 0;
  return Status::OK();
}

std::string IngestDelimiterName(char delimiter, int space_aligned) {
  if (space_aligned != 0) return space_aligned == 1 ? "spaces" : "2spaces";
  return std::string(1, delimiter);
}

Result<char> ParseOneChar(std::string_view text, std::string_view option) {
  if (text.size() == 1 && text[0] != '\n' && text[0] != '\r') return text[0];
  return Status::InvalidArgument(std::string(option) + " takes one character (not a line break), not '" +
                                 std::string(text) + "'");
}

Status ValidateThousands(char thousands, char decimal) {
  if (thousands == '\0') return Status::OK();
  if (thousands == decimal) {
    return Status::InvalidArgument(std::string("--thousands '") + thousands +
                                   "' is also the decimal point: a file writes 1.338,5 with --thousands . "
                                   "--decimal , and 1,338.5 with --thousands ,");
  }
  if ((thousands >= '0' && thousands <= '9') || thousands == '+' || thousands == '-' || thousands == 'e' ||
      thousands == 'E' || thousands == '\n' || thousands == '\r') {
    return Status::InvalidArgument(std::string("--thousands cannot be '") + thousands +
                                   "': it is part of a number; e.g. --thousands , or --thousands .");
  }
  return Status::OK();
}

Result<OnError> ParseOnError(std::string_view text, std::string_view option) {
  if (text == "reject") return OnError::kReject;
  if (text == "fail") return OnError::kFail;
  return Status::InvalidArgument(std::string(option) + " is 'reject' or 'fail', not '" + std::string(text) +
                                 "'");
}

Result<RejectLimit> ParseRejectLimit(std::string_view text, std::string_view option) {
  const bool share = !text.empty() && text.back() == '%';
  const std::string_view number = share ? text.substr(0, text.size() - 1) : text;
  const char* end = number.data() + number.size();
  RejectLimit limit;
  bool ok = !number.empty() && number.front() != '-' && number.front() != '+';
  if (ok && share) {
    auto [ptr, ec] = std::from_chars(number.data(), end, limit.percent);
    ok = ec == std::errc() && ptr == end && limit.percent >= 0 && limit.percent <= 100;
    limit.kind = RejectLimit::Kind::kShare;
  } else if (ok) {
    auto [ptr, ec] = std::from_chars(number.data(), end, limit.count);
    ok = ec == std::errc() && ptr == end;
    limit.kind = RejectLimit::Kind::kCount;
  }
  if (!ok) {
    return Status::InvalidArgument(std::string(option) +
                                   " is a number of rows (e.g. 1000) or a share of the rows read from 0% "
                                   "to 100% (e.g. 1%), not '" +
                                   std::string(text) + "'");
  }
  return limit;
}

Result<TypeId> ParseColumnType(std::string_view column, std::string_view type_name, std::string_view option) {
  std::optional<TypeId> type = TypeFromName(type_name);
  if (!type) {
    return Status::InvalidArgument(std::string(option) + ": unknown type '" + std::string(type_name) +
                                   "' for column '" + std::string(column) +
                                   "'; use bool, int64, float64, string, date or timestamp");
  }
  return *type;
}

Result<std::vector<std::pair<std::string, TypeId>>> ParseSchema(std::string_view text,
                                                                std::string_view option) {
  std::vector<std::pair<std::string, TypeId>> schema;
  for (const std::string& item : SplitList(text)) {
    const size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument(
          std::string(option) +
          " wants name:type pairs separated by commas (e.g. id:int64,price:float64), not '" + item + "'");
    }
    OC_ASSIGN_OR_RETURN(TypeId type, ParseColumnType(item.substr(0, colon), item.substr(colon + 1), option));
    schema.emplace_back(item.substr(0, colon), type);
  }
  return schema;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    out.emplace_back(
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

namespace {

// "a,b" -> names, each non-empty and given once.
Result<std::vector<std::string>> ParseColumnList(std::string_view text, std::string_view option,
                                                 std::string_view example) {
  std::vector<std::string> names = SplitList(text);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) {
      return Status::InvalidArgument(std::string(option) + " wants column names separated by commas (e.g. " +
                                     std::string(example) + "), not '" + std::string(text) + "'");
    }
    for (size_t j = 0; j < i; ++j) {
      if (names[j] == names[i]) {
        return Status::InvalidArgument(std::string(option) + " names column '" + names[i] + "' twice");
      }
    }
  }
  return names;
}

// "column=rest" at the first '=' (`last`: at the last one).
Status SplitColumnAssignment(std::string_view text, std::string_view option, std::string_view example,
                             bool last, std::string* column, std::string* rest) {
  const size_t eq = last ? text.rfind('=') : text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument(std::string(option) + " wants column=" + std::string(example) + ", not '" +
                                   std::string(text) + "'");
  }
  *column = std::string(text.substr(0, eq));
  *rest = std::string(text.substr(eq + 1));
  return Status::OK();
}

}  // namespace

Status ParseRequireRule(std::string_view text, std::string_view option, RowRules* rules) {
  OC_ASSIGN_OR_RETURN(std::vector<std::string> names, ParseColumnList(text, option, "price,topic"));
  for (std::string& name : names) {
    if (std::find(rules->require.begin(), rules->require.end(), name) == rules->require.end()) {
      rules->require.push_back(std::move(name));
    }
  }
  return Status::OK();
}

Status ParseRangeRule(std::string_view text, std::string_view option, RowRules* rules) {
  std::string column, bounds;
  OC_RETURN_IF_ERROR(SplitColumnAssignment(text, option, "low..high (e.g. price=0..10000, day=2020-01-01..)",
                                           /*last=*/true, &column, &bounds));
  const size_t dots = bounds.find("..");
  if (dots == std::string::npos || bounds.find("..", dots + 1) != std::string::npos || bounds == "..") {
    return Status::InvalidArgument(std::string(option) + " " + column +
                                   "= wants low..high with one '..' and at least one end (e.g. 0..10000, "
                                   "..0, 1..), not '" +
                                   bounds + "'");
  }
  for (const auto& [known, ignored] : rules->ranges) {
    if (known == column) {
      return Status::InvalidArgument(std::string(option) + " is given twice for column '" + column +
                                     "'; give one low..high per column");
    }
  }
  rules->ranges.emplace_back(std::move(column), std::move(bounds));
  return Status::OK();
}

Status ParseAllowedRule(std::string_view text, std::string_view option, RowRules* rules) {
  std::string column, values;
  OC_RETURN_IF_ERROR(SplitColumnAssignment(text, option, "value,value,... (e.g. topic=food,travel)",
                                           /*last=*/false, &column, &values));
  for (const auto& [known, ignored] : rules->allowed) {
    if (known == column) {
      return Status::InvalidArgument(std::string(option) + " is given twice for column '" + column +
                                     "'; list all its values in one");
    }
  }
  rules->allowed.emplace_back(std::move(column), SplitList(values));
  return Status::OK();
}

Status ParseDedupeRule(std::string_view text, std::string_view option, RowRules* rules) {
  if (!rules->dedupe.empty()) {
    return Status::InvalidArgument(std::string(option) +
                                   " is given twice; name every column of the key in one (e.g. a,b)");
  }
  OC_ASSIGN_OR_RETURN(rules->dedupe, ParseColumnList(text, option, "id or a,b"));
  return Status::OK();
}

}  // namespace outcore
