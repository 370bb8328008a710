#include "scan/expression.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "csv/value_parser.h"
#include "index/token_index.h"

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

constexpr std::string_view kKeywords[] = {"and", "or",   "not",      "in",   "between",
                                          "is",  "null", "contains", "true", "false"};

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
        if (token.kind == Tok::kQuotedIdent && token.text.empty())
          return fail(token.position, "empty column name \"\"");
      } else if (IsDigit(c) ||
                 ((c == '-' || c == '.') && i + 1 < n && (IsDigit(text_[i + 1]) || text_[i + 1] == '.'))) {
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
          if (k == n || !IsDigit(text_[k]))
            return fail(j, "malformed number: expected digits after the exponent");
          while (k < n && IsDigit(text_[k])) ++k;
          j = k;
        }
        if (j < n && (IsIdentChar(text_[j]) || text_[j] == '.'))
          return fail(j, "malformed number: unexpected '" + std::string(1, text_[j]) + "'");
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
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

std::optional<CompareOp> OpFromText(std::string_view text) {
  for (CompareOp op :
       {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt, CompareOp::kLe, CompareOp::kGt, CompareOp::kGe}) {
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
    if (depth > kMaxDepth)
      return Fail(Peek().position, "expression nests deeper than " + std::to_string(kMaxDepth) + " levels");
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
        return Fail(Peek().position,
                    Ended("expected ')' to close the '(' at position " + std::to_string(open)));
      }
      Take();
      return inner;
    }
    const Token& token = Peek();
    if (token.kind == Tok::kQuotedIdent || (token.kind == Tok::kIdent && !IsKeyword(token.text))) {
      return ParsePredicateOn(Take());
    }
    if (token.kind == Tok::kString || token.kind == Tok::kNumber || PeekKeyword("true") ||
        PeekKeyword("false") || PeekKeyword("null")) {
      return Fail(token.position, "expected a column name: write the column first, as in price > 100");
    }
    if (token.kind == Tok::kIdent) {
      return Fail(token.position, "'" + token.text +
                                      "' is a keyword; put a column of that name in double quotes: \"" +
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
      return fail(
          "null can only be tested with 'is null' or 'is not null' (a comparison with null is never true)");
    }
    const bool is_bool_word = token.kind == Tok::kIdent &&
                              (EqualsIgnoreCase(token.text, "true") || EqualsIgnoreCase(token.text, "false"));
    if (token.kind == Tok::kEnd) return fail("expected a value but the expression ended");
    if (token.kind != Tok::kString && token.kind != Tok::kNumber && !is_bool_word) {
      return fail("expected a value (a number, 'text' in single quotes, true or false), found '" +
                  token.text + "'");
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
        if (outcome == ParseOutcome::kOutOfRange)
          return fail("'" + token.text + "' is not a valid timestamp");
        if (outcome != ParseOutcome::kOk)
          return fail("expected a timestamp 'YYYY-MM-DD HH:MM:SS' for " + what);
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
      if (Peek().kind != Tok::kLParen)
        return Fail(Peek().position, Ended("expected '(' to start the list after 'in'"));
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
      if (!PeekKeyword("and"))
        return Fail(Peek().position, Ended("expected 'and' between the two bounds of 'between'"));
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
        return Fail(at,
                    "contains needs a string column; " + name + " is " + std::string(TypeName(leaf->type)));
      }
      const Token& word = Peek();
      if (word.kind != Tok::kString)
        return Fail(word.position, Ended("expected a word in single quotes after contains"));
      Take();
      leaf->tokens = Tokenize(word.text);
      if (leaf->tokens.empty()) return Fail(word.position, "expected a word (letters or digits) to look for");
      Literal literal;
      literal.string_value = word.text;
      leaf->values.push_back(std::move(literal));
    } else {
      return Fail(
          Peek().position,
          Ended("expected an operator (==, !=, <, <=, >, >=, in, between, is, contains) after column " +
                name));
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
      std::sort(values.begin(), values.end(),
                [](auto& a, auto& b) { return a.string_value < b.string_value; });
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
    case TypeId::kBool:
      return literal.int_value ? "true" : "false";
    case TypeId::kInt64:
      return std::string(buffer, FormatInt64(literal.int_value, buffer));
    case TypeId::kFloat64:
      return std::string(buffer, FormatFloat64(literal.float_value, buffer));
    case TypeId::kString:
      return QuoteString(literal.string_value, '\'');
    case TypeId::kDate:
      return "'" + std::string(buffer, FormatDate(int32_t(literal.int_value), buffer)) + "'";
    case TypeId::kTimestamp:
      return "'" + std::string(buffer, FormatTimestamp(literal.int_value, buffer)) + "'";
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
    case ExprKind::kAnd:
      return join(" and ");
    case ExprKind::kOr:
      return join(" or ");
    case ExprKind::kNot:
      return "(not " + children[0]->ToString(schema) + ")";
    case ExprKind::kCompare:
      return "(" + name + " " + std::string(OpText(op)) + " " + LiteralText(values[0], type) + ")";
    case ExprKind::kIn: {
      std::string out = "(" + name + " in (";
      for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + LiteralText(values[i], type);
      return out + "))";
    }
    case ExprKind::kBetween:
      return "(" + name + " between " + LiteralText(values[0], type) + " and " +
             LiteralText(values[1], type) + ")";
    case ExprKind::kIsNull:
      return "(" + name + (negated ? " is not null)" : " is null)");
    case ExprKind::kContains:
      return "(" + name + " contains " + QuoteString(values[0].string_value, '\'') + ")";
  }
  return "?";
}

}  // namespace outcore
