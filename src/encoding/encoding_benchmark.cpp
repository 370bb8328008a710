// Micro-benchmarks of the encoding layer's hot loops: bit-packing per width,
// chunk-local dictionary building, and column encode/decode. Built only with
// -DOUTCORE_BENCH=ON:  ./encoding_benchmark --benchmark_filter=BitUnpack
#include <benchmark/benchmark.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "encoding/bitpack.h"
#include "encoding/column_encoder.h"
#include "encoding/dictionary.h"

namespace outcore {
namespace {

constexpr int64_t kValues = 1 << 16;

std::vector<uint64_t> RandomValues(int width) {
  std::mt19937_64 rng(1);
  uint64_t mask = width == 64 ? ~0ull : (1ull << width) - 1;
  std::vector<uint64_t> values(kValues);
  for (auto& value : values) value = rng() & mask;
  return values;
}

void BM_BitPack(benchmark::State& state) {
  int width = int(state.range(0));
  std::vector<uint64_t> values = RandomValues(width);
  std::vector<uint8_t> packed(BitPackedBytes(kValues, width) + 8);
  for (auto _ : state) {
    BitPack(values.data(), kValues, width, packed.data());
    benchmark::DoNotOptimize(packed.data());
  }
  state.SetItemsProcessed(state.iterations() * kValues);
}
BENCHMARK(BM_BitPack)->Arg(1)->Arg(3)->Arg(8)->Arg(13)->Arg(16)->Arg(32)->Arg(47)->Arg(64);

void BM_BitUnpack(benchmark::State& state) {
  int width = int(state.range(0));
  std::vector<uint64_t> values = RandomValues(width);
  std::vector<uint8_t> packed(BitPackedBytes(kValues, width));
  BitPack(values.data(), kValues, width, packed.data());
  for (auto _ : state) {
    BitUnpack(packed.data(), kValues, width, values.data());
    benchmark::DoNotOptimize(values.data());
  }
  state.SetItemsProcessed(state.iterations() * kValues);
}
BENCHMARK(BM_BitUnpack)->Arg(1)->Arg(3)->Arg(8)->Arg(13)->Arg(16)->Arg(32)->Arg(47)->Arg(64);

ColumnVector StringColumn(int64_t distinct) {
  std::mt19937_64 rng(2);
  ColumnVector column(TypeId::kString, nullptr);
  column.length = kValues;
  int32_t offset = 0;
  column.values.Push(offset);
  for (int64_t row = 0; row < kValues; ++row) {
    std::string value = "category-" + std::to_string(rng() % uint64_t(distinct));
    column.data.Append(value.data(), value.size());
    offset += int32_t(value.size());
    column.values.Push(offset);
  }
  return column;
}

void BM_LocalDictionaryBuild(benchmark::State& state) {
  ColumnVector column = StringColumn(state.range(0));
  LocalDictionaryBuilder builder;
  Buffer codes;
  std::vector<std::string_view> uniques;
  for (auto _ : state) {
    builder.Build(column, &codes, &uniques);
    benchmark::DoNotOptimize(uniques.data());
  }
  state.SetItemsProcessed(state.iterations() * kValues);
}
BENCHMARK(BM_LocalDictionaryBuild)->Arg(16)->Arg(1000)->Arg(60000);

// The encode and decode loops every column below shares: the payload's bytes
// per value as a counter.
void RunEncode(benchmark::State& state, const ColumnVector& column, const EncodeOptions& options = {}) {
  Buffer payload;
  for (auto _ : state) {
    if (!EncodeColumn(column, options, &payload).ok()) state.SkipWithError("encode failed");
    benchmark::DoNotOptimize(payload.data());
  }
  state.SetItemsProcessed(state.iterations() * kValues);
  state.counters["bytes_per_value"] = double(payload.size()) / kValues;
}

void RunDecode(benchmark::State& state, const ColumnVector& column) {
  Buffer payload;
  if (!EncodeColumn(column, {}, &payload).ok()) state.SkipWithError("encode failed");
  ColumnVector out;
  for (auto _ : state) {
    if (!DecodeColumn(column.type, kValues, payload.view(), nullptr, &out).ok()) {
      state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(out.values.data());
  }
  state.SetItemsProcessed(state.iterations() * kValues);
}

// Arg 1: delta allowed (priced), 0: not.
EncodeOptions DeltaArg(const benchmark::State& state) {
  EncodeOptions options;
  options.allow_delta = state.range(0) != 0;
  return options;
}

// kValues rows of a 64-bit column; value(row) gives each.
template <typename T, typename Value>
ColumnVector Column64(TypeId type, Value value) {
  ColumnVector column(type, nullptr);
  column.length = kValues;
  column.values.Resize(8 * kValues);
  for (int64_t row = 0; row < kValues; ++row) column.values.as<T>()[row] = value(row);
  return column;
}

ColumnVector PriceColumn() {
  std::mt19937_64 rng(3);
  return Column64<double>(TypeId::kFloat64, [&](int64_t) { return double(rng() % 100000) / 100.0; });
}

void BM_EncodePrices(benchmark::State& state) { RunEncode(state, PriceColumn()); }
BENCHMARK(BM_EncodePrices);

void BM_DecodePrices(benchmark::State& state) { RunDecode(state, PriceColumn()); }
BENCHMARK(BM_DecodePrices);

ColumnVector TimestampColumn() {
  std::mt19937_64 rng(4);
  // A day of microsecond timestamps: FOR packs them to 37 bits.
  return Column64<int64_t>(TypeId::kTimestamp, [&](int64_t) {
    return 1'700'000'000'000'000 + int64_t(rng() % 86'400'000'000ull);
  });
}

// Out of order: the delta probe says no, so pricing it costs next to nothing.
void BM_EncodeTimestamps(benchmark::State& state) { RunEncode(state, TimestampColumn(), DeltaArg(state)); }
BENCHMARK(BM_EncodeTimestamps)->Arg(0)->Arg(1);

void BM_DecodeTimestamps(benchmark::State& state) { RunDecode(state, TimestampColumn()); }
BENCHMARK(BM_DecodeTimestamps);

// Pickup stamps as a taxi export has them (doc/encodings.md, "delta (12)"):
// whole seconds in time order, one stray in 10,000.
ColumnVector OrderedStampColumn() {
  std::mt19937_64 rng(5);
  int64_t second = 1'546'300'800;
  return Column64<int64_t>(TypeId::kTimestamp, [&](int64_t) {
    second += int64_t(rng() % 4 == 0);
    const int64_t stray = rng() % 10000 == 0 ? int64_t(8) * 365 * 86400 : 0;
    return (second + stray) * 1'000'000;
  });
}

void BM_EncodeOrderedStamps(benchmark::State& state) {
  RunEncode(state, OrderedStampColumn(), DeltaArg(state));
}
BENCHMARK(BM_EncodeOrderedStamps)->Arg(0)->Arg(1);

void BM_DecodeOrderedStamps(benchmark::State& state) { RunDecode(state, OrderedStampColumn()); }
BENCHMARK(BM_DecodeOrderedStamps);

}  // namespace
}  // namespace outcore
