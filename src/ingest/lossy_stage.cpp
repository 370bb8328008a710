// The lossy columns of ingest (encode_stages.h): checked against the schema
// before anything is written, and tried chunk by chunk — the exact and the
// lossy form each encoded and compressed, the lossy one kept only when every
// value has it and it is smaller, its error measured on the decoded values.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "encoding/column_encoder.h"
#include "ingest/encode_stages.h"

namespace outcore {

namespace {

std::string JoinColumnNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// Why `value` has no lossy form, for the report.
std::string WhyUnrepresentable(const LossyForm& form, TypeId type, double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  std::string out = text;
  switch (form.kind) {
    case LossyKind::kFloat32:
      return out + " (past float32's largest finite value, 3.4028235e+38)";
    case LossyKind::kFloat16:
      return out + " (past float16's largest finite value, 65504)";
    case LossyKind::kQuantize:
      if (!std::isfinite(value)) return out + " (quantize holds finite values only)";
      return out + (type == TypeId::kInt64 ? " (k * step would leave int64)"
                                           : " (k = round(x / step) would pass 2^53)");
  }
  return out;
}

}  // namespace

Status EncodeStages::PlanLossy(const std::string& source) {
  lossy_.clear();
  lossy_examples_.clear();
  for (ColumnState& col : columns_) col.lossy = -1;
  const std::vector<std::string> header = names();
  for (const LossyColumn& asked : options_.lossy) {
    auto it = std::find(header.begin(), header.end(), asked.column);
    const std::string item = "--lossy " + asked.column + "=" + LossyFormName(asked.form);
    if (it == header.end()) {
      return Status::InvalidArgument(item + ": no column '" + asked.column + "' in " + source +
                                     "; its columns are: " + JoinColumnNames(header));
    }
    const size_t c = size_t(it - header.begin());
    ColumnState& col = columns_[c];
    const std::string type(TypeName(col.type));
    if (col.lossy >= 0) return Status::InvalidArgument("--lossy names column '" + asked.column + "' twice");
    const bool quantize = asked.form.kind == LossyKind::kQuantize;
    if (col.type != TypeId::kFloat64 && !(quantize && col.type == TypeId::kInt64)) {
      const char* article = type[0] == 'i' ? "an" : "a";
      return Status::InvalidArgument(item + ": '" + asked.column + "' is " + article + " " + type +
                                     " column; float32 and float16 apply to float64 columns, quantize:STEP "
                                     "to float64 and int64 columns");
    }
    if (col.type == TypeId::kInt64 && !(asked.form.step >= 1 && asked.form.step <= 9007199254740992.0 &&
                                        std::floor(asked.form.step) == asked.form.step)) {
      return Status::InvalidArgument(item + ": '" + asked.column +
                                     "' is an int64 column, which reads back as whole numbers; give a whole "
                                     "step (quantize:10 rounds to tens)");
    }
    col.lossy = int(lossy_.size());
    format::LossyColumnMeta meta;
    meta.column = uint32_t(c);
    meta.form = asked.form;
    lossy_.push_back(std::move(meta));
    lossy_examples_.emplace_back();
  }
  return Status::OK();
}

Status EncodeStages::TryLossy(ChunkWork* w, size_t c, int64_t rows) {
  const LossyForm& form = lossy_[size_t(columns_[c].lossy)].form;
  ChunkWork::LossyTrial& trial = w->lossy[c];
  trial = ChunkWork::LossyTrial();
  trial.done = true;
  ColumnVector& column = w->columns[c];
  // The stored size of a payload: what its block takes once compressed.
  auto stored_size = [&](const Buffer& payload, Buffer* compressed) -> Result<uint64_t> {
    if (codec_ == Codec::kNone) return uint64_t(payload.size());
    OC_RETURN_IF_ERROR(w->compressor.Compress(payload.view(), compressed));
    return uint64_t(compressed->size());
  };
  OC_RETURN_IF_ERROR(EncodeColumn(column, EncodeOptions(), &w->payloads[c]));
  OC_ASSIGN_OR_RETURN(Encoding exact, PayloadEncoding(w->payloads[c].view()));
  w->encodings[c] = uint8_t(exact);
  OC_ASSIGN_OR_RETURN(trial.chunk.exact_bytes, stored_size(w->payloads[c], &w->compressed[c]));

  OC_ASSIGN_OR_RETURN(bool held, EncodeLossyColumn(column, form, &w->trial_payload, &trial.unrepresentable));
  if (!held) {
    trial.chunk.outcome = format::LossyOutcome::kExactUnrepresentable;
    return Status::OK();
  }
  OC_ASSIGN_OR_RETURN(uint64_t lossy_bytes, stored_size(w->trial_payload, &w->trial_compressed));
  if (lossy_bytes >= trial.chunk.exact_bytes) {
    trial.chunk.outcome = format::LossyOutcome::kExactNotSmaller;
    return Status::OK();
  }
  // Measured on what a reader will decode, with the reader's own decoder.
  OC_RETURN_IF_ERROR(DecodeColumn(column.type, rows, w->trial_payload.view(), nullptr, &w->decoded));
  LossyError error = MeasureLossyError(column, w->decoded);
  trial.chunk.outcome = format::LossyOutcome::kLossy;
  trial.chunk.max_abs_error = error.max_abs;
  trial.chunk.max_rel_error = error.max_rel;
  std::swap(w->payloads[c], w->trial_payload);
  std::swap(w->compressed[c], w->trial_compressed);
  OC_ASSIGN_OR_RETURN(Encoding lossy, PayloadEncoding(w->payloads[c].view()));
  w->encodings[c] = uint8_t(lossy);
  // From here the chunk holds the decoded values: its statistics, zone map,
  // distinct count and value index describe what the file gives back, so a
  // --where prunes on the values it will test.
  std::memcpy(column.values.data(), w->decoded.values.data(), 8 * size_t(rows));
  return Status::OK();
}

void EncodeStages::RecordLossy(const ChunkWork& w, size_t c, uint64_t stored_bytes) {
  const size_t index = size_t(columns_[c].lossy);
  const ChunkWork::LossyTrial& trial = w.lossy[c];
  format::LossyChunk chunk = trial.chunk;
  chunk.stored_bytes = stored_bytes;
  if (chunk.outcome == format::LossyOutcome::kExactUnrepresentable && lossy_examples_[index].empty()) {
    lossy_examples_[index] = "chunk " + std::to_string(lossy_[index].chunks.size()) + " holds " +
                             WhyUnrepresentable(lossy_[index].form, columns_[c].type, trial.unrepresentable);
  }
  budget_->Reserve(sizeof(format::LossyChunk));
  lossy_charge_ += sizeof(format::LossyChunk);
  lossy_[index].chunks.push_back(chunk);
}

}  // namespace outcore
