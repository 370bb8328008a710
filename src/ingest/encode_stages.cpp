// The shared back half of ingest (encode_stages.h).
#include "ingest/encode_stages.h"

#include <algorithm>
#include <iterator>

#include "encoding/column_encoder.h"
#include "format/zone_map.h"
#include "ingest/memory_plan.h"
#include "ingest/reject_policy.h"
#include "outcore/memory.h"

namespace outcore {

namespace {

using Clock = std::chrono::steady_clock;

// A first chunk with more distinct values than this share of its rows is not
// worth a dictionary (free text, ids): the column goes plain at once.
constexpr double kMaxDistinctShareForDictionary = 0.5;
// The status the ordered write stage stops the pipeline with when
// --max-rejects trips; Conclude replaces it with the full message.
constexpr const char* kRejectLimitTripped = "reject limit passed";

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string JoinList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

ChunkWork::ChunkWork(MemoryBudget* budget, const std::vector<TypeId>& types, Codec codec, int level)
    : compressor(codec, level),
      hashes(budget),
      trial_payload(budget),
      trial_compressed(budget),
      decoded(TypeId::kFloat64, budget),
      rule_selection(budget),
      rule_failed(budget),
      kept_rows(budget),
      dedupe_keys(budget) {
  const size_t column_count = types.size();
  // Sized exactly: a wide file has tens of thousands of columns per worker.
  columns.reserve(column_count);
  codes.reserve(column_count);
  payloads.reserve(column_count);
  compressed.reserve(column_count);
  for (TypeId t : types) columns.emplace_back(t, budget);
  local_dictionaries.resize(column_count);
  for (size_t i = 0; i < column_count; ++i) {
    codes.emplace_back(budget);
    payloads.emplace_back(budget);
    compressed.emplace_back(budget);
  }
  uniques.resize(column_count);
  remaps.resize(column_count);
  uses_dictionary.resize(column_count);
  stats.resize(column_count);
  encodings.resize(column_count);
  lossy.resize(column_count);
}

EncodeStages::EncodeStages(const IngestOptions& options, MemoryBudget* budget, const std::atomic<bool>* stop)
    : options_(options),
      budget_(budget),
      seq_dedupe_(stop),
      seq_dictionary_(stop),
      seq_write_(stop),
      start_(Clock::now()) {}

std::vector<std::string> EncodeStages::names() const {
  std::vector<std::string> out;
  for (const ColumnState& col : columns_) out.push_back(col.name);
  return out;
}

std::unique_ptr<ChunkWork> EncodeStages::NewWork() const {
  return std::make_unique<ChunkWork>(budget_, types_, codec_, options_.compression_level);
}

void EncodeStages::WakeAll() {
  seq_dedupe_.WakeAll();
  seq_dictionary_.WakeAll();
  seq_write_.WakeAll();
}

void EncodeStages::ChooseDefaultLimit() {
  if (options_.memory_limit) return;
  budget_->SetLimit(DefaultIngestMemoryLimit(plan_inputs_, DefaultMemoryLimit()));
  plan_inputs_.memory_limit = budget_->limit();
}

Status EncodeStages::Plan(const std::vector<PathUse>& inputs, uint64_t input_bytes) {
  if (options_.output.empty()) return Status::InvalidArgument("no output file given (-o out.oc)");
  auto codec = CodecFromName(options_.compression);
  if (!codec.ok()) {
    return Status::InvalidArgument("unknown compression '" + options_.compression +
                                   "'; use zstd, lz4 or none");
  }
  codec_ = *codec;
  if (options_.on_error == OnError::kFail && options_.max_rejects.kind != RejectLimit::Kind::kEveryRow) {
    return Status::InvalidArgument(
        "--on-error fail stops at the first rejected row; it cannot be combined with " +
        RejectLimitName(options_.max_rejects) + " (drop one of them)");
  }
  MemoryPlanInputs& plan = plan_inputs_;
  plan.memory_limit = budget_->limit();
  plan.threads = options_.threads;
  plan.block_bytes = options_.block_bytes;
  plan.value_index_columns = options_.index_columns.size();
  plan.token_index_columns = options_.token_index_columns.size();
  plan.dedupe = !options_.rules.dedupe.empty();
  plan.input_bytes = input_bytes;
  ChooseDefaultLimit();
  OC_ASSIGN_OR_RETURN(memory_, PlanIngestMemory(plan));
  // Neither output may be an input or the other output (base/output_file.h);
  // checked before any work, and again by each writer when it is created.
  std::vector<PathUse> others = inputs;
  OC_RETURN_IF_ERROR(CheckOutputPath(options_.output, "the output", others).status());
  if (!options_.reject_path.empty()) {
    others.push_back({options_.output, "the output"});
    OC_RETURN_IF_ERROR(CheckOutputPath(options_.reject_path, "the rejects file", others).status());
  }
  return Status::OK();
}

EncodeStages::~EncodeStages() {
  if (column_state_charge_) budget_->Release(column_state_charge_);
  if (lossy_charge_) budget_->Release(lossy_charge_);
}

namespace {

// Bytes one column's state takes beyond what Buffers and sketches charge
// themselves: kept once (`shared`) and by each worker's ChunkWork (`worker`);
// the heap blocks of strings and sets counted with their allocator's overhead.
constexpr uint64_t kMallocOverhead = 16;
constexpr uint64_t kEncodingsSetBytes = 2 * (48 + kMallocOverhead);  // a node per encoding, ~2 used
uint64_t NameBytes(const std::string& name) {
  return sizeof(std::string) + (name.size() > 15 ? name.size() + 1 + kMallocOverhead : 0);
}
// A chunk's metadata while it is written, and the footer's column entry; a
// zone map's outliers (and a worker's statistics' copy of them) are a heap
// block of at most 2 x kMaxCoreOutliers values.
constexpr uint64_t kOutlierBytes = 2 * kMaxCoreOutliers * sizeof(int64_t) + kMallocOverhead;
constexpr uint64_t kChunkMetaBytesPerColumn = sizeof(format::ColumnChunkMeta) + 64 + kOutlierBytes;
constexpr uint64_t kFooterBytesPerColumn = sizeof(format::ColumnMeta) + 128;
// What Buffers and sketches charge themselves, still taken from the blocks' share:
// a dense distinct-count sketch, and the first (64-byte) allocation of a
// column's value and validity buffers, its codes, payload and compressed block.
constexpr uint64_t kChargedSharedBytesPerColumn = DistinctCounter::kRegisters;
constexpr uint64_t kChargedWorkerBytesPerColumn = 5 * 64;

}  // namespace

Status EncodeStages::Start(const std::vector<StageColumn>& columns, const std::string& source,
                           FrontState front) {
  columns_.resize(columns.size());
  uint64_t string_columns = 0;
  uint64_t name_bytes = 0;
  for (const StageColumn& col : columns) {
    string_columns += col.type == TypeId::kString;
    name_bytes += NameBytes(col.name);
  }
  const uint64_t n = std::max<uint64_t>(1, columns.size());
  // Names are kept by the stages, the rejects file's header and the footer.
  const uint64_t shared_uncharged = sizeof(ColumnState) + kEncodingsSetBytes + sizeof(TypeId) +
                                    2 * sizeof(std::unique_ptr<IndexBuild>) + 1 + 3 * name_bytes / n +
                                    kChunkMetaBytesPerColumn + kFooterBytesPerColumn +
                                    front.shared_bytes_per_column;
  const uint64_t worker_uncharged = sizeof(ColumnVector) + sizeof(LocalDictionaryBuilder) +
                                    3 * sizeof(Buffer) + sizeof(std::vector<std::string_view>) +
                                    sizeof(std::vector<int32_t>) + 2 + sizeof(ColumnStats) + kOutlierBytes +
                                    sizeof(std::unique_ptr<TokenChunk>) + sizeof(ChunkWork::LossyTrial) +
                                    front.worker_bytes_per_column;
  plan_inputs_.columns = columns.size();
  plan_inputs_.lossy_columns = !options_.lossy.empty();
  plan_inputs_.string_columns = string_columns;
  plan_inputs_.shared_bytes_per_column = shared_uncharged + kChargedSharedBytesPerColumn;
  plan_inputs_.worker_bytes_per_column = worker_uncharged + kChargedWorkerBytesPerColumn;
  plan_inputs_.bytes_per_field = front.bytes_per_field;
  if (!options_.rules.empty()) {
    // Per row of a worker's chunk: the first rule it fails (uint16) and, kept,
    // its position (int32); with dedupe its key — a byte and about a field per
    // key column, a length for text — and the key's end, hash and row.
    uint64_t per_row = 2 + 4;
    if (!options_.rules.dedupe.empty()) {
      per_row += 20 + uint64_t(options_.rules.dedupe.size()) * uint64_t(5.0 + front.bytes_per_field);
    }
    plan_inputs_.rule_bytes_per_row = per_row;
  }
  if (!options_.rules.dedupe.empty() && front.bytes_per_field > 0 && !columns.empty()) {
    // Every row's key new, in the worst case: as many keys as the input has
    // rows, estimated from its size and the sample's bytes per row (an input
    // read compressed has more rows than its size says; the refusal then
    // names the limit that holds them).
    const double bytes_per_row = front.bytes_per_field * double(columns.size());
    const auto rows = uint64_t(double(plan_inputs_.input_bytes) / bytes_per_row) + 1;
    const double key_bytes = double(options_.rules.dedupe.size()) * (5.0 + front.bytes_per_field);
    plan_inputs_.dedupe_bytes_wanted = DedupeBytesWanted(rows, key_bytes);
  }
  ChooseDefaultLimit();
  auto planned = PlanIngestMemory(plan_inputs_);
  if (!planned.ok()) return Status::InvalidArgument(source + ": " + planned.status().message());
  memory_ = *planned;
  column_state_charge_ =
      uint64_t(columns.size()) * (shared_uncharged + uint64_t(memory_.threads) * worker_uncharged);
  budget_->Reserve(column_state_charge_);
  const uint64_t per_dictionary = DictionaryBytesPerColumn(memory_, string_columns);
  for (size_t c = 0; c < columns.size(); ++c) {
    ColumnState& col = columns_[c];
    col.distinct = DistinctCounter(budget_);
    col.name = columns[c].name;
    col.type = columns[c].type;
    col.inferred = columns[c].inferred;
    col.type_note = columns[c].type_note;
    col.sample_mismatches = columns[c].sample_mismatches;
    col.mismatch_example = columns[c].mismatch_example;
    types_.push_back(col.type);
    if (col.type == TypeId::kString) {
      col.dictionary_mode = true;
      col.dictionary = std::make_unique<GlobalDictionary>(budget_, per_dictionary);
    }
  }
  OC_RETURN_IF_ERROR(PlanLossy(source));
  OC_RETURN_IF_ERROR(PlanIndexes(source));
  return CompileRules(source);
}

Status EncodeStages::CompileRules(const std::string& source) {
  if (options_.rules.empty()) return Status::OK();
  RuleDeclarations declared;
  declared.require = options_.rules.require;
  declared.ranges = options_.rules.ranges;
  declared.allowed = options_.rules.allowed;
  declared.drop_where = options_.rules.drop_where;
  declared.dedupe = options_.rules.dedupe;
  std::vector<ColumnSchema> schema;
  for (const ColumnState& col : columns_) {
    ColumnSchema c;
    c.name = col.name;
    c.type = col.type;
    schema.push_back(std::move(c));
  }
  auto compiled = RowRuleSet::Compile(declared, schema);
  if (!compiled.ok()) return Status::InvalidArgument(source + ": " + compiled.status().message());
  rules_ = std::move(*compiled);
  rule_rejected_.assign(rules_.rules().size(), 0);
  if (rules_.dedupe_rule() >= 0) dedupe_ = std::make_unique<DedupeSet>(budget_, memory_.dedupe_bytes);
  return Status::OK();
}

Status EncodeStages::OpenOutputs() {
  OC_ASSIGN_OR_RETURN(writer_, format::FileWriter::Create(options_.output, nullptr, budget_));
  OC_ASSIGN_OR_RETURN(rejects_, RejectSink::Open(options_.reject_path, names()));
  return Status::OK();
}

Status EncodeStages::PlanIndexes(const std::string& source) {
  value_indexes_.resize(columns_.size());
  token_indexes_.resize(columns_.size());
  token_index_overflowed_ = std::make_unique<std::atomic<bool>[]>(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) token_index_overflowed_[c] = false;
  const size_t count = options_.index_columns.size() + options_.token_index_columns.size();
  if (count == 0) return Status::OK();
  // One pool for all of them: a value index on a low-cardinality column
  // takes little, so a text column's token index may use what it leaves.
  const uint64_t share = memory_.index_pool_bytes;
  index_budget_ = std::make_unique<MemoryBudget>(share);
  const std::vector<std::string> header = names();
  auto find = [&](const std::string& name, const char* flag) -> Result<size_t> {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      return Status::InvalidArgument(std::string(flag) + " names column '" + name + "', which " + source +
                                     " does not have; its columns are: " + JoinNames(header));
    }
    return size_t(it - header.begin());
  };
  for (const std::string& name : options_.index_columns) {
    OC_ASSIGN_OR_RETURN(size_t c, find(name, "--index"));
    if (value_indexes_[c]) continue;
    value_indexes_[c] = std::make_unique<IndexBuild>(int(c), columns_[c].type, format::kIndexKindValue,
                                                     index_budget_.get(), share);
  }
  for (const std::string& name : options_.token_index_columns) {
    OC_ASSIGN_OR_RETURN(size_t c, find(name, "--index-tokens"));
    if (columns_[c].type != TypeId::kString) {
      return Status::InvalidArgument("--index-tokens needs a string column; '" + name + "' is " +
                                     std::string(TypeName(columns_[c].type)) +
                                     " (use --index for a value index)");
    }
    if (token_indexes_[c]) continue;
    token_indexes_[c] = std::make_unique<IndexBuild>(int(c), TypeId::kString, format::kIndexKindToken,
                                                     index_budget_.get(), share);
  }
  return Status::OK();
}

Result<bool> EncodeStages::ApplyRules(ChunkWork* w, uint64_t seq, uint64_t bytes_done) {
  const std::vector<RowRuleSet::Rule>& rules = rules_.rules();
  w->rule_counts.assign(rules.size(), 0);
  const int64_t rows = int64_t(w->records - w->rejects.size());
  if (rules_.has_row_checks() && rows > 0) {
    OC_RETURN_IF_ERROR(rules_.CheckRows(w->columns, rows, &w->rule_selection, &w->rule_failed));
  } else {
    w->rule_failed.ResizeZeroed(0);
    w->rule_failed.ResizeZeroed(size_t(rows) * sizeof(uint16_t));
  }
  if (dedupe_) {
    // Keys are made here, in parallel; the set takes them in chunk order, so
    // the first of equal keys in the input is the one kept.
    w->dedupe_keys.Clear();
    if (rows > 0) rules_.AppendKeys(w->columns, rows, w->rule_failed.as<uint16_t>(), &w->dedupe_keys);
    if (!seq_dedupe_.Wait(seq)) return false;
    Status inserted = InsertDedupeKeys(w, bytes_done);
    seq_dedupe_.Done();
    OC_RETURN_IF_ERROR(inserted);
  }
  const uint16_t* failed = w->rule_failed.as<uint16_t>();
  w->kept_rows.Clear();
  w->rule_rejects.clear();
  for (int64_t row = 0; row < rows; ++row) {
    if (!failed[row]) {
      w->kept_rows.Push(int32_t(row));
      continue;
    }
    const RowRuleSet::Rule& rule = rules[failed[row] - 1u];
    RowReject reject;
    w->describe_row(row, &reject);
    reject.column = rule.column;
    reject.reason = RejectReason::kRule;
    reject.detail = rule.text;
    w->rule_rejects.push_back(std::move(reject));
    ++w->rule_counts[failed[row] - 1u];
  }
  if (w->rule_rejects.empty()) return true;
  // In place: a second copy of the chunk would take room the plan did not give.
  const int64_t kept = int64_t(w->kept_rows.size() / sizeof(int32_t));
  for (ColumnVector& column : w->columns) KeepRows(&column, w->kept_rows.as<int32_t>(), kept);
  // The rejects file lists a chunk's rejects in input order, whatever dropped them.
  std::vector<RowReject> merged;
  merged.reserve(w->rejects.size() + w->rule_rejects.size());
  std::merge(std::make_move_iterator(w->rejects.begin()), std::make_move_iterator(w->rejects.end()),
             std::make_move_iterator(w->rule_rejects.begin()), std::make_move_iterator(w->rule_rejects.end()),
             std::back_inserter(merged),
             [](const RowReject& a, const RowReject& b) { return a.line < b.line; });
  w->rejects = std::move(merged);
  return true;
}

Status EncodeStages::InsertDedupeKeys(ChunkWork* w, uint64_t bytes_done) {
  DedupeKeys& keys = w->dedupe_keys;
  uint16_t* failed = w->rule_failed.as<uint16_t>();
  const uint16_t mark = uint16_t(rules_.dedupe_rule() + 1);
  const uint64_t* hashes = keys.hashes.as<uint64_t>();
  const uint32_t* rows = keys.rows.as<uint32_t>();
  for (size_t i = 0; i < keys.size(); ++i) {
    auto inserted = dedupe_->Insert(keys.key(i), hashes[i]);
    if (inserted.ok()) {
      if (!*inserted) failed[rows[i]] = mark;
      continue;
    }
    // Refused: an approximate set would drop rows it never saw. Say how far
    // the share went and what limit would hold the keys this input is
    // likely to have (extrapolated from the bytes read so far).
    const uint64_t held = dedupe_->size();
    const double per_key = held ? double(dedupe_->bytes()) / double(held) : 64.0;
    double expected_keys = double(held) * 2;
    if (bytes_done > 0 && progress_total_ > bytes_done) {
      expected_keys = std::max(expected_keys, double(held) * double(progress_total_) / double(bytes_done));
    }
    const uint64_t limit = MemoryLimitForDedupe(plan_inputs_, uint64_t(per_key * expected_keys * 1.25));
    return Status::OutOfMemory(
        "--dedupe " + JoinList(options_.rules.dedupe) +
        ": the exact set of keys seen outgrew its share of the " + "memory budget after " +
        std::to_string(held) + " distinct keys (" + FormatSize(dedupe_->bytes()) + " of the " +
        FormatSize(memory_.dedupe_bytes) + " that --memory-limit " + FormatSize(budget_->limit()) +
        " gives it); nothing was written. Keys are kept whole, never approximated, so try --memory-limit " +
        std::to_string(limit >> 20) + "MiB (what " + std::to_string(uint64_t(expected_keys)) +
        " such keys would take)");
  }
  return Status::OK();
}

Status EncodeStages::Process(ChunkWork* w, uint64_t seq, const std::string& source, uint64_t bytes_done) {
  if (!rules_.empty()) {
    OC_ASSIGN_OR_RETURN(bool going, ApplyRules(w, seq, bytes_done));
    if (!going) return Status::OK();  // stopped: the error is recorded already
  }
  const int64_t rows = int64_t(w->records - w->rejects.size());
  if (w->token_chunks.empty()) w->token_chunks.resize(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    w->uses_dictionary[c] = false;
    w->lossy[c].done = false;
    if (rows == 0) continue;
    if (columns_[c].lossy >= 0) OC_RETURN_IF_ERROR(TryLossy(w, c, rows));
    if (token_indexes_[c] && !token_index_overflowed_[c]) {
      // Tokenizing is the costly part of a token index: done here, in parallel;
      // the ordered stage only merges (and stops us once the index overflowed).
      if (!w->token_chunks[c]) w->token_chunks[c] = std::make_unique<TokenChunk>(budget_);
      OC_RETURN_IF_ERROR(w->token_chunks[c]->Collect(w->columns[c]));
    }
    w->hashes.Clear();
    if (types_[c] == TypeId::kString && columns_[c].dictionary_mode) {
      w->local_dictionaries[c].Build(w->columns[c], &w->codes[c], &w->uniques[c]);
      // Bounds and distinct count from the chunk's distinct values, not its rows.
      w->stats[c] = ComputeStringStats(w->columns[c], w->uniques[c]);
      for (std::string_view v : w->uniques[c]) w->hashes.Push(DistinctCounter::HashString(v));
    } else {
      w->stats[c] = ComputeStats(w->columns[c]);
      DistinctCounter::HashColumn(w->columns[c], &w->hashes);
    }
    std::lock_guard lock(distinct_locks_[c % kDistinctLocks]);
    columns_[c].distinct.AddHashes({w->hashes.as<uint64_t>(), w->hashes.size() / sizeof(uint64_t)});
  }

  if (!seq_dictionary_.Wait(seq)) return Status::OK();  // stopped: the error is recorded already
  Status ordered = OrderedDictionaryStage(w, source);
  seq_dictionary_.Done();
  OC_RETURN_IF_ERROR(ordered);

  if (rows > 0) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (w->lossy[c].done) continue;  // encoded and compressed by its trial
      ColumnVector& column = w->columns[c];
      EncodeOptions encode_options;
      if (w->uses_dictionary[c]) {
        RemapCodes(w->codes[c].as<int32_t>(), rows, w->remaps[c]);
        std::swap(column.values, w->codes[c]);  // the column now holds codes; its bytes are ignored
        encode_options.dictionary_codes = true;
      }
      OC_RETURN_IF_ERROR(EncodeColumn(column, encode_options, &w->payloads[c]));
      // The value index reads the plain values in the ordered stage.
      if (w->uses_dictionary[c]) std::swap(column.values, w->codes[c]);
      OC_ASSIGN_OR_RETURN(Encoding encoding, PayloadEncoding(w->payloads[c].view()));
      w->encodings[c] = uint8_t(encoding);
      if (codec_ != Codec::kNone)
        OC_RETURN_IF_ERROR(w->compressor.Compress(w->payloads[c].view(), &w->compressed[c]));
    }
  }

  if (!seq_write_.Wait(seq)) return Status::OK();
  Status written = OrderedWriteStage(w, source, bytes_done);
  seq_write_.Done();
  return written;
}

