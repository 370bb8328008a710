// `outcore pca`: PCA over numeric columns of a .oc file, streamed in bounded
// memory — exact (sklearn PCA's numbers, one pass) by default, or with
// --incremental sklearn IncrementalPCA's algorithm and numbers; the model goes
// to a .npz, optionally the projected rows to a memmap-able .npy.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/output_file.h"
#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/transform_args.h"
#include "outcore/dataset.h"
#include "outcore/transform.h"

namespace outcore::cli {
namespace {

struct PcaArgs {
  std::string input;
  std::vector<std::string> columns;
  int64_t components = -1;
  bool whiten = false;
  bool incremental = false;
  int64_t batch_size = -1;
  std::string second_pass = "auto";
  std::string output;
  std::string transformed;
  std::string memory_limit;
  RowSelectionArgs rows;
};

Status RunPca(PcaArgs a) {
  auto start = std::chrono::steady_clock::now();
  if (a.batch_size != -1 && !a.incremental) {
    return Status::InvalidArgument(
        "--batch-size applies to --incremental only (the exact PCA has no batches)");
  }
  PcaSecondPass second_pass = PcaSecondPass::kAuto;
  if (a.second_pass == "always") {
    second_pass = PcaSecondPass::kAlways;
  } else if (a.second_pass == "never") {
    second_pass = PcaSecondPass::kNever;
  } else if (a.second_pass != "auto") {
    return Status::InvalidArgument("--second-pass takes auto, always or never, not '" + a.second_pass + "'");
  }
  if (a.incremental && a.second_pass != "auto") {
    return Status::InvalidArgument("--second-pass applies to the exact PCA, not to --incremental");
  }
  OC_ASSIGN_OR_RETURN(RowSelection rows, RowSelectionOf(a.rows));
  if (rows.nulls == NullPolicy::kKeep) {
    return Status::InvalidArgument(
        "--nulls keep does not apply to pca (its input cannot hold a null): "
        "use drop, mean or fail");
  }
  OC_ASSIGN_OR_RETURN(uint64_t limit, EngineMemoryLimit(a.memory_limit));
  MemoryBudget budget(limit);
  // Both outputs are vetted before the fit, which may take long.
  OC_RETURN_IF_ERROR(CheckOutputPath(a.output, "the model (-o)", {{a.input, "the input"}}).status());
  if (!a.transformed.empty()) {
    OC_RETURN_IF_ERROR(CheckOutputPath(a.transformed, "the projected rows (--transform)",
                                       {{a.input, "the input"}, {a.output, "the model (-o)"}})
                           .status());
  }
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(a.input));
  if (a.columns.empty()) {
    for (const auto& c : dataset->schema()) {
      if (c.type == TypeId::kInt64 || c.type == TypeId::kFloat64 || c.type == TypeId::kBool)
        a.columns.push_back(c.name);
    }
  }
  const std::atomic<bool>& interrupted = InstallInterruptFlag();
  auto fit_and_write = [&](auto& pca) -> Status {
    OC_RETURN_IF_ERROR(FitPcaOnDataset(dataset, a.columns, &pca, &budget, rows, &interrupted));
    OC_RETURN_IF_ERROR(WritePcaModelNpz(a.output, pca, a.columns));
    if (!a.transformed.empty()) {
      OC_RETURN_IF_ERROR(
          TransformDatasetToNpy(dataset, a.columns, pca, a.transformed, &budget, &interrupted, rows)
              .status());
    }
    return Status::OK();
  };
  auto report = [&](const auto& pca, int64_t samples, const std::string& how) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr,
                 "outcore pca: %s rows x %zu columns -> %lld components (%s) in %.2f s, peak RSS %s\n",
                 Thousands(uint64_t(samples)).c_str(), a.columns.size(), (long long)pca.n_components(),
                 how.c_str(), seconds, FormatSize(PeakRss()).c_str());
    double cumulative = 0;
    for (int64_t i = 0; i < pca.n_components(); ++i) {
      cumulative += pca.explained_variance_ratio()[size_t(i)];
      std::fprintf(stderr, "  component %lld: explained variance %.6g (ratio %.4f, cumulative %.4f)\n",
                   (long long)i, pca.explained_variance()[size_t(i)],
                   pca.explained_variance_ratio()[size_t(i)], cumulative);
    }
  };
  if (a.incremental) {
    IncrementalPcaModel pca({.n_components = a.components, .whiten = a.whiten, .batch_size = a.batch_size},
                            &budget);
    OC_RETURN_IF_ERROR(fit_and_write(pca));
    const int64_t batch_size = pca.EffectiveBatchSize(int64_t(a.columns.size()));
    report(pca, pca.n_samples_seen(), "incremental, batch " + std::to_string(batch_size));
  } else {
    PcaModel pca({.n_components = a.components, .whiten = a.whiten, .second_pass = second_pass}, &budget);
    OC_RETURN_IF_ERROR(fit_and_write(pca));
    report(pca, pca.n_samples(), pca.refined() ? "exact, two passes" : "exact");
  }
  return Status::OK();
}

