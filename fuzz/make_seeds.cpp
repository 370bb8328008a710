// Writes the seed corpus of every harness in this folder, made by our own
// code at build time (no third-party data): small CSV blocks, field values,
// predicates, and small .oc files that ingest writes from small CSVs — with
// several chunks, each codec, dictionaries, value and token indexes, nulls
// and rejects.
//
//   make_seeds OUT_DIR    # OUT_DIR/{csv_block,value_parser,predicate,oc_reader}/
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "outcore/ingest.h"

namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "make_seeds: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

// Seeds are numbered in the order given, so a rebuild writes the same files.
void WriteSeeds(const fs::path& dir, const std::vector<std::string>& seeds) {
  fs::create_directories(dir);
  for (size_t seed = 0; seed < seeds.size(); ++seed) {
    WriteFile(dir / ("seed_" + std::to_string(seed)), seeds[seed]);
  }
}

// csv_block_fuzzer's input: dialect byte, column count, types, block.
std::string CsvSeed(uint8_t dialect_bits, std::string_view types, std::string_view block) {
  std::string seed;
  seed += char(dialect_bits);
  seed += char(types.size() - 1);
  for (char type : types) seed += char(type - '0');  // TypeId digits: 1 bool .. 6 timestamp
  seed += block;
  return seed;
}

constexpr uint8_t kComma = 0, kSemicolon = 1, kTab = 2, kPipe = 3;
constexpr uint8_t kSingleQuote = 4, kValidateUtf8 = 8, kHeader = 16, kEscape = 32;

std::vector<std::string> CsvSeeds() {
  return {
      CsvSeed(kComma | kValidateUtf8 | kHeader, "2434",
              "id,topic,price,day\n1,food,2.5,2024-01-01\n2,\"drink, cold\",,2024-02-29\n3,NA,1e3,\n"),
      CsvSeed(kComma | kValidateUtf8, "46",
              "\"a \"\"quoted\"\" word\",2024-01-01 10:00:00.25Z\r\nx,1970-01-01\r\n"),
      CsvSeed(kSemicolon | kHeader, "123", "b;i;f\ntrue;-9223372036854775808;-inf\nFALSE;42;nan\n;;\n"),
      CsvSeed(kTab | kValidateUtf8 | kHeader, "44", "name\tnote\ncaf\xc3\xa9\t\"line\nbreak\"\nbad\xff\tx\n"),
      CsvSeed(kPipe | kSingleQuote | kHeader, "24", "n|s\n1|'it''s'\n2|'open\n"),
      CsvSeed(kComma | kHeader, "22", "a,b\n1,2,3\n4\n\n5,\"6\"x\n7,8"),
      CsvSeed(kComma | kValidateUtf8 | kHeader, "5666",
              "d,t1,t2,t3\n2023-02-29,2024-01-01T24:00:00,2024-01-01 10:00:00+02:00,0001-01-01\n"),
      // --escape '\': escaped quotes, delimiters and newlines, in quotes and out,
      // and a final escape with nothing after it.
      CsvSeed(kSemicolon | kEscape | kHeader, "52",
              "name;year\n\"\\\"Hacksaw\\\" Jim\";1987\na\\;b;1\n\"multi\\\nline\";2\nend\\"),
      CsvSeed(kComma | kEscape, "42", "\\\\,\"x\\\"\"\"y\"\r\nx\\\r\n,\\"),
  };
}

// value_parser_fuzzer's input: selector byte (0 int64, 1 float64, 2 bool,
// 3 date, 4 timestamp), then the text.
std::vector<std::string> ValueSeeds() {
  const std::vector<std::pair<char, std::string>> values = {
      {0, "-42"},
      {0, " 9223372036854775807 "},
      {0, "+0"},
      {1, "2.5e-3"},
      {1, "-inf"},
      {1, "NaN"},
      {1, "1.7976931348623157e308"},
      {1, "4.9e-324"},
      {2, "true"},
      {2, "FALSE"},
      {3, "1970-01-02"},
      {3, "2000-02-29"},
      {3, "9999-12-31"},
      {4, "1970-01-01T00:00:01.5Z"},
      {4, "2024-03-01 12:00:00+02:00"},
      {4, "0001-01-01 00:00:00.000001"},
      {4, "2024-01-31"},
      {5, "-12,345,678"},
      {5, " 1,234 "},
      {6, "1.338,25"},
      {6, "-1.000.000,5e3"},
  };
  std::vector<std::string> seeds;
  for (const auto& [selector, text] : values) seeds.push_back(std::string(1, selector) + text);
  return seeds;
}

