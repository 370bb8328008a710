// The planning room, and the property that ties the rooms together: on
// random chunked data, Evaluate agrees with a row-by-row evaluator, the zone
// maps never prune a chunk that holds a match, and every index plan (all
// indexes, none, some) holds every match — exactly the matches when it says so.
#include "scan/query_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "csv/value_parser.h"
#include "encoding/stats.h"
#include "format/metadata.h"
#include "format/zone_map.h"
#include "index/column_test_util.h"
#include "index/token_index.h"
#include "index/value_index.h"
#include "scan/evaluate.h"
#include "scan/expression.h"
#include "scan/zone_prune.h"

namespace outcore {
namespace {

using testutil::FloatColumn;
using testutil::IntColumn;
using testutil::StringColumn;

// A test table: per column, one optional value per row, kept beside the
// ColumnVectors so a row-by-row evaluator can check the batch evaluator.
using Value = std::variant<int64_t, double, std::string>;
using Cell = std::optional<Value>;

const std::vector<ColumnSchema> kSchema = {
    {"flag", TypeId::kBool, false},    {"n", TypeId::kInt64, false},        {"x", TypeId::kFloat64, false},
    {"topic", TypeId::kString, true},  {"word", TypeId::kString, false},    {"d", TypeId::kDate, false},
    {"ts", TypeId::kTimestamp, false}, {"passage", TypeId::kString, false},
};
const std::vector<std::string> kWords = {"", "apple", "food", "Food", "ice", "cream", "zebra", "caf\xc3\xa9"};

ColumnVector MakeColumn(size_t column, const std::vector<Cell>& cells) {
  const TypeId type = kSchema[column].type;
  if (type == TypeId::kFloat64) {
    std::vector<std::optional<double>> values;
    for (const Cell& c : cells)
      values.push_back(c ? std::optional<double>(std::get<double>(*c)) : std::nullopt);
    return FloatColumn(values);
  }
  if (type == TypeId::kString) {
    std::vector<std::optional<std::string>> values;
    for (const Cell& c : cells)
      values.push_back(c ? std::optional<std::string>(std::get<std::string>(*c)) : std::nullopt);
    return StringColumn(values, kSchema[column].dictionary);
  }
  std::vector<std::optional<int64_t>> values;
  for (const Cell& c : cells)
    values.push_back(c ? std::optional<int64_t>(std::get<int64_t>(*c)) : std::nullopt);
  return IntColumn(type, values);
}

// --- The brute-force evaluator: SQL three-valued logic, one row at a time.

std::optional<bool> RowTruth(const Expr& e, const std::vector<std::vector<Cell>>& table, size_t row) {
  switch (e.kind) {
    case ExprKind::kNot: {
      auto v = RowTruth(*e.children[0], table, row);
      return v ? std::optional<bool>(!*v) : std::nullopt;
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      const bool is_and = e.kind == ExprKind::kAnd;
      bool unknown = false;
      for (const auto& child : e.children) {
        auto v = RowTruth(*child, table, row);
        if (!v)
          unknown = true;
        else if (*v != is_and)
          return !is_and;  // a false in and, a true in or, decides
      }
      return unknown ? std::nullopt : std::optional<bool>(is_and);
    }
    default:
      break;
  }
  const Cell& cell = table[size_t(e.column)][row];
  if (e.kind == ExprKind::kIsNull) return cell.has_value() == e.negated;
  if (!cell) return std::nullopt;
  if (e.kind == ExprKind::kContains) {
    const auto have = Tokenize(std::get<std::string>(*cell));
    return std::includes(have.begin(), have.end(), e.tokens.begin(), e.tokens.end());
  }
  auto compare = [&](auto v, auto literal_of) -> bool {
    switch (e.kind) {
      case ExprKind::kCompare: {
        auto c = literal_of(e.values[0]);
        switch (e.op) {
          case CompareOp::kEq:
            return v == c;
          case CompareOp::kNe:
            return v != c;
          case CompareOp::kLt:
            return v < c;
          case CompareOp::kLe:
            return v <= c;
          case CompareOp::kGt:
            return v > c;
          case CompareOp::kGe:
            return v >= c;
        }
        return false;
      }
      case ExprKind::kBetween:
        return literal_of(e.values[0]) <= v && v <= literal_of(e.values[1]);
      case ExprKind::kIn:
        for (const Literal& l : e.values) {
          if (v == literal_of(l)) return true;
        }
        return false;
      default:
        return false;
    }
  };
  if (e.type == TypeId::kFloat64)
    return compare(std::get<double>(*cell), [](const Literal& l) { return l.float_value; });
  if (e.type == TypeId::kString) {
    return compare(std::get<std::string>(*cell), [](const Literal& l) { return l.string_value; });
  }
  return compare(std::get<int64_t>(*cell), [](const Literal& l) { return l.int_value; });
}

// --- Random data in chunks whose ranges drift, so zone maps can prune; the
// number columns have a rare value far out, so some chunks get a core range.

struct TestFile {
  std::vector<std::vector<std::vector<Cell>>> chunks;  // chunk -> column -> rows
  std::vector<std::vector<Cell>> all;                  // column -> all rows
  format::FileMetadata metadata;
  format::InMemoryChunks source;                   // each chunk's zone maps
  std::vector<std::vector<ColumnVector>> vectors;  // chunk -> column
  std::vector<ValueIndex> value_indexes;
  std::vector<TokenIndex> token_indexes;
};

Cell RandomCell(size_t column, size_t chunk, std::mt19937& rng) {
  if (rng() % 10 == 0) return std::nullopt;
  const int64_t base = int64_t(chunk) * 40;
  // Far out, below or above: a core's outlier, or several too many for one.
  const int64_t far = rng() % 60 == 0 ? int64_t(rng() % 2 ? -1 : 1) * int64_t(200 + rng() % 20) : 0;
  switch (column) {
    case 0:
      return Value(int64_t(chunk % 3 == 0 ? 1 : rng() % 2));
    case 1:
      return Value(far * 3 + base + int64_t(rng() % 60) - 10);
    case 2: {
      const uint32_t pick = uint32_t(rng() % 40);
      if (pick == 0) return Value(std::nan(""));
      if (pick == 1) return Value(-0.0);
      if (chunk == 5) return Value(std::nan(""));  // a chunk of only NaN (and nulls)
      return Value(double(base + far) + double(rng() % 1000) / 16.0);
    }
    case 3:
      return Value(kWords[(chunk + rng() % 3) % kWords.size()]);
    case 4:
      return Value(kWords[rng() % kWords.size()]);
    case 5:
      return Value(int64_t(19000 + base + far + int64_t(rng() % 50)));
    case 6:
      return Value(int64_t(1700000000000000LL + (base + far + int64_t(rng() % 50)) * 1000000LL));
    default: {
      std::string text;
      for (int w = int(rng() % 6); w > 0; --w)
        text += kWords[(chunk + rng() % 4) % kWords.size()] + (rng() % 2 ? " " : ", ");
      return Value(text);
    }
  }
}

format::ZoneMap ZoneOf(const ColumnVector& column) { return format::ZoneMapFromStats(ComputeStats(column)); }

TestFile MakeFile(uint32_t seed) {
  std::mt19937 rng(seed);
  TestFile file;
  file.all.resize(kSchema.size());
  std::vector<std::unique_ptr<ValueIndexBuilder>> builders;
  for (const ColumnSchema& column : kSchema)
    builders.push_back(std::make_unique<ValueIndexBuilder>(column.type, nullptr, 1 << 30));
  TokenIndexBuilder passage_tokens(nullptr, 1 << 30), word_tokens(nullptr, 1 << 30);
  uint64_t first_row = 0;
  for (size_t chunk = 0; chunk < 8; ++chunk) {
    const size_t rows = 20 + rng() % 200;
    format::ChunkMeta meta;
    meta.first_row = first_row;
    meta.row_count = rows;
    file.chunks.emplace_back(kSchema.size());
    file.vectors.emplace_back();
    for (size_t column = 0; column < kSchema.size(); ++column) {
      auto& cells = file.chunks.back()[column];
      for (size_t r = 0; r < rows; ++r) cells.push_back(RandomCell(column, chunk, rng));
      file.all[column].insert(file.all[column].end(), cells.begin(), cells.end());
      file.vectors.back().push_back(MakeColumn(column, cells));
      const ColumnVector& vector = file.vectors.back().back();
      format::ColumnChunkMeta column_meta;
      column_meta.zone = ZoneOf(vector);
      meta.columns.push_back(column_meta);
      EXPECT_TRUE(builders[column]->AddChunk(vector, first_row).ok());
      if (column == 7) {
        EXPECT_TRUE(passage_tokens.AddChunk(vector, first_row).ok());
      }
      if (column == 4) {
        EXPECT_TRUE(word_tokens.AddChunk(vector, first_row).ok());
      }
    }
    file.source.chunks().push_back(std::move(meta));
    first_row += rows;
  }
  file.source.FillDirectory(&file.metadata);
  for (size_t column = 0; column < kSchema.size(); ++column) {
    Buffer block;
    EXPECT_TRUE(builders[column]->Serialize(&block).ok());
    file.value_indexes.push_back(std::move(*ValueIndex::Deserialize(block.view())));
  }
  for (TokenIndexBuilder* builder : {&word_tokens, &passage_tokens}) {
    Buffer block;
    EXPECT_TRUE(builder->Serialize(&block).ok());
    file.token_indexes.push_back(std::move(*TokenIndex::Deserialize(block.view())));
  }
  return file;
}

// --- Random predicate text.

std::string LiteralFor(size_t column, std::mt19937& rng, const TestFile& file) {
  // Half the time a value that occurs in the data, else a nearby or odd one.
  const auto& cells = file.all[column];
  const Cell& cell = cells[rng() % cells.size()];
  char buffer[kFormatBufferSize];
  switch (kSchema[column].type) {
    case TypeId::kBool:
      return rng() % 2 ? "true" : "FALSE";
    case TypeId::kInt64: {
      int64_t v = cell && rng() % 2 ? std::get<int64_t>(*cell) : int64_t(rng() % 400) - 20;
      return std::string(buffer, FormatInt64(v, buffer));
    }
    case TypeId::kFloat64: {
      double v = cell && rng() % 2 ? std::get<double>(*cell) : double(rng() % 4000) / 10.0 - 50;
      if (std::isnan(v)) v = 1.5;
      if (rng() % 5 == 0) return std::to_string(int64_t(v));  // an integer literal on a float column
      return std::string(buffer, FormatFloat64(v, buffer));
    }
    case TypeId::kString: {
      std::string v = cell && rng() % 2 ? std::get<std::string>(*cell)
                                        : kWords[rng() % kWords.size()] + (rng() % 3 ? "" : "z");
      if (column == 7 || rng() % 4 == 0) v = kWords[1 + rng() % (kWords.size() - 1)];
      std::string quoted = "'";
      for (char c : v) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      return quoted + "'";
    }
    case TypeId::kDate: {
      int64_t v = cell && rng() % 2 ? std::get<int64_t>(*cell) : 19000 + int64_t(rng() % 360);
      return "'" + std::string(buffer, FormatDate(int32_t(v), buffer)) + "'";
    }
    case TypeId::kTimestamp: {
      int64_t v = cell && rng() % 2 ? std::get<int64_t>(*cell)
                                    : 1700000000000000LL + int64_t(rng() % 360) * 1000000LL;
      return "'" + std::string(buffer, FormatTimestamp(v, buffer)) + "'";
    }
  }
  return "0";
}

std::string LeafText(size_t column, int form, std::mt19937& rng, const TestFile& file) {
  static const char* kOps[] = {"==", "!=", "<", "<=", ">", ">="};
  const std::string name = kSchema[column].name;
  switch (form) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
      return name + " " + kOps[form] + " " + LiteralFor(column, rng, file);
    case 6: {
      std::string list = name + (rng() % 4 == 0 ? " not in (" : " in (");
      for (int i = 0, n = 1 + int(rng() % 4); i < n; ++i)
        list += (i ? ", " : "") + LiteralFor(column, rng, file);
      return list + ")";
    }
    case 7:
      return name + (rng() % 4 == 0 ? " not between " : " between ") + LiteralFor(column, rng, file) +
             " and " + LiteralFor(column, rng, file);
    case 8:
      return name + " is null";
    case 9:
      return name + " is not null";
    default: {
      std::string words = kWords[1 + rng() % (kWords.size() - 1)];
      if (rng() % 3 == 0) words += " " + kWords[1 + rng() % (kWords.size() - 1)];
      return name + " contains '" + words + "'";
    }
  }
}

// Chunks that only a core range pruned, over every CheckExpression call.
int core_pruned_chunks = 0;

std::string RandomExpression(std::mt19937& rng, const TestFile& file, int depth) {
  if (depth == 0 || rng() % 3 == 0) {
    const size_t column = rng() % kSchema.size();
    const int forms = kSchema[column].type == TypeId::kString ? 11 : 10;
    return LeafText(column, int(rng() % forms), rng, file);
  }
  switch (rng() % 4) {
    case 0:
      return "not (" + RandomExpression(rng, file, depth - 1) + ")";
    case 1:
      return "(" + RandomExpression(rng, file, depth - 1) + ") or " + RandomExpression(rng, file, depth - 1);
    default:
      return RandomExpression(rng, file, depth - 1) + " AND (" + RandomExpression(rng, file, depth - 1) + ")";
  }
}

// Checks one parsed expression against the brute force on every chunk, the
// zone-map pruning, and the index plans (all indexes, none, some).
void CheckExpression(const Expr& expr, const TestFile& file, const std::string& text, int* pruned_chunks,
                     int* exact_plans) {
  std::vector<uint32_t> matches;
  std::vector<bool> chunk_has_match(file.chunks.size());
  for (size_t chunk = 0; chunk < file.chunks.size(); ++chunk) {
    const uint64_t first_row = file.metadata.chunks[chunk].first_row;
    const size_t rows = file.chunks[chunk][0].size();
    std::vector<const ColumnVector*> columns;
    for (const ColumnVector& v : file.vectors[chunk]) columns.push_back(&v);
    MemoryBudget budget(1 << 30);
    Buffer selection(&budget);
    ASSERT_TRUE(Evaluate(expr, columns, int64_t(rows), &selection).ok()) << text;
    ASSERT_EQ(selection.size(), size_t(BitmapBytes(int64_t(rows))));
    for (size_t row = 0; row < rows; ++row) {
      const bool expected = RowTruth(expr, file.chunks[chunk], row) == std::optional<bool>(true);
      ASSERT_EQ(GetBit(selection.data(), int64_t(row)), expected)
          << text << " chunk " << chunk << " row " << row;
      if (expected) {
        matches.push_back(uint32_t(first_row + row));
        chunk_has_match[chunk] = true;
      }
    }
    const bool may = MayMatch(expr, file.source.chunks()[chunk]);
    ASSERT_TRUE(may || !chunk_has_match[chunk])
        << "zone maps pruned a matching chunk " << chunk << ": " << text;
    if (!may) ++*pruned_chunks;
    if (!may && MayMatch(expr, file.source.chunks()[chunk], /*use_cores=*/false)) ++core_pruned_chunks;
  }
  IndexSet all, none, some;
  for (const ValueIndex& index : file.value_indexes) all.value.push_back(&index);
  all.token = {
      nullptr, nullptr, nullptr, nullptr, &file.token_indexes[0], nullptr, nullptr, &file.token_indexes[1]};
  some.value = {nullptr, &file.value_indexes[1], nullptr, &file.value_indexes[3]};
  some.token = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &file.token_indexes[1]};
  for (const IndexSet* indexes : {&all, &none, &some}) {
    auto plan = PlanQuery(expr, file.metadata, file.source, *indexes);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    ASSERT_EQ(plan->chunks.size(), file.chunks.size());
    for (size_t chunk = 0; chunk < file.chunks.size(); ++chunk) {
      ASSERT_TRUE(plan->chunks[chunk].read || !chunk_has_match[chunk])
          << "plan skipped a matching chunk: " << text;
    }
    if (!plan->used_index) continue;
    const std::vector<uint32_t> rows = plan->rows.ToVector();
    if (plan->rows_exact) {
      ASSERT_EQ(rows, matches) << "index path differs from scan path: " << text;
      ++*exact_plans;
      // What a scanner on the index path would select in each chunk read.
      for (size_t chunk = 0; chunk < file.chunks.size(); ++chunk) {
        const format::ChunkRef& meta = file.metadata.chunks[chunk];
        std::vector<uint8_t> bits(size_t(BitmapBytes(int64_t(meta.row_count))), 0);
        plan->rows.FillBits(meta.first_row, int64_t(meta.row_count), bits.data());
        for (uint64_t row = 0; row < meta.row_count; ++row) {
          const bool expected = RowTruth(expr, file.chunks[chunk], size_t(row)) == std::optional<bool>(true);
          ASSERT_EQ(GetBit(bits.data(), int64_t(row)), expected) << text;
        }
      }
    } else {
      ASSERT_TRUE(std::includes(rows.begin(), rows.end(), matches.begin(), matches.end())) << text;
    }
  }
}

