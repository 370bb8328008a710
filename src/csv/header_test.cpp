#include "csv/header.h"

#include <gtest/gtest.h>

namespace outcore {
namespace {

using Names = std::vector<std::string>;

Names Unique(const Names& raw, std::vector<HeaderRename>* renamed = nullptr) {
  return UniqueColumnNames(raw, renamed);
}

Names FromCsv(const std::string& csv) {
  TokenizedBlock tokens;
  Tokenize(csv, Dialect{}, &tokens);
  return Unique(RawHeaderNames(csv, tokens, 0, Dialect{}));
}

TEST(HeaderNames, UnescapesQuotedNames) {
  EXPECT_EQ(FromCsv("id,\"price, usd\",\"say \"\"x\"\"\"\n1,2,3\n"),
            (Names{"id", "price, usd", "say \"x\""}));
}

TEST(HeaderNames, NamesEmptyColumnsByPosition) {
  EXPECT_EQ(FromCsv(",b,\n"), (Names{"column_1", "b", "column_3"}));
}

// Issue 10, item 6: "a,a" refused the whole file; pandas reads it as a, a.1.
// The expected names are what pandas 3.1 read_csv gives for each header.
TEST(HeaderNames, Issue10RepeatedNamesGetPandasSuffixes) {
  EXPECT_EQ(Unique({"a", "a"}), (Names{"a", "a.1"}));
  EXPECT_EQ(Unique({"a", "a", "a"}), (Names{"a", "a.1", "a.2"}));
  EXPECT_EQ(Unique({"0", "0", "0.1", "0"}), (Names{"0", "0.2", "0.1", "0.3"}));
}

TEST(HeaderNames, Issue10SuffixTheHeaderHoldsIsSkipped) {
  EXPECT_EQ(Unique({"a", "a", "a.1"}), (Names{"a", "a.2", "a.1"}));
  EXPECT_EQ(Unique({"a", "a.1", "a"}), (Names{"a", "a.1", "a.2"}));
  EXPECT_EQ(Unique({"x", "x.1", "x", "x.1"}), (Names{"x", "x.1", "x.2", "x.1.1"}));
  EXPECT_EQ(Unique({"a", "a.2", "a", "a"}), (Names{"a", "a.2", "a.1", "a.3"}));
}

TEST(HeaderNames, Issue10NamedColumnsKeepTheirNamesBeforeEmptyOnesAreNumbered) {
  // The empty second column would be column_2, which the third already is.
  EXPECT_EQ(Unique({"a", "", "column_2"}), (Names{"a", "column_2.1", "column_2"}));
  EXPECT_EQ(Unique({"a", "", "a", "a"}), (Names{"a", "column_2", "a.1", "a.2"}));
}

TEST(HeaderNames, Issue10ReportsEveryRename) {
  std::vector<HeaderRename> renamed;
  EXPECT_EQ(Unique({"a", "b", "a", ""}, &renamed), (Names{"a", "b", "a.1", "column_4"}));
  ASSERT_EQ(renamed.size(), 2u);
  EXPECT_EQ(renamed[0].column, 2u);
  EXPECT_EQ(renamed[0].from, "a");
  EXPECT_EQ(renamed[0].to, "a.1");
  EXPECT_EQ(renamed[1].column, 3u);
  EXPECT_EQ(renamed[1].from, "");
  EXPECT_EQ(renamed[1].to, "column_4");
  renamed.clear();
  Unique({"x", "y"}, &renamed);
  EXPECT_TRUE(renamed.empty());
}

TEST(HeaderNames, EmptyInputHasNoNames) {
  EXPECT_TRUE(FromCsv("").empty());
  EXPECT_EQ(DefaultColumnNames(2), (Names{"column_1", "column_2"}));
}

}  // namespace
}  // namespace outcore
