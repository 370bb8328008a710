#include "encoding/stats.h"

// Inlined: a distinct count hashes every value of every column at ingest, and
// an 8-byte value's XXH3 is a few instructions once the length is known.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <type_traits>

namespace outcore {
namespace {

// Largest rank a register can hold: the 64 - p hash bits all zero, plus one.
constexpr uint8_t kMaxRank = 64 - DistinctCounter::kPrecision + 1;

// A hash's register (its top bits) and the rank it offers there (the leading
// zeros of the rest, plus one).
inline size_t RegisterIndex(uint64_t hash) { return size_t(hash >> (64 - DistinctCounter::kPrecision)); }
inline uint8_t RegisterRank(uint64_t hash) {
  const uint64_t rest = hash << DistinctCounter::kPrecision;
  return rest == 0 ? kMaxRank : uint8_t(std::countl_zero(rest) + 1);
}

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

// The kMaxCoreOutliers + 1 smallest and largest distinct values of a chunk,
// kept in one pass over blocks of values: a block whose minimum and maximum
// fall inside both sets' bounds costs its min/max; the values of one that
// does not are offered to a set in the order that reaches that set's end
// first (a rising block backwards to the largest, forwards to the smallest),
// so time-ordered stamps cost a compare a value, not an insert. They give min
// and max, and the core range with its outliers (ColumnStats::has_core).
template <typename T>
class ExtremeValues {
 public:
  static constexpr size_t kKeep = kMaxCoreOutliers + 1;

  void Add(T value) {
    block_[block_size_++] = value;
    if (block_size_ == kBlock) Flush();
  }

  // Sets min and max, and the core and its outliers when they narrow the
  // range a lot (the rule in ColumnStats).
  void Finish(bool* has_min_max, T* min, T* max, bool* has_core, T* core_min, T* core_max,
              std::vector<T>* outliers) {
    Flush();
    if (low_count_ == 0) return;
    *has_min_max = true;
    *min = low_[0];
    *max = high_[0];
    // Every distinct value held, ascending. With both sets full and apart,
    // values no set holds may lie between held[kKeep - 1] and held[kKeep].
    std::array<T, 2 * kKeep> held;
    size_t count = 0;
    const bool apart = low_count_ == kKeep && low_[kKeep - 1] < high_[kKeep - 1];
    size_t low_most = 0, high_most = 0;  // how many held values each side may leave the core
    if (apart) {
      for (size_t i = 0; i < kKeep; ++i) held[count++] = low_[i];
      for (size_t i = kKeep; i-- > 0;) held[count++] = high_[i];
      low_most = high_most = kMaxCoreOutliers;
    } else {
      // The sets overlap: together they hold every distinct value.
      count = size_t(std::set_union(low_.begin(), low_.begin() + low_count_,
                                    high_.rbegin() + (kKeep - high_count_), high_.rend(), held.begin()) -
                     held.begin());
      if (count < 3) return;
      low_most = std::min(kMaxCoreOutliers, (count - 1) / 2);
      high_most = std::min(kMaxCoreOutliers, count - 1 - low_most);
    }
    auto width = [](T from, T to) { return double(to) - double(from); };
    // An outlier is apart from its inner neighbour by more than the core's
    // width when every held value that may be left out is; and, when the
    // held values are all there are, by more than four times their median
    // spacing, so that a few evenly spaced codes (0..6) are no outliers.
    double apart_by = width(held[low_most], held[count - 1 - high_most]);
    if (!apart) {
      std::array<double, 2 * kKeep> gaps;
      for (size_t i = 0; i + 1 < count; ++i) gaps[i] = width(held[i], held[i + 1]);
      std::nth_element(gaps.begin(), gaps.begin() + (count - 1) / 2, gaps.begin() + (count - 1));
      apart_by = std::max(apart_by, 4 * gaps[(count - 1) / 2]);
    }
    size_t low = 0, high = 0;
    for (size_t i = 0; i < low_most; ++i) {
      if (width(held[i], held[i + 1]) > apart_by) low = i + 1;
    }
    for (size_t i = 0; i < high_most; ++i) {
      if (width(held[count - 2 - i], held[count - 1 - i]) > apart_by) high = i + 1;
    }
    if (low + high == 0) return;
    const double core = width(held[low], held[count - 1 - high]);
    if (!(std::isfinite(core) && core * 4 <= width(held[0], held[count - 1]))) return;
    *has_core = true;
    *core_min = held[low];
    *core_max = held[count - 1 - high];
    outliers->assign(held.begin(), held.begin() + low);
    outliers->insert(outliers->end(), held.begin() + (count - high), held.begin() + count);
  }

