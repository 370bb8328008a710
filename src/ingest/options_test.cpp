// The option parsers `outcore ingest`, `outcore cat` and the Python package
// share (include/outcore/options.h).
#include "outcore/options.h"

#include <gtest/gtest.h>

#include "encoding/compression.h"
#include "outcore/ingest.h"

namespace outcore {
namespace {

// Rewrites (normalize) of a file whose footer records no level compress at
// encoding's default, which must be the level ingest wrote it with.
TEST(IngestOptions, DefaultCompressionLevelIsEncodingsDefault) {
  EXPECT_EQ(IngestOptions().compression_level, kDefaultCompressionLevel);
}

TEST(ParseDelimiter, OneCharacterOrTab) {
  EXPECT_EQ(*ParseDelimiter(",", "--delimiter"), ',');
  EXPECT_EQ(*ParseDelimiter(";", "--delimiter"), ';');
  EXPECT_EQ(*ParseDelimiter("tab", "--delimiter"), '\t');
  EXPECT_EQ(*ParseDelimiter("\\t", "--delimiter"), '\t');
  EXPECT_EQ(*ParseDelimiter("\t", "--delimiter"), '\t');
}

// Issue 10, item 12: space-aligned columns are a delimiter the user can name.
TEST(ParseIngestDelimiter, OneCharacterOrSpaceAlignedColumns) {
  IngestOptions options;
  ASSERT_TRUE(ParseIngestDelimiter("2spaces", "--delimiter", &options).ok());
  EXPECT_EQ(options.space_aligned, 2);
  EXPECT_FALSE(options.delimiter.has_value());
  EXPECT_EQ(IngestDelimiterName(' ', options.space_aligned), "2spaces");
  ASSERT_TRUE(ParseIngestDelimiter("spaces", "--delimiter", &options).ok());
  EXPECT_EQ(options.space_aligned, 1);
  EXPECT_EQ(IngestDelimiterName(' ', options.space_aligned), "spaces");
  ASSERT_TRUE(ParseIngestDelimiter("tab", "--delimiter", &options).ok());
  EXPECT_EQ(options.space_aligned, 0);
  EXPECT_EQ(options.delimiter, '\t');
  EXPECT_EQ(IngestDelimiterName('\t', 0), "\t");
  Status bad = ParseIngestDelimiter("3spaces", "delimiter", &options);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "delimiter takes one character, 'tab', 'spaces' or '2spaces', not '3spaces'");
}

TEST(ParseOneChar, RefusesLongerTextAndLineBreaks) {
  EXPECT_EQ(*ParseOneChar("#", "--comment"), '#');
  for (const char* text : {"", "//", "\n", "\r"}) {
    auto parsed = ParseOneChar(text, "--comment");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.status().message().find("--comment takes one character"), std::string::npos);
  }
}

// `cat --delimiter ab` once wrote with 'a' while `ingest --delimiter ab` refused it.
TEST(ParseDelimiter, LongerTextIsAnErrorNotItsFirstCharacter) {
  for (const char* text : {"ab", ";;", "", "tabs"}) {
    auto delimiter = ParseDelimiter(text, "--delimiter");
    ASSERT_FALSE(delimiter.ok()) << text;
    EXPECT_EQ(delimiter.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(delimiter.status().message(),
              "--delimiter takes one character (or 'tab'), not '" + std::string(text) + "'");
  }
  EXPECT_EQ(ParseDelimiter("ab", "delimiter").status().message(),
            "delimiter takes one character (or 'tab'), not 'ab'");
}

TEST(ParseOnError, RejectOrFail) {
  EXPECT_EQ(*ParseOnError("reject", "--on-error"), OnError::kReject);
  EXPECT_EQ(*ParseOnError("fail", "--on-error"), OnError::kFail);
  auto bad = ParseOnError("skip", "on_error");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "on_error is 'reject' or 'fail', not 'skip'");
}

TEST(ParseRejectLimit, ACountOrAShareOfTheRowsRead) {
  auto count = ParseRejectLimit("1000", "--max-rejects");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->kind, RejectLimit::Kind::kCount);
  EXPECT_EQ(count->count, 1000u);
  EXPECT_EQ(ParseRejectLimit("0", "--max-rejects")->count, 0u);
  auto share = ParseRejectLimit("0.5%", "--max-rejects");
  ASSERT_TRUE(share.ok()) << share.status().ToString();
  EXPECT_EQ(share->kind, RejectLimit::Kind::kShare);
  EXPECT_DOUBLE_EQ(share->percent, 0.5);
  EXPECT_DOUBLE_EQ(ParseRejectLimit("100%", "x")->percent, 100.0);
  for (const char* bad : {"", "%", "-1", "+5", "1.5", "101%", "5 %", "1k", "-0%", "abc%"}) {
    auto parsed = ParseRejectLimit(bad, "max_rejects");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message(),
              "max_rejects is a number of rows (e.g. 1000) or a share of the rows read from 0% to 100% "
              "(e.g. 1%), not '" +
                  std::string(bad) + "'");
  }
}

