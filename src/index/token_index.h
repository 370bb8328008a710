// Token index for free text: each lowercase word of a string column -> the
// rows whose value contains it, so "passages that mention food" is a lookup
// instead of a scan. The tokenizer rule (doc/query.md, "Tokens"): a token is a
// maximal run of ASCII letters, ASCII digits and non-ASCII bytes (so UTF-8
// words stay whole); every other ASCII byte separates tokens; ASCII letters
// are lowercased, nothing else is changed. The scan path of `contains` uses
// the same Tokenize, so index and scan always agree.
//
// Thread-safety: as value_index.h — builders single-threaded, a TokenIndex
// immutable and safe to share.
//
//   TokenIndexBuilder builder(&budget, 512 << 20);
//   OC_RETURN_IF_ERROR(builder.AddChunk(passages, first_row));
//   Buffer block(&budget);
//   OC_RETURN_IF_ERROR(builder.Serialize(&block));
//   OC_ASSIGN_OR_RETURN(TokenIndex index, TokenIndex::Deserialize(block.view()));
//   OC_ASSIGN_OR_RETURN(RowBitmap rows, index.Lookup("Food"));   // rows mentioning "food"
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/row_bitmap.h"
#include "index/value_index.h"

namespace outcore {

// Calls fn(token) for each token of `text`, in order (duplicates included).
// `scratch` holds the lowercased token, reused between calls.
//   ForEachToken("Ice-cream, 2 scoops", &s, f);  // "ice", "cream", "2", "scoops"
template <typename Fn>
void ForEachToken(std::string_view text, std::string* scratch, Fn&& fn) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    while (i < n) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) break;
      ++i;
    }
    if (i == n) break;
    scratch->clear();
    while (i < n) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c >= 0x80 || (c >= '0' && c <= '9')) {
        scratch->push_back(char(c));
      } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
        scratch->push_back(char(c | 0x20));
      } else {
        break;
      }
      ++i;
    }
    fn(std::string_view(*scratch));
  }
}

// The distinct tokens of `text`, sorted.  Tokenize("The cat, the hat") == {"cat", "hat", "the"}
std::vector<std::string> Tokenize(std::string_view text);

// The tokens of one chunk grouped by token, with chunk-local row numbers.
// Collect runs anywhere (ingest's parallel workers), so the ordered stage's
// AddCollected does one lookup per distinct token of the chunk instead of one
// per occurrence. Its memory (an estimate) is charged to `budget` until it
// is destroyed or collects again.
//   TokenChunk tokens(&budget);                       // worker thread
//   OC_RETURN_IF_ERROR(tokens.Collect(passages));
//   OC_RETURN_IF_ERROR(builder.AddCollected(tokens, first_row));  // ordered stage
class TokenChunk {
 public:
  explicit TokenChunk(MemoryBudget* budget) : budget_(budget) {}
  ~TokenChunk() { Release(); }
  TokenChunk(const TokenChunk&) = delete;
  TokenChunk& operator=(const TokenChunk&) = delete;

  // REQUIRES: a kString column (plain or dictionary-coded).
  Status Collect(const ColumnVector& column);
  int64_t rows() const { return rows_; }
  size_t distinct_tokens() const { return rows_by_token_.size(); }

 private:
  friend class TokenIndexBuilder;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  void Release();

  MemoryBudget* budget_;
  uint64_t charged_ = 0;
  int64_t rows_ = 0;
  std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>> rows_by_token_;
  std::vector<uint32_t> null_rows_;
  std::string scratch_;
};

class TokenIndexBuilder {
 public:
  // As ValueIndexBuilder: `max_bytes` caps the index; its estimate is charged to `budget`.
  TokenIndexBuilder(MemoryBudget* budget, uint64_t max_bytes);

  // Indexes the tokens of rows [first_row, first_row + column.length).
  // REQUIRES: a kString column (plain or dictionary-coded).
  Status AddChunk(const ColumnVector& column, uint64_t first_row);
  // The same for a chunk collected beforehand: rows [first_row, first_row + chunk.rows()).
  Status AddCollected(const TokenChunk& chunk, uint64_t first_row);
  bool overflowed() const { return builder_.overflowed(); }
  const std::string& overflow_reason() const { return builder_.overflow_reason(); }
  uint64_t charged_bytes() const { return builder_.charged_bytes(); }
  uint64_t token_count() const { return builder_.key_count(); }
  // The same block layout as a value index, with kind kToken.
  Status Serialize(Buffer* out) { return builder_.Serialize(out); }

 private:
  ValueIndexBuilder builder_;
  std::string scratch_;
};

class TokenIndex {
 public:
  // InvalidArgument when `bytes` hold a value index; Corruption when malformed.
  static Result<TokenIndex> Deserialize(std::string_view bytes, MemoryBudget* budget = nullptr);

  // Rows whose value contains every token of `words` (any order, anywhere).
  // InvalidArgument when `words` has no token.
  //   index.Lookup("food")  index.Lookup("ice cream")  // both tokens, not the phrase
  Result<RowBitmap> Lookup(std::string_view words) const;
  // Rows whose value is null.
  Result<RowBitmap> Nulls() const { return index_.Nulls(); }
  uint64_t row_count() const { return index_.row_count(); }
  uint64_t token_count() const { return index_.key_count(); }
  const ValueIndex& keys() const { return index_; }

 private:
  explicit TokenIndex(ValueIndex index) : index_(std::move(index)) {}
  ValueIndex index_;
};

}  // namespace outcore