TEST(Predicate, EveryOperatorOnEveryTypeMatchesRowByRowEvaluation) {
  TestFile file = MakeFile(1);
  std::mt19937 rng(2);
  int pruned = 0, exact = 0;
  for (size_t column = 0; column < kSchema.size(); ++column) {
    const int forms = kSchema[column].type == TypeId::kString ? 11 : 10;
    for (int form = 0; form < forms; ++form) {
      for (int repeat = 0; repeat < 6; ++repeat) {
        const std::string text = LeafText(column, form, rng, file);
        auto expr = ParsePredicate(text, kSchema);
        ASSERT_TRUE(expr.ok()) << text << "\n" << expr.status().ToString();
        CheckExpression(**expr, file, text, &pruned, &exact);
      }
    }
  }
  EXPECT_GT(pruned, 20);  // the zone maps did prune, so the property is not vacuous
  EXPECT_GT(exact, 100);
}

TEST(Predicate, RandomCompoundExpressionsAgreeAcrossScanZoneMapsAndIndexes) {
  int pruned = 0, exact = 0;
  for (uint32_t seed = 10; seed < 14; ++seed) {
    TestFile file = MakeFile(seed);
    std::mt19937 rng(seed * 7);
    for (int trial = 0; trial < 150; ++trial) {
      const std::string text = RandomExpression(rng, file, 3);
      auto expr = ParsePredicate(text, kSchema);
      ASSERT_TRUE(expr.ok()) << text << "\n" << expr.status().ToString();
      // The printed form parses back to the same expression.
      const std::string printed = (*expr)->ToString(kSchema);
      auto again = ParsePredicate(printed, kSchema);
      ASSERT_TRUE(again.ok()) << printed << "\n" << again.status().ToString();
      ASSERT_EQ((*again)->ToString(kSchema), printed);
      CheckExpression(**expr, file, text, &pruned, &exact);
    }
  }
  EXPECT_GT(pruned, 50);
  EXPECT_GT(exact, 100);
  EXPECT_GT(core_pruned_chunks, 20);  // the cores were asked, and pruned
}

