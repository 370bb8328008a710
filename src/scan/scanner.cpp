#include <algorithm>
#include <cstring>

#include "format/file_reader.h"
#include "outcore/dataset.h"

namespace outcore {

namespace {

// Copies `length` bits starting at bit `offset` of `src` to the start of `dst`.
void CopyBits(const uint8_t* src, int64_t offset, int64_t length, uint8_t* dst) {
  if ((offset & 7) == 0) {
    std::memcpy(dst, src + (offset >> 3), size_t(BitmapBytes(length)));
    return;
  }
  std::memset(dst, 0, size_t(BitmapBytes(length)));
  for (int64_t i = 0; i < length; ++i) {
    if (GetBit(src, offset + i)) SetBit(dst, i);
  }
}

size_t FixedWidth(TypeId type) {
  switch (type) {
    case TypeId::kInt64:
    case TypeId::kTimestamp:
    case TypeId::kFloat64: return 8;
    case TypeId::kDate:
    case TypeId::kString: return 4;  // dictionary codes
    case TypeId::kBool: return 0;
  }
  return 0;
}

}  // namespace

void SliceColumn(const ColumnVector& src, int64_t offset, int64_t length, ColumnVector* dst) {
  dst->Reset(src.type);
  dst->length = length;
  dst->dictionary = src.dictionary;
  if (src.null_count > 0) {
    dst->validity.Resize(size_t(BitmapBytes(length)));
    CopyBits(src.validity.data(), offset, length, dst->validity.data());
    int64_t valid = 0;
    for (int64_t i = 0; i < length; ++i) valid += GetBit(dst->validity.data(), i);
    dst->null_count = length - valid;
    if (dst->null_count == 0) dst->validity.Clear();
  }
  if (src.type == TypeId::kBool) {
    dst->values.Resize(size_t(BitmapBytes(length)));
    CopyBits(src.values.data(), offset, length, dst->values.data());
  } else if (src.type == TypeId::kString && !src.dictionary) {
    const int32_t* off = src.values.as<int32_t>();
    int32_t base = off[offset];
    dst->values.Resize(size_t(length + 1) * 4);
    int32_t* out = dst->values.as<int32_t>();
    for (int64_t i = 0; i <= length; ++i) out[i] = off[offset + i] - base;
    dst->data.Resize(size_t(off[offset + length] - base));
    std::memcpy(dst->data.data(), src.data.data() + base, dst->data.size());
  } else {
    size_t width = FixedWidth(src.type);
    dst->values.Resize(size_t(length) * width);
    std::memcpy(dst->values.data(), src.values.data() + size_t(offset) * width, size_t(length) * width);
  }
}

void MaterializeDictionary(ColumnVector* column) {
  if (!column->dictionary) return;
  std::shared_ptr<const Dictionary> dictionary = std::move(column->dictionary);
  column->dictionary.reset();
  Buffer codes = std::move(column->values);
  column->values = Buffer(codes.budget());
  column->values.Resize(size_t(column->length + 1) * 4);
  column->data.Clear();
  int32_t* off = column->values.as<int32_t>();
  const int32_t* code = codes.as<int32_t>();
  off[0] = 0;
  for (int64_t i = 0; i < column->length; ++i) {
    if (column->IsValid(i)) {
      std::string_view v = dictionary->Get(code[i]);
      column->data.Append(v.data(), v.size());
    }
    off[i + 1] = int32_t(column->data.size());
  }
}

Scanner::Scanner(std::shared_ptr<const Dataset> dataset, ScanOptions options, uint64_t limit)
    : dataset_(std::move(dataset)), options_(std::move(options)), budget_(limit), stored_(&budget_), payload_(&budget_) {}

Result<std::unique_ptr<Scanner>> Scanner::Make(std::shared_ptr<const Dataset> dataset, ScanOptions options) {
  if (options.batch_rows <= 0) return Status::InvalidArgument("batch_rows must be at least 1");
  uint64_t limit = options.memory_limit ? options.memory_limit : DefaultMemoryLimit();
  std::unique_ptr<Scanner> s(new Scanner(std::move(dataset), std::move(options), limit));
  const auto& schema = s->dataset_->schema();
  if (s->options_.columns.empty()) {
    for (size_t i = 0; i < schema.size(); ++i) s->projection_.push_back(int(i));
  } else {
    for (const std::string& name : s->options_.columns) {
      int index = s->dataset_->FindColumn(name);
      if (index < 0) {
        std::string names;
        for (const auto& c : schema) names += (names.empty() ? "" : ", ") + c.name;
        return Status::InvalidArgument("no column '" + name + "' in " + s->dataset_->path() + "; its columns are: " + names);
      }
      s->projection_.push_back(index);
    }
  }
  for (int index : s->projection_) {
    s->columns_.push_back(schema[size_t(index)]);
    s->chunk_columns_.emplace_back(schema[size_t(index)].type, &s->budget_);
  }
  return s;
}

Status Scanner::LoadChunk(int64_t chunk) {
  for (size_t i = 0; i < projection_.size(); ++i) {
    ColumnVector& column = chunk_columns_[i];
    OC_RETURN_IF_ERROR(dataset_->ReadColumnChunk(chunk, projection_[i], &column, &stored_, &payload_));
    // Early chunks of a column whose dictionary overflowed are coded; the
    // column as a whole is plain, so its batches are too.
    if (column.dictionary && !columns_[i].dictionary) MaterializeDictionary(&column);
  }
  chunk_ = chunk;
  offset_in_chunk_ = 0;
  return Status::OK();
}

Result<bool> Scanner::Next(Batch* batch) {
  if (options_.limit >= 0 && rows_returned_ >= options_.limit) return false;
  const int64_t chunks = dataset_->num_chunks();
  const auto& meta = dataset_->metadata();
  while (chunk_ < 0 || offset_in_chunk_ >= int64_t(meta.chunks[size_t(chunk_)].row_count)) {
    if (chunk_ + 1 >= chunks) return false;
    OC_RETURN_IF_ERROR(LoadChunk(chunk_ + 1));
  }
  const int64_t chunk_rows = int64_t(meta.chunks[size_t(chunk_)].row_count);
  int64_t rows = std::min(options_.batch_rows, chunk_rows - offset_in_chunk_);
  if (options_.limit >= 0) rows = std::min(rows, options_.limit - rows_returned_);
  batch->columns.resize(projection_.size());
  for (size_t i = 0; i < projection_.size(); ++i) {
    if (offset_in_chunk_ == 0 && rows == chunk_rows) {
      // The batch is the whole chunk: hand over the decoded buffers, no copy.
      std::swap(batch->columns[i], chunk_columns_[i]);
    } else {
      SliceColumn(chunk_columns_[i], offset_in_chunk_, rows, &batch->columns[i]);
    }
  }
  batch->num_rows = rows;
  batch->first_row = int64_t(meta.chunks[size_t(chunk_)].first_row) + offset_in_chunk_;
  offset_in_chunk_ += rows;
  rows_returned_ += rows;
  return true;
}

}  // namespace outcore
