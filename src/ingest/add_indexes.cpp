// AddIndexes (include/outcore/ingest.h): value and token indexes for an
// existing .oc file. One scan of the indexed columns feeds the builders (each
// batch is a whole chunk, so no rows are copied); then the file is rewritten
// through FileRewriter — every block copied and checksum-verified, the new
// index blocks appended, the footer extended — and renamed over the original.
#include <algorithm>
#include <chrono>
#include <functional>
#include <future>

#include "encoding/compression.h"
#include "format/file_rewriter.h"
#include "ingest/index_build.h"
#include "outcore/dataset.h"
#include "outcore/ingest.h"
#include "outcore/memory.h"
#include "outcore/parts.h"
#include "scan/dataset_internal.h"

namespace outcore {

namespace {

// Share of the budget the indexes being built may hold; the rest is the
// scan's decoded chunk and the copy buffers.
constexpr double kIndexShare = 0.6;

// options.progress, at most every 250 ms unless `force`.
class ProgressReporter {
 public:
  ProgressReporter(const AddIndexOptions& options, const Dataset& dataset)
      : progress_(options.progress), start_(Clock::now()) {
    p_.chunks_total = uint64_t(dataset.num_chunks());
    p_.rows_total = uint64_t(dataset.num_rows());
  }
  void Report(const char* stage, uint64_t chunks_done, uint64_t rows_done, bool force) {
    if (!progress_) return;
    const Clock::time_point now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    p_.stage = stage;
    p_.chunks_done = std::min(chunks_done, p_.chunks_total);
    p_.rows_done = rows_done;
    p_.seconds = std::chrono::duration<double>(now - start_).count();
    p_.rss = CurrentRss();
    progress_(p_);
  }
  uint64_t rows_total() const { return p_.rows_total; }

 private:
  using Clock = std::chrono::steady_clock;
  const std::function<void(const AddIndexProgress&)>& progress_;
  Clock::time_point start_, last_;
  AddIndexProgress p_;
};

struct Requested {
  std::unique_ptr<IndexBuild> build;
  int batch_column = -1;  // position in the scan's projection
};

// Feeds every chunk to the builds. Tokenizing is the costly part of a token
// index, so it runs on a second thread one chunk ahead: while it collects
// chunk i's tokens, this thread decodes chunk i + 1 and merges chunk i - 1's.
// Each batch is a whole chunk and two Batch objects alternate, so the one
// being tokenized is never the one the scanner refills.
Status ScanIntoBuilds(Scanner* scanner, std::vector<Requested>* requested, MemoryBudget* budget,
                      const std::function<Status()>& interrupted, ProgressReporter* progress) {
  uint64_t chunks_done = 0;
  std::vector<Requested*> tokens;
  for (Requested& r : *requested) {
    if (r.build->is_token()) tokens.push_back(&r);
  }
  Batch batches[2];
  std::vector<std::unique_ptr<TokenChunk>> collected[2];
  for (auto& set : collected) {
    for (size_t i = 0; i < tokens.size(); ++i) set.push_back(std::make_unique<TokenChunk>(budget));
  }
  std::future<Status> collecting;
  auto collect = [&](int slot) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      OC_RETURN_IF_ERROR(collected[slot][i]->Collect(batches[slot].columns[size_t(tokens[i]->batch_column)]));
    }
    return Status::OK();
  };
  int current = 0, previous = -1;
  Status status;
  for (;;) {
    status = interrupted();
    Result<bool> more = status.ok() ? scanner->Next(&batches[current]) : Result<bool>(false);
    if (collecting.valid()) {
      Status collected_status = collecting.get();
      if (status.ok()) status = collected_status;
    }
    if (status.ok() && !more.ok()) status = more.status();
    if (!status.ok()) return status;
    const bool have = *more;
    if (have && !tokens.empty()) collecting = std::async(std::launch::async, collect, current);
    Status merged;
    if (previous >= 0) {
      for (size_t i = 0; i < tokens.size() && merged.ok(); ++i) {
        merged =
            tokens[i]->build->AddCollected(*collected[previous][i], uint64_t(batches[previous].first_row));
      }
    }
    for (Requested& r : *requested) {
      if (!have || !merged.ok() || r.build->is_token()) continue;
      merged = r.build->AddChunk(batches[current].columns[size_t(r.batch_column)],
                                 uint64_t(batches[current].first_row));
    }
    if (!merged.ok()) {
      // Wait for the collector; merged's error is the one to report, not its.
      if (collecting.valid()) static_cast<void>(collecting.get());
      return merged;
    }
    if (!have) return Status::OK();
    progress->Report("indexing", ++chunks_done,
                     uint64_t(batches[current].first_row) + uint64_t(batches[current].num_rows), false);
    previous = current;
    current = 1 - current;
  }
}

Status Interrupted(const AddIndexOptions& options, const std::string& path) {
  if (options.cancel && options.cancel->load())
    return Status::Cancelled("interrupted: " + path + " is unchanged");
  return Status::OK();
}

}  // namespace

