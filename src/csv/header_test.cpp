#include "csv/header.h"

#include <gtest/gtest.h>

namespace outcore {
namespace {

std::vector<std::string> Names(const std::string& csv) {
  TokenizedBlock tokens;
  Tokenize(csv, Dialect{}, &tokens);
  return HeaderNames(csv, tokens, 0, '"');
}

TEST(HeaderNames, UnescapesQuotedNames) {
  EXPECT_EQ(Names("id,\"price, usd\",\"say \"\"x\"\"\"\n1,2,3\n"),
            (std::vector<std::string>{"id", "price, usd", "say \"x\""}));
}

TEST(HeaderNames, NamesEmptyColumnsByPosition) {
  EXPECT_EQ(Names(",b,\n"), (std::vector<std::string>{"column_1", "b", "column_3"}));
}

TEST(HeaderNames, MakesRepeatedNamesUnique) {
  EXPECT_EQ(Names("id,id,id_2,id\n"), (std::vector<std::string>{"id", "id_2", "id_2_2", "id_3"}));
}

TEST(HeaderNames, EmptyInputHasNoNames) {
  EXPECT_TRUE(Names("").empty());
  EXPECT_EQ(DefaultColumnNames(2), (std::vector<std::string>{"column_1", "column_2"}));
}

}  // namespace
}  // namespace outcore