Status EncodeStages::OrderedDictionaryStage(ChunkWork* w, const std::string& source) {
  // --on-error fail stops at a row that did not parse; rows the rules drop
  // were asked to be dropped.
  auto bad = std::find_if(w->rejects.begin(), w->rejects.end(),
                          [](const RowReject& r) { return r.reason != RejectReason::kRule; });
  if (options_.on_error == OnError::kFail && bad != w->rejects.end()) {
    const RowReject& r = *bad;
    std::string where = source + ", " + place_word_ + " " + std::to_string(r.line);
    if (r.column >= 0) where += ", column '" + columns_[size_t(r.column)].name + "'";
    return Status::DataError(where + ": " + r.detail + " (" + std::string(RejectReasonName(r.reason)) +
                             "); stopped because of --on-error fail");
  }
  const uint64_t rows = w->records - w->rejects.size();
  if (rows == 0) return Status::OK();
  for (size_t c = 0; c < columns_.size(); ++c) {
    ColumnState& col = columns_[c];
    if (col.type != TypeId::kString) continue;
    if (col.dictionary_mode) {
      bool worth_it = col.dictionary_used ||
                      double(w->uniques[c].size()) <= double(rows) * kMaxDistinctShareForDictionary;
      if (worth_it && col.dictionary->Merge(w->uniques[c], &w->remaps[c])) {
        w->uses_dictionary[c] = true;
        col.dictionary_used = true;
      } else {
        // Free text or ids, or the dictionary outgrew its budget: plain from here on.
        col.dictionary_mode = false;
        if (!col.dictionary_used) col.dictionary.reset();
      }
    }
    if (!w->uses_dictionary[c]) col.all_chunks_dictionary = false;
  }
  return Status::OK();
}

