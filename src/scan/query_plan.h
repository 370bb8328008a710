// Query planning: which chunks a scan with a `where` expression (expression.h)
// reads and — where indexes answer parts of the expression — which rows may
// match. The index path and the scan path give the same rows (doc/query.md,
// "Indexes").
//
// Thread-safety: a QueryPlan is a value; PlanQuery only reads the Expr, the
// metadata and the indexes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "index/row_bitmap.h"
#include "outcore/status.h"
#include "scan/expression.h"

namespace outcore {

namespace format {
struct FileMetadata;
}  // namespace format
class ValueIndex;
class TokenIndex;

// The indexes a plan may use, by schema index (null or absent: none).
struct IndexSet {
  std::vector<const ValueIndex*> value;
  std::vector<const TokenIndex*> token;
};

struct ChunkChoice {
  bool read = true;
  uint64_t candidate_rows = 0;  // rows of the chunk that may match
  std::string reason;           // for --explain: "skipped: zone maps exclude it", ...
};

struct QueryPlan {
  std::vector<ChunkChoice> chunks;  // one per chunk of the file
  // Set when an index narrowed the rows: `rows` holds every matching row of
  // the chunks to read (a superset of the matches unless rows_exact).
  bool used_index = false;
  bool rows_exact = false;  // `rows` are exactly the matches: no filtering needed
  RowBitmap rows;

  int64_t chunks_to_read() const;
  // One line per chunk and a summary, for `outcore cat --explain`.
  std::string Explain(const format::FileMetadata& metadata) const;
};

// Decides which chunks a scan must read and, where indexes answer parts of
// the expression, which rows may match. A chunk is skipped when MayMatch is
// false or the index leaves it no candidate row. Corruption when an index
// block is malformed or does not cover the file's rows.
//   OC_ASSIGN_OR_RETURN(QueryPlan plan, PlanQuery(*where, dataset->metadata(), indexes));
//   for (chunk c with plan.chunks[c].read) { decode; if (!plan.rows_exact) Evaluate(...); }
// `use_zone_maps` = false reads every chunk the indexes do not exclude.
Result<QueryPlan> PlanQuery(const Expr& expr, const format::FileMetadata& metadata, const IndexSet& indexes,
                            bool use_zone_maps = true);

}  // namespace outcore
