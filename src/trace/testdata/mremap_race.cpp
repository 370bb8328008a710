// Known pattern: one thread moves mappings with mremap (each 64 KiB mapping
// grown to 128 KiB cannot grow in place, so the kernel moves it and frees the
// old range) while other threads map 64 KiB ranges, which the kernel likes to
// place in the range just freed. Nothing is unmapped, so at the end the
// process holds exactly the bytes it prints, and the tracer's peak must be
// that sum: a tracer that forgets the old range after the move can forget
// another thread's new mapping there instead.
#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <thread>

namespace {
constexpr size_t kSmall = 64 << 10, kGrown = 128 << 10;
constexpr int kMoves = 3000, kMappers = 3, kMapsPerMapper = 3000;
std::atomic<bool> g_failed{false};

void* MapAnonymous(size_t bytes) {
  return mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}
}  // namespace

int main() {
  std::atomic<int> running{0};
  std::thread mover([&] {
    ++running;
    while (running.load() < kMappers + 1) {
    }
    for (int i = 0; i < kMoves; ++i) {
      void* small = MapAnonymous(kSmall);
      void* grown = small == MAP_FAILED ? MAP_FAILED : mremap(small, kSmall, kGrown, MREMAP_MAYMOVE);
      if (grown == MAP_FAILED) g_failed = true;
    }
  });
  std::thread mappers[kMappers];
  for (auto& mapper : mappers) {
    mapper = std::thread([&] {
      ++running;
      while (running.load() < kMappers + 1) {
      }
      for (int i = 0; i < kMapsPerMapper; ++i) {
        if (MapAnonymous(kSmall) == MAP_FAILED) g_failed = true;
      }
    });
  }
  mover.join();
  for (auto& mapper : mappers) mapper.join();
  if (g_failed) return 2;
  std::printf("mapped %llu\n", static_cast<unsigned long long>(uint64_t(kMoves) * kGrown +
                                                               uint64_t(kMappers) * kMapsPerMapper * kSmall));
  return 0;
}