Status EncodeStages::OrderedWriteStage(ChunkWork* w, const std::string& source, uint64_t bytes_done) {
  for (const RowReject& r : w->rejects) OC_RETURN_IF_ERROR(rejects_->Add(source, r));
  for (size_t rule = 0; rule < rule_rejected_.size(); ++rule) rule_rejected_[rule] += w->rule_counts[rule];
  const uint64_t rows = w->records - w->rejects.size();
  rows_read_ += w->records;
  rows_kept_ += rows;
  if (options_.max_rejects.kind == RejectLimit::Kind::kCount &&
      RejectLimitPassed(options_.max_rejects, rows_read_, rejects_->total(), false)) {
    return Status::DataError(kRejectLimitTripped);  // no block of this chunk is written
  }
  if (rows > 0) {
    const uint64_t first_row = rows_kept_ - rows;
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (value_indexes_[c]) OC_RETURN_IF_ERROR(value_indexes_[c]->AddChunk(w->columns[c], first_row));
      if (token_indexes_[c] && !token_index_overflowed_[c]) {
        OC_RETURN_IF_ERROR(token_indexes_[c]->AddCollected(*w->token_chunks[c], first_row));
        if (token_indexes_[c]->overflowed()) token_index_overflowed_[c] = true;
      }
    }
    format::ChunkMeta chunk;
    chunk.row_count = rows;
    chunk.columns.resize(columns_.size());
    for (size_t c = 0; c < columns_.size(); ++c) {
      ColumnState& col = columns_[c];
      std::string_view stored = codec_ == Codec::kNone ? w->payloads[c].view() : w->compressed[c].view();
      OC_ASSIGN_OR_RETURN(format::BlockRef ref,
                          writer_->AppendBlock(stored, w->payloads[c].size(), uint8_t(codec_)));
      format::ColumnChunkMeta& cc = chunk.columns[c];
      cc.block = ref;
      cc.encoding = w->encodings[c];
      cc.zone = format::ZoneMapFromStats(w->stats[c]);
      col.null_count += uint64_t(w->stats[c].null_count);
      col.stored_bytes += stored.size();
      col.encodings.insert(w->encodings[c]);
      if (col.lossy >= 0) RecordLossy(*w, c, stored.size());
    }
    // The chunk's metadata goes into the file now, after its blocks (format
    // version 2): ingest holds no per-chunk metadata beyond the writer's directory.
    std::vector<TypeId> types(columns_.size());
    for (size_t c = 0; c < columns_.size(); ++c) types[c] = columns_[c].type;
    OC_RETURN_IF_ERROR(writer_->AppendChunk(chunk, types));
  }
  input_bytes_ = bytes_done;
  ReportProgress(bytes_done, 0, false);
  return Status::OK();
}

