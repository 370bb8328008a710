// The ingest pipeline (see include/outcore/ingest.h and doc/architecture.md):
//
//   reader thread        workers (N)                       ordered stages
//   -------------        -----------                       --------------
//   read block      ->   tokenize, parse, stats,      ->   A: rejects, dictionary merge   (block order)
//   cut at record        chunk-local dictionaries          encode + compress (parallel)
//   boundary                                          ->   B: write blocks, chunk meta    (block order)
//
// Memory: one MemoryPlan (memory_plan.h) divides the budget. At most
// `threads + 2` blocks are in flight (a bounded queue applies back-pressure to
// the reader), every per-block buffer is a budget-charged Buffer reused from
// block to block, and dictionaries are capped by a share of the budget — past
// it a column falls back to plain encoding.
#include "outcore/ingest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "base/output_file.h"
#include "clean/reject.h"
#include "csv/block_parser.h"
#include "csv/dialect.h"
#include "csv/header.h"
#include "csv/record_boundary.h"
#include "csv/source.h"
#include "csv/tokenizer.h"
#include "csv/transcode.h"
#include "csv/type_inference.h"
#include "csv/utf8.h"
#include "csv/value_parser.h"
#include "encoding/column_encoder.h"
#include "encoding/compression.h"
#include "encoding/dictionary.h"
#include "encoding/stats.h"
#include "format/file_writer.h"
#include "format/zone_map.h"
#include "index/token_index.h"
#include "ingest/index_build.h"
#include "ingest/memory_plan.h"
#include "ingest/pipeline_sync.h"
#include "ingest/reject_policy.h"
#include "outcore/column.h"
#include "outcore/memory.h"

namespace outcore {

namespace {

using Clock = std::chrono::steady_clock;

// A first chunk with more distinct values than this share of its rows is not
// worth a dictionary (free text, ids): the column goes plain at once.
constexpr double kMaxDistinctShareForDictionary = 0.5;
// Bytes of the first block that type inference looks at.
constexpr size_t kInferenceSampleBytes = 2 << 20;
// The status the ordered write stage stops the pipeline with when
// --max-rejects trips; Run replaces it with the full message.
constexpr const char* kRejectLimitTripped = "reject limit passed";

// Windows of the rest of the first file that inference looks at too, spread
// evenly up to its end (read from disk when the file is plain, from the first
// block otherwise): a column whose first rows are plain numbers but whose
// later rows hold codes is seen as what it is (doc/inference.md).
constexpr size_t kInferenceWindows = 16;
constexpr size_t kInferenceWindowBytes = 128 << 10;
// Bytes compared to tell that a file's bytes are what its source delivers
// (no decompression or transcoding), so windows may be read at offsets.
constexpr size_t kPlainCheckBytes = 64 << 10;

// A column an earlier attempt found too narrow (BlockParser's Widening): the
// next attempt starts with it widened.
struct WidenedColumn {
  size_t column = 0;
  TypeId type = TypeId::kString;
  std::string note;  // for IngestColumnReport::type_note
};

// An open file for reads at offsets; closed when it goes.
class OffsetReader {
 public:
  explicit OffsetReader(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~OffsetReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  OffsetReader(const OffsetReader&) = delete;
  OffsetReader& operator=(const OffsetReader&) = delete;
  bool ok() const { return fd_ >= 0; }
  // Up to `n` bytes at `offset` into `out` (resized to what was read).
  void ReadAt(uint64_t offset, size_t n, Buffer* out) const {
    out->Resize(n);
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, out->data() + got, n - got, off_t(offset + got));
      if (r <= 0) break;
      got += size_t(r);
    }
    out->Resize(got);
  }

