#include "base/output_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace outcore {

namespace {

// Temporary names: `.<name>.tmp-<pid>-<n>`; <name> is cut so the whole stays
// within NAME_MAX.
constexpr std::string_view kTempMarker = ".tmp-";
constexpr size_t kMaxNameInTemp = 200;
constexpr auto kLockPoll = std::chrono::milliseconds(50);

std::string BaseOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Join(const std::string& folder, const std::string& name) {
  return folder == "/" ? "/" + name : folder + "/" + name;
}

std::string ErrnoText(int error) { return std::strerror(error); }

std::string Resolved(const char* path) {
  char* real = ::realpath(path, nullptr);
  if (!real) return {};
  std::string out(real);
  std::free(real);
  return out;
}

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Where a path points: its file when it exists, else the place it would be
// created (resolved folder + name).
struct Place {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string resolved;
};

Place PlaceOf(const std::string& path) {
  Place place;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    place.exists = true;
    place.dev = st.st_dev;
    place.ino = st.st_ino;
    place.resolved = Resolved(path.c_str());
    return place;
  }
  std::string folder = Resolved(FolderOf(path).c_str());
  if (!folder.empty()) place.resolved = Join(folder, BaseOf(path));
  return place;
}

bool SamePlace(const Place& a, const Place& b) {
  if (a.exists && b.exists) return a.dev == b.dev && a.ino == b.ino;
  return !a.exists && !b.exists && !a.resolved.empty() && a.resolved == b.resolved;
}

// The pid holding an flock on (dev, ino), from /proc/locks; 0 if unknown.
int64_t LockHolder(dev_t dev, ino_t ino) {
  FILE* locks = std::fopen("/proc/locks", "re");
  if (!locks) return 0;
  char line[256];
  int64_t holder = 0;
  while (holder == 0 && std::fgets(line, sizeof line, locks)) {
    if (std::strstr(line, "->") || !std::strstr(line, "FLOCK")) continue;  // a waiter, or not flock
    long long pid = 0;
    unsigned major_id = 0, minor_id = 0;
    unsigned long long inode = 0;
    char kind[16], mode[16], access[16];
    if (std::sscanf(line, "%*d: %15s %15s %15s %lld %x:%x:%llu", kind, mode, access, &pid, &major_id,
                    &minor_id, &inode) == 7 &&
        major_id == major(dev) && minor_id == minor(dev) && inode == ino) {
      holder = pid;
    }
  }
  std::fclose(locks);
  return holder;
}

bool ProcessGone(int64_t pid) {
  if (pid <= 0 || pid > INT32_MAX) return false;
  if (pid == ::getpid()) return false;
  return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

// The pid of a temporary's name, or -1 when the name is not one of ours.
int64_t TempOwner(std::string_view name) {
  if (name.size() < 2 || name[0] != '.') return -1;
  const size_t marker = name.rfind(kTempMarker);
  if (marker == std::string_view::npos || marker < 2) return -1;
  std::string_view rest = name.substr(marker + kTempMarker.size());
  const size_t dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == rest.size()) return -1;
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::string_view pid = rest.substr(0, dash), counter = rest.substr(dash + 1);
  if (pid.size() > 10 || !digits(pid) || !digits(counter)) return -1;
  return std::stoll(std::string(pid));
}

// Creates a new temporary name beside `target` with `make(name)` (open with
// O_EXCL, or link), retrying on EEXIST.
template <typename Make>
Result<std::string> NewTempName(const std::string& target, Make make) {
  static std::atomic<uint64_t> counter{0};
  const std::string folder = FolderOf(target);
  const std::string name = BaseOf(target).substr(0, kMaxNameInTemp);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = Join(folder, "." + name + std::string(kTempMarker) + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter.fetch_add(1)));
    if (make(temp)) return temp;
    if (errno != EEXIST) {
      return Status::IOError("cannot create a temporary file beside " + target + ": " + ErrnoText(errno));
    }
  }
  return Status::IOError("cannot create a temporary file beside " + target + ": too many attempts");
}

void SyncFolder(const std::string& path) {
  int dir_fd = ::open(FolderOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return;
  ::fsync(dir_fd);  // best effort: makes the rename itself durable
  ::close(dir_fd);
}

}  // namespace

std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool SameFile(const std::string& a, const std::string& b) { return SamePlace(PlaceOf(a), PlaceOf(b)); }

