#include "scan/query_plan.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "format/metadata.h"
#include "index/token_index.h"
#include "index/value_index.h"
#include "scan/zone_prune.h"

namespace outcore {

namespace {

// A value index is read when it is at most 1/kValueIndexCostFactor of the
// bytes the scan would read without it (PlanZonesAndIndexes).
constexpr uint64_t kValueIndexCostFactor = 4;

// Appends the columns of `extra` that `columns` lacks, in order.
void AddMissing(const std::vector<int>& extra, std::vector<int>* columns) {
  for (int column : extra) {
    if (std::find(columns->begin(), columns->end(), column) == columns->end()) columns->push_back(column);
  }
}

}  // namespace

// Rows from indexes: each node yields supersets of its true rows and of
// its false rows (nullopt: all rows, nothing known), and whether both are
// exact. Supersets survive and/or, and `not` swaps them, so the plan's rows
// always hold every match.

namespace {

struct RowSets {
  std::optional<RowBitmap> t, f;
  bool exact = false;
};

class IndexPlanner {
 public:
  IndexPlanner(const format::FileMetadata& metadata, const IndexSet& indexes)
      : metadata_(metadata), indexes_(indexes) {}

  Result<RowSets> Plan(const Expr& expr) {
    switch (expr.kind) {
      case ExprKind::kNot: {
        OC_ASSIGN_OR_RETURN(RowSets child, Plan(*expr.children[0]));
        std::swap(child.t, child.f);
        return child;
      }
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        const bool is_and = expr.kind == ExprKind::kAnd;
        OC_ASSIGN_OR_RETURN(RowSets result, Plan(*expr.children[0]));
        for (size_t i = 1; i < expr.children.size(); ++i) {
          OC_ASSIGN_OR_RETURN(RowSets child, Plan(*expr.children[i]));
          // and: true ⊆ t1 ∩ t2, false ⊆ f1 ∪ f2;  or: the mirror image.
          Intersect(is_and ? &result.t : &result.f, is_and ? child.t : child.f);
          Unite(is_and ? &result.f : &result.t, is_and ? child.f : child.t);
          result.exact = result.exact && child.exact;
        }
        return result;
      }
      default:
        return PlanLeaf(expr);
    }
  }

 private:
  static void Intersect(std::optional<RowBitmap>* into, std::optional<RowBitmap>& other) {
    if (!other) return;
    if (!*into) {
      *into = std::move(*other);
    } else {
      (*into)->IntersectWith(*other);
    }
  }
  static void Unite(std::optional<RowBitmap>* into, std::optional<RowBitmap>& other) {
    if (!*into) return;
    if (!other) {
      into->reset();
    } else {
      (*into)->UnionWith(*other);
    }
  }

  Status CheckCovers(uint64_t index_rows, const Expr& leaf) const {
    if (index_rows != metadata_.num_rows) {
      return Status::Corruption("index of column " + std::to_string(leaf.column) + " covers " +
                                std::to_string(index_rows) + " rows but the file has " +
                                std::to_string(metadata_.num_rows));
    }
    return Status::OK();
  }

