// Writing data sets of parts (include/outcore/parts.h): one part per input,
// registering parts, indexing every part — each ending in one atomic
// rewrite of the manifest, with the parts it wrote removed on failure.
#include "outcore/parts.h"

#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "base/output_file.h"
#include "base/reject_reason.h"
#include "format/file_reader.h"
#include "format/manifest.h"

namespace outcore {

namespace {

namespace fs = std::filesystem;

std::string Join(const std::string& folder, const std::string& file) {
  return (fs::path(folder) / file).string();
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// The files one update of a folder has written so far: removed unless the
// manifest that names them was committed.
class NewFiles {
 public:
  ~NewFiles() {
    if (!committed_) RemoveNow();
  }
  void Add(std::string path) { paths_.push_back(std::move(path)); }
  void RemoveNow() {
    for (const std::string& path : paths_) ::unlink(path.c_str());
    paths_.clear();
  }
  void Commit() { committed_ = true; }

 private:
  std::vector<std::string> paths_;
  bool committed_ = false;
};

// The folder's manifest, or an empty one (no parts, no schema) when it has none.
Result<format::Manifest> ManifestOrEmpty(const std::string& folder, bool* existed) {
  *existed = Exists(format::ManifestPath(folder));
  if (!*existed) return format::Manifest();
  return format::ReadManifest(folder);
}

// "part-00007.oc": the first number from `from` whose name is neither a part
// nor a file in the folder.
std::string NextPartName(const std::string& folder, const format::Manifest& manifest, size_t* from) {
  for (;; ++*from) {
    char name[32];
    std::snprintf(name, sizeof name, "part-%05zu.oc", *from);
    const bool named = std::any_of(manifest.parts.begin(), manifest.parts.end(),
                                   [&](const format::ManifestPart& part) { return part.file == name; });
    if (!named && !Exists(Join(folder, name))) return name;
  }
}

// rejects.csv -> rejects.part-00003.csv (the part's name without ".oc").
std::string PartRejectPath(const std::string& reject, const std::string& part) {
  const std::string stem = part.substr(0, part.size() - 3);
  const fs::path path(reject);
  const std::string ext = path.extension().string();
  return (path.parent_path() / (path.stem().string() + "." + stem + ext)).string();
}

// Opens `path`, checks it against `manifest` (or gives an empty manifest its
// schema) and appends its entry.
Status AddPartEntry(const std::string& path, const std::string& file, format::Manifest* manifest) {
  OC_ASSIGN_OR_RETURN(auto reader, format::FileReader::Open(path));
  if (manifest->schema.empty()) manifest->schema = format::ManifestSchemaOf(reader->metadata());
  OC_RETURN_IF_ERROR(format::CheckPartSchema(*manifest, reader->metadata(), path));
  OC_ASSIGN_OR_RETURN(format::ManifestPart entry, format::DescribePart(*reader, file));
  manifest->parts.push_back(std::move(entry));
  return Status::OK();
}

// The report of one part folded into the total (PartsIngestReport::total).
void AddReport(const IngestReport& part, const std::string& part_name, IngestReport* total, bool first) {
  if (first) {
    *total = part;
    if (!total->reject_warning.empty()) total->reject_warning = part_name + ": " + total->reject_warning;
    return;
  }
  total->rows_read += part.rows_read;
  total->rows_kept += part.rows_kept;
  total->rows_rejected += part.rows_rejected;
  AddRejectCounts(part.rejected_by_reason, &total->rejected_by_reason);
  total->rejects_by_column.insert(total->rejects_by_column.end(), part.rejects_by_column.begin(),
                                  part.rejects_by_column.end());
  std::stable_sort(total->rejects_by_column.begin(), total->rejects_by_column.end(),
                   [](const IngestRejectGroup& a, const IngestRejectGroup& b) { return a.count > b.count; });
  if (!part.reject_warning.empty()) total->reject_warning += part_name + ": " + part.reject_warning;
  total->input_bytes += part.input_bytes;
  total->output_bytes += part.output_bytes;
  total->chunks += part.chunks;
  total->seconds += part.seconds;
  total->peak_rss = std::max(total->peak_rss, part.peak_rss);
  total->budget_peak = std::max(total->budget_peak, part.budget_peak);
  total->lines_skipped += part.lines_skipped;
  total->comment_lines += part.comment_lines;
  total->rows_padded += part.rows_padded;
  for (size_t column = 0; column < total->columns.size() && column < part.columns.size(); ++column) {
    IngestColumnReport& c = total->columns[column];
    const IngestColumnReport& have = part.columns[column];
    c.stored_bytes += have.stored_bytes;
    c.null_count += have.null_count;
    c.sample_mismatches += have.sample_mismatches;
    if (c.encodings.find(have.encodings) == std::string::npos) c.encodings += "+" + have.encodings;
  }
  for (size_t index = 0; index < total->indexes.size() && index < part.indexes.size(); ++index) {
    IngestIndexReport& i = total->indexes[index];
    i.built = i.built && part.indexes[index].built;
    i.keys += part.indexes[index].keys;
    i.stored_bytes += part.indexes[index].stored_bytes;
    if (i.note.empty()) i.note = part.indexes[index].note;
  }
}

// The inputs with each shell pattern ('logs/*.csv.gz', quoted so the shell
// left it) replaced by the files it matches, in name order. A name that is a
// file stays as it is; a pattern that matches nothing is an error.
Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const std::string& input : inputs) {
    if (input.find_first_of("*?[") == std::string::npos || Exists(input)) {
      out.push_back(input);
      continue;
    }
    glob_t matches{};
    const int result = ::glob(input.c_str(), 0, nullptr, &matches);
    if (result == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) out.emplace_back(matches.gl_pathv[i]);
    }
    ::globfree(&matches);
    if (result != 0) return Status::IOError("no file matches the input pattern '" + input + "'");
  }
  return out;
}