 private:
  int fd_;
};

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

struct RawBlock {
  uint64_t seq = 0;
  int file_index = 0;
  Buffer data;
  uint64_t first_line = 1;
  size_t skip_records = 0;
  char newline = '\n';            // the file's line ending (Dialect::newline)
  uint64_t input_bytes_done = 0;  // progress: bytes consumed from all inputs so far
};

struct ColumnState {
  std::string name;
  TypeId type = TypeId::kString;
  bool inferred = true;
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

struct Worker {
  explicit Worker(MemoryBudget* budget, size_t column_count, Codec codec, int level,
                  const std::vector<TypeId>& types, const ParseOptions& parse_options)
      : tokens(budget), parser(types, parse_options, budget), compressor(codec, level) {
    for (TypeId t : types) columns.emplace_back(t, budget);
    local_dictionaries.resize(column_count);
    codes.reserve(column_count);
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
    distinct.reserve(column_count);
    for (size_t i = 0; i < column_count; ++i) distinct.emplace_back(budget);
  }
  TokenizedBlock tokens;
  BlockParser parser;
  Compressor compressor;
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  std::vector<LocalDictionaryBuilder> local_dictionaries;
  std::vector<Buffer> codes, payloads, compressed;
  std::vector<std::vector<std::string_view>> uniques;
  std::vector<std::vector<int32_t>> remaps;
  std::vector<char> uses_dictionary;
  std::vector<ColumnStats> stats;
  std::vector<uint8_t> encodings;
  std::vector<DistinctCounter> distinct;
  std::vector<std::unique_ptr<TokenChunk>> token_chunks;  // per column: set when it has a token index
  uint64_t records = 0;
  uint64_t padded_rows = 0;    // of the block's kept rows, completed by --pad-short-rows
  uint64_t comment_lines = 0;  // the block's --comment lines
};

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class Pipeline {
 public:
  Pipeline(const IngestOptions& options, std::vector<WidenedColumn> widened)
      : options_(options),
        widened_(std::move(widened)),
        budget_(options.memory_limit ? options.memory_limit : DefaultMemoryLimit()),
        seq_dictionary_(&stop_),
        seq_write_(&stop_) {}

  Status Run(IngestReport* report);
  // After Run failed because a value after the sample showed a column's type
  // too narrow: the columns to widen (empty otherwise).
  const std::vector<WidenedColumn>& widen_next() const { return widen_next_; }

 private:
  Status RunStages();
  void FillReport(IngestReport* report) const;
  Status Plan();
  Status OpenInput(int file_index);
  Status ReadFirstBlock(RawBlock* block, bool* done);
  Status SkipLeadingLines();
  void DetectLineEnding(std::string_view data);
  Status ReadHeaderAndSchema(RawBlock* first, bool first_done);
  Status CheckHeader(int file_index, const RawBlock& block);
  Status CheckHeaderUtf8(const RawBlock& first, std::string_view sample, const TokenizedBlock& tokens) const;
  // The dialect of the file being read: dialect_ with that file's line ending.
  Dialect FileDialect() const;
  // The first records of a file's first block, up to kInferenceSampleBytes
  // (tens of thousands of rows): the header and the type-inference sample.
  std::string_view LeadingRecords(std::string_view data) const;
  // Adds kInferenceWindows windows past the leading `sample_bytes` of the
  // first file to `inference`; `tokens` is scratch.
  void AddSpreadSample(const RawBlock& first, bool first_done, size_t sample_bytes, TokenizedBlock* tokens,
                       TypeInference* inference);
  // Fails the run so that Ingest runs it again with the columns widened;
  // false when the input cannot be read twice (stdin): then the rows stay rejects.
  bool RequestWidening(const std::vector<Widening>& found, const RawBlock& block);
  void ReaderLoop(RawBlock first, bool first_file_done);
  Status ReadNextBlock(RawBlock* block, bool* done);
  void WorkerLoop(Worker* worker);
  Status ProcessBlock(Worker* w, RawBlock* block);
  Status OrderedDictionaryStage(Worker* w, const RawBlock& block);
  Status OrderedWriteStage(Worker* w, const RawBlock& block);
  Status PlanIndexes();
  Status WriteIndexes(Compressor* compressor, Buffer* payload, Buffer* compressed);
  Status FinishFile();
  // The one commit point: the sealed .oc and rejects file are renamed into
  // place together, or neither is (CommitTogether). A policy that refuses the
  // result runs before it.
  Status CommitOutputAndRejects();
  void Fail(Status status, std::vector<WidenedColumn> widen = {});
  Buffer TakeBuffer();
  void ReturnBuffer(Buffer buffer);
  void MaybeReportProgress(uint64_t input_bytes_done, bool force);

  const IngestOptions& options_;
  const std::vector<WidenedColumn> widened_;  // from earlier attempts
  std::vector<WidenedColumn> widen_next_;     // set with error_
  bool restartable_ = false;                  // every input is a regular file
  size_t first_bom_ = 0;                      // BOM bytes skipped at the start of the first file
  MemoryBudget budget_;
  std::atomic<bool> stop_{false};
  std::mutex error_mutex_;
  Status error_;
  ingest::Sequencer seq_dictionary_, seq_write_;
  std::unique_ptr<ingest::BoundedQueue<RawBlock>> queue_;

  // Plan.
  MemoryPlan memory_;
  uint64_t input_total_bytes_ = 0;
  Codec codec_ = Codec::kZstd;
  Dialect dialect_;
  ParseOptions parse_options_;
  std::vector<std::string> header_;
  std::vector<std::string> raw_header_;  // as the first file spells it (every file must match)
  std::vector<IngestRename> renamed_;
  std::vector<ColumnState> columns_;
  std::vector<TypeId> types_;
  // Indexes being built, per column (null: none); touched in the ordered write
  // stage. They share index_budget_, the budget's index share (PlanIndexes).
  std::unique_ptr<MemoryBudget> index_budget_;
  // Per column: its token index gave up (set by the ordered stage, read by
  // workers, which then stop tokenizing). Sized before the workers start.
  std::unique_ptr<std::atomic<bool>[]> token_index_overflowed_;
  std::vector<std::unique_ptr<IndexBuild>> value_indexes_;
  std::vector<std::unique_ptr<IndexBuild>> token_indexes_;
  std::vector<IngestIndexReport> index_reports_;

  // Reader state.
  std::unique_ptr<ByteSource> source_;
  int file_index_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t lines_before_ = 0;   // newlines consumed in the current file
  char newline_ = '\n';         // the current file's line ending
  bool newline_known_ = false;  // detected from the file's first block
  size_t bom_bytes_ = 0;        // UTF-8 byte order mark skipped at the current file's start
  std::string encoding_;        // of the first file, as the report shows it
  std::string line_ending_;     // of the first file: "LF", "CRLF" or "CR"
  uint64_t input_done_before_file_ = 0;
  Buffer carry_;
  std::mutex pool_mutex_;
  std::vector<Buffer> pool_;

  // Output, touched only in the ordered write stage (and at the end).
  std::unique_ptr<format::FileWriter> writer_;
  std::unique_ptr<RejectSink> rejects_;
  format::FileMetadata metadata_;
  uint64_t rows_read_ = 0, rows_kept_ = 0;
  bool input_done_ = false;  // set once every row was read (FinishFile)
  uint64_t rows_padded_ = 0, comment_lines_ = 0, lines_skipped_ = 0;
  Clock::time_point start_;
  Clock::time_point last_progress_;
};

void Pipeline::Fail(Status status, std::vector<WidenedColumn> widen) {
  {
    std::lock_guard lock(error_mutex_);
    if (error_.ok()) {
      error_ = std::move(status);
      widen_next_ = std::move(widen);
    }
  }
  stop_ = true;
  if (queue_) queue_->Close();
  seq_dictionary_.WakeAll();
  seq_write_.WakeAll();
}

Buffer Pipeline::TakeBuffer() {
  std::lock_guard lock(pool_mutex_);
  if (!pool_.empty()) {
    Buffer b = std::move(pool_.back());
    pool_.pop_back();
    return b;
  }
  return Buffer(&budget_);
}

void Pipeline::ReturnBuffer(Buffer buffer) {
  buffer.Clear();
  std::lock_guard lock(pool_mutex_);
  pool_.push_back(std::move(buffer));
}

Status Pipeline::Plan() {
  if (options_.inputs.empty()) return Status::InvalidArgument("no input files given");
  if (options_.output.empty()) return Status::InvalidArgument("no output file given (-o out.oc)");
  auto codec = CodecFromName(options_.compression);
  if (!codec.ok()) {
    return Status::InvalidArgument("unknown compression '" + options_.compression +
                                   "'; use zstd, lz4 or none");
  }
  codec_ = *codec;
  OC_RETURN_IF_ERROR(NormalizeEncodingName(options_.encoding, "--encoding").status());
  if (options_.on_error == OnError::kFail && options_.max_rejects.kind != RejectLimit::Kind::kEveryRow) {
    return Status::InvalidArgument(
        "--on-error fail stops at the first rejected row; it cannot be combined with " +
        RejectLimitName(options_.max_rejects) + " (drop one of them)");
  }
  MemoryPlanInputs plan;
  plan.memory_limit = budget_.limit();
  plan.threads = options_.threads;
  plan.block_bytes = options_.block_bytes;
  plan.value_index_columns = options_.index_columns.size();
  plan.token_index_columns = options_.token_index_columns.size();
  OC_ASSIGN_OR_RETURN(memory_, PlanIngestMemory(plan));
  std::vector<PathUse> inputs;
  for (const std::string& path : options_.inputs) {
    inputs.push_back({path, "the input"});
    struct stat st;
    if (path == "-" || ::stat(path.c_str(), &st) != 0) continue;
    input_total_bytes_ += uint64_t(st.st_size);
  }
  // Neither output may be an input or the other output (base/output_file.h);
  // checked before any work, and again by each writer when it is created.
  OC_RETURN_IF_ERROR(CheckOutputPath(options_.output, "the output", inputs).status());
  if (!options_.reject_path.empty()) {
    inputs.push_back({options_.output, "the output"});
    OC_RETURN_IF_ERROR(CheckOutputPath(options_.reject_path, "the rejects file", inputs).status());
  }
  parse_options_.dialect.quote = options_.quote;
  parse_options_.dialect.header = options_.header;
  if (!options_.na_values.empty()) {
    parse_options_.spellings.na = SpellingSet(options_.na_values);
    parse_options_.spellings.string_na = parse_options_.spellings.na;  // asked for: string columns too
  }
  restartable_ = std::all_of(options_.inputs.begin(), options_.inputs.end(), IsRegularFile);
  if (!options_.true_values.empty()) parse_options_.spellings.true_values = SpellingSet(options_.true_values);
  if (!options_.false_values.empty())
    parse_options_.spellings.false_values = SpellingSet(options_.false_values);
  parse_options_.pad_short_rows = options_.pad_short_rows;
  parse_options_.spellings.decimal_point = options_.decimal;
  if (options_.decimal != '.' && options_.decimal != ',') {
    return Status::InvalidArgument(std::string("--decimal is '.' or ',', not '") + options_.decimal + "'");
  }
  if (options_.decimal == ',' && options_.delimiter == ',') {
    return Status::InvalidArgument(
        "--decimal ',' cannot go with --delimiter ',': 1,5 would be two fields; such files separate fields "
        "with ';' (--delimiter ';') or a tab");
  }
  return Status::OK();
}

Status Pipeline::OpenInput(int file_index) {
  dialect_.quote = options_.quote;
  dialect_.header = options_.header;
  if (options_.delimiter) dialect_.delimiter = *options_.delimiter;
  if (options_.space_aligned) {
    dialect_.delimiter = ' ';
    dialect_.space_aligned = options_.space_aligned;
  }
  dialect_.comment = options_.comment.value_or('\0');
  OC_ASSIGN_OR_RETURN(source_, OpenByteSource(options_.inputs[size_t(file_index)], &budget_));
  std::string encoding;
  OC_ASSIGN_OR_RETURN(source_, DecodeToUtf8(std::move(source_), options_.encoding, &budget_, &encoding));
  if (file_index == 0) encoding_ = std::move(encoding);
  file_index_ = file_index;
  lines_before_ = 0;
  newline_known_ = false;
  carry_.Clear();
  return Status::OK();
}

// The current file's line ending, from its first bytes (the first block, or
// the first chunk --skip-rows reads); the report names the first file's.
void Pipeline::DetectLineEnding(std::string_view data) {
  newline_ = DetectNewline(data);
  newline_known_ = true;
  if (file_index_ != 0) return;
  const size_t lf = data.find('\n');
  line_ending_ = newline_ == '\r'                                                 ? "CR"
                 : lf != std::string_view::npos && lf > 0 && data[lf - 1] == '\r' ? "CRLF"
                                                                                  : "LF";
}

// Fills `block->data` with the carried tail plus fresh bytes, cut at the last
// record boundary. `done` is set once the current file is exhausted.
Status Pipeline::ReadNextBlock(RawBlock* block, bool* done) {
  Buffer& buf = block->data;
  buf.Clear();
  buf.Append(carry_.data(), carry_.size());
  carry_.Clear();
  uint64_t want = memory_.block_bytes;
  bool eof = false;
  for (;;) {
    while (buf.size() < want && !eof) {
      size_t old = buf.size();
      buf.Resize(want);
      auto got = source_->Read(reinterpret_cast<char*>(buf.data()) + old, want - old);
      if (!got.ok()) return got.status();
      buf.Resize(old + *got);
      if (*got == 0) eof = true;
    }
    if (!newline_known_)
      DetectLineEnding(buf.view());  // where records end depends on it: before the first cut
    if (eof) break;
    size_t cut = FindLastRecordEnd(buf.view(), FileDialect());
    if (cut > 0) {
      carry_.Append(buf.data() + cut, buf.size() - cut);
      buf.Resize(cut);
      break;
    }
    // One record is longer than the block: grow, within what the budget allows.
    const uint64_t max_record = memory_.max_record_bytes;
    if (want >= max_record) {
      return Status::DataError(source_->path() + ": a record starting at line " +
                               std::to_string(lines_before_ + 1) + " is longer than " +
                               FormatSize(max_record) +
                               " (an unterminated quote?); raise --memory-limit if such records are real");
    }
    want = std::min(want * 2, max_record);
  }
  *done = eof;
  block->first_line = lines_before_ + 1;
  lines_before_ += CountNewlines(buf.view(), newline_);
  block->newline = newline_;
  block->file_index = file_index_;
  block->input_bytes_done = input_done_before_file_ + source_->raw_bytes_read();
  return Status::OK();
}

// Drops the first --skip-rows physical lines of the current file (title lines
// above the header): read and thrown away line by line (at the file's line
// ending), quotes not
// interpreted, so a stray quote in a title cannot swallow the header. The
// bytes after the last of them are carried into the first block; the line
// numbers go on counting from the real start of the file.
Status Pipeline::SkipLeadingLines() {
  constexpr size_t kChunkBytes = 64 << 10;
  uint64_t left = options_.skip_rows;
  while (left > 0) {
    carry_.Resize(kChunkBytes);
    OC_ASSIGN_OR_RETURN(size_t got, source_->Read(reinterpret_cast<char*>(carry_.data()), kChunkBytes));
    carry_.Resize(got);
    if (got == 0) break;
    const std::string_view view = carry_.view();
    if (!newline_known_) DetectLineEnding(view);
    size_t at = 0;
    while (left > 0 && at < view.size()) {
      const size_t newline = view.find(newline_, at);
      at = newline == std::string_view::npos ? view.size() : newline + 1;
      if (newline == std::string_view::npos) break;
      --left;
      ++lines_before_;
      ++lines_skipped_;
    }
    std::memmove(carry_.data(), carry_.data() + at, view.size() - at);
    carry_.Resize(view.size() - at);
  }
  return Status::OK();
}

Status Pipeline::ReadFirstBlock(RawBlock* block, bool* done) {
  if (options_.skip_rows > 0) OC_RETURN_IF_ERROR(SkipLeadingLines());
  OC_RETURN_IF_ERROR(ReadNextBlock(block, done));
  size_t bom = SkipBom(block->data.view());
  bom_bytes_ = bom;
  if (file_index_ == 0) first_bom_ = bom;
  if (bom) {
    std::memmove(block->data.data(), block->data.data() + bom, block->data.size() - bom);
    block->data.Resize(block->data.size() - bom);
  }
  block->skip_records = options_.header ? 1 : 0;
  return Status::OK();
}

Status Pipeline::ReadHeaderAndSchema(RawBlock* first, bool first_done) {
  std::string_view data = first->data.view();
  if (data.empty()) {
    return Status::DataError(
        options_.inputs[0] + " is empty" +
        (options_.skip_rows ? " after the " + std::to_string(options_.skip_rows) + " lines --skip-rows drops"
                            : std::string()) +
        ": there is no header line and no data");
  }
  dialect_.newline = newline_;
  const Dialect cut_with = dialect_;
  if (!options_.delimiter && !options_.space_aligned) {
    dialect_ = SniffDelimiter(data, dialect_, options_.decimal == ',' ? ',' : '\0');
  }
  OC_RETURN_IF_ERROR(ValidateDialect(dialect_));
  if (options_.decimal == dialect_.delimiter) {
    return Status::InvalidArgument(std::string("--decimal '") + options_.decimal +
                                   "' is also the delimiter; pass another --delimiter");
  }
  parse_options_.dialect = dialect_;
  const bool cut_differs =
      dialect_.delimiter != cut_with.delimiter || dialect_.space_aligned != cut_with.space_aligned;
  if (cut_differs && !carry_.empty()) {
    // The block was cut before the delimiter was known; where a record ends
    // depends on it (a quote opens a field only after a delimiter), so cut again.
    Buffer& buf = first->data;
    buf.Append(carry_.data(), carry_.size());
    carry_.Clear();
    size_t cut = FindLastRecordEnd(buf.view(), dialect_);
    if (cut == 0) {
      return Status::DataError(options_.inputs[0] + ": the first record is longer than " +
                               FormatSize(buf.size()) +
                               " (an unterminated quote?); raise --memory-limit if such records are real");
    }
    carry_.Append(buf.data() + cut, buf.size() - cut);
    buf.Resize(cut);
    lines_before_ = first->first_line - 1 + CountNewlines(buf.view(), newline_);
    data = buf.view();
  }
  std::string_view sample = LeadingRecords(data);
  TokenizedBlock tokens(&budget_);
  Tokenize(sample, dialect_, &tokens);
  if (tokens.num_records() == 0) {
    return Status::DataError(options_.inputs[0] + " has no records (only blank lines)");
  }
  if (options_.header) {
    OC_RETURN_IF_ERROR(CheckHeaderUtf8(*first, sample, tokens));
    raw_header_ = RawHeaderNames(sample, tokens, 0, dialect_.quote);
    std::vector<HeaderRename> renamed;
    header_ = UniqueColumnNames(raw_header_, &renamed);
    for (const HeaderRename& r : renamed) renamed_.push_back({r.column + 1, r.from, r.to});
  } else {
    header_ = DefaultColumnNames(tokens.num_fields(0));
  }
  InferenceOptions inference;
  inference.dialect = dialect_;
  inference.spellings = parse_options_.spellings;
  inference.pad_short_rows = options_.pad_short_rows;
  TypeInference inferring(header_.size(), inference);
  inferring.Add(sample, tokens, first->skip_records, /*resynced=*/false);
  AddSpreadSample(*first, first_done, sample.size(), &tokens, &inferring);
  std::vector<ColumnInference> guesses = inferring.Finish();
  columns_.resize(header_.size());
  for (size_t c = 0; c < header_.size(); ++c) {
    ColumnState& col = columns_[c];
    col.distinct = DistinctCounter(&budget_);
    col.name = header_[c];
    col.type = guesses[c].type;
    col.sample_mismatches = uint64_t(guesses[c].mismatches);
    col.mismatch_example = guesses[c].example_mismatch;
    col.type_note = guesses[c].note;
  }
  for (const WidenedColumn& widened : widened_) {
    ColumnState& col = columns_[widened.column];
    if (col.type != widened.type) {
      col.sample_mismatches = 0;  // they were counted for the narrower type
      col.mismatch_example.clear();
    }
    col.type = widened.type;
    col.type_note = widened.note;
  }
  auto in_schema = [&](const std::string& name) {
    return std::any_of(options_.schema.begin(), options_.schema.end(),
                       [&](const auto& entry) { return entry.first == name; });
  };
  for (const auto& [name, type] : options_.schema) {
    bool found = false;
    for (size_t c = 0; c < header_.size(); ++c) {
      // A name the header repeats also types its renamed copies (a.1, a.2),
      // as pandas' dtype= does, unless a copy is given a type of its own.
      const bool copy =
          c < raw_header_.size() && raw_header_[c] == name && header_[c] != name && !in_schema(header_[c]);
      if (header_[c] != name && !copy) continue;
      found = true;
      ColumnState& col = columns_[c];
      col.type = type;
      col.inferred = false;
      col.sample_mismatches = 0;
      col.mismatch_example.clear();
      col.type_note.clear();
    }
    if (!found) {
      return Status::InvalidArgument("--schema names column '" + name + "', which " + options_.inputs[0] +
                                     " does not have; its columns are: " + JoinNames(header_));
    }
  }
  parse_options_.lossless_columns.clear();
  for (const ColumnState& col : columns_) {
    parse_options_.lossless_columns.push_back(col.inferred &&
                                              (col.type == TypeId::kInt64 || col.type == TypeId::kFloat64));
  }
  uint64_t string_columns = 0;
  for (const ColumnState& col : columns_) string_columns += col.type == TypeId::kString;
  const uint64_t per_dictionary = DictionaryBytesPerColumn(memory_, string_columns);
  for (ColumnState& col : columns_) {
    types_.push_back(col.type);
    if (col.type == TypeId::kString) {
      col.dictionary_mode = true;
      col.dictionary = std::make_unique<GlobalDictionary>(&budget_, per_dictionary);
    }
  }
  return PlanIndexes();
}

Status Pipeline::PlanIndexes() {
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
  auto find = [&](const std::string& name, const char* flag) -> Result<size_t> {
    auto it = std::find(header_.begin(), header_.end(), name);
    if (it == header_.end()) {
      return Status::InvalidArgument(std::string(flag) + " names column '" + name + "', which " +
                                     options_.inputs[0] +
                                     " does not have; its columns are: " + JoinNames(header_));
    }
    return size_t(it - header_.begin());
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

Status Pipeline::WriteIndexes(Compressor* compressor, Buffer* payload, Buffer* compressed) {
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

void Pipeline::AddSpreadSample(const RawBlock& first, bool first_done, size_t sample_bytes,
                               TokenizedBlock* tokens, TypeInference* inference) {
  const std::string_view data = first.data.view();  // the first file from offset first_bom_
  uint64_t end = data.size();
  std::unique_ptr<OffsetReader> file;
  Buffer window(&budget_);
  if (!first_done && IsRegularFile(options_.inputs[0])) {
    // Windows past the first block come from the file itself, provided its
    // bytes are the ones the source delivered (not compressed, not transcoded).
    struct stat st;
    file = std::make_unique<OffsetReader>(options_.inputs[0]);
    const size_t check = std::min(data.size(), kPlainCheckBytes);
    if (file->ok() && ::stat(options_.inputs[0].c_str(), &st) == 0) {
      file->ReadAt(first_bom_, check, &window);
      if (window.view() == data.substr(0, check) && uint64_t(st.st_size) > first_bom_) {
        end = uint64_t(st.st_size) - first_bom_;
      }
    }
  }
  if (end <= sample_bytes) return;
  const uint64_t span = end - sample_bytes;
  const uint64_t window_bytes = std::min<uint64_t>(kInferenceWindowBytes, span);
  const uint64_t windows = std::min<uint64_t>(kInferenceWindows, (span + window_bytes - 1) / window_bytes);
  for (uint64_t window_idx = 0; window_idx < windows; ++window_idx) {
    // Evenly from just past the sample to the very end of the file.
    const uint64_t start =
        sample_bytes + (windows > 1 ? (span - window_bytes) * window_idx / (windows - 1) : 0);
    std::string_view bytes;
    if (start + window_bytes <= data.size()) {
      bytes = data.substr(size_t(start), size_t(window_bytes));
    } else {
      file->ReadAt(first_bom_ + start, size_t(window_bytes), &window);
      bytes = window.view();
    }
    // Whole lines only: the window starts and ends mid-record.
    const size_t first_newline = bytes.find('\n');
    const size_t last_newline = bytes.rfind('\n');
    if (first_newline == std::string_view::npos || last_newline <= first_newline) continue;
    bytes = bytes.substr(first_newline + 1, last_newline - first_newline);
    Tokenize(bytes, dialect_, tokens);
    inference->Add(bytes, *tokens, 0, /*resynced=*/true);
  }
}

bool Pipeline::RequestWidening(const std::vector<Widening>& found, const RawBlock& block) {
  if (!restartable_) return false;
  std::vector<WidenedColumn> widen = widened_;
  std::string names;
  for (const Widening& w : found) {
    const ColumnState& col = columns_[w.column];
    WidenedColumn next;
    next.column = w.column;
    next.type = w.type;
    next.note = "widened from " + std::string(TypeName(col.type)) + " to " + std::string(TypeName(w.type)) +
                " after the sample: line " + std::to_string(w.line) + " of " +
                options_.inputs[size_t(block.file_index)] + ": " + w.reason + "; the input was read again";
    auto known = std::find_if(widen.begin(), widen.end(),
                              [&](const WidenedColumn& other) { return other.column == w.column; });
    if (known != widen.end()) {
      *known = std::move(next);
    } else {
      widen.push_back(std::move(next));
    }
    names += (names.empty() ? "" : ", ") + col.name;
  }
  Fail(Status::Cancelled("column " + names + " is widened; the input is read again"), std::move(widen));
  return true;
}

std::string_view Pipeline::LeadingRecords(std::string_view data) const {
  if (data.size() <= kInferenceSampleBytes) return data;
  size_t cut = FindLastRecordEnd(data.substr(0, kInferenceSampleBytes), FileDialect());
  return cut > 0 ? data.substr(0, cut) : data;
}

Dialect Pipeline::FileDialect() const {
  Dialect dialect = dialect_;
  dialect.newline = newline_;
  return dialect;
}

// Column names end up in the footer, JSON and Python str: a name that is not
// UTF-8 (a latin-1 header read without --encoding) stops ingest here, naming
// the byte, rather than making a file that Python cannot open.
Status Pipeline::CheckHeaderUtf8(const RawBlock& first, std::string_view sample,
                                 const TokenizedBlock& tokens) const {
  for (uint32_t f = tokens.record_fields[0]; f < tokens.record_fields[1]; ++f) {
    const FieldSpan& field = tokens.fields[f];
    std::string_view raw = sample.substr(field.begin, field.size());
    const size_t bad = InvalidUtf8Offset(raw);
    if (bad == raw.size()) continue;
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", unsigned(static_cast<unsigned char>(raw[bad])));
    return Status::DataError(options_.inputs[size_t(first.file_index)] + ", line " +
                             std::to_string(first.first_line + tokens.record_line[0]) +
                             ": the header is not valid UTF-8: column " +
                             std::to_string(f - tokens.record_fields[0] + 1) + " has byte " + byte +
                             " at byte offset " + std::to_string(bom_bytes_ + field.begin + bad) +
                             "; pass the file's encoding, e.g. --encoding latin-1 or --encoding cp1252");
  }
  return Status::OK();
}

Status Pipeline::CheckHeader(int file_index, const RawBlock& block) {
  const std::string& path = options_.inputs[size_t(file_index)];
  std::string_view data = LeadingRecords(block.data.view());
  TokenizedBlock tokens(&budget_);
  Tokenize(data, FileDialect(), &tokens);
  if (tokens.num_records() == 0) return Status::OK();  // empty file: contributes nothing
  if (!options_.header) {
    return Status::OK();  // field counts are checked row by row
  }
  const std::vector<std::string> names = RawHeaderNames(data, tokens, 0, dialect_.quote);
  for (size_t f = 0; f < std::max(names.size(), raw_header_.size()); ++f) {
    const std::string got = f < names.size() ? names[f] : std::string("(missing)");
    const std::string want = f < raw_header_.size() ? raw_header_[f] : std::string("(none)");
    if (got != want) {
      return Status::DataError(path + ": its header differs from " + options_.inputs[0] + "'s: column " +
                               std::to_string(f + 1) + " is '" + got + "', expected '" + want +
                               "'. All input files must have the same columns in the same order.");
    }
  }
  return Status::OK();
}

void Pipeline::ReaderLoop(RawBlock first, bool file_done) {
  auto push = [&](RawBlock block) {
    if (block.data.empty()) {
      ReturnBuffer(std::move(block.data));
      return true;
    }
    block.seq = next_seq_++;
    return queue_->Push(std::move(block));
  };
  if (!push(std::move(first))) return;
  for (;;) {
    if (options_.cancel && options_.cancel->load()) {
      Fail(Status::Cancelled("interrupted; nothing was written to " + options_.output));
      return;
    }
    RawBlock block;
    block.data = TakeBuffer();
    Status status;
    if (file_done) {
      input_done_before_file_ += source_->raw_bytes_read();
      if (size_t(file_index_ + 1) >= options_.inputs.size()) {
        ReturnBuffer(std::move(block.data));
        return;
      }
      status = OpenInput(file_index_ + 1);
      if (status.ok()) status = ReadFirstBlock(&block, &file_done);
      if (status.ok()) status = CheckHeader(file_index_, block);
    } else {
      status = ReadNextBlock(&block, &file_done);
    }
    if (!status.ok()) {
      Fail(status);
      return;
    }
    if (!push(std::move(block))) return;
  }
}

void Pipeline::WorkerLoop(Worker* worker) {
  while (std::optional<RawBlock> block = queue_->Pop()) {
    if (!stop_) {
      Status status = ProcessBlock(worker, &*block);
      if (!status.ok()) Fail(status);
    }
    ReturnBuffer(std::move(block->data));
  }
}

Status Pipeline::ProcessBlock(Worker* w, RawBlock* block) {
  std::string_view data = block->data.view();
  Dialect dialect = dialect_;
  dialect.newline = block->newline;  // files may differ in line endings
  Tokenize(data, dialect, &w->tokens);
  w->rejects.clear();
  for (size_t c = 0; c < columns_.size(); ++c) w->columns[c].Reset(types_[c]);  // Parse appends
  OC_RETURN_IF_ERROR(
      w->parser.Parse(data, w->tokens, block->skip_records, block->first_line, &w->columns, &w->rejects));
  if (!w->parser.widenings().empty() && RequestWidening(w->parser.widenings(), *block)) return Status::OK();
  size_t records = w->tokens.num_records();
  w->records = records > block->skip_records ? records - block->skip_records : 0;
  w->padded_rows = w->parser.padded_rows();
  w->comment_lines = w->tokens.comment_lines;
  const int64_t rows = int64_t(w->records - w->rejects.size());
  if (w->token_chunks.empty()) w->token_chunks.resize(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    w->uses_dictionary[c] = false;
    if (rows == 0) continue;
    if (token_indexes_[c] && !token_index_overflowed_[c]) {
      // Tokenizing is the costly part of a token index: done here, in parallel;
      // the ordered stage only merges (and stops us once the index overflowed).
      if (!w->token_chunks[c]) w->token_chunks[c] = std::make_unique<TokenChunk>(&budget_);
      OC_RETURN_IF_ERROR(w->token_chunks[c]->Collect(w->columns[c]));
    }
    w->stats[c] = ComputeStats(w->columns[c]);
    w->distinct[c].Clear();
    if (types_[c] == TypeId::kString && columns_[c].dictionary_mode) {
      w->local_dictionaries[c].Build(w->columns[c], &w->codes[c], &w->uniques[c]);
      for (std::string_view v : w->uniques[c]) w->distinct[c].AddString(v);
    } else {
      w->distinct[c].AddColumn(w->columns[c]);
    }
  }

  if (!seq_dictionary_.Wait(block->seq)) return Status::OK();  // stopped: the error is recorded already
  Status ordered = OrderedDictionaryStage(w, *block);
  seq_dictionary_.Done();
  OC_RETURN_IF_ERROR(ordered);

  if (rows > 0) {
    for (size_t c = 0; c < columns_.size(); ++c) {
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

  if (!seq_write_.Wait(block->seq)) return Status::OK();
  ordered = OrderedWriteStage(w, *block);
  seq_write_.Done();
  return ordered;
}

Status Pipeline::OrderedDictionaryStage(Worker* w, const RawBlock& block) {
  if (options_.on_error == OnError::kFail && !w->rejects.empty()) {
    const RowReject& r = w->rejects.front();
    std::string where = options_.inputs[size_t(block.file_index)] + ", line " + std::to_string(r.line);
    if (r.column >= 0) where += ", column '" + header_[size_t(r.column)] + "'";
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

Status Pipeline::OrderedWriteStage(Worker* w, const RawBlock& block) {
  const std::string& source = options_.inputs[size_t(block.file_index)];
  for (const RowReject& r : w->rejects) OC_RETURN_IF_ERROR(rejects_->Add(source, r));
  const uint64_t rows = w->records - w->rejects.size();
  rows_read_ += w->records;
  rows_kept_ += rows;
  rows_padded_ += w->padded_rows;
  comment_lines_ += w->comment_lines;
  if (options_.max_rejects.kind == RejectLimit::Kind::kCount &&
      RejectLimitPassed(options_.max_rejects, rows_read_, rejects_->total(), false)) {
    return Status::DataError(kRejectLimitTripped);  // no chunk of this block is written
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
      col.distinct.Merge(w->distinct[c]);
    }
    metadata_.chunks.push_back(std::move(chunk));
  }
  MaybeReportProgress(block.input_bytes_done, false);
  return Status::OK();
}

void Pipeline::MaybeReportProgress(uint64_t input_bytes_done, bool force) {
  if (!options_.progress) return;
  auto now = Clock::now();
  if (!force && now - last_progress_ < std::chrono::milliseconds(250)) return;
  last_progress_ = now;
  IngestProgress p;
  p.input_bytes_done = input_bytes_done;
  p.input_bytes_total = input_total_bytes_;
  p.rows_read = rows_read_;
  p.rows_rejected = rejects_ ? rejects_->total() : 0;
  p.seconds = std::chrono::duration<double>(now - start_).count();
  p.rss = CurrentRss();
  options_.progress(p);
}

Status Pipeline::FinishFile() {
  input_done_ = true;
  if (RejectLimitPassed(options_.max_rejects, rows_read_, rejects_->total(), true)) {
    return Status::DataError(kRejectLimitTripped);
  }
  Compressor compressor(codec_, options_.compression_level);
  Buffer payload(&budget_), compressed(&budget_);
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
  format::IngestReport& ir = metadata_.ingest;
  ir.rows_read = rows_read_;
  ir.rows_kept = rows_kept_;
  ir.rows_rejected = rejects_->total();
  ir.rejected_by_reason = rejects_->counts();
  ir.input_bytes = input_done_before_file_;
  ir.sources = options_.inputs;
  ir.created_by = "outcore 0.1.0";
  if (ir.rows_read != ir.rows_kept + ir.rows_rejected) {
    return Status::DataError("internal accounting error: rows read " + std::to_string(ir.rows_read) +
                             " != kept " + std::to_string(ir.rows_kept) + " + rejected " +
                             std::to_string(ir.rows_rejected) + "; nothing was written");
  }
  OC_RETURN_IF_ERROR(writer_->Seal(metadata_));
  return rejects_->Seal();
}

Status Pipeline::CommitOutputAndRejects() {
  std::vector<OutputFile*> outputs;
  if (rejects_->output()) outputs.push_back(rejects_->output());
  outputs.push_back(writer_->output());  // last: the .oc in place means the rejects are too
  Status committed = CommitTogether(outputs, options_.cancel);
  if (committed.code() == StatusCode::kCancelled) {
    return Status::Cancelled("interrupted; nothing was written to " + options_.output);
  }
  return committed;
}

Status Pipeline::Run(IngestReport* report) {
  Status status = RunStages();
  const bool tripped = status.code() == StatusCode::kDataError && status.message() == kRejectLimitTripped;
  if (!status.ok() && !tripped) return status;
  FillReport(report);
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

Status Pipeline::RunStages() {
  start_ = Clock::now();
  OC_RETURN_IF_ERROR(Plan());
  OC_RETURN_IF_ERROR(OpenInput(0));
  RawBlock first;
  first.data = TakeBuffer();
  bool first_done = false;
  OC_RETURN_IF_ERROR(ReadFirstBlock(&first, &first_done));
  OC_RETURN_IF_ERROR(ReadHeaderAndSchema(&first, first_done));
  OC_ASSIGN_OR_RETURN(writer_, format::FileWriter::Create(options_.output));
  OC_ASSIGN_OR_RETURN(rejects_, RejectSink::Open(options_.reject_path, header_));

  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < memory_.threads; ++t) {
    workers.push_back(std::make_unique<Worker>(&budget_, columns_.size(), codec_, options_.compression_level,
                                               types_, parse_options_));
  }
  queue_ = std::make_unique<ingest::BoundedQueue<RawBlock>>(size_t(memory_.threads));
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([this, w = worker.get()] { WorkerLoop(w); });
  ReaderLoop(std::move(first), first_done);
  queue_->Close();
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(error_mutex_);
    if (!error_.ok()) return error_;  // also when --max-rejects tripped in the write stage
  }
  // The workers' buffers and the block pool are done with: free them before
  // the indexes are serialized, which may need room of their own.
  workers.clear();
  {
    std::lock_guard lock(pool_mutex_);
    pool_.clear();
  }
  OC_RETURN_IF_ERROR(FinishFile());
  // The last chance to stop: a Ctrl-C during the dictionaries, indexes and
  // footer leaves the old output, as one during the blocks does (after the
  // rename the work is done, and the caller is told it was).
  if (options_.cancel && options_.cancel->load()) {
    return Status::Cancelled("interrupted; nothing was written to " + options_.output);
  }
  OC_RETURN_IF_ERROR(CommitOutputAndRejects());
  MaybeReportProgress(input_done_before_file_, true);
  return Status::OK();
}

void Pipeline::FillReport(IngestReport* out) const {
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
  report.input_bytes = input_done_before_file_;
  report.output_bytes = writer_->bytes_written();
  report.chunks = metadata_.chunks.size();
  report.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  report.peak_rss = PeakRss();
  report.memory_limit = budget_.limit();
  report.budget_peak = budget_.peak() + (index_budget_ ? index_budget_->peak() : 0);
  report.block_bytes = memory_.block_bytes;
  report.threads = memory_.threads;
  report.memory_plan = memory_;
  report.delimiter = dialect_.delimiter;
  report.encoding = encoding_;
  report.line_ending = line_ending_;
  report.space_aligned = dialect_.space_aligned;
  report.renamed_columns = renamed_;
  report.lines_skipped = lines_skipped_;
  report.comment_lines = comment_lines_;
  report.rows_padded = rows_padded_;
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
  SummarizeRejects(*rejects_, header_, types_, &report);
}

}  // namespace

Status Ingest(const IngestOptions& options, IngestReport* report) {
  // A value after the sample that shows a column's inferred type too narrow
  // ("02134" in an int64 column) fails the attempt before anything is
  // committed; the next one starts with the column widened. Each attempt
  // widens a column (int64 -> float64 -> string), so this ends.
  const Clock::time_point start = Clock::now();
  std::vector<WidenedColumn> widened;
  for (;;) {
    Pipeline pipeline(options, widened);
    Status status = pipeline.Run(report);
    const bool widens = std::any_of(
        pipeline.widen_next().begin(), pipeline.widen_next().end(), [&](const WidenedColumn& next) {
          return std::none_of(widened.begin(), widened.end(), [&](const WidenedColumn& w) {
            return w.column == next.column && w.type == next.type;
          });
        });
    if (status.ok() || !widens) {
      report->seconds = std::chrono::duration<double>(Clock::now() - start).count();
      return status;
    }
    widened = pipeline.widen_next();
  }
}

Result<IngestReport> Ingest(const IngestOptions& options) {
  IngestReport report;
  OC_RETURN_IF_ERROR(Ingest(options, &report));
  return report;
}

}  // namespace outcore
