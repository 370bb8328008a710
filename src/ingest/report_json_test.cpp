// IngestReportJson and IndexReportsJson: `outcore ingest --json` and the
// dicts oc.ingest() and oc.index() return, from reports built by hand.
#include "ingest/report_json.h"

#include <gtest/gtest.h>

#include <string>

namespace outcore {
namespace {

IngestReport SmallReport() {
  IngestReport r;
  r.rows_read = 3;
  r.rows_kept = 2;
  r.rows_rejected = 1;
  r.rejected_by_reason = {{"field_count", 1}};
  IngestRejectGroup group;  // a reason of the whole row: no column
  group.reason = "field_count";
  group.count = 1;
  group.first_line = 3;
  group.example = "2,oops,\xFF";
  r.rejects_by_column = {group};
  r.input_bytes = 300;
  r.output_bytes = 100;
  r.seconds = 0.5;
  r.threads = 2;
  r.memory_plan.threads = 2;
  r.memory_plan.bytes_per_field = 4.5;
  r.delimiter = ';';
  r.encoding = "utf-8";
  r.line_ending = "LF";
  r.thousands = ',';
  r.columns.push_back({"id", TypeId::kInt64, true, "for-bitpack", 40, 0, 0, "", ""});
  r.indexes.push_back({"id", "value", false, 0, 0, "did not fit"});
  return r;
}

std::string Members(const IngestReport& r) {
  JsonWriter j;
  j.BeginObject();
  WriteIngestReportMembers(&j, r);
  j.EndObject();
  return j.str();
}

TEST(IngestReportJson, KeysNestingAndNulls) {
  const std::string json = IngestReportJson(SmallReport());
  EXPECT_EQ(
      json.rfind(R"({"rows_read":3,"rows_kept":2,"rows_rejected":1,"rejected_by_reason":{"field_count":1},)",
                 0),
      0u)
      << json;
  EXPECT_NE(json.find(R"("rejects_by_column":[{"column":null,"reason":"field_count","rows":1,"first_line":3,)"
                      R"("example":"2,oops,\\xff"}],"warning":null,"rules":[],"dedupe_keys":0,)"),
            std::string::npos)
      << json;
  // The derived figures, as floats.
  EXPECT_NE(json.find(R"("ratio":3.0,"seconds":0.5,"mb_per_s":0.0006,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("memory_plan":{"memory_limit":0,)"), std::string::npos) << json;
  EXPECT_NE(
      json.find(R"("threads":2,"columns":0,"bytes_per_field":4.5},"chunks":0,"source":"csv",)"
                R"("delimiter":";","encoding":"utf-8","line_ending":"LF","escape":"","thousands":",",)"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("columns":[{"name":"id","type":"int64","inferred":true,"encodings":"for-bitpack",)"
                      R"("stored_bytes":40,"null_count":0,"sample_mismatches":0,"type_note":""}],)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("indexes":[{"column":"id","kind":"value","built":false,"keys":0,"stored_bytes":0,)"
                      R"("note":"did not fit"}],"lossy":[]})"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("\"parts\""), std::string::npos) << json;
  // The members alone are the same text, for a caller that adds its context.
  EXPECT_EQ(Members(SmallReport()), json);
}

TEST(IngestReportJson, AWarningAndAColumnAreText) {
  IngestReport r = SmallReport();
  r.reject_warning = "1 row of 3 (33.3%) were rejected\n";
  r.rejects_by_column[0].column = "price";
  const std::string json = IngestReportJson(r);
  EXPECT_NE(json.find(R"("warning":"1 row of 3 (33.3%) were rejected\n")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"({"column":"price","reason")"), std::string::npos) << json;
}

TEST(IngestReportJson, PartsAddTheirLinesAfterTheTotal) {
  PartsIngestReport parts;
  parts.total = SmallReport();
  parts.parts_before = 2;
  parts.parts.push_back({"a.csv", "part-00002.oc", "rejects.part-00002.csv", 3, 2, 1, 100});
  parts.parts.push_back({"empty.csv", "", "", 0, 0, 0, 0});
  const std::string json = IngestReportJson(parts);
  const std::string total = IngestReportJson(parts.total);
  ASSERT_EQ(json.compare(0, total.size() - 1, total, 0, total.size() - 1), 0) << json;  // all but its '}'
  EXPECT_EQ(
      json.substr(total.size() - 1),
      R"(,"parts_before":2,"parts":[{"input":"a.csv","part":"part-00002.oc","rows_read":3,"rows_kept":2,)"
      R"("rows_rejected":1,"output_bytes":100,"reject_file":"rejects.part-00002.csv"},)"
      R"({"input":"empty.csv","part":"","rows_read":0,"rows_kept":0,"rows_rejected":0,"output_bytes":0,)"
      R"("reject_file":null}]})");
}

TEST(IndexReportsJson, AnArrayOfOneObjectPerIndex) {
  EXPECT_EQ(IndexReportsJson({}), "[]");
  EXPECT_EQ(
      IndexReportsJson({{"topic", "value", true, 12, 345, ""}, {"text", "token", false, 0, 0, "too big"}}),
      R"([{"column":"topic","kind":"value","built":true,"keys":12,"stored_bytes":345,"note":""},)"
      R"({"column":"text","kind":"token","built":false,"keys":0,"stored_bytes":0,"note":"too big"}])");
}

}  // namespace
}  // namespace outcore
