// EncodeStages: the half of ingest that its fronts share — the CSV pipeline
// (ingest.cpp) and Arrow in (arrow_ingest.cpp). A front turns its input into
// chunks of typed rows (a ChunkWork: one ColumnVector per column, the rows it
// rejected, the rows it read) on its worker threads; Process() takes each
// chunk through the stages below, in parallel where they can be and in chunk
// order where the file must be deterministic:
//
//   worker (parallel)             ordered (chunk order)        worker          ordered
//   lossy trial, stats, chunk   -> dictionary merge,        -> encode +     -> rejects, indexes,
//   dictionaries, tokens           --on-error fail              compress       blocks, chunk meta
//
// A column asked to be lossy (IngestOptions::lossy) is encoded and compressed
// both ways first (lossy_stage.cpp): the lossy form is kept when every value
// has one and it is smaller, and its decoded values then replace the chunk's
// — so statistics, zone maps, distinct counts and value indexes describe what
// a reader gets back.
//
// then Finish() writes the dictionaries, indexes and footer, and Commit()
// renames the .oc and the rejects file into place together. Every buffer is
// charged to the front's budget; dictionaries and indexes to the shares of
// the MemoryPlan.
//
// Thread-safety: Process() from any number of workers at once (each with its
// own ChunkWork); everything else from the thread that runs the ingest.
//
//   EncodeStages stages(options, &budget, plan, codec);
//   OC_RETURN_IF_ERROR(stages.Start(columns, "a.csv"));
//   OC_RETURN_IF_ERROR(stages.OpenOutputs());
//   // workers: fill work->columns / rejects / records, then
//   OC_RETURN_IF_ERROR(stages.Process(work, seq, "a.csv", bytes_done));
//   OC_RETURN_IF_ERROR(stages.Finish({"a.csv"}, input_bytes));
//   OC_RETURN_IF_ERROR(stages.Commit());
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/output_file.h"
#include "clean/dedupe_set.h"
#include "clean/reject.h"
#include "clean/row_rules.h"
#include "csv/row_reject.h"
#include "encoding/compression.h"
#include "encoding/dictionary.h"
#include "encoding/stats.h"
#include "format/file_writer.h"
#include "index/token_index.h"
#include "ingest/index_build.h"
#include "ingest/memory_plan.h"
#include "ingest/pipeline_sync.h"
#include "outcore/column.h"
#include "outcore/ingest.h"
#include "outcore/memory.h"

namespace outcore {

// A column as the front decided it (name, type, why that type).
struct StageColumn {
  std::string name;
  TypeId type = TypeId::kString;
  bool inferred = true;
  std::string type_note;
  uint64_t sample_mismatches = 0;
  std::string mismatch_example;
};

// One worker's chunk: the front fills `columns`, `rejects` and `records`;
// the rest is the stages' scratch, reused from chunk to chunk.
struct ChunkWork {
  ChunkWork(MemoryBudget* budget, const std::vector<TypeId>& types, Codec codec, int level);

  std::vector<ColumnVector> columns;  // the kept rows, one vector per column
  std::vector<RowReject> rejects;     // the chunk's rejected rows, in row order
  uint64_t records = 0;               // rows read: kept + rejected

  Compressor compressor;
  std::vector<LocalDictionaryBuilder> local_dictionaries;
  std::vector<Buffer> codes, payloads, compressed;
  std::vector<std::vector<std::string_view>> uniques;
  std::vector<std::vector<int32_t>> remaps;
  std::vector<char> uses_dictionary;
  std::vector<ColumnStats> stats;
  std::vector<uint8_t> encodings;
  Buffer hashes;  // one column's value hashes at a time, for its distinct count
  // Lossy columns: what the trial found for each (set when `done`), and its
  // scratch, one column at a time: the lossy payload, compressed, decoded.
  struct LossyTrial {
    bool done = false;  // the column's payload and compressed block are set already
    format::LossyChunk chunk;
    double unrepresentable = 0;  // the value, for kExactUnrepresentable
  };
  std::vector<LossyTrial> lossy;
  Buffer trial_payload, trial_compressed;
  ColumnVector decoded;
  std::vector<std::unique_ptr<TokenChunk>> token_chunks;  // per column: set when it has a token index

