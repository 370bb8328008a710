// LossyColumnReport as a dict, keyed as `outcore ingest --json` and
// `outcore info --json` key it: the one conversion for oc.ingest()'s report
// and Dataset.info().
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <vector>

#include "outcore/lossy.h"

namespace outcore {

inline nanobind::list LossyReportsToList(const std::vector<LossyColumnReport>& reports) {
  nanobind::list out;
  for (const LossyColumnReport& c : reports) {
    nanobind::dict d;
    d["column"] = c.column;
    d["form"] = c.form;
    d["max_abs_error"] = c.max_abs_error;
    d["max_rel_error"] = c.max_rel_error;
    d["stored_bytes"] = c.stored_bytes;
    d["exact_bytes"] = c.exact_bytes;
    d["bytes_saved"] = c.bytes_saved();
    d["chunks_lossy"] = c.chunks_lossy;
    d["chunks_exact_unrepresentable"] = c.chunks_exact_unrepresentable;
    d["chunks_exact_not_smaller"] = c.chunks_exact_not_smaller;
    d["unrepresentable_example"] = c.unrepresentable_example;
    out.append(d);
  }
  return out;
}

}  // namespace outcore