 private:
  static constexpr size_t kBlock = 256;

  void Flush() {
    const size_t n = block_size_;
    block_size_ = 0;
    size_t first = 0;
    // Fewer than kKeep distinct values so far: both sets hold every one, and
    // most values are held already (a column of a few codes). Integer codes
    // held without a gap over the block's range need no look at each value.
    if constexpr (std::is_integral_v<T>) {
      if (low_count_ > 0 && low_count_ < kKeep) {
        const auto [lowest, highest] = std::minmax_element(block_.begin(), block_.begin() + n);
        size_t inside = 0;
        for (size_t i = 0; i < low_count_; ++i) inside += low_[i] >= *lowest && low_[i] <= *highest;
        const uint64_t span = uint64_t(*highest) - uint64_t(*lowest);  // no overflow at the int64 ends
        if (span < kKeep && inside == span + 1) return;
      }
    }
    while (first < n && low_count_ < kKeep) {
      const T value = block_[first++];
      if (Held(value)) continue;
      Insert(low_, &low_count_, value, std::less<T>());
      Insert(high_, &high_count_, value, std::greater<T>());
      held_.fill(low_[0]);  // the slots past the set repeat a held value
      std::copy(low_.begin(), low_.begin() + low_count_, held_.begin());
    }
    if (first == n) return;
    T lowest = block_[first], highest = block_[first];
    for (size_t i = first + 1; i < n; ++i) {
      lowest = std::min(lowest, block_[i]);
      highest = std::max(highest, block_[i]);
    }
    const bool rising = block_[n - 1] >= block_[first];
    if (lowest < low_[kKeep - 1]) Offer(low_, first, n, rising, std::less<T>());
    if (highest > high_[kKeep - 1]) Offer(high_, first, n, !rising, std::greater<T>());
  }

  // Whether a set that is not full holds `value` (-0.0 is 0.0): a fixed run of compares.
  bool Held(T value) const {
    if (low_count_ == 0) return false;
    bool held = false;
    for (const T& v : held_) held |= v == value;
    return held;
  }

  // Offers block_[first, n) to a full set (ordered by `before`), forwards or backwards.
  template <typename Before>
  void Offer(std::array<T, kKeep>& values, size_t first, size_t n, bool forward, Before before) {
    size_t count = kKeep;
    for (size_t k = first; k < n; ++k) {
      const T value = block_[forward ? k : n - 1 - (k - first)];
      if (before(value, values[kKeep - 1])) Insert(values, &count, value, before);
    }
  }

  // Puts `value` into values[0, *count), ordered by `before`, unless it is
  // held already (-0.0 is 0.0), dropping the last one when the set is full.
  template <typename Before>
  static void Insert(std::array<T, kKeep>& values, size_t* count, T value, Before before) {
    size_t at = 0;
    while (at < *count && before(values[at], value)) ++at;
    if (at < *count && !before(value, values[at])) return;
    for (size_t i = std::min(*count, kKeep - 1); i > at; --i) values[i] = values[i - 1];
    values[at] = value;
    if (*count < kKeep) ++*count;
  }