  // Row rules (set by the front when options.rules is not empty): fills
  // `line` and `raw` of a reject for kept row `row` of `columns`, as the
  // front names rows (CSV: the record's line and text; Arrow: the row number
  // and the values as CSV).
  std::function<void(int64_t row, RowReject* reject)> describe_row;
  // The rules' scratch, reused from chunk to chunk.
  Buffer rule_selection, rule_failed, kept_rows;
  DedupeKeys dedupe_keys;
  std::vector<RowReject> rule_rejects;
  std::vector<uint64_t> rule_counts;  // this chunk's rejects per rule
};

// What a front keeps per column (EncodeStages::Start plans with it).
struct FrontState {
  uint64_t shared_bytes_per_column = 0;  // once
  uint64_t worker_bytes_per_column = 0;  // by each worker
  double bytes_per_field = 0;            // the sample's input bytes per field; 0: unknown
};

class EncodeStages {
 public:
  // `stop` is the front's pipeline-wide stop flag (set by its Fail); the
  // ordered stages give up waiting once it is set.
  EncodeStages(const IngestOptions& options, MemoryBudget* budget, const std::atomic<bool>* stop);

  // Checks the options every front shares (output, compression, on_error
  // with max_rejects; neither output may be one of `inputs` or the other)
  // and plans the memory (PlanIngestMemory). First, before Start.
  // Without options.memory_limit the limit is planned from the work
  // (DefaultIngestMemoryLimit; `input_bytes`: the inputs' size, 0 unknown),
  // here and again in Start once the columns are known.
  Status Plan(const std::vector<PathUse>& inputs, uint64_t input_bytes = 0);
  const MemoryPlan& memory() const { return memory_; }
  Codec codec() const { return codec_; }
  // How rejects and messages name a row's place: "line" (CSV) or "row".
  void SetPlaceWord(std::string word) { place_word_ = std::move(word); }
  // The schema: dictionaries for string columns, the indexes asked for
  // (`source` names the input in the message for a column it lacks). Plans
  // the memory again now that the columns are known: their state — the
  // stages' and the front's `front` (bytes per column, once and per worker)
  // — comes off the blocks' share first, and is charged to the budget where
  // no Buffer charges it; refused (naming the limit that would do) when too
  // little is left for blocks. `bytes_per_field`: the sample's (0: unknown).
  Status Start(const std::vector<StageColumn>& columns, const std::string& source, FrontState front = {});
  ~EncodeStages();
  // Creates the .oc writer and the rejects sink (temporary files until Commit).
  Status OpenOutputs();

  const std::vector<TypeId>& types() const { return types_; }
  std::vector<std::string> names() const;
  std::unique_ptr<ChunkWork> NewWork() const;

  // The stages for chunk `seq` (0, 1, 2, ... with no gaps), on a worker.
  // `source` names the input in rejects and messages; `bytes_done` is the
  // progress to report. Returns OK without doing anything once stopped.
  Status Process(ChunkWork* work, uint64_t seq, const std::string& source, uint64_t bytes_done);
  // Wakes workers waiting for their turn (after the front set `stop`).
  void WakeAll();

  // After the last chunk: the reject limit, dictionaries, indexes, footer.
  Status Finish(const std::vector<std::string>& sources, uint64_t input_bytes);
  // The one commit point (CommitTogether of the rejects file and the .oc).
  Status Commit();
  // Ends a run: on success or a tripped --max-rejects, fills the report's
  // shared fields, then the front's own (`fill_front`: the delimiter and
  // options the reject hints name), then the reject summary; when it
  // tripped, commits the rejects file alone and returns the limit's
  // DataError. Other errors are returned as they are.
  Status Conclude(Status run, const std::function<void(IngestReport*)>& fill_front, IngestReport* report);
  // True when `status` is the ordered stage's "reject limit passed".
  static bool IsRejectLimitTrip(const Status& status);

  // Calls options.progress (at most ~4 times a second unless `force`);
  // `bytes_total` 0: the one SetInputTotal gave.
  void ReportProgress(uint64_t bytes_done, uint64_t bytes_total, bool force);
  void SetInputTotal(uint64_t bytes) { progress_total_ = bytes; }
  uint64_t rows_read() const { return rows_read_; }