Result<std::vector<IngestIndexReport>> AddIndexes(const std::string& path, const AddIndexOptions& options) {
  if (options.columns.empty() && options.token_columns.empty()) {
    return Status::InvalidArgument(
        "name the columns to index (--columns for value indexes, --tokens for text)");
  }
  if (IsPartsFolder(path)) return AddIndexesToParts(path, options);
  // Locked before the first read, in place: see PrepareRewriteTarget.
  OC_ASSIGN_OR_RETURN(format::RewriteTarget target,
                      format::PrepareRewriteTarget(path, options.output,
                                                   {!options.no_wait, options.cancel, options.lock_waiting}));
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(path));
  const auto& schema = dataset->schema();
  MemoryBudget budget(options.memory_limit ? options.memory_limit : DefaultMemoryLimit());
  const uint64_t engine = budget.limit() > MemoryBudget::kBaselineReserve
                              ? budget.limit() - MemoryBudget::kBaselineReserve
                              : budget.limit() / 2;
  // The indexes share one pool: small value indexes leave the rest to a large token index.
  const uint64_t share = uint64_t(double(engine) * kIndexShare);
  MemoryBudget index_budget(share);

  std::vector<Requested> requested;
  auto add = [&](const std::string& name, uint8_t kind) -> Status {
    const int column = dataset->FindColumn(name);
    if (column < 0) {
      std::string names;
      for (const auto& c : schema) names += (names.empty() ? "" : ", ") + c.name;
      return Status::InvalidArgument("no column '" + name + "' in " + path + "; its columns are: " + names);
    }
    const TypeId type = schema[size_t(column)].type;
    if (kind == format::kIndexKindToken && type != TypeId::kString) {
      return Status::InvalidArgument("a token index needs a string column; '" + name + "' is " +
                                     std::string(TypeName(type)) + " (use --columns for a value index)");
    }
    for (const Requested& r : requested) {
      if (r.build->column() == column && r.build->kind() == kind) {
        return Status::InvalidArgument("column '" + name + "' is named twice");
      }
    }
    requested.push_back(Requested{std::make_unique<IndexBuild>(column, type, kind, &index_budget, share)});
    return Status::OK();
  };
  for (const std::string& name : options.columns) OC_RETURN_IF_ERROR(add(name, format::kIndexKindValue));
  for (const std::string& name : options.token_columns)
    OC_RETURN_IF_ERROR(add(name, format::kIndexKindToken));

  // One scan of the columns to index.
  ScanOptions scan;
  for (Requested& r : requested) {
    const std::string& name = schema[size_t(r.build->column())].name;
    auto it = std::find(scan.columns.begin(), scan.columns.end(), name);
    r.batch_column = int(it - scan.columns.begin());
    if (it == scan.columns.end()) scan.columns.push_back(name);
  }
  scan.batch_rows = int64_t(format::kMaxChunkRows);  // a batch is a whole chunk
  // The scan holds one decoded chunk of the indexed columns: what the index pool leaves.
  scan.memory_limit = std::max<uint64_t>(budget.limit() - share, 16ull << 20);
  OC_ASSIGN_OR_RETURN(auto scanner, Scanner::Make(dataset, scan));
  ProgressReporter progress(options, *dataset);
  OC_RETURN_IF_ERROR(ScanIntoBuilds(
      scanner.get(), &requested, &budget, [&] { return Interrupted(options, path); }, &progress));
  scanner.reset();
  const uint64_t chunks = uint64_t(dataset->num_chunks()), rows = progress.rows_total();
  progress.Report("indexing", chunks, rows, true);
  if (std::all_of(requested.begin(), requested.end(),
                  [](const Requested& r) { return r.build->overflowed(); })) {
    // Nothing was built: the file is left as it is (and no output is written).
    std::vector<IngestIndexReport> reports;
    for (Requested& r : requested) {
      IngestIndexReport report;
      OC_RETURN_IF_ERROR(r.build->Write(schema[size_t(r.build->column())].name, nullptr, nullptr, nullptr,
                                        nullptr, nullptr, &report));
      reports.push_back(std::move(report));
    }
    return reports;
  }

  // The new file: every block copied (an index being replaced left out), then the new indexes.
  format::RewriteOptions rewrite;
  rewrite.drop_index = [&](const format::IndexMeta& index) {
    for (const Requested& r : requested) {
      if (!r.build->overflowed() && uint32_t(r.build->column()) == index.column &&
          r.build->kind() == index.kind) {
        return true;
      }
    }
    return false;
  };
  uint64_t chunks_copied = 0;  // `interrupted` is asked before each chunk is copied
  rewrite.interrupted = [&] {
    progress.Report("writing", chunks_copied++, rows, false);
    return Interrupted(options, path);
  };
  rewrite.target_lock = &target.lock;
  OC_ASSIGN_OR_RETURN(auto rewriter, format::FileRewriter::Create(DatasetReader(*dataset), target.path,
                                                                  std::move(rewrite), &budget));
  OC_RETURN_IF_ERROR(rewriter->CopyBlocks());
  progress.Report("writing", chunks, rows, true);
  Buffer payload(&budget), compressed(&budget);
  Compressor compressor(Codec::kZstd, 1);
  std::vector<IngestIndexReport> reports;
  for (Requested& r : requested) {
    IngestIndexReport report;
    OC_RETURN_IF_ERROR(r.build->Write(schema[size_t(r.build->column())].name, rewriter->writer(), &compressor,
                                      &payload, &compressed, &rewriter->metadata().indexes, &report));
    reports.push_back(std::move(report));
  }
  OC_RETURN_IF_ERROR(rewriter->Finish());
  return reports;
}

}  // namespace outcore