TEST(Predicate, PlanExplainsSkippedChunks) {
  TestFile file = MakeFile(5);
  auto expr = ParsePredicate("n > 250", kSchema);
  ASSERT_TRUE(expr.ok());
  auto plan = PlanQuery(**expr, file.metadata, file.source, IndexSet{});
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->used_index);
  EXPECT_LT(plan->chunks_to_read(), int64_t(file.chunks.size()));
  const std::string explain = plan->Explain(file.metadata);
  EXPECT_NE(explain.find("skipped: zone maps"), std::string::npos) << explain;
  EXPECT_NE(explain.find("read " + std::to_string(plan->chunks_to_read()) + " of 8 chunks"),
            std::string::npos);
}

TEST(Predicate, PlanRejectsAnIndexThatDoesNotCoverTheFile) {
  TestFile file = MakeFile(6);
  auto expr = ParsePredicate("n == 3", kSchema);
  ASSERT_TRUE(expr.ok());
  format::FileMetadata shorter = file.metadata;
  shorter.num_rows -= 1;
  IndexSet indexes;
  indexes.value = {nullptr, &file.value_indexes[1]};
  EXPECT_EQ(PlanQuery(**expr, shorter, file.source, indexes).status().code(), StatusCode::kCorruption);
}

// --- The plan records the zone maps' answer once per chunk, and every later
// step obeys it instead of asking again.

