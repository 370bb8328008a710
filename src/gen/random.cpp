#include "gen/random.h"

#include <algorithm>
#include <cassert>

namespace outcore::gen {

AliasSampler::AliasSampler(const std::vector<double>& weights) : slots_(weights.size(), Slot{0, 0}) {
  assert(!weights.empty());
  const size_t count = weights.size();
  double total = 0;
  for (double weight : weights) total += weight;
  assert(total > 0);
  // Scaled so that the average slot holds exactly 1.0 of probability mass.
  std::vector<double> scaled(count);
  std::vector<uint32_t> small, large;
  small.reserve(count);
  large.reserve(count);
  for (size_t slot = 0; slot < count; ++slot) {
    scaled[slot] = weights[slot] * double(count) / total;
    (scaled[slot] < 1.0 ? small : large).push_back(uint32_t(slot));
  }
  while (!small.empty() && !large.empty()) {
    uint32_t light = small.back();
    small.pop_back();
    uint32_t heavy = large.back();
    slots_[light] = Slot{uint32_t(std::min(scaled[light] * 4294967296.0, 4294967295.0)), heavy};
    scaled[heavy] -= 1.0 - scaled[light];
    if (scaled[heavy] < 1.0) {
      large.pop_back();
      small.push_back(heavy);
    }
  }
  // Whatever is left is 1.0 up to rounding: those slots always keep themselves.
  for (uint32_t slot : large) slots_[slot] = Slot{UINT32_MAX, slot};
  for (uint32_t slot : small) slots_[slot] = Slot{UINT32_MAX, slot};
}

std::vector<double> ZipfWeights(size_t count, double exponent) {
  std::vector<double> weights(count);
  for (size_t rank = 0; rank < count; ++rank) weights[rank] = std::pow(double(rank + 1), -exponent);
  return weights;
}

}  // namespace outcore::gen
