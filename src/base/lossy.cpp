// Spelling of the lossy forms (outcore/lossy.h): one parser for the command
// line and Python, so a form means the same everywhere and a bad one gets the
// same message.
#include "outcore/lossy.h"

#include <charconv>
#include <cmath>
#include <set>

namespace outcore {

namespace {

constexpr std::string_view kQuantizePrefix = "quantize:";
constexpr const char* kFormsHint = "use float32, float16 or quantize:STEP (e.g. quantize:0.01)";

std::string Item(std::string_view option, std::string_view column, std::string_view text) {
  return std::string(option) + " " + std::string(column) + "=" + std::string(text);
}

}  // namespace

std::string LossyFormName(const LossyForm& form) {
  switch (form.kind) {
    case LossyKind::kFloat32:
      return "float32";
    case LossyKind::kFloat16:
      return "float16";
    case LossyKind::kQuantize: {
      char digits[64];
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, form.step);  // shortest round trip
      return std::string(kQuantizePrefix) + std::string(digits, ec == std::errc() ? end : digits);
    }
  }
  return "unknown";
}

Result<LossyForm> ParseLossyForm(std::string_view text, std::string_view column, std::string_view option) {
  if (text == "float32") return LossyForm{LossyKind::kFloat32, 0};
  if (text == "float16") return LossyForm{LossyKind::kFloat16, 0};
  if (text.substr(0, kQuantizePrefix.size()) == kQuantizePrefix) {
    std::string_view number = text.substr(kQuantizePrefix.size());
    double step = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), step);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(step) ||
        !(step > 0)) {
      return Status::InvalidArgument(Item(option, column, text) +
                                     ": the quantize step must be a positive number, e.g. quantize:0.01 "
                                     "(values are stored as round(x / step) and read as k * step)");
    }
    return LossyForm{LossyKind::kQuantize, step};
  }
  return Status::InvalidArgument(Item(option, column, text) + ": unknown lossy form '" + std::string(text) +
                                 "'; " + kFormsHint);
}

Result<LossyForms> ParseLossyForms(std::string_view text, std::string_view option) {
  LossyForms forms;
  std::set<std::string, std::less<>> seen;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    // Canonical "name=form"; else "name:form", split where a known form begins.
    size_t split = item.rfind('=');
    size_t form_at = split == std::string_view::npos ? split : split + 1;
    if (split == std::string_view::npos) {
      for (std::string_view form : {std::string_view(":float32"), std::string_view(":float16")}) {
        if (item.size() > form.size() && item.substr(item.size() - form.size()) == form) {
          split = item.size() - form.size();
        }
      }
      if (split == std::string_view::npos) split = item.rfind(":quantize:");
      if (split != std::string_view::npos) form_at = split + 1;
    }
    if (split == std::string_view::npos || split == 0) {
      return Status::InvalidArgument(std::string(option) + " '" + std::string(item) +
                                     "': expected column=form, e.g. " + std::string(option) +
                                     " score=float32,price=quantize:0.01; " + kFormsHint);
    }
    std::string column(item.substr(0, split));
    OC_ASSIGN_OR_RETURN(LossyForm form, ParseLossyForm(item.substr(form_at), column, option));
    if (!seen.insert(column).second) {
      return Status::InvalidArgument(std::string(option) + " names column '" + column +
                                     "' twice; give each column one form");
    }
    forms.push_back({std::move(column), form});
    if (comma == text.size()) break;
  }
  return forms;
}

}  // namespace outcore
