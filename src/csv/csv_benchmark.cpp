// Throughput of the csv hot path on synthetic, typical data: tokenizing, the
// record-boundary scan, and tokenize + parse into typed columns. Built only
// with -DOUTCORE_BENCH=ON:  ./csv_benchmark --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "csv/block_parser.h"
#include "csv/record_boundary.h"
#include "csv/tokenizer.h"

namespace outcore {
namespace {

constexpr size_t kBlockBytes = 8 << 20;

// ~8 MiB of rows like `outcore gen` writes: ids, prices, dates, timestamps,
// categories, free text with the occasional quoted comma, booleans.
const std::string& SampleBlock() {
  static const std::string block = [] {
    std::mt19937_64 rng(42);
    const char* topics[] = {"food", "travel", "sports", "science", "music", "politics"};
    std::string text;
    for (uint64_t id = 0; text.size() < kBlockBytes; ++id) {
      text += std::to_string(id);
      text += ',';
      text += std::to_string(double(rng() % 1000000) / 100);
      text += ",2024-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10);
      text += ",2024-03-0" + std::to_string(1 + rng() % 9) + " 1" + std::to_string(rng() % 10) + ":3" +
              std::to_string(rng() % 10) + ":00";
      text += ',';
      text += topics[rng() % 6];
      text += rng() % 10 == 0 ? ",\"quoted, with comma\"" : ",plain words here";
      text += rng() % 2 ? ",true\n" : ",false\n";
    }
    return text;
  }();
  return block;
}

// The same rows with every field quoted, as some exporters write them.
const std::string& QuotedBlock() {
  static const std::string block = [] {
    std::string text = "\"";
    for (char c : SampleBlock()) {
      if (c == '"') continue;  // drop the sample's own quotes, then quote everything
      if (c == ',') {
        text += "\",\"";
      } else if (c == '\n') {
        text += "\"\n\"";
      } else {
        text += c;
      }
    }
    text.pop_back();
    return text;
  }();
  return block;
}

const std::vector<TypeId> kSchema = {TypeId::kInt64,  TypeId::kFloat64, TypeId::kDate, TypeId::kTimestamp,
                                     TypeId::kString, TypeId::kString,  TypeId::kBool};

void BM_Tokenize(benchmark::State& state) {
  const std::string& block = SampleBlock();
  TokenizedBlock tokens;
  for (auto _ : state) {
    Tokenize(block, Dialect{}, &tokens);
    benchmark::DoNotOptimize(tokens.num_records());
  }
  state.SetBytesProcessed(int64_t(state.iterations() * block.size()));
}
BENCHMARK(BM_Tokenize)->Unit(benchmark::kMillisecond);

void BM_TokenizeAllQuoted(benchmark::State& state) {
  const std::string& block = QuotedBlock();
  TokenizedBlock tokens;
  for (auto _ : state) {
    Tokenize(block, Dialect{}, &tokens);
    benchmark::DoNotOptimize(tokens.num_records());
  }
  state.SetBytesProcessed(int64_t(state.iterations() * block.size()));
}
BENCHMARK(BM_TokenizeAllQuoted)->Unit(benchmark::kMillisecond);

void BM_FindLastRecordEnd(benchmark::State& state) {
  const std::string& block = SampleBlock();
  for (auto _ : state) benchmark::DoNotOptimize(FindLastRecordEnd(block, Dialect{}));
  state.SetBytesProcessed(int64_t(state.iterations() * block.size()));
}
BENCHMARK(BM_FindLastRecordEnd)->Unit(benchmark::kMillisecond);

void BM_TokenizeAndParse(benchmark::State& state) {
  const std::string& block = SampleBlock();
  TokenizedBlock tokens;
  BlockParser parser(kSchema, ParseOptions{}, nullptr);
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  for (auto _ : state) {
    for (size_t i = 0; i < columns.size(); ++i) columns[i].Reset(kSchema[i]);
    rejects.clear();
    Tokenize(block, Dialect{}, &tokens);
    Status status = parser.Parse(block, tokens, 0, 1, &columns, &rejects);
    if (!status.ok() || !rejects.empty()) state.SkipWithError("unexpected rejects");
  }
  state.SetBytesProcessed(int64_t(state.iterations() * block.size()));
}
BENCHMARK(BM_TokenizeAndParse)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace outcore
