// Data sets of parts: a folder of .oc files with a part manifest
// (doc/format.md, "The part manifest"), read by Dataset::Open as one table.
// Each part is a complete .oc file of its own; the manifest names them, in
// scan order, with the schema they share and each part's rows, chunks and
// column statistics. The manifest is written last and atomically, so it is
// the commit point: a failed or interrupted write leaves the folder as it was
// (the parts it wrote are removed, the old manifest stays).
//
//   outcore::IngestOptions options;                     // as for Ingest
//   options.inputs = {"logs/2024-01.csv.gz", "logs/2024-02.csv.gz"};
//   options.output = "logs.ocd";
//   outcore::PartsIngestReport report;
//   OC_RETURN_IF_ERROR(outcore::IngestParts(options, /*append=*/false, &report));
//   // later: one more part, the manifest rewritten
//   options.inputs = {"logs/2024-03.csv.gz"};
//   OC_RETURN_IF_ERROR(outcore::IngestParts(options, /*append=*/true, &report));
//   // parts written elsewhere (workers: Ingest into logs.ocd/w1.oc, ...), registered at once:
//   OC_RETURN_IF_ERROR(outcore::AddParts("logs.ocd", {"logs.ocd/w1.oc", "logs.ocd/w2.oc"}));
//
// Writers of one folder take the manifest's lock for the whole update, so two
// appends never lose each other's parts. Thread-safety: as Ingest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "outcore/ingest.h"
#include "outcore/status.h"

namespace outcore {

// One part an IngestParts call wrote.
struct PartIngestLine {
  std::string input;        // the input file it was read from
  std::string part;         // its file name inside the folder ("part-00003.oc"); "" for an
                            // input without rows, which adds no part
  std::string reject_path;  // its rejects file ("" without IngestOptions::reject_path)
  uint64_t rows_read = 0;   // == rows_kept + rows_rejected
  uint64_t rows_kept = 0;
  uint64_t rows_rejected = 0;
  uint64_t output_bytes = 0;
};

struct PartsIngestReport {
  // The parts' reports together: row counts, reasons, bytes, chunks and
  // seconds summed (rows read = kept + rejected still), the columns' stored
  // bytes and nulls summed, peak RSS the highest.
  IngestReport total;
  std::vector<PartIngestLine> parts;  // in the order written (the scan order)
  uint64_t parts_before = 0;          // parts the folder had already
};

// Ingests each of `options.inputs` (a quoted shell pattern such as
// 'logs/*.csv.gz' stands for the files it matches, in name order) into a part of its own in the folder
// `options.output` (created when missing; its parent must exist), then writes
// the manifest. Without `append` the folder must not hold a data set yet;
// with it, the new parts are added after the folder's parts. Every part is
// checked against the data set's schema (the first part's: same column
// names, order and types); a mismatch is an InvalidArgument naming the input,
// the part and the column. With `options.reject_path` each part has its own
// rejects file, the part's name put before the extension
// (rejects.csv -> rejects.part-00003.csv). `max_rejects` applies per part.
// An input without rows (a header alone) adds no part (its line in the
// report has no part name).
Status IngestParts(const IngestOptions& options, bool append, PartsIngestReport* report);

// IngestReportJson (outcore/ingest.h) of the parts' total, plus parts_before
// and parts: per part written input, part ("" for an input without rows),
// rows_read, rows_kept, rows_rejected, output_bytes, reject_file (null
// without IngestOptions::reject_path). `outcore ingest --parts --json` and
// oc.ingest(..., parts=True).
std::string IngestReportJson(const PartsIngestReport& report);

// Registers already written .oc files lying directly inside `folder` as new
// parts, in the order given, after the folder's parts: each is opened and
// validated, checked against the manifest's schema (or, with no manifest
// yet, the first one's schema becomes the data set's), and described (rows,
// chunks, statistics); then the manifest is rewritten atomically. A file
// outside the folder, one that is a part already, or a schema mismatch is an
// InvalidArgument naming it, and the manifest is left as it was.
Status AddParts(const std::string& folder, const std::vector<std::string>& part_paths);

// AddIndexes (outcore/ingest.h) on every part of the folder: each part is
// rewritten with its indexes into a new file beside it, then the manifest is
// rewritten to name the new files (the commit point) and the old ones are
// removed; a failure leaves the folder as it was. One report per requested
// index, summed over the parts (built only when every part's was built).
// `options.output` must be empty (a folder is indexed in place).
Result<std::vector<IngestIndexReport>> AddIndexesToParts(const std::string& folder,
                                                         const AddIndexOptions& options);

// True when `path` is a folder (a data set of parts, or a place for one).
bool IsPartsFolder(const std::string& path);

}  // namespace outcore
