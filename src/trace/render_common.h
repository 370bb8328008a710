// What more than one renderer of the trace report writes the same way.
// Internal to the renderers (render_*.cpp).
#pragma once

#include <fmt/format.h>

#include <string>

namespace outcore::trace {

// A site's share of its process's total, "  9.5%": six characters wide, so
// that the text form's columns line up.
inline std::string FormatShare(double share) { return fmt::format("{:5.1f}%", share * 100); }

}  // namespace outcore::trace
