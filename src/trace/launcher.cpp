// Child launching and timed waiting; see launcher.h.
#include "trace/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "outcore/memory.h"

namespace outcore::trace {

namespace {

volatile sig_atomic_t g_child_pid = 0;

void ForwardSignal(int sig) {
  if (g_child_pid > 0) ::kill(pid_t(g_child_pid), sig);
}

double SecondsSince(const timespec& start) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return double(now.tv_sec - start.tv_sec) + double(now.tv_nsec - start.tv_nsec) * 1e-9;
}

}  // namespace

std::string ExitInfo::Describe() const {
  if (attached) return process_gone ? "the process ended inside the traced block" : "traced block ended";
  if (!signaled) return "exited with status " + std::to_string(exit_code);
  std::string text = "killed by signal " + std::to_string(signal);
  if (const char* name = strsignal(signal)) text += std::string(" (") + name + ")";
  if (core_dumped) text += ", core dumped";
  return text;
}

uint64_t ExitInfo::ChildPeakRss() const {
  uint64_t maxrss = uint64_t(usage.ru_maxrss) * 1024;
  return maxrss > launcher_hwm ? maxrss : 0;
}

Result<ExitInfo> RunCommand(const LaunchOptions& options, const std::function<void(pid_t, double)>& on_tick) {
  if (options.argv.empty())
    return Status::InvalidArgument("no command given; write it after --, e.g. -- python3 job.py");
  // Prepared before fork: the child of a threaded parent may not allocate.
  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) != 0)
    return Status::IOError(std::string("pipe: ") + std::strerror(errno));

  ExitInfo info;
  info.launcher_hwm = PeakRss();
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  struct sigaction ignore {
  }, forward{}, old_int{}, old_quit{}, old_term{};
  ignore.sa_handler = SIG_IGN;
  forward.sa_handler = ForwardSignal;
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  ::sigaction(SIGTERM, &forward, &old_term);

  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    return Status::IOError(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    for (const auto& [key, value] : options.env) ::setenv(key.c_str(), value.c_str(), 1);
    ::execvp(argv[0], argv.data());
    int err = errno;
    ssize_t ignored = ::write(error_pipe[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  g_child_pid = pid;
  ::close(error_pipe[1]);
  int exec_errno = 0;
  ssize_t got = ::read(error_pipe[0], &exec_errno, sizeof exec_errno);
  ::close(error_pipe[0]);

  int status = 0;
  for (;;) {
    if (got != sizeof exec_errno) on_tick(pid, SecondsSince(start));
    pid_t done = ::wait4(pid, &status, WNOHANG, &info.usage);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    timespec pause{0, long(options.interval_seconds * 1e9)};
    if (options.interval_seconds >= 1) pause = {time_t(options.interval_seconds), 0};
    ::nanosleep(&pause, nullptr);
  }
  info.wall_seconds = SecondsSince(start);
  g_child_pid = 0;
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  // Children that the command started and did not wait for are not ours to
  // reap; RUSAGE_CHILDREN covers all we did.
  ::getrusage(RUSAGE_CHILDREN, &info.usage);
  if (got == sizeof exec_errno) {
    return Status::InvalidArgument("cannot run '" + options.argv[0] + "': " + std::strerror(exec_errno) +
                                   "; check the command name and PATH");
  }
  on_tick(pid, info.wall_seconds);
  if (WIFSIGNALED(status)) {
    info.signaled = true;
    info.signal = WTERMSIG(status);
    info.core_dumped = WCOREDUMP(status);
  } else {
    info.exit_code = WEXITSTATUS(status);
  }
  return info;
}

Result<ExitInfo> WatchProcess(pid_t pid, int stop_fd, double interval_seconds,
                              const std::function<void(pid_t, double)>& on_tick) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH))
    return Status::InvalidArgument("--attach " + std::to_string(pid) + ": no such process");
  ExitInfo info;
  info.attached = true;
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  struct sigaction ignore {
  }, old_int{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ignore, &old_int);
  // The process reads our stderr; if it died, writing the report there must
  // not kill us before the files are written.
  ::sigaction(SIGPIPE, &ignore, nullptr);
  int timeout_ms = int(interval_seconds * 1000) > 0 ? int(interval_seconds * 1000) : 1;
  for (;;) {
    on_tick(pid, SecondsSince(start));
    if (::kill(pid, 0) != 0 && errno == ESRCH) {
      info.process_gone = true;
      break;
    }
    pollfd stop{stop_fd, POLLIN, 0};
    int ready = ::poll(&stop, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    if (ready > 0) {
      char buf[256];
      ssize_t n = ::read(stop_fd, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {  // closed: the stretch ended
        info.process_gone = ::kill(pid, 0) != 0 && errno == ESRCH;   // or the process with it
        break;
      }
    }
  }
  info.wall_seconds = SecondsSince(start);
  on_tick(pid, info.wall_seconds);
  ::sigaction(SIGINT, &old_int, nullptr);
  return info;
}

}  // namespace outcore::trace
