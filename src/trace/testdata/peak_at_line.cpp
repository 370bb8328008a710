// Known pattern: 64 MiB held at once from hold_blocks() (marked PEAK_LINE),
// then freed; a later 8 MiB vector never reaches the peak.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

__attribute__((noinline)) void hold_blocks(std::vector<void*>& blocks) {
  for (int i = 0; i < 64; ++i) {
    void* block = std::malloc(1 << 20);  // PEAK_LINE
    std::memset(block, 1, 1 << 20);
    blocks.push_back(block);
  }
}

__attribute__((noinline)) void small_later() {
  std::vector<char> later(8 << 20, 2);  // LATER_LINE
  std::printf("later %d\n", later[100]);
}

int main() {
  std::vector<void*> blocks;
  blocks.reserve(64);
  hold_blocks(blocks);
  for (void* block : blocks) std::free(block);
  small_later();
  return 0;
}
