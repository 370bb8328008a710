// Known pattern: allocates 1 MiB blocks (OOM_LINE) until malloc fails under
// the address-space limit the test sets, then aborts, as a job dying of
// memory would. The report must still show who held the memory.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main() {
  std::vector<void*> held;
  held.reserve(100000);
  for (;;) {
    void* block = std::malloc(1 << 20);  // OOM_LINE
    if (!block) break;
    std::memset(block, 1, 4096);
    held.push_back(block);
  }
  std::fprintf(stderr, "out of memory after %zu MiB\n", held.size());
  std::abort();
}
