#include "transform/csr_npz.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace outcore::transform {
namespace {

// A file with no name in the output's directory (where there is room for the
// output itself, unlike perhaps /tmp): nothing is left if we are killed.
FILE* SpillFile(const std::string& path) {
  Result<int> fd = OpenUnnamedTemp(path);
  if (!fd.ok()) return nullptr;
  FILE* file = ::fdopen(*fd, "w+b");
  if (!file) ::close(*fd);
  return file;
}

}  // namespace

CsrNpzWriter::CsrNpzWriter(std::string path, std::unique_ptr<NpzWriter> npz, FILE* data, FILE* indptr)
    : path_(std::move(path)), npz_(std::move(npz)), data_(data), indptr_(indptr) {}

CsrNpzWriter::~CsrNpzWriter() {
  if (data_) std::fclose(data_);
  if (indptr_) std::fclose(indptr_);
}

Result<std::unique_ptr<CsrNpzWriter>> CsrNpzWriter::Create(const std::string& path) {
  OC_ASSIGN_OR_RETURN(auto npz, NpzWriter::Create(path));
  FILE* data = SpillFile(path);
  FILE* indptr = data ? SpillFile(path) : nullptr;
  if (!indptr) {
    if (data) std::fclose(data);
    return Status::IOError("cannot create a temporary file beside " + path + ": " + std::strerror(errno));
  }
  auto writer = std::unique_ptr<CsrNpzWriter>(new CsrNpzWriter(path, std::move(npz), data, indptr));
  OC_RETURN_IF_ERROR(writer->npz_->BeginArray("indices", "<i4"));
  int64_t zero = 0;
  if (std::fwrite(&zero, 8, 1, indptr) != 1)
    return Status::IOError("cannot write a temporary file beside " + path);
  return writer;
}

Status CsrNpzWriter::Drain(CsrBuilder* csr) {
  if (csr->nnz() > INT32_MAX) {
    return Status::InvalidArgument("the matrix has more than 2^31 - 1 entries, more than int32 indices hold");
  }
  const Buffer& indices = csr->indices();
  OC_RETURN_IF_ERROR(npz_->Append(indices.data(), indices.size()));
  const Buffer& data = csr->data();
  // A fresh builder's indptr starts with the leading 0, written already.
  const Buffer& indptr = csr->indptr();
  size_t skip = drained_ ? 0 : 8;
  drained_ = true;
  if ((data.size() && std::fwrite(data.data(), 1, data.size(), data_) != data.size()) ||
      (indptr.size() > skip &&
       std::fwrite(indptr.data() + skip, 1, indptr.size() - skip, indptr_) != indptr.size() - skip)) {
    return Status::IOError("cannot write a temporary file beside " + path_ + ": " + std::strerror(errno));
  }
  rows_ = csr->rows();
  nnz_ = csr->nnz();
  csr->TakeFinished();
  return Status::OK();
}

Status CsrNpzWriter::CopySpill(FILE* spill, const std::string& name, std::string_view descr, int64_t count,
                               size_t item) {
  if (std::fflush(spill) != 0 || fseeko(spill, 0, SEEK_SET) != 0) {
    return Status::IOError("cannot read back a temporary file beside " + path_);
  }
  OC_RETURN_IF_ERROR(npz_->BeginArray(name, descr));
  std::vector<char> chunk(1 << 20);
  uint64_t left = uint64_t(count) * item;
  while (left > 0) {
    size_t want = size_t(std::min<uint64_t>(left, chunk.size()));
    if (std::fread(chunk.data(), 1, want, spill) != want) {
      return Status::IOError("short read from a temporary file beside " + path_);
    }
    OC_RETURN_IF_ERROR(npz_->Append(chunk.data(), want));
    left -= want;
  }
  return npz_->EndArray({count});
}

Status CsrNpzWriter::Finish(int64_t n_columns, const std::vector<std::string>* feature_names) {
  OC_RETURN_IF_ERROR(npz_->EndArray({nnz_}));
  OC_RETURN_IF_ERROR(CopySpill(data_, "data", "<f8", nnz_, 8));
  OC_RETURN_IF_ERROR(CopySpill(indptr_, "indptr", "<i8", rows_ + 1, 8));
  // scipy reads format as a 0-d str array: "csr" in UTF-32.
  static const char kCsr[12] = {'c', 0, 0, 0, 's', 0, 0, 0, 'r', 0, 0, 0};
  OC_RETURN_IF_ERROR(npz_->WriteArray("format", "<U3", {}, kCsr, sizeof(kCsr)));
  int64_t shape[2] = {rows_, n_columns};
  OC_RETURN_IF_ERROR(npz_->WriteArray("shape", "<i8", {2}, shape, sizeof(shape)));
  if (feature_names) OC_RETURN_IF_ERROR(WriteBytesArray(npz_.get(), "feature_names", *feature_names));
  return npz_->Finish();
}

}  // namespace outcore::transform