  Result<RowSets> PlanLeaf(const Expr& leaf) {
    RowSets sets;
    const size_t column = size_t(leaf.column);
    const ValueIndex* value = column < indexes_.value.size() ? indexes_.value[column] : nullptr;
    const TokenIndex* token = column < indexes_.token.size() ? indexes_.token[column] : nullptr;
    RowBitmap matches;
    RowBitmap nulls;
    if (leaf.kind == ExprKind::kContains) {
      if (token == nullptr) return sets;
      OC_RETURN_IF_ERROR(CheckCovers(token->row_count(), leaf));
      OC_ASSIGN_OR_RETURN(matches, token->Lookup(leaf.values[0].string_value));
      OC_ASSIGN_OR_RETURN(nulls, token->Nulls());
    } else if (leaf.kind == ExprKind::kIsNull && value == nullptr && token != nullptr) {
      OC_RETURN_IF_ERROR(CheckCovers(token->row_count(), leaf));
      OC_ASSIGN_OR_RETURN(nulls, token->Nulls());
      matches = nulls.Copy();
    } else {
      if (value == nullptr) return sets;
      if (value->type() != leaf.type) {
        return Status::Corruption("index of column " + std::to_string(column) + " holds " +
                                  std::string(TypeName(value->type())) + " keys, the column is " +
                                  std::string(TypeName(leaf.type)));
      }
      OC_RETURN_IF_ERROR(CheckCovers(value->row_count(), leaf));
      OC_ASSIGN_OR_RETURN(nulls, value->Nulls());
      if (leaf.kind == ExprKind::kIsNull) {
        matches = nulls.Copy();
      } else {
        OC_ASSIGN_OR_RETURN(matches, ValueMatches(leaf, *value, nulls));
      }
    }
    RowBitmap non_null = RowBitmap::Range(0, metadata_.num_rows);
    non_null.Subtract(nulls);
    if (leaf.kind == ExprKind::kIsNull) {
      // is null: true on null rows, false on the rest; never unknown.
      RowBitmap null_rows = std::move(matches);
      sets.t = leaf.negated ? std::move(non_null) : std::move(null_rows);
      sets.f = leaf.negated ? std::move(nulls) : RowBitmap::Range(0, metadata_.num_rows);
      if (!leaf.negated) sets.f->Subtract(*sets.t);
    } else {
      non_null.Subtract(matches);
      sets.t = std::move(matches);
      sets.f = std::move(non_null);  // valid rows that do not match (NaN included)
    }
    sets.exact = true;
    return sets;
  }

  // Rows where the leaf is true, from the value index. `nulls` lets `!=`
  // take "every valid row but the equal ones", which also holds NaN rows.
  Result<RowBitmap> ValueMatches(const Expr& leaf, const ValueIndex& index, const RowBitmap& nulls) {
    std::vector<RowBitmap> parts;
    for (size_t i = 0; i < leaf.values.size(); ++i) {
      if (leaf.kind == ExprKind::kBetween && i > 0) break;
      if (leaf.kind == ExprKind::kCompare && i > 0) break;
      CompareOp op = leaf.kind == ExprKind::kCompare ? leaf.op : CompareOp::kEq;
      const bool between = leaf.kind == ExprKind::kBetween;
      const bool inverted = op == CompareOp::kNe;
      if (inverted) op = CompareOp::kEq;
      auto range_of = [&](auto value_of) {
        using T = decltype(value_of(size_t(0)));
        KeyRange<T> range;
        if (between) {
          range = KeyRange<T>{value_of(0), value_of(1), true, true};
        } else if (op == CompareOp::kEq) {
          range = KeyRange<T>::Equal(value_of(i));
        } else if (op == CompareOp::kLt || op == CompareOp::kLe) {
          range.high = value_of(i);
          range.high_inclusive = op == CompareOp::kLe;
        } else {
          range.low = value_of(i);
          range.low_inclusive = op == CompareOp::kGe;
        }
        return range;
      };
      Result<RowBitmap> part = Status::Corruption("unreachable");
      switch (KeyFormOf(leaf.type)) {
        case KeyForm::kInt64:
          if (between && leaf.values[1].int_value < leaf.values[0].int_value) {
            part = RowBitmap();
            break;
          }
          part = index.LookupIntRange(range_of([&](size_t k) { return leaf.values[k].int_value; }));
          break;
        case KeyForm::kFloat64:
          if (between && leaf.values[1].float_value < leaf.values[0].float_value) {
            part = RowBitmap();
            break;
          }
          part = index.LookupFloatRange(range_of([&](size_t k) { return leaf.values[k].float_value; }));
          break;
        case KeyForm::kString:
          if (between && leaf.values[1].string_value < leaf.values[0].string_value) {
            part = RowBitmap();
            break;
          }
          part = index.LookupStringRange(
              range_of([&](size_t k) { return std::string_view(leaf.values[k].string_value); }));
          break;
      }
      if (!part.ok()) return part.status();
      if (inverted) {
        RowBitmap rest = RowBitmap::Range(0, metadata_.num_rows);
        rest.Subtract(nulls);
        rest.Subtract(*part);
        return rest;
      }
      parts.push_back(std::move(*part));
    }
    std::vector<const RowBitmap*> pointers;
    for (const RowBitmap& part : parts) pointers.push_back(&part);
    return RowBitmap::UnionAll(pointers);
  }

  const format::FileMetadata& metadata_;
  const IndexSet& indexes_;
};

}  // namespace

