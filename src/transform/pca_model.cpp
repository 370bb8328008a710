// The public PCAs (include/outcore/transform.h): PcaModel keeps a
// transform::Pca and IncrementalPcaModel a transform::IncrementalPca behind
// its Rep; fitting on a data set, projecting one into a .npy and writing the
// model .npz are the streaming routines of dataset_pca.h and the NpzWriter,
// run for the caller.
#include <atomic>

#include "base/output_file.h"
#include "outcore/transform.h"
#include "transform/dataset_pca.h"
#include "transform/incremental_pca.h"
#include "transform/npz_writer.h"
#include "transform/pca.h"

namespace outcore {

struct PcaModel::Rep {
  Rep(PcaOptions o, MemoryBudget* budget) : pca(o, budget) {}
  transform::Pca pca;
};

PcaModel::PcaModel(PcaOptions options, MemoryBudget* budget) : rep_(std::make_unique<Rep>(options, budget)) {}
PcaModel::PcaModel(PcaModel&&) noexcept = default;
PcaModel& PcaModel::operator=(PcaModel&&) noexcept = default;
PcaModel::~PcaModel() = default;

Status PcaModel::Update(const double* x, int64_t rows, int64_t cols, int64_t row_stride) {
  return rep_->pca.Update(x, rows, cols, row_stride);
}
Status PcaModel::Merge(const PcaMoments& other) { return rep_->pca.Merge(other); }
Status PcaModel::Restore(const PcaMoments& moments) { return rep_->pca.Restore(moments); }
Status PcaModel::Finish() { return rep_->pca.Finish(); }
Status PcaModel::Fit(const double* x, int64_t rows, int64_t cols, int64_t row_stride) {
  return rep_->pca.Fit(x, rows, cols, row_stride);
}
void PcaModel::Reset() { rep_->pca.Reset(); }
bool PcaModel::wants_second_pass() const { return rep_->pca.wants_second_pass(); }
Status PcaModel::BeginSecondPass() { return rep_->pca.BeginSecondPass(); }
bool PcaModel::refined() const { return rep_->pca.refined(); }
PcaRefinement PcaModel::refinement() const { return rep_->pca.refinement(); }
Status PcaModel::RestoreRefinement(const PcaRefinement& refinement) {
  return rep_->pca.RestoreRefinement(refinement);
}
Status PcaModel::Transform(const double* x, int64_t rows, int64_t cols, double* out,
                           int64_t row_stride) const {
  return rep_->pca.Transform(x, rows, cols, out, row_stride);
}
Status PcaModel::InverseTransform(const double* y, int64_t rows, double* out) const {
  return rep_->pca.InverseTransform(y, rows, out);
}
bool PcaModel::fitted() const { return rep_->pca.fitted(); }
const PcaOptions& PcaModel::options() const { return rep_->pca.options(); }
int64_t PcaModel::n_components() const { return rep_->pca.n_components(); }
int64_t PcaModel::n_features() const { return rep_->pca.n_features(); }
int64_t PcaModel::n_samples() const { return rep_->pca.n_samples(); }
PcaMoments PcaModel::moments() const { return rep_->pca.moments(); }
const std::vector<double>& PcaModel::components() const { return rep_->pca.components(); }
const std::vector<double>& PcaModel::explained_variance() const { return rep_->pca.explained_variance(); }
const std::vector<double>& PcaModel::explained_variance_ratio() const {
  return rep_->pca.explained_variance_ratio();
}
const std::vector<double>& PcaModel::singular_values() const { return rep_->pca.singular_values(); }
const std::vector<double>& PcaModel::mean() const { return rep_->pca.mean(); }
double PcaModel::noise_variance() const { return rep_->pca.noise_variance(); }

Status FitPcaOnDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                       PcaModel* model, MemoryBudget* budget, const RowSelection& rows,
                       const std::atomic<bool>* cancel) {
  Status status = transform::FitDataset(dataset, columns, rows, &model->rep_->pca, budget, 64 * 1024, cancel);
  if (!status.ok()) model->Reset();  // not a model of part of the rows
  return status;
}