// Makes `folder` when missing (its parent must exist); refuses a path that is not a folder.
Status PrepareFolder(const std::string& folder) {
  struct stat st {};
  if (::stat(folder.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return Status::InvalidArgument("the output " + folder + " is a file; a data set of parts is a folder " +
                                     "(name a new folder, e.g. logs.ocd/)");
    return Status::OK();
  }
  if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST)
    return Status::IOError("cannot create the folder " + folder + ": " + std::strerror(errno));
  return Status::OK();
}

}  // namespace

bool IsPartsFolder(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status IngestParts(const IngestOptions& options, bool append, PartsIngestReport* report) {
  *report = PartsIngestReport();
  const std::string& folder = options.output;
  if (folder.empty()) return Status::InvalidArgument("name the output folder (-o logs.ocd/)");
  if (options.inputs.empty()) return Status::InvalidArgument("name the input files");
  OC_ASSIGN_OR_RETURN(const std::vector<std::string> inputs, ExpandInputs(options.inputs));
  if (append && !Exists(format::ManifestPath(folder))) {
    return Status::InvalidArgument("--append adds parts to a data set of parts, and " + folder +
                                   " holds none (no " + format::kManifestFileName +
                                   "); make it with `outcore ingest FILES -o " + folder + " --parts`");
  }
  const bool created = !Exists(folder);
  OC_RETURN_IF_ERROR(PrepareFolder(folder));
  OC_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(folder, LockWait{true, options.cancel, nullptr}));
  bool had_manifest = false;
  OC_ASSIGN_OR_RETURN(format::Manifest manifest, ManifestOrEmpty(folder, &had_manifest));
  if (!append && had_manifest) {
    return Status::InvalidArgument(folder + " is a data set of parts already (" +
                                   std::to_string(manifest.parts.size()) +
                                   " parts); pass --append to add parts to it, or choose a new folder");
  }
  report->parts_before = manifest.parts.size();
  NewFiles written;
  const auto fail = [&](Status status) {
    written.RemoveNow();
    if (created) ::rmdir(folder.c_str());  // the folder this call made, when it is empty again
    return status;
  };
  size_t next_number = manifest.parts.size();
  size_t added = 0;
  for (size_t input = 0; input < inputs.size(); ++input) {
    if (options.cancel && options.cancel->load())
      return fail(Status::Cancelled("interrupted: " + folder + " is as it was"));
    const std::string part = NextPartName(folder, manifest, &next_number);
    IngestOptions one = options;
    one.inputs = {inputs[input]};
    one.output = Join(folder, part);
    if (!options.reject_path.empty()) one.reject_path = PartRejectPath(options.reject_path, part);
    IngestReport part_report;
    Status status = Ingest(one, &part_report);
    if (!status.ok()) {
      report->total.reject_limit_exceeded = part_report.reject_limit_exceeded;
      return fail(
          status.WithContext(inputs[input] + " (part " + part + "; " + folder + " is left as it was)"));
    }
    written.Add(one.output);
    if (part_report.rows_read == 0) {
      // An input without rows (a header alone) adds no part: the types inferred from
      // nothing would only clash with the data set's.
      ::unlink(one.output.c_str());
      report->parts.push_back(PartIngestLine{inputs[input], "", one.reject_path, 0, 0, 0, 0});
      continue;
    }
    status = AddPartEntry(one.output, part, &manifest);
    if (!status.ok()) {
      return fail(status.WithContext(inputs[input] + " (" + folder + " is left as it was)"));
    }
    AddReport(part_report, part, &report->total, added++ == 0);
    report->parts.push_back(PartIngestLine{inputs[input], part, one.reject_path, part_report.rows_read,
                                           part_report.rows_kept, part_report.rows_rejected,
                                           part_report.output_bytes});
  }
  if (options.cancel && options.cancel->load())
    return fail(Status::Cancelled("interrupted: " + folder + " is as it was"));
  if (added == 0 && manifest.schema.empty())
    return fail(Status::InvalidArgument("no input has a row: there is no part to write into " + folder));
  Status status = format::WriteManifest(folder, manifest);
  if (!status.ok()) return fail(status);
  written.Commit();
  return Status::OK();
}

