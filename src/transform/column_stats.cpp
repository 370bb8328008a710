#include "transform/column_stats.h"

#include <algorithm>
#include <cmath>

#include "transform/row_selection.h"

namespace outcore::transform {

namespace {

Status NoMean(const std::string& column) {
  return Status::DataError("column '" + column +
                           "' has no value in the selected rows to take a mean of for its nulls");
}

}  // namespace

Moments Moments::Of(const double* values, int64_t count) {
  Moments m;
  if (count == 0) return m;
  double sum = 0;
  for (int64_t i = 0; i < count; ++i) sum += values[i];
  m.count = count;
  m.mean = sum / double(count);
  // Second pass with the corrected two-pass formula (the correction term
  // absorbs the rounding error of the mean).
  double correction = 0, squares = 0;
  for (int64_t i = 0; i < count; ++i) {
    double d = values[i] - m.mean;
    correction += d;
    squares += d * d;
  }
  m.m2 = squares - correction * correction / double(count);
  return m;
}

void Moments::Merge(const Moments& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  const double n_a = double(count), n_b = double(other.count), n = n_a + n_b;
  const double delta = other.mean - mean;
  mean += delta * (n_b / n);
  m2 += other.m2 + delta * delta * (n_a * n_b / n);
  count += other.count;
}

Result<std::vector<ColumnSummary>> ComputeColumnStats(const std::shared_ptr<const Dataset>& dataset,
                                                      const std::vector<std::string>& columns,
                                                      uint64_t memory_limit, const std::atomic<bool>* cancel,
                                                      const RowSelection& selection) {
  std::vector<std::string> names = columns;
  if (names.empty()) {
    for (const auto& c : dataset->schema()) names.push_back(c.name);
  }
  OC_RETURN_IF_ERROR(CheckMeanApplies(*dataset, names, selection));
  ScanOptions options;
  options.columns = columns;
  options.memory_limit = memory_limit;
  options.cancel = cancel;
  OC_RETURN_IF_ERROR(ScanRowsOf(*dataset, names, selection, &options));
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, options));
  std::vector<ColumnSummary> out(scanner->columns().size());
  std::vector<std::vector<bool>> codes_seen(out.size());
  for (size_t c = 0; c < out.size(); ++c) {
    out[c].name = scanner->columns()[c].name;
    out[c].type = scanner->columns()[c].type;
  }
  std::vector<double> values;
  Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    for (size_t c = 0; c < out.size(); ++c) {
      const ColumnVector& v = batch.columns[c];
      ColumnSummary& s = out[c];
      if (selection.nulls == NullPolicy::kFail && v.null_count > 0) {
        return NullFound(s.name, IsNumericType(s.type), batch.first_row + FirstNull(v, 0, v.length),
                         selection);
      }
      s.nulls += v.null_count;
      s.count += v.length - v.null_count;
      if (v.type == TypeId::kString) {
        if (v.dictionary) {
          auto& seen = codes_seen[c];
          seen.resize(size_t(v.dictionary->size), false);
          const int32_t* codes = v.values.as<int32_t>();
          for (int64_t row = 0; row < v.length; ++row) {
            if (v.IsValid(row) && codes[row] >= 0 && codes[row] < v.dictionary->size)
              seen[size_t(codes[row])] = true;
          }
        }
        continue;
      }
      values.clear();
      for (int64_t row = 0; row < v.length; ++row) {
        if (!v.IsValid(row)) continue;
        double x;
        switch (v.type) {
          case TypeId::kFloat64:
            x = v.GetFloat64(row);
            break;
          case TypeId::kBool:
            x = v.GetBool(row) ? 1.0 : 0.0;
            break;
          case TypeId::kDate:
            x = double(v.GetDate(row));
            break;
          default:
            x = double(v.GetInt64(row));
            break;
        }
        if (std::isnan(x)) {
          ++s.nans;
          continue;
        }
        values.push_back(x);
      }
      if (values.empty()) continue;
      auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      if (!s.has_range) {
        s.min = *lo;
        s.max = *hi;
        s.has_range = true;
      } else {
        s.min = std::min(s.min, *lo);
        s.max = std::max(s.max, *hi);
      }
      s.moments.Merge(Moments::Of(values.data(), int64_t(values.size())));
    }
  }
  if (selection.nulls == NullPolicy::kMean) {
    // A null counted as the mean: the mean and the sum of squared deviations
    // stay, the count grows (exactly what imputing, then summarizing, gives).
    for (ColumnSummary& s : out) {
      if (s.nulls == 0) continue;
      if (s.moments.count == 0) return NoMean(s.name);
      s.count += s.nulls;
      s.moments.count += s.nulls;
      s.nulls = 0;
    }
  }
  for (size_t c = 0; c < out.size(); ++c) {
    if (!codes_seen[c].empty() || (out[c].type == TypeId::kString && scanner->columns()[c].dictionary)) {
      out[c].distinct = std::count(codes_seen[c].begin(), codes_seen[c].end(), true);
    }
  }
  return out;
}

Result<std::vector<double>> ImputationMeans(const std::shared_ptr<const Dataset>& dataset,
                                            const std::vector<std::string>& columns, const std::string& where,
                                            uint64_t memory_limit, const std::atomic<bool>* cancel) {
  OC_ASSIGN_OR_RETURN(auto stats, transform::ComputeColumnStats(dataset, columns, memory_limit, cancel,
                                                                RowSelection{.where = where}));
  std::vector<double> means;
  for (const ColumnSummary& s : stats) {
    if (s.nulls > 0 && s.moments.count == 0) return NoMean(s.name);
    means.push_back(s.moments.mean);
  }
  return means;
}

}  // namespace outcore::transform
