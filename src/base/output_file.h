// Writing an output file safely — the one service every writer uses (the .oc
// writer, the rejects file, .npz/.npy exports, `outcore gen`); the rules are
// in doc/format.md, "Writing files safely".
//
//  * CheckOutputPath vets a target before any work: it refuses a folder, a
//    device, a FIFO or a socket, a dangling symlink, and a target that is the
//    same file as one of the command's inputs or other outputs (compared by
//    st_dev/st_ino, or by resolved path when it does not exist yet); a symlink
//    is followed, so the real file is replaced and the link stays.
//  * OutputFile writes a hidden temporary `.<name>.tmp-<pid>-<n>` beside the
//    target, holds an flock on it while it lives, and renames it over the
//    target on Commit (destroyed before: removed). A temporary whose owner was
//    killed (SIGKILL, power loss) is found and removed by RemoveStaleTemps,
//    which every OutputFile::Create runs on its folder: only when the pid in
//    the name is gone and the flock can be taken.
//  * CommitTogether renames several outputs as one: all are synced first, and
//    a rename that fails puts back the targets already replaced.
//  * FileLock is the advisory lock on a target: an in-place rewrite holds it
//    from reading the file until its replacement is in place, and every commit
//    takes it for its rename, so two writers never lose each other's update.
//
// Thread-safety: an OutputFile or FileLock is used by one thread at a time.
//
//   OC_ASSIGN_OR_RETURN(std::string target, CheckOutputPath("out.oc", "the output", {{"in.csv", "the
//   input"}})); OC_ASSIGN_OR_RETURN(auto out, OutputFile::Create(target, "the output"));
//   OC_RETURN_IF_ERROR(out->Write(bytes.data(), bytes.size()));
//   OC_RETURN_IF_ERROR(out->Commit());
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/status.h"

namespace outcore {

// A path a command reads or writes besides the one being checked, and what it
// is to the user ("the input", "the rejects file").
struct PathUse {
  std::string path;
  std::string what;
};

// The path to write for `path` (symlinks followed to the real file), or an
// error naming `path`, `what` it is ("the output", "the rejects file") and why
// it is refused: InvalidArgument, or IOError when its folder is missing. "-"
// and empty entries of `others` are skipped.
//   CheckOutputPath("in.csv", "the rejects file", {{"in.csv", "the input"}})
//     -> "the rejects file in.csv is also the input: writing it would destroy it; choose another path"
Result<std::string> CheckOutputPath(const std::string& path, std::string_view what,
                                    const std::vector<PathUse>& others = {});

// True when `a` and `b` name the same file (or, not existing yet, the same
// place): the comparison CheckOutputPath makes.
bool SameFile(const std::string& a, const std::string& b);

// How FileLock::Acquire behaves when another process holds the lock.
struct LockWait {
  bool wait = true;                                         // false: fail at once
  const std::atomic<bool>* cancel = nullptr;                // set while waiting: Cancelled
  std::function<void(const std::string& message)> waiting;  // told once, when the wait starts
};

// An exclusive advisory lock (flock) on an existing file, held until
// destroyed. The lock follows the file, not the name: when the file was
// replaced while we waited, the new one is locked instead.
class FileLock {
 public:
  static Result<FileLock> Acquire(const std::string& path, const LockWait& wait = {});
  FileLock() = default;
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  // True when this lock is on the file `path` names now.
  bool Covers(const std::string& path) const;

 private:
  int fd_ = -1;
};

class OutputFile {
 public:
  // Checks `target` (CheckOutputPath, no others), removes stale temporaries
  // beside it and creates this one, with the mode of the file it will replace
  // (0644 for a new one). `held` is a FileLock the caller already holds on the
  // target (an in-place rewrite), so Commit does not wait for itself.
  static Result<std::unique_ptr<OutputFile>> Create(const std::string& target, std::string_view what,
                                                    const FileLock* held = nullptr);
  ~OutputFile();  // removes the temporary unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status Write(const void* data, size_t n);
  // fsync of the temporary: after it, only the rename is left.
  Status Sync();
  // Sync, lock the target, rename over it, sync the folder, close.
  Status Commit();
  // Removes the temporary now.
  void Abort();

  int fd() const { return fd_; }  // for writers that need seeks or stdio (dup it)
  const std::string& target() const { return target_; }
  const std::string& temp_path() const { return temp_path_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  friend Status CommitTogether(const std::vector<OutputFile*>& files, const std::atomic<bool>* cancel);
  OutputFile() = default;
  Status Fail(const std::string& doing, int error) const;

  std::string target_, what_, temp_path_;
  const FileLock* held_ = nullptr;
  int fd_ = -1;
  bool synced_ = false, committed_ = false;
  uint64_t bytes_written_ = 0;
};

// Commits `files` as one: every temporary is synced first (a full disk fails
// here, and nothing is replaced), then they are renamed in order — the last
// is the commit point. When a rename fails, the targets already replaced get
// their old contents back (or are removed when they did not exist).
// `cancel` (Ctrl-C), when set once the files are synced and before the
// first rename, stops the commit: Cancelled, and every target as it was.
Status CommitTogether(const std::vector<OutputFile*>& files, const std::atomic<bool>* cancel = nullptr);

// A stale temporary RemoveStaleTemps removed.
struct RemovedTemp {
  std::string path;
  uint64_t bytes = 0;
  int64_t pid = 0;  // of the process that left it
};

// Removes the temporaries in `folder` left by processes that are gone: the
// name matches `.<name>.tmp-<pid>-<n>`, no process has that pid, and the
// file's flock is free (a temporary of a live writer, even one in another pid
// namespace, is locked). Errors are ignored: this is housekeeping.
std::vector<RemovedTemp> RemoveStaleTemps(const std::string& folder);

// A file with no name in the folder of `beside` (O_TMPFILE; where the file
// system lacks it, a named temporary unlinked at once), for spilling.
Result<int> OpenUnnamedTemp(const std::string& beside);

// The folder part of `path` ("." when it has none).
std::string FolderOf(const std::string& path);

}  // namespace outcore
