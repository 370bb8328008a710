// Known pattern: 4 worker threads each hold 16 blocks of 1 MiB (THREAD_LINE)
// at the same time (a barrier), then free them: a 64 MiB peak.
#include <barrier>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

__attribute__((noinline)) void* grab() {
  void* block = std::malloc(1 << 20);  // THREAD_LINE
  std::memset(block, 3, 1 << 20);
  return block;
}

int main() {
  constexpr int kThreads = 4;
  std::barrier sync(kThreads);
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&] {
      void* held[16];
      for (auto& block : held) block = grab();
      sync.arrive_and_wait();
      for (auto& block : held) std::free(block);
      // Churn after the peak: small blocks that never matter.
      for (int i = 0; i < 10000; ++i) std::free(std::malloc(64));
    });
  }
  for (auto& worker : workers) worker.join();
  return 0;
}
