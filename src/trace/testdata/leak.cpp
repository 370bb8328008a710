// Known pattern: 3 MiB allocated in leak_here() (LEAK_LINE) and never freed;
// 5 MiB churned and freed elsewhere.
#include <cstdlib>
#include <cstring>

__attribute__((noinline)) void* leak_here() {
  void* lost = std::malloc(3 << 20);  // LEAK_LINE
  std::memset(lost, 0, 3 << 20);
  return lost;
}

__attribute__((noinline)) void churn() {
  for (int i = 0; i < 5; ++i) {
    char* block = static_cast<char*>(std::malloc(1 << 20));
    block[0] = 1;
    std::free(block);
  }
}

int main() {
  volatile void* keep = leak_here();
  (void)keep;
  churn();
  return 0;
}