Status TransformDatasetRows(const std::shared_ptr<const Dataset>& dataset,
                            const std::vector<std::string>& columns, const PcaModel& model,
                            const RowSelection& rows, MemoryBudget* budget,
                            const std::function<Status(const double* values, int64_t count)>& sink) {
  if (!model.fitted()) return Status::InvalidArgument("the PCA model is not fitted yet");
  return transform::TransformDataset(dataset, columns, rows, model.rep_->pca, budget, sink);
}

struct IncrementalPcaModel::Rep {
  Rep(IncrementalPcaOptions o, MemoryBudget* budget)
      : options(o),
        pca({.n_components = o.n_components, .whiten = o.whiten, .batch_size = o.batch_size}, budget) {}
  IncrementalPcaOptions options;
  transform::IncrementalPca pca;
};

IncrementalPcaModel::IncrementalPcaModel(IncrementalPcaOptions options, MemoryBudget* budget)
    : rep_(std::make_unique<Rep>(options, budget)) {}
IncrementalPcaModel::IncrementalPcaModel(IncrementalPcaModel&&) noexcept = default;
IncrementalPcaModel& IncrementalPcaModel::operator=(IncrementalPcaModel&&) noexcept = default;
IncrementalPcaModel::~IncrementalPcaModel() = default;

Status IncrementalPcaModel::PartialFit(const double* x, int64_t rows, int64_t cols, int64_t row_stride) {
  return rep_->pca.PartialFit(x, rows, cols, row_stride);
}
Status IncrementalPcaModel::Fit(const double* x, int64_t rows, int64_t cols, int64_t row_stride) {
  return rep_->pca.Fit(x, rows, cols, row_stride);
}
int64_t IncrementalPcaModel::EffectiveBatchSize(int64_t cols) const {
  return rep_->pca.EffectiveBatchSize(cols);
}
void IncrementalPcaModel::Reset() { rep_->pca.Reset(); }

Status IncrementalPcaModel::Transform(const double* x, int64_t rows, int64_t cols, double* out,
                                      int64_t row_stride) const {
  return rep_->pca.Transform(x, rows, cols, out, row_stride);
}
Status IncrementalPcaModel::InverseTransform(const double* y, int64_t rows, double* out) const {
  return rep_->pca.InverseTransform(y, rows, out);
}

bool IncrementalPcaModel::fitted() const { return rep_->pca.fitted(); }
const IncrementalPcaOptions& IncrementalPcaModel::options() const { return rep_->options; }
int64_t IncrementalPcaModel::n_components() const { return rep_->pca.n_components(); }
int64_t IncrementalPcaModel::n_features() const { return rep_->pca.n_features(); }
int64_t IncrementalPcaModel::n_samples_seen() const { return rep_->pca.n_samples_seen(); }
const std::vector<double>& IncrementalPcaModel::components() const { return rep_->pca.components(); }
const std::vector<double>& IncrementalPcaModel::singular_values() const {
  return rep_->pca.singular_values();
}
const std::vector<double>& IncrementalPcaModel::mean() const { return rep_->pca.mean(); }
const std::vector<double>& IncrementalPcaModel::var() const { return rep_->pca.var(); }
const std::vector<double>& IncrementalPcaModel::explained_variance() const {
  return rep_->pca.explained_variance();
}
const std::vector<double>& IncrementalPcaModel::explained_variance_ratio() const {
  return rep_->pca.explained_variance_ratio();
}
double IncrementalPcaModel::noise_variance() const { return rep_->pca.noise_variance(); }

