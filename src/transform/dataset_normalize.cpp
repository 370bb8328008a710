#include "transform/dataset_normalize.h"

#include <cmath>

#include "encoding/column_encoder.h"
#include "encoding/compression.h"
#include "encoding/stats.h"
#include "format/file_reader.h"
#include "format/file_writer.h"
#include "format/metadata.h"
#include "outcore/dataset.h"
#include "scan/dataset_internal.h"
#include "transform/column_stats.h"

namespace outcore::transform {

Result<ScalerParams> NormalizeDataset(const std::string& path, const NormalizeOptions& options) {
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(path));
  if (options.columns.empty()) return Status::InvalidArgument("name the columns to normalize");
  std::vector<int> targets;
  std::vector<bool> normalized(dataset->schema().size(), false);
  for (const auto& name : options.columns) {
    int index = dataset->FindColumn(name);
    if (index < 0) return Status::InvalidArgument("no column '" + name + "' in " + path);
    TypeId type = dataset->schema()[size_t(index)].type;
    if (type != TypeId::kInt64 && type != TypeId::kFloat64) {
      return Status::InvalidArgument("column '" + name + "' of " + path + " is " + std::string(TypeName(type)) +
                                     ": only int64 and float64 columns can be normalized");
    }
    if (normalized[size_t(index)]) return Status::InvalidArgument("column '" + name + "' is named twice");
    normalized[size_t(index)] = true;
    targets.push_back(index);
  }
  if (!(options.range_min < options.range_max)) {
    return Status::InvalidArgument("the feature range must be (min, max) with min < max");
  }

  // Pass 1: statistics.
  OC_ASSIGN_OR_RETURN(auto stats, ComputeColumnStats(dataset, options.columns, options.memory_limit));
  std::vector<double> lo, hi, mean, var;
  for (const auto& s : stats) {
    lo.push_back(s.has_range ? s.min : 0.0);
    hi.push_back(s.has_range ? s.max : 0.0);
    mean.push_back(s.moments.mean);
    var.push_back(s.moments.variance());
  }
  ScalerParams params = ScalerFromStats(options.method, lo, hi, mean, var, options.range_min, options.range_max);
  std::vector<int> param_of(dataset->schema().size(), -1);
  for (size_t i = 0; i < targets.size(); ++i) param_of[size_t(targets[i])] = int(i);

  // Pass 2: the new file.
  MemoryBudget budget(options.memory_limit ? options.memory_limit : DefaultMemoryLimit());
  const std::string target = options.output.empty() ? path : options.output;
  OC_ASSIGN_OR_RETURN(auto writer, format::FileWriter::Create(target));
  format::FileMetadata metadata = DatasetMetadata(*dataset);
  const format::FileReader& reader = DatasetReader(*dataset);
  Buffer stored(&budget), payload(&budget), compressed(&budget);
  for (auto& column : metadata.columns) {
    if (!column.has_dictionary) continue;
    OC_RETURN_IF_ERROR(
        format::CopyBlock(reader, &column.dictionary, writer.get(), &stored, "dictionary of column '" + column.name + "'"));
  }
  // Indexes of untouched columns still hold; a normalized column's values changed, so its index goes.
  std::vector<format::IndexMeta> indexes;
  for (format::IndexMeta index : metadata.indexes) {
    if (param_of[index.column] >= 0) continue;
    OC_RETURN_IF_ERROR(format::CopyBlock(reader, &index.block, writer.get(), &stored,
                                         "index of column '" + metadata.columns[index.column].name + "'"));
    indexes.push_back(index);
  }
  metadata.indexes = std::move(indexes);
  ColumnVector decoded(TypeId::kFloat64, &budget), scaled(TypeId::kFloat64, &budget);
  for (size_t chunk = 0; chunk < metadata.chunks.size(); ++chunk) {
    if (options.cancel && *options.cancel) return Status::Cancelled("interrupted: " + path + " is unchanged");
    for (size_t c = 0; c < metadata.columns.size(); ++c) {
      format::ColumnChunkMeta& meta = metadata.chunks[chunk].columns[c];
      if (param_of[c] < 0) {
        OC_RETURN_IF_ERROR(
            format::CopyBlock(reader, &meta.block, writer.get(), &stored, "column '" + metadata.columns[c].name + "'"));
        continue;
      }
      OC_RETURN_IF_ERROR(dataset->ReadColumnChunk(int64_t(chunk), int(c), &decoded, &stored, &payload));
      const int64_t rows = decoded.length;
      scaled.Reset(TypeId::kFloat64);
      scaled.length = rows;
      scaled.null_count = decoded.null_count;
      if (decoded.null_count > 0) scaled.validity.Append(decoded.validity.data(), size_t(BitmapBytes(rows)));
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
      for (int64_t row = 0; row < rows; ++row) {
        if (!scaled.IsValid(row)) out.at(row, 0) = 0;  // null slots hold 0
      }
      OC_RETURN_IF_ERROR(EncodeColumn(scaled, EncodeOptions{}, &payload));
      OC_ASSIGN_OR_RETURN(Encoding encoding, PayloadEncoding(payload.view()));
      auto codec = Codec(meta.block.codec);
      std::string_view bytes = payload.view();
      if (codec != Codec::kNone) {
        Compressor compressor(codec, 3);
        OC_RETURN_IF_ERROR(compressor.Compress(payload.view(), &compressed));
        bytes = compressed.view();
      }
      OC_ASSIGN_OR_RETURN(meta.block, writer->AppendBlock(bytes, payload.size(), uint8_t(codec)));
      meta.encoding = uint8_t(encoding);
      ColumnStats zone = ComputeStats(scaled);
      meta.zone = format::ZoneMap{};
      meta.zone.null_count = uint64_t(zone.null_count);
      meta.zone.has_min_max = zone.has_min_max;
      meta.zone.min_float = zone.min_float;
      meta.zone.max_float = zone.max_float;
    }
  }
  for (int index : targets) metadata.columns[size_t(index)].type = TypeId::kFloat64;
  if (options.cancel && *options.cancel) return Status::Cancelled("interrupted: " + path + " is unchanged");
  OC_RETURN_IF_ERROR(writer->Finish(metadata));
  return params;
}

}  // namespace outcore::transform
