#include "gen/generator.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/output_file.h"
#include "gen/random.h"
#include "gen/vocabulary.h"

namespace outcore::gen {
namespace {

constexpr size_t kVocabularySize = 65536;
constexpr double kWordZipfExponent = 1.1;
// No row is longer than this: 25 passage words of at most 24 letters plus
// separators, dirt and the other nine fields stay well below it.
constexpr size_t kMaxRowBytes = 2048;
constexpr double kPassageCommaChance = 0.03;
constexpr double kActiveChance = 0.62;

// Physical column positions.
enum Column { kId, kActive, kTopic, kWord, kPassage, kQuantity, kScore, kPrice, kDay, kCreated };

// 2015-01-01 and 2025-12-31 as days since 1970-01-01.
constexpr int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = unsigned(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + int64_t(day_of_era) - 719468;
}
constexpr int64_t kFirstDay = DaysFromCivil(2015, 1, 1);
constexpr int64_t kLastDay = DaysFromCivil(2025, 12, 31);

struct CivilDate {
  int64_t year;
  unsigned month, day;
};
CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = unsigned(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  return {int64_t(year_of_era) + era * 400 + (month <= 2), month, day};
}

// Per-row facts the writer needs to cut a block at a row and count it.
struct RowRecord {
  uint32_t end;  // offset just past the row's '\n' within the block
  DirtKind kind;
  uint8_t missing;  // empty non-id cells (counted for valid rows only)
};

// A cursor into a buffer with at least kMaxRowBytes of room.
class RowCursor {
 public:
  explicit RowCursor(char* at) : at_(at) {}
  char* at() const { return at_; }
  void Put(char c) { *at_++ = c; }
  void Put(std::string_view text) {
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
  }
  // A vocabulary word: one fixed-size copy (the destination has
  // kMaxRowBytes of room, the source Vocabulary::kWordReadBytes readable).
  void PutWord(std::string_view word) {
    std::memcpy(at_, word.data(), Vocabulary::kWordReadBytes);
    at_ += word.size();
  }
  void PutUnsigned(uint64_t value) { at_ = std::to_chars(at_, at_ + 20, value).ptr; }
  void PutDigits2(unsigned value) {
    at_[0] = char('0' + value / 10);
    at_[1] = char('0' + value % 10);
    at_ += 2;
  }
  // value / 10^decimals with exactly `decimals` digits after the point; no
  // double formatting, so it is fast and the same on every libc.
  void PutFixed(int64_t scaled, int decimals, uint64_t power) {
    if (scaled < 0) Put('-');
    uint64_t magnitude = scaled < 0 ? uint64_t(-scaled) : uint64_t(scaled);
    PutUnsigned(magnitude / power);
    Put('.');
    uint64_t fraction = magnitude % power;
    for (int digit = decimals - 1; digit >= 0; --digit) {
      at_[digit] = char('0' + fraction % 10);
      fraction /= 10;
    }
    at_ += decimals;
  }
  void PutDate(int64_t days) {
    CivilDate date = CivilFromDays(days);
    PutUnsigned(uint64_t(date.year));
    Put('-');
    PutDigits2(date.month);
    Put('-');
    PutDigits2(date.day);
  }

 private:
  char* at_;
};

// Everything shared, read-only, by the formatting threads.
struct GeneratorContext {
  GeneratorContext()
      : vocabulary(Vocabulary::Build(kVocabularySize)),
        words(ZipfWeights(kVocabularySize, kWordZipfExponent)),
        // Skewed like real content: fashion and real estate dominate, gaming is rare.
        topics({22, 16, 13, 10, 9, 8, 6, 5, 4, 3, 2.5, 1.5}) {}

  std::string_view Word(Xoshiro256& rng) const { return vocabulary.word(words.Sample(rng)); }

  Vocabulary vocabulary;
  AliasSampler words;
  AliasSampler topics;
};

// Exports come ordered by time: `day` advances every kRowsPerDay rows (a 1 GB
// file spans the eleven years 2015-2025, a larger one starts over), so a day
// or a range of days sits in a few chunks — what zone maps and indexes exploit.
constexpr uint64_t kRowsPerDay = 2000;
int64_t RecordDay(uint64_t id) {
  return kFirstDay + int64_t(((id - 1) / kRowsPerDay) % uint64_t(kLastDay - kFirstDay + 1));
}

// Formats rows of one block. Hot loop: no allocation, no virtual calls.
class BlockFormatter {
 public:
  BlockFormatter(const GeneratorContext& context, const GeneratorOptions& options)
      : context_(context), options_(options) {}

