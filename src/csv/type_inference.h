// Type inference: picks each column's TypeId from a sample of records, so
// that `outcore ingest` needs no schema (doc/inference.md). The sample is the
// start of the first file plus windows spread over the rest of it, each added
// with TypeInference::Add.
//
// The rule, in short: a type is chosen only if it loses nothing. A few dirty
// values (words in a number column: "many", "12,50") do not turn a numeric
// column into text — they become rejects later. But one value that shows the
// column holds codes rather than quantities keeps it text: an integer with a
// leading zero ("02134", a ZIP code), a '+' ("+4930..."), more digits than the
// type holds, letters and digits together ("300389460z", "12A"), or a
// thousands separator the user did not declare ("1,338": --thousands).
//
// Thread-safety: a TypeInference is used by one thread; InferColumnTypes is a
// pure function over caller-owned data.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csv/dialect.h"
#include "csv/tokenizer.h"
#include "csv/value_parser.h"
#include "outcore/types.h"

namespace outcore {

struct InferenceOptions {
  Dialect dialect;
  ValueSpellings spellings;
  // The winning type must parse at least this share of the non-null values.
  double min_match = 0.98;
  bool pad_short_rows = false;  // records with fewer fields vote too; their missing fields are nulls
};

// What inference saw in one column, for the ingest report.
struct ColumnInference {
  TypeId type = TypeId::kString;
  uint64_t sampled = 0;          // values looked at (records with the right field count)
  uint64_t nulls = 0;            // of which NA spellings
  uint64_t mismatches = 0;       // non-null values that `type` does not parse (future rejects)
  std::string example_mismatch;  // the first of them, capped at 64 bytes
  // Set for a string column that a numeric type would have won but for values
  // that show codes (some of them numbers): why, e.g. "kept as string: '02134'
  // would lose its leading zero as int64".
  std::string note;
};

// Candidates, narrowest first: bool, int64, float64, date, timestamp. A value
// votes for a candidate when it parses as it without loss (ParseLossless*).
// The candidate with the most votes wins, ties to the narrower, provided it
// has at least min_match of the non-null values and no value vetoes it; else
// string. A value vetoes int64 or float64 when it parses but would lose text
// (kLossy: leading zeros, a '+', digits past the type's precision), is an
// integer past int64, or is not a number but LooksLikeCode. An all-null
// column is string. NA spellings (`spellings.na`) are nulls here: they are
// nulls in whatever typed column wins, and text if the column is string.
//   TypeInference inference(header.size(), options);
//   inference.Add(block, tokens, /*first_record=*/1, /*resynced=*/false);
//   inference.Add(window, window_tokens, 0, /*resynced=*/true);
//   std::vector<ColumnInference> columns = inference.Finish();
class TypeInference {
 public:
  TypeInference(size_t num_columns, InferenceOptions options);

  // Adds records [first_record, tokens.num_records()) of `block`; records
  // with bad quotes or another field count do not vote. `resynced`: the block
  // was cut at an arbitrary offset (then at the next '\n', which may lie
  // inside a quoted field), so a record votes only if it is not the first and
  // the record before it is well-formed too — a misaligned start shows as a
  // record with the wrong field count and then the records line up again.
  void Add(std::string_view block, const TokenizedBlock& tokens, size_t first_record, bool resynced);

  std::vector<ColumnInference> Finish() const;

 private:
  static constexpr size_t kCandidateCount = 5;
  struct Column {
    uint64_t sampled = 0;
    uint64_t nulls = 0;
    std::array<uint64_t, kCandidateCount> votes{};
    std::array<uint64_t, kCandidateCount> vetoes{};
    std::array<uint64_t, kCandidateCount> lossy{};            // vetoes that are numbers (kLossy, past int64)
    std::array<std::string, kCandidateCount> first_mismatch;  // capped at 64 bytes
    std::array<std::string, kCandidateCount> first_veto;      // why, for the note
  };
  void AddValue(Column* column, std::string_view value);

  InferenceOptions options_;
  std::vector<Column> columns_;
  std::string scratch_;
};

// The whole sample in one block: TypeInference over records
// [first_record, num_records()) of `tokens`.
//   auto columns = InferColumnTypes(block, tokens, /*first_record=*/1, header.size(), options);
//   columns[2].type == TypeId::kFloat64  // "1", "2.5", "3" ...
std::vector<ColumnInference> InferColumnTypes(std::string_view block, const TokenizedBlock& tokens,
                                              size_t first_record, size_t num_columns,
                                              const InferenceOptions& options);

// Why `value`, in a column inferred as `type` (int64 or float64), shows the
// column holds text: kLossy, an integer past int64, LooksLikeCode, or —
// without spellings.thousands — a number grouped in threes by a thousands
// separator ("1,338"; "1.338" with a decimal comma), which no inferred type
// may guess at: the column stays text and the note names --thousands. Empty
// when it is just a dirty value (a reject: "many", "12,50"). `outcome` is what
// the lossless parser of `type` returned for it.
//   CodeEvidence(TypeId::kInt64, "02134", ParseOutcome::kLossy)
//     == "'02134' would lose its leading zero as int64"
std::string CodeEvidence(TypeId type, std::string_view value, ParseOutcome outcome,
                         const ValueSpellings& spellings = ValueSpellings{});

}  // namespace outcore
