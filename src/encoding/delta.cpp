#include "encoding/delta.h"

#include <algorithm>

namespace outcore {

DeltaPlan DeltaPlanner::Finish(int64_t rows, uint64_t span, uint64_t gcd) const {
  DeltaPlan plan;
  if (!any_) return plan;
  plan.usable = true;
  plan.first = first_;
  // Below 2^63 the differences are exact and share the values' step; past it
  // they wrap, and are packed as they are.
  plan.SetStep((span >> 63) || gcd == 0 ? 1 : gcd);

  int used[kDeltaClasses];
  int classes = 0;
  int64_t total = 0;
  for (int index = 0; index < kDeltaClasses; ++index) {
    if (classes_[index].count == 0) continue;
    used[classes++] = index;
    total += classes_[index].count;
  }
  if (classes == 0) {  // one valid value: nothing but `first`
    plan.bytes = kDeltaFixedBytes;
    return plan;
  }
  const int position_width = DeltaPositionWidth(rows);
  const int64_t most_exceptions = std::max(rows / kDeltaExceptionShare, kDeltaMinExceptions);
  auto width_of = [&](int64_t low, int64_t high) {
    return BitWidth(uint64_t(plan.Quotient(high)) - uint64_t(plan.Quotient(low)));
  };
  // The kept window is the classes first..last; the exceptions are the
  // classes outside it, whose bounds are the outermost classes left out.
  for (int first = 0; first < classes; ++first) {
    int64_t kept = 0;
    const int64_t low = classes_[used[first]].min;
    for (int last = first; last < classes; ++last) {
      kept += classes_[used[last]].count;
      const int64_t high = classes_[used[last]].max;
      const int width = width_of(low, high);
      const uint64_t slot_bytes = BitPackedBytes(rows, width);
      if (kDeltaFixedBytes + slot_bytes >= plan.bytes) break;  // wider windows only cost more slots
      const int64_t exceptions = total - kept;
      if (exceptions > most_exceptions) continue;
      int64_t exception_low = 0, exception_high = 0;
      if (exceptions) {
        exception_low = classes_[used[first > 0 ? 0 : last + 1]].min;
        exception_high = classes_[used[last + 1 < classes ? classes - 1 : first - 1]].max;
      }
      const int exception_width = exceptions ? width_of(exception_low, exception_high) : 0;
      const uint64_t bytes = kDeltaFixedBytes + slot_bytes + BitPackedBytes(exceptions, position_width) +
                             BitPackedBytes(exceptions, exception_width);
      if (bytes >= plan.bytes) continue;
      plan.bytes = bytes;
      plan.low = low;
      plan.high = high;
      plan.slots = {plan.Quotient(low), width};
      plan.exceptions = exceptions;
      plan.exception_quotients = {exceptions ? plan.Quotient(exception_low) : 0, exception_width};
    }
  }
  return plan;
}

}  // namespace outcore
