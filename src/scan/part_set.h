// A data set kept as a folder of .oc parts (doc/format.md, "The part
// manifest"), as the Dataset of a folder holds it: the manifest, every part
// opened as a Dataset of its own, where each part's chunks and rows start in
// the folder's numbering, and the dictionaries unified across the parts.
//
// Dictionaries across parts (doc/format.md, "Dictionaries across parts"):
// each part keeps the dictionary its ingest built, so a code means a
// different string in each. A folder's dictionary column has one code space:
// the parts' dictionaries merged into one sorted dictionary of their distinct
// strings, and per part a table from its codes to the unified ones, built the
// first time a scan or `info` needs the column and kept (charged to the part
// set's budget). Batches of a folder carry unified codes (RemapCodes). A
// column that some part keeps plain, or only partly coded, is plain strings
// in every batch.
//
// Thread-safety: immutable once opened, but for the unified dictionaries,
// which are built under a mutex and then shared.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "format/manifest.h"
#include "outcore/dataset.h"
#include "scan/expression.h"

namespace outcore {

// One column's dictionary over every part, and each part's way into it.
// Batches (and Arrow arrays made from them) share `dictionary` and may
// outlive the data set: it keeps the budget it is charged to alive.
struct UnifiedDictionary {
  std::shared_ptr<MemoryBudget> budget;  // first: destroyed after the buffers charged to it
  std::shared_ptr<const Dictionary> dictionary;
  std::vector<Buffer> remap;  // per part: int32 unified code by the part's code
};

struct PartSet {
  explicit PartSet(uint64_t budget_limit) : budget(std::make_shared<MemoryBudget>(budget_limit)) {}
  ~PartSet() { budget->Release(manifest_charge); }
  PartSet(const PartSet&) = delete;
  PartSet& operator=(const PartSet&) = delete;

  std::string folder;
  // The manifest, the unified dictionaries and their remap tables are charged here.
  // Shared: the unified dictionaries keep it alive (UnifiedDictionary).
  std::shared_ptr<MemoryBudget> budget;
  format::Manifest manifest;
  uint64_t manifest_charge = 0;  // manifest.MemoryBytes(), charged to `budget`
  std::vector<std::shared_ptr<Dataset>> parts;
  std::vector<PartInfo> infos;
  std::vector<int64_t> first_chunk;  // per part, then the total
  std::vector<int64_t> first_row;    // per part, then the total
  std::vector<ColumnSchema> schema;  // dictionary: every part codes the column completely

  std::mutex dictionaries_mutex;
  std::vector<std::shared_ptr<const UnifiedDictionary>> dictionaries;  // by column, once built
};

// Reads `folder`'s manifest and opens every part it names, checking each
// against it (schema, rows, chunks, size): a mismatch names the part.
Result<std::unique_ptr<PartSet>> OpenPartSet(const std::string& folder);

// The unified dictionary of `column` (REQUIRES: schema[column].dictionary).
Result<std::shared_ptr<const UnifiedDictionary>> UnifiedDictionaryOf(PartSet& set, int column);

// Turns the part-local codes of `column` (decoded from part `part`) into the
// unified code space, in place, and points it at the unified dictionary.
void RemapCodes(const UnifiedDictionary& unified, size_t part, ColumnVector* column);

// Whether part `part`'s statistics in the manifest may hold a row for which
// `where` is true (false: the part is certainly without one, or empty).
bool PartMayMatch(const PartSet& set, size_t part, const Expr& where);

// The part holding folder chunk `chunk`. REQUIRES: 0 <= chunk < total chunks.
size_t PartOfChunk(const PartSet& set, int64_t chunk);

}  // namespace outcore
