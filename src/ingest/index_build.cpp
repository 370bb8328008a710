#include "ingest/index_build.h"

#include "format/index_kind.h"

namespace outcore {

IndexBuild::IndexBuild(int column, TypeId type, uint8_t kind, MemoryBudget* budget, uint64_t max_bytes)
    : column_(column), kind_(kind) {
  if (kind == format::kIndexKindToken) {
    token_ = std::make_unique<TokenIndexBuilder>(budget, max_bytes);
  } else {
    value_ = std::make_unique<ValueIndexBuilder>(type, budget, max_bytes);
  }
}

bool IndexBuild::overflowed() const { return token_ ? token_->overflowed() : value_ && value_->overflowed(); }

Status IndexBuild::AddChunk(const ColumnVector& column, uint64_t first_row) {
  return token_ ? token_->AddChunk(column, first_row) : value_->AddChunk(column, first_row);
}

Status IndexBuild::AddCollected(const TokenChunk& chunk, uint64_t first_row) {
  return token_->AddCollected(chunk, first_row);
}

Status IndexBuild::Write(const std::string& column_name, format::FileWriter* writer, Compressor* compressor,
                         Buffer* payload, Buffer* compressed, std::vector<format::IndexMeta>* indexes,
                         IngestIndexReport* report) {
  *report = IngestIndexReport();
  report->column = column_name;
  report->kind = IndexKindName(kind_);
  if (overflowed()) {
    report->note = (token_ ? token_->overflow_reason() : value_->overflow_reason()) +
                   "; raise --memory-limit or index fewer columns";
  } else {
    payload->Clear();
    report->keys = token_ ? token_->token_count() : value_->key_count();
    OC_RETURN_IF_ERROR(token_ ? token_->Serialize(payload) : value_->Serialize(payload));
    std::string_view stored = payload->view();
    uint8_t codec = format::kCodecNone;
    if (compressor) {
      OC_RETURN_IF_ERROR(compressor->Compress(payload->view(), compressed));
      stored = compressed->view();
      codec = uint8_t(compressor->codec());
    }
    format::IndexMeta meta;
    meta.column = uint32_t(column_);
    meta.kind = kind_;
    meta.key_count = report->keys;
    OC_ASSIGN_OR_RETURN(meta.block, writer->AppendBlock(stored, payload->size(), codec));
    indexes->push_back(meta);
    report->built = true;
    report->stored_bytes = stored.size();
  }
  value_.reset();
  token_.reset();
  return Status::OK();
}

}  // namespace outcore