void EncodeStages::ReportProgress(uint64_t bytes_done, uint64_t bytes_total, bool force) {
  if (!options_.progress) return;
  auto now = Clock::now();
  if (!force && now - last_progress_ < std::chrono::milliseconds(250)) return;
  last_progress_ = now;
  IngestProgress p;
  p.input_bytes_done = bytes_done;
  p.input_bytes_total = bytes_total ? bytes_total : progress_total_;
  p.rows_read = rows_read_;
  p.rows_rejected = rejects_ ? rejects_->total() : 0;
  p.seconds = std::chrono::duration<double>(now - start_).count();
  p.rss = CurrentRss();
  options_.progress(p);
}

Status EncodeStages::Finish(const std::vector<std::string>& sources, uint64_t input_bytes) {
  input_done_ = true;
  input_bytes_ = input_bytes;
  if (RejectLimitPassed(options_.max_rejects, rows_read_, rejects_->total(), true)) {
    return Status::DataError(kRejectLimitTripped);
  }
  if (dedupe_) {
    // Every row is in: the keys are done with, and the indexes may want the room.
    dedupe_keys_ = dedupe_->size();
    dedupe_.reset();
  }
  Compressor compressor(codec_, options_.compression_level);
  Buffer payload(budget_), compressed(budget_);
  metadata_.columns.resize(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    ColumnState& col = columns_[c];
    format::ColumnMeta& meta = metadata_.columns[c];
    meta.name = col.name;
    meta.type = col.type;
    meta.null_count = col.null_count;
    meta.distinct_estimate = col.distinct.Estimate();
    if (col.dictionary_used) {
      meta.has_dictionary = true;
      meta.dictionary_complete = col.all_chunks_dictionary;
      meta.dictionary_entries = uint64_t(col.dictionary->size());
      if (meta.dictionary_complete) meta.distinct_estimate = meta.dictionary_entries;
      OC_RETURN_IF_ERROR(col.dictionary->Encode(&payload));
      std::string_view stored = payload.view();
      if (codec_ != Codec::kNone) {
        OC_RETURN_IF_ERROR(compressor.Compress(payload.view(), &compressed));
        stored = compressed.view();
      }
      OC_ASSIGN_OR_RETURN(meta.dictionary, writer_->AppendBlock(stored, payload.size(), uint8_t(codec_)));
      col.stored_bytes += stored.size();
    }
  }
  OC_RETURN_IF_ERROR(WriteIndexes(&compressor, &payload, &compressed));
  metadata_.lossy = std::move(lossy_);  // FillReport reads it from there now
  format::IngestReport& ir = metadata_.ingest;
  ir.rows_read = rows_read_;
  ir.rows_kept = rows_kept_;
  ir.rows_rejected = rejects_->total();
  ir.rejected_by_reason = rejects_->counts();
  ir.input_bytes = input_bytes;
  ir.sources = sources;
  ir.created_by = "outcore 0.1.0";
  metadata_.rules.clear();
  for (size_t rule = 0; rule < rule_rejected_.size(); ++rule) {
    const RowRuleSet::Rule& declared = rules_.rules()[rule];
    metadata_.rules.push_back({uint8_t(declared.kind), declared.text, rule_rejected_[rule]});
  }
  if (ir.rows_read != ir.rows_kept + ir.rows_rejected) {
    return Status::DataError("internal accounting error: rows read " + std::to_string(ir.rows_read) +
                             " != kept " + std::to_string(ir.rows_kept) + " + rejected " +
                             std::to_string(ir.rows_rejected) + "; nothing was written");
  }
  OC_RETURN_IF_ERROR(writer_->Seal(metadata_));
  return rejects_->Seal();
}

