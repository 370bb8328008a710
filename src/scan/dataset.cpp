#include <string>

#include "encoding/column_encoder.h"
#include "encoding/compression.h"
#include "encoding/dictionary.h"
#include "format/file_reader.h"
#include "outcore/dataset.h"

namespace outcore {

namespace {

std::string ChunkName(int64_t chunk, const std::string& column) {
  return "chunk " + std::to_string(chunk) + " of column '" + column + "'";
}

// Reads a block, checks its checksum and decompresses it to exactly its
// recorded decoded size.
Status ReadPayload(const format::FileReader& reader, const format::BlockRef& block, const std::string& what,
                   Buffer* stored, Buffer* payload, std::string_view* out) {
  OC_RETURN_IF_ERROR(reader.ReadBlock(block, stored, what));
  if (block.codec == format::kCodecNone) {
    *out = stored->view();
    return Status::OK();
  }
  Status s = Decompress(Codec(block.codec), stored->view(), block.decoded_size, payload);
  if (!s.ok()) return s.WithContext(reader.path() + ": " + what);
  *out = payload->view();
  return Status::OK();
}

}  // namespace

Result<std::shared_ptr<Dataset>> Dataset::Open(const std::string& path) {
  std::shared_ptr<Dataset> d(new Dataset());
  OC_ASSIGN_OR_RETURN(d->reader_, format::FileReader::Open(path));
  for (const format::ColumnMeta& c : d->reader_->metadata().columns) {
    d->schema_.push_back(ColumnSchema{c.name, c.type, c.has_dictionary && c.dictionary_complete});
  }
  d->dictionaries_.resize(d->schema_.size());
  return d;
}

Dataset::~Dataset() = default;

const std::string& Dataset::path() const { return reader_->path(); }
int64_t Dataset::num_rows() const { return int64_t(reader_->metadata().num_rows); }
int64_t Dataset::num_chunks() const { return int64_t(reader_->metadata().chunks.size()); }
uint64_t Dataset::file_size() const { return reader_->file_size(); }
const format::FileMetadata& Dataset::metadata() const { return reader_->metadata(); }

int Dataset::FindColumn(const std::string& name) const { return reader_->metadata().FindColumn(name); }

Result<std::shared_ptr<const Dictionary>> Dataset::LoadDictionary(int column) const {
  std::lock_guard lock(dictionaries_mutex_);
  if (dictionaries_[size_t(column)]) return dictionaries_[size_t(column)];
  const format::ColumnMeta& meta = reader_->metadata().columns[size_t(column)];
  if (!meta.has_dictionary) {
    return Status::InvalidArgument("column '" + meta.name + "' has no dictionary");
  }
  Buffer stored, payload;
  std::string_view bytes;
  std::string what = "dictionary of column '" + meta.name + "'";
  OC_RETURN_IF_ERROR(ReadPayload(*reader_, meta.dictionary, what, &stored, &payload, &bytes));
  auto dictionary = std::make_shared<Dictionary>();
  Status s = DecodeDictionary(bytes, nullptr, dictionary.get());
  if (!s.ok()) return s.WithContext(reader_->path() + ": " + what);
  if (uint64_t(dictionary->size) != meta.dictionary_entries) {
    return Status::Corruption(reader_->path() + ": " + what + " has " + std::to_string(dictionary->size) +
                              " entries, the footer says " + std::to_string(meta.dictionary_entries));
  }
  dictionaries_[size_t(column)] = dictionary;
  return std::shared_ptr<const Dictionary>(dictionary);
}

Status Dataset::ReadColumnChunk(int64_t chunk, int column, ColumnVector* out, Buffer* stored, Buffer* payload) const {
  const format::FileMetadata& m = reader_->metadata();
  const format::ColumnMeta& meta = m.columns[size_t(column)];
  const format::ChunkMeta& chunk_meta = m.chunks[size_t(chunk)];
  std::string what = ChunkName(chunk, meta.name);
  std::string_view bytes;
  OC_RETURN_IF_ERROR(ReadPayload(*reader_, chunk_meta.columns[size_t(column)].block, what, stored, payload, &bytes));
  std::shared_ptr<const Dictionary> dictionary;
  if (meta.has_dictionary) {
    OC_ASSIGN_OR_RETURN(dictionary, LoadDictionary(column));
  }
  Status s = DecodeColumn(meta.type, int64_t(chunk_meta.row_count), bytes, dictionary, out);
  if (!s.ok()) return s.WithContext(reader_->path() + ": " + what);
  if (out->length != int64_t(chunk_meta.row_count)) {
    return Status::Corruption(reader_->path() + ": " + what + " decoded to " + std::to_string(out->length) +
                              " rows, the footer says " + std::to_string(chunk_meta.row_count));
  }
  return Status::OK();
}

Status Dataset::ReadIndexBlock(const format::IndexMeta& index, Buffer* out, Buffer* stored) const {
  const format::ColumnMeta& meta = reader_->metadata().columns[size_t(index.column)];
  const std::string what =
      std::string(index.kind == format::kIndexKindToken ? "token" : "value") + " index of column '" + meta.name + "'";
  std::string_view bytes;
  OC_RETURN_IF_ERROR(ReadPayload(*reader_, index.block, what, stored, out, &bytes));
  if (index.block.codec == format::kCodecNone) {
    out->Clear();
    out->Append(bytes.data(), bytes.size());
  }
  return Status::OK();
}

}  // namespace outcore
