// Options the transform subcommands (stats, hash, onehot, normalize, pca)
// share: --where and --nulls, turned into a RowSelection (outcore/transform.h),
// and --memory-limit, the whole process's limit of which the engine's buffers
// get what code and libraries leave (EngineShareOfLimit), as `cat` does.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "outcore/status.h"
#include "outcore/transform.h"

namespace outcore::cli {

struct RowSelectionArgs {
  std::string where;
  bool where_given = false;
  std::string nulls;
};

// Adds --where (`where_help` says what the rows are used for) and --nulls
// (`nulls_help` lists the values the command takes; default `default_nulls`).
//   AddRowSelectionOptions(cmd, &args->rows, "fit only the rows for which this is true", "fail",
//                          "drop, mean or fail: what a null in a fitted row does");
void AddRowSelectionOptions(CLI::App* cmd, RowSelectionArgs* args, const std::string& where_help,
                            const std::string& default_nulls, const std::string& nulls_help);

// The checked selection (a blank --where or an unknown --nulls is an error).
Result<RowSelection> RowSelectionOf(const RowSelectionArgs& args);

// The engine's share of --memory-limit `text` (empty: the default limit).
Result<uint64_t> EngineMemoryLimit(const std::string& text);

}  // namespace outcore::cli