Status EncodeStages::WriteIndexes(Compressor* compressor, Buffer* payload, Buffer* compressed) {
  for (size_t c = 0; c < columns_.size(); ++c) {
    for (auto* slot : {&value_indexes_[c], &token_indexes_[c]}) {
      if (!*slot) continue;
      IngestIndexReport report;
      OC_RETURN_IF_ERROR((*slot)->Write(columns_[c].name, writer_.get(),
                                        codec_ == Codec::kNone ? nullptr : compressor, payload, compressed,
                                        &metadata_.indexes, &report));
      slot->reset();  // each index is freed once written, before the next is serialized
      index_reports_.push_back(std::move(report));
    }
  }
  payload->Free();
  compressed->Free();
  return Status::OK();
}

Status EncodeStages::Commit() {
  // The last chance to stop: a Ctrl-C during the dictionaries, indexes and
  // footer leaves the old output, as one during the blocks does (after the
  // rename the work is done, and the caller is told it was).
  if (options_.cancel && options_.cancel->load()) {
    return Status::Cancelled("interrupted; nothing was written to " + options_.output);
  }
  std::vector<OutputFile*> outputs;
  if (rejects_->output()) outputs.push_back(rejects_->output());
  outputs.push_back(writer_->output());  // last: the .oc in place means the rejects are too
  Status committed = CommitTogether(outputs, options_.cancel);
  if (committed.code() == StatusCode::kCancelled) {
    return Status::Cancelled("interrupted; nothing was written to " + options_.output);
  }
  OC_RETURN_IF_ERROR(committed);
  ReportProgress(input_bytes_, 0, true);
  return Status::OK();
}

