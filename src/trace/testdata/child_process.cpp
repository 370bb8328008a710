// Known pattern: the parent holds 10 MiB (PARENT_LINE); a forked child holds
// 40 MiB (CHILD_LINE); an exec'd copy of this program holds 20 MiB (EXEC_LINE).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

__attribute__((noinline)) void hold(size_t bytes, int line_tag) {
  void* block = nullptr;
  if (line_tag == 1) block = std::malloc(bytes);  // CHILD_LINE
  if (line_tag == 2) block = std::malloc(bytes);  // EXEC_LINE
  if (line_tag == 3) block = std::malloc(bytes);  // PARENT_LINE
  std::memset(block, 1, bytes);
  std::free(block);
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "exec-child") == 0) {
    hold(20 << 20, 2);
    return 0;
  }
  pid_t forked = fork();
  if (forked == 0) {
    hold(40 << 20, 1);
    _exit(0);
  }
  pid_t execed = fork();
  if (execed == 0) {
    execl("/proc/self/exe", argv[0], "exec-child", static_cast<char*>(nullptr));
    _exit(127);
  }
  hold(10 << 20, 3);
  int status = 0;
  waitpid(forked, &status, 0);
  waitpid(execed, &status, 0);
  return 0;
}
