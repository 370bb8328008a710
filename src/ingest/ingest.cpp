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
#include "base/utf8.h"
#include "clean/reject.h"
#include "csv/block_parser.h"
#include "csv/dialect.h"
#include "csv/header.h"
#include "csv/record_boundary.h"
#include "csv/source.h"
#include "csv/tokenizer.h"
#include "csv/transcode.h"
#include "csv/type_inference.h"
#include "csv/value_parser.h"
#include "encoding/column_encoder.h"
#include "encoding/compression.h"
#include "encoding/dictionary.h"
#include "encoding/stats.h"
#include "format/file_writer.h"
#include "format/zone_map.h"
#include "index/token_index.h"
#include "ingest/encode_stages.h"
#include "ingest/memory_plan.h"
#include "ingest/pipeline_sync.h"
#include "ingest/reject_policy.h"
#include "outcore/column.h"
#include "outcore/memory.h"
#include "outcore/options.h"

namespace outcore {

namespace {

using Clock = std::chrono::steady_clock;

// Bytes of the first block that type inference looks at.
constexpr size_t kInferenceSampleBytes = 2 << 20;

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

// A CSV worker: the tokenizer and parser that fill its chunk, and the chunk
// the shared stages take on from there (encode_stages.h).
struct Worker {
  Worker(MemoryBudget* budget, const std::vector<TypeId>& types, const ParseOptions& parse_options,
         std::unique_ptr<ChunkWork> chunk)
      : tokens(budget), parser(types, parse_options, budget), work(std::move(chunk)), kept_records(budget) {}
  TokenizedBlock tokens;
  BlockParser parser;
  std::unique_ptr<ChunkWork> work;
  // With row rules: the record of each kept row of the block (uint32), made
  // when a rule first rejects one of its rows.
  Buffer kept_records;
  bool kept_records_known = false;
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
        stages_(options, &budget_, &stop_) {}

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
  Status ReadHeaderAndSchema(RawBlock* first, bool* first_done);
  Status FitFirstBlock(RawBlock* first, bool* first_done);
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
  // A rule reject's line and raw record, for kept row `row` of the block.
  void DescribeKeptRow(Worker* w, const RawBlock& block, int64_t row, RowReject* reject) const;
  void Fail(Status status, std::vector<WidenedColumn> widen = {});
  Buffer TakeBuffer();
  void ReturnBuffer(Buffer buffer);

  const IngestOptions& options_;
  const std::vector<WidenedColumn> widened_;  // from earlier attempts
  std::vector<WidenedColumn> widen_next_;     // set with error_
  bool restartable_ = false;                  // every input is a regular file
  size_t first_bom_ = 0;                      // BOM bytes skipped at the start of the first file
  MemoryBudget budget_;
  std::atomic<bool> stop_{false};
  std::mutex error_mutex_;
  Status error_;
  EncodeStages stages_;  // the back half, shared with Arrow in
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
  std::vector<StageColumn> columns_;
  std::vector<TypeId> types_;

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