void SetupPca(CLI::App& app) {
  auto args = std::make_shared<PcaArgs>();
  CLI::App* cmd =
      app.add_subcommand("pca", "exact PCA (sklearn PCA's numbers, out of core) of numeric columns");
  cmd->footer(
      "The exact PCA reads the rows once, merging each chunk's mean and co-moments, and gives what\n"
      "sklearn.decomposition.PCA(svd_solver=\"full\") gives on the whole matrix, in memory independent\n"
      "of the row count. When an eigenvalue is below 1e-6 of the largest, one pass knows it to few of\n"
      "its digits, and the rows are read a second time, rotated into the first pass's eigenvectors, to\n"
      "take every eigenvalue to full relative precision (--second-pass auto; always or never to choose).\n"
      "Its model .npz holds components, explained_variance, explained_variance_ratio,\n"
      "singular_values, mean, noise_variance, n_samples, n_components, whiten, columns and comoment\n"
      "(with n_samples and mean, the state that merges with another part's).\n"
      "--incremental runs sklearn IncrementalPCA's algorithm instead (its numbers, batch by batch); its\n"
      ".npz holds the same minus comoment, plus var, n_samples_seen and batch_size.\n"
      "A null in a fitted row is an error by default (--nulls fail); --nulls drop leaves rows with a\n"
      "null out, --nulls mean puts the column's mean in its place (--transform projects the same rows,\n"
      "a null as the model's mean).\n"
      "Example:\n  outcore pca sample.oc --columns x1,x2,x3 --components 2 -o model.npz --transform X.npy\n"
      "  outcore pca sample.oc --columns x1,x2,x3 -k 2 -o model.npz --incremental --batch-size 1000\n"
      "  outcore pca sample.oc --columns score,price --components 2 -o model.npz --nulls drop\n"
      "  outcore pca sample.oc --columns score,price -k 2 -o model.npz --where \"topic == 'food'\" --nulls "
      "mean\n"
      "  python -c \"import numpy as np; print(np.load('X.npy', mmap_mode='r').shape)\"\n");
  cmd->add_option("file", args->input, "the .oc file, or a folder of parts (read as one table)")->required();
  cmd->add_option("--columns", args->columns, "int64/float64/bool columns (default: all of them)")
      ->delimiter(',');
  cmd->add_option("-k,--components", args->components, "number of components (default: all)");
  cmd->add_flag("--whiten", args->whiten, "scale projected rows to unit variance");
  cmd->add_flag("--incremental", args->incremental,
                "sklearn IncrementalPCA's algorithm and numbers instead of the exact PCA");
  cmd->add_option("--second-pass", args->second_pass,
                  "auto (when an eigenvalue is below 1e-6 of the largest), always or never: read the rows "
                  "again to take small eigenvalues to full precision")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--batch-size", args->batch_size,
                  "with --incremental: rows per SVD update (default: 5 x columns)");
  cmd->add_option("-o,--output", args->output, "the model .npz to write")->required();
  cmd->add_option("--transform", args->transformed, "also write the projected rows to this .npy");
  cmd->add_option("--memory-limit", args->memory_limit, "memory budget of the whole process, e.g. 512MiB");
  AddRowSelectionOptions(cmd, &args->rows,
                         "fit (and --transform) only the rows for which this predicate is true", "fail",
                         "drop, mean or fail: what a null in a fitted row does");
  cmd->callback([args] {
    Status status = RunPca(*args);
    if (!status.ok()) ReportError("pca", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(51, outcore::cli::SetupPca);
