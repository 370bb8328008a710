// Engine progress handed to a Python callable (outcore.ingest/index with
// progress=...). The engine runs without the GIL and calls its progress
// function from its own threads at a bounded rate (about 4 times a second);
// each call takes the GIL only for as long as the callable runs.
// An exception from the callable stops the work through the engine's cancel
// flag (nothing is written, as after Ctrl-C) and is raised once the call
// returns, in place of the cancellation.
//
//   PyProgress progress(callable);            // None: no progress function
//   auto status = CallWithProgress(progress, [&](const std::atomic<bool>* cancel) {
//     options.cancel = cancel;
//     options.progress = progress.Wrap<IngestProgress>(ToDict);
//     return Ingest(options, &report);
//   });
#pragma once

#include <nanobind/nanobind.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "interrupt.h"
#include "outcore/ingest.h"

namespace outcore {

class PyProgress {
 public:
  explicit PyProgress(nanobind::object callable) : callable_(std::move(callable)) {}
  PyProgress(const PyProgress&) = delete;
  PyProgress& operator=(const PyProgress&) = delete;

  // The engine's progress function: calls the callable with to_dict(progress)
  // under the GIL. Empty when the callable is None. Safe from any thread.
  template <typename Progress>
  std::function<void(const Progress&)> Wrap(nanobind::dict (*to_dict)(const Progress&)) {
    if (callable_.is_none()) return {};
    return [this, to_dict](const Progress& p) {
      if (failed_.load()) return;
      nanobind::gil_scoped_acquire gil;
      try {
        callable_(to_dict(p));
      } catch (nanobind::python_error& e) {
        std::lock_guard lock(mutex_);
        error_.emplace(std::move(e));
        failed_.store(true);
        stop_.store(true);
      }
    };
  }

  // The engine's cancel flag: set by Ctrl-C (CallWithProgress) or by a failed callable.
  std::atomic<bool>* stop_flag() { return &stop_; }
  bool failed() const { return failed_.load(); }
  // REQUIRES: the GIL, the engine call finished.
  [[noreturn]] void RaiseError() { throw std::move(*error_); }

 private:
  nanobind::object callable_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::optional<nanobind::python_error> error_;
};

// CallWithCtrlC (interrupt.h) whose cancel flag is `progress`'s: Ctrl-C and a
// failing progress callable both stop the engine; the callable's exception
// wins over the cancellation it caused.
template <typename Call>
auto CallWithProgress(PyProgress& progress, Call&& call) {
  CtrlCWatch watch(progress.stop_flag());
  std::optional<decltype(call(progress.stop_flag()))> result;
  {
    nanobind::gil_scoped_release release;
    result.emplace(call(progress.stop_flag()));
  }
  if (progress.failed()) {
    progress.stop_flag()->store(false);  // not a SIGINT: Restore must not raise KeyboardInterrupt
    watch.Restore();
    progress.RaiseError();
  }
  watch.Restore();
  return std::move(*result);
}

// What outcore/_progress.py shows: a stage, `done` of `total` in `unit`, rows.
inline nanobind::dict IngestProgressToDict(const IngestProgress& p) {
  nanobind::dict d;
  d["stage"] = "reading";
  d["done"] = p.input_bytes_done;
  d["total"] = p.input_bytes_total;  // 0: unknown (standard input)
  d["unit"] = "B";
  d["rows"] = p.rows_read;
  d["rows_rejected"] = p.rows_rejected;
  d["seconds"] = p.seconds;
  d["rss"] = p.rss;
  return d;
}

inline nanobind::dict IndexProgressToDict(const AddIndexProgress& p) {
  nanobind::dict d;
  d["stage"] = p.stage;
  d["done"] = p.chunks_done;
  d["total"] = p.chunks_total;
  d["unit"] = "chunks";
  d["rows"] = p.rows_done;
  d["rows_total"] = p.rows_total;
  d["seconds"] = p.seconds;
  d["rss"] = p.rss;
  return d;
}

}  // namespace outcore
