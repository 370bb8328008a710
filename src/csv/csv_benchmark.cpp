// Throughput of the csv hot path on synthetic, typical data: tokenizing, the
// record-boundary scan, and tokenize + parse into typed columns. Built only
// with -DOUTCORE_BENCH=ON:  ./csv_benchmark --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "csv/block_parser.h"
#include "csv/record_boundary.h"
#include "csv/source.h"
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

// Writes the sample compressed to a temp file once; returns its path.
std::string CompressedSample(bool gzip) {
  const std::string& data = SampleBlock();
  std::string compressed;
  if (gzip) {
    z_stream stream{};
    deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    compressed.resize(deflateBound(&stream, uLong(data.size())));
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
    stream.avail_out = uInt(compressed.size());
    deflate(&stream, Z_FINISH);
    compressed.resize(stream.total_out);
    deflateEnd(&stream);
  } else {
    compressed.resize(ZSTD_compressBound(data.size()));
    compressed.resize(ZSTD_compress(compressed.data(), compressed.size(), data.data(), data.size(), 3));
  }
  const std::string path = std::string("/tmp/outcore_csv_benchmark") + (gzip ? ".gz" : ".zst");
  std::ofstream(path, std::ios::binary) << compressed;
  return path;
}

// Decompressed bytes per second through OpenByteSource, 1 MiB reads.
void ReadAll(benchmark::State& state, bool gzip) {
  const std::string path = CompressedSample(gzip);
  std::string buffer(1 << 20, '\0');
  for (auto _ : state) {
    auto source = OpenByteSource(path, nullptr);
    if (!source.ok()) state.SkipWithError("cannot open the sample");
    while (true) {
      auto got = (*source)->Read(buffer.data(), buffer.size());
      if (!got.ok() || *got == 0) break;
    }
  }
  std::remove(path.c_str());
  state.SetBytesProcessed(int64_t(state.iterations() * SampleBlock().size()));
}
void BM_ReadGzip(benchmark::State& state) { ReadAll(state, true); }
void BM_ReadZstd(benchmark::State& state) { ReadAll(state, false); }
BENCHMARK(BM_ReadGzip)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadZstd)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace outcore