QueryPlan Zones(const Expr& expr, const TestFile& file, const PlanOptions& options) {
  Buffer scratch;
  auto plan = PlanZonesAndIndexes(expr, file.metadata, file.source, options, &scratch);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? std::move(*plan) : QueryPlan{};
}

TEST(QueryPlan, TheRowsStepObeysTheRecordedZoneAnswerInsteadOfAskingAgain) {
  TestFile file = MakeFile(7);
  auto expr = ParsePredicate("n > 150", kSchema);
  ASSERT_TRUE(expr.ok());
  IndexSet all;
  for (const ValueIndex& index : file.value_indexes) all.value.push_back(&index);
  PlanOptions options;
  options.use_indexes = false;  // the caller holds the indexes
  QueryPlan zones = Zones(**expr, file, options);
  ASSERT_EQ(zones.chunks.size(), file.chunks.size());
  int64_t kept = -1, excluded = -1;
  for (size_t c = 0; c < zones.chunks.size(); ++c) {
    const bool may = MayMatch(**expr, file.source.chunks()[c]);
    ASSERT_EQ(zones.chunks[c].zone_may_match, may) << c;
    ASSERT_EQ(zones.chunks[c].read, may) << c;
    if (may) kept = int64_t(c);
    if (!may && excluded < 0) excluded = int64_t(c);
  }
  ASSERT_GE(kept, 0);
  ASSERT_GE(excluded, 0);
  const format::ChunkRef& kept_meta = file.metadata.chunks[size_t(kept)];
  for (bool with_indexes : {true, false}) {
    const IndexSet none;
    QueryPlan plan = Zones(**expr, file, options);
    // A decision the zone maps would not make: the rows step must follow the
    // plan, in both directions.
    plan.chunks[size_t(kept)].zone_may_match = false;
    plan.chunks[size_t(excluded)].zone_may_match = true;
    ASSERT_TRUE(PlanRows(**expr, file.metadata, with_indexes ? all : none, &plan).ok());
    EXPECT_FALSE(plan.chunks[size_t(kept)].read);
    EXPECT_EQ(plan.chunks[size_t(kept)].candidate_rows, 0u);
    EXPECT_EQ(plan.chunks[size_t(kept)].reason, "skipped: zone maps show no row can match");
    if (with_indexes) {
      ASSERT_TRUE(plan.used_index);
      EXPECT_EQ(plan.rows.CardinalityInRange(kept_meta.first_row, kept_meta.first_row + kept_meta.row_count),
                0u);
      EXPECT_EQ(plan.chunks[size_t(excluded)].reason, "skipped: index gives no matching row");
    } else {
      EXPECT_FALSE(plan.used_index);
      EXPECT_TRUE(plan.chunks[size_t(excluded)].read);
      EXPECT_EQ(plan.chunks[size_t(excluded)].reason, "read: zone maps allow a match");
    }
  }
  // Without zone maps every chunk is kept, and the plan says why.
  options.use_zone_maps = false;
  QueryPlan unpruned = Zones(**expr, file, options);
  ASSERT_TRUE(PlanRows(**expr, file.metadata, IndexSet{}, &unpruned).ok());
  EXPECT_EQ(unpruned.chunks_to_read(), int64_t(file.chunks.size()));
  EXPECT_EQ(unpruned.chunks[size_t(excluded)].reason, "read: zone maps not used");
}