  // Counted by the workers, for the report.
  std::atomic<uint64_t> rows_padded_{0}, comment_lines_{0};
  uint64_t lines_skipped_ = 0;
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
  stages_.WakeAll();
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
  OC_RETURN_IF_ERROR(NormalizeEncodingName(options_.encoding, "--encoding").status());
  std::vector<PathUse> inputs;
  for (const std::string& path : options_.inputs) {
    inputs.push_back({path, "the input"});
    struct stat st;
    if (path == "-" || ::stat(path.c_str(), &st) != 0) continue;
    input_total_bytes_ += uint64_t(st.st_size);
  }
  OC_RETURN_IF_ERROR(stages_.Plan(inputs, input_total_bytes_));
  memory_ = stages_.memory();
  codec_ = stages_.codec();
  stages_.SetInputTotal(input_total_bytes_);
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
  parse_options_.spellings.thousands = options_.thousands;
  OC_RETURN_IF_ERROR(ValidateThousands(options_.thousands, options_.decimal));
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
  dialect_.escape = options_.escape.value_or('\0');
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
    // Within `want`: the carry may hold more (the first block, cut again for the schema).
    size_t cut = FindLastRecordEnd(buf.view().substr(0, want), FileDialect());
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

Status Pipeline::ReadHeaderAndSchema(RawBlock* first, bool* first_done) {
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
  const double bytes_per_field = double(sample.size()) / double(std::max<size_t>(1, tokens.fields.size()));
  if (options_.header) {
    OC_RETURN_IF_ERROR(CheckHeaderUtf8(*first, sample, tokens));
    raw_header_ = RawHeaderNames(sample, tokens, 0, dialect_);
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
  AddSpreadSample(*first, *first_done, sample.size(), &tokens, &inferring);
  std::vector<ColumnInference> guesses = inferring.Finish();
  columns_.resize(header_.size());
  for (size_t c = 0; c < header_.size(); ++c) {
    StageColumn& col = columns_[c];
    col.name = header_[c];
    col.type = guesses[c].type;
    col.sample_mismatches = uint64_t(guesses[c].mismatches);
    col.mismatch_example = guesses[c].example_mismatch;
    col.type_note = guesses[c].note;
  }
  for (const WidenedColumn& widened : widened_) {
    StageColumn& col = columns_[widened.column];
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
      StageColumn& col = columns_[c];
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
  for (const StageColumn& col : columns_) {
    parse_options_.lossless_columns.push_back(col.inferred &&
                                              (col.type == TypeId::kInt64 || col.type == TypeId::kFloat64));
    types_.push_back(col.type);
  }
  FrontState front;
  // The header's names (as read and as made unique), the column's schema
  // entry and its parse flags; each worker's parser keeps a type and a flag.
  front.shared_bytes_per_column = sizeof(StageColumn) + 2 * sizeof(std::string) + 2;
  front.worker_bytes_per_column = 2;
  front.bytes_per_field = bytes_per_field;
  OC_RETURN_IF_ERROR(stages_.Start(columns_, options_.inputs[0], front));
  memory_ = stages_.memory();
  return FitFirstBlock(first, first_done);
}

Status Pipeline::FitFirstBlock(RawBlock* first, bool* first_done) {
  // The first block was read before the columns were known; when the plan
  // made for them wants smaller blocks, the first is cut to that size too.
  Buffer& buf = first->data;
  if (buf.size() <= memory_.block_bytes) return Status::OK();
  const size_t cut = FindLastRecordEnd(buf.view().substr(0, memory_.block_bytes), dialect_);
  if (cut == 0) return Status::OK();  // one long record: it stays whole, as ReadNextBlock would grow for it
  Buffer rest(&budget_);
  rest.Append(buf.data() + cut, buf.size() - cut);
  rest.Append(carry_.data(), carry_.size());
  std::swap(carry_, rest);
  buf.Resize(cut);
  lines_before_ = first->first_line - 1 + CountNewlines(buf.view(), newline_);
  *first_done = false;  // the rest is read from carry_ first; the source is then at its end
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
    const StageColumn& col = columns_[w.column];
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
  const std::vector<std::string> names = RawHeaderNames(data, tokens, 0, dialect_);
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
  ChunkWork* work = w->work.get();
  work->rejects.clear();
  for (size_t c = 0; c < columns_.size(); ++c) work->columns[c].Reset(types_[c]);  // Parse appends
  OC_RETURN_IF_ERROR(w->parser.Parse(data, w->tokens, block->skip_records, block->first_line, &work->columns,
                                     &work->rejects));
  if (!w->parser.widenings().empty() && RequestWidening(w->parser.widenings(), *block)) return Status::OK();
  size_t records = w->tokens.num_records();
  work->records = records > block->skip_records ? records - block->skip_records : 0;
  if (!options_.rules.empty()) {
    w->kept_records_known = false;
    work->describe_row = [this, w, block](int64_t row, RowReject* reject) {
      DescribeKeptRow(w, *block, row, reject);
    };
  }
  OC_RETURN_IF_ERROR(
      stages_.Process(work, block->seq, options_.inputs[size_t(block->file_index)], block->input_bytes_done));
  if (!stop_) {
    rows_padded_ += w->parser.padded_rows();
    comment_lines_ += w->tokens.comment_lines;
  }
  return Status::OK();
}

void Pipeline::DescribeKeptRow(Worker* w, const RawBlock& block, int64_t row, RowReject* reject) const {
  const TokenizedBlock& tokens = w->tokens;
  if (!w->kept_records_known) {
    // The parser kept every record it did not reject (block_parser.h), and
    // its rejects are in record order: the records left, in order, are the rows.
    const std::vector<RowReject>& rejects = w->work->rejects;
    w->kept_records.Clear();
    size_t next = 0;
    for (size_t record = block.skip_records; record < tokens.num_records(); ++record) {
      if (next < rejects.size() && rejects[next].line == block.first_line + tokens.record_line[record]) {
        ++next;
        continue;
      }
      w->kept_records.Push(uint32_t(record));
    }
    w->kept_records_known = true;
  }
  const uint32_t record = w->kept_records.as<uint32_t>()[row];
  reject->line = block.first_line + tokens.record_line[record];
  const size_t begin = tokens.record_begin[record];
  const size_t length = tokens.record_end[record] - begin;
  reject->raw.assign(block.data.view().substr(begin, std::min(length, RowReject::kMaxRawBytes)));
}

Status Pipeline::Run(IngestReport* report) {
  return stages_.Conclude(
      RunStages(), [this](IngestReport* r) { FillReport(r); }, report);
}

Status Pipeline::RunStages() {
  OC_RETURN_IF_ERROR(Plan());
  OC_RETURN_IF_ERROR(OpenInput(0));
  RawBlock first;
  first.data = TakeBuffer();
  bool first_done = false;
  OC_RETURN_IF_ERROR(ReadFirstBlock(&first, &first_done));
  OC_RETURN_IF_ERROR(ReadHeaderAndSchema(&first, &first_done));
  OC_RETURN_IF_ERROR(stages_.OpenOutputs());

  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < memory_.threads; ++t) {
    workers.push_back(std::make_unique<Worker>(&budget_, types_, parse_options_, stages_.NewWork()));
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
  OC_RETURN_IF_ERROR(stages_.Finish(options_.inputs, input_done_before_file_));
  return stages_.Commit();
}

// The CSV front's part of the report (the stages filled the rest).
void Pipeline::FillReport(IngestReport* report) const {
  report->source = "csv";
  report->delimiter = dialect_.delimiter;
  report->encoding = encoding_;
  report->line_ending = line_ending_;
  report->space_aligned = dialect_.space_aligned;
  report->escape = dialect_.escape;
  report->thousands = options_.thousands;
  report->renamed_columns = renamed_;
  report->lines_skipped = lines_skipped_;
  report->comment_lines = comment_lines_;
  report->rows_padded = rows_padded_;
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
