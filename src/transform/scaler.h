// Min-max and z-score scaling of the columns of a matrix in place, computed
// as sklearn's MinMaxScaler and StandardScaler compute them (same statistics,
// same zero-range rule, same order of operations), so results agree to the
// last bits. NaN is ignored when fitting and stays NaN. Works on any strided
// float64 or float32 matrix (a NumPy array or memmap) without a second copy.
// Thread-safety: pure functions over caller-owned memory.
#pragma once

#include <cstdint>
#include <vector>

#include "outcore/status.h"

namespace outcore::transform {

enum class ScaleMethod { kMinMax, kZScore };

// Per-column parameters: minmax: y = x * scale + offset;
// zscore: y = (x - mean) / scale (sklearn's scale_ = std, 1 where ~0).
struct ScalerParams {
  ScaleMethod method = ScaleMethod::kMinMax;
  std::vector<double> scale, offset, mean, var, data_min, data_max;
  std::vector<int64_t> count;  // non-NaN values per column
};

// A view of a rows x cols matrix whose element (r, c) is at data[r * row_stride
// + c * col_stride] (strides in elements).
template <typename T>
struct MatrixView {
  T* data = nullptr;
  int64_t rows = 0, cols = 0, row_stride = 0, col_stride = 1;
  T& at(int64_t r, int64_t c) const { return data[r * row_stride + c * col_stride]; }
};

// Fits the parameters of `method` on `x`. feature_range applies to minmax.
//   auto params = FitScaler(view, ScaleMethod::kZScore);
//   ApplyScaler(params, view, view);   // in place
template <typename T>
ScalerParams FitScaler(const MatrixView<T>& x, ScaleMethod method, double range_min = 0,
                       double range_max = 1);

// Builds parameters from column statistics (for data fitted elsewhere, e.g.
// streamed from a .oc file).
ScalerParams ScalerFromStats(ScaleMethod method, const std::vector<double>& data_min,
                             const std::vector<double>& data_max, const std::vector<double>& mean,
                             const std::vector<double>& var, double range_min = 0, double range_max = 1);

// out = scaled x; `out` may be `x` itself (in place). REQUIRES: same shape.
template <typename In, typename Out>
void ApplyScaler(const ScalerParams& params, const MatrixView<In>& x, const MatrixView<Out>& out);

}  // namespace outcore::transform
