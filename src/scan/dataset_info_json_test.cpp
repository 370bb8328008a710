// DatasetInfoJson: the text `outcore info --json` prints and Dataset.info()
// loads, from a DatasetInfo built by hand.
#include <gtest/gtest.h>

#include <string>

#include "outcore/dataset_info.h"

namespace outcore {
namespace {

DatasetInfo OneFile() {
  DatasetInfo info;
  info.path = "s.oc";
  info.file_bytes = 400;
  info.rows = 16;
  info.chunks = 2;
  info.decoded_bytes = 900;
  info.ingest.rows_read = 17;
  info.ingest.rows_kept = 16;
  info.ingest.rows_rejected = 1;
  info.ingest.rejected_by_reason = {{"rule", 1}};
  info.ingest.input_bytes = 1000;
  info.ingest.sources = {"s.csv"};
  info.ingest.created_by = "outcore 0.1.0";
  info.ingest.rules = {{"range", "range id=0..9", 1}};
  info.columns = {
      {.name = "id",
       .type = TypeId::kInt64,
       .encodings = "for-bitpack",
       .stored_bytes = 40,
       .encoded_bytes = 48,
       .decoded_bytes = 128,
       .distinct = 16,
       .has_range = true,
       .min = "0",
       .max = "9"},
      // Every value null: no range.
      {.name = "note",
       .encodings = "dictionary",
       .dictionary = true,
       .dictionary_complete = true,
       .null_count = 16,
       .min = "",
       .max = ""},
  };
  info.indexes = {{"id", "value", 10, 100, 0.25}};
  return info;
}

TEST(DatasetInfoJson, WritesEveryKeyOfAFileWithNullBoundsWithoutARange) {
  EXPECT_EQ(DatasetInfoJson(OneFile()),
            R"({"path":"s.oc","file_bytes":400,"rows":16,"chunks":2,"decoded_bytes":900,)"
            R"("ingest":{"rows_read":17,"rows_kept":16,"rows_rejected":1,"rejected_by_reason":{"rule":1},)"
            R"("input_bytes":1000,"sources":["s.csv"],"created_by":"outcore 0.1.0",)"
            R"("rules":[{"kind":"range","rule":"range id=0..9","rows_rejected":1}]},)"
            R"("columns":[{"name":"id","type":"int64","encoding":"for-bitpack","dictionary":false,)"
            R"("dictionary_complete":false,"dictionary_entries":0,"stored_bytes":40,"encoded_bytes":48,)"
            R"("decoded_bytes":128,"null_count":0,"distinct":16,"distinct_exact":false,"min":"0","max":"9"},)"
            R"({"name":"note","type":"string","encoding":"dictionary","dictionary":true,)"
            R"("dictionary_complete":true,"dictionary_entries":0,"stored_bytes":0,"encoded_bytes":0,)"
            R"("decoded_bytes":0,"null_count":16,"distinct":0,"distinct_exact":true,"min":null,"max":null}],)"
            R"("indexes":[{"column":"id","kind":"value","keys":10,"stored_bytes":100,"share_of_file":0.25}],)"
            R"("lossy":[]})");
}

TEST(DatasetInfoJson, AFileHasNoPartsKeyAndAFolderAlwaysHasOne) {
  DatasetInfo info = OneFile();
  EXPECT_EQ(DatasetInfoJson(info).find("\"parts\""), std::string::npos);
  info.is_part_set = true;  // a folder whose manifest names no part yet
  EXPECT_NE(DatasetInfoJson(info).find(R"("decoded_bytes":900,"parts":[],"ingest":)"), std::string::npos);
  info.parts = {{"/d/part-00000.oc", 10, 1, 250}, {"/d/part-00001.oc", 6, 1, 150}};
  EXPECT_NE(
      DatasetInfoJson(info).find(R"("parts":[{"path":"/d/part-00000.oc","rows":10,"chunks":1,"bytes":250},)"
                                 R"({"path":"/d/part-00001.oc","rows":6,"chunks":1,"bytes":150}],)"),
      std::string::npos);
}

TEST(DatasetInfoJson, EscapesNamesAndBoundsAndKeepsLossyErrors) {
  DatasetInfo info = OneFile();
  info.columns[0].name = "say \"id\"";
  info.columns[0].type = TypeId::kString;
  info.columns[0].max = "caf\xC3";  // a bound cut inside a character
  LossyColumnReport lossy;
  lossy.column = "score";
  lossy.form = "float16";
  lossy.max_abs_error = 0.5;
  lossy.stored_bytes = 10;
  lossy.exact_bytes = 40;
  info.lossy = {lossy};
  const std::string json = DatasetInfoJson(info);
  EXPECT_NE(json.find(R"({"name":"say \"id\"","type":"string",)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("min":"0","max":"caf\\xc3"})"), std::string::npos) << json;
  EXPECT_NE(
      json.find(R"("lossy":[{"column":"score","form":"float16","max_abs_error":0.5,"max_rel_error":0.0,)"
                R"("stored_bytes":10,"exact_bytes":40,"bytes_saved":30,"chunks_lossy":0,)"
                R"("chunks_exact_unrepresentable":0,"chunks_exact_not_smaller":0,)"
                R"("unrepresentable_example":""}]})"),
      std::string::npos)
      << json;
}

}  // namespace
}  // namespace outcore