  // Appends rows [first_row, first_row + row_count) of block `block_index`
  // to `bytes` and their records to `records`.
  void Format(uint64_t block_index, uint64_t first_row, uint32_t row_count, Buffer& bytes, Buffer& records) {
    Xoshiro256 rng(BlockSeed(options_.seed, block_index));
    bytes.Clear();
    records.Resize(size_t(row_count) * sizeof(RowRecord));
    RowRecord* record = records.as<RowRecord>();
    for (uint32_t row = 0; row < row_count; ++row) {
      size_t start = bytes.size();
      bytes.Resize(start + kMaxRowBytes);
      RowCursor cursor(reinterpret_cast<char*>(bytes.data()) + start);
      record[row] = FormatRow(rng, first_row + row + 1, cursor);
      size_t end = size_t(cursor.at() - reinterpret_cast<char*>(bytes.data()));
      bytes.Resize(end);
      record[row].end = uint32_t(end);
    }
  }

 private:
  RowRecord FormatRow(Xoshiro256& rng, uint64_t id, RowCursor& out) {
    DirtKind kind = DirtKind::kNone;
    if (options_.dirty_rate > 0 && rng.Chance(options_.dirty_rate)) kind = DirtKind(1 + rng.Below(5));
    bool missing[kColumnCount] = {};
    for (int column = kActive; column < kColumnCount; ++column)
      missing[column] = rng.Chance(options_.missing_rate);
    // Which cell carries the dirt (it must be present to carry it).
    int dirt_column = -1;
    if (kind == DirtKind::kTextInNumeric) dirt_column = rng.Chance(0.5) ? kQuantity : kPrice;
    if (kind == DirtKind::kInvalidUtf8) dirt_column = rng.Chance(0.5) ? kWord : kPassage;
    if (kind == DirtKind::kTrickyQuoted) dirt_column = kPassage;
    if (dirt_column >= 0) missing[dirt_column] = false;
    int dropped_column = kind == DirtKind::kMissingField ? int(1 + rng.Below(kColumnCount - 1)) : -1;

    uint8_t missing_count = 0;
    bool first_field = true;
    for (int column = 0; column < kColumnCount; ++column) {
      if (column == dropped_column) continue;
      if (!first_field) out.Put(',');
      first_field = false;
      if (missing[column]) {
        ++missing_count;
        continue;
      }
      FormatCell(rng, Column(column), id, column == dirt_column ? kind : DirtKind::kNone, out);
    }
    if (kind == DirtKind::kExtraField) {
      out.Put(',');
      out.PutWord(context_.Word(rng));
    }
    out.Put('\n');
    bool valid = kind == DirtKind::kNone || kind == DirtKind::kTrickyQuoted;
    return RowRecord{0, kind, valid ? missing_count : uint8_t(0)};
  }

  void FormatCell(Xoshiro256& rng, Column column, uint64_t id, DirtKind dirt, RowCursor& out) {
    switch (column) {
      case kId:
        out.PutUnsigned(id);
        break;
      case kActive:
        out.Put(rng.Chance(kActiveChance) ? std::string_view("True") : std::string_view("False"));
        break;
      case kTopic:
        out.Put(kTopics[context_.topics.Sample(rng)]);
        break;
      case kWord: {
        std::string_view word = context_.Word(rng);
        if (dirt == DirtKind::kInvalidUtf8) {
          // Bad bytes inside the word, as a mis-decoded export would have them.
          out.Put(word.substr(0, 1));
          out.Put("\xff\xfe");
          out.Put(word.substr(1));
        } else {
          out.PutWord(word);
        }
        break;
      }
      case kPassage:
        FormatPassage(rng, dirt, out);
        break;
      case kQuantity:
        if (dirt == DirtKind::kTextInNumeric) {
          static constexpr std::string_view kWords[] = {"many", "several", "lots", "a dozen"};
          out.Put(kWords[rng.Below(4)]);
        } else {
          // Mostly small counts (exponential, mean 35), capped at 500.
          out.PutUnsigned(std::min<uint64_t>(500, uint64_t(-std::log(1.0 - rng.NextDouble()) * 35.0)));
        }
        break;
      case kScore:
        out.PutFixed(std::llround(rng.NextNormal() * 1e6), 6, 1000000);
        break;
      case kPrice: {
        // Log-normal around 20.00, clamped to the catalogue's range.
        double price = std::exp(std::log(20.0) + 1.2 * rng.NextNormal());
        int64_t cents = std::clamp<int64_t>(std::llround(price * 100), 50, 500000);
        if (dirt == DirtKind::kTextInNumeric) {
          // A decimal comma, as a European spreadsheet writes it; quoted.
          out.Put('"');
          out.PutUnsigned(uint64_t(cents / 100));
          out.Put(',');
          out.PutDigits2(unsigned(cents % 100));
          out.Put('"');
        } else {
          out.PutFixed(cents, 2, 100);
        }
        break;
      }
      case kDay:
        out.PutDate(RecordDay(id));
        break;
      case kCreated: {
        // Within the record's day, at a random time: ordered by day, not within it.
        int64_t day = RecordDay(id), of_day = rng.Between(0, 86399);
        out.PutDate(day);
        out.Put(' ');
        out.PutDigits2(unsigned(of_day / 3600));
        out.Put(':');
        out.PutDigits2(unsigned(of_day / 60 % 60));
        out.Put(':');
        out.PutDigits2(unsigned(of_day % 60));
        break;
      }
    }
  }

