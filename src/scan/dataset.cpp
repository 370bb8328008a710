// Dataset: a validated .oc file, its schema, and its blocks read back.
#include "outcore/dataset.h"

#include <sys/stat.h>

#include <filesystem>
#include <mutex>
#include <string>

#include "base/utf8.h"
#include "encoding/column_encoder.h"
#include "encoding/compression.h"
#include "encoding/dictionary.h"
#include "format/file_reader.h"
#include "scan/dataset_internal.h"
#include "scan/expression.h"
#include "scan/part_set.h"

namespace outcore {

struct Dataset::Rep {
  std::unique_ptr<format::FileReader> reader;  // a file; null for a folder
  std::unique_ptr<PartSet> part_set;           // a folder of parts; null for a file
  std::string path;
  std::vector<PartInfo> parts;
  std::vector<ColumnSchema> schema;
  std::mutex dictionaries_mutex;
  std::vector<std::shared_ptr<const Dictionary>> dictionaries;  // by column, once loaded
};

// The one door from the engine's private header to the Rep.
struct DatasetAccess {
  static const Dataset::Rep& Of(const Dataset& dataset) { return *dataset.rep_; }
};

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

// Strings from a file go on to Python str, JSON and CSV output as UTF-8.
// Ingest rejects values that are not valid UTF-8, so only a damaged file holds
// one: the whole run of bytes must be valid, and every value must start on a
// character (not inside one), so that each value alone is valid too.
Status CheckUtf8Values(const int32_t* offsets, const uint8_t* bytes, int64_t count, const std::string& what) {
  if (count == 0) return Status::OK();
  const auto text = [&](int64_t from, int64_t to) {
    return std::string_view(reinterpret_cast<const char*>(bytes) + offsets[from],
                            size_t(offsets[to] - offsets[from]));
  };
  bool valid = IsValidUtf8(text(0, count));
  for (int64_t i = 1; valid && i < count; ++i) {
    if (offsets[i] < offsets[count] && (bytes[offsets[i]] & 0xC0) == 0x80) valid = false;
  }
  if (valid) return Status::OK();
  int64_t bad = 0;
  while (bad < count && IsValidUtf8(text(bad, bad + 1))) ++bad;
  return Status::Corruption(what + ": value " + std::to_string(bad) +
                            " is not valid UTF-8 (the file is damaged; ingest never writes such a value)");
}

}  // namespace

Result<std::shared_ptr<Dataset>> Dataset::Open(const std::string& path) {
  auto rep = std::make_unique<Rep>();
  rep->path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    OC_ASSIGN_OR_RETURN(rep->part_set, OpenPartSet(path));
    rep->schema = rep->part_set->schema;
    rep->parts = rep->part_set->infos;
    return std::shared_ptr<Dataset>(new Dataset(std::move(rep)));
  }
  OC_ASSIGN_OR_RETURN(rep->reader, format::FileReader::Open(path));
  const format::FileMetadata& meta = rep->reader->metadata();
  for (size_t column = 0; column < meta.columns.size(); ++column) {
    const format::ColumnMeta& c = meta.columns[column];
    // Nullable when the footer counts a null in the column (the chunks' own
    // counts are checked against it as each chunk is decoded).
    const bool nullable = c.null_count > 0;
    rep->schema.push_back(ColumnSchema{c.name, c.type, c.has_dictionary && c.dictionary_complete, nullable});
  }
  rep->dictionaries.resize(rep->schema.size());
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  rep->parts.push_back(PartInfo{error ? path : absolute.lexically_normal().string(), int64_t(meta.num_rows),
                                int64_t(meta.chunks.size()), rep->reader->file_size()});
  return std::shared_ptr<Dataset>(new Dataset(std::move(rep)));
}