// predicate_fuzzer's input: a predicate on columns b i f s d t (one per type).
std::vector<std::string> PredicateSeeds() {
  return {
      "s == 'food'",
      "s == 'food' and f > 100",
      "f between 10 and 20.5 or not (i >= 4)",
      "s in ('food', 'drink') and d >= '2024-01-01'",
      "t < '2024-03-01 12:00:00'",
      "s contains 'ice cream'",
      "s is null or s == ''",
      "\"s\" != 'O''Brien'",
      "b == true and i not in (1, 2, -3)",
      "not not (d not between '2000-01-01' and '2000-12-31') or t is not null",
      "f < 2.5e-3 or f == 1 or i > -9223372036854775808",
  };
}

// oc_reader_fuzzer's input: .oc files that ingest writes.
struct OcSeed {
  std::string csv;
  std::string compression;
  std::vector<std::string> index_columns;
  std::vector<std::string> token_index_columns;
};

// Just over one 1 KiB block (ingest's smallest) of rows, so two chunks; the
// row with id "x" is rejected (id is declared int64).
std::string MixedCsv() {
  std::string csv = "id,topic,price,day,ts,ok,note\n";
  for (int round = 0; round < 4; ++round) {
    const std::string base = std::to_string(round * 10);
    csv += base + "1,food,2.5,2024-01-01,2024-01-01 10:00:00,true,ice cream\n";
    csv += base + "2,drink,,2024-02-29,2024-01-02 11:30:00.5,false,\n";
    csv += base + "3,food,-1e3,2024-03-01,,true,hot tea\n";
    csv += base + "4,NA,7,,2024-01-04 00:00:00,,cold ice\n";
    csv += "x,toy,8,2024-03-02,2024-01-05 00:00:00,true,bad id\n";
    csv += base + "6,drink,9.25,2024-03-03,2024-01-06 00:00:00,false,cream\n";
  }
  return csv;
}

// Rows in time order, a second or two apart, with stray stamps years away
// and gaps of nulls: the pickup and trip columns are delta (12) with
// exceptions, the day column too.
std::string OrderedCsv() {
  std::string csv = "trip,pickup,day\n";
  for (int row = 0; row < 120; ++row) {
    const int second = row + row / 3;
    const int year = row == 40 ? 2031 : row == 90 ? 2009 : 2024;
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%04d-01-02 %02d:%02d:%02d", year, second / 3600, second / 60 % 60,
                  second % 60);
    csv += std::to_string(1000 + 2 * row) + "," + (row % 17 == 5 ? "" : stamp) + ",2024-03-" +
           std::to_string(10 + row / 10) + "\n";
  }
  return csv;
}

std::vector<OcSeed> OcSeeds() {
  const std::string mixed = MixedCsv();
  return {
      {mixed, "zstd", {"topic", "id"}, {"note"}},
      {mixed, "lz4", {"day", "price"}, {}},
      {mixed, "none", {"ok", "ts"}, {"topic"}},
      {"a,b\n1,x\n2,y\n3,z\n4,x\n", "zstd", {}, {}},
      {OrderedCsv(), "none", {}, {}},
  };
}

void WriteOcSeeds(const fs::path& dir, const fs::path& work) {
  fs::create_directories(dir);
  fs::create_directories(work);
  const std::vector<OcSeed> seeds = OcSeeds();
  for (size_t seed = 0; seed < seeds.size(); ++seed) {
    const fs::path csv = work / ("seed_" + std::to_string(seed) + ".csv");
    WriteFile(csv, seeds[seed].csv);
    outcore::IngestOptions options;
    options.inputs = {csv.string()};
    options.output = (dir / ("seed_" + std::to_string(seed))).string();
    options.compression = seeds[seed].compression;
    options.block_bytes = 1024;  // the smallest block: two chunks from the mixed rows
    if (seeds[seed].csv.starts_with("id,")) options.schema = {{"id", outcore::TypeId::kInt64}};
    options.threads = 1;
    options.memory_limit = 256 << 20;
    options.index_columns = seeds[seed].index_columns;
    options.token_index_columns = seeds[seed].token_index_columns;
    auto report = outcore::Ingest(options);
    if (!report.ok()) {
      std::fprintf(stderr, "make_seeds: ingest of %s failed: %s\n", csv.c_str(),
                   report.status().ToString().c_str());
      std::exit(1);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds OUT_DIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  WriteSeeds(out / "csv_block", CsvSeeds());
  WriteSeeds(out / "value_parser", ValueSeeds());
  WriteSeeds(out / "predicate", PredicateSeeds());
  WriteOcSeeds(out / "oc_reader", out / "work");
  return 0;
}