  std::array<T, kKeep> low_{};   // ascending
  std::array<T, kKeep> high_{};  // descending
  size_t low_count_ = 0, high_count_ = 0;
  std::array<T, 16> held_{};     // while not full: the set's values, padded with a repeat
  std::array<T, kBlock> block_;  // values not yet offered
  size_t block_size_ = 0;
};

template <typename T>
void IntRange(const ColumnVector& column, const T* values, ColumnStats* stats) {
  ExtremeValues<int64_t> extremes;
  for (int64_t row = 0; row < column.length; ++row) {
    if (column.IsValid(row)) extremes.Add(int64_t(values[row]));
  }
  extremes.Finish(&stats->has_min_max, &stats->min_int, &stats->max_int, &stats->has_core,
                  &stats->core_min_int, &stats->core_max_int, &stats->outliers_int);
}

void FloatRange(const ColumnVector& column, ColumnStats* stats) {
  const double* values = column.values.as<double>();
  ExtremeValues<double> extremes;
  for (int64_t row = 0; row < column.length; ++row) {
    if (!column.IsValid(row)) continue;
    double value = values[row];
    if (std::isnan(value)) {
      ++stats->nan_count;
      continue;
    }
    extremes.Add(value);
  }
  extremes.Finish(&stats->has_min_max, &stats->min_float, &stats->max_float, &stats->has_core,
                  &stats->core_min_float, &stats->core_max_float, &stats->outliers_float);
}

// Sets the string bounds from the chunk's least and greatest value.
void SetStringBounds(std::string_view min_value, std::string_view max_value, ColumnStats* stats) {
  stats->has_min_max = true;
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

void StringRange(const ColumnVector& column, ColumnStats* stats) {
  std::string_view min_value, max_value;
  bool any = false;
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
    if (!any) {
      min_value = max_value = value;
      any = true;
    } else if (value < min_value) {
      min_value = value;
    } else if (value > max_value) {
      max_value = value;
    }
  }
  if (any) SetStringBounds(min_value, max_value, stats);
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

ColumnStats ComputeStringStats(const ColumnVector& column, std::span<const std::string_view> distinct) {
  ColumnStats stats;
  stats.rows = column.length;
  stats.null_count = column.null_count;
  if (distinct.empty()) return stats;
  const auto [min_value, max_value] = std::minmax_element(distinct.begin(), distinct.end());
  SetStringBounds(*min_value, *max_value, &stats);
  return stats;
}

DistinctCounter::DistinctCounter(DistinctCounter&& other) noexcept
    : budget_(other.budget_),
      dense_(other.dense_),
      table_(other.table_),
      table_slots_(other.table_slots_),
      table_used_(other.table_used_) {
  other.dense_ = nullptr;
  other.table_ = nullptr;
  other.table_slots_ = other.table_used_ = 0;
}

DistinctCounter& DistinctCounter::operator=(DistinctCounter&& other) noexcept {
  if (this != &other) {
    FreeAll();
    budget_ = other.budget_;
    dense_ = other.dense_;
    table_ = other.table_;
    table_slots_ = other.table_slots_;
    table_used_ = other.table_used_;
    other.dense_ = nullptr;
    other.table_ = nullptr;
    other.table_slots_ = other.table_used_ = 0;
  }
  return *this;
}

DistinctCounter::~DistinctCounter() { FreeAll(); }

void DistinctCounter::Charge(size_t bytes) {
  if (budget_) budget_->Reserve(bytes);
}

void DistinctCounter::Uncharge(size_t bytes) {
  if (budget_) budget_->Release(bytes);
}

void DistinctCounter::FreeAll() {
  if (dense_) Uncharge(kRegisters);
  if (table_) Uncharge(size_t(table_slots_) * sizeof(uint32_t));
  delete[] dense_;
  delete[] table_;
  dense_ = nullptr;
  table_ = nullptr;
  table_slots_ = table_used_ = 0;
}

size_t DistinctCounter::heap_bytes() const {
  return (dense_ ? kRegisters : 0) + size_t(table_slots_) * sizeof(uint32_t);
}

void DistinctCounter::InsertSparse(uint32_t key, uint8_t rank) {
  const uint32_t mask = table_slots_ - 1;
  // The key's low bits come from the hash's top bits: already well spread.
  for (uint32_t slot = key & mask;; slot = (slot + 1) & mask) {
    uint32_t entry = table_[slot];
    if (entry == 0) {
      table_[slot] = key << 8 | rank;
      ++table_used_;
      return;
    }
    if (entry >> 8 == key) {
      if ((entry & 0xFF) < rank) table_[slot] = key << 8 | rank;
      return;
    }
  }
}

void DistinctCounter::GrowSparse() {
  uint32_t* old = table_;
  const uint32_t old_slots = table_slots_;
  table_slots_ = old_slots ? old_slots * 2 : 16;
  table_ = new uint32_t[table_slots_]();
  Charge(size_t(table_slots_) * sizeof(uint32_t));
  table_used_ = 0;
  for (uint32_t slot = 0; slot < old_slots; ++slot) {
    if (old[slot]) InsertSparse(old[slot] >> 8, uint8_t(old[slot] & 0xFF));
  }
  delete[] old;
  Uncharge(size_t(old_slots) * sizeof(uint32_t));
}

void DistinctCounter::MakeDense() {
  dense_ = new uint8_t[kRegisters]();
  Charge(kRegisters);
  for (uint32_t slot = 0; slot < table_slots_; ++slot) {
    if (table_[slot]) dense_[(table_[slot] >> 8) - 1] = uint8_t(table_[slot] & 0xFF);
  }
  delete[] table_;
  Uncharge(size_t(table_slots_) * sizeof(uint32_t));
  table_ = nullptr;
  table_slots_ = table_used_ = 0;
}

void DistinctCounter::SetRank(size_t index, uint8_t rank) {
  if (dense_) {
    dense_[index] = std::max(dense_[index], rank);
    return;
  }
  // Load at most one half; past kMaxSparseRegisters the dense array is smaller.
  if ((table_used_ + 1) * 2 > table_slots_) {
    if (table_used_ + 1 > kMaxSparseRegisters) {
      MakeDense();
      dense_[index] = std::max(dense_[index], rank);
      return;
    }
    GrowSparse();
  }
  InsertSparse(uint32_t(index + 1), rank);
}

void DistinctCounter::AddHash(uint64_t hash) { SetRank(RegisterIndex(hash), RegisterRank(hash)); }

void DistinctCounter::Clear() {
  if (dense_) std::fill(dense_, dense_ + kRegisters, uint8_t(0));
  if (table_) std::fill(table_, table_ + table_slots_, 0u);
  table_used_ = 0;
}

uint64_t DistinctCounter::HashString(std::string_view value) {
  return XXH3_64bits(value.data(), value.size());
}

namespace {

uint64_t HashInt64(int64_t value) { return XXH3_64bits(&value, sizeof(value)); }

// -0.0 as 0.0, every NaN as one NaN: the bits a double counts by.
uint64_t DoubleKey(double value) {
  if (value == 0.0) value = 0.0;
  if (std::isnan(value)) value = std::numeric_limits<double>::quiet_NaN();
  return std::bit_cast<uint64_t>(value);
}

uint64_t HashDouble(double value) {
  const uint64_t key = DoubleKey(value);
  return XXH3_64bits(&key, sizeof(key));
}

// Calls add(hash(key(row))) for every valid row whose key differs from the
// previous valid row's: a hash added again changes no register, and sorted,
// constant or clustered columns repeat a value in runs.
template <typename Key, typename Hash, typename Add>
void ForEachRunStart(const ColumnVector& column, Key key, Hash hash, Add add) {
  bool started = false;
  decltype(key(int64_t(0))) previous{};
  for (int64_t row = 0; row < column.length; ++row) {
    if (!column.IsValid(row)) continue;
    const auto value = key(row);
    if (started && value == previous) continue;
    started = true;
    previous = value;
    add(hash(value));
  }
}

// Calls add(hash) for the valid rows of `column`, by the rules of AddColumn;
// the type is dispatched once, not per row.
template <typename Add>
void ForEachHash(const ColumnVector& column, Add add) {
  switch (column.type) {
    case TypeId::kBool:
      ForEachRunStart(
          column, [&](int64_t row) { return int64_t(column.GetBool(row)); }, HashInt64, add);
      break;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      ForEachRunStart(
          column, [&](int64_t row) { return column.GetInt64(row); }, HashInt64, add);
      break;
    case TypeId::kDate:
      ForEachRunStart(
          column, [&](int64_t row) { return int64_t(column.GetDate(row)); }, HashInt64, add);
      break;
    case TypeId::kFloat64:
      ForEachRunStart(
          column, [&](int64_t row) { return DoubleKey(column.GetFloat64(row)); },
          [](uint64_t key) { return XXH3_64bits(&key, sizeof(key)); }, add);
      break;
    case TypeId::kString:
      ForEachRunStart(
          column, [&](int64_t row) { return column.GetString(row); }, DistinctCounter::HashString, add);
      break;
  }
}

}  // namespace

void DistinctCounter::AddString(std::string_view value) { AddHash(HashString(value)); }

void DistinctCounter::AddInt64(int64_t value) { AddHash(HashInt64(value)); }

void DistinctCounter::AddDouble(double value) { AddHash(HashDouble(value)); }

void DistinctCounter::AddColumn(const ColumnVector& column) {
  ForEachHash(column, [this](uint64_t hash) { AddHash(hash); });
}

void DistinctCounter::AddHashes(std::span<const uint64_t> hashes) {
  size_t at = 0;
  for (; at < hashes.size() && !dense_; ++at) AddHash(hashes[at]);
  // Dense (any column past a few hundred distinct values): a plain loop.
  for (; at < hashes.size(); ++at) {
    uint8_t& reg = dense_[RegisterIndex(hashes[at])];
    reg = std::max(reg, RegisterRank(hashes[at]));
  }
}

void DistinctCounter::HashColumn(const ColumnVector& column, Buffer* out) {
  size_t at = out->size();
  out->Resize(at + size_t(column.length) * sizeof(uint64_t));
  uint64_t* hashes = reinterpret_cast<uint64_t*>(out->data() + at);
  size_t n = 0;
  ForEachHash(column, [&](uint64_t hash) { hashes[n++] = hash; });
  out->Resize(at + n * sizeof(uint64_t));
}

void DistinctCounter::Merge(const DistinctCounter& other) {
  if (other.dense_) {
    if (!dense_) MakeDense();
    for (size_t idx = 0; idx < kRegisters; ++idx) dense_[idx] = std::max(dense_[idx], other.dense_[idx]);
    return;
  }
  for (uint32_t slot = 0; slot < other.table_slots_; ++slot) {
    uint32_t entry = other.table_[slot];
    if (entry) SetRank((entry >> 8) - 1, uint8_t(entry & 0xFF));
  }
}

uint64_t DistinctCounter::Estimate() const {
  constexpr double m = double(kRegisters);
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double inverse_sum = 0;
  int zeros = 0;
  if (dense_) {
    for (size_t idx = 0; idx < kRegisters; ++idx) {
      inverse_sum += std::ldexp(1.0, -int(dense_[idx]));
      zeros += dense_[idx] == 0;
    }
  } else {
    // Registers not in the table are 0: each adds 2^0.
    zeros = int(kRegisters - table_used_);
    inverse_sum = double(zeros);
    for (uint32_t slot = 0; slot < table_slots_; ++slot) {
      if (table_[slot]) inverse_sum += std::ldexp(1.0, -int(table_[slot] & 0xFF));
    }
  }
  double estimate = alpha * m * m / inverse_sum;
  // Small range: linear counting over the empty registers is far more exact.
  if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / double(zeros));
  return uint64_t(std::llround(estimate));
}

std::array<uint8_t, DistinctCounter::kRegisters> DistinctCounter::registers() const {
  std::array<uint8_t, kRegisters> out{};
  if (dense_) {
    std::copy(dense_, dense_ + kRegisters, out.begin());
  } else {
    for (uint32_t slot = 0; slot < table_slots_; ++slot) {
      if (table_[slot]) out[(table_[slot] >> 8) - 1] = uint8_t(table_[slot] & 0xFF);
    }
  }
  return out;
}

DistinctCounter DistinctCounter::FromRegisters(std::span<const uint8_t> registers) {
  DistinctCounter counter;
  size_t n = std::min(registers.size(), kRegisters);
  for (size_t idx = 0; idx < n; ++idx) {
    if (registers[idx]) counter.SetRank(idx, std::min(registers[idx], kMaxRank));
  }
  return counter;
}

}  // namespace outcore
