// Streams a CSR matrix to a .npz that scipy.sparse.load_npz reads (keys
// indices, indptr, format, shape, data — what scipy.sparse.save_npz writes,
// uncompressed). Indices go straight into the zip; data and indptr are
// spilled to unlinked temporary files beside the output and copied in at the
// end, so memory holds one batch of rows whatever the matrix size. The file
// appears atomically (NpzWriter). Thread-safety: one thread at a time.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "transform/csr_builder.h"
#include "transform/npz_writer.h"

namespace outcore::transform {

class CsrNpzWriter {
 public:
  //   OC_ASSIGN_OR_RETURN(auto out, CsrNpzWriter::Create("X.npz"));
  //   ... fill csr ...; OC_RETURN_IF_ERROR(out->Drain(&csr));   // per batch
  //   OC_RETURN_IF_ERROR(out->Finish(n_features));
  static Result<std::unique_ptr<CsrNpzWriter>> Create(const std::string& path);
  ~CsrNpzWriter();

  // Writes the finished rows of `csr` and forgets them (csr->TakeFinished()).
  // REQUIRES: the same builder, fresh at the first call.
  Status Drain(CsrBuilder* csr);
  // Completes the file: shape (rows, n_columns); with `feature_names`, also
  // an entry "feature_names" (numpy bytes array; load_npz ignores it).
  Status Finish(int64_t n_columns, const std::vector<std::string>* feature_names = nullptr);
  int64_t rows() const { return rows_; }
  int64_t nnz() const { return nnz_; }

 private:
  CsrNpzWriter(std::string path, std::unique_ptr<NpzWriter> npz, FILE* data, FILE* indptr);
  Status CopySpill(FILE* spill, const std::string& name, std::string_view descr, int64_t count, size_t item);

  std::string path_;
  std::unique_ptr<NpzWriter> npz_;
  FILE* data_ = nullptr;    // spilled float64 values
  FILE* indptr_ = nullptr;  // spilled int64 row ends
  int64_t rows_ = 0;
  int64_t nnz_ = 0;
  bool drained_ = false;
};

}  // namespace outcore::transform
