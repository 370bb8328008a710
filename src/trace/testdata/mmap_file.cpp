// Known pattern: a 16 MiB file mapped (MMAP_FILE_LINE) next to 8 MiB of
// anonymous mapping (MMAP_ANON_LINE), of which 4 MiB are unmapped again
// before the program ends.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ftruncate(fd, 16 << 20) != 0) return 3;
  char* file = static_cast<char*>(
      mmap(nullptr, 16 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));  // MMAP_FILE_LINE
  char* anon = static_cast<char*>(
      mmap(nullptr, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));  // MMAP_ANON_LINE
  if (file == MAP_FAILED || anon == MAP_FAILED) return 4;
  std::memset(file, 1, 16 << 20);
  std::memset(anon, 2, 8 << 20);
  munmap(anon + (4 << 20), 4 << 20);
  std::printf("%d %d\n", file[100], anon[100]);
  munmap(anon, 4 << 20);
  munmap(file, 16 << 20);
  close(fd);
  unlink(argv[1]);
  return 0;
}
