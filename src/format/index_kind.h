// The two kinds of index a column can have, as the file stores them (one byte,
// doc/format.md, "Indexes section") and as reports, errors and `outcore info`
// name them. Every place that spells a kind's name asks IndexKindName, so the
// words "value" and "token" are written here only. The footer stores the ids,
// so the format layer owns them; the index layer's builders are told theirs.
//
//   IndexKindName(kIndexKindToken)   // "token"
#pragma once

#include <cstdint>

namespace outcore {

// Stored in IndexMeta::kind: never renumber.
inline constexpr uint8_t kIndexKindValue = 1;  // value -> rows (index/value_index.h)
inline constexpr uint8_t kIndexKindToken = 2;  // lowercase word -> rows (index/token_index.h)

// "value" or "token" (an unknown kind is named "value"; ParseFooter refuses those).
constexpr const char* IndexKindName(uint8_t kind) { return kind == kIndexKindToken ? "token" : "value"; }

}  // namespace outcore
