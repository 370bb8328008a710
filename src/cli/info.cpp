// `outcore info`: what a .oc file holds — schema, encodings, sizes, ratios,
// value ranges, distinct counts, and the ingest report stored in its footer.
#include <cstdio>
#include <filesystem>
#include <string>

#include "base/output_file.h"
#include "cli/cli_util.h"
#include "cli/command.h"
#include "outcore/dataset.h"
#include "outcore/dataset_info.h"
#include "outcore/memory.h"
#include "outcore/parts.h"

namespace outcore::cli {
namespace {

struct InfoArgs {
  std::string input;
  bool json = false;
};

std::string Ratio(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fx", ratio);
  return buf;
}

std::string Clip(std::string text, size_t width) {
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  for (char& ch : text) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  return text;
}

Status RunInfo(const InfoArgs& a) {
  // Housekeeping, as every writer does in its folder: temporaries left by
  // killed writers (base/output_file.h) go, live ones stay.
  // A folder of parts is swept itself (its parts' and manifest's temporaries).
  const bool folder = IsPartsFolder(a.input);
  for (const RemovedTemp& temp : RemoveStaleTemps(folder ? a.input : FolderOf(a.input))) {
    std::fprintf(stderr, "outcore info: removed %s (%s), left by pid %lld, which is gone\n",
                 temp.path.c_str(), FormatSize(temp.bytes).c_str(), static_cast<long long>(temp.pid));
  }
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(a.input));
  OC_ASSIGN_OR_RETURN(const DatasetInfo info, DescribeDataset(*dataset));
  if (a.json) {
    std::printf("%s\n", DatasetInfoJson(info).c_str());
    return Status::OK();
  }
  std::printf("%s: %s rows, %zu columns, %s chunks, %s on disk (%s decoded, %s)\n", a.input.c_str(),
              Thousands(info.rows).c_str(), info.columns.size(), Thousands(info.chunks).c_str(),
              FormatSize(info.file_bytes).c_str(), FormatSize(info.decoded_bytes).c_str(),
              Ratio(info.decoded_ratio()).c_str());
  if (dataset->is_part_set()) {
    std::printf("a data set of %zu parts:\n", info.parts.size());
    for (const PartInfo& part : info.parts) {
      const std::string file = std::filesystem::path(part.path).filename().string();
      std::printf("  %-24s %15s rows %8s chunks %10s\n", file.c_str(), Thousands(part.rows).c_str(),
                  Thousands(part.chunks).c_str(), FormatSize(part.bytes).c_str());
    }
  }
  const IngestInfo& ir = info.ingest;
  if (ir.rows_read) {
    std::string sources;
    for (const auto& src : ir.sources) sources += (sources.empty() ? "" : ", ") + src;
    std::printf("ingested from %s: %s, ratio %s; rows read %s = kept %s + rejected %s", sources.c_str(),
                FormatSize(ir.input_bytes).c_str(), Ratio(info.compression_ratio()).c_str(),
                Thousands(ir.rows_read).c_str(), Thousands(ir.rows_kept).c_str(),
                Thousands(ir.rows_rejected).c_str());
    std::string reasons;
    for (const auto& [reason, count] : ir.rejected_by_reason) {
      reasons += (reasons.empty() ? "" : ", ") + reason + " " + Thousands(count);
    }
    if (!reasons.empty()) std::printf(" (%s)", reasons.c_str());
    std::printf("\n");
    PrintRules(ir.rules);
  }
  std::printf("\n%-16s %-9s %-14s %10s %10s %6s %12s %-20s %-20s %s\n", "column", "type", "encoding",
              "stored", "decoded", "ratio", "nulls", "min", "max", "distinct");
  for (const ColumnInfo& c : info.columns) {
    std::string distinct =
        c.dictionary_complete ? Thousands(c.distinct) + " (dictionary)" : "~" + Thousands(c.distinct);
    std::printf("%-16s %-9s %-14s %10s %10s %6s %12s %-20s %-20s %s\n", Clip(c.name, 16).c_str(),
                std::string(TypeName(c.type)).c_str(), c.encodings.c_str(),
                FormatSize(c.stored_bytes).c_str(), FormatSize(c.decoded_bytes).c_str(),
                Ratio(c.decoded_ratio()).c_str(), Thousands(c.null_count).c_str(), Clip(c.min, 20).c_str(),
                Clip(c.max, 20).c_str(), distinct.c_str());
  }
  if (!info.lossy.empty()) std::printf("\n");
  PrintLossy(info.lossy, "");
  if (!info.indexes.empty()) {
    std::printf("\n%-16s %-6s %12s %10s %8s\n", "index on", "kind", "keys", "stored", "of file");
    for (const IndexInfo& index : info.indexes) {
      char share[32];
      std::snprintf(share, sizeof share, "%.2f%%",
                    100.0 * double(index.stored_bytes) / double(info.file_bytes));
      std::printf("%-16s %-6s %12s %10s %8s\n", Clip(index.column, 16).c_str(), index.kind.c_str(),
                  Thousands(index.keys).c_str(), FormatSize(index.stored_bytes).c_str(), share);
    }
  } else {
    std::printf("\nno indexes (add them with: outcore index %s --columns COL[,COL...] [--tokens TEXTCOL])\n",
                a.input.c_str());
  }
  return Status::OK();
}

void SetupInfo(CLI::App& app) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = app.add_subcommand("info",
                                     "schema, encodings, sizes, ratios, value ranges and the ingest report "
                                     "of a .oc file or folder of parts");
  cmd->footer(
      "Example:\n  outcore info sample.oc\n  outcore info sample.oc --json | jq .columns\n"
      "  outcore info logs.ocd     # a folder of parts: its parts, and the figures of all of them\n");
  cmd->add_option("file", args->input, "the .oc file, or a folder of parts")->required();
  cmd->add_flag("--json", args->json, "print as JSON");
  cmd->callback([args] {
    Status status = RunInfo(*args);
    if (!status.ok()) ReportError("info", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(30, outcore::cli::SetupInfo);