namespace {

std::string ZoneSkipReason(const ChunkChoice& choice) {
  return choice.core_skipped ? "skipped: zone maps show no row can match (by the core range and its outliers)"
                             : "skipped: zone maps show no row can match";
}

}  // namespace

int64_t QueryPlan::chunks_to_read() const {
  return std::count_if(chunks.begin(), chunks.end(), [](const ChunkChoice& c) { return c.read; });
}

int64_t QueryPlan::chunks_core_skipped() const {
  return std::count_if(chunks.begin(), chunks.end(), [](const ChunkChoice& c) { return c.core_skipped; });
}

std::string QueryPlan::Explain(const format::FileMetadata& metadata) const {
  std::string out;
  for (const IndexChoice& choice : indexes) {
    if (!choice.read && !choice.note.empty()) out += choice.note + "\n";
  }
  uint64_t candidate = 0;
  for (size_t c = 0; c < chunks.size(); ++c) {
    const uint64_t first = c < metadata.chunks.size() ? metadata.chunks[c].first_row : 0;
    const uint64_t count = c < metadata.chunks.size() ? metadata.chunks[c].row_count : 0;
    out += "chunk " + std::to_string(c) + " (rows " + std::to_string(first) + ".." +
           std::to_string(first + count) + "): " + chunks[c].reason + "\n";
    if (chunks[c].read) candidate += chunks[c].candidate_rows;
  }
  out += "read " + std::to_string(chunks_to_read()) + " of " + std::to_string(chunks.size()) + " chunks, " +
         std::to_string(candidate) + " candidate rows";
  if (const int64_t cores = chunks_core_skipped(); cores > 0)
    out +=
        "; " + std::to_string(cores) + " chunks skipped only by core ranges (min/max alone would read them)";
  if (used_index)
    out += rows_exact ? "; the indexes answer the predicate exactly"
                      : "; indexes narrowed the rows, the rest is filtered";
  return out + "\n";
}

Result<QueryPlan> PlanZonesAndIndexes(const Expr& expr, const format::FileMetadata& metadata,
                                      const format::ChunkSource& chunks, const PlanOptions& options,
                                      Buffer* scratch) {
  QueryPlan plan;
  plan.used_zone_maps = options.use_zone_maps;
  const std::vector<int> expr_columns = expr.Columns();
  plan.filter_columns = options.decoded_columns;
  AddMissing(expr_columns, &plan.filter_columns);
  // The one place the zone maps are asked: every later step reads the answer.
  // One chunk's metadata at a time.
  format::ChunkMeta chunk;
  for (size_t c = 0; c < metadata.chunks.size(); ++c) {
    OC_RETURN_IF_ERROR(chunks.ReadChunk(c, &chunk, scratch));
    ChunkChoice choice;
    choice.candidate_rows = chunk.row_count;
    choice.zone_may_match = !options.use_zone_maps || MayMatch(expr, chunk);
    if (!choice.zone_may_match) {
      choice.core_skipped = MayMatch(expr, chunk, /*use_cores=*/false);
      choice.read = false;
      choice.candidate_rows = 0;
      choice.reason = ZoneSkipReason(choice);
    } else {
      for (int column : plan.filter_columns)
        plan.scan_bytes += chunk.columns[size_t(column)].block.stored_size;
    }
    plan.chunks.push_back(std::move(choice));
  }
  // What the scan reads without indexes: the decoded columns' blocks in the
  // chunks the zone maps keep. A value index is worth reading only when it is
  // small against that (reading it whole to skip nothing would cost more than
  // it saves: a low-cardinality column's index is often larger than the
  // column); a token index always is, as `contains` is costly to evaluate and
  // zone maps never help it.
  if (!options.use_indexes) return plan;
  bool every_column_indexed = true;
  for (int column : expr_columns) {
    every_column_indexed &= metadata.FindIndex(column, format::kIndexKindValue) ||
                            metadata.FindIndex(column, format::kIndexKindToken);
  }
  for (int column : expr_columns) {
    for (uint8_t kind : {format::kIndexKindValue, format::kIndexKindToken}) {
      const format::IndexMeta* index = metadata.FindIndex(column, kind);
      if (!index) continue;
      IndexChoice choice;
      choice.index = index;
      choice.name =
          std::string(IndexKindName(kind)) + " index of '" + metadata.columns[size_t(column)].name + "'";
      choice.read = true;
      // Counting, indexes that answer exactly replace every block read:
      // worth it up to their size. An expression on a column without an
      // index is filtered anyway, so there the index must be smaller still.
      // (Exact needs an index on every column.)
      const uint64_t factor = !every_column_indexed ? 2 * kValueIndexCostFactor
                              : options.count_only  ? 1
                                                    : kValueIndexCostFactor;
      if (kind == format::kIndexKindValue && !options.force_indexes &&
          index->block.stored_size * factor > plan.scan_bytes) {
        choice.read = false;
        choice.note = choice.name + " (" + FormatSize(index->block.stored_size) +
                      ") not used: reading it costs more than it can save on the " +
                      FormatSize(plan.scan_bytes) + " of blocks the zone maps leave to read";
      }
      plan.indexes.push_back(std::move(choice));
    }
  }
  return plan;
}

