#include "encoding/string_column_encoder.h"

namespace outcore {

StringColumnEncoder::StringColumnEncoder(MemoryBudget* budget, uint64_t dictionary_max_bytes)
    : local_(budget), global_(budget, dictionary_max_bytes), coded_(TypeId::kString, budget) {}

Status StringColumnEncoder::EncodePlain(const ColumnVector& plain, const EncodeOptions& options,
                                        Buffer* payload) {
  EncodeOptions plain_options = options;
  plain_options.dictionary_codes = false;
  return EncodeColumn(plain, plain_options, payload);
}

Status StringColumnEncoder::EncodeChunk(const ColumnVector& plain, const EncodeOptions& options,
                                        Buffer* payload) {
  if (plain.type != TypeId::kString || plain.is_dictionary()) {
    return Status::InvalidArgument("StringColumnEncoder: chunk is not a plain string column");
  }
  if (!active_) return EncodePlain(plain, options, payload);

  local_.Build(plain, &coded_.values, &uniques_);
  const int64_t valid_rows = plain.length - plain.null_count;
  if (!used_ && valid_rows >= kSampleRows &&
      double(uniques_.size()) > kMaxDistinctFraction * double(valid_rows)) {
    active_ = false;
    return EncodePlain(plain, options, payload);
  }
  if (!global_.Merge(uniques_, &remap_)) {
    active_ = false;  // later chunks too: the dictionary stays as it is
    return EncodePlain(plain, options, payload);
  }
  RemapCodes(coded_.values.as<int32_t>(), plain.length, remap_);
  coded_.length = plain.length;
  coded_.null_count = plain.null_count;
  coded_.validity.Clear();
  if (plain.null_count > 0) coded_.validity.Append(plain.validity.data(), BitmapBytes(plain.length));
  EncodeOptions coded_options = options;
  coded_options.dictionary_codes = true;
  OC_RETURN_IF_ERROR(EncodeColumn(coded_, coded_options, payload));
  used_ = true;
  return Status::OK();
}

}  // namespace outcore