Status IncrementalPcaModel::Restore(int64_t n_components, int64_t n_features, int64_t n_samples_seen,
                                    std::vector<double> components, std::vector<double> singular_values,
                                    std::vector<double> mean, std::vector<double> var,
                                    std::vector<double> explained_variance,
                                    std::vector<double> explained_variance_ratio, double noise_variance) {
  return rep_->pca.Restore(n_components, n_features, n_samples_seen, std::move(components),
                           std::move(singular_values), std::move(mean), std::move(var),
                           std::move(explained_variance), std::move(explained_variance_ratio),
                           noise_variance);
}

Status FitPcaOnDataset(const std::shared_ptr<const Dataset>& dataset, const std::vector<std::string>& columns,
                       IncrementalPcaModel* model, MemoryBudget* budget, const RowSelection& rows,
                       const std::atomic<bool>* cancel) {
  Status status = transform::FitDataset(dataset, columns, rows, &model->rep_->pca, budget, 64 * 1024, cancel);
  if (status.code() == StatusCode::kCancelled) model->Reset();  // not a model of part of the rows
  return status;
}

Status TransformDatasetRows(const std::shared_ptr<const Dataset>& dataset,
                            const std::vector<std::string>& columns, const IncrementalPcaModel& model,
                            const RowSelection& rows, MemoryBudget* budget,
                            const std::function<Status(const double* values, int64_t count)>& sink) {
  if (!model.fitted()) return Status::InvalidArgument("the PCA model is not fitted yet");
  return transform::TransformDataset(dataset, columns, rows, model.rep_->pca, budget, sink);
}

namespace {

Status WriteVector(transform::NpzWriter* npz, const std::string& name, const std::vector<double>& v) {
  return npz->WriteArray(name, "<f8", {int64_t(v.size())}, v.data(), v.size() * sizeof(double));
}

}  // namespace

Status WritePcaModelNpz(const std::string& path, const PcaModel& model,
                        const std::vector<std::string>& columns) {
  if (!model.fitted()) return Status::InvalidArgument("the PCA model is not fitted yet");
  OC_ASSIGN_OR_RETURN(auto npz, transform::NpzWriter::Create(path));
  const int64_t k = model.n_components(), f = model.n_features();
  OC_RETURN_IF_ERROR(
      npz->WriteArray("components", "<f8", {k, f}, model.components().data(), size_t(k * f) * 8));
  OC_RETURN_IF_ERROR(WriteVector(npz.get(), "explained_variance", model.explained_variance()));
  OC_RETURN_IF_ERROR(WriteVector(npz.get(), "explained_variance_ratio", model.explained_variance_ratio()));
  OC_RETURN_IF_ERROR(WriteVector(npz.get(), "singular_values", model.singular_values()));
  OC_RETURN_IF_ERROR(WriteVector(npz.get(), "mean", model.mean()));
  double noise = model.noise_variance();
  OC_RETURN_IF_ERROR(npz->WriteArray("noise_variance", "<f8", {}, &noise, 8));
  int64_t scalars[2] = {model.n_samples(), k};
  OC_RETURN_IF_ERROR(npz->WriteArray("n_samples", "<i8", {}, &scalars[0], 8));
  OC_RETURN_IF_ERROR(npz->WriteArray("n_components", "<i8", {}, &scalars[1], 8));
  uint8_t whiten = model.options().whiten;
  OC_RETURN_IF_ERROR(npz->WriteArray("whiten", "|b1", {}, &whiten, 1));
  OC_RETURN_IF_ERROR(transform::WriteBytesArray(npz.get(), "columns", columns));  // dtype S<n>
  const PcaMoments moments = model.moments();
  OC_RETURN_IF_ERROR(npz->WriteArray("comoment", "<f8", {f, f}, moments.comoment.data(), size_t(f * f) * 8));
  return npz->Finish();
}

