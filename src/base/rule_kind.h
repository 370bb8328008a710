// The kinds of declared row rule (--require, --range, --allowed,
// --drop-where, --dedupe): clean compiles them, the .oc footer stores each
// rule's kind id (doc/format.md, "Row rules section"), info names them. The
// ids are stored: never renumber.
//
// Thread-safety: values and a pure function.
#pragma once

#include <cstdint>
#include <string_view>

namespace outcore {

enum class RuleKind : uint8_t { kRequire = 0, kRange = 1, kAllowed = 2, kDropWhere = 3, kDedupe = 4 };
inline constexpr int kRuleKindCount = 5;

// "require", "range", "allowed", "drop-where", "dedupe"; "unknown" for an id
// this build does not know (a newer file).
std::string_view RuleKindName(RuleKind kind);

}  // namespace outcore
