// The part manifest: a data set kept as a folder of .oc part files
// (`logs.ocd/part-00000.oc`, ...) has one manifest, `_manifest.ocm`, that
// names its parts in scan order with the schema they share and, per part, its
// rows, chunks, size and column statistics (null count, min/max), so a scan
// can skip whole parts by `where` before it opens them. Layout:
// doc/format.md, "The part manifest"; every constant here cites it.
//
// The manifest is the commit point of a folder: parts are written first, each
// atomically, and the manifest is rewritten last (WriteManifest: temporary +
// rename). A part file the manifest does not name is not part of the data set.
// ParseManifest treats its bytes as hostile: a truncated, damaged or foreign
// manifest is a Corruption error naming the file and what is wrong.
//
// Thread-safety: plain values and functions of their arguments.
//
//   OC_ASSIGN_OR_RETURN(Manifest manifest, ReadManifest("logs.ocd", &budget));
//   OC_ASSIGN_OR_RETURN(auto reader, FileReader::Open("logs.ocd/part-00003.oc"));
//   OC_ASSIGN_OR_RETURN(ManifestPart part, DescribePart(*reader, "part-00003.oc"));
//   OC_RETURN_IF_ERROR(CheckPartSchema(manifest, reader->metadata(), "part-00003.oc"));
//   manifest.parts.push_back(std::move(part));
//   OC_RETURN_IF_ERROR(WriteManifest("logs.ocd", manifest, &budget));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/file_reader.h"
#include "format/metadata.h"

namespace outcore::format {

// doc/format.md, "The part manifest".
inline constexpr char kManifestMagic[8] = {'O', 'C', 'P', 'A', 'R', 'T', 'S', '\0'};
inline constexpr uint32_t kManifestVersion = 1;
inline constexpr size_t kManifestHeaderSize = 16;   // magic, version u32, flags u32
inline constexpr size_t kManifestFramingSize = 32;  // header, body length u64, body xxh3 u64
inline constexpr char kManifestFileName[] = "_manifest.ocm";
// A manifest larger than this is refused before it is read (a million parts
// of a thousand columns' statistics stay far below it).
inline constexpr uint64_t kMaxManifestBytes = uint64_t(1) << 32;

struct ManifestColumn {
  std::string name;
  TypeId type = TypeId::kString;
};

struct ManifestPart {
  std::string file;  // the part's file name inside the folder (no '/')
  uint64_t rows = 0;
  uint64_t chunks = 0;
  uint64_t file_size = 0;        // bytes; a part of another size was replaced since
  std::vector<ZoneMap> columns;  // per schema column: null count and min/max over the part
};

struct Manifest {
  std::vector<ManifestColumn> schema;
  std::vector<ManifestPart> parts;  // in scan order

  uint64_t num_rows() const;
  // What the parsed manifest holds in memory (its entries, names and
  // statistics), for a reader to charge to its budget.
  uint64_t MemoryBytes() const;
};

// The manifest's path in `folder`.
std::string ManifestPath(const std::string& folder);

// The manifest's bytes (header, body, checksum).
void SerializeManifest(const Manifest& manifest, Buffer* out);
// Parses and validates `bytes`; `path` names the manifest in errors.
Status ParseManifest(std::string_view bytes, const std::string& path, Manifest* out);

// Reads `folder`'s manifest into a buffer charged to `budget` and parses it.
// A folder without one is an IOError saying so.
Result<Manifest> ReadManifest(const std::string& folder, MemoryBudget* budget = nullptr);
// Writes `manifest` as `folder`'s manifest atomically (temporary + rename; an
// old manifest stays whole until the rename). `budget` carries its bytes.
Status WriteManifest(const std::string& folder, const Manifest& manifest, MemoryBudget* budget = nullptr);

// The entry of the part `reader` reads, named `file` in its folder: rows,
// chunks, size, and each column's statistics merged over its chunks' zone maps
// (one chunk's metadata read at a time; its scratch charged to `budget`).
Result<ManifestPart> DescribePart(const FileReader& reader, const std::string& file,
                                  MemoryBudget* budget = nullptr);
// The schema a new manifest takes from its first part.
std::vector<ManifestColumn> ManifestSchemaOf(const FileMetadata& metadata);
// OK when the part's columns are the manifest's, same names, types and order;
// otherwise an InvalidArgument naming the part, the column and both sides
// ("part-00002.oc: column 'price' is string, the data set's parts have it as
// int64 (first part: part-00000.oc)").
Status CheckPartSchema(const Manifest& manifest, const FileMetadata& part, const std::string& part_file);

}  // namespace outcore::format
