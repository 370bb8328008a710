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

// Issue 10: a type is chosen only if it loses nothing.
std::string Column(const std::string& name, const std::vector<std::string>& values) {
  std::string csv = name + "\n";
  for (const std::string& value : values) csv += value + "\n";
  return csv;
}

std::vector<std::string> Counting(int count, int from = 10000) {
  std::vector<std::string> values;
  for (int i = 0; i < count; ++i) values.push_back(std::to_string(from + i));
  return values;
}

TEST(TypeInference, Issue10OneLeadingZeroIntegerKeepsTheColumnText) {
  std::vector<std::string> zips = Counting(999);
  zips.push_back("\"02134\"");  // quoted or not: quotes say nothing about the type
  auto columns = Infer(Column("zip", zips), 1);
  EXPECT_EQ(columns[0].type, TypeId::kString);
  EXPECT_EQ(columns[0].note, "kept as string: '02134' would lose its leading zero as int64");
  // All of them with leading zeros: the same note. A column of codes needs none.
  EXPECT_EQ(Infer(Column("zip", {"02134", "01001"}), 1)[0].note,
            "kept as string: '02134' would lose its leading zero as int64");
  EXPECT_EQ(Infer(Column("code", {"A12", "B7"}), 1)[0].note, "");
  // "0" itself is a number, as are negative numbers.
  auto plain = Infer(Column("n", {"0", "-5", "17", "0"}), 1);
  EXPECT_EQ(plain[0].type, TypeId::kInt64);
  EXPECT_TRUE(plain[0].note.empty());
}

TEST(TypeInference, Issue10CodesAmongDigitsMakeTheColumnText) {
  for (const std::string code : {"300389460z", "12A", "A-7"}) {
    std::vector<std::string> values = Counting(999, 300000000);
    values.insert(values.begin() + 500, code);
    auto columns = Infer(Column("code", values), 1);
    EXPECT_EQ(columns[0].type, TypeId::kString) << code;
    EXPECT_NE(columns[0].note.find("is a code"), std::string::npos) << columns[0].note;
  }
}

TEST(TypeInference, Issue10WordsAndDecimalCommasStayDirtNotCodes) {
  // The generator's dirt: these rows are rejects, the columns stay numeric.
  std::vector<std::string> quantity = Counting(996, 0);
  for (const std::string word : {"many", "several", "lots", "\"a dozen\""}) quantity.push_back(word);
  auto q = Infer(Column("quantity", quantity), 1);
  EXPECT_EQ(q[0].type, TypeId::kInt64);
  EXPECT_EQ(q[0].mismatches, 4u);
  EXPECT_TRUE(q[0].note.empty());
  std::vector<std::string> price;
  for (int i = 0; i < 999; ++i) price.push_back(std::to_string(i) + ".25");
  price.push_back("\"12,50\"");
  auto p = Infer(Column("price", price), 1);
  EXPECT_EQ(p[0].type, TypeId::kFloat64);
  EXPECT_EQ(p[0].example_mismatch, "12,50");
}

TEST(TypeInference, Issue10DigitsPastFloatPrecisionStayText) {
  // A 16-digit id among decimals would become 9007199254740992 as a double.
  std::vector<std::string> values(999, "1.5");
  values.push_back("9007199254740993");
  auto lost = Infer(Column("x", values), 1);
  EXPECT_EQ(lost[0].type, TypeId::kString);
  EXPECT_EQ(lost[0].note, "kept as string: '9007199254740993' has more digits than float64 keeps");
  // numpy.savetxt's 19 digits are the double's own digits: nothing is lost.
  auto numpy = Infer(Column("x", {"1.000000000000000056e-01", "3.333333333333333148e-01", "2.5"}), 1);
  EXPECT_EQ(numpy[0].type, TypeId::kFloat64);
  // An integer past int64 among integers is kept as text, not rejected.
  std::vector<std::string> ids = Counting(999);
  ids.push_back("123456789012345678901234");
  EXPECT_EQ(Infer(Column("id", ids), 1)[0].type, TypeId::kString);
}

TEST(TypeInference, ResyncedWindowsDropTheirFirstRecordAndOnesAfterAMisalignedRecord) {
  // A window cut mid-file may start inside a quoted field: its first record,
  // and any after a record of the wrong shape, could be misaligned text.
  const std::string window = "12A,1\n1,2\nleft over text\n13B,3\n4,5\n6,7\n";
  TokenizedBlock tokens;
  Tokenize(window, Dialect{}, &tokens);
  TypeInference resynced(2, InferenceOptions{});
  resynced.Add(window, tokens, 0, /*resynced=*/true);
  auto columns = resynced.Finish();
  EXPECT_EQ(columns[0].type, TypeId::kInt64);
  EXPECT_EQ(columns[0].sampled, 3u);  // 1,2 then 4,5 and 6,7
  TypeInference aligned(2, InferenceOptions{});
  aligned.Add(window, tokens, 0, /*resynced=*/false);
  EXPECT_EQ(aligned.Finish()[0].type, TypeId::kString);
}

