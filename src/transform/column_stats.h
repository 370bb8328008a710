// Column statistics in one streaming pass: count, nulls, NaNs, min, max, mean
// and variance (population, ddof = 0, as numpy and StandardScaler use), merged
// batch by batch with Chan, Golub and LeVeque's pairwise update, which stays
// accurate where a running sum of squares would cancel; distinct values for
// dictionary columns (exact: codes seen). NaN is counted apart and left out
// of min/max/mean/variance. Thread-safety: a value owned by one thread;
// Moments::Merge combines per-thread partial results.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/status.h"
#include "outcore/transform.h"

namespace outcore::transform {

// Count, mean and sum of squared deviations of a run of numbers.
struct Moments {
  int64_t count = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from the mean

  //   Moments a = Moments::Of(x, 100), b = Moments::Of(x + 100, 50);
  //   a.Merge(b);   // == Moments::Of(x, 150) up to rounding
  static Moments Of(const double* values, int64_t count);
  void Merge(const Moments& other);
  double variance() const { return count > 0 ? m2 / double(count) : 0.0; }
};

struct ColumnSummary {
  std::string name;
  TypeId type = TypeId::kFloat64;
  int64_t count = 0;  // non-null values (NaN included)
  int64_t nulls = 0;
  int64_t nans = 0;        // float64 only
  bool has_range = false;  // numeric with at least one non-NaN value
  double min = 0, max = 0;
  Moments moments;        // numeric columns, NaN left out
  int64_t distinct = -1;  // dictionary columns: exact; else -1 (unknown)
  bool numeric() const { return type != TypeId::kString; }
};

// Statistics of `columns` (empty: all) of `dataset`, one scan (stopped with a
// Cancelled status once `cancel` is set), of the rows `selection` picks and
// with its null policy: kKeep counts nulls, kDrop leaves rows with a null in
// any of the columns out, kMean counts each null as its column's mean (the
// mean stays, the variance shrinks as imputing would make it), kFail stops at
// the first null.
//   OC_ASSIGN_OR_RETURN(auto stats, ComputeColumnStats(dataset, {"price"}));
//   stats[0].moments.mean, stats[0].moments.variance()
Result<std::vector<ColumnSummary>> ComputeColumnStats(const std::shared_ptr<const Dataset>& dataset,
                                                      const std::vector<std::string>& columns,
                                                      uint64_t memory_limit = 0,
                                                      const std::atomic<bool>* cancel = nullptr,
                                                      const RowSelection& selection = {});

// The mean of each of `columns` over the rows matching `where`, the values
// NullPolicy::kMean puts in a null's place; a column with nulls but no value
// to take a mean of is a DataError.
Result<std::vector<double>> ImputationMeans(const std::shared_ptr<const Dataset>& dataset,
                                            const std::vector<std::string>& columns, const std::string& where,
                                            uint64_t memory_limit = 0,
                                            const std::atomic<bool>* cancel = nullptr);

}  // namespace outcore::transform