  void PutCapitalized(std::string_view word, RowCursor& out) {
    char* first = out.at();
    out.PutWord(word);
    *first = char(word[0] - 'a' + 'A');
  }

  void FormatPassage(Xoshiro256& rng, DirtKind dirt, RowCursor& out) {
    if (dirt == DirtKind::kTrickyQuoted) {
      // Valid RFC 4180 that naive splitters get wrong: "W said ""x y"",\nthen z."
      out.Put('"');
      PutCapitalized(context_.Word(rng), out);
      out.Put(" said \"\"");
      out.PutWord(context_.Word(rng));
      out.Put(' ');
      out.PutWord(context_.Word(rng));
      out.Put("\"\",\nthen ");
      out.PutWord(context_.Word(rng));
      out.Put(".\"");
      return;
    }
    // Commas are drawn first: a passage with one is quoted, decided before writing.
    uint32_t word_count = uint32_t(rng.Between(5, 25));
    uint32_t comma_after = 0;  // bit i: a comma follows word i
    for (uint32_t word_idx = 0; word_idx + 1 < word_count; ++word_idx) {
      if (rng.Chance(kPassageCommaChance)) comma_after |= 1u << word_idx;
    }
    uint32_t bad_bytes_after = dirt == DirtKind::kInvalidUtf8 ? uint32_t(rng.Below(word_count)) : word_count;
    if (comma_after) out.Put('"');
    for (uint32_t word_idx = 0; word_idx < word_count; ++word_idx) {
      std::string_view word = context_.Word(rng);
      if (word_idx == 0) {
        PutCapitalized(word, out);
      } else {
        out.Put(' ');
        out.PutWord(word);
      }
      if (word_idx == bad_bytes_after) out.Put("\xff\xfe");
      if (comma_after & (1u << word_idx)) out.Put(',');
    }
    out.Put('.');
    if (comma_after) out.Put('"');
  }

  const GeneratorContext& context_;
  const GeneratorOptions& options_;
};

Status ValidateOptions(const GeneratorOptions& options) {
  if ((options.rows == 0) == (options.size_bytes == 0)) {
    return Status::InvalidArgument("gen: give exactly one of a row count (--rows N) or a size (--size SIZE)");
  }
  if (!(options.missing_rate >= 0 && options.missing_rate <= 1)) {
    return Status::InvalidArgument("gen: --missing-rate must be between 0 and 1, e.g. 0.02");
  }
  if (!(options.dirty_rate >= 0 && options.dirty_rate <= 1)) {
    return Status::InvalidArgument("gen: --dirty-rate must be between 0 and 1, e.g. 0.005");
  }
  if (options.rows_per_block == 0 || options.rows_per_block > (1u << 20)) {
    return Status::InvalidArgument("gen: rows_per_block must be between 1 and 1048576");
  }
  if (options.threads < 0 || options.threads > 256) {
    return Status::InvalidArgument("gen: --threads must be between 0 (automatic) and 256");
  }
  return Status::OK();
}

std::string HeaderLine() {
  std::string header;
  for (int column = 0; column < kColumnCount; ++column) {
    if (column) header += ',';
    header += kColumnNames[column];
  }
  header += '\n';
  return header;
}

// Formats blocks on worker threads into a ring of slots and hands them to the
// calling thread in block order. A worker may only take block b once block
// b - slots has been written, which bounds memory to `slots` blocks.
class BlockPipeline {
 public:
  struct Slot {
    Buffer bytes;
    Buffer records;
    bool ready = false;
  };