Status WritePcaModelNpz(const std::string& path, const IncrementalPcaModel& model,
                        const std::vector<std::string>& columns) {
  OC_ASSIGN_OR_RETURN(auto npz, transform::NpzWriter::Create(path));
  const int64_t k = model.n_components(), f = model.n_features();
  const int64_t batch_size = model.EffectiveBatchSize(int64_t(columns.size()));
  OC_RETURN_IF_ERROR(
      npz->WriteArray("components", "<f8", {k, f}, model.components().data(), size_t(k * f) * 8));
  OC_RETURN_IF_ERROR(WriteVector(npz.get(), "explained_variance", model.explained_variance()));
  OC_RETURN_IF_ERROR(WriteVector(npz.get(), "explained_variance_ratio", model.explained_variance_ratio()));
  OC_RETURN_IF_ERROR(WriteVector(npz.get(), "singular_values", model.singular_values()));
  OC_RETURN_IF_ERROR(WriteVector(npz.get(), "mean", model.mean()));
  OC_RETURN_IF_ERROR(WriteVector(npz.get(), "var", model.var()));
  double noise = model.noise_variance();
  OC_RETURN_IF_ERROR(npz->WriteArray("noise_variance", "<f8", {}, &noise, 8));
  int64_t scalars[3] = {model.n_samples_seen(), k, batch_size};
  OC_RETURN_IF_ERROR(npz->WriteArray("n_samples_seen", "<i8", {}, &scalars[0], 8));
  OC_RETURN_IF_ERROR(npz->WriteArray("n_components", "<i8", {}, &scalars[1], 8));
  OC_RETURN_IF_ERROR(npz->WriteArray("batch_size", "<i8", {}, &scalars[2], 8));
  uint8_t whiten = model.options().whiten;
  OC_RETURN_IF_ERROR(npz->WriteArray("whiten", "|b1", {}, &whiten, 1));
  OC_RETURN_IF_ERROR(transform::WriteBytesArray(npz.get(), "columns", columns));  // dtype S<n>
  return npz->Finish();
}

namespace {

// TransformDatasetRows into a .npy, for either model.
template <typename Model>
Result<int64_t> ProjectToNpy(const std::shared_ptr<const Dataset>& dataset,
                             const std::vector<std::string>& columns, const Model& model,
                             const std::string& path, MemoryBudget* budget, const std::atomic<bool>* cancel,
                             const RowSelection& selection) {
  OC_RETURN_IF_ERROR(CheckOutputPath(path, "the output", {{dataset->path(), "the input"}}).status());
  OC_ASSIGN_OR_RETURN(auto npy, transform::NpzWriter::Create(path, /*single_npy=*/true));
  OC_RETURN_IF_ERROR(npy->BeginArray("transformed", "<f8"));
  const int64_t k = model.n_components();
  int64_t rows = 0;
  OC_RETURN_IF_ERROR(TransformDatasetRows(dataset, columns, model, selection, budget,
                                          [&](const double* values, int64_t count) -> Status {
                                            if (cancel && *cancel) return Status::Cancelled("interrupted");
                                            rows += count;
                                            return npy->Append(values, size_t(count * k) * 8);
                                          }));
  OC_RETURN_IF_ERROR(npy->EndArray({rows, k}));
  OC_RETURN_IF_ERROR(npy->Finish());
  return rows;
}

}  // namespace

Result<int64_t> TransformDatasetToNpy(const std::shared_ptr<const Dataset>& dataset,
                                      const std::vector<std::string>& columns,
                                      const IncrementalPcaModel& model, const std::string& path,
                                      MemoryBudget* budget, const std::atomic<bool>* cancel,
                                      const RowSelection& selection) {
  return ProjectToNpy(dataset, columns, model, path, budget, cancel, selection);
}

Result<int64_t> TransformDatasetToNpy(const std::shared_ptr<const Dataset>& dataset,
                                      const std::vector<std::string>& columns, const PcaModel& model,
                                      const std::string& path, MemoryBudget* budget,
                                      const std::atomic<bool>* cancel, const RowSelection& selection) {
  return ProjectToNpy(dataset, columns, model, path, budget, cancel, selection);
}

}  // namespace outcore
