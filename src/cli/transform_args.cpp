#include "cli/transform_args.h"

#include "outcore/dataset.h"
#include "outcore/memory.h"

namespace outcore::cli {

void AddRowSelectionOptions(CLI::App* cmd, RowSelectionArgs* args, const std::string& where_help,
                            const std::string& default_nulls, const std::string& nulls_help) {
  args->nulls = default_nulls;
  cmd->add_option("--where", args->where, where_help + " (doc/query.md)")->each([args](const std::string&) {
    args->where_given = true;
  });
  cmd->add_option("--nulls", args->nulls, nulls_help)->capture_default_str();
}

Result<RowSelection> RowSelectionOf(const RowSelectionArgs& args) {
  RowSelection selection;
  if (args.where_given) OC_RETURN_IF_ERROR(CheckWhere(args.where, "--where"));
  selection.where = args.where;
  OC_ASSIGN_OR_RETURN(selection.nulls, ParseNullPolicy(args.nulls, "--nulls"));
  return selection;
}

Result<uint64_t> EngineMemoryLimit(const std::string& text) {
  uint64_t limit = DefaultMemoryLimit();
  if (!text.empty()) {
    OC_ASSIGN_OR_RETURN(limit, ParseSize(text));
  }
  return EngineShareOfLimit(limit);
}

}  // namespace outcore::cli