TEST(TypeInference, SeveralPiecesVoteTogether) {
  const std::string head = "n\n1\n2\n", tail = "x\n3\n12A\n";
  TokenizedBlock head_tokens, tail_tokens;
  Tokenize(head, Dialect{}, &head_tokens);
  Tokenize(tail, Dialect{}, &tail_tokens);
  TypeInference inference(1, InferenceOptions{});
  inference.Add(head, head_tokens, 1, false);
  EXPECT_EQ(inference.Finish()[0].type, TypeId::kInt64);
  inference.Add(tail, tail_tokens, 0, true);
  auto columns = inference.Finish();
  EXPECT_EQ(columns[0].type, TypeId::kString);  // the code in the later piece counts
  EXPECT_EQ(columns[0].sampled, 4u);            // 1, 2; then 3, 12A (the window's "x" does not vote)
}

TEST(CodeEvidence, NamesWhatWouldBeLostAndIgnoresDirt) {
  EXPECT_EQ(CodeEvidence(TypeId::kInt64, "+4930123", ParseOutcome::kLossy),
            "'+4930123' would lose its '+' as int64");
  EXPECT_EQ(CodeEvidence(TypeId::kInt64, "-0", ParseOutcome::kLossy), "'-0' would lose its sign as int64");
  EXPECT_EQ(CodeEvidence(TypeId::kFloat64, "007.5", ParseOutcome::kLossy),
            "'007.5' would lose its leading zero as float64");
  EXPECT_EQ(CodeEvidence(TypeId::kInt64, "99999999999999999999", ParseOutcome::kOutOfRange),
            "'99999999999999999999' has more digits than int64 holds");
  EXPECT_EQ(CodeEvidence(TypeId::kInt64, "many", ParseOutcome::kUnparsable), "");
  EXPECT_EQ(CodeEvidence(TypeId::kFloat64, "12,50", ParseOutcome::kUnparsable), "");
  EXPECT_EQ(
      CodeEvidence(TypeId::kInt64, "1,338", ParseOutcome::kUnparsable),
      "'1,338' has a thousands separator; pass --thousands , to read such values as int64 (or --decimal , "
      "if the comma is the decimal point)");
  ValueSpellings comma;
  comma.decimal_point = ',';
  EXPECT_EQ(CodeEvidence(TypeId::kFloat64, "1.338,5", ParseOutcome::kUnparsable, comma),
            "'1.338,5' has a thousands separator; pass --thousands . to read such values as float64");
  EXPECT_EQ(CodeEvidence(TypeId::kDate, "12A", ParseOutcome::kUnparsable), "");  // only numbers have codes
}

}  // namespace
// Issue 10: "1,338" in a count column is a number with a thousands separator
// (or a decimal comma): no inferred type guesses which, so the column stays
// text, nothing is rejected, and the note names --thousands. With --thousands
// the column is int64; "12,50" (not grouped in threes) is still a dirty value.
TEST(TypeInference, Issue10ThousandsSeparatorsKeepTheColumnTextUnlessDeclared) {
  std::vector<std::string> count = Counting(997, 0);
  count.push_back("\"1,338\"");
  count.push_back("\"62,271\"");
  auto c = Infer(Column("admissions", count), 1);
  EXPECT_EQ(c[0].type, TypeId::kString);
  EXPECT_NE(c[0].note.find("'1,338' has a thousands separator; pass --thousands ,"), std::string::npos)
      << c[0].note;

  const std::string csv = Column("admissions", count);
  TokenizedBlock tokens;
  Tokenize(csv, Dialect{}, &tokens);
  InferenceOptions options;
  options.spellings.thousands = ',';
  auto declared = InferColumnTypes(csv, tokens, 1, 1, options);
  EXPECT_EQ(declared[0].type, TypeId::kInt64);
  EXPECT_EQ(declared[0].mismatches, 0u);

  std::vector<std::string> price;
  for (int i = 0; i < 999; ++i) price.push_back(std::to_string(i) + ".25");
  price.push_back("\"1,250.75\"");
  EXPECT_EQ(Infer(Column("price", price), 1)[0].type, TypeId::kString);
  price.back() = "\"12,50\"";
  EXPECT_EQ(Infer(Column("price", price), 1)[0].type, TypeId::kFloat64);  // a dirty value
}

}  // namespace outcore