Dataset::Dataset(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Dataset::~Dataset() = default;

const std::string& Dataset::path() const { return rep_->path; }
const std::vector<ColumnSchema>& Dataset::schema() const { return rep_->schema; }
int64_t Dataset::num_rows() const {
  if (rep_->part_set) return rep_->part_set->first_row.back();
  return int64_t(rep_->reader->metadata().num_rows);
}
int64_t Dataset::num_chunks() const {
  if (rep_->part_set) return rep_->part_set->first_chunk.back();
  return int64_t(rep_->reader->metadata().chunks.size());
}
uint64_t Dataset::file_size() const {
  if (!rep_->part_set) return rep_->reader->file_size();
  uint64_t bytes = 0;
  for (const PartInfo& part : rep_->parts) bytes += part.bytes;
  return bytes;
}
bool Dataset::is_part_set() const { return rep_->part_set != nullptr; }
const std::vector<PartInfo>& Dataset::parts() const { return rep_->parts; }

Result<std::vector<int>> Dataset::PartCandidates(const std::string& where) const {
  OC_RETURN_IF_ERROR(CheckWhere(where, "where"));
  OC_ASSIGN_OR_RETURN(auto expr, ParsePredicate(where, rep_->schema));
  std::vector<int> candidates;
  for (size_t part = 0; part < rep_->parts.size(); ++part) {
    if (!rep_->part_set || PartMayMatch(*rep_->part_set, part, *expr)) candidates.push_back(int(part));
  }
  return candidates;
}

PartSet* DatasetPartSet(const Dataset& dataset) { return DatasetAccess::Of(dataset).part_set.get(); }

const format::FileMetadata& DatasetMetadata(const Dataset& dataset) {
  return DatasetAccess::Of(dataset).reader->metadata();
}
const format::FileReader& DatasetReader(const Dataset& dataset) { return *DatasetAccess::Of(dataset).reader; }

int Dataset::FindColumn(const std::string& name) const {
  for (size_t column = 0; column < rep_->schema.size(); ++column) {
    if (rep_->schema[column].name == name) return int(column);
  }
  return -1;
}

Result<std::shared_ptr<const Dictionary>> Dataset::LoadDictionary(int column) const {
  if (column < 0 || size_t(column) >= rep_->schema.size())
    return Status::InvalidArgument(rep_->path + ": no column " + std::to_string(column));
  if (rep_->part_set) {
    if (!rep_->schema[size_t(column)].dictionary) {
      return Status::InvalidArgument(
          "column '" + rep_->schema[size_t(column)].name + "' of " + rep_->path +
          " has no dictionary common to its parts (some part keeps it as plain text)");
    }
    OC_ASSIGN_OR_RETURN(auto unified, UnifiedDictionaryOf(*rep_->part_set, column));
    return unified->dictionary;
  }
  const format::FileReader& reader = *rep_->reader;
  std::lock_guard lock(rep_->dictionaries_mutex);
  std::vector<std::shared_ptr<const Dictionary>>& dictionaries = rep_->dictionaries;
  if (dictionaries[size_t(column)]) return dictionaries[size_t(column)];
  const format::ColumnMeta& meta = reader.metadata().columns[size_t(column)];
  if (!meta.has_dictionary) {
    return Status::InvalidArgument("column '" + meta.name + "' has no dictionary");
  }
  Buffer stored, payload;
  std::string_view bytes;
  std::string what = "dictionary of column '" + meta.name + "'";
  OC_RETURN_IF_ERROR(ReadPayload(reader, meta.dictionary, what, &stored, &payload, &bytes));
  auto dictionary = std::make_shared<Dictionary>();
  Status s = DecodeDictionary(bytes, nullptr, dictionary.get());
  if (!s.ok()) return s.WithContext(reader.path() + ": " + what);
  if (uint64_t(dictionary->size) != meta.dictionary_entries) {
    return Status::Corruption(reader.path() + ": " + what + " has " + std::to_string(dictionary->size) +
                              " entries, the footer says " + std::to_string(meta.dictionary_entries));
  }
  OC_RETURN_IF_ERROR(CheckUtf8Values(dictionary->offsets.as<int32_t>(), dictionary->bytes.data(),
                                     dictionary->size, reader.path() + ": " + what));
  dictionaries[size_t(column)] = dictionary;
  return std::shared_ptr<const Dictionary>(dictionary);
}

Status Dataset::ReadColumnChunk(int64_t chunk, int column, ColumnVector* out, Buffer* stored,
                                Buffer* payload) const {
  if (rep_->part_set) {
    PartSet& set = *rep_->part_set;
    if (chunk < 0 || chunk >= num_chunks())
      return Status::InvalidArgument(rep_->path + ": no chunk " + std::to_string(chunk));
    const size_t part = PartOfChunk(set, chunk);
    OC_RETURN_IF_ERROR(
        set.parts[part]->ReadColumnChunk(chunk - set.first_chunk[part], column, out, stored, payload));
    if (out->dictionary && rep_->schema[size_t(column)].dictionary) {
      OC_ASSIGN_OR_RETURN(auto unified, UnifiedDictionaryOf(set, column));
      RemapCodes(*unified, part, out);
    } else if (out->dictionary) {
      MaterializeDictionary(out);  // some part keeps the column plain: plain everywhere
    }
    return Status::OK();
  }
  const format::FileReader& reader = *rep_->reader;
  if (chunk < 0 || uint64_t(chunk) >= reader.metadata().chunks.size()) {
    return Status::InvalidArgument(reader.path() + ": no chunk " + std::to_string(chunk));
  }
  format::ChunkMeta chunk_meta;
  OC_RETURN_IF_ERROR(reader.ReadChunk(size_t(chunk), &chunk_meta, stored));
  return outcore::ReadColumnChunk(*this, chunk_meta, chunk, column, out, stored, payload);
}

Status ReadColumnChunk(const Dataset& dataset, const format::ChunkMeta& chunk_meta, int64_t chunk, int column,
                       ColumnVector* out, Buffer* stored, Buffer* payload) {
  const format::FileReader& reader = DatasetReader(dataset);
  const format::FileMetadata& m = reader.metadata();
  const format::ColumnMeta& meta = m.columns[size_t(column)];
  std::string what = ChunkName(chunk, meta.name);
  std::string_view bytes;
  OC_RETURN_IF_ERROR(
      ReadPayload(reader, chunk_meta.columns[size_t(column)].block, what, stored, payload, &bytes));
  std::shared_ptr<const Dictionary> dictionary;
  if (meta.has_dictionary) {
    OC_ASSIGN_OR_RETURN(dictionary, dataset.LoadDictionary(column));
  }
  Status s = DecodeColumn(meta.type, int64_t(chunk_meta.row_count), bytes, dictionary, out);
  if (!s.ok()) return s.WithContext(reader.path() + ": " + what);
  if (out->length != int64_t(chunk_meta.row_count)) {
    return Status::Corruption(reader.path() + ": " + what + " decoded to " + std::to_string(out->length) +
                              " rows, the footer says " + std::to_string(chunk_meta.row_count));
  }
  // Exports declare a column without recorded nulls non-nullable (Arrow's
  // flag, a plain ndarray in Python): a chunk must not contradict its footer.
  if (out->null_count > 0 && !dataset.schema()[size_t(column)].nullable) {
    return Status::Corruption(reader.path() + ": " + what + " holds " + std::to_string(out->null_count) +
                              " nulls, the footer records none in the column (the file is damaged)");
  }
  if (out->type == TypeId::kString && !out->dictionary) {
    OC_RETURN_IF_ERROR(CheckUtf8Values(out->values.as<int32_t>(), out->data.data(), out->length,
                                       reader.path() + ": " + what));
  }
  return Status::OK();
}

Status ReadIndexBlock(const Dataset& dataset, const format::IndexMeta& index, Buffer* out, Buffer* stored) {
  const format::FileReader& reader = DatasetReader(dataset);
  const format::ColumnMeta& meta = reader.metadata().columns[size_t(index.column)];
  const std::string what = std::string(IndexKindName(index.kind)) + " index of column '" + meta.name + "'";
  std::string_view bytes;
  OC_RETURN_IF_ERROR(ReadPayload(reader, index.block, what, stored, out, &bytes));
  if (index.block.codec == format::kCodecNone) {
    out->Clear();
    out->Append(bytes.data(), bytes.size());
  }
  return Status::OK();
}

}  // namespace outcore
