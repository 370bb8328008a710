#include "base/lossy_json.h"

namespace outcore {

void WriteLossyJson(JsonWriter* j, const std::vector<LossyColumnReport>& lossy) {
  j->BeginArray();
  for (const LossyColumnReport& c : lossy) {
    j->BeginObject();
    j->Key("column").String(c.column);
    j->Key("form").String(c.form);
    j->Key("max_abs_error").Number(c.max_abs_error);
    j->Key("max_rel_error").Number(c.max_rel_error);
    j->Key("stored_bytes").UInt(c.stored_bytes);
    j->Key("exact_bytes").UInt(c.exact_bytes);
    j->Key("bytes_saved").Int(c.bytes_saved());
    j->Key("chunks_lossy").UInt(c.chunks_lossy);
    j->Key("chunks_exact_unrepresentable").UInt(c.chunks_exact_unrepresentable);
    j->Key("chunks_exact_not_smaller").UInt(c.chunks_exact_not_smaller);
    j->Key("unrepresentable_example").String(c.unrepresentable_example);
    j->EndObject();
  }
  j->EndArray();
}

}  // namespace outcore