Result<std::string> CheckOutputPath(const std::string& path, std::string_view what,
                                    const std::vector<PathUse>& others) {
  const std::string named = std::string(what) + " " + path;
  if (path.empty()) return Status::InvalidArgument(std::string(what) + " is an empty path");
  std::string resolved;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      return Status::InvalidArgument(named + " is " + KindOf(st.st_mode) +
                                     ": outcore writes a regular file and never replaces anything else; "
                                     "give a file name" +
                                     (S_ISDIR(st.st_mode) ? " (e.g. " + Join(path, "out") + ")" : ""));
    }
    resolved = Resolved(path.c_str());
    if (resolved.empty()) return Status::IOError("cannot resolve " + named + ": " + ErrnoText(errno));
  } else if (errno == ENOENT) {
    struct stat link;
    if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
      return Status::InvalidArgument(named +
                                     " is a symlink to a missing file; give the path it should point to");
    }
    const std::string base = BaseOf(path);
    if (base.empty() || base == "." || base == "..") {
      return Status::InvalidArgument(named + " names a folder; give a file name");
    }
    const std::string folder = Resolved(FolderOf(path).c_str());
    if (folder.empty()) {
      return Status::IOError("the folder " + FolderOf(path) + " of " + named +
                             " does not exist: " + ErrnoText(errno));
    }
    resolved = Join(folder, base);
  } else {
    return Status::IOError("cannot check " + named + ": " + ErrnoText(errno));
  }
  const Place target = PlaceOf(resolved);
  for (const PathUse& other : others) {
    if (other.path.empty() || other.path == "-") continue;
    if (SamePlace(target, PlaceOf(other.path))) {
      std::string same = other.path == path ? "" : " (the same file as " + other.path + ")";
      return Status::InvalidArgument(named + " is also " + other.what + same +
                                     ": writing it would destroy it; choose another path");
    }
  }
  return resolved;
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

bool FileLock::Covers(const std::string& path) const {
  struct stat mine, now;
  return fd_ >= 0 && ::fstat(fd_, &mine) == 0 && ::stat(path.c_str(), &now) == 0 &&
         mine.st_dev == now.st_dev && mine.st_ino == now.st_ino;
}

Result<FileLock> FileLock::Acquire(const std::string& path, const LockWait& wait) {
  bool announced = false;
  for (;;) {
    FileLock lock;
    lock.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (lock.fd_ < 0) return Status::IOError("cannot open " + path + " to lock it: " + ErrnoText(errno));
    for (;;) {
      if (::flock(lock.fd_, LOCK_EX | LOCK_NB) == 0) break;
      if (errno == EINTR) continue;
      if (errno != EWOULDBLOCK) return lock;  // a file system without flock: nothing to wait for
      struct stat st;
      ::fstat(lock.fd_, &st);
      const int64_t holder = LockHolder(st.st_dev, st.st_ino);
      const std::string by = holder > 0 ? " (pid " + std::to_string(holder) + ")" : "";
      if (!wait.wait) {
        return Status::IOError(path + " is being written by another process" + by +
                               "; try again when it is done");
      }
      if (!announced && wait.waiting) {
        wait.waiting("waiting for the lock on " + path + " held by another process" + by);
        announced = true;
      }
      if (wait.cancel && wait.cancel->load()) {
        return Status::Cancelled("interrupted while waiting for the lock on " + path + "; it is unchanged");
      }
      std::this_thread::sleep_for(kLockPoll);
    }
    if (lock.Covers(path)) return lock;
    // The file was replaced while we waited (its writer renamed a new one into
    // place): lock the file the name holds now.
  }
}

Result<std::unique_ptr<OutputFile>> OutputFile::Create(const std::string& target, std::string_view what,
                                                       const FileLock* held) {
  OC_ASSIGN_OR_RETURN(std::string resolved, CheckOutputPath(target, what));
  RemoveStaleTemps(FolderOf(resolved));
  std::unique_ptr<OutputFile> file(new OutputFile());
  file->target_ = resolved;
  file->what_ = std::string(what);
  file->held_ = held;
  mode_t mode = 0644;
  struct stat existing;
  if (::stat(resolved.c_str(), &existing) == 0)
    mode = existing.st_mode & 0777;  // keep a private file private
  int fd = -1;
  OC_ASSIGN_OR_RETURN(file->temp_path_, NewTempName(resolved, [&](const std::string& name) {
                        fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                        return fd >= 0;
                      }));
  file->fd_ = fd;
  // Held while the temporary lives: RemoveStaleTemps never takes a live one.
  ::flock(fd, LOCK_EX | LOCK_NB);
  ::fchmod(fd, mode);
  return file;
}

OutputFile::~OutputFile() { Abort(); }

void OutputFile::Abort() {
  if (fd_ >= 0) {
    if (!committed_) ::unlink(temp_path_.c_str());  // before close: the lock guards the name to the end
    ::close(fd_);
    fd_ = -1;
  }
}

Status OutputFile::Fail(const std::string& doing, int error) const {
  return Status::IOError("cannot " + doing + " " + what_ + " " + target_ + ": " + ErrnoText(error) +
                         (error == ENOSPC ? " (free some space; the old file, if any, is unchanged)" : ""));
}