  BlockPipeline(const GeneratorContext& context, const GeneratorOptions& options, int threads,
                uint64_t block_limit)
      : context_(context), options_(options), block_limit_(block_limit), slots_(size_t(threads) * 2) {
    for (Slot& slot : slots_) {
      slot.bytes = Buffer(options.budget);
      slot.records = Buffer(options.budget);
    }
    workers_.reserve(size_t(threads));
    for (int worker = 0; worker < threads; ++worker) workers_.emplace_back([this] { WorkerLoop(); });
  }

  ~BlockPipeline() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  // Waits for block `block_index` (blocks are taken strictly in order) and
  // returns its slot, or null when a worker failed (see error()).
  Slot* Wait(uint64_t block_index) {
    std::unique_lock lock(mutex_);
    Slot& slot = slots_[block_index % slots_.size()];
    changed_.wait(lock, [&] { return slot.ready || !error_.ok(); });
    return error_.ok() ? &slot : nullptr;
  }

  // Gives the slot of the block last returned by Wait back to the workers.
  void Release(Slot* slot) {
    {
      std::lock_guard lock(mutex_);
      slot->ready = false;
      ++written_blocks_;
    }
    changed_.notify_all();
  }

  Status error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  void WorkerLoop() {
    BlockFormatter formatter(context_, options_);
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [&] {
        return stopping_ || next_block_ >= block_limit_ || next_block_ < written_blocks_ + slots_.size();
      });
      if (stopping_ || next_block_ >= block_limit_) return;
      uint64_t block_index = next_block_++;
      Slot& slot = slots_[block_index % slots_.size()];
      lock.unlock();
      uint64_t first_row = block_index * options_.rows_per_block;
      uint32_t row_count = options_.rows_per_block;
      if (options_.rows) row_count = uint32_t(std::min<uint64_t>(row_count, options_.rows - first_row));
      Status failure;
      try {
        formatter.Format(block_index, first_row, row_count, slot.bytes, slot.records);
      } catch (const std::bad_alloc&) {
        failure =
            Status::OutOfMemory("gen: out of memory while formatting block " + std::to_string(block_index));
      }
      lock.lock();
      if (!failure.ok() && error_.ok()) error_ = failure;
      slot.ready = true;
      changed_.notify_all();
    }
  }

  const GeneratorContext& context_;
  const GeneratorOptions& options_;
  const uint64_t block_limit_;
  std::vector<Slot> slots_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t next_block_ = 0;
  uint64_t written_blocks_ = 0;
  bool stopping_ = false;
  Status error_;
};

}  // namespace

std::string_view DirtKindName(DirtKind kind) {
  switch (kind) {
    case DirtKind::kNone:
      return "clean";
    case DirtKind::kExtraField:
      return "extra_field";
    case DirtKind::kMissingField:
      return "missing_field";
    case DirtKind::kTextInNumeric:
      return "text_in_numeric";
    case DirtKind::kInvalidUtf8:
      return "invalid_utf8";
    case DirtKind::kTrickyQuoted:
      return "tricky_quoted";
  }
  return "unknown";
}

uint64_t GeneratorStats::rejectable_rows() const {
  return count(DirtKind::kExtraField) + count(DirtKind::kMissingField) + count(DirtKind::kTextInNumeric) +
         count(DirtKind::kInvalidUtf8);
}

std::string GeneratorStats::ToJson() const {
  std::string json = fmt::format(R"({{"rows":{},"bytes":{},"lines":{},"missing_cells":{})", rows, bytes,
                                 lines, missing_cells);
  for (int kind = 0; kind < kDirtKindCount; ++kind) {
    json += fmt::format(
        R"(,"{}":{})", kind == 0 ? std::string_view("clean_rows") : DirtKindName(DirtKind(kind)), dirt[kind]);
  }
  json += fmt::format(R"(,"rejectable_rows":{},"valid_rows":{}}})", rejectable_rows(), valid_rows());
  return json;
}

std::string GeneratorStats::ToText() const {
  std::string text =
      fmt::format("rows {} ({} valid, {} must be rejected), {}, {} missing cells in valid rows\ndirt:", rows,
                  valid_rows(), rejectable_rows(), FormatSize(bytes), missing_cells);
  for (int kind = 1; kind < kDirtKindCount; ++kind) {
    text += fmt::format(" {}={}", DirtKindName(DirtKind(kind)), dirt[kind]);
  }
  text += "  (tricky_quoted rows are valid and must be kept)\n";
  return text;
}

