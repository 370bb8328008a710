#include "transform/csr_builder.h"

#include <algorithm>

namespace outcore::transform {

CsrBuilder::CsrBuilder(MemoryBudget* budget)
    : pending_(budget), indices_(budget), data_(budget), indptr_(budget) {
  indptr_.Push<int64_t>(0);
}

void CsrBuilder::FinishRow() {
  auto* begin = pending_.as<Entry>();
  auto* end = begin + pending_.size() / sizeof(Entry);
  // Short rows (the common case) sort faster by insertion than by merge sort.
  if (end - begin <= 16) {
    for (auto* it = begin + 1; it < end; ++it) {
      Entry e = *it;
      auto* hole = it;
      while (hole > begin && (hole - 1)->column > e.column) {
        *hole = *(hole - 1);
        --hole;
      }
      *hole = e;
    }
  } else {
    std::stable_sort(begin, end, [](const Entry& a, const Entry& b) { return a.column < b.column; });
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

void CsrBuilder::TakeFinished() {
  indices_.Clear();
  data_.Clear();
  indptr_.Clear();
}

}  // namespace outcore::transform