// --- The index cost model, on a file of four 100-row chunks whose column
// blocks are 1000 stored bytes each; n is 0..9 in chunk 0, 10..19 in chunk 1, ...

const std::vector<ColumnSchema> kSizedSchema = {
    {"id", TypeId::kInt64, false}, {"n", TypeId::kInt64, false}, {"t", TypeId::kString, false}};

format::FileMetadata SizedFile(uint64_t n_index_bytes, uint64_t t_index_bytes,
                               format::InMemoryChunks* chunks) {
  format::FileMetadata metadata;
  for (const ColumnSchema& column : kSizedSchema) {
    format::ColumnMeta meta;
    meta.name = column.name;
    meta.type = column.type;
    metadata.columns.push_back(meta);
  }
  for (int chunk = 0; chunk < 4; ++chunk) {
    format::ChunkMeta meta;
    meta.first_row = uint64_t(chunk) * 100;
    meta.row_count = 100;
    meta.columns.resize(kSizedSchema.size());
    for (auto& column : meta.columns) column.block.stored_size = 1000;
    meta.columns[1].zone.has_min_max = true;
    meta.columns[1].zone.min_int = chunk * 10;
    meta.columns[1].zone.max_int = chunk * 10 + 9;
    chunks->chunks().push_back(meta);
  }
  chunks->FillDirectory(&metadata);
  EXPECT_EQ(metadata.num_rows, 400u);
  format::IndexMeta n_index;
  n_index.column = 1;
  n_index.kind = format::kIndexKindValue;
  n_index.block.stored_size = n_index_bytes;
  n_index.block.decoded_size = n_index_bytes;
  metadata.indexes.push_back(n_index);
  format::IndexMeta t_index;
  t_index.column = 2;
  t_index.kind = format::kIndexKindToken;
  t_index.block.stored_size = t_index_bytes;
  t_index.block.decoded_size = t_index_bytes;
  metadata.indexes.push_back(t_index);
  return metadata;
}