 private:
  struct ColumnState {
    std::string name;
    TypeId type = TypeId::kString;
    bool inferred = true;
    int lossy = -1;                // index into lossy_, or -1: stored exact
    bool dictionary_mode = false;  // string column still dictionary-coded
    bool dictionary_used = false;  // some chunk is dictionary-coded
    bool all_chunks_dictionary = true;
    std::unique_ptr<GlobalDictionary> dictionary;
    std::string type_note;
    uint64_t null_count = 0;
    uint64_t stored_bytes = 0;
    std::set<uint8_t> encodings;
    DistinctCounter distinct;
    uint64_t sample_mismatches = 0;
    std::string mismatch_example;
  };

  Status PlanIndexes(const std::string& source);
  Status CompileRules(const std::string& source);
  // The row rules, on a worker: checks the chunk's rows (in parallel), then
  // dedupe in chunk order, and takes the rows that failed out of
  // w->columns into w->rejects. False when stopped while waiting.
  Result<bool> ApplyRules(ChunkWork* w, uint64_t seq, uint64_t bytes_done);
  Status InsertDedupeKeys(ChunkWork* w, uint64_t bytes_done);
  // lossy_stage.cpp: the --lossy columns checked against the schema, and a
  // chunk's trial of both forms (before its statistics are taken).
  Status PlanLossy(const std::string& source);
  Status TryLossy(ChunkWork* w, size_t c, int64_t rows);
  void RecordLossy(const ChunkWork& w, size_t c, uint64_t stored_bytes);
  Status OrderedDictionaryStage(ChunkWork* w, const std::string& source);
  Status OrderedWriteStage(ChunkWork* w, const std::string& source, uint64_t bytes_done);
  Status WriteIndexes(Compressor* compressor, Buffer* payload, Buffer* compressed);
  void FillReport(IngestReport* report) const;

  const IngestOptions& options_;
  MemoryBudget* budget_;
  MemoryPlanInputs plan_inputs_;
  void ChooseDefaultLimit();  // without options.memory_limit: the budget's limit from plan_inputs_
  MemoryPlan memory_;
  uint64_t column_state_charge_ = 0;  // charged by Start for state no Buffer charges
  Codec codec_ = Codec::kZstd;
  std::string place_word_ = "line";
  ingest::Sequencer seq_dedupe_, seq_dictionary_, seq_write_;
  RowRuleSet rules_;                     // compiled by Start
  std::unique_ptr<DedupeSet> dedupe_;    // with a dedupe rule; touched in the ordered dedupe stage
  std::vector<uint64_t> rule_rejected_;  // per rule; touched in the ordered write stage
  uint64_t dedupe_keys_ = 0;             // the set's size when it was freed (Finish)
  std::vector<ColumnState> columns_;
  std::vector<TypeId> types_;
  // Workers add a chunk's hashes to a column's DistinctCounter under the lock
  // of its stripe (column % kDistinctLocks).
  static constexpr size_t kDistinctLocks = 64;
  std::array<std::mutex, kDistinctLocks> distinct_locks_;
  // Indexes being built, per column (null: none); touched in the ordered write
  // stage. They share index_budget_, the budget's index share (PlanIndexes).
  std::unique_ptr<MemoryBudget> index_budget_;
  // Per column: its token index gave up (set by the ordered stage, read by
  // workers, which then stop tokenizing).
  std::unique_ptr<std::atomic<bool>[]> token_index_overflowed_;
  std::vector<std::unique_ptr<IndexBuild>> value_indexes_;
  std::vector<std::unique_ptr<IndexBuild>> token_indexes_;
  std::vector<IngestIndexReport> index_reports_;
  // Per lossy column: its form and each written chunk's outcome (the footer's
  // lossy section), charged to the budget as it grows; the first value that
  // had no lossy form, for the report.
  std::vector<format::LossyColumnMeta> lossy_;
  std::vector<std::string> lossy_examples_;
  uint64_t lossy_charge_ = 0;

  // Output, touched only in the ordered write stage (and at the end).
  std::unique_ptr<format::FileWriter> writer_;
  std::unique_ptr<RejectSink> rejects_;
  format::FileMetadata metadata_;
  uint64_t rows_read_ = 0, rows_kept_ = 0;
  uint64_t input_bytes_ = 0;
  uint64_t progress_total_ = 0;
  bool input_done_ = false;  // set once every row was read (Finish)
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace outcore
