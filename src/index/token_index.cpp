#include "index/token_index.h"

#include <algorithm>

namespace outcore {

std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  std::string scratch;
  ForEachToken(text, &scratch, [&](std::string_view token) { tokens.emplace_back(token); });
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  return tokens;
}

TokenIndexBuilder::TokenIndexBuilder(MemoryBudget* budget, uint64_t max_bytes)
    : builder_(TypeId::kString, budget, max_bytes, IndexKind::kToken) {}

Status TokenIndexBuilder::AddChunk(const ColumnVector& column, uint64_t first_row) {
  if (builder_.overflowed()) return Status::OK();
  if (column.type != TypeId::kString) {
    return Status::InvalidArgument("token index needs a string column, got " +
                                   std::string(TypeName(column.type)));
  }
  if (first_row + uint64_t(column.length) > RowBitmap::kMaxRows) {
    // Let the shared builder record the overflow with its usual message.
    ColumnVector empty(TypeId::kString, nullptr);
    empty.length = column.length;
    return builder_.AddChunk(empty, first_row);
  }
  for (int64_t i = 0; i < column.length; ++i) {
    const uint32_t row = uint32_t(first_row + uint64_t(i));
    if (!column.IsValid(i)) {
      builder_.AddNull(row);
      continue;
    }
    // A row may repeat a token; adding it to the bitmap twice is harmless.
    ForEachToken(column.GetString(i), &scratch_,
                 [&](std::string_view token) { builder_.AddStringKey(token, row); });
  }
  return builder_.FinishChunk(first_row, uint64_t(column.length));
}

void TokenChunk::Release() {
  if (budget_ != nullptr && charged_ > 0) budget_->Release(charged_);
  charged_ = 0;
}

Status TokenChunk::Collect(const ColumnVector& column) {
  if (column.type != TypeId::kString) {
    return Status::InvalidArgument("token index needs a string column, got " +
                                   std::string(TypeName(column.type)));
  }
  rows_by_token_.clear();
  null_rows_.clear();
  rows_ = column.length;
  for (int64_t i = 0; i < column.length; ++i) {
    const uint32_t row = uint32_t(i);
    if (!column.IsValid(i)) {
      null_rows_.push_back(row);
      continue;
    }
    ForEachToken(column.GetString(i), &scratch_, [&](std::string_view token) {
      auto it = rows_by_token_.find(token);
      if (it == rows_by_token_.end())
        it = rows_by_token_.emplace(std::string(token), std::vector<uint32_t>()).first;
      // A token repeated within a row is recorded once.
      if (it->second.empty() || it->second.back() != row) it->second.push_back(row);
    });
  }
  // Measured after the fact from capacities: hash node, bucket, key and
  // allocator headers per token (~112 bytes), plus the row vectors as allocated.
  constexpr uint64_t kPerTokenOverhead = 112;
  uint64_t estimate =
      null_rows_.capacity() * sizeof(uint32_t) + rows_by_token_.bucket_count() * sizeof(void*);
  for (const auto& [token, rows] : rows_by_token_) {
    estimate +=
        kPerTokenOverhead + (token.size() > 15 ? token.size() + 1 : 0) + rows.capacity() * sizeof(uint32_t);
  }
  // Working memory of the chunk being ingested, which cannot be done without:
  // charged unconditionally, like the chunk's own column buffers.
  Release();
  if (budget_ != nullptr) budget_->Reserve(estimate);
  charged_ = estimate;
  return Status::OK();
}

Status TokenIndexBuilder::AddCollected(const TokenChunk& chunk, uint64_t first_row) {
  if (builder_.overflowed()) return Status::OK();
  if (first_row + uint64_t(chunk.rows()) > RowBitmap::kMaxRows) {
    ColumnVector empty(TypeId::kString, nullptr);
    empty.length = chunk.rows();
    return builder_.AddChunk(empty, first_row);
  }
  builder_.AddNulls(chunk.null_rows_, first_row);
  for (const auto& [token, rows] : chunk.rows_by_token_) builder_.AddStringKeyRows(token, rows, first_row);
  return builder_.FinishChunk(first_row, uint64_t(chunk.rows()));
}

Result<TokenIndex> TokenIndex::Deserialize(std::string_view bytes, MemoryBudget* budget) {
  OC_ASSIGN_OR_RETURN(ValueIndex index, ValueIndex::Deserialize(bytes, budget));
  if (index.kind() != IndexKind::kToken)
    return Status::InvalidArgument("index block holds a value index, not a token index");
  return TokenIndex(std::move(index));
}

Result<RowBitmap> TokenIndex::Lookup(std::string_view words) const {
  const std::vector<std::string> tokens = Tokenize(words);
  if (tokens.empty()) {
    std::string message =
        "'";  // appended, not concatenated: GCC 12 warns falsely (-Wrestrict) on "'" + string
    message.append(words);
    message += "' has no word to look up (letters or digits)";
    return Status::InvalidArgument(std::move(message));
  }
  RowBitmap rows;
  bool first = true;
  for (const std::string& token : tokens) {
    OC_ASSIGN_OR_RETURN(RowBitmap part, index_.LookupStringRange(KeyRange<std::string_view>::Equal(token)));
    if (first) {
      rows = std::move(part);
      first = false;
    } else {
      rows.IntersectWith(part);
    }
    if (rows.IsEmpty()) break;
  }
  return rows;
}

}  // namespace outcore