bool AdmitIndex(const MemoryBudget& budget, IndexChoice* choice) {
  const format::BlockRef& block = choice->index->block;
  // Sizes are bounded by ParseFooter, so the sum cannot wrap.
  const uint64_t need = block.stored_size + 2 * block.decoded_size;
  if (block.decoded_size <= budget.limit() && need <= budget.available()) return true;
  choice->read = false;
  choice->note = choice->name + " (" + FormatSize(block.decoded_size) +
                 ") not used: it does not fit --memory-limit " + FormatSize(budget.limit());
  return false;
}

Status PlanRows(const Expr& expr, const format::FileMetadata& metadata, const IndexSet& indexes,
                QueryPlan* plan) {
  if (plan->chunks.size() != metadata.chunks.size()) {
    return Status::InvalidArgument("query plan has " + std::to_string(plan->chunks.size()) +
                                   " chunks, the file " + std::to_string(metadata.chunks.size()));
  }
  std::optional<RowSets> sets;
  // Row numbers past 2^32 cannot be in a bitmap; such files get zone maps only.
  if (metadata.num_rows <= RowBitmap::kMaxRows) {
    IndexPlanner planner(metadata, indexes);
    OC_ASSIGN_OR_RETURN(RowSets planned, planner.Plan(expr));
    sets = std::move(planned);
  }
  plan->used_index = sets && sets->t.has_value();
  plan->rows_exact = plan->used_index && sets->exact;
  if (plan->used_index) plan->rows = std::move(*sets->t);
  for (size_t c = 0; c < metadata.chunks.size(); ++c) {
    const format::ChunkRef& chunk = metadata.chunks[c];
    ChunkChoice& choice = plan->chunks[c];
    if (!choice.zone_may_match) {
      choice.read = false;
      choice.candidate_rows = 0;
      choice.reason = ZoneSkipReason(choice);
    } else if (plan->used_index) {
      choice.candidate_rows =
          plan->rows.CardinalityInRange(chunk.first_row, chunk.first_row + chunk.row_count);
      choice.read = choice.candidate_rows > 0;
      choice.reason = choice.read
                          ? "read: index gives " + std::to_string(choice.candidate_rows) + " candidate rows"
                          : "skipped: index gives no matching row";
    } else {
      choice.read = true;
      choice.candidate_rows = chunk.row_count;
      choice.reason = plan->used_zone_maps ? "read: zone maps allow a match" : "read: zone maps not used";
    }
    if (!choice.read && plan->used_index) {
      plan->rows.Subtract(RowBitmap::Range(chunk.first_row, chunk.first_row + chunk.row_count));
    }
  }
  return Status::OK();
}

Result<QueryPlan> PlanQuery(const Expr& expr, const format::FileMetadata& metadata,
                            const format::ChunkSource& chunks, const IndexSet& indexes, bool use_zone_maps) {
  PlanOptions options;
  options.use_zone_maps = use_zone_maps;
  options.use_indexes = false;  // the caller's indexes are used as they are
  Buffer scratch;
  OC_ASSIGN_OR_RETURN(QueryPlan plan, PlanZonesAndIndexes(expr, metadata, chunks, options, &scratch));
  OC_RETURN_IF_ERROR(PlanRows(expr, metadata, indexes, &plan));
  return plan;
}

}  // namespace outcore
