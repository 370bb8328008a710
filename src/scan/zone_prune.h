// Zone-map pruning: whether a chunk may hold a row for which an expression
// (expression.h) is true, judged only by the chunk's per-column statistics
// (null count, min/max and the core range beside its few outliers:
// src/format/metadata.h, ZoneMap). Each node answers
// "may some row be true? may some row be false?"; `not` swaps the two and
// and/or combine them, so pruning stays sound under negation and nulls
// (doc/query.md, "Zone maps").
//
// The query planner (query_plan.h) asks this once per chunk and records the
// answer in the plan; the scanner reads the plan.
//
// Thread-safety: only reads its arguments.
//
//   if (!MayMatch(*where, metadata.chunks[c])) continue;  // skip the chunk
#pragma once

#include "scan/expression.h"

namespace outcore {

namespace format {
struct ChunkMeta;
}  // namespace format

// False only when the chunk certainly holds no row for which `expr` is true,
// judged by its zone maps (null counts, min/max, and where a zone map has
// one, its core range and outliers). Never false for a chunk that holds a
// match. `use_cores` = false judges by min/max alone (what a version 4 zone
// map knew), so a caller can tell which chunks only the cores skip.
bool MayMatch(const Expr& expr, const format::ChunkMeta& chunk, bool use_cores = true);

}  // namespace outcore
