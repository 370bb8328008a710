#include "csv/type_inference.h"

#include <gtest/gtest.h>

#include <string>

namespace outcore {
namespace {

// Infers the types of a CSV with a header row.
std::vector<ColumnInference> Infer(const std::string& csv, size_t columns, double min_match = 0.98) {
  TokenizedBlock tokens;
  Tokenize(csv, Dialect{}, &tokens);
  InferenceOptions options;
  options.min_match = min_match;
  return InferColumnTypes(csv, tokens, 1, columns, options);
}

TEST(TypeInference, PicksTheNarrowestTypeThatParsesEverything) {
  auto columns = Infer(
      "b,i,f,d,t,s\n"
      "true,1,1.5,2024-01-01,2024-01-01 10:00:00,x\n"
      "False,-2,2,2024-02-29,2024-01-01T11:00:00.5,y\n",
      6);
  ASSERT_EQ(columns.size(), 6u);
  EXPECT_EQ(columns[0].type, TypeId::kBool);
  EXPECT_EQ(columns[1].type, TypeId::kInt64);
  EXPECT_EQ(columns[2].type, TypeId::kFloat64);  // ints and floats mixed
  EXPECT_EQ(columns[3].type, TypeId::kDate);
  EXPECT_EQ(columns[4].type, TypeId::kTimestamp);
  EXPECT_EQ(columns[5].type, TypeId::kString);
  EXPECT_EQ(columns[1].sampled, 2u);
  EXPECT_EQ(columns[1].mismatches, 0u);
}

TEST(TypeInference, NullsDoNotVoteAndAllNullIsString) {
  auto columns = Infer("a,b\nNA,\n1,NULL\n,None\n3,nan\n", 2);
  EXPECT_EQ(columns[0].type, TypeId::kInt64);
  EXPECT_EQ(columns[0].nulls, 2u);
  EXPECT_EQ(columns[0].sampled, 4u);
  EXPECT_EQ(columns[1].type, TypeId::kString);
  EXPECT_EQ(columns[1].nulls, 4u);
}

TEST(TypeInference, AFewDirtyValuesKeepTheColumnNumeric) {
  std::string csv = "x\n";
  for (int i = 0; i < 995; ++i) csv += std::to_string(i) + "\n";
  for (int i = 0; i < 5; ++i) csv += "oops\n";
  auto columns = Infer(csv, 1);
  EXPECT_EQ(columns[0].type, TypeId::kInt64);
  EXPECT_EQ(columns[0].mismatches, 5u);
  EXPECT_EQ(columns[0].example_mismatch, "oops");
}

TEST(TypeInference, TooManyDirtyValuesMakeItString) {
  std::string csv = "x\n";
  for (int i = 0; i < 90; ++i) csv += std::to_string(i) + "\n";
  for (int i = 0; i < 10; ++i) csv += "oops\n";
  EXPECT_EQ(Infer(csv, 1)[0].type, TypeId::kString);
  EXPECT_EQ(Infer(csv, 1, 0.85)[0].type, TypeId::kInt64);
}

TEST(TypeInference, IntegersPastInt64StayStringsRatherThanLoseDigits) {
  auto columns = Infer("id,x\n12345678901234567890123,1\n98765432109876543210987,1e30\n", 2);
  EXPECT_EQ(columns[0].type, TypeId::kString);
  EXPECT_EQ(columns[1].type, TypeId::kFloat64);  // written as a float: a float it is
}

TEST(TypeInference, MixedDatesAndTimestampsInferTimestamp) {
  auto columns = Infer("t\n2024-01-01\n2024-01-02 03:04:05\n", 1);
  EXPECT_EQ(columns[0].type, TypeId::kTimestamp);
}

TEST(TypeInference, RecordsWithWrongFieldCountDoNotVote) {
  auto columns = Infer("a,b\n1,2\nhello\n3,4,5\n\"x\"y,2\n", 2);
  EXPECT_EQ(columns[0].type, TypeId::kInt64);
  EXPECT_EQ(columns[0].sampled, 1u);
}

// Issue 10, item 12: with --decimal ',' a column of 1,5 values is float64.
TEST(TypeInference, Issue10DecimalCommaInfersFloat) {
  const std::string csv = "a;b\n1,5;1.613\n2;2.003\n-0,25;3.000\n";
  Dialect dialect;
  dialect.delimiter = ';';
  TokenizedBlock tokens;
  Tokenize(csv, dialect, &tokens);
  InferenceOptions options;
  options.dialect = dialect;
  options.spellings.decimal_point = ',';
  auto columns = InferColumnTypes(csv, tokens, 1, 2, options);
  EXPECT_EQ(columns[0].type, TypeId::kFloat64);
  EXPECT_EQ(columns[1].type, TypeId::kString);  // 1.613 is not 1.613 there
  options.spellings.decimal_point = '.';
  columns = InferColumnTypes(csv, tokens, 1, 2, options);
  EXPECT_EQ(columns[0].type, TypeId::kString);
  EXPECT_EQ(columns[1].type, TypeId::kFloat64);
}

// Issue 10, item 7: rows that leave off trailing fields vote with the fields they have.
TEST(TypeInference, Issue10PaddedShortRowsVote) {
  const std::string csv = "v,created,eol\n1.1,1993-08-16\n2.0,1996-06-17\n3.0,1998-07-24,2000-06-30\n";
  TokenizedBlock tokens;
  Tokenize(csv, Dialect{}, &tokens);
  InferenceOptions options;
  options.pad_short_rows = true;
  auto columns = InferColumnTypes(csv, tokens, 1, 3, options);
  EXPECT_EQ(columns[1].type, TypeId::kDate);
  EXPECT_EQ(columns[1].sampled, 3u);
  EXPECT_EQ(columns[2].type, TypeId::kDate);
  EXPECT_EQ(columns[2].nulls, 2u);
  options.pad_short_rows = false;
  columns = InferColumnTypes(csv, tokens, 1, 3, options);
  EXPECT_EQ(columns[1].sampled, 1u);
}

}  // namespace
}  // namespace outcore
