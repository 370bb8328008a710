// The declared row rules (row_rules.h).
#include "clean/row_rules.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "clean/dedupe_set.h"
#include "csv/value_parser.h"
#include "scan/evaluate.h"
#include "scan/expression.h"

namespace outcore {

namespace {

// Rule indexes are stored as uint16 per row (0: passes).
constexpr size_t kMaxRules = std::numeric_limits<uint16_t>::max() - 1;
// The footer keeps each rule's text; readers accept up to 16 MiB of it
// (doc/format.md, "Row rules section": format::kMaxRuleTextBytes).
constexpr size_t kMaxRuleTextBytes = size_t(1) << 24;

std::string JoinNames(const std::vector<ColumnSchema>& schema) {
  std::string out;
  for (const ColumnSchema& c : schema) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

Result<int> FindColumn(const std::vector<ColumnSchema>& schema, const std::string& name,
                       std::string_view option) {
  for (size_t c = 0; c < schema.size(); ++c) {
    if (schema[c].name == name) return int(c);
  }
  return Status::InvalidArgument(std::string(option) + " names column '" + name +
                                 "', which the input does not have; its columns are: " + JoinNames(schema));
}

// How a value of `type` is written, for messages.
std::string_view TypeExample(TypeId type) {
  switch (type) {
    case TypeId::kInt64:
      return "a whole number, e.g. 0 or -5";
    case TypeId::kFloat64:
      return "a number, e.g. 0.5 or 1e3";
    case TypeId::kDate:
      return "YYYY-MM-DD, e.g. 2020-01-31";
    case TypeId::kTimestamp:
      return "YYYY-MM-DD HH:MM:SS[.ffffff][Z|+HH:MM], e.g. 2020-01-31 12:00:00";
    default:
      return "text";
  }
}

// "an int64", "a date": for "'x' is not ...".
std::string AType(TypeId type) {
  return (type == TypeId::kInt64 ? "an " : "a ") + std::string(TypeName(type));
}

// `text` as a literal of `type` (the field Literal uses for it); false when it is not one.
bool ParseLiteralAs(TypeId type, std::string_view text, Literal* out) {
  switch (type) {
    case TypeId::kInt64:
      return ParseInt64(text, &out->int_value) == ParseOutcome::kOk;
    case TypeId::kFloat64:
      return ParseFloat64(text, &out->float_value) == ParseOutcome::kOk && !std::isnan(out->float_value);
    case TypeId::kDate: {
      int32_t days = 0;
      if (ParseDate(text, &days) != ParseOutcome::kOk) return false;
      out->int_value = days;
      return true;
    }
    case TypeId::kTimestamp:
      return ParseTimestamp(text, &out->int_value) == ParseOutcome::kOk;
    case TypeId::kString:
      out->string_value = std::string(text);
      return true;
    default:
      return false;
  }
}

bool LiteralLess(TypeId type, const Literal& a, const Literal& b) {
  if (type == TypeId::kFloat64) return a.float_value < b.float_value;
  if (type == TypeId::kString) return a.string_value < b.string_value;
  return a.int_value < b.int_value;
}

std::unique_ptr<Expr> Leaf(ExprKind kind, int column, TypeId type) {
  auto leaf = std::make_unique<Expr>();
  leaf->kind = kind;
  leaf->column = column;
  leaf->type = type;
  return leaf;
}

std::unique_ptr<Expr> Compare(int column, TypeId type, CompareOp op, Literal value) {
  auto leaf = Leaf(ExprKind::kCompare, column, type);
  leaf->op = op;
  leaf->values.push_back(std::move(value));
  return leaf;
}

std::unique_ptr<Expr> AnyOf(std::vector<std::unique_ptr<Expr>> children) {
  if (children.size() == 1) return std::move(children[0]);
  auto node = std::make_unique<Expr>();
  node->kind = ExprKind::kOr;
  node->children = std::move(children);
  return node;
}

// `c is null`, and for a string column also `c == ''`.
std::unique_ptr<Expr> RequireFails(int column, TypeId type) {
  std::vector<std::unique_ptr<Expr>> either;
  either.push_back(Leaf(ExprKind::kIsNull, column, type));
  if (type == TypeId::kString) either.push_back(Compare(column, type, CompareOp::kEq, Literal{}));
  return AnyOf(std::move(either));
}

Result<std::unique_ptr<Expr>> RangeFails(const std::string& name, int column, TypeId type,
                                         const std::string& bounds) {
  const std::string rule = "--range " + name + "=" + bounds;
  if (type != TypeId::kInt64 && type != TypeId::kFloat64 && type != TypeId::kDate &&
      type != TypeId::kTimestamp) {
    return Status::InvalidArgument(
        rule + ": column '" + name + "' is " + std::string(TypeName(type)) +
        "; a range needs an int64, float64, date or timestamp column" +
        (type == TypeId::kString ? " (for text use --allowed, or --drop-where)" : ""));
  }
  const size_t dots = bounds.find("..");
  const std::string low_text = bounds.substr(0, dots), high_text = bounds.substr(dots + 2);
  std::vector<std::unique_ptr<Expr>> either;
  Literal low, high;
  for (const auto& [text, literal, op, end] : {std::tuple{&low_text, &low, CompareOp::kLt, "low"},
                                               std::tuple{&high_text, &high, CompareOp::kGt, "high"}}) {
    if (text->empty()) continue;
    if (!ParseLiteralAs(type, *text, literal)) {
      return Status::InvalidArgument(rule + ": the " + end + " bound '" + *text + "' is not " + AType(type) +
                                     " (column '" + name + "' is " + std::string(TypeName(type)) +
                                     ": write " + std::string(TypeExample(type)) + ")");
    }
    either.push_back(Compare(column, type, op, *literal));
  }
  if (!low_text.empty() && !high_text.empty() && LiteralLess(type, high, low)) {
    return Status::InvalidArgument(rule + ": the low bound " + low_text + " is above the high bound " +
                                   high_text + "; no row could pass");
  }
  return AnyOf(std::move(either));
}

Result<std::unique_ptr<Expr>> AllowedFails(const std::string& name, int column, TypeId type,
                                           const std::vector<std::string>& values) {
  const std::string rule = "--allowed " + name + "=" + JoinList(values);
  if (type == TypeId::kBool) {
    return Status::InvalidArgument(rule + ": column '" + name +
                                   "' is bool; use --require for nulls or --drop-where \"" + name +
                                   " == false\"");
  }
  auto in = Leaf(ExprKind::kIn, column, type);
  for (const std::string& text : values) {
    Literal literal;
    if (!ParseLiteralAs(type, text, &literal)) {
      return Status::InvalidArgument(rule + ": '" + text + "' is not " + AType(type) + " (column '" + name +
                                     "' is " + std::string(TypeName(type)) + ": write " +
                                     std::string(TypeExample(type)) + ")");
    }
    in->values.push_back(std::move(literal));
  }
  // The evaluator looks values up by binary search: sorted, distinct.
  auto& list = in->values;
  std::sort(list.begin(), list.end(),
            [&](const Literal& a, const Literal& b) { return LiteralLess(type, a, b); });
  list.erase(std::unique(list.begin(), list.end(),
                         [&](const Literal& a, const Literal& b) {
                           return !LiteralLess(type, a, b) && !LiteralLess(type, b, a);
                         }),
             list.end());
  auto node = std::make_unique<Expr>();
  node->kind = ExprKind::kNot;
  node->children.push_back(std::move(in));
  return node;
}

}  // namespace

Result<RowRuleSet> RowRuleSet::Compile(const RuleDeclarations& declared,
                                       const std::vector<ColumnSchema>& schema) {
  RowRuleSet set;
  auto add = [&](RuleKind kind, std::string text, int32_t column, std::unique_ptr<Expr> fails) {
    Rule rule;
    rule.kind = kind;
    rule.text = std::move(text);
    rule.column = column;
    rule.fails = std::move(fails);
    set.rules_.push_back(std::move(rule));
  };
  for (const std::string& name : declared.require) {
    OC_ASSIGN_OR_RETURN(int column, FindColumn(schema, name, "--require"));
    add(RuleKind::kRequire, "require " + name, column, RequireFails(column, schema[size_t(column)].type));
  }
  for (const auto& [name, bounds] : declared.ranges) {
    OC_ASSIGN_OR_RETURN(int column, FindColumn(schema, name, "--range"));
    OC_ASSIGN_OR_RETURN(auto fails, RangeFails(name, column, schema[size_t(column)].type, bounds));
    add(RuleKind::kRange, "range " + name + "=" + bounds, column, std::move(fails));
  }
  for (const auto& [name, values] : declared.allowed) {
    OC_ASSIGN_OR_RETURN(int column, FindColumn(schema, name, "--allowed"));
    OC_ASSIGN_OR_RETURN(auto fails, AllowedFails(name, column, schema[size_t(column)].type, values));
    add(RuleKind::kAllowed, "allowed " + name + "=" + JoinList(values), column, std::move(fails));
  }
  if (!declared.drop_where.empty()) {
    auto parsed = ParsePredicate(declared.drop_where, schema);
    if (!parsed.ok()) {
      return Status::InvalidArgument("--drop-where: " + parsed.status().message());
    }
    add(RuleKind::kDropWhere, "drop-where " + declared.drop_where, -1, std::move(*parsed));
  }
  if (!declared.dedupe.empty()) {
    Rule rule;
    rule.kind = RuleKind::kDedupe;
    rule.text = "dedupe " + JoinList(declared.dedupe);
    for (const std::string& name : declared.dedupe) {
      OC_ASSIGN_OR_RETURN(int column, FindColumn(schema, name, "--dedupe"));
      rule.key_columns.push_back(column);
    }
    if (rule.key_columns.size() == 1) rule.column = rule.key_columns[0];
    set.dedupe_rule_ = int(set.rules_.size());
    set.rules_.push_back(std::move(rule));
  }
  for (const Rule& rule : set.rules_) {
    if (rule.text.size() > kMaxRuleTextBytes) {
      return Status::InvalidArgument("the rule '" + rule.text.substr(0, 60) + "...' is longer than the " +
                                     std::to_string(kMaxRuleTextBytes >> 20) + " MiB a file can record");
    }
  }
  if (set.rules_.size() > kMaxRules) {
    return Status::InvalidArgument(std::to_string(set.rules_.size()) + " row rules are more than the " +
                                   std::to_string(kMaxRules) + " ingest can check");
  }
  return set;
}

Status RowRuleSet::CheckRows(std::span<const ColumnVector> columns, int64_t rows, Buffer* selection,
                             Buffer* failed) const {
  failed->ResizeZeroed(0);
  failed->ResizeZeroed(size_t(rows) * sizeof(uint16_t));
  uint16_t* first = failed->as<uint16_t>();
  std::vector<const ColumnVector*> by_index(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) by_index[c] = &columns[c];
  for (size_t rule_idx = 0; rule_idx < rules_.size(); ++rule_idx) {
    const Rule& rule = rules_[rule_idx];
    if (!rule.fails) continue;
    OC_RETURN_IF_ERROR(Evaluate(*rule.fails, by_index, rows, selection));
    const uint8_t* bits = selection->data();
    for (int64_t row = 0; row < rows; ++row) {
      if (first[row] == 0 && GetBit(bits, row)) first[row] = uint16_t(rule_idx + 1);
    }
  }
  return Status::OK();
}

namespace {

// A key's bytes per column: 0 for a null; else 1 and the value — fixed
// width for numbers (float -0.0 as 0.0, so equal values have equal bytes),
// a u32 length and the bytes for a string.
void AppendKeyValue(const ColumnVector& column, int64_t row, Buffer* out) {
  if (!column.IsValid(row)) {
    out->Push(uint8_t(0));
    return;
  }
  out->Push(uint8_t(1));
  switch (column.type) {
    case TypeId::kBool:
      out->Push(uint8_t(column.GetBool(row)));
      return;
    case TypeId::kDate:
      out->Push(column.GetDate(row));
      return;
    case TypeId::kFloat64: {
      double value = column.GetFloat64(row);
      if (value == 0) value = 0;  // -0.0 == 0.0
      if (std::isnan(value)) value = std::numeric_limits<double>::quiet_NaN();
      out->Push(value);
      return;
    }
    case TypeId::kString: {
      const std::string_view text = column.GetString(row);
      out->Push(uint32_t(text.size()));
      out->Append(text.data(), text.size());
      return;
    }
    default:
      out->Push(column.GetInt64(row));
      return;
  }
}

}  // namespace

void RowRuleSet::AppendKeys(std::span<const ColumnVector> columns, int64_t rows, const uint16_t* failed,
                            DedupeKeys* keys) const {
  const Rule& rule = rules_[size_t(dedupe_rule_)];
  for (int64_t row = 0; row < rows; ++row) {
    if (failed[row]) continue;
    const size_t begin = keys->bytes.size();
    for (int column : rule.key_columns) AppendKeyValue(columns[size_t(column)], row, &keys->bytes);
    keys->ends.Push(uint64_t(keys->bytes.size()));
    keys->hashes.Push(HashKey(keys->bytes.view().substr(begin)));
    keys->rows.Push(uint32_t(row));
  }
}

}  // namespace outcore
