// What more than one renderer of the trace report writes the same way.
// Internal to the renderers (render_*.cpp).
#pragma once

#include <fmt/format.h>

#include <string>

namespace outcore::trace {

// A site's share of its process's total, "  9.5%": six characters wide, so
// that the text form's columns line up.
inline std::string FormatShare(double share) { return fmt::format("{:5.1f}%", share * 100); }

// A JSON string literal. `in_html` also escapes <, > and & (as \u003c ...),
// so that the text can sit inside an HTML <script> element.
inline std::string JsonEscape(const std::string& text, bool in_html = false) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || (in_html && (c == '<' || c == '>' || c == '&')))
          out += fmt::format("\\u{:04x}", c);
        else
          out += char(c);
    }
  }
  return out + "\"";
}

}  // namespace outcore::trace
