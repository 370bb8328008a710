// libFuzzer harness: the .oc reader — header, trailer, footer (every section),
// then every block a scan reads (column chunks, dictionaries, value and token
// indexes) — on a hostile file.
//
// Input: a whole .oc file. Mutated bytes would almost never get past the
// checksums, so the harness repairs them first, as a forger would: the footer
// checksum in the trailer, then (once the footer parses) every block's
// checksum — the column chunks' inside each chunk metadata block, rewritten in
// place, then the metadata blocks' own — and re-serializes the footer. So each mutation reaches the parser
// or decoder of what it changed. Then it opens the file, describes it, loads
// every dictionary, scans every column, and runs a `where` on each index.
// Nothing may crash, leak, or allocate more than the file can justify
// (scripts/fuzz.sh runs it with -malloc_limit_mb).
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_io.h"
#include "csv/value_parser.h"
#include "format/metadata.h"
#include "fuzz_util.h"
#include "outcore/dataset.h"
#include "outcore/dataset_info.h"

namespace {

namespace format = outcore::format;

// The file as a memory-backed descriptor: Dataset::Open takes a path, and
// /proc/self/fd/N names the file without touching a disk.
class MemoryFile {
 public:
  explicit MemoryFile(std::string_view bytes) : fd_(::memfd_create("oc_reader_fuzzer", MFD_CLOEXEC)) {
    outcore::fuzz::Check(fd_ >= 0, "memfd_create failed");
    size_t written = 0;
    while (written < bytes.size()) {
      ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
      outcore::fuzz::Check(n > 0, "writing the memory file failed");
      written += size_t(n);
    }
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

struct Trailer {
  uint64_t footer_offset = 0;
  uint64_t footer_length = 0;
};

// The footer's place, when the trailer gives one the file can hold.
bool ReadTrailer(std::string_view file, Trailer* trailer) {
  if (file.size() < format::kHeaderSize + format::kTrailerSize) return false;
  const char* at = file.data() + file.size() - format::kTrailerSize;
  trailer->footer_offset = outcore::LoadLE<uint64_t>(at);
  trailer->footer_length = outcore::LoadLE<uint64_t>(at + 8);
  const uint64_t footer_end = file.size() - format::kTrailerSize;
  return trailer->footer_offset <= footer_end &&
         trailer->footer_length == footer_end - trailer->footer_offset;
}

// Writes the trailer's footer checksum for the footer the trailer points at.
void RepairFooterChecksum(const Trailer& trailer, std::string* file) {
  const uint64_t checksum = XXH3_64bits(file->data() + trailer.footer_offset, trailer.footer_length);
  std::memcpy(file->data() + file->size() - format::kTrailerSize + 16, &checksum, 8);
}

void RepairBlockChecksum(std::string_view file, format::BlockRef* block) {
  if (block->offset > file.size() || block->stored_size > file.size() - block->offset) return;
  block->checksum = XXH3_64bits(file.data() + block->offset, block->stored_size);
}

// The file with every block checksum repaired and the footer written anew;
// `first` gets the first chunk's metadata, when it parses.
std::string RepairBlockChecksums(std::string file, const Trailer& trailer, format::FileMetadata* meta,
                                 format::ChunkMeta* first) {
  for (format::ColumnMeta& column : meta->columns) {
    if (column.has_dictionary) RepairBlockChecksum(file, &column.dictionary);
  }
  std::vector<outcore::TypeId> types;
  for (const format::ColumnMeta& column : meta->columns) types.push_back(column.type);
  for (size_t c = 0; c < meta->chunks.size(); ++c) {
    format::BlockRef& block = meta->chunks[c].metadata;
    if (block.offset > file.size() || block.stored_size > file.size() - block.offset) continue;
    format::ChunkMeta chunk;
    const std::string_view payload(file.data() + block.offset, block.stored_size);
    if (format::ParseChunkMeta(payload, *meta, c, trailer.footer_offset, &chunk).ok()) {
      for (format::ColumnChunkMeta& column : chunk.columns) RepairBlockChecksum(file, &column.block);
      outcore::Buffer rewritten;
      format::SerializeChunkMeta(chunk, types, &rewritten);
      if (rewritten.size() == block.stored_size)
        std::memcpy(file.data() + block.offset, rewritten.data(), rewritten.size());
      if (c == 0) *first = chunk;
    }
    RepairBlockChecksum(file, &block);
  }
  for (format::IndexMeta& index : meta->indexes) RepairBlockChecksum(file, &index.block);
  outcore::Buffer footer;
  format::SerializeFooter(*meta, &footer);
  std::string repaired(file.substr(0, trailer.footer_offset));
  repaired.append(reinterpret_cast<const char*>(footer.data()), footer.size());
  const uint64_t fields[3] = {trailer.footer_offset, footer.size(),
                              XXH3_64bits(footer.data(), footer.size())};
  repaired.append(reinterpret_cast<const char*>(fields), sizeof fields);
  repaired.append(format::kMagic, sizeof format::kMagic);
  return repaired;
}

// A literal of the column's type that the column may hold (its first chunk's
// minimum), so that an index lookup finds something to read.
std::string LiteralFor(const format::FileMetadata& meta, const format::ChunkMeta& first, size_t column) {
  const outcore::TypeId type = meta.columns[column].type;
  const format::ZoneMap* zone = column < first.columns.size() ? &first.columns[column].zone : nullptr;
  const bool bounded = zone != nullptr && zone->has_min_max;
  char text[outcore::kFormatBufferSize];
  switch (type) {
    case outcore::TypeId::kFloat64:
      return std::string(text, outcore::FormatFloat64(bounded ? zone->min_float : 0, text));
    case outcore::TypeId::kString: {
      std::string quoted = "'";
      for (char c : bounded ? zone->min_string : std::string("food")) {
        quoted += c;
        if (c == '\'') quoted += c;
      }
      return quoted + "'";
    }
    case outcore::TypeId::kBool:
      return bounded && zone->min_int != 0 ? "true" : "false";
    default: {
      const std::string value(text, outcore::FormatIntegerAs(type, bounded ? zone->min_int : 0, text));
      return type == outcore::TypeId::kInt64 ? value : "'" + value + "'";
    }
  }
}

// A word for `contains` from the column's first minimum, or "food".
std::string WordFor(const format::ChunkMeta& first, size_t column) {
  std::string word;
  if (column < first.columns.size() && first.columns[column].zone.has_min_max) {
    for (char c : first.columns[column].zone.min_string) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        word += c;
      } else if (!word.empty()) {
        break;
      }
    }
  }
  return word.empty() ? "food" : word;
}

std::string QuotedName(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) {
    quoted += c;
    if (c == '"') quoted += c;
  }
  return quoted + "\"";
}

