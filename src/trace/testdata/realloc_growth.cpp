// Known pattern: one buffer grown by realloc from 1 KiB to 32 MiB (REALLOC_LINE);
// the peak is the final 32 MiB, held as one block.
#include <cstdlib>
#include <cstring>

int main() {
  char* buffer = nullptr;
  for (size_t size = 1024; size <= (32u << 20); size *= 2) {
    buffer = static_cast<char*>(std::realloc(buffer, size));  // REALLOC_LINE
    std::memset(buffer, 7, size);
  }
  std::free(buffer);
  return 0;
}
