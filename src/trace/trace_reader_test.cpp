#include "trace/trace_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace outcore::trace {

namespace {
template <typename T>
void Put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}
}  // namespace

TEST(TraceReader, ParsesNativeAndPythonSiteRecords) {
  std::string bytes;
  Put(bytes, SiteRecord{3, kSiteHeap, 2, 0, 0});
  Put(bytes, uint64_t(0x401000));
  Put(bytes, uint64_t(0x402000));
  Put(bytes, SiteRecord{4, kSiteAnonMap, 0, 1, 0});
  Put(bytes, PythonFrame{12, 9, 4});
  bytes += "script.pymain";
  std::unordered_map<uint32_t, SiteStack> sites;
  ASSERT_TRUE(ParseSites(bytes, &sites).ok());
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[3].native.size(), 2u);
  EXPECT_EQ(sites[3].native[1], 0x402000u);
  ASSERT_EQ(sites[4].python.size(), 1u);
  EXPECT_EQ(sites[4].python[0].file, "script.py");
  EXPECT_EQ(sites[4].python[0].function, "main");
  EXPECT_EQ(sites[4].python[0].line, 12u);
  EXPECT_EQ(sites[4].kind, kSiteAnonMap);
}

TEST(TraceReader, RejectsTruncatedAndHostileFilesWithoutCrashing) {
  std::string bytes;
  Put(bytes, SiteRecord{3, kSiteHeap, 2, 0, 0});
  Put(bytes, uint64_t(0x401000));  // one frame short
  std::unordered_map<uint32_t, SiteStack> sites;
  EXPECT_FALSE(ParseSites(bytes, &sites).ok());

  std::string table;
  TableHeader header{};
  std::memcpy(header.magic, kTableMagic, 8);
  header.version = kFormatVersion;
  header.entry_count = 1000000;  // claims far more than present
  Put(table, header);
  SiteTableData data;
  Status status = ParseTable(table, &data);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("1000000"), std::string::npos);

  // Random garbage of every length: errors, never crashes.
  std::mt19937 rng(1);
  for (int len = 0; len < 400; ++len) {
    std::string junk(size_t(len), '\0');
    for (auto& c : junk) c = char(rng());
    std::unordered_map<uint32_t, SiteStack> s;
    SiteTableData t;
    std::vector<LoadedModule> m;
    (void)ParseSites(junk, &s);
    (void)ParseTable(junk, &t);
    (void)ParseModules(junk, &m);
  }
}

TEST(TraceReader, ReadsTableEntries) {
  std::string table;
  TableHeader header{};
  std::memcpy(header.magic, kTableMagic, 8);
  header.version = kFormatVersion;
  header.entry_count = 2;
  header.heap_live = 300;
  Put(table, header);
  Put(table, TableEntry{1, 0, 100, 1, 100, 1});
  Put(table, TableEntry{2, 0, 200, 2, 900, 9});
  SiteTableData data;
  ASSERT_TRUE(ParseTable(table, &data).ok());
  ASSERT_EQ(data.entries.size(), 2u);
  EXPECT_EQ(data.entries[1].alloc_bytes, 900u);
  EXPECT_EQ(data.heap_live, 300u);
}

}  // namespace outcore::trace
