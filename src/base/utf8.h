// UTF-8 validation: for string values at ingest, so that everything downstream
// (dictionaries, JSON output, Python str) may assume valid UTF-8, and for the
// JSON writer (base/json.h), which escapes the bytes that are not.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace outcore {

// True when `text` is well-formed UTF-8 (Unicode Table 3-7): no overlong
// forms, no surrogates (U+D800..DFFF), nothing above U+10FFFF, no truncated
// sequences. ASCII runs are checked 8 bytes at a time.
//   IsValidUtf8("caf\xC3\xA9") == true;  IsValidUtf8("\xC0\xAF") == false
inline bool IsValidUtf8(std::string_view text);

// Offset of the first byte of `text` that does not start a well-formed UTF-8
// sequence (by the rules above), or text.size() when all of it is valid.
//   InvalidUtf8Offset("ab\xE9z") == 2;  InvalidUtf8Offset("abc") == 3
size_t InvalidUtf8Offset(std::string_view text);

inline bool IsValidUtf8(std::string_view text) { return InvalidUtf8Offset(text) == text.size(); }

}  // namespace outcore
