// Rewrites a .oc file atomically, for the commands that change part of a file
// and keep the rest (`outcore index`, `outcore normalize`): every block of the
// source is copied byte for byte into a temporary beside the target, its
// checksum verified on the way (a corrupt source is never laundered into a
// valid-looking file), or replaced by a block the caller makes; then new
// blocks may follow, and Finish() writes the footer, fsyncs and renames the
// temporary over the target. The target may be the source's own path. Until
// Finish succeeds the target is untouched, and a rewriter destroyed before it
// (error, Ctrl-C) removes its temporary.
//
// Block order in the new file: dictionaries, then chunk by chunk (columns in
// schema order, then the chunk's metadata block), then the source's indexes
// that are kept, then what the caller appends through writer(). One chunk's
// metadata is held at a time.
//
// Thread-safety: one thread at a time.
//
//   RewriteOptions options;
//   options.drop_index = [&](const IndexMeta& index) { return index.column == changed; };
//   OC_ASSIGN_OR_RETURN(auto rewriter, FileRewriter::Create(reader, "sample.oc", std::move(options),
//   &budget)); OC_RETURN_IF_ERROR(rewriter->CopyBlocks()); OC_ASSIGN_OR_RETURN(BlockRef ref,
//   rewriter->writer()->AppendBlock(index_bytes, decoded_size, kCodecZstd));
//   rewriter->metadata().indexes.push_back(...);
//   OC_RETURN_IF_ERROR(rewriter->Finish());
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/file_reader.h"
#include "format/file_writer.h"
#include "format/metadata.h"

namespace outcore::format {

// A column chunk's block written anew instead of copied, and what the footer
// says of it.
struct ReplacementBlock {
  std::string_view stored;    // the caller's bytes; read before the next call
  uint64_t decoded_size = 0;  // bytes after decompression
  uint8_t codec = kCodecNone;
  uint8_t encoding = 0;  // the payload's encoding id
  ZoneMap zone;
};

struct RewriteOptions {
  // Per schema column: true when its chunk blocks are replaced through
  // `replace` rather than copied. Empty: every block is copied.
  std::vector<bool> replace_columns;
  // Called for each replaced column chunk, in file order, with the source's
  // metadata of that chunk (its entry for `column` still the source's).
  std::function<Result<ReplacementBlock>(size_t chunk, size_t column, const ChunkMeta& source_chunk)> replace;
  // True for a source index to leave out (its column changed, or the caller
  // writes a new one). Unset: every index is kept.
  std::function<bool(const IndexMeta&)> drop_index;
  // Asked before each chunk and before the footer; a non-OK status stops the
  // rewrite with it, and the target stays as it was.
  std::function<Status()> interrupted;
  // The caller's lock on the target (FileLock::Acquire before the source was
  // opened, for an in-place rewrite), so that the commit does not wait for it.
  const FileLock* target_lock = nullptr;
};

// Where a rewrite of the file `source` goes. In place (`output` empty, or the
// same file as `source`) it is the source's real path (a symlink is followed)
// and `lock` holds the source's flock — taken before the caller opens the
// source, held until the new file is in place, so a second in-place writer
// waits for the first instead of losing its update. Otherwise `output` is
// checked (CheckOutputPath) and nothing is locked until the commit.
struct RewriteTarget {
  std::string path;
  FileLock lock;
  bool in_place = false;
};
Result<RewriteTarget> PrepareRewriteTarget(const std::string& source, const std::string& output,
                                           const LockWait& wait);

class FileRewriter {
 public:
  // Starts rewriting `source`'s file into `target` (a temporary beside it for
  // now). The copy buffer is charged to `budget` (null: uncharged).
  // REQUIRES: `source` outlives the rewriter.
  static Result<std::unique_ptr<FileRewriter>> Create(const FileReader& source, const std::string& target,
                                                      RewriteOptions options, MemoryBudget* budget);
  FileRewriter(const FileRewriter&) = delete;
  FileRewriter& operator=(const FileRewriter&) = delete;

  // Copies or replaces every block of the source, in the order above. Call once.
  Status CopyBlocks();

  // The new file's footer: the source's, its block references pointing at the
  // copies once CopyBlocks returned (its chunk directory is then the
  // writer's, and `chunks` empty). Callers may add indexes; a column whose
  // type changes (its chunks replaced) must change before CopyBlocks, which
  // writes the zone maps by the new types.
  FileMetadata& metadata() { return metadata_; }
  // For blocks appended after the copies (new indexes).
  FileWriter* writer() { return writer_.get(); }

  // Asks `interrupted` once more, then footer, fsync, rename over the target.
  Status Finish();

 private:
  FileRewriter(const FileReader& source, RewriteOptions options, MemoryBudget* budget);
  Status Copy(BlockRef* block, const std::string& what);
  Status Interrupted() const { return options_.interrupted ? options_.interrupted() : Status::OK(); }

  const FileReader& source_;
  RewriteOptions options_;
  std::unique_ptr<FileWriter> writer_;
  FileMetadata metadata_;
  Buffer stored_;
  bool copied_ = false;
};

}  // namespace outcore::format
