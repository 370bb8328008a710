#include "clean/row_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clean/dedupe_set.h"
#include "csv/block_parser.h"
#include "csv/tokenizer.h"

namespace outcore {
namespace {

// Typed columns the way ingest makes them: CSV text through the csv parser.
struct Chunk {
  std::vector<ColumnSchema> schema;
  std::vector<ColumnVector> columns;
  int64_t rows = 0;
};

Chunk Parse(const std::string& csv, const std::vector<ColumnSchema>& schema) {
  Chunk chunk;
  chunk.schema = schema;
  std::vector<TypeId> types;
  for (const ColumnSchema& c : schema) types.push_back(c.type);
  TokenizedBlock tokens;
  Tokenize(csv, Dialect{}, &tokens);
  BlockParser parser(types, ParseOptions{}, nullptr);
  std::vector<RowReject> rejects;
  EXPECT_TRUE(parser.Parse(csv, tokens, 0, 1, &chunk.columns, &rejects).ok());
  EXPECT_TRUE(rejects.empty()) << rejects.front().detail;
  chunk.rows = chunk.columns.empty() ? 0 : chunk.columns[0].length;
  return chunk;
}

ColumnSchema Column(std::string name, TypeId type) {
  ColumnSchema c;
  c.name = std::move(name);
  c.type = type;
  return c;
}

// Per row: the text of the first rule it fails, "" when it passes.
std::vector<std::string> Verdicts(const RuleDeclarations& declared, const Chunk& chunk) {
  auto rules = RowRuleSet::Compile(declared, chunk.schema);
  EXPECT_TRUE(rules.ok()) << rules.status().ToString();
  if (!rules.ok()) return {};
  Buffer selection, failed;
  EXPECT_TRUE(rules->CheckRows(chunk.columns, chunk.rows, &selection, &failed).ok());
  std::vector<std::string> out;
  for (int64_t row = 0; row < chunk.rows; ++row) {
    const uint16_t rule = failed.as<uint16_t>()[row];
    out.push_back(rule ? rules->rules()[rule - 1u].text : std::string());
  }
  return out;
}

std::string CompileError(const RuleDeclarations& declared, const std::vector<ColumnSchema>& schema) {
  auto rules = RowRuleSet::Compile(declared, schema);
  EXPECT_FALSE(rules.ok());
  return rules.ok() ? std::string() : rules.status().message();
}

const std::vector<ColumnSchema> kSales = {Column("id", TypeId::kInt64), Column("price", TypeId::kFloat64),
                                          Column("topic", TypeId::kString), Column("day", TypeId::kDate),
                                          Column("at", TypeId::kTimestamp)};

TEST(RowRules, RequireRejectsNullsAndEmptyTextButNotZero) {
  // Row 2 has a null price, row 3 an empty (quoted) topic, row 4 a null topic.
  const Chunk chunk = Parse(
      "1,0,food,2020-01-01,2020-01-01 00:00:00\n"
      "2,,food,2020-01-01,2020-01-01 00:00:00\n"
      "3,1.5,\"\",2020-01-01,2020-01-01 00:00:00\n"
      "4,1.5,,2020-01-01,2020-01-01 00:00:00\n",
      kSales);
  RuleDeclarations declared;
  declared.require = {"price", "topic"};
  EXPECT_EQ(Verdicts(declared, chunk),
            (std::vector<std::string>{"", "require price", "require topic", "require topic"}));
}

TEST(RowRules, RangeBoundsAreInclusiveOpenEndsAndNullsPass) {
  const Chunk chunk = Parse(
      "1,-0.5,a,2019-12-31,2020-01-01 00:00:00\n"
      "2,0,a,2020-01-01,2020-06-30 23:59:59\n"
      "3,10000,a,2020-12-31,2020-07-01 00:00:00\n"
      "4,10000.01,a,2021-01-01,2020-01-01 00:00:00\n"
      "5,,a,,\n",
      kSales);
  RuleDeclarations price;
  price.ranges = {{"price", "0..10000"}};
  EXPECT_EQ(Verdicts(price, chunk),
            (std::vector<std::string>{"range price=0..10000", "", "", "range price=0..10000", ""}));
  RuleDeclarations day;
  day.ranges = {{"day", "2020-01-01..2020-12-31"}};
  EXPECT_EQ(Verdicts(day, chunk), (std::vector<std::string>{"range day=2020-01-01..2020-12-31", "", "",
                                                            "range day=2020-01-01..2020-12-31", ""}));
  RuleDeclarations at;
  at.ranges = {{"at", "..2020-06-30 23:59:59"}};
  EXPECT_EQ(Verdicts(at, chunk),
            (std::vector<std::string>{"", "", "range at=..2020-06-30 23:59:59", "", ""}));
  RuleDeclarations id;
  id.ranges = {{"id", "3.."}};
  EXPECT_EQ(Verdicts(id, chunk), (std::vector<std::string>{"range id=3..", "range id=3..", "", "", ""}));
}

TEST(RowRules, AllowedRejectsOtherValuesAndNullsPass) {
  const Chunk chunk = Parse(
      "1,1,food,2020-01-01,2020-01-01 00:00:00\n"
      "2,1,Food,2020-01-01,2020-01-01 00:00:00\n"
      "3,1,,2020-01-01,2020-01-01 00:00:00\n"
      "4,1,travel,2020-01-01,2020-01-01 00:00:00\n",
      kSales);
  RuleDeclarations declared;
  declared.allowed = {{"topic", {"travel", "food", "fashion"}}, {"id", {"1", "2", "3"}}};
  EXPECT_EQ(Verdicts(declared, chunk),
            (std::vector<std::string>{"", "allowed topic=travel,food,fashion", "", "allowed id=1,2,3"}));
}

TEST(RowRules, DropWhereSpeaksTheQueryLanguage) {
  const Chunk chunk = Parse(
      "1,5,food,2020-01-01,2020-01-01 00:00:00\n"
      "2,-1,food,2020-01-01,2020-01-01 00:00:00\n"
      "3,5,scraper,2020-01-01,2020-01-01 00:00:00\n"
      "4,,food,2020-01-01,2020-01-01 00:00:00\n",
      kSales);
  RuleDeclarations declared;
  declared.drop_where = "topic == 'scraper' or price < 0";
  const std::string rule = "drop-where topic == 'scraper' or price < 0";
  // A null price makes `price < 0` unknown, not true: the row stays.
  EXPECT_EQ(Verdicts(declared, chunk), (std::vector<std::string>{"", rule, rule, ""}));
}

TEST(RowRules, ARowCountsForTheFirstRuleItFails) {
  const Chunk chunk = Parse("1,-1,,2020-01-01,2020-01-01 00:00:00\n", kSales);
  RuleDeclarations declared;
  declared.drop_where = "id == 1";
  declared.allowed = {{"topic", {"food"}}};
  declared.ranges = {{"price", "0.."}};
  declared.require = {"topic"};
  EXPECT_EQ(Verdicts(declared, chunk), (std::vector<std::string>{"require topic"}));
  declared.require.clear();
  EXPECT_EQ(Verdicts(declared, chunk), (std::vector<std::string>{"range price=0.."}));
}

TEST(RowRules, RefusesWhatCannotBeCheckedNamingOptionColumnAndValue) {
  RuleDeclarations unknown;
  unknown.require = {"prise"};
  EXPECT_NE(CompileError(unknown, kSales).find("--require names column 'prise'"), std::string::npos);
  RuleDeclarations text;
  text.ranges = {{"topic", "a..b"}};
  const std::string on_text = CompileError(text, kSales);
  EXPECT_NE(on_text.find("--range topic=a..b"), std::string::npos) << on_text;
  EXPECT_NE(on_text.find("is string"), std::string::npos) << on_text;
  RuleDeclarations bad_date;
  bad_date.ranges = {{"day", "2020-13-01.."}};
  const std::string on_date = CompileError(bad_date, kSales);
  EXPECT_NE(on_date.find("'2020-13-01' is not a date"), std::string::npos) << on_date;
  RuleDeclarations upside_down;
  upside_down.ranges = {{"price", "10..0"}};
  EXPECT_NE(CompileError(upside_down, kSales).find("above the high bound"), std::string::npos);
  RuleDeclarations bad_value;
  bad_value.allowed = {{"id", {"1", "two"}}};
  EXPECT_NE(CompileError(bad_value, kSales).find("'two' is not an int64"), std::string::npos);
  RuleDeclarations bad_predicate;
  bad_predicate.drop_where = "price > 'x'";
  EXPECT_NE(CompileError(bad_predicate, kSales).find("--drop-where"), std::string::npos);
  RuleDeclarations bad_key;
  bad_key.dedupe = {"id", "nope"};
  EXPECT_NE(CompileError(bad_key, kSales).find("--dedupe names column 'nope'"), std::string::npos);
}

// The keys of every row, through the set: which rows are first of their key.
std::vector<bool> FirstOfKey(const std::vector<std::string>& key, const Chunk& chunk) {
  RuleDeclarations declared;
  declared.dedupe = key;
  auto rules = RowRuleSet::Compile(declared, chunk.schema);
  EXPECT_TRUE(rules.ok()) << rules.status().ToString();
  MemoryBudget budget(64 << 20);
  DedupeKeys keys(&budget);
  Buffer failed;
  failed.ResizeZeroed(size_t(chunk.rows) * sizeof(uint16_t));
  rules->AppendKeys(chunk.columns, chunk.rows, failed.as<uint16_t>(), &keys);
  DedupeSet seen(&budget, 1 << 20);
  std::vector<bool> out;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto inserted = seen.Insert(keys.key(i), keys.hashes.as<uint64_t>()[i]);
    EXPECT_TRUE(inserted.ok());
    out.push_back(*inserted);
  }
  return out;
}

TEST(RowRules, DedupeKeysTreatNullsAsEqualAndCompareEveryColumn) {
  const Chunk chunk = Parse(
      "1,0,a,2020-01-01,\n"
      "1,-0,a,2020-01-01,\n"  // -0 is 0
      "1,0,b,2020-01-01,\n"
      ",,,,\n"
      ",,,,\n"
      "2,0,a,2020-01-02,\n",
      kSales);
  EXPECT_EQ(FirstOfKey({"id"}, chunk), (std::vector<bool>{true, false, false, true, false, true}));
  EXPECT_EQ(FirstOfKey({"id", "price", "topic"}, chunk),
            (std::vector<bool>{true, false, true, true, false, true}));
  EXPECT_EQ(FirstOfKey({"day", "at"}, chunk), (std::vector<bool>{true, false, false, true, false, true}));
}

TEST(RowRules, DedupeSkipsRowsThatAnotherRuleRejected) {
  const Chunk chunk = Parse("1,-1,a,2020-01-01,\n1,5,a,2020-01-01,\n", kSales);
  RuleDeclarations declared;
  declared.ranges = {{"price", "0.."}};
  declared.dedupe = {"id"};
  auto rules = RowRuleSet::Compile(declared, chunk.schema);
  ASSERT_TRUE(rules.ok());
  Buffer selection, failed;
  ASSERT_TRUE(rules->CheckRows(chunk.columns, chunk.rows, &selection, &failed).ok());
  DedupeKeys keys(nullptr);
  rules->AppendKeys(chunk.columns, chunk.rows, failed.as<uint16_t>(), &keys);
  // The first row failed the range: its key is not "seen", the second row is the first of id 1.
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys.rows.as<uint32_t>()[0], 1u);
}

}  // namespace
}  // namespace outcore
