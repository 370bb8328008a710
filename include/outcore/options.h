// Parsers for the options that `outcore ingest`/`outcore cat` and the Python
// package all take, so that a spelling means the same everywhere and a bad
// one gets the same message. `option` is the argument's name as the user
// typed it ("--delimiter" on the command line, "delimiter" in Python); the
// message names it. Sizes ("256MiB") are ParseSize in outcore/memory.h.
//
//   OC_ASSIGN_OR_RETURN(char delimiter, outcore::ParseDelimiter("tab", "--delimiter"));    // '\t'
//   OC_ASSIGN_OR_RETURN(outcore::OnError on_error, outcore::ParseOnError("fail", "--on-error"));
//   OC_ASSIGN_OR_RETURN(outcore::RejectLimit limit, outcore::ParseRejectLimit("1%", "--max-rejects"));
//   OC_ASSIGN_OR_RETURN(auto schema, outcore::ParseSchema("id:int64,zip:string", "--schema"));
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "outcore/ingest.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore {

// One character, or "tab" / "\t" (backslash-t) for a tab. Anything longer is
// an error, never its first character.
Result<char> ParseDelimiter(std::string_view text, std::string_view option);

// --delimiter as ingest takes it: one character (ParseDelimiter) into
// options->delimiter, or space-aligned columns into options->space_aligned:
// "spaces" (any run of spaces or tabs separates) or "2spaces" (a run of two
// or more separates; a single space belongs to the value, as in "New York").
Status ParseIngestDelimiter(std::string_view text, std::string_view option, IngestOptions* options);

// The inverse for a report: "spaces" / "2spaces" for space-aligned columns,
// else the delimiter itself (",", "\t").
std::string IngestDelimiterName(char delimiter, int space_aligned);

// One character that is not a line break (--comment, --decimal).
Result<char> ParseOneChar(std::string_view text, std::string_view option);

// OK for a --thousands separator: '\0' (none), or a character that is not a
// digit, a sign, 'e' / 'E', a line break or `decimal` (the decimal point).
//   ValidateThousands(',', ',')  // an error: 1,338 would be two things at once
Status ValidateThousands(char thousands, char decimal);

// "reject" or "fail".
Result<OnError> ParseOnError(std::string_view text, std::string_view option);

// "1000" (a row count) or "1%" / "0.5%" (a share of the rows read, 0..100).
Result<RejectLimit> ParseRejectLimit(std::string_view text, std::string_view option);

// The type of `column` named `type_name` (TypeFromName: bool, int64, float64,
// string, date, timestamp and their aliases, any case).
Result<TypeId> ParseColumnType(std::string_view column, std::string_view type_name, std::string_view option);

// "name:type,name:type,..." (the last ':' splits, so a name may hold one).
Result<std::vector<std::pair<std::string, TypeId>>> ParseSchema(std::string_view text,
                                                                std::string_view option);

// Row rules (RowRules in outcore/ingest.h). Each checks the spelling only;
// the columns and bounds are checked against the schema when ingest starts.
//   --require "a,b"                   ParseRequireRule: every name non-empty
//   --range "price=0..10000"          ParseRangeRule: column=low..high, either end may be open
//   --allowed "topic=food,travel"     ParseAllowedRule: column=value,value,...
//   --dedupe "id" / "a,b"             ParseDedupeRule: the key columns
// Each column takes one --range and one --allowed (a second is an error).
Status ParseRequireRule(std::string_view text, std::string_view option, RowRules* rules);
Status ParseRangeRule(std::string_view text, std::string_view option, RowRules* rules);
Status ParseAllowedRule(std::string_view text, std::string_view option, RowRules* rules);
Status ParseDedupeRule(std::string_view text, std::string_view option, RowRules* rules);

// "a,b,c" -> {"a", "b", "c"}; "" -> {""}.
std::vector<std::string> SplitList(std::string_view text);

}  // namespace outcore
