// StringColumnEncoder: the per-column policy that ingest needs for strings —
// dictionary-code each chunk against the column's GlobalDictionary while that
// fits its memory share, and fall back to plain strings for this and every
// later chunk once it does not (or once the column looks like unique ids).
// Owns the column's dictionary; the format layer stores dictionary() when
// dictionary_used(). Layout of what it writes: doc/encodings.md.
//
// Thread-safety: one instance per string column, driven by one thread with
// chunks in file order (codes depend on that order).
//
//   StringColumnEncoder topic(&budget, 32 << 20);
//   for (each chunk) OC_RETURN_IF_ERROR(topic.EncodeChunk(chunk.column("topic"), {}, &payload));
//   if (topic.dictionary_used()) OC_RETURN_IF_ERROR(topic.dictionary().Encode(&dict_payload));
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "encoding/column_encoder.h"
#include "encoding/dictionary.h"
#include "outcore/column.h"
#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

class StringColumnEncoder {
 public:
  // A first chunk of at least this many valid rows with more than
  // kMaxDistinctFraction distinct values goes plain: ids and free text gain
  // nothing from a dictionary but would fill the budget with it.
  static constexpr int64_t kSampleRows = 1024;
  static constexpr double kMaxDistinctFraction = 0.5;

  // The dictionary may use up to `dictionary_max_bytes` of `budget`.
  StringColumnEncoder(MemoryBudget* budget, uint64_t dictionary_max_bytes);

  // Replaces *payload with the next chunk, as `dict` codes or `plain`.
  // REQUIRES: plain.type == kString, plain strings (not dictionary-coded).
  Status EncodeChunk(const ColumnVector& plain, const EncodeOptions& options, Buffer* payload);

  // True while chunks are still dictionary-coded.
  bool dictionary_active() const { return active_; }
  // True once any chunk was written as codes: the file needs dictionary().
  bool dictionary_used() const { return used_; }
  const GlobalDictionary& dictionary() const { return global_; }

 private:
  Status EncodePlain(const ColumnVector& plain, const EncodeOptions& options, Buffer* payload);

  LocalDictionaryBuilder local_;
  GlobalDictionary global_;
  ColumnVector coded_;  // reused across chunks: codes + validity
  std::vector<std::string_view> uniques_;
  std::vector<int32_t> remap_;
  bool active_ = true;
  bool used_ = false;
};

}  // namespace outcore
