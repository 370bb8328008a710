#include "transform/scaler.h"

#include <cmath>
#include <limits>

namespace outcore::transform {
namespace {

// sklearn's _handle_zeros_in_scale: a scale below 10 eps means a constant
// column, scaled by 1 instead of blowing up.
double HandleZeroScale(double scale) {
  return scale < 10 * std::numeric_limits<double>::epsilon() ? 1.0 : scale;
}

}  // namespace

ScalerParams ScalerFromStats(ScaleMethod method, const std::vector<double>& data_min,
                             const std::vector<double>& data_max, const std::vector<double>& mean,
                             const std::vector<double>& var, double range_min, double range_max) {
  ScalerParams p;
  p.method = method;
  p.data_min = data_min;
  p.data_max = data_max;
  p.mean = mean;
  p.var = var;
  const size_t cols = method == ScaleMethod::kMinMax ? data_min.size() : mean.size();
  p.scale.resize(cols);
  p.offset.resize(cols);
  for (size_t c = 0; c < cols; ++c) {
    if (method == ScaleMethod::kMinMax) {
      p.scale[c] = (range_max - range_min) / HandleZeroScale(data_max[c] - data_min[c]);
      p.offset[c] = range_min - data_min[c] * p.scale[c];
    } else {
      p.scale[c] = HandleZeroScale(std::sqrt(var[c]));
      p.offset[c] = mean[c];
    }
  }
  return p;
}

template <typename T>
ScalerParams FitScaler(const MatrixView<T>& x, ScaleMethod method, double range_min, double range_max) {
  const auto cols = size_t(x.cols);
  std::vector<double> lo(cols, std::numeric_limits<double>::quiet_NaN()), hi = lo, mean(cols, 0.0),
                                                                          var(cols, 0.0);
  std::vector<int64_t> count(cols, 0);
  std::vector<double> sum(cols, 0.0);
  // Row by row, as numpy reduces a C-ordered array over axis 0.
  for (int64_t r = 0; r < x.rows; ++r) {
    for (int64_t c = 0; c < x.cols; ++c) {
      double v = double(x.at(r, c));
      if (std::isnan(v)) continue;
      if (count[c] == 0 || v < lo[c]) lo[c] = v;
      if (count[c] == 0 || v > hi[c]) hi[c] = v;
      sum[c] += v;
      ++count[c];
    }
  }
  if (method == ScaleMethod::kZScore) {
    // sklearn's _incremental_mean_and_var from zero: corrected two-pass.
    std::vector<double> correction(cols, 0.0), squares(cols, 0.0);
    for (size_t c = 0; c < cols; ++c) mean[c] = count[c] ? sum[c] / double(count[c]) : 0.0;
    for (int64_t r = 0; r < x.rows; ++r) {
      for (int64_t c = 0; c < x.cols; ++c) {
        double v = double(x.at(r, c));
        if (std::isnan(v)) continue;
        double d = v - mean[c];
        correction[c] += d;
        squares[c] += d * d;
      }
    }
    for (size_t c = 0; c < cols; ++c) {
      double n = double(count[c]);
      var[c] = count[c] ? (squares[c] - correction[c] * correction[c] / n) / n : 0.0;
    }
  }
  ScalerParams p = ScalerFromStats(method, lo, hi, mean, var, range_min, range_max);
  p.count = std::move(count);
  return p;
}

template <typename In, typename Out>
void ApplyScaler(const ScalerParams& p, const MatrixView<In>& x, const MatrixView<Out>& out) {
  for (int64_t r = 0; r < x.rows; ++r) {
    for (int64_t c = 0; c < x.cols; ++c) {
      double v = double(x.at(r, c));
      if (p.method == ScaleMethod::kMinMax) {
        v *= p.scale[c];  // sklearn: X *= scale_; X += min_
        v += p.offset[c];
      } else {
        v -= p.offset[c];  // sklearn: X -= mean_; X /= scale_
        v /= p.scale[c];
      }
      out.at(r, c) = Out(v);
    }
  }
}

template ScalerParams FitScaler<double>(const MatrixView<double>&, ScaleMethod, double, double);
template ScalerParams FitScaler<float>(const MatrixView<float>&, ScaleMethod, double, double);
template void ApplyScaler<double, double>(const ScalerParams&, const MatrixView<double>&,
                                          const MatrixView<double>&);
template void ApplyScaler<float, float>(const ScalerParams&, const MatrixView<float>&,
                                        const MatrixView<float>&);
template void ApplyScaler<double, float>(const ScalerParams&, const MatrixView<double>&,
                                         const MatrixView<float>&);
template void ApplyScaler<float, double>(const ScalerParams&, const MatrixView<float>&,
                                         const MatrixView<double>&);
template void ApplyScaler<int64_t, double>(const ScalerParams&, const MatrixView<int64_t>&,
                                           const MatrixView<double>&);
template ScalerParams FitScaler<int64_t>(const MatrixView<int64_t>&, ScaleMethod, double, double);

}  // namespace outcore::transform
