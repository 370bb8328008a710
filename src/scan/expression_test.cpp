// The expression room: parsing (literals per type, positioned errors with a
// caret, nesting bounds, garbage), printing, and the columns an expression reads.
#include "scan/expression.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "csv/value_parser.h"
#include "index/column_test_util.h"
#include "scan/evaluate.h"
#include "scan/predicate_test_util.h"

namespace outcore {
namespace {

using testutil::IntColumn;
using testutil::Selected;
using testutil::StringColumn;

TEST(Predicate, LiteralsParsePerColumnType) {
  const std::vector<ColumnSchema> schema = {{"d", TypeId::kDate, false},
                                            {"ts", TypeId::kTimestamp, false},
                                            {"s", TypeId::kString, false},
                                            {"b", TypeId::kBool, false},
                                            {"odd name", TypeId::kInt64, false}};
  int32_t day = 0;
  ASSERT_EQ(ParseDate("2024-03-01", &day), ParseOutcome::kOk);
  int64_t micros = 0;
  ASSERT_EQ(ParseTimestamp("2024-03-01 12:00:00", &micros), ParseOutcome::kOk);
  ColumnVector d = IntColumn(TypeId::kDate, {day - 1, day, day + 1});
  ColumnVector ts = IntColumn(TypeId::kTimestamp, {micros - 1, micros, micros + 1});
  ColumnVector s = StringColumn({"it's", "plain", std::nullopt}, false);
  ColumnVector b = IntColumn(TypeId::kBool, {1, 0, 1});
  ColumnVector odd = IntColumn(TypeId::kInt64, {-1500, 7, 0});
  std::vector<const ColumnVector*> columns = {&d, &ts, &s, &b, &odd};
  using Rows = std::vector<int64_t>;
  EXPECT_EQ(Selected("d >= '2024-03-01'", schema, columns), Rows({1, 2}));
  EXPECT_EQ(Selected("ts == '2024-03-01T12:00:00'", schema, columns), Rows({1}));
  EXPECT_EQ(Selected("ts < '2024-03-01'", schema, columns), Rows({}));
  EXPECT_EQ(Selected("s == 'it''s'", schema, columns), Rows({0}));
  EXPECT_EQ(Selected("b == TRUE", schema, columns), Rows({0, 2}));
  EXPECT_EQ(Selected("\"odd name\" == -1500", schema, columns), Rows({0}));
}

// --- Errors point at the position and say what was expected.

struct ErrorCase {
  std::string text;
  size_t position;
  std::string says;
};

TEST(Predicate, ErrorsPointAtThePositionWithACaret) {
  const std::vector<ColumnSchema> schema = {{"price", TypeId::kFloat64, false},
                                            {"topic", TypeId::kString, true},
                                            {"n", TypeId::kInt64, false},
                                            {"d", TypeId::kDate, false},
                                            {"flag", TypeId::kBool, false}};
  const std::vector<ErrorCase> cases = {
      {"price > 'abc'", 8, "expected a number for float64 column 'price'"},
      {"topic == 5", 9, "expected a string in single quotes for string column 'topic'"},
      {"nope == 1", 0, "unknown column 'nope' (columns: price, topic, n, d, flag)"},
      {"price = 1", 6, "use '=='"},
      {"price <> 1", 6, "use '!='"},
      {"price >", 7, "but the expression ended"},
      {"(price > 1", 10, "expected ')' to close the '(' at position 0"},
      {"price > 1 topic", 10, "expected 'and', 'or' or the end"},
      {"topic == 'abc", 9, "unterminated string"},
      {"d == '2023-02-30'", 5, "not a calendar date"},
      {"d > 5", 4, "expected a date"},
      {"price contains 'x'", 6, "contains needs a string column"},
      {"topic == null", 9, "null can only be tested with 'is null'"},
      {"n > 1.5", 4, "expected a whole number for int64 column 'n'"},
      {"n > 99999999999999999999", 4, "integer out of range"},
      {"flag == 1", 8, "expected true or false"},
      {"n between 1 2", 12, "expected 'and' between the two bounds"},
      {"topic contains ' - '", 15, "expected a word"},
      {"n in (1, 2", 10, "expected ',' or ')'"},
      {"and == 1", 0, "'and' is a keyword"},
      {"5 < n", 0, "expected a column name"},
      {"n > 1 and", 9, "expected a column name, 'not' or '(' but the expression ended"},
      {"n is 1", 5, "expected 'null' after 'is'"},
      {"n > 12abc", 6, "malformed number"},
      {"n ! 1", 2, "expected '!='"},
      {"n > 1 $", 6, "unexpected character '$'"},
      {"n not 1", 6, "expected 'in' or 'between' after 'not'"},
  };
  for (const ErrorCase& c : cases) {
    PredicateError error;
    auto expr = ParsePredicate(c.text, schema, &error);
    ASSERT_FALSE(expr.ok()) << c.text;
    EXPECT_EQ(expr.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(error.position, c.position) << c.text << ": " << error.message;
    EXPECT_NE(error.message.find(c.says), std::string::npos) << c.text << ": " << error.message;
    const std::string& message = expr.status().message();
    const std::string expected = c.text + "\n" + std::string(c.position, ' ') + "^ " + error.message;
    EXPECT_EQ(message, expected);
  }
}

TEST(Predicate, CaretCountsCharactersNotBytes) {
  const std::vector<ColumnSchema> schema = {{"topic", TypeId::kString, false}, {"n", TypeId::kInt64, false}};
  const std::string text = "topic == 'caf\xc3\xa9' and n > 'x'";
  PredicateError error;
  auto expr = ParsePredicate(text, schema, &error);
  ASSERT_FALSE(expr.ok());
  EXPECT_EQ(error.position, text.find("'x'"));
  const std::string& message = expr.status().message();
  const size_t caret_line = message.find('\n') + 1;
  EXPECT_EQ(message.find('^', caret_line) - caret_line, error.position - 1);  // é is 2 bytes, 1 column
}

TEST(Predicate, DeepNestingIsAnErrorNotAStackOverflow) {
  const std::vector<ColumnSchema> schema = {{"n", TypeId::kInt64, false}};
  std::string deep = std::string(100000, '(') + "n > 1" + std::string(100000, ')');
  auto expr = ParsePredicate(deep, schema);
  ASSERT_FALSE(expr.ok());
  EXPECT_NE(expr.status().message().find("nests deeper"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_FALSE(ParsePredicate(nots + "n > 1", schema).ok());
  // Long flat chains are fine: they do not nest.
  std::string chain = "n == 0";
  for (int i = 1; i < 20000; ++i) chain += " or n == " + std::to_string(i);
  auto flat = ParsePredicate(chain, schema);
  ASSERT_TRUE(flat.ok());
  ColumnVector n = IntColumn(TypeId::kInt64, {5, 20000, std::nullopt});
  std::vector<const ColumnVector*> columns = {&n};
  EXPECT_EQ(Selected(chain, schema, columns), std::vector<int64_t>({0}));
}

TEST(Predicate, GarbageNeverCrashesAndAlwaysPointsSomewhere) {
  const std::vector<ColumnSchema> schema = {{"n", TypeId::kInt64, false}, {"s", TypeId::kString, false}};
  const std::vector<std::string> pieces = {"n",       "s",    "(",    ")",        "and",  "or", "not", "in",
                                           "between", "is",   "null", "contains", "'a'",  "'",  "\"",  "1",
                                           "-2.5e3",  "==",   "!=",   "<",        ">=",   ",",  "=",   "!",
                                           "@",       "\xc3", " ",    "true",     "\"s\""};
  std::mt19937 rng(99);
  int parsed = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string text;
    for (int i = 0, n = 1 + int(rng() % 8); i < n; ++i)
      text += pieces[rng() % pieces.size()] + (rng() % 2 ? " " : "");
    PredicateError error;
    auto expr = ParsePredicate(text, schema, &error);
    if (expr.ok()) {
      ++parsed;
      continue;
    }
    EXPECT_LE(error.position, text.size()) << text;
    EXPECT_NE(expr.status().message().find("\n"), std::string::npos);
  }
  // Near-valid input: valid expressions with a few bytes changed. Whatever
  // parses must evaluate.
  const std::vector<std::string> valid = {"n between -3 and 7 or not (s in ('a', 'b''c'))",
                                          "(s contains 'ice cream') and n is not null",
                                          "\"n\" >= 1e2 or s != ''"};
  ColumnVector n = IntColumn(TypeId::kInt64, {1, std::nullopt});
  ColumnVector s = StringColumn({"ice", std::nullopt}, false);
  std::vector<const ColumnVector*> columns = {&n, &s};
  const std::string alphabet = "()'\" ,-.e0123456789=<>!nsandortbiwcl \xc3";
  for (int trial = 0; trial < 20000; ++trial) {
    std::string text = valid[rng() % valid.size()];
    for (int edits = 1 + int(rng() % 2); edits > 0; --edits) {
      const size_t at = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0:
          if (at < text.size()) text.erase(at, 1);
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          if (at < text.size()) text[at] = alphabet[rng() % alphabet.size()];
          break;
      }
    }
    PredicateError error;
    auto expr = ParsePredicate(text, schema, &error);
    if (!expr.ok()) {
      EXPECT_LE(error.position, text.size()) << text;
      continue;
    }
    ++parsed;
    Buffer selection;
    EXPECT_TRUE(Evaluate(**expr, columns, 2, &selection).ok()) << text;
  }
  EXPECT_GT(parsed, 1000);
}

TEST(Predicate, ColumnsListsWhatTheExpressionReads) {
  auto expr = ParsePredicate(
      "topic == 'a' or (n > 1 and topic is null)",
      {{"n", TypeId::kInt64, false}, {"topic", TypeId::kString, false}, {"unused", TypeId::kBool, false}});
  ASSERT_TRUE(expr.ok());
  EXPECT_EQ((*expr)->Columns(), std::vector<int>({0, 1}));
}

}  // namespace
}  // namespace outcore
