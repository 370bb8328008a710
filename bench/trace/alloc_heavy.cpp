// Allocation-heavy C++ workload for the tracer benchmark: a map of strings
// churned by inserts and erases, vectors grown by push_back, and a peak of
// long-lived blocks. Millions of small new/delete calls.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
  unsigned long checksum = 0;
  std::vector<std::unique_ptr<char[]>> held;
  for (int round = 0; round < rounds; ++round) {
    std::map<int, std::string> table;
    for (int i = 0; i < 100000; ++i)
      table[(i * 7919) % 100003] = std::string(24 + i % 40, char('a' + i % 26));
    for (int i = 0; i < 100000; i += 2) table.erase((i * 7919) % 100003);
    std::vector<std::vector<int>> rows;
    for (int i = 0; i < 20000; ++i) {
      std::vector<int> row;
      for (int j = 0; j < i % 50; ++j) row.push_back(j);
      checksum += row.size();
      rows.push_back(std::move(row));
    }
    held.emplace_back(new char[1 << 20]);
    checksum += table.size();
  }
  std::printf("%lu\n", checksum);
  return 0;
}
