#include "csv/header.h"

#include <unordered_set>

namespace outcore {

namespace {
std::string DefaultName(size_t index) { return "column_" + std::to_string(index + 1); }
}  // namespace

std::vector<std::string> HeaderNames(std::string_view block, const TokenizedBlock& tokens, size_t record,
                                     char quote) {
  std::vector<std::string> names;
  std::unordered_set<std::string> taken;
  std::string scratch;
  const size_t count = record < tokens.num_records() ? tokens.num_fields(record) : 0;
  for (size_t field = 0; field < count; ++field) {
    std::string name(FieldValue(block, tokens.field(record, field), quote, &scratch));
    if (name.empty()) name = DefaultName(field);
    std::string unique = name;
    for (int suffix = 2; taken.count(unique); ++suffix) unique = name + "_" + std::to_string(suffix);
    taken.insert(unique);
    names.push_back(std::move(unique));
  }
  return names;
}

std::vector<std::string> DefaultColumnNames(size_t count) {
  std::vector<std::string> names;
  for (size_t index = 0; index < count; ++index) names.push_back(DefaultName(index));
  return names;
}

}  // namespace outcore
