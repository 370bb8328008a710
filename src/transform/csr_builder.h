// CsrBuilder: accumulates a sparse matrix row by row in CSR form (int32 column
// indices sorted within each row, duplicates summed, float64 values), the form
// scipy.sparse.csr_matrix and sklearn's hashers produce. Its buffers are
// charged to a MemoryBudget; a streaming writer drains finished rows with
// TakeFinished() so memory stays bounded by one batch.
// Thread-safety: a value owned by one thread.
#pragma once

#include <cstdint>

#include "outcore/memory.h"

namespace outcore::transform {

class CsrBuilder {
 public:
  //   CsrBuilder csr(&budget);
  //   csr.Add(3, 1.0); csr.Add(1, 2.0); csr.Add(3, -1.0); csr.FinishRow();
  //   // indices {1, 3}, data {2.0, 0.0}, indptr {0, 2}
  explicit CsrBuilder(MemoryBudget* budget = nullptr);

  // Adds one entry to the row being built (any order; duplicates allowed).
  void Add(int32_t column, double value) { pending_.Push(Entry{column, value}); }
  // Closes the current row: entries sorted by column and duplicates summed,
  // in the order scipy's csr_matrix.sum_duplicates sums them (std::sort of
  // (index, value) pairs by index). A sum of zero stays as an explicit entry,
  // as scipy leaves it.
  void FinishRow();

  // Makes room for `rows` more rows holding `entries` more entries, so that
  // a caller that knows its batch size grows the buffers once.
  void Reserve(int64_t rows, int64_t entries);

  int64_t rows() const { return rows_; }
  int64_t nnz() const { return nnz_; }  // entries in all finished rows

  // The finished rows not yet taken: indices/data of their entries, and
  // indptr. Until the first TakeFinished() indptr starts with 0 (the usual
  // rows + 1 array); afterwards it holds only the absolute row ends.
  const Buffer& indices() const { return indices_; }  // int32
  const Buffer& data() const { return data_; }        // double
  const Buffer& indptr() const { return indptr_; }    // int64
  // Forgets the finished rows (after a writer has stored them); counters stay.
  void TakeFinished();
  // Moves the buffers out (for handing to NumPy); the builder is then empty.
  Buffer ReleaseIndices() { return std::move(indices_); }
  Buffer ReleaseData() { return std::move(data_); }
  Buffer ReleaseIndptr() { return std::move(indptr_); }

 private:
  struct Entry {
    int32_t column;
    double value;
  };
  Buffer pending_;  // Entry[] of the open row
  Buffer indices_, data_, indptr_;
  int64_t rows_ = 0;
  int64_t nnz_ = 0;
};

}  // namespace outcore::transform