// Scans with `options` to the end; an error (the file is damaged) ends it.
// Returns the error, or OK.
outcore::Status ScanAll(const std::shared_ptr<outcore::Dataset>& dataset, outcore::ScanOptions options,
                        bool count) {
  options.memory_limit = 256 << 20;
  options.threads = 1;
  OC_ASSIGN_OR_RETURN(auto scanner, outcore::Scanner::Make(dataset, options));
  if (count) return scanner->CountRows().status();
  (void)scanner->Explain();
  outcore::Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) return outcore::Status::OK();
  }
}

// Everything a reader of the file does; `input_size` is the fuzz input's.
void ReadEverything(std::string_view file, const format::FileMetadata& meta, const format::ChunkMeta& first,
                    size_t input_size) {
  auto rejected = [&](const outcore::Status& status) {
    if (!status.ok()) outcore::fuzz::Rejected(input_size, status.ToString());
  };
  MemoryFile memory_file(file);
  auto opened = outcore::Dataset::Open(memory_file.path());
  if (!opened.ok()) return rejected(opened.status());
  const std::shared_ptr<outcore::Dataset>& dataset = *opened;
  rejected(outcore::DescribeDataset(*dataset).status());
  for (size_t column = 0; column < meta.columns.size(); ++column) {
    if (meta.columns[column].has_dictionary) rejected(dataset->LoadDictionary(int(column)).status());
  }
  outcore::ScanOptions all;
  all.batch_rows = 7;  // batches cut chunks
  rejected(ScanAll(dataset, all, /*count=*/false));
  for (const format::IndexMeta& index : meta.indexes) {
    const std::string name = QuotedName(meta.columns[index.column].name);
    outcore::ScanOptions where;
    where.force_indexes = true;
    where.where = index.kind == format::kIndexKindToken
                      ? name + " contains '" + WordFor(first, index.column) + "'"
                      : name + " == " + LiteralFor(meta, first, index.column);
    rejected(ScanAll(dataset, where, /*count=*/false));
    rejected(ScanAll(dataset, where, /*count=*/true));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file(reinterpret_cast<const char*>(data), size);
  Trailer trailer;
  if (!ReadTrailer(file, &trailer)) {
    // The reader's own checks of the header and trailer, on the bytes as they are.
    MemoryFile memory_file(file);
    (void)outcore::Dataset::Open(memory_file.path());
    outcore::fuzz::Rejected(size, "no trailer that places a footer");
    return 0;
  }
  RepairFooterChecksum(trailer, &file);
  format::FileMetadata meta;
  const std::string_view footer(file.data() + trailer.footer_offset, trailer.footer_length);
  const outcore::Status parsed = format::ParseFooter(footer, trailer.footer_offset, &meta);
  if (!parsed.ok()) {
    // Header and trailer checks on the file as it is.
    MemoryFile memory_file(file);
    (void)outcore::Dataset::Open(memory_file.path());
    outcore::fuzz::Rejected(size, parsed.ToString());
    return 0;
  }
  format::ChunkMeta first;
  const std::string repaired = RepairBlockChecksums(std::move(file), trailer, &meta, &first);
  ReadEverything(repaired, meta, first, size);
  return 0;
}