Status AddParts(const std::string& folder, const std::vector<std::string>& part_paths) {
  if (!IsPartsFolder(folder)) return Status::InvalidArgument(folder + " is not a folder");
  std::error_code error;
  const fs::path home = fs::canonical(folder, error);
  if (error) return Status::IOError(folder + ": " + error.message());
  OC_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(folder));
  bool had_manifest = false;
  OC_ASSIGN_OR_RETURN(format::Manifest manifest, ManifestOrEmpty(folder, &had_manifest));
  std::set<std::string> adding;
  for (const std::string& path : part_paths) {
    const fs::path real = fs::canonical(path, error);
    if (error) return Status::IOError(path + ": " + error.message());
    if (real.parent_path() != home) {
      return Status::InvalidArgument(path + " does not lie directly inside " + folder +
                                     ": a part is a file of the data set's folder (write it there first)");
    }
    const std::string file = real.filename().string();
    if (file.empty() || file[0] == '.' || file == format::kManifestFileName)
      return Status::InvalidArgument(path +
                                     ": not a part's name (hidden files and the manifest are not parts)");
    const bool named = std::any_of(manifest.parts.begin(), manifest.parts.end(),
                                   [&](const format::ManifestPart& part) { return part.file == file; });
    if (named || !adding.insert(file).second)
      return Status::InvalidArgument(path + " is a part of " + folder + " already");
    OC_RETURN_IF_ERROR(AddPartEntry(real.string(), file, &manifest));
  }
  return format::WriteManifest(folder, manifest);
}

Result<std::vector<IngestIndexReport>> AddIndexesToParts(const std::string& folder,
                                                         const AddIndexOptions& options) {
  if (!options.output.empty()) {
    return Status::InvalidArgument(folder + " is a data set of parts: it is indexed in place (each part " +
                                   "rewritten, the manifest last), so --output does not apply");
  }
  LockWait wait{!options.no_wait, options.cancel, options.lock_waiting};
  OC_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(folder, wait));
  OC_ASSIGN_OR_RETURN(format::Manifest manifest, format::ReadManifest(folder));
  NewFiles written;
  std::vector<std::string> old_files;
  std::vector<IngestIndexReport> total;
  for (size_t index = 0; index < manifest.parts.size(); ++index) {
    format::ManifestPart& part = manifest.parts[index];
    // part-00003.oc -> part-00003.i1.oc, part-00003.i1.oc -> part-00003.i2.oc: a new name, so
    // the manifest alone decides which file is the part.
    std::string base = part.file.size() > 3 && part.file.ends_with(".oc")
                           ? part.file.substr(0, part.file.size() - 3)
                           : part.file;
    int generation = 1;
    const size_t dot = base.rfind(".i");
    if (dot != std::string::npos && dot + 2 < base.size() &&
        std::all_of(base.begin() + long(dot) + 2, base.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      generation = std::atoi(base.c_str() + dot + 2) + 1;
      base.resize(dot);
    }
    std::string file;
    do {
      file = base + ".i" + std::to_string(generation++) + ".oc";
    } while (Exists(Join(folder, file)));
    AddIndexOptions one = options;
    one.output = Join(folder, file);
    one.progress = nullptr;
    auto reports = AddIndexes(Join(folder, part.file), one);
    if (!reports.ok())
      return reports.status().WithContext(Join(folder, part.file) + " (" + folder + " is left as it was)");
    if (Exists(one.output)) {
      written.Add(one.output);
      OC_ASSIGN_OR_RETURN(auto reader, format::FileReader::Open(one.output));
      OC_ASSIGN_OR_RETURN(format::ManifestPart entry, format::DescribePart(*reader, file));
      old_files.push_back(Join(folder, part.file));
      part = std::move(entry);
    }
    for (size_t i = 0; i < reports->size(); ++i) {
      const IngestIndexReport& r = (*reports)[i];
      if (index == 0) {
        total.push_back(r);
        continue;
      }
      total[i].built = total[i].built && r.built;
      total[i].keys += r.keys;
      total[i].stored_bytes += r.stored_bytes;
      if (total[i].note.empty() && !r.note.empty()) total[i].note = part.file + ": " + r.note;
    }
  }
  if (options.cancel && options.cancel->load())
    return Status::Cancelled("interrupted: " + folder + " is as it was");
  OC_RETURN_IF_ERROR(format::WriteManifest(folder, manifest));
  written.Commit();
  // The old files are no part any more; a reader that opened them keeps reading them.
  for (const std::string& path : old_files) ::unlink(path.c_str());
  return total;
}

}  // namespace outcore