QueryPlan SizedPlan(const std::string& where, uint64_t n_index_bytes, const PlanOptions& options,
                    const format::FileMetadata** metadata_out = nullptr) {
  static format::FileMetadata metadata;
  static format::InMemoryChunks chunks;
  chunks = format::InMemoryChunks();
  metadata = SizedFile(n_index_bytes, 1 << 30, &chunks);
  if (metadata_out) *metadata_out = &metadata;
  auto expr = ParsePredicate(where, kSizedSchema);
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  Buffer scratch;
  auto plan = PlanZonesAndIndexes(**expr, metadata, chunks, options, &scratch);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? std::move(*plan) : QueryPlan{};
}

TEST(QueryPlan, AValueIndexIsReadOnlyWhenSmallAgainstTheBlocksTheZoneMapsLeave) {
  PlanOptions options;
  options.decoded_columns = {0};  // id
  // n >= 15: the zone maps keep chunks 1..3; id and n blocks there are 6000 bytes.
  QueryPlan plan = SizedPlan("n >= 15", 1500, options);
  EXPECT_EQ(plan.filter_columns, std::vector<int>({0, 1}));
  EXPECT_EQ(plan.scan_bytes, 6000u);
  ASSERT_EQ(plan.indexes.size(), 1u);
  EXPECT_EQ(plan.indexes[0].name, "value index of 'n'");
  EXPECT_TRUE(plan.indexes[0].read);  // a quarter of 6000
  plan = SizedPlan("n >= 15", 1501, options);
  ASSERT_EQ(plan.indexes.size(), 1u);
  EXPECT_FALSE(plan.indexes[0].read);
  EXPECT_EQ(plan.indexes[0].note,
            "value index of 'n' (1.5 KiB) not used: reading it costs more than it can save on the 5.9 KiB of "
            "blocks the zone maps leave to read");
  // Forced, it is read; counting with an index on every column, up to the whole 6000.
  options.force_indexes = true;
  EXPECT_TRUE(SizedPlan("n >= 15", 1501, options).indexes[0].read);
  options.force_indexes = false;
  options.count_only = true;
  EXPECT_TRUE(SizedPlan("n >= 15", 6000, options).indexes[0].read);
  EXPECT_FALSE(SizedPlan("n >= 15", 6001, options).indexes[0].read);
  // A column without an index (id) is filtered anyway: an eighth, counting or not.
  EXPECT_TRUE(SizedPlan("n >= 15 and id > 3", 750, options).indexes[0].read);
  EXPECT_FALSE(SizedPlan("n >= 15 and id > 3", 751, options).indexes[0].read);
  // No indexes asked for: none considered, and Explain has no note.
  options.use_indexes = false;
  plan = SizedPlan("n >= 15", 1501, options);
  EXPECT_TRUE(plan.indexes.empty());
}

