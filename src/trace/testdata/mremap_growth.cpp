// Known pattern: a 4 MiB anonymous mapping (MAP_LINE) grown by mremap to
// 16 MiB (MREMAP_LINE), then partly unmapped: the peak is the 16 MiB mapping,
// attributed to the mremap that grew it.
#include <sys/mman.h>

#include <cstdio>
#include <cstring>

int main() {
  void* small =
      mmap(nullptr, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);  // MAP_LINE
  if (small == MAP_FAILED) return 2;
  void* grown = mremap(small, 4 << 20, 16 << 20, MREMAP_MAYMOVE);  // MREMAP_LINE
  if (grown == MAP_FAILED) return 3;
  std::memset(grown, 1, 16 << 20);
  munmap(static_cast<char*>(grown) + (8 << 20), 8 << 20);
  std::printf("%d\n", static_cast<char*>(grown)[5]);
  munmap(grown, 8 << 20);
  return 0;
}
