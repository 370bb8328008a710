// Lossy stored forms, asked per column at ingest (`--lossy price=float16`,
// `oc.ingest(..., lossy={"price": "float16"})`), and the error they caused,
// measured on the data. Only the stored form is lossy: a float64 column still
// reads as float64 (an int64 one as int64), with the decoded values.
// doc/encodings.md, "Lossy forms", says how each form stores and decodes, and
// when a chunk keeps its exact form instead.
//
//   OC_ASSIGN_OR_RETURN(outcore::LossyForms forms,
//                       outcore::ParseLossyForms("score=float32,price=quantize:0.01", "--lossy"));
//   options.lossy = forms;                       // IngestOptions
//   for (const outcore::LossyColumnReport& c : report.lossy) use(c.column, c.max_abs_error);
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/status.h"

namespace outcore {

// Ids are stored in the footer (doc/format.md, "Lossy section"): never renumber.
enum class LossyKind : uint8_t {
  kFloat32 = 1,   // float64 column stored as IEEE binary32 (round to nearest)
  kFloat16 = 2,   // float64 column stored as IEEE binary16 (round to nearest)
  kQuantize = 3,  // float64 or int64 column stored as k = round(x / step), read as k * step
};

struct LossyForm {
  LossyKind kind = LossyKind::kFloat32;
  double step = 0;  // kQuantize only: > 0 (a whole number for an int64 column)
};

struct LossyColumn {
  std::string column;
  LossyForm form;
};
// One entry per column, in the order given.
using LossyForms = std::vector<LossyColumn>;

// "float32", "float16", "quantize:0.5".
std::string LossyFormName(const LossyForm& form);

// One column's form as the user spells it: "float32", "float16" or
// "quantize:STEP" (STEP a positive finite number). `option` and `column` name
// the argument in the message ("--lossy score=float8: ...").
Result<LossyForm> ParseLossyForm(std::string_view text, std::string_view column, std::string_view option);

// "score=float32,price=float16,quantity=quantize:5" (canonical), or the same
// with ':' for '=' ("score:float32"), where the form that ends the item says
// where the name stops. A column named twice, an empty name or an unknown
// form is an InvalidArgument naming `option` and the item.
Result<LossyForms> ParseLossyForms(std::string_view text, std::string_view option);

// What a lossy column cost and saved, over its chunks (the ingest report and
// `outcore info` give the same figures: both come from the footer's record).
struct LossyColumnReport {
  std::string column;
  std::string form;                           // LossyFormName
  uint64_t chunks_lossy = 0;                  // chunks stored in the lossy form
  uint64_t chunks_exact_unrepresentable = 0;  // kept exact: a value the form cannot hold
  uint64_t chunks_exact_not_smaller = 0;      // kept exact: the lossy form was not smaller
  // Over every valid, finite value x of the column and its decoded value d:
  // max |d - x|, and max |d - x| / |x| over x != 0 (every form stores 0 as 0,
  // so a zero has no error; near zero the relative error can reach 1, when a
  // value rounds to 0). Exact chunks count as error 0.
  double max_abs_error = 0;
  double max_rel_error = 0;
  // Stored (compressed) bytes of the column's chunks as written, and as the
  // exact form would have written them (measured: each chunk is encoded and
  // compressed both ways at ingest).
  uint64_t stored_bytes = 0;
  uint64_t exact_bytes = 0;
  // Ingest only (not kept in the file): the first value that had no lossy
  // form, e.g. "70000 (past float16's largest, 65504)". Empty otherwise.
  std::string unrepresentable_example;

  int64_t bytes_saved() const { return int64_t(exact_bytes) - int64_t(stored_bytes); }
};

}  // namespace outcore
