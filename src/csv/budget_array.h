// BudgetArray<T>: a growable array of trivially copyable values whose capacity
// is charged to a MemoryBudget through outcore::Buffer. The csv layer keeps its
// per-block index arrays (field spans, record offsets) in these so that they
// are counted against --memory-limit and keep their capacity between blocks.
//
// Thread-safety: a value owned by one thread at a time.
#pragma once

#include <cstddef>
#include <type_traits>

#include "outcore/memory.h"

namespace outcore {

//   BudgetArray<uint32_t> offsets(&budget);
//   offsets.push_back(7);          // budget.used() now includes its capacity
//   offsets.clear();               // size 0, capacity (and charge) kept
template <typename T>
class BudgetArray {
  static_assert(std::is_trivially_copyable_v<T>, "BudgetArray holds plain values");

 public:
  explicit BudgetArray(MemoryBudget* budget = nullptr) : buffer_(budget) {}

  void push_back(const T& value) { buffer_.Push(value); }
  void clear() { buffer_.Clear(); }
  // New elements are uninitialized.
  void resize(size_t n) { buffer_.Resize(n * sizeof(T)); }
  void reserve(size_t n) { buffer_.Reserve(n * sizeof(T)); }

  size_t size() const { return buffer_.size() / sizeof(T); }
  bool empty() const { return buffer_.empty(); }
  T* data() { return buffer_.as<T>(); }
  const T* data() const { return buffer_.as<T>(); }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& back() { return data()[size() - 1]; }
  const T& back() const { return data()[size() - 1]; }
  size_t capacity_bytes() const { return buffer_.capacity(); }

 private:
  Buffer buffer_;
};

}  // namespace outcore
