#include "format/file_rewriter.h"

namespace outcore::format {

Result<RewriteTarget> PrepareRewriteTarget(const std::string& source, const std::string& output,
                                           const LockWait& wait) {
  RewriteTarget target;
  if (!output.empty() && !SameFile(output, source)) {
    OC_ASSIGN_OR_RETURN(target.path, CheckOutputPath(output, "the output", {{source, "the input"}}));
    return target;
  }
  OC_ASSIGN_OR_RETURN(target.path, CheckOutputPath(source, "the file"));
  OC_ASSIGN_OR_RETURN(target.lock, FileLock::Acquire(target.path, wait));
  target.in_place = true;
  return target;
}

FileRewriter::FileRewriter(const FileReader& source, RewriteOptions options, MemoryBudget* budget)
    : source_(source), options_(std::move(options)), metadata_(source.metadata()), stored_(budget) {}

Result<std::unique_ptr<FileRewriter>> FileRewriter::Create(const FileReader& source,
                                                           const std::string& target, RewriteOptions options,
                                                           MemoryBudget* budget) {
  const size_t columns = source.metadata().columns.size();
  if (!options.replace_columns.empty() && options.replace_columns.size() != columns) {
    return Status::InvalidArgument("FileRewriter: replace_columns has " +
                                   std::to_string(options.replace_columns.size()) + " entries for " +
                                   std::to_string(columns) + " columns");
  }
  std::unique_ptr<FileRewriter> rewriter(new FileRewriter(source, std::move(options), budget));
  // A replaced column's blocks are new, exact ones: its lossy record no longer
  // describes them.
  std::erase_if(rewriter->metadata_.lossy, [&](const LossyColumnMeta& lossy) {
    return !rewriter->options_.replace_columns.empty() && rewriter->options_.replace_columns[lossy.column];
  });
  OC_ASSIGN_OR_RETURN(rewriter->writer_, FileWriter::Create(target, rewriter->options_.target_lock, budget));
  return rewriter;
}

Status FileRewriter::Copy(BlockRef* block, const std::string& what) {
  return CopyBlock(source_, block, writer_.get(), &stored_, what);
}

Status FileRewriter::CopyBlocks() {
  if (copied_) return Status::InvalidArgument("FileRewriter::CopyBlocks called twice");
  copied_ = true;
  for (ColumnMeta& column : metadata_.columns) {
    if (!column.has_dictionary) continue;
    OC_RETURN_IF_ERROR(Copy(&column.dictionary, "dictionary of column '" + column.name + "'"));
  }
  // One chunk's metadata at a time: read from the source, its blocks copied
  // or replaced, then written as the new file's chunk metadata block.
  std::vector<TypeId> types;
  for (const ColumnMeta& column : metadata_.columns) types.push_back(column.type);
  ChunkMeta chunk_meta;
  for (size_t chunk = 0; chunk < metadata_.chunks.size(); ++chunk) {
    OC_RETURN_IF_ERROR(Interrupted());
    OC_RETURN_IF_ERROR(source_.ReadChunk(chunk, &chunk_meta, &stored_));
    for (size_t column = 0; column < metadata_.columns.size(); ++column) {
      ColumnChunkMeta& meta = chunk_meta.columns[column];
      if (options_.replace_columns.empty() || !options_.replace_columns[column]) {
        OC_RETURN_IF_ERROR(Copy(&meta.block, "chunk " + std::to_string(chunk) + " of column '" +
                                                 metadata_.columns[column].name + "'"));
        continue;
      }
      OC_ASSIGN_OR_RETURN(ReplacementBlock replacement, options_.replace(chunk, column, chunk_meta));
      OC_ASSIGN_OR_RETURN(
          meta.block, writer_->AppendBlock(replacement.stored, replacement.decoded_size, replacement.codec));
      meta.encoding = replacement.encoding;
      meta.zone = std::move(replacement.zone);
    }
    OC_RETURN_IF_ERROR(writer_->AppendChunk(chunk_meta, types));
  }
  metadata_.chunks.clear();  // the writer's directory replaces the source's
  std::vector<IndexMeta> kept;
  for (IndexMeta index : metadata_.indexes) {
    if (options_.drop_index && options_.drop_index(index)) continue;
    OC_RETURN_IF_ERROR(Copy(&index.block, std::string(IndexKindName(index.kind)) + " index of column '" +
                                              metadata_.columns[index.column].name + "'"));
    kept.push_back(index);
  }
  metadata_.indexes = std::move(kept);
  stored_.Free();  // what follows (new indexes) may need the room
  return Status::OK();
}

Status FileRewriter::Finish() {
  if (!copied_) return Status::InvalidArgument("FileRewriter::Finish before CopyBlocks");
  OC_RETURN_IF_ERROR(Interrupted());
  return writer_->Finish(metadata_);
}

}  // namespace outcore::format