Status OutputFile::Write(const void* data, size_t n) {
  if (fd_ < 0 || committed_) return Status::InvalidArgument("OutputFile written after Commit or Abort");
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t written = ::write(fd_, p, n);
    if (written < 0) {
      if (errno == EINTR) continue;
      return Fail("write", errno);
    }
    p += written;
    n -= size_t(written);
    bytes_written_ += uint64_t(written);
  }
  return Status::OK();
}

Status OutputFile::Sync() {
  if (fd_ < 0 || committed_) return Status::InvalidArgument("OutputFile synced after Commit or Abort");
  if (synced_) return Status::OK();
  if (::fsync(fd_) != 0) return Fail("sync", errno);
  synced_ = true;
  return Status::OK();
}

Status OutputFile::Commit() { return CommitTogether({this}); }

Status CommitTogether(const std::vector<OutputFile*>& files, const std::atomic<bool>* cancel) {
  for (OutputFile* file : files) OC_RETURN_IF_ERROR(file->Sync());
  // Lock every existing target (in path order, so two commits of the same
  // pair cannot deadlock) unless the caller holds its lock already.
  std::vector<OutputFile*> by_path(files);
  std::sort(by_path.begin(), by_path.end(),
            [](const OutputFile* a, const OutputFile* b) { return a->target_ < b->target_; });
  std::vector<FileLock> locks;
  for (OutputFile* file : by_path) {
    if (file->held_ && file->held_->Covers(file->target_)) continue;
    struct stat st;
    if (::stat(file->target_.c_str(), &st) != 0) continue;
    OC_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(file->target_));
    locks.push_back(std::move(lock));
  }
  // The sync is the slow part: a Ctrl-C during it still leaves every target.
  if (cancel && cancel->load()) return Status::Cancelled("interrupted before the outputs were replaced");
  // Every target but the last keeps its old contents under a hard link until
  // the last rename is done, so a failure can put it back.
  struct Undo {
    std::string target, backup;  // backup empty: the target did not exist
  };
  std::vector<Undo> undo;
  auto roll_back = [&] {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
      if (it->backup.empty())
        ::unlink(it->target.c_str());
      else
        ::rename(it->backup.c_str(), it->target.c_str());
    }
  };
  for (size_t i = 0; i < files.size(); ++i) {
    OutputFile* file = files[i];
    const bool last = i + 1 == files.size();
    Undo step{file->target_, {}};
    if (!last && ::access(file->target_.c_str(), F_OK) == 0) {
      Result<std::string> backup = NewTempName(file->target_, [&](const std::string& name) {
        return ::link(file->target_.c_str(), name.c_str()) == 0;
      });
      if (!backup.ok()) {
        roll_back();
        return backup.status();
      }
      step.backup = *backup;
    }
    if (::rename(file->temp_path_.c_str(), file->target_.c_str()) != 0) {
      const int error = errno;
      if (!step.backup.empty()) ::unlink(step.backup.c_str());
      roll_back();
      for (Undo& done : undo) {
        if (!done.backup.empty()) ::unlink(done.backup.c_str());
      }
      return file->Fail("rename into place", error);
    }
    file->committed_ = true;
    undo.push_back(std::move(step));
  }
  for (const Undo& done : undo) {
    if (!done.backup.empty()) ::unlink(done.backup.c_str());
  }
  for (OutputFile* file : files) {
    SyncFolder(file->target_);
    ::close(file->fd_);
    file->fd_ = -1;
  }
  return Status::OK();
}

std::vector<RemovedTemp> RemoveStaleTemps(const std::string& folder) {
  std::vector<RemovedTemp> removed;
  DIR* dir = ::opendir(folder.c_str());
  if (!dir) return removed;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    const int64_t pid = TempOwner(name);
    if (pid < 0 || !ProcessGone(pid)) continue;
    const std::string path = Join(folder, name);
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat opened, named;
    // Remove only a regular file that nobody holds, and that is still the
    // file under this name once we hold its lock.
    if (::fstat(fd, &opened) == 0 && S_ISREG(opened.st_mode) && ::flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        ::lstat(path.c_str(), &named) == 0 && named.st_dev == opened.st_dev &&
        named.st_ino == opened.st_ino && ::unlink(path.c_str()) == 0) {
      removed.push_back({path, uint64_t(opened.st_size), pid});
    }
    ::close(fd);
  }
  ::closedir(dir);
  return removed;
}

Result<int> OpenUnnamedTemp(const std::string& beside) {
  const std::string folder = FolderOf(beside);
  int fd = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  OC_ASSIGN_OR_RETURN(std::string name, NewTempName(beside, [&](const std::string& temp) {
                        fd = ::open(temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                        return fd >= 0;
                      }));
  ::unlink(name.c_str());
  return fd;
}

}  // namespace outcore