TEST(ParseSchema, NameTypePairsSplitAtTheLastColon) {
  auto schema = ParseSchema("id:int64,zip:STRING,a:b:float", "--schema");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  ASSERT_EQ(schema->size(), 3u);
  EXPECT_EQ((*schema)[0], (std::pair<std::string, TypeId>("id", TypeId::kInt64)));
  EXPECT_EQ((*schema)[1], (std::pair<std::string, TypeId>("zip", TypeId::kString)));
  EXPECT_EQ((*schema)[2], (std::pair<std::string, TypeId>("a:b", TypeId::kFloat64)));
}

TEST(ParseSchema, MissingColonOrUnknownTypeNamesTheItem) {
  for (const char* text : {"id", ":int64", "id:int64,,"}) {
    auto schema = ParseSchema(text, "--schema");
    ASSERT_FALSE(schema.ok()) << text;
    EXPECT_NE(schema.status().message().find("--schema wants name:type pairs"), std::string::npos);
  }
  auto unknown = ParseSchema("id:integer64", "--schema");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "--schema: unknown type 'integer64' for column 'id'; use bool, int64, float64, string, date or "
            "timestamp");
  EXPECT_EQ(ParseColumnType("price", "double", "schema").value(), TypeId::kFloat64);
  EXPECT_FALSE(ParseColumnType("price", "money", "schema").ok());
}

TEST(ParseLossyForms, CanonicalEqualsAndTheColonSpellingMeanTheSame) {
  auto forms = ParseLossyForms("score=float32,price:float16,qty:quantize:0.5,a=b=quantize:1e-3", "--lossy");
  ASSERT_TRUE(forms.ok()) << forms.status().ToString();
  ASSERT_EQ(forms->size(), 4u);
  EXPECT_EQ((*forms)[0].column, "score");
  EXPECT_EQ((*forms)[0].form.kind, LossyKind::kFloat32);
  EXPECT_EQ((*forms)[1].column, "price");
  EXPECT_EQ((*forms)[1].form.kind, LossyKind::kFloat16);
  EXPECT_EQ((*forms)[2].column, "qty");
  EXPECT_EQ((*forms)[2].form.kind, LossyKind::kQuantize);
  EXPECT_EQ((*forms)[2].form.step, 0.5);
  EXPECT_EQ((*forms)[3].column, "a=b");  // the last '=' splits
  EXPECT_EQ(LossyFormName((*forms)[3].form), "quantize:0.001");
}

TEST(ParseLossyForms, BadItemsNameTheOptionAndTheValue) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {Case{"score=float8", "--lossy score=float8: unknown lossy form 'float8'"},
                        Case{"q=quantize:0", "--lossy q=quantize:0: the quantize step must be a positive"},
                        Case{"q=quantize:-1", "--lossy q=quantize:-1: the quantize step must be a positive"},
                        Case{"q=quantize:abc", "--lossy q=quantize:abc: the quantize"},
                        Case{"q=quantize:", "--lossy q=quantize:: the quantize"},
                        Case{"score", "--lossy 'score': expected column=form"},
                        Case{"=float32", "--lossy '=float32': expected column=form"},
                        Case{"a=float32,a=float16", "--lossy names column 'a' twice"}}) {
    auto forms = ParseLossyForms(c.text, "--lossy");
    ASSERT_FALSE(forms.ok()) << c.text;
    EXPECT_EQ(forms.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(forms.status().message().find(c.message), std::string::npos) << forms.status().message();
  }
}

TEST(SplitList, CommasOnly) {
  EXPECT_EQ(SplitList("a,b,,c"), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(SplitList(""), (std::vector<std::string>{""}));
}

// Issue 10: a --thousands separator that is also the decimal point, or a
// character that is part of a number, is refused with what to pass instead.
TEST(ValidateThousands, RefusesTheDecimalPointAndNumberCharacters) {
  EXPECT_TRUE(ValidateThousands('\0', '.').ok());
  EXPECT_TRUE(ValidateThousands(',', '.').ok());
  EXPECT_TRUE(ValidateThousands('.', ',').ok());
  EXPECT_TRUE(ValidateThousands(' ', '.').ok());
  EXPECT_TRUE(ValidateThousands('\'', '.').ok());  // Swiss 1'338
  const Status same = ValidateThousands(',', ',');
  EXPECT_FALSE(same.ok());
  EXPECT_NE(same.message().find("is also the decimal point"), std::string::npos) << same.message();
  EXPECT_FALSE(ValidateThousands('.', '.').ok());
  for (char c : {'0', '7', '-', '+', 'e', 'E', '\n', '\r'}) {
    const Status bad = ValidateThousands(c, '.');
    EXPECT_FALSE(bad.ok()) << c;
    EXPECT_NE(bad.message().find("it is part of a number"), std::string::npos) << bad.message();
  }
}

}  // namespace
}  // namespace outcore