Result<GeneratorStats> GenerateCsv(const GeneratorOptions& options, const ChunkSink& sink) {
  OC_RETURN_IF_ERROR(ValidateOptions(options));
  int threads =
      options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  const GeneratorContext context;
  GeneratorStats stats;
  const std::string header = HeaderLine();
  OC_RETURN_IF_ERROR(sink(header));
  stats.bytes = header.size();
  stats.lines = 1;
  if (options.size_bytes && stats.bytes >= options.size_bytes) return stats;

  const uint64_t block_limit =
      options.rows ? (options.rows + options.rows_per_block - 1) / options.rows_per_block : UINT64_MAX;
  // Fewer workers than blocks would only idle.
  threads = int(std::min<uint64_t>(uint64_t(threads), block_limit));
  BlockPipeline pipeline(context, options, threads, block_limit);
  for (uint64_t block_index = 0; block_index < block_limit; ++block_index) {
    if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
      return Status::Cancelled("gen: interrupted after " + std::to_string(stats.rows) + " rows");
    }
    BlockPipeline::Slot* slot = pipeline.Wait(block_index);
    if (!slot) return pipeline.error();
    const RowRecord* records = slot->records.as<RowRecord>();
    size_t row_count = slot->records.size() / sizeof(RowRecord);
    bool last = false;
    if (options.size_bytes) {
      // Cut at the first row that makes the output reach the requested size.
      for (size_t row = 0; row < row_count; ++row) {
        if (stats.bytes + records[row].end >= options.size_bytes) {
          row_count = row + 1;
          last = true;
          break;
        }
      }
    }
    size_t byte_count = row_count ? records[row_count - 1].end : 0;
    Status written = sink(slot->bytes.view().substr(0, byte_count));
    for (size_t row = 0; row < row_count; ++row) {
      ++stats.dirt[int(records[row].kind)];
      stats.missing_cells += records[row].missing;
      stats.lines += records[row].kind == DirtKind::kTrickyQuoted ? 2 : 1;
    }
    pipeline.Release(slot);
    OC_RETURN_IF_ERROR(written);
    stats.rows += row_count;
    stats.bytes += byte_count;
    if (options.progress) options.progress(stats.rows, stats.bytes);
    if (last) break;
  }
  return stats;
}

Result<GeneratorStats> GenerateCsvToFd(const GeneratorOptions& options, int fd) {
  return GenerateCsv(options, [fd](std::string_view bytes) -> Status {
    while (!bytes.empty()) {
      ssize_t written = ::write(fd, bytes.data(), bytes.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(std::string("gen: cannot write output: ") + std::strerror(errno) +
                               " (is the disk full or the pipe closed?)");
      }
      bytes.remove_prefix(size_t(written));
    }
    return Status::OK();
  });
}

Result<GeneratorStats> GenerateCsvToFile(const GeneratorOptions& options, const std::string& path) {
  OC_ASSIGN_OR_RETURN(auto out, OutputFile::Create(path, "the output"));
  OC_ASSIGN_OR_RETURN(GeneratorStats stats, GenerateCsv(options, [&](std::string_view bytes) {
                        return out->Write(bytes.data(), bytes.size());
                      }));
  OC_RETURN_IF_ERROR(out->Commit());  // on an error above, `out` removes its temporary
  return stats;
}

Result<uint64_t> ParseCount(std::string_view text) {
  auto fail = [&] {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a row count; write a number with an optional k/M/G suffix, e.g. 10M or 1.5k", text));
  };
  size_t number_end = 0;
  while (number_end < text.size() &&
         (std::isdigit((unsigned char)text[number_end]) || text[number_end] == '.')) {
    ++number_end;
  }
  if (number_end == 0) return fail();
  double number = 0;
  auto parsed = std::from_chars(text.data(), text.data() + number_end, number);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + number_end) return fail();
  std::string_view suffix = text.substr(number_end);
  double scale = 1;
  if (suffix.empty())
    scale = 1;
  else if (suffix == "k" || suffix == "K")
    scale = 1e3;
  else if (suffix == "m" || suffix == "M")
    scale = 1e6;
  else if (suffix == "g" || suffix == "G" || suffix == "b" || suffix == "B")
    scale = 1e9;
  else
    return fail();
  double count = number * scale;
  if (!(count < 1.8e19) || count != std::floor(count)) return fail();
  return uint64_t(count);
}

}  // namespace outcore::gen
