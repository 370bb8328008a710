#include "csv/header.h"

#include <unordered_map>

namespace outcore {

namespace {
std::string DefaultName(size_t index) { return "column_" + std::to_string(index + 1); }
}  // namespace

std::vector<std::string> RawHeaderNames(std::string_view block, const TokenizedBlock& tokens, size_t record,
                                        const Dialect& dialect) {
  std::vector<std::string> names;
  std::string scratch;
  const size_t count = record < tokens.num_records() ? tokens.num_fields(record) : 0;
  for (size_t field = 0; field < count; ++field) {
    names.emplace_back(FieldValue(block, tokens.field(record, field), dialect, &scratch));
  }
  return names;
}

std::vector<std::string> UniqueColumnNames(const std::vector<std::string>& raw,
                                           std::vector<HeaderRename>* renamed) {
  std::vector<std::string> names = raw;
  std::vector<size_t> order;  // named columns first, so they keep their names
  std::vector<size_t> unnamed;
  for (size_t column = 0; column < names.size(); ++column) {
    if (names[column].empty()) {
      names[column] = DefaultName(column);
      unnamed.push_back(column);
    } else {
      order.push_back(column);
    }
  }
  order.insert(order.end(), unnamed.begin(), unnamed.end());
  // in_header: how often each name occurs in `names` as it stands (a suffixed
  // candidate that the header holds is skipped). used: for a name, how many
  // columns took it or a suffix of it — the next suffix to try.
  std::unordered_map<std::string, size_t> in_header, used;
  for (const std::string& name : names) ++in_header[name];
  for (size_t column : order) {
    const std::string base = names[column];
    std::string name = base;
    size_t count = used[base];
    while (count > 0) {
      used[base] = count + 1;
      name = base + "." + std::to_string(count);
      auto held = in_header.find(name);
      count = held != in_header.end() && held->second > 0 ? count + 1 : used[name];
    }
    if (name != base) {
      --in_header[base];
      ++in_header[name];
      names[column] = name;
    }
    used[name] = count + 1;
  }
  if (renamed) {
    for (size_t column = 0; column < names.size(); ++column) {
      if (names[column] != raw[column]) renamed->push_back({column, raw[column], names[column]});
    }
  }
  return names;
}

std::vector<std::string> DefaultColumnNames(size_t count) {
  std::vector<std::string> names;
  for (size_t index = 0; index < count; ++index) names.push_back(DefaultName(index));
  return names;
}

}  // namespace outcore
