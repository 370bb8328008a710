#include "transform/csr_builder.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>

namespace outcore::transform {

CsrBuilder::CsrBuilder(MemoryBudget* budget)
    : pending_(budget), indices_(budget), data_(budget), indptr_(budget) {
  indptr_.Push<int64_t>(0);
}

void CsrBuilder::FinishRow() {
  auto* begin = pending_.as<Entry>();
  auto* end = begin + pending_.size() / sizeof(Entry);
  // scipy's sum_duplicates sorts each row with std::sort on (index, value)
  // pairs ordered by index only, then sums equal indices left to right. The
  // same call here puts equal indices in the same order, so float sums of
  // colliding features round the same way as scikit-learn's, bit for bit.
  const auto count = end - begin;
  if (count == 2) {
    if (begin[1].column < begin[0].column) std::swap(begin[0], begin[1]);  // what std::sort does for two
  } else if (count > 2) {
    std::sort(begin, end, [](const Entry& a, const Entry& b) { return a.column < b.column; });
  }
  for (auto* it = begin; it < end;) {
    int32_t column = it->column;
    double sum = it->value;
    for (++it; it < end && it->column == column; ++it) sum += it->value;
    indices_.Push(column);
    data_.Push(sum);
    ++nnz_;
  }
  indptr_.Push<int64_t>(nnz_);
  ++rows_;
  pending_.Clear();
}

namespace {

// Asks for transparent huge pages over the 2 MiB-aligned part of a large
// buffer about to be filled: a whole matrix reserved at once is then faulted
// in 2 MiB at a time instead of 4 KiB (the page faults were a tenth of
// hashing a list of token lists). Only advice: without THP nothing changes.
void AdviseHugePages(Buffer* buffer) {
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  if (buffer->capacity() < 2 * kHuge) return;
  auto begin = (reinterpret_cast<uintptr_t>(buffer->data()) + kHuge - 1) & ~(kHuge - 1);
  auto end = (reinterpret_cast<uintptr_t>(buffer->data()) + buffer->capacity()) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace

void CsrBuilder::Reserve(int64_t rows, int64_t entries) {
  // Geometric, so that reserving batch after batch stays linear overall.
  auto grow = [](Buffer* buffer, size_t extra) {
    size_t need = buffer->size() + extra;
    if (need > buffer->capacity()) {
      buffer->Reserve(std::max(need, buffer->capacity() * 2));
      AdviseHugePages(buffer);
    }
  };
  grow(&indices_, size_t(entries) * sizeof(int32_t));
  grow(&data_, size_t(entries) * sizeof(double));
  grow(&indptr_, size_t(rows) * sizeof(int64_t));
}

void CsrBuilder::TakeFinished() {
  indices_.Clear();
  data_.Clear();
  indptr_.Clear();
}

}  // namespace outcore::transform
