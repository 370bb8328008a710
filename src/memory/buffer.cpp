#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

#include "outcore/memory.h"

namespace outcore {

Buffer::Buffer(Buffer&& other) noexcept
    : budget_(other.budget_), data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
  other.data_ = nullptr;
  other.size_ = other.capacity_ = 0;
}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    Free();
    budget_ = other.budget_;
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  return *this;
}

void Buffer::SetBudget(MemoryBudget* budget) {
  if (budget == budget_) return;
  if (budget_) budget_->Release(capacity_);
  budget_ = budget;
  if (budget_) budget_->Reserve(capacity_);
}

void Buffer::Reserve(size_t n) {
  if (n <= capacity_) return;
  // 64-byte alignment: SIMD-friendly and what Arrow recommends for buffers.
  if (n > SIZE_MAX - 63) throw std::bad_alloc();  // the rounding would wrap to a tiny block
  size_t rounded = (n + 63) & ~size_t(63);
  void* fresh = std::aligned_alloc(64, rounded);
  if (!fresh) throw std::bad_alloc();
  if (size_) std::memcpy(fresh, data_, size_);
  std::free(data_);
  if (budget_) {
    budget_->Reserve(rounded);
    budget_->Release(capacity_);
  }
  data_ = static_cast<uint8_t*>(fresh);
  capacity_ = rounded;
}

void Buffer::Grow(size_t min_capacity) {
  // The first allocation is what is asked for (a wide file has tens of
  // thousands of column buffers per worker: a 4 KiB floor each was hundreds of
  // MiB); after that, 1.5x growth keeps appends amortised.
  size_t next = capacity_ == 0 ? 64 : capacity_ + capacity_ / 2;
  Reserve(next > min_capacity ? next : min_capacity);
}

void Buffer::Resize(size_t n) {
  if (n > capacity_) Grow(n);
  size_ = n;
}

void Buffer::ResizeZeroed(size_t n) {
  size_t old = size_;
  Resize(n);
  if (n > old) std::memset(data_ + old, 0, n - old);
}

void Buffer::Free() {
  if (data_) {
    std::free(data_);
    if (budget_) budget_->Release(capacity_);
  }
  data_ = nullptr;
  size_ = capacity_ = 0;
}

}  // namespace outcore