TEST(QueryPlan, ATokenIndexIsReadWhateverItsSize) {
  PlanOptions options;
  options.decoded_columns = {0};
  QueryPlan plan = SizedPlan("t contains 'fig' or n == 3", 1, options);
  ASSERT_EQ(plan.indexes.size(), 2u);  // by column: n's value index, then t's token index
  EXPECT_EQ(plan.indexes[0].name, "value index of 'n'");
  EXPECT_EQ(plan.indexes[1].name, "token index of 't'");
  EXPECT_TRUE(plan.indexes[1].read);
  EXPECT_TRUE(plan.indexes[1].note.empty());
}

TEST(QueryPlan, AnIndexThatDoesNotFitTheBudgetIsLeftOutAndExplainSaysSo) {
  PlanOptions options;
  options.force_indexes = true;
  const format::FileMetadata* metadata = nullptr;
  QueryPlan plan = SizedPlan("n == 3", 4000, options, &metadata);
  ASSERT_EQ(plan.indexes.size(), 1u);
  // Its block, a decompressed copy and the index's own copy: 12000 bytes.
  MemoryBudget roomy(12000);
  IndexChoice fits = plan.indexes[0];
  EXPECT_TRUE(AdmitIndex(roomy, &fits));
  EXPECT_TRUE(fits.read);
  roomy.Reserve(1);  // what the budget has left counts, not its limit
  EXPECT_FALSE(AdmitIndex(roomy, &fits));
  roomy.Release(1);
  MemoryBudget small(11999);
  EXPECT_FALSE(AdmitIndex(small, &plan.indexes[0]));
  EXPECT_FALSE(plan.indexes[0].read);
  EXPECT_EQ(plan.indexes[0].note,
            "value index of 'n' (3.9 KiB) not used: it does not fit --memory-limit 11.7 KiB");
  auto expr = ParsePredicate("n == 3", kSizedSchema);
  ASSERT_TRUE(expr.ok());
  ASSERT_TRUE(PlanRows(**expr, *metadata, IndexSet{}, &plan).ok());
  const std::string explain = plan.Explain(*metadata);
  EXPECT_EQ(explain.find(plan.indexes[0].note + "\nchunk 0 (rows 0..100): read: zone maps allow a match\n"),
            0u)
      << explain;
  EXPECT_NE(explain.find("chunk 1 (rows 100..200): skipped: zone maps show no row can match\n"),
            std::string::npos)
      << explain;
}

}  // namespace
}  // namespace outcore