bool EncodeStages::IsRejectLimitTrip(const Status& status) {
  return status.code() == StatusCode::kDataError && status.message() == kRejectLimitTripped;
}

Status EncodeStages::Conclude(Status run, const std::function<void(IngestReport*)>& fill_front,
                              IngestReport* report) {
  const bool tripped = IsRejectLimitTrip(run);
  if (!run.ok() && !tripped) return run;
  FillReport(report);
  fill_front(report);
  // After the front's fields: the hints name its delimiter and options.
  SummarizeRejects(*rejects_, names(), types_, report);
  if (!tripped) return Status::OK();
  // The output is not committed (the writer's destructor removes its
  // temporary file; an existing output stays as it was), but the rejects
  // file is: it is how the user sees why.
  report->reject_limit_exceeded = true;
  report->output_bytes = 0;
  report->chunks = 0;
  OC_RETURN_IF_ERROR(rejects_->Commit());
  return RejectLimitError(*report, options_.max_rejects, options_.output, options_.reject_path, input_done_);
}

void EncodeStages::FillReport(IngestReport* out) const {
  *out = IngestReport();
  IngestReport& report = *out;
  report.rows_read = rows_read_;
  report.rows_kept = rows_kept_;
  report.rows_rejected = rejects_->total();
  for (int r = 0; r < kRejectReasonCount; ++r) {
    if (rejects_->counts()[size_t(r)]) {
      report.rejected_by_reason.emplace_back(std::string(RejectReasonName(RejectReason(r))),
                                             rejects_->counts()[size_t(r)]);
    }
  }
  report.input_bytes = input_bytes_;
  report.output_bytes = writer_->bytes_written();
  report.chunks = writer_->chunks().size();
  report.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  report.peak_rss = PeakRss();
  report.memory_limit = budget_->limit();
  report.memory_limit_planned = options_.memory_limit == 0;
  report.budget_peak = budget_->peak() + (index_budget_ ? index_budget_->peak() : 0);
  report.block_bytes = memory_.block_bytes;
  report.threads = memory_.threads;
  report.memory_plan = memory_;
  for (const ColumnState& col : columns_) {
    IngestColumnReport c;
    c.name = col.name;
    c.type = col.type;
    c.inferred = col.inferred;
    for (uint8_t e : col.encodings) {
      if (!c.encodings.empty()) c.encodings += '+';
      c.encodings += EncodingName(Encoding(e));
    }
    c.stored_bytes = col.stored_bytes;
    c.null_count = col.null_count;
    c.sample_mismatches = col.sample_mismatches;
    c.mismatch_example = col.mismatch_example;
    c.type_note = col.type_note;
    report.columns.push_back(std::move(c));
  }
  report.indexes = index_reports_;
  for (size_t rule = 0; rule < rule_rejected_.size(); ++rule) {
    const RowRuleSet::Rule& declared = rules_.rules()[rule];
    report.rules.push_back(
        RuleInfo{std::string(RuleKindName(declared.kind)), declared.text, rule_rejected_[rule]});
  }
  report.dedupe_keys = dedupe_ ? dedupe_->size() : dedupe_keys_;
  const auto& lossy = lossy_.empty() ? metadata_.lossy : lossy_;
  for (size_t i = 0; i < lossy.size(); ++i) {
    report.lossy.push_back(format::SummarizeLossy(lossy[i], columns_[lossy[i].column].name));
    report.lossy.back().unrepresentable_example = lossy_examples_[i];
  }
}

}  // namespace outcore
