#include "csv/writer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "csv/tokenizer.h"

namespace outcore {
namespace {

std::string Field(std::string_view value, const SpellingSet* na = nullptr) {
  std::string out;
  AppendCsvField(&out, value, ',', '"', na);
  return out;
}

TEST(CsvWriter, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(Field("plain"), "plain");
  EXPECT_EQ(Field("a,b"), "\"a,b\"");
  EXPECT_EQ(Field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(Field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(Field(""), "\"\"");  // empty string, distinct from null (nothing)
  SpellingSet na{"NA"};
  EXPECT_EQ(Field("NA", &na), "\"NA\"");
  EXPECT_EQ(Field("NA"), "NA");
}

TEST(CsvWriter, RandomFieldsTokenizeBackToThemselves) {
  std::mt19937 rng(5);
  const char alphabet[] = {'a', ',', '"', '\n', '\r', ' ', 'z'};
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<std::string> values(1 + rng() % 4);
    std::string line;
    for (size_t i = 0; i < values.size(); ++i) {
      for (int c = int(rng() % 6); c > 0; --c) values[i] += alphabet[rng() % sizeof alphabet];
      if (i) line += ',';
      AppendCsvField(&line, values[i]);
    }
    line += '\n';
    TokenizedBlock tokens;
    Tokenize(line, Dialect{}, &tokens);
    ASSERT_EQ(tokens.num_records(), 1u) << line;
    ASSERT_EQ(tokens.num_fields(0), values.size()) << line;
    std::string scratch;
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(FieldValue(line, tokens.field(0, i), Dialect{}, &scratch), values[i]) << line;
    }
  }
}

}  // namespace
}  // namespace outcore
