// String dictionaries (DESIGN.md idea 2: "strings dictionary-encoded, an id per
// distinct value"). A LocalDictionaryBuilder turns one chunk of a plain string
// column into int32 codes + its distinct values; a GlobalDictionary collects
// one column's distinct values across the whole file, chunk by chunk in order,
// so codes are deterministic, and gives up (the caller falls back to plain
// strings) when it would outgrow its share of the memory budget. The
// serialized dictionary is specified in doc/encodings.md, "Dictionary payload".
//
// Thread-safety: both classes are used by one thread at a time (the ingest
// pipeline's ordered commit stage owns a column's GlobalDictionary). The views
// a builder returns point into the column it was given and live as long as it.
//
//   LocalDictionaryBuilder local(&budget);
//   GlobalDictionary global(&budget, 64 << 20);
//   Buffer codes(&budget);  std::vector<std::string_view> uniques;  std::vector<int32_t> remap;
//   local.Build(chunk_column, &codes, &uniques);
//   if (global.Merge(uniques, &remap)) RemapCodes(codes.as<int32_t>(), chunk_column.length, remap);
//   else { /* plain strings for this and every later chunk */ }
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "outcore/column.h"
#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

// Chunk-local dictionary: plain string column -> int32 codes (nulls -> 0) plus
// the distinct values in first-appearance order. Keeps its hash table between
// chunks, so one builder per column serves the whole ingest.
class LocalDictionaryBuilder {
 public:
  // The hash table is charged to `budget` (may be null).
  explicit LocalDictionaryBuilder(MemoryBudget* budget = nullptr);

  // Replaces *codes with plain.length int32 codes and *uniques with views into
  // plain.data; uniques[codes[row]] == plain.GetString(row) for valid rows.
  // Pass the same `uniques` vector every chunk: its previous size presizes
  // the hash table.
  // REQUIRES: plain.type == kString and plain is not dictionary-coded.
  //   builder.Build(column, &codes, &uniques);   // "b","a","b" -> 0,1,0 / {"b","a"}
  void Build(const ColumnVector& plain, Buffer* codes, std::vector<std::string_view>* uniques);

 private:
  Buffer slots_;   // uint64 per slot: hash top 32 bits | (index into uniques + 1); 0 = empty
  Buffer hashes_;  // uint64 per unique: its XXH3 hash (for rehashing)
};

// The file-wide dictionary of one column. Everything it holds (strings,
// offsets, hashes, hash table) is charged to the budget, and released when it
// is destroyed.
class GlobalDictionary {
 public:
  // `max_bytes` is this dictionary's share of the budget.
  GlobalDictionary(MemoryBudget* budget, uint64_t max_bytes);
  ~GlobalDictionary();
  GlobalDictionary(const GlobalDictionary&) = delete;
  GlobalDictionary& operator=(const GlobalDictionary&) = delete;

  // Adds the values not yet present (new codes in the order given) and sets
  // remap[i] = global code of uniques[i]. Returns false and leaves the
  // dictionary UNCHANGED when its memory would pass max_bytes, the budget
  // refuses (TryReserve), or the strings would pass 2 GiB (int32 offsets).
  //   if (!global.Merge(uniques, &remap)) use_plain = true;
  bool Merge(std::span<const std::string_view> uniques, std::vector<int32_t>* remap);

  int64_t size() const { return size_; }
  // Bytes charged to the budget for this dictionary.
  uint64_t memory_bytes() const { return charged_; }
  // REQUIRES: 0 <= code < size().
  std::string_view Get(int64_t code) const;

  // Replaces *payload with the serialized dictionary (doc/encodings.md).
  //   Buffer payload(&budget);  OC_RETURN_IF_ERROR(global.Encode(&payload));
  Status Encode(Buffer* payload) const;
  // A copy as an immutable Dictionary for decoding (buffers charged to `budget`).
  std::shared_ptr<Dictionary> ToDictionary(MemoryBudget* budget) const;

 private:
  int64_t Find(std::string_view value, uint64_t hash) const;
  void Insert(int64_t code, uint64_t hash);
  void Rehash();

  MemoryBudget* budget_;
  uint64_t max_bytes_;
  // Buffers are uncharged; this class charges their capacities itself so that
  // it can ask TryReserve before growing anything.
  Buffer bytes_;
  Buffer offsets_;  // int32[size_ + 1]
  Buffer hashes_;   // uint64[size_]
  Buffer slots_;    // int32 per slot: code, -1 = empty; power-of-two count
  int64_t size_ = 0;
  uint64_t charged_ = 0;
};

// codes[i] = remap[codes[i]] for every i (null rows hold code 0 and get
// remap[0]; they stay null). No-op when remap is empty (an all-null chunk).
// REQUIRES: 0 <= codes[i] < remap.size().
//   RemapCodes(codes.as<int32_t>(), rows, remap);
void RemapCodes(int32_t* codes, int64_t n, std::span<const int32_t> remap);

// Parses a serialized dictionary (hostile input): Corruption when truncated,
// oversized or inconsistent; allocates at most a few times the payload size.
//   Dictionary dict;  OC_RETURN_IF_ERROR(DecodeDictionary(stored, &budget, &dict));
Status DecodeDictionary(std::string_view payload, MemoryBudget* budget, Dictionary* out);

}  // namespace outcore
