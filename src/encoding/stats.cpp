#include "encoding/stats.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace outcore {
namespace {

// Largest rank a register can hold: the 64 - p hash bits all zero, plus one.
constexpr uint8_t kMaxRank = 64 - DistinctCounter::kPrecision + 1;

// Widens [*min, *max] to hold value; the first value sets both.
template <typename T>
void Widen(T value, bool* has_min_max, T* min, T* max) {
  if (!*has_min_max) {
    *min = *max = value;
    *has_min_max = true;
  } else {
    *min = std::min(*min, value);
    *max = std::max(*max, value);
  }
}

template <typename T>
void IntRange(const ColumnVector& column, const T* values, ColumnStats* stats) {
  for (int64_t row = 0; row < column.length; ++row) {
    if (!column.IsValid(row)) continue;
    Widen(int64_t(values[row]), &stats->has_min_max, &stats->min_int, &stats->max_int);
  }
}

void FloatRange(const ColumnVector& column, ColumnStats* stats) {
  const double* values = column.values.as<double>();
  for (int64_t row = 0; row < column.length; ++row) {
    if (!column.IsValid(row)) continue;
    double value = values[row];
    if (std::isnan(value)) {
      ++stats->nan_count;
      continue;
    }
    Widen(value, &stats->has_min_max, &stats->min_float, &stats->max_float);
  }
}

void StringRange(const ColumnVector& column, ColumnStats* stats) {
  std::string_view min_value, max_value;
  const int32_t* codes = column.is_dictionary() ? column.values.as<int32_t>() : nullptr;
  int32_t last_code = -1;
  for (int64_t row = 0; row < column.length; ++row) {
    if (!column.IsValid(row)) continue;
    // Dictionary chunks repeat codes; skip the string compare for a repeat.
    if (codes) {
      if (codes[row] == last_code) continue;
      last_code = codes[row];
    }
    std::string_view value = column.GetString(row);
    if (!stats->has_min_max) {
      min_value = max_value = value;
      stats->has_min_max = true;
    } else if (value < min_value) {
      min_value = value;
    } else if (value > max_value) {
      max_value = value;
    }
  }
  if (!stats->has_min_max) return;
  stats->min_string.assign(min_value.substr(0, kStatsStringBytes));
  if (max_value.size() <= kStatsStringBytes) {
    stats->max_string.assign(max_value);
    return;
  }
  // Cut, then bump: drop trailing 0xFF bytes and increment the last byte, so
  // the result is greater than every string that starts with the cut.
  std::string bound(max_value.substr(0, kStatsStringBytes));
  while (!bound.empty() && uint8_t(bound.back()) == 0xFF) bound.pop_back();
  if (bound.empty()) {
    stats->max_string.assign(max_value.substr(0, kStatsStringBytes));
    stats->max_string_bounded = false;
    return;
  }
  bound.back() = char(uint8_t(bound.back()) + 1);
  stats->max_string = std::move(bound);
}

}  // namespace

ColumnStats ComputeStats(const ColumnVector& column) {
  ColumnStats stats;
  stats.rows = column.length;
  stats.null_count = column.null_count;
  switch (column.type) {
    case TypeId::kBool: {
      for (int64_t row = 0; row < column.length; ++row) {
        if (!column.IsValid(row)) continue;
        Widen(int64_t(column.GetBool(row)), &stats.has_min_max, &stats.min_int, &stats.max_int);
      }
      break;
    }
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      IntRange(column, column.values.as<int64_t>(), &stats);
      break;
    case TypeId::kDate:
      IntRange(column, column.values.as<int32_t>(), &stats);
      break;
    case TypeId::kFloat64:
      FloatRange(column, &stats);
      break;
    case TypeId::kString:
      StringRange(column, &stats);
      break;
  }
  return stats;
}

void DistinctCounter::AddHash(uint64_t hash) {
  size_t index = size_t(hash >> (64 - kPrecision));
  uint64_t rest = hash << kPrecision;
  uint8_t rank = rest == 0 ? kMaxRank : uint8_t(std::countl_zero(rest) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

void DistinctCounter::AddString(std::string_view value) { AddHash(XXH3_64bits(value.data(), value.size())); }

void DistinctCounter::AddInt64(int64_t value) { AddHash(XXH3_64bits(&value, sizeof(value))); }

void DistinctCounter::AddDouble(double value) {
  if (value == 0.0) value = 0.0;  // -0.0 -> 0.0
  if (std::isnan(value)) value = std::numeric_limits<double>::quiet_NaN();
  AddHash(XXH3_64bits(&value, sizeof(value)));
}

void DistinctCounter::AddColumn(const ColumnVector& column) {
  for (int64_t row = 0; row < column.length; ++row) {
    if (!column.IsValid(row)) continue;
    switch (column.type) {
      case TypeId::kBool:
        AddInt64(column.GetBool(row));
        break;
      case TypeId::kInt64:
      case TypeId::kTimestamp:
        AddInt64(column.GetInt64(row));
        break;
      case TypeId::kDate:
        AddInt64(column.GetDate(row));
        break;
      case TypeId::kFloat64:
        AddDouble(column.GetFloat64(row));
        break;
      case TypeId::kString:
        AddString(column.GetString(row));
        break;
    }
  }
}

void DistinctCounter::Merge(const DistinctCounter& other) {
  for (size_t idx = 0; idx < kRegisters; ++idx) {
    registers_[idx] = std::max(registers_[idx], other.registers_[idx]);
  }
}

uint64_t DistinctCounter::Estimate() const {
  constexpr double m = double(kRegisters);
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double inverse_sum = 0;
  int zeros = 0;
  for (uint8_t rank : registers_) {
    inverse_sum += std::ldexp(1.0, -int(rank));
    zeros += rank == 0;
  }
  double estimate = alpha * m * m / inverse_sum;
  // Small range: linear counting over the empty registers is far more exact.
  if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / double(zeros));
  return uint64_t(std::llround(estimate));
}

DistinctCounter DistinctCounter::FromRegisters(std::span<const uint8_t> registers) {
  DistinctCounter counter;
  size_t n = std::min(registers.size(), kRegisters);
  for (size_t idx = 0; idx < n; ++idx) counter.registers_[idx] = std::min(registers[idx], kMaxRank);
  return counter;
}

}  // namespace outcore
