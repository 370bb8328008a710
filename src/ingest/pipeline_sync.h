// Small synchronization pieces of the ingest pipeline: a bounded queue that
// applies back-pressure (so in-flight blocks, and so memory, stay bounded) and
// a sequencer that lets parallel workers pass an ordered stage in block order
// (so dictionary codes and the file layout are deterministic). Both wake up
// and give up when the pipeline is stopped after an error or Ctrl-C.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace outcore::ingest {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  // Blocks while full; false when the queue was closed or stopped.
  bool Push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || closed_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  // Blocks while empty; nullopt once closed and drained.
  std::optional<T> Pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  // No more pushes; Pop drains what is left.
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

// Lets the holder of sequence number `seq` in once every smaller number has
// called Done().
class Sequencer {
 public:
  explicit Sequencer(const std::atomic<bool>* stop) : stop_(stop) {}
  // False when the pipeline was stopped while waiting.
  bool Wait(uint64_t seq) {
    std::unique_lock lock(mutex_);
    turn_.wait(lock, [&] { return next_ == seq || stop_->load(); });
    return !stop_->load();
  }
  void Done() {
    {
      std::lock_guard lock(mutex_);
      ++next_;
    }
    turn_.notify_all();
  }
  void WakeAll() {
    std::lock_guard lock(mutex_);
    turn_.notify_all();
  }

 private:
  const std::atomic<bool>* stop_;
  std::mutex mutex_;
  std::condition_variable turn_;
  uint64_t next_ = 0;
};

}  // namespace outcore::ingest
