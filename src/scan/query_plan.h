// Query planning: which chunks a scan with a `where` expression (expression.h)
// reads, which of the file's indexes are worth reading for it, and — where
// indexes answer parts of the expression — which rows may match. The index
// path and the scan path give the same rows (doc/query.md, "Indexes").
//
// A plan is made in two steps around the one thing the planner does not do,
// reading index blocks (that is I/O, the scanner's):
//
//   // zone maps, once per chunk (each chunk's metadata read from `reader`); cost model:
//   OC_ASSIGN_OR_RETURN(QueryPlan plan, PlanZonesAndIndexes(*where, metadata, reader, options, &scratch));
//   IndexSet indexes = ...;  // load each plan.indexes[i] with read set, if AdmitIndex(budget,
//   &plan.indexes[i]) OC_RETURN_IF_ERROR(PlanRows(*where, metadata, indexes, &plan));  // index rows, chunks
//   to read for (chunk c with plan.chunks[c].read) { decode; if (!plan.rows_exact) Evaluate(...); }
//
// PlanQuery does both steps for callers that hold their indexes already.
//
// Thread-safety: a QueryPlan is a value; the functions only read the Expr,
// the metadata and the indexes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/metadata.h"
#include "index/row_bitmap.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "scan/expression.h"

namespace outcore {

class ValueIndex;
class TokenIndex;

// The indexes a plan may use, by schema index (null or absent: none).
struct IndexSet {
  std::vector<const ValueIndex*> value;
  std::vector<const TokenIndex*> token;
};

struct ChunkChoice {
  // The zone maps' answer (MayMatch), asked once when the plan is made; true
  // when zone maps are not used. Later steps and the scanner read this.
  bool zone_may_match = true;
  // Skipped only thanks to a core range: min/max alone would have read it.
  bool core_skipped = false;
  bool read = true;
  uint64_t candidate_rows = 0;  // rows of the chunk that may match
  std::string reason;           // for --explain: "skipped: zone maps exclude it", ...
};

// An index of a column the expression reads, and whether the scan reads it.
struct IndexChoice {
  const format::IndexMeta* index = nullptr;  // in the metadata the plan was made from
  std::string name;                          // "value index of 'topic'"
  bool read = false;                         // the scan loads it
  std::string note;                          // when not read, why (one line of Explain)
};

// What the scan around the plan will do, for the index cost model.
struct PlanOptions {
  std::vector<int> decoded_columns;  // schema indexes the scan decodes for its batches (its projection)
  bool use_zone_maps = true;         // false: no chunk is skipped by its min/max
  bool use_indexes = true;           // false: no index is read
  bool force_indexes = false;        // read every index that fits, even where it costs more than it saves
  bool count_only = false;           // only counting: an index that answers exactly replaces every block read
};

struct QueryPlan {
  std::vector<ChunkChoice> chunks;  // one per chunk of the file
  // The indexes of the expression's columns that the file has, by column,
  // value index before token index.
  std::vector<IndexChoice> indexes;
  // What a scan that filters its rows decodes: the decoded columns, then the
  // expression's columns they lack.
  std::vector<int> filter_columns;
  // Stored bytes of filter_columns in the chunks the zone maps keep: what the
  // scan reads without indexes.
  uint64_t scan_bytes = 0;
  bool used_zone_maps = true;  // chunks[c].zone_may_match is the zone maps' answer, not a default
  // Set when an index narrowed the rows: `rows` holds every matching row of
  // the chunks to read (a superset of the matches unless rows_exact).
  bool used_index = false;
  bool rows_exact = false;  // `rows` are exactly the matches: no filtering needed
  RowBitmap rows;

  int64_t chunks_to_read() const;
  // Chunks skipped only thanks to a zone map's core range and outliers.
  int64_t chunks_core_skipped() const;
  // The indexes left out and why, one line per chunk and a summary, for
  // `outcore cat --explain`.
  std::string Explain(const format::FileMetadata& metadata) const;
};

// The first step: asks the zone maps about every chunk (once each; skipped
// chunks are final), and decides which indexes are worth reading. A value
// index is read when it is small against scan_bytes (a quarter of it; an
// eighth when a column of the expression has no index, as its rows are
// filtered anyway; all of it when counting with an index on every column),
// or with force_indexes; a token index always is (`contains` is costly to
// evaluate and zone maps never help it).
// Each chunk's zone maps are read from `chunks` one chunk at a time (the
// metadata block into `scratch`, which the caller charges to its budget); a
// chunk whose metadata cannot be read is an error.
Result<QueryPlan> PlanZonesAndIndexes(const Expr& expr, const format::FileMetadata& metadata,
                                      const format::ChunkSource& chunks, const PlanOptions& options,
                                      Buffer* scratch);

// Whether the index of `choice` can be loaded now, within what `budget` has
// left: its stored block, the decompressed copy and the index's own copy are
// held at once. When it cannot, `choice` is marked not read, with its note.
bool AdmitIndex(const MemoryBudget& budget, IndexChoice* choice);

// The second step: where `indexes` answer parts of the expression, the rows
// that may match; then which of the chunks the zone maps kept are read (a
// chunk the index leaves no candidate row is skipped). Corruption when an
// index does not cover the file's rows or holds keys of another type.
// REQUIRES: `plan` came from PlanZonesAndIndexes(expr, metadata, ...).
Status PlanRows(const Expr& expr, const format::FileMetadata& metadata, const IndexSet& indexes,
                QueryPlan* plan);

// Both steps with indexes the caller holds (no cost model: every index in
// `indexes` is used).
//   OC_ASSIGN_OR_RETURN(QueryPlan plan, PlanQuery(*where, metadata, reader, indexes));
// `use_zone_maps` = false reads every chunk the indexes do not exclude.
Result<QueryPlan> PlanQuery(const Expr& expr, const format::FileMetadata& metadata,
                            const format::ChunkSource& chunks, const IndexSet& indexes,
                            bool use_zone_maps = true);

}  // namespace outcore
