#include "scan/predicate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "csv/value_parser.h"
#include "format/metadata.h"
#include "index/token_index.h"
#include "index/value_index.h"

namespace outcore {
namespace {

// Parentheses and `not` nest the tree; this bounds recursion (and/or chains
// are flattened, so they never deepen it).
constexpr int kMaxDepth = 200;

// ---------------------------------------------------------------------------
// Lexer

enum class Tok { kEnd, kIdent, kQuotedIdent, kString, kNumber, kOp, kLParen, kRParen, kComma };

struct Token {
  Tok kind = Tok::kEnd;
  size_t position = 0;
  std::string text;  // identifier name, unescaped string, number as written, operator
};

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x + 32);
    if (y >= 'A' && y <= 'Z') y = char(y + 32);
    if (x != y) return false;
  }
  return true;
}

constexpr std::string_view kKeywords[] = {"and", "or", "not", "in", "between", "is", "null", "contains", "true", "false"};

bool IsKeyword(std::string_view word) {
  for (std::string_view keyword : kKeywords) {
    if (EqualsIgnoreCase(word, keyword)) return true;
  }
  return false;
}

// The caret line under the expression. Columns count characters, not bytes
// (UTF-8 continuation bytes take no column); tabs and line breaks are shown
// as spaces so the caret stays under its byte.
std::string CaretMessage(std::string_view text, size_t position, const std::string& message) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  size_t column = 0;
  for (size_t i = 0; i < position && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  if (position > text.size()) column += position - text.size();
  return line + "\n" + std::string(column, ' ') + "^ " + message;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // Fills `tokens` (ending with kEnd) or sets *error_position / *error.
  bool Run(std::vector<Token>* tokens, size_t* error_position, std::string* error) {
    size_t i = 0;
    const size_t n = text_.size();
    while (true) {
      while (i < n && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) ++i;
      Token token;
      token.position = i;
      if (i == n) {
        tokens->push_back(std::move(token));
        return true;
      }
      const char c = text_[i];
      auto fail = [&](size_t at, std::string message) {
        *error_position = at;
        *error = std::move(message);
        return false;
      };
      if (c == '(' || c == ')' || c == ',') {
        token.kind = c == '(' ? Tok::kLParen : c == ')' ? Tok::kRParen : Tok::kComma;
        ++i;
      } else if (c == '\'' || c == '"') {
        // 'it''s' and "odd ""name""": a doubled quote stands for itself.
        token.kind = c == '\'' ? Tok::kString : Tok::kQuotedIdent;
        ++i;
        for (;;) {
          if (i == n) {
            return fail(token.position, c == '\'' ? "unterminated string: add a closing '"
                                                  : "unterminated quoted column name: add a closing \"");
          }
          if (text_[i] == c) {
            if (i + 1 < n && text_[i + 1] == c) {
              token.text.push_back(c);
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          token.text.push_back(text_[i++]);
        }
        if (token.kind == Tok::kQuotedIdent && token.text.empty()) return fail(token.position, "empty column name \"\"");
      } else if (IsDigit(c) || ((c == '-' || c == '.') && i + 1 < n && (IsDigit(text_[i + 1]) || text_[i + 1] == '.'))) {
        token.kind = Tok::kNumber;
        size_t j = i;
        if (text_[j] == '-') ++j;
        size_t digits = 0;
        while (j < n && IsDigit(text_[j])) ++j, ++digits;
        if (j < n && text_[j] == '.') {
          ++j;
          while (j < n && IsDigit(text_[j])) ++j, ++digits;
        }
        if (digits == 0) return fail(i, "malformed number: expected digits");
        if (j < n && (text_[j] == 'e' || text_[j] == 'E')) {
          size_t k = j + 1;
          if (k < n && (text_[k] == '+' || text_[k] == '-')) ++k;
          if (k == n || !IsDigit(text_[k])) return fail(j, "malformed number: expected digits after the exponent");
          while (k < n && IsDigit(text_[k])) ++k;
          j = k;
        }
        if (j < n && (IsIdentChar(text_[j]) || text_[j] == '.')) return fail(j, "malformed number: unexpected '" + std::string(1, text_[j]) + "'");
        token.text.assign(text_.substr(i, j - i));
        i = j;
      } else if (IsIdentStart(c)) {
        token.kind = Tok::kIdent;
        size_t j = i;
        while (j < n && IsIdentChar(text_[j])) ++j;
        token.text.assign(text_.substr(i, j - i));
        i = j;
      } else if (c == '=' || c == '!' || c == '<' || c == '>') {
        token.kind = Tok::kOp;
        const char next = i + 1 < n ? text_[i + 1] : '\0';
        if (c == '=') {
          if (next != '=') return fail(i, "use '==' to compare for equality");
          token.text = "==";
        } else if (c == '!') {
          if (next != '=') return fail(i, "expected '!=' (use 'not' to negate)");
          token.text = "!=";
        } else if (c == '<' && next == '>') {
          return fail(i, "use '!=' for 'not equal'");
        } else {
          token.text = next == '=' ? std::string{c, '='} : std::string(1, c);
        }
        i += token.text.size();
      } else {
        return fail(i, "unexpected character '" + std::string(1, c) + "'");
      }
      tokens->push_back(std::move(token));
    }
  }

 private:
  std::string_view text_;
};

// ---------------------------------------------------------------------------
// Parser and type check

std::string_view OpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "==";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

std::optional<CompareOp> OpFromText(std::string_view text) {
  for (CompareOp op : {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt, CompareOp::kLe, CompareOp::kGt, CompareOp::kGe}) {
    if (OpText(op) == text) return op;
  }
  return std::nullopt;
}

bool IsFloatForm(TypeId type) { return type == TypeId::kFloat64; }
bool IsStringForm(TypeId type) { return type == TypeId::kString; }

class Parser {
 public:
  Parser(std::string_view text, const std::vector<ColumnSchema>& schema) : text_(text), schema_(schema) {}

  Result<std::unique_ptr<Expr>> Parse(PredicateError* error) {
    size_t error_position = 0;
    std::string message;
    if (!Lexer(text_).Run(&tokens_, &error_position, &message)) return Fail(error_position, message, error);
    auto expr = ParseOr(0);
    if (expr.ok() && Peek().kind != Tok::kEnd) {
      (void)Fail(Peek().position, "expected 'and', 'or' or the end of the expression", nullptr);
      expr = Status::InvalidArgument("");
    }
    if (!expr.ok()) {
      if (error != nullptr) *error = error_;
      return Status::InvalidArgument(CaretMessage(text_, error_.position, error_.message));
    }
    return expr;
  }

 private:
  using ExprResult = Result<std::unique_ptr<Expr>>;

  Status Fail(size_t position, std::string message, PredicateError* error) {
    error_ = PredicateError{position, std::move(message)};
    if (error != nullptr) *error = error_;
    return Status::InvalidArgument(CaretMessage(text_, error_.position, error_.message));
  }
  Status Fail(size_t position, std::string message) { return Fail(position, std::move(message), nullptr); }

  const Token& Peek() const { return tokens_[next_]; }
  const Token& Take() { return tokens_[next_ < tokens_.size() - 1 ? next_++ : next_]; }
  bool PeekKeyword(std::string_view keyword) const {
    return Peek().kind == Tok::kIdent && EqualsIgnoreCase(Peek().text, keyword);
  }
  std::string Ended(const std::string& expected) const {
    return Peek().kind == Tok::kEnd ? expected + " but the expression ended" : expected;
  }

  ExprResult ParseList(ExprKind kind, std::string_view keyword, int depth) {
    ExprResult first = kind == ExprKind::kOr ? ParseList(ExprKind::kAnd, "and", depth) : ParseUnary(depth);
    if (!first.ok() || !PeekKeyword(keyword)) return first;
    auto node = std::make_unique<Expr>();
    node->kind = kind;
    node->position = (*first)->position;
    node->children.push_back(std::move(*first));
    while (PeekKeyword(keyword)) {
      Take();
      ExprResult next = kind == ExprKind::kOr ? ParseList(ExprKind::kAnd, "and", depth) : ParseUnary(depth);
      if (!next.ok()) return next;
      node->children.push_back(std::move(*next));
    }
    return node;
  }
  ExprResult ParseOr(int depth) { return ParseList(ExprKind::kOr, "or", depth); }

  ExprResult ParseUnary(int depth) {
    if (depth > kMaxDepth) return Fail(Peek().position, "expression nests deeper than " + std::to_string(kMaxDepth) + " levels");
    if (PeekKeyword("not")) {
      auto node = std::make_unique<Expr>();
      node->kind = ExprKind::kNot;
      node->position = Take().position;
      OC_ASSIGN_OR_RETURN(auto child, ParseUnary(depth + 1));
      node->children.push_back(std::move(child));
      return node;
    }
    if (Peek().kind == Tok::kLParen) {
      const size_t open = Take().position;
      OC_ASSIGN_OR_RETURN(auto inner, ParseOr(depth + 1));
      if (Peek().kind != Tok::kRParen) {
        return Fail(Peek().position, Ended("expected ')' to close the '(' at position " + std::to_string(open)));
      }
      Take();
      return inner;
    }
    const Token& token = Peek();
    if (token.kind == Tok::kQuotedIdent || (token.kind == Tok::kIdent && !IsKeyword(token.text))) {
      return ParsePredicateOn(Take());
    }
    if (token.kind == Tok::kString || token.kind == Tok::kNumber || PeekKeyword("true") || PeekKeyword("false") ||
        PeekKeyword("null")) {
      return Fail(token.position, "expected a column name: write the column first, as in price > 100");
    }
    if (token.kind == Tok::kIdent) {
      return Fail(token.position, "'" + token.text + "' is a keyword; put a column of that name in double quotes: \"" +
                                      token.text + "\"");
    }
    return Fail(token.position, Ended("expected a column name, 'not' or '('"));
  }

  Result<int> ResolveColumn(const Token& token) {
    for (size_t i = 0; i < schema_.size(); ++i) {
      if (schema_[i].name == token.text) return int(i);
    }
    std::string known;
    for (size_t i = 0; i < schema_.size() && i < 12; ++i) known += (i ? ", " : "") + schema_[i].name;
    if (schema_.size() > 12) known += ", ...";
    return Fail(token.position, "unknown column '" + token.text + "' (columns: " + known + ")");
  }

  Result<Literal> ParseLiteral(const Expr& leaf) {
    const Token& token = Take();
    const ColumnSchema& column = schema_[size_t(leaf.column)];
    const std::string what = std::string(TypeName(column.type)) + " column '" + column.name + "'";
    auto fail = [&](const std::string& message) { return Fail(token.position, message); };
    if (token.kind == Tok::kIdent && EqualsIgnoreCase(token.text, "null")) {
      return fail("null can only be tested with 'is null' or 'is not null' (a comparison with null is never true)");
    }
    const bool is_bool_word =
        token.kind == Tok::kIdent && (EqualsIgnoreCase(token.text, "true") || EqualsIgnoreCase(token.text, "false"));
    if (token.kind == Tok::kEnd) return fail("expected a value but the expression ended");
    if (token.kind != Tok::kString && token.kind != Tok::kNumber && !is_bool_word) {
      return fail("expected a value (a number, 'text' in single quotes, true or false), found '" + token.text + "'");
    }
    Literal literal;
    switch (column.type) {
      case TypeId::kBool:
        if (!is_bool_word) return fail("expected true or false for " + what);
        literal.int_value = EqualsIgnoreCase(token.text, "true") ? 1 : 0;
        return literal;
      case TypeId::kInt64: {
        if (token.kind != Tok::kNumber) return fail("expected a number for " + what);
        ParseOutcome outcome = ParseInt64(token.text, &literal.int_value);
        if (outcome == ParseOutcome::kOutOfRange) return fail("integer out of range for " + what);
        if (outcome != ParseOutcome::kOk) return fail("expected a whole number for " + what);
        return literal;
      }
      case TypeId::kFloat64: {
        if (token.kind != Tok::kNumber) return fail("expected a number for " + what);
        if (ParseFloat64(token.text, &literal.float_value) != ParseOutcome::kOk) {
          return fail("number out of range for " + what);
        }
        return literal;
      }
      case TypeId::kString:
        if (token.kind != Tok::kString) return fail("expected a string in single quotes for " + what);
        literal.string_value = token.text;
        return literal;
      case TypeId::kDate: {
        if (token.kind != Tok::kString) return fail("expected a date in quotes, 'YYYY-MM-DD', for " + what);
        int32_t days = 0;
        ParseOutcome outcome = ParseDate(token.text, &days);
        if (outcome == ParseOutcome::kOutOfRange) return fail("'" + token.text + "' is not a calendar date");
        if (outcome != ParseOutcome::kOk) return fail("expected a date 'YYYY-MM-DD' for " + what);
        literal.int_value = days;
        return literal;
      }
      case TypeId::kTimestamp: {
        if (token.kind != Tok::kString) {
          return fail("expected a timestamp in quotes, 'YYYY-MM-DD HH:MM:SS', for " + what);
        }
        ParseOutcome outcome = ParseTimestamp(token.text, &literal.int_value);
        if (outcome == ParseOutcome::kOutOfRange) return fail("'" + token.text + "' is not a valid timestamp");
        if (outcome != ParseOutcome::kOk) return fail("expected a timestamp 'YYYY-MM-DD HH:MM:SS' for " + what);
        return literal;
      }
    }
    return fail("unsupported column type");
  }

  ExprResult ParsePredicateOn(const Token& column_token) {
    OC_ASSIGN_OR_RETURN(int column, ResolveColumn(column_token));
    auto leaf = std::make_unique<Expr>();
    leaf->position = column_token.position;
    leaf->column = column;
    leaf->type = schema_[size_t(column)].type;
    const std::string name = "'" + schema_[size_t(column)].name + "'";

    if (Peek().kind == Tok::kOp) {
      leaf->kind = ExprKind::kCompare;
      leaf->op = *OpFromText(Take().text);
      OC_ASSIGN_OR_RETURN(Literal value, ParseLiteral(*leaf));
      leaf->values.push_back(std::move(value));
      return leaf;
    }
    bool negate = false;
    size_t not_position = 0;
    if (PeekKeyword("not")) {
      not_position = Take().position;
      negate = true;
      if (!PeekKeyword("in") && !PeekKeyword("between")) {
        return Fail(Peek().position, Ended("expected 'in' or 'between' after 'not'"));
      }
    }
    if (PeekKeyword("in")) {
      leaf->kind = ExprKind::kIn;
      Take();
      if (Peek().kind != Tok::kLParen) return Fail(Peek().position, Ended("expected '(' to start the list after 'in'"));
      Take();
      for (;;) {
        OC_ASSIGN_OR_RETURN(Literal value, ParseLiteral(*leaf));
        leaf->values.push_back(std::move(value));
        if (Peek().kind == Tok::kComma) {
          Take();
          continue;
        }
        if (Peek().kind == Tok::kRParen) {
          Take();
          break;
        }
        return Fail(Peek().position, Ended("expected ',' or ')' in the 'in' list"));
      }
      SortValues(leaf.get());
    } else if (PeekKeyword("between")) {
      leaf->kind = ExprKind::kBetween;
      Take();
      OC_ASSIGN_OR_RETURN(Literal low, ParseLiteral(*leaf));
      if (!PeekKeyword("and")) return Fail(Peek().position, Ended("expected 'and' between the two bounds of 'between'"));
      Take();
      OC_ASSIGN_OR_RETURN(Literal high, ParseLiteral(*leaf));
      leaf->values.push_back(std::move(low));
      leaf->values.push_back(std::move(high));
    } else if (PeekKeyword("is")) {
      leaf->kind = ExprKind::kIsNull;
      Take();
      if (PeekKeyword("not")) {
        Take();
        leaf->negated = true;
      }
      if (!PeekKeyword("null")) return Fail(Peek().position, Ended("expected 'null' after 'is'"));
      Take();
    } else if (PeekKeyword("contains")) {
      leaf->kind = ExprKind::kContains;
      const size_t at = Take().position;
      if (!IsStringForm(leaf->type)) {
        return Fail(at, "contains needs a string column; " + name + " is " + std::string(TypeName(leaf->type)));
      }
      const Token& word = Peek();
      if (word.kind != Tok::kString) return Fail(word.position, Ended("expected a word in single quotes after contains"));
      Take();
      leaf->tokens = Tokenize(word.text);
      if (leaf->tokens.empty()) return Fail(word.position, "expected a word (letters or digits) to look for");
      Literal literal;
      literal.string_value = word.text;
      leaf->values.push_back(std::move(literal));
    } else {
      return Fail(Peek().position,
                  Ended("expected an operator (==, !=, <, <=, >, >=, in, between, is, contains) after column " + name));
    }
    if (!negate) return leaf;
    auto node = std::make_unique<Expr>();
    node->kind = ExprKind::kNot;
    node->position = not_position;
    node->children.push_back(std::move(leaf));
    return node;
  }

  static void SortValues(Expr* leaf) {
    auto& values = leaf->values;
    if (IsStringForm(leaf->type)) {
      std::sort(values.begin(), values.end(), [](auto& a, auto& b) { return a.string_value < b.string_value; });
      values.erase(std::unique(values.begin(), values.end(),
                               [](auto& a, auto& b) { return a.string_value == b.string_value; }),
                   values.end());
    } else if (IsFloatForm(leaf->type)) {
      std::sort(values.begin(), values.end(), [](auto& a, auto& b) { return a.float_value < b.float_value; });
      values.erase(std::unique(values.begin(), values.end(),
                               [](auto& a, auto& b) { return a.float_value == b.float_value; }),
                   values.end());
    } else {
      std::sort(values.begin(), values.end(), [](auto& a, auto& b) { return a.int_value < b.int_value; });
      values.erase(std::unique(values.begin(), values.end(),
                               [](auto& a, auto& b) { return a.int_value == b.int_value; }),
                   values.end());
    }
  }

  std::string_view text_;
  const std::vector<ColumnSchema>& schema_;
  std::vector<Token> tokens_;
  size_t next_ = 0;
  PredicateError error_;
};

// ---------------------------------------------------------------------------
// Printing

std::string QuoteString(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    out.push_back(c);
    if (c == quote) out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

std::string LiteralText(const Literal& literal, TypeId type) {
  char buffer[kFormatBufferSize];
  switch (type) {
    case TypeId::kBool: return literal.int_value ? "true" : "false";
    case TypeId::kInt64: return std::string(buffer, FormatInt64(literal.int_value, buffer));
    case TypeId::kFloat64: return std::string(buffer, FormatFloat64(literal.float_value, buffer));
    case TypeId::kString: return QuoteString(literal.string_value, '\'');
    case TypeId::kDate: return "'" + std::string(buffer, FormatDate(int32_t(literal.int_value), buffer)) + "'";
    case TypeId::kTimestamp: return "'" + std::string(buffer, FormatTimestamp(literal.int_value, buffer)) + "'";
  }
  return "?";
}

std::string ColumnText(const std::string& name) {
  bool bare = !name.empty() && IsIdentStart(name[0]) && !IsKeyword(name);
  for (char c : name) bare = bare && IsIdentChar(c);
  return bare ? name : QuoteString(name, '"');
}

void CollectColumns(const Expr& expr, std::vector<int>* out) {
  if (expr.column >= 0) out->push_back(expr.column);
  for (const auto& child : expr.children) CollectColumns(*child, out);
}

}  // namespace

Result<std::unique_ptr<Expr>> ParsePredicate(std::string_view text, const std::vector<ColumnSchema>& schema,
                                             PredicateError* error) {
  return Parser(text, schema).Parse(error);
}

std::vector<int> Expr::Columns() const {
  std::vector<int> columns;
  CollectColumns(*this, &columns);
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  return columns;
}

std::string Expr::ToString(const std::vector<ColumnSchema>& schema) const {
  auto join = [&](std::string_view separator) {
    std::string out = "(";
    for (size_t i = 0; i < children.size(); ++i) {
      if (i) out += separator;
      out += children[i]->ToString(schema);
    }
    return out + ")";
  };
  const std::string name =
      column >= 0 && size_t(column) < schema.size() ? ColumnText(schema[size_t(column)].name) : "?";
  switch (kind) {
    case ExprKind::kAnd: return join(" and ");
    case ExprKind::kOr: return join(" or ");
    case ExprKind::kNot: return "(not " + children[0]->ToString(schema) + ")";
    case ExprKind::kCompare:
      return "(" + name + " " + std::string(OpText(op)) + " " + LiteralText(values[0], type) + ")";
    case ExprKind::kIn: {
      std::string out = "(" + name + " in (";
      for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + LiteralText(values[i], type);
      return out + "))";
    }
    case ExprKind::kBetween:
      return "(" + name + " between " + LiteralText(values[0], type) + " and " + LiteralText(values[1], type) + ")";
    case ExprKind::kIsNull: return "(" + name + (negated ? " is not null)" : " is null)");
    case ExprKind::kContains: return "(" + name + " contains " + QuoteString(values[0].string_value, '\'') + ")";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Evaluation: every node yields two bitmaps over the rows — where it is true
// and where it is false; rows in neither are unknown (null). and/or/not
// combine them by Kleene's rules, so `not` of unknown stays unknown.

namespace {

struct Truth {
  Buffer t, f;  // uint64 words, LSB-first (the byte order of Arrow bitmaps on little-endian)
};

struct EvalContext {
  std::span<const ColumnVector* const> columns;
  int64_t num_rows;
  size_t words;
  MemoryBudget* budget;
};

void InitTruth(const EvalContext& ctx, Truth* truth) {
  truth->t = Buffer(ctx.budget);
  truth->f = Buffer(ctx.budget);
  truth->t.ResizeZeroed(ctx.words * 8);
  truth->f.ResizeZeroed(ctx.words * 8);
}

// Visits valid rows: test(get(row)) decides true or false; null rows stay unknown.
template <typename Get, typename Test>
void FillLeaf(const ColumnVector& column, int64_t num_rows, Get get, Test test, uint64_t* t, uint64_t* f) {
  const bool has_nulls = column.null_count > 0;
  const uint8_t* validity = column.validity.data();
  for (int64_t row = 0; row < num_rows; ++row) {
    if (has_nulls && !GetBit(validity, row)) continue;
    const uint64_t bit = uint64_t(1) << (row & 63);
    if (test(get(row))) {
      t[row >> 6] |= bit;
    } else {
      f[row >> 6] |= bit;
    }
  }
}

// Calls fill(test) with the test of a leaf over values of type T (int64_t,
// double or std::string_view), so the operator is chosen once per batch.
template <typename T, typename Fill>
void WithLeafTest(const Expr& leaf, Fill&& fill) {
  auto literal = [&](size_t i) -> T {
    if constexpr (std::is_same_v<T, int64_t>) return leaf.values[i].int_value;
    else if constexpr (std::is_same_v<T, double>) return leaf.values[i].float_value;
    else return std::string_view(leaf.values[i].string_value);
  };
  switch (leaf.kind) {
    case ExprKind::kCompare: {
      const T c = literal(0);
      switch (leaf.op) {
        case CompareOp::kEq: fill([c](T v) { return v == c; }); return;
        case CompareOp::kNe: fill([c](T v) { return v != c; }); return;
        case CompareOp::kLt: fill([c](T v) { return v < c; }); return;
        case CompareOp::kLe: fill([c](T v) { return v <= c; }); return;
        case CompareOp::kGt: fill([c](T v) { return v > c; }); return;
        case CompareOp::kGe: fill([c](T v) { return v >= c; }); return;
      }
      return;
    }
    case ExprKind::kBetween: {
      const T low = literal(0), high = literal(1);
      fill([low, high](T v) { return low <= v && v <= high; });
      return;
    }
    case ExprKind::kIn: {
      std::vector<T> set;
      for (size_t i = 0; i < leaf.values.size(); ++i) set.push_back(literal(i));
      fill([&set](T v) {
        if constexpr (std::is_same_v<T, double>) {
          if (std::isnan(v)) return false;  // NaN is in no list (IEEE: NaN == x is false)
        }
        return std::binary_search(set.begin(), set.end(), v);
      });
      return;
    }
    case ExprKind::kContains:
      if constexpr (std::is_same_v<T, std::string_view>) {
        // True when every token of the word(s) is among the value's tokens.
        const std::vector<std::string>& wanted = leaf.tokens;
        std::vector<uint8_t> seen(wanted.size());
        std::string scratch;
        fill([&](std::string_view v) {
          std::fill(seen.begin(), seen.end(), 0);
          size_t found = 0;
          ForEachToken(v, &scratch, [&](std::string_view token) {
            auto it = std::lower_bound(wanted.begin(), wanted.end(), token);
            if (it != wanted.end() && *it == token && !seen[size_t(it - wanted.begin())]) {
              seen[size_t(it - wanted.begin())] = 1;
              ++found;
            }
          });
          return found == wanted.size();
        });
      }
      return;
    default: return;
  }
}

Status CheckColumn(const Expr& leaf, const EvalContext& ctx, const ColumnVector** out) {
  const auto column = size_t(leaf.column);
  if (column >= ctx.columns.size() || ctx.columns[column] == nullptr) {
    return Status::InvalidArgument("predicate needs schema column " + std::to_string(column) + ", which was not provided");
  }
  const ColumnVector& vector = *ctx.columns[column];
  if (vector.type != leaf.type) {
    return Status::InvalidArgument("predicate column " + std::to_string(column) + " is " +
                                   std::string(TypeName(vector.type)) + ", the expression expects " +
                                   std::string(TypeName(leaf.type)));
  }
  if (vector.length < ctx.num_rows) {
    return Status::InvalidArgument("predicate column " + std::to_string(column) + " has " +
                                   std::to_string(vector.length) + " rows, fewer than the " +
                                   std::to_string(ctx.num_rows) + " to evaluate");
  }
  if (vector.null_count > 0 && vector.validity.size() < size_t(BitmapBytes(ctx.num_rows))) {
    return Status::InvalidArgument("predicate column " + std::to_string(column) + " has nulls but no validity bitmap");
  }
  *out = &vector;
  return Status::OK();
}

Status EvalLeaf(const Expr& leaf, const EvalContext& ctx, Truth* out) {
  InitTruth(ctx, out);
  const ColumnVector* column = nullptr;
  OC_RETURN_IF_ERROR(CheckColumn(leaf, ctx, &column));
  uint64_t* t = out->t.as<uint64_t>();
  uint64_t* f = out->f.as<uint64_t>();
  const int64_t n = ctx.num_rows;
  if (leaf.kind == ExprKind::kIsNull) {
    for (int64_t row = 0; row < n; ++row) {
      const bool valid = column->IsValid(row);
      const uint64_t bit = uint64_t(1) << (row & 63);
      if (valid == leaf.negated) {
        t[row >> 6] |= bit;
      } else {
        f[row >> 6] |= bit;
      }
    }
    return Status::OK();
  }
  switch (leaf.type) {
    case TypeId::kBool:
      WithLeafTest<int64_t>(leaf, [&](auto test) {
        FillLeaf(*column, n, [&](int64_t row) { return int64_t(column->GetBool(row)); }, test, t, f);
      });
      break;
    case TypeId::kDate: {
      const int32_t* values = column->values.as<int32_t>();
      WithLeafTest<int64_t>(leaf, [&](auto test) {
        FillLeaf(*column, n, [values](int64_t row) { return int64_t(values[row]); }, test, t, f);
      });
      break;
    }
    case TypeId::kInt64:
    case TypeId::kTimestamp: {
      const int64_t* values = column->values.as<int64_t>();
      WithLeafTest<int64_t>(leaf, [&](auto test) {
        FillLeaf(*column, n, [values](int64_t row) { return values[row]; }, test, t, f);
      });
      break;
    }
    case TypeId::kFloat64: {
      const double* values = column->values.as<double>();
      WithLeafTest<double>(leaf, [&](auto test) {
        FillLeaf(*column, n, [values](int64_t row) { return values[row]; }, test, t, f);
      });
      break;
    }
    case TypeId::kString:
      if (column->is_dictionary()) {
        // Decide each dictionary entry once per batch, on first sight.
        const Dictionary& dictionary = *column->dictionary;
        const int32_t* codes = column->values.as<int32_t>();
        for (int64_t row = 0; row < n; ++row) {
          if (codes[row] < 0 || codes[row] >= dictionary.size) {
            return Status::Corruption("predicate: dictionary code " + std::to_string(codes[row]) + " out of range");
          }
        }
        Buffer memo(ctx.budget);
        memo.Resize(size_t(dictionary.size));
        std::memset(memo.data(), 0xFF, memo.size());
        int8_t* decided = reinterpret_cast<int8_t*>(memo.data());
        WithLeafTest<std::string_view>(leaf, [&](auto test) {
          FillLeaf(
              *column, n, [codes](int64_t row) { return codes[row]; },
              [&](int32_t code) {
                int8_t& known = decided[code];
                if (known < 0) known = test(dictionary.Get(code)) ? 1 : 0;
                return known == 1;
              },
              t, f);
        });
      } else {
        WithLeafTest<std::string_view>(leaf, [&](auto test) {
          FillLeaf(*column, n, [column](int64_t row) { return column->GetString(row); }, test, t, f);
        });
      }
      break;
  }
  return Status::OK();
}

Status Eval(const Expr& expr, const EvalContext& ctx, Truth* out) {
  switch (expr.kind) {
    case ExprKind::kNot:
      OC_RETURN_IF_ERROR(Eval(*expr.children[0], ctx, out));
      std::swap(out->t, out->f);
      return Status::OK();
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      OC_RETURN_IF_ERROR(Eval(*expr.children[0], ctx, out));
      Truth other;
      const bool is_and = expr.kind == ExprKind::kAnd;
      for (size_t i = 1; i < expr.children.size(); ++i) {
        OC_RETURN_IF_ERROR(Eval(*expr.children[i], ctx, &other));
        uint64_t* t = out->t.as<uint64_t>();
        uint64_t* f = out->f.as<uint64_t>();
        const uint64_t* t2 = other.t.as<uint64_t>();
        const uint64_t* f2 = other.f.as<uint64_t>();
        for (size_t w = 0; w < ctx.words; ++w) {
          if (is_and) {
            t[w] &= t2[w];  // true only when both are
            f[w] |= f2[w];  // false when either is
          } else {
            t[w] |= t2[w];
            f[w] &= f2[w];
          }
        }
      }
      return Status::OK();
    }
    default: return EvalLeaf(expr, ctx, out);
  }
}

}  // namespace

Status Evaluate(const Expr& expr, std::span<const ColumnVector* const> columns, int64_t num_rows, Buffer* selection) {
  if (num_rows < 0) return Status::InvalidArgument("predicate: negative row count");
  EvalContext ctx{columns, num_rows, size_t((num_rows + 63) / 64), selection->budget()};
  Truth truth;
  OC_RETURN_IF_ERROR(Eval(expr, ctx, &truth));
  // Bits past num_rows stay clear: leaves only set bits of rows they visited.
  selection->Resize(size_t(BitmapBytes(num_rows)));
  if (num_rows > 0) std::memcpy(selection->data(), truth.t.data(), selection->size());
  return Status::OK();
}

Status EvaluateBatch(const Expr& expr, const Batch& batch, std::span<const int> batch_columns, Buffer* selection) {
  std::vector<const ColumnVector*> by_schema;
  for (size_t i = 0; i < batch_columns.size() && i < batch.columns.size(); ++i) {
    if (batch_columns[i] < 0) continue;
    if (by_schema.size() <= size_t(batch_columns[i])) by_schema.resize(size_t(batch_columns[i]) + 1, nullptr);
    by_schema[size_t(batch_columns[i])] = &batch.columns[i];
  }
  return Evaluate(expr, by_schema, batch.num_rows, selection);
}

// ---------------------------------------------------------------------------
// Zone maps: for each node, may some row of the chunk be true? may some be
// false? (Unknown rows are neither.) `not` swaps the two; and/or combine
// them like the truth bitmaps above, so pruning stays sound under negation.

namespace {

struct Possible {
  bool may_true = true;
  bool may_false = true;
};

// Whether some value v in the zone [min, max] can satisfy `v op c`. Strings
// get the same treatment: min_string is <= every value and, unless flagged
// inexact, max_string >= every value; "min == max" proves nothing for them,
// which is why `!=` is only decided for exact integer zones.
template <typename T>
bool RangeMayHold(CompareOp op, const T& min, const T& max, bool max_exact, const T& c) {
  switch (op) {
    case CompareOp::kEq: return min <= c && (!max_exact || c <= max);
    case CompareOp::kNe: return true;
    case CompareOp::kLt: return min < c;
    case CompareOp::kLe: return min <= c;
    case CompareOp::kGt: return !max_exact || max > c;
    case CompareOp::kGe: return !max_exact || max >= c;
  }
  return true;
}

CompareOp Negated(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return CompareOp::kNe;
    case CompareOp::kNe: return CompareOp::kEq;
    case CompareOp::kLt: return CompareOp::kGe;
    case CompareOp::kLe: return CompareOp::kGt;
    case CompareOp::kGt: return CompareOp::kLe;
    case CompareOp::kGe: return CompareOp::kLt;
  }
  return op;
}

template <typename T>
Possible ValueLeaf(const Expr& leaf, bool has_range, const T& min, const T& max, bool max_exact, bool nan_possible,
                   bool equal_bounds_exact, auto literal) {
  // "some value satisfies op c" over the zone; without a range (all NaN), only != can hold.
  auto holds = [&](CompareOp op, const T& c) {
    if (!has_range) return op == CompareOp::kNe && nan_possible;
    if (op == CompareOp::kNe) {
      if (nan_possible) return true;
      return !(equal_bounds_exact && min == max && max == c);
    }
    return RangeMayHold(op, min, max, max_exact, c);
  };
  Possible p;
  switch (leaf.kind) {
    case ExprKind::kCompare:
      p.may_true = holds(leaf.op, literal(0));
      // A row is false when it satisfies the opposite comparison, or is NaN
      // (false for every operator but !=).
      p.may_false = holds(Negated(leaf.op), literal(0)) || (nan_possible && leaf.op != CompareOp::kNe);
      return p;
    case ExprKind::kBetween:
      p.may_true = has_range && !(literal(1) < literal(0)) && holds(CompareOp::kGe, literal(0)) &&
                   holds(CompareOp::kLe, literal(1));
      p.may_false = nan_possible || holds(CompareOp::kLt, literal(0)) || holds(CompareOp::kGt, literal(1)) ||
                    literal(1) < literal(0);
      return p;
    case ExprKind::kIn: {
      p.may_true = false;
      for (size_t i = 0; i < leaf.values.size() && !p.may_true; ++i) p.may_true = holds(CompareOp::kEq, literal(i));
      // False rows exist unless every row provably equals one listed value.
      p.may_false = nan_possible || !has_range || !(equal_bounds_exact && min == max) || !p.may_true;
      if (!nan_possible && has_range && equal_bounds_exact && min == max) {
        bool listed = false;
        for (size_t i = 0; i < leaf.values.size(); ++i) listed = listed || literal(i) == min;
        p.may_false = !listed;
      }
      return p;
    }
    default: return p;
  }
}

Possible ZonePossible(const Expr& expr, const format::ChunkMeta& chunk) {
  switch (expr.kind) {
    case ExprKind::kNot: {
      Possible child = ZonePossible(*expr.children[0], chunk);
      return {child.may_false, child.may_true};
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      const bool is_and = expr.kind == ExprKind::kAnd;
      Possible result{is_and, !is_and};
      for (const auto& child_expr : expr.children) {
        Possible child = ZonePossible(*child_expr, chunk);
        if (is_and) {
          result.may_true = result.may_true && child.may_true;
          result.may_false = result.may_false || child.may_false;
        } else {
          result.may_true = result.may_true || child.may_true;
          result.may_false = result.may_false && child.may_false;
        }
      }
      return result;
    }
    default: break;
  }
  if (expr.column < 0 || size_t(expr.column) >= chunk.columns.size()) return {};
  const format::ZoneMap& zone = chunk.columns[size_t(expr.column)].zone;
  if (zone.null_count > chunk.row_count) return {};  // inconsistent metadata: decide nothing
  const uint64_t valid = chunk.row_count - zone.null_count;
  if (expr.kind == ExprKind::kIsNull) {
    const bool has_null = zone.null_count > 0, has_valid = valid > 0;
    return expr.negated ? Possible{has_valid, has_null} : Possible{has_null, has_valid};
  }
  if (valid == 0) return {false, false};  // every row is null: the leaf is unknown everywhere
  if (expr.kind == ExprKind::kContains) return {};
  switch (expr.type) {
    case TypeId::kFloat64:
      // Zone maps leave NaN out of min/max and do not count it: assume it may be there.
      return ValueLeaf<double>(expr, zone.has_min_max, zone.min_float, zone.max_float, true, true, true,
                               [&](size_t i) { return expr.values[i].float_value; });
    case TypeId::kString:
      if (!zone.has_min_max) return {};
      return ValueLeaf<std::string_view>(expr, true, zone.min_string, zone.max_string, !zone.string_bounds_inexact,
                                         false, false,
                                         [&](size_t i) { return std::string_view(expr.values[i].string_value); });
    default:
      if (!zone.has_min_max) return {};
      return ValueLeaf<int64_t>(expr, true, zone.min_int, zone.max_int, true, false, true,
                                [&](size_t i) { return expr.values[i].int_value; });
  }
}

}  // namespace

bool MayMatch(const Expr& expr, const format::ChunkMeta& chunk) { return ZonePossible(expr, chunk).may_true; }

// ---------------------------------------------------------------------------
// Planning with indexes: each node yields supersets of its true rows and of
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
  IndexPlanner(const format::FileMetadata& metadata, const IndexSet& indexes) : metadata_(metadata), indexes_(indexes) {}

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
      default: return PlanLeaf(expr);
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
          part = index.LookupStringRange(range_of([&](size_t k) { return std::string_view(leaf.values[k].string_value); }));
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

int64_t QueryPlan::chunks_to_read() const {
  return std::count_if(chunks.begin(), chunks.end(), [](const ChunkChoice& c) { return c.read; });
}

std::string QueryPlan::Explain(const format::FileMetadata& metadata) const {
  std::string out;
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
  if (used_index) out += rows_exact ? "; the indexes answer the predicate exactly" : "; indexes narrowed the rows, the rest is filtered";
  return out + "\n";
}

Result<QueryPlan> PlanQuery(const Expr& expr, const format::FileMetadata& metadata, const IndexSet& indexes,
                            bool use_zone_maps) {
  QueryPlan plan;
  std::optional<RowSets> sets;
  // Row numbers past 2^32 cannot be in a bitmap; such files get zone maps only.
  if (metadata.num_rows <= RowBitmap::kMaxRows) {
    IndexPlanner planner(metadata, indexes);
    OC_ASSIGN_OR_RETURN(RowSets planned, planner.Plan(expr));
    sets = std::move(planned);
  }
  plan.used_index = sets && sets->t.has_value();
  plan.rows_exact = plan.used_index && sets->exact;
  if (plan.used_index) plan.rows = std::move(*sets->t);
  for (const format::ChunkMeta& chunk : metadata.chunks) {
    ChunkChoice choice;
    choice.candidate_rows = chunk.row_count;
    if (use_zone_maps && !MayMatch(expr, chunk)) {
      choice.read = false;
      choice.candidate_rows = 0;
      choice.reason = "skipped: zone maps show no row can match";
    } else if (plan.used_index) {
      choice.candidate_rows = plan.rows.CardinalityInRange(chunk.first_row, chunk.first_row + chunk.row_count);
      choice.read = choice.candidate_rows > 0;
      choice.reason = choice.read ? "read: index gives " + std::to_string(choice.candidate_rows) + " candidate rows"
                                  : "skipped: index gives no matching row";
    } else {
      choice.reason = use_zone_maps ? "read: zone maps allow a match" : "read: zone maps not used";
    }
    if (!choice.read && plan.used_index) {
      plan.rows.Subtract(RowBitmap::Range(chunk.first_row, chunk.first_row + chunk.row_count));
    }
    plan.chunks.push_back(std::move(choice));
  }
  return plan;
}

}  // namespace outcore
