// Ctrl-C during a long engine call from Python. The engine runs without the
// GIL, and Python only looks at a SIGINT between bytecodes, in the main
// thread: so while the call runs, a C-level SIGINT handler sets a flag that
// the engine polls as its `cancel` (ingest, index, normalize, scans, the
// transforms stop at the next block or chunk and leave no file changed), and
// Python's own handler is put back when the call returns. A SIGINT that came
// is then handed to Python (PyErr_SetInterruptEx), so KeyboardInterrupt — or
// whatever handler the user installed — happens as if Python had seen it.
//
// Only the main thread installs the handler (Python delivers signals there
// alone), and only while Python handles SIGINT itself: under SIG_IGN or
// SIG_DFL nothing changes. Calls from other threads get no flag (cancel null).
//
//   auto report = CallWithCtrlC([&](const std::atomic<bool>* cancel) {
//     options.cancel = cancel;
//     return Ingest(options);          // runs without the GIL
//   });                                // raises KeyboardInterrupt after a Ctrl-C
#pragma once

#include <nanobind/nanobind.h>
#include <signal.h>

#include <atomic>
#include <optional>
#include <utility>

namespace outcore {

class CtrlCWatch {
 public:
  // `flag`: the engine's cancel flag to set on SIGINT (one that outlives the
  // call, e.g. a scanner's); null: one of the watch's own. REQUIRES: the GIL.
  explicit CtrlCWatch(std::atomic<bool>* flag = nullptr) {
    if (!OnMainThread() || active_count_ > 0) return;  // a call inside a call: the outer one watches
    struct sigaction current;
    if (sigaction(SIGINT, nullptr, &current) != 0 || current.sa_handler == SIG_IGN ||
        current.sa_handler == SIG_DFL) {
      return;
    }
    flag_ = flag ? flag : &own_;
    flag_->store(false);
    target_.store(flag_);
    struct sigaction ours = {};
    ours.sa_handler = [](int) { target_.load()->store(true); };
    sigemptyset(&ours.sa_mask);
    ours.sa_flags = SA_ONSTACK | SA_RESTART;
    if (sigaction(SIGINT, &ours, &saved_) != 0) {
      flag_ = nullptr;
      return;
    }
    ++active_count_;
  }
  CtrlCWatch(const CtrlCWatch&) = delete;
  CtrlCWatch& operator=(const CtrlCWatch&) = delete;
  ~CtrlCWatch() {
    if (!flag_) return;  // Restore() ran
    // Unwinding past the call: Python's handler goes back, without a Python call.
    sigaction(SIGINT, &saved_, nullptr);
    --active_count_;
  }

  // The flag for the engine's `cancel`; null when Ctrl-C is not watched.
  const std::atomic<bool>* flag() const { return flag_; }

  // Puts Python's handler back and, after a SIGINT, runs Python's handling of
  // it: its exception (KeyboardInterrupt) is thrown as nb::python_error.
  // Returns whether a SIGINT came (a user's handler may not raise).
  // REQUIRES: the GIL.
  bool Restore() {
    if (!flag_) return false;
    sigaction(SIGINT, &saved_, nullptr);
    --active_count_;
    const bool interrupted = flag_->load();
    flag_ = nullptr;
    if (!interrupted) return false;
    PyErr_SetInterruptEx(SIGINT);
    if (PyErr_CheckSignals() != 0) throw nanobind::python_error();
    return true;
  }

 private:
  static bool OnMainThread() {
    static const unsigned long main_thread = nanobind::cast<unsigned long>(
        nanobind::module_::import_("threading").attr("main_thread")().attr("ident"));
    return PyThread_get_thread_ident() == main_thread;
  }

  std::atomic<bool>* flag_ = nullptr;  // set while this watch is installed
  std::atomic<bool> own_{false};
  // Main thread only, under the GIL; the handler reads target_ (lock-free atomics).
  static inline int active_count_ = 0;
  static inline struct sigaction saved_ = {};
  static inline std::atomic<std::atomic<bool>*> target_{nullptr};
};

// Runs `call(cancel)` without the GIL while Ctrl-C is watched (setting `flag`
// if given), and returns its result; after a Ctrl-C, Python's SIGINT handling
// runs (KeyboardInterrupt) instead.
template <typename Call>
auto CallWithCtrlC(Call&& call, std::atomic<bool>* flag = nullptr) {
  CtrlCWatch watch(flag);
  std::optional<decltype(call(watch.flag()))> result;
  {
    nanobind::gil_scoped_release release;
    result.emplace(call(watch.flag()));
  }
  watch.Restore();
  return std::move(*result);
}

}  // namespace outcore
