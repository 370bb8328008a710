// A folder of parts (scan/part_set.h): opening and checking it against its
// manifest, the dictionaries unified across its parts, pruning by the
// manifest's statistics.
#include "scan/part_set.h"

#include <algorithm>
#include <filesystem>

#include "scan/dataset_internal.h"
#include "scan/zone_prune.h"

namespace outcore {

namespace {

std::string PartPath(const std::string& folder, const std::string& file) {
  return (std::filesystem::path(folder) / file).string();
}

std::string AbsolutePath(const std::string& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

Status CheckPartAgainstManifest(const std::string& folder, const format::ManifestPart& entry,
                                const Dataset& part) {
  const auto replaced = [&](const std::string& what, uint64_t have, uint64_t manifest) {
    return Status::Corruption(PartPath(folder, entry.file) + ": the part has " + std::to_string(have) + " " +
                              what + ", the manifest says " + std::to_string(manifest) +
                              " (the part was replaced or damaged after it was added; add it again with "
                              "oc.add_parts, or ingest it again)");
  };
  if (uint64_t(part.num_rows()) != entry.rows) return replaced("rows", uint64_t(part.num_rows()), entry.rows);
  if (uint64_t(part.num_chunks()) != entry.chunks)
    return replaced("chunks", uint64_t(part.num_chunks()), entry.chunks);
  if (part.file_size() != entry.file_size) return replaced("bytes", part.file_size(), entry.file_size);
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<PartSet>> OpenPartSet(const std::string& folder) {
  auto set = std::make_unique<PartSet>(DefaultMemoryLimit());
  set->folder = folder;
  OC_ASSIGN_OR_RETURN(set->manifest, format::ReadManifest(folder, set->budget.get()));
  const format::Manifest& manifest = set->manifest;
  set->manifest_charge = manifest.MemoryBytes();
  set->budget->Reserve(set->manifest_charge);
  for (const format::ManifestColumn& column : manifest.schema)
    set->schema.push_back(ColumnSchema{column.name, column.type, !manifest.parts.empty(), false});
  int64_t chunks = 0, rows = 0;
  for (const format::ManifestPart& entry : manifest.parts) {
    const std::string path = PartPath(folder, entry.file);
    auto opened = Dataset::Open(path);
    if (!opened.ok()) {
      return opened.status().WithContext("part " + std::to_string(set->parts.size()) + " of " + folder);
    }
    std::shared_ptr<Dataset> part = std::move(*opened);
    OC_RETURN_IF_ERROR(format::CheckPartSchema(manifest, DatasetMetadata(*part), path));
    OC_RETURN_IF_ERROR(CheckPartAgainstManifest(folder, entry, *part));
    for (size_t column = 0; column < set->schema.size(); ++column) {
      const ColumnSchema& have = part->schema()[column];
      set->schema[column].dictionary = set->schema[column].dictionary && have.dictionary;
      set->schema[column].nullable = set->schema[column].nullable || have.nullable;
    }
    set->first_chunk.push_back(chunks);
    set->first_row.push_back(rows);
    chunks += part->num_chunks();
    rows += part->num_rows();
    set->infos.push_back(
        PartInfo{AbsolutePath(path), part->num_rows(), part->num_chunks(), part->file_size()});
    set->parts.push_back(std::move(part));
  }
  set->first_chunk.push_back(chunks);
  set->first_row.push_back(rows);
  set->dictionaries.resize(set->schema.size());
  return set;
}

Result<std::shared_ptr<const UnifiedDictionary>> UnifiedDictionaryOf(PartSet& set, int column) {
  std::lock_guard lock(set.dictionaries_mutex);
  if (set.dictionaries[size_t(column)]) return set.dictionaries[size_t(column)];
  MemoryBudget* budget = set.budget.get();
  std::vector<std::shared_ptr<const Dictionary>> parts;
  uint64_t entries = 0;
  for (const auto& part : set.parts) {
    OC_ASSIGN_OR_RETURN(auto dictionary, part->LoadDictionary(column));
    entries += uint64_t(dictionary->size);
    parts.push_back(std::move(dictionary));
  }
  // Every (part, code), sorted by its string: equal strings end up side by
  // side and become one unified code. 8 bytes an entry, charged.
  Buffer order(budget);
  order.Resize(size_t(entries) * sizeof(uint64_t));
  uint64_t* keys = order.as<uint64_t>();
  size_t at = 0;
  for (size_t part = 0; part < parts.size(); ++part)
    for (int64_t code = 0; code < parts[part]->size; ++code)
      keys[at++] = (uint64_t(part) << 32) | uint64_t(code);
  const auto text = [&](uint64_t key) { return parts[size_t(key >> 32)]->Get(int64_t(key & 0xffffffffu)); };
  std::sort(keys, keys + entries, [&](uint64_t a, uint64_t b) { return text(a) < text(b); });
  auto unified = std::make_shared<UnifiedDictionary>();
  unified->budget = set.budget;
  // The dictionary is handed out alone (batches, Arrow arrays): it holds the
  // budget its buffers are charged to, declared first so it goes last.
  struct Held {
    std::shared_ptr<MemoryBudget> budget;
    Dictionary dictionary;
  };
  auto held = std::make_shared<Held>();
  held->budget = set.budget;
  Dictionary* dictionary = &held->dictionary;
  dictionary->offsets = Buffer(budget);
  dictionary->bytes = Buffer(budget);
  for (const auto& part : parts) {
    unified->remap.emplace_back(budget);
    unified->remap.back().Resize(size_t(part->size) * sizeof(int32_t));
  }
  Buffer offsets(budget);
  offsets.Append("\0\0\0\0", 4);
  int64_t size = 0;
  for (size_t i = 0; i < entries; ++i) {
    const std::string_view value = text(keys[i]);
    if (i == 0 || value != text(keys[i - 1])) {
      dictionary->bytes.Append(value.data(), value.size());
      const auto end = int32_t(dictionary->bytes.size());
      offsets.Append(&end, 4);
      ++size;
    }
    unified->remap[size_t(keys[i] >> 32)].as<int32_t>()[keys[i] & 0xffffffffu] = int32_t(size - 1);
  }
  order.Free();
  dictionary->offsets = std::move(offsets);
  dictionary->size = size;
  unified->dictionary = std::shared_ptr<const Dictionary>(held, dictionary);
  set.dictionaries[size_t(column)] = unified;
  return std::shared_ptr<const UnifiedDictionary>(std::move(unified));
}

void RemapCodes(const UnifiedDictionary& unified, size_t part, ColumnVector* column) {
  const int32_t* remap = unified.remap[part].as<int32_t>();
  const auto known = int64_t(unified.remap[part].size() / sizeof(int32_t));
  int32_t* codes = column->values.as<int32_t>();
  for (int64_t row = 0; row < column->length; ++row) {
    if (codes[row] >= 0 && codes[row] < known && column->IsValid(row)) codes[row] = remap[codes[row]];
  }
  column->dictionary = unified.dictionary;
}

bool PartMayMatch(const PartSet& set, size_t part, const Expr& where) {
  const format::ManifestPart& entry = set.manifest.parts[part];
  if (entry.rows == 0) return false;  // an empty part holds no match
  format::ChunkMeta stats;
  stats.row_count = entry.rows;
  stats.columns.resize(entry.columns.size());
  for (size_t column = 0; column < entry.columns.size(); ++column)
    stats.columns[column].zone = entry.columns[column];
  return MayMatch(where, stats);
}

size_t PartOfChunk(const PartSet& set, int64_t chunk) {
  // The last part whose first chunk is <= chunk (an empty part starts where the next does).
  auto it = std::upper_bound(set.first_chunk.begin(), set.first_chunk.end() - 1, chunk);
  return size_t(it - set.first_chunk.begin()) - 1;
}

}  // namespace outcore
