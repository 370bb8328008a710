// Known pattern: 48 MiB held (KILL_LINE) when the program kills itself with
// SIGKILL: no exit handler runs, the report must come from the last snapshot.
#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <vector>

int main() {
  std::vector<void*> held;
  for (int i = 0; i < 48; ++i) {
    void* block = std::malloc(1 << 20);  // KILL_LINE
    std::memset(block, 5, 1 << 20);
    held.push_back(block);
  }
  raise(SIGKILL);
  return 0;
}
