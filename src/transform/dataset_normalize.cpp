#include "transform/dataset_normalize.h"

#include <sys/stat.h>

#include <cmath>

#include "encoding/column_encoder.h"
#include "encoding/compression.h"
#include "encoding/stats.h"
#include "format/file_rewriter.h"
#include "format/zone_map.h"
#include "outcore/dataset.h"
#include "scan/dataset_internal.h"
#include "transform/column_stats.h"
#include "transform/row_selection.h"

namespace outcore::transform {

Result<ScalerParams> NormalizeDataset(const std::string& path, const NormalizeOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(
        path + " is a folder of parts; normalize rewrites one .oc file in place " +
        "(fit the scaler over the folder with `outcore stats`, or normalize each " + "part file)");
  }
  // Locked before the first read, in place: see PrepareRewriteTarget.
  OC_ASSIGN_OR_RETURN(format::RewriteTarget target,
                      format::PrepareRewriteTarget(path, options.output,
                                                   {!options.no_wait, options.cancel, options.lock_waiting}));
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(path));
  if (options.columns.empty()) return Status::InvalidArgument("name the columns to normalize");
  std::vector<int> targets;
  std::vector<bool> normalized(dataset->schema().size(), false);
  for (const auto& name : options.columns) {
    int index = dataset->FindColumn(name);
    if (index < 0) return Status::InvalidArgument("no column '" + name + "' in " + path);
    TypeId type = dataset->schema()[size_t(index)].type;
    if (type != TypeId::kInt64 && type != TypeId::kFloat64) {
      return Status::InvalidArgument("column '" + name + "' of " + path + " is " +
                                     std::string(TypeName(type)) +
                                     ": only int64 and float64 columns can be normalized");
    }
    if (normalized[size_t(index)]) return Status::InvalidArgument("column '" + name + "' is named twice");
    normalized[size_t(index)] = true;
    targets.push_back(index);
  }
  const RowSelection& selection = options.selection;
  if (!WholeFile(selection)) {
    return Status::InvalidArgument("normalize rewrites every chunk of " + path + ", not a partition of it");
  }
  if (selection.nulls == NullPolicy::kDrop) {
    return Status::InvalidArgument(
        std::string("normalize rewrites every row of the file, so it cannot drop rows with a null: ") +
        (selection.python_names ? "nulls=\"keep\"" : "--nulls keep") + " leaves them null, " +
        (selection.python_names ? "nulls=\"mean\"" : "--nulls mean") +
        " puts the column's mean in their place");
  }
  if (!(options.range_min < options.range_max)) {
    return Status::InvalidArgument("the feature range must be (min, max) with min < max");
  }

  // Pass 1: statistics.
  OC_ASSIGN_OR_RETURN(auto stats,
                      transform::ComputeColumnStats(dataset, options.columns, options.memory_limit,
                                                    options.cancel, selection));
  std::vector<double> lo, hi, mean, var;
  for (const auto& s : stats) {
    lo.push_back(s.has_range ? s.min : 0.0);
    hi.push_back(s.has_range ? s.max : 0.0);
    mean.push_back(s.moments.mean);
    var.push_back(s.moments.variance());
  }
  ScalerParams params =
      ScalerFromStats(options.method, lo, hi, mean, var, options.range_min, options.range_max);
  std::vector<int> param_of(dataset->schema().size(), -1);
  for (size_t i = 0; i < targets.size(); ++i) param_of[size_t(targets[i])] = int(i);
  // kMean: a null becomes the column's mean, scaled like every value.
  std::vector<double> scaled_mean(targets.size(), 0.0);
  for (size_t i = 0; i < targets.size(); ++i) {
    ScalerParams one = params;
    one.scale = {params.scale[i]};
    one.offset = {params.offset[i]};
    double value = mean[i];
    ApplyScaler(one, MatrixView<double>{&value, 1, 1, 1, 1}, MatrixView<double>{&scaled_mean[i], 1, 1, 1, 1});
  }
  const bool impute = selection.nulls == NullPolicy::kMean;

  // Pass 2: the new file. Untouched columns' blocks are copied; a normalized
  // column's values change, so its chunks are written anew and its index goes.
  MemoryBudget budget(options.memory_limit ? options.memory_limit : DefaultMemoryLimit());
  const format::FileMetadata& source = DatasetMetadata(*dataset);
  // One compressor for the whole rewrite, with the file's codec. The footer
  // records each block's codec but not the level it was compressed at, so the
  // level is ingest's default.
  Codec file_codec = Codec::kNone;
  if (!source.chunks.empty()) {
    format::ChunkMeta first;
    Buffer scratch(&budget);
    OC_RETURN_IF_ERROR(DatasetReader(*dataset).ReadChunk(0, &first, &scratch));
    if (!first.columns.empty()) file_codec = Codec(first.columns[0].block.codec);
  }
  Compressor compressor(file_codec, kDefaultCompressionLevel);
  Buffer stored(&budget), payload(&budget), compressed(&budget);
  ColumnVector decoded(TypeId::kFloat64, &budget), scaled(TypeId::kFloat64, &budget);
  auto normalize_chunk = [&](size_t chunk, size_t c,
                             const format::ChunkMeta& source_chunk) -> Result<format::ReplacementBlock> {
    OC_RETURN_IF_ERROR(
        ReadColumnChunk(*dataset, source_chunk, int64_t(chunk), int(c), &decoded, &stored, &payload));
    const int64_t rows = decoded.length;
    scaled.Reset(TypeId::kFloat64);
    scaled.length = rows;
    scaled.null_count = impute ? 0 : decoded.null_count;
    if (scaled.null_count > 0) scaled.validity.Append(decoded.validity.data(), size_t(BitmapBytes(rows)));
    scaled.values.Resize(size_t(rows) * sizeof(double));
    MatrixView<double> out{scaled.values.as<double>(), rows, 1, 1, 1};
    ScalerParams one = params;  // the column's parameters as a one-column scaler
    const auto p = size_t(param_of[c]);
    one.scale = {params.scale[p]};
    one.offset = {params.offset[p]};
    if (decoded.type == TypeId::kInt64) {
      ApplyScaler(one, MatrixView<int64_t>{decoded.values.as<int64_t>(), rows, 1, 1, 1}, out);
    } else {
      ApplyScaler(one, MatrixView<double>{decoded.values.as<double>(), rows, 1, 1, 1}, out);
    }
    if (decoded.null_count > 0) {
      const double null_value = impute ? scaled_mean[p] : 0.0;  // null slots hold 0
      for (int64_t row = 0; row < rows; ++row) {
        if (!decoded.IsValid(row)) out.at(row, 0) = null_value;
      }
    }
    OC_RETURN_IF_ERROR(EncodeColumn(scaled, EncodeOptions{}, &payload));
    format::ReplacementBlock block;
    OC_ASSIGN_OR_RETURN(Encoding encoding, PayloadEncoding(payload.view()));
    block.encoding = uint8_t(encoding);
    block.decoded_size = payload.size();
    block.stored = payload.view();
    if (Codec(source_chunk.columns[c].block.codec) != Codec::kNone && compressor.codec() != Codec::kNone) {
      OC_RETURN_IF_ERROR(compressor.Compress(payload.view(), &compressed));
      block.stored = compressed.view();
      block.codec = uint8_t(compressor.codec());
    }
    block.zone = format::ZoneMapFromStats(ComputeStats(scaled));
    return block;
  };
  format::RewriteOptions rewrite;
  for (size_t c = 0; c < param_of.size(); ++c) rewrite.replace_columns.push_back(param_of[c] >= 0);
  rewrite.replace = normalize_chunk;
  rewrite.drop_index = [&](const format::IndexMeta& index) { return param_of[index.column] >= 0; };
  rewrite.interrupted = [&] {
    if (options.cancel && *options.cancel) return Status::Cancelled("interrupted: " + path + " is unchanged");
    return Status::OK();
  };
  rewrite.target_lock = &target.lock;
  OC_ASSIGN_OR_RETURN(auto rewriter, format::FileRewriter::Create(DatasetReader(*dataset), target.path,
                                                                  std::move(rewrite), &budget));
  // Before the copy: each chunk's zone maps are written by the new types.
  for (int index : targets) rewriter->metadata().columns[size_t(index)].type = TypeId::kFloat64;
  OC_RETURN_IF_ERROR(rewriter->CopyBlocks());
  OC_RETURN_IF_ERROR(rewriter->Finish());
  return params;
}

}  // namespace outcore::transform
