// RowRuleSet: the declared row rules (RowRules in outcore/ingest.h: --require,
// --range, --allowed, --drop-where, --dedupe) compiled once against a file's
// schema, then checked by every ingest worker on its chunk of typed rows.
// Every rule but dedupe becomes a predicate in the query language
// (scan/expression.h) that is true where a row fails, answered by the one
// evaluator (scan/evaluate.h): require is `c is null or c == ''`, a range
// `c < low or c > high`, allowed `not (c in (...))`, drop-where the user's
// own predicate. So a null passes a range or an allowed list (a comparison
// on null is unknown, and only true rejects) and fails only require.
// Dedupe needs the input's order, so it is split in two: the workers encode
// each row's key (AppendKeys, in parallel), and one ordered stage inserts
// them, chunk by chunk, into the exact DedupeSet (clean/dedupe_set.h).
//
// Thread-safety: a compiled RowRuleSet is immutable; CheckRows and
// AppendKeys may run on many threads at once, each with its own scratch.
//
//   OC_ASSIGN_OR_RETURN(RowRuleSet rules, RowRuleSet::Compile(declared, schema));
//   OC_RETURN_IF_ERROR(rules.CheckRows(columns, rows, &selection, &failed));
//   // failed.as<uint16_t>()[row]: 0 passes, else 1 + the first rule it fails
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/rule_kind.h"
#include "outcore/column.h"
#include "outcore/dataset.h"
#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

struct Expr;  // scan/expression.h

// The rules as declared (the fields of RowRules, which belong to ingest).
struct RuleDeclarations {
  std::vector<std::string> require;
  std::vector<std::pair<std::string, std::string>> ranges;  // column, "low..high"
  std::vector<std::pair<std::string, std::vector<std::string>>> allowed;
  std::string drop_where;
  std::vector<std::string> dedupe;
};

// The keys of a chunk's rows for the dedupe rule: key i is bytes
// [ends[i-1], ends[i]) with its hash, from chunk row rows[i]. Budget-charged.
struct DedupeKeys {
  explicit DedupeKeys(MemoryBudget* budget) : bytes(budget), ends(budget), hashes(budget), rows(budget) {}
  Buffer bytes;
  Buffer ends;    // uint64 per key
  Buffer hashes;  // uint64 per key
  Buffer rows;    // uint32 per key
  size_t size() const { return rows.size() / sizeof(uint32_t); }
  std::string_view key(size_t i) const {
    const uint64_t* end = ends.as<uint64_t>();
    const uint64_t begin = i ? end[i - 1] : 0;
    return bytes.view().substr(size_t(begin), size_t(end[i] - begin));
  }
  void Clear() {
    bytes.Clear();
    ends.Clear();
    hashes.Clear();
    rows.Clear();
  }
};

class RowRuleSet {
 public:
  // One compiled rule: its text (the rejects file's detail and the footer's
  // name for it) and the column it is about (-1: several or none).
  struct Rule {
    RuleKind kind = RuleKind::kRequire;
    std::string text;  // "require price", "range day=2020-01-01..", "dedupe a,b"
    int32_t column = -1;
    std::vector<int> key_columns;       // dedupe: the key's schema indexes
    std::shared_ptr<const Expr> fails;  // true where a row fails it (null for dedupe)
  };

  // Checks every name and bound against `schema`. InvalidArgument naming the
  // option, the column and the value: an unknown column, a range on a string
  // or bool column, a bound or allowed value that does not parse as the
  // column's type, low above high, a drop-where that does not parse.
  static Result<RowRuleSet> Compile(const RuleDeclarations& declared,
                                    const std::vector<ColumnSchema>& schema);

  RowRuleSet() = default;
  bool empty() const { return rules_.empty(); }
  const std::vector<Rule>& rules() const { return rules_; }
  // Index of the dedupe rule in rules(), or -1.
  int dedupe_rule() const { return dedupe_rule_; }
  bool has_row_checks() const { return int(rules_.size()) > (dedupe_rule_ >= 0 ? 1 : 0); }

  // `failed` becomes uint16 per row of rows [0, rows) of `columns` (one per
  // schema column): 0 where the row passes every rule but dedupe, else 1 +
  // the index of the first it fails. `selection` is scratch.
  Status CheckRows(std::span<const ColumnVector> columns, int64_t rows, Buffer* selection,
                   Buffer* failed) const;
  // Appends the dedupe key of every row whose `failed` entry is 0 to `keys`.
  // REQUIRES: dedupe_rule() >= 0.
  void AppendKeys(std::span<const ColumnVector> columns, int64_t rows, const uint16_t* failed,
                  DedupeKeys* keys) const;

 private:
  std::vector<Rule> rules_;
  int dedupe_rule_ = -1;
};

}  // namespace outcore
