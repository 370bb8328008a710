// Refusing inputs that are not CSV text. Without this, a Parquet, Arrow, .xls
// or JSON file is "read" as CSV: binary column names, almost every row
// rejected, exit 0. CheckLooksLikeCsv looks at the first bytes of the
// (decompressed) input and refuses, with what the file is and how to turn it
// into CSV:
//   * by magic bytes: Parquet ("PAR1"), Arrow IPC file / Feather v2
//     ("ARROW1"), Feather v1 ("FEA1"), an Arrow IPC stream (continuation
//     marker FF FF FF FF + metadata length), an outcore .oc file ("OUTCORE\0",
//     doc/format.md), Excel .xls (the OLE2 compound-file magic), a tar
//     archive ("ustar" at byte 257);
//   * JSON and JSON lines, by LooksLikeJson's rule (below). A CSV header can
//     start with '[' or '{', so one syntax check is not enough.
// Zip archives holding an Excel workbook are refused in zip_archive.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "outcore/status.h"

namespace outcore {

// How much of an input CheckLooksLikeCsv is given (less for a shorter input).
inline constexpr size_t kSniffBytes = 64 << 10;

// OK for anything that may be CSV; InvalidArgument naming `path` otherwise.
// `compression` names what `head` was decompressed from ("gzip"; "" for none).
Status CheckLooksLikeCsv(std::string_view head, const std::string& path, std::string_view compression);

enum class JsonShape { kNotJson, kDocument, kLines };

// The rule: after an optional UTF-8 BOM and white space the text starts with
// '{' or '[', and ALL of `head` is valid JSON syntax: one value (a document)
// or several separated by white space (JSON lines), the last one possibly cut
// off where `head` ends, and at least one token inside the first bracket.
// A CSV that starts with a bracket fails the check at its first delimiter or
// bare word ("[id],name" fails at 'i'; '{"a":1},2' at ','; a header "[1]"
// followed by rows "5,6" at ','), so it is never refused.
JsonShape LooksLikeJson(std::string_view head);

// What to tell the owner of a spreadsheet (.xls, .xlsx, .ods) at `path`.
std::string SpreadsheetAdvice(const std::string& path);

}  // namespace outcore
