#include "trace/source_snippets.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace outcore::trace {

TEST(SourceSnippets, SplitsTheLocationOffAFrame) {
  EXPECT_EQ(SplitFrameLocation("main job.py:12"), std::make_pair(std::string("job.py"), 12u));
  EXPECT_EQ(SplitFrameLocation("operator new(unsigned long) /src/a b/x.cpp:7"),
            std::make_pair(std::string("b/x.cpp"), 7u));  // a path with a space: its tail (no text then)
  EXPECT_EQ(SplitFrameLocation("/abs/path.cpp:3"), std::make_pair(std::string("/abs/path.cpp"), 3u));
  EXPECT_EQ(SplitFrameLocation("0x7f12"), std::make_pair(std::string(), 0u));
  EXPECT_EQ(SplitFrameLocation("libfoo.so"), std::make_pair(std::string(), 0u));
  EXPECT_EQ(SplitFrameLocation("f a.py:0"), std::make_pair(std::string(), 0u));
  EXPECT_EQ(SplitFrameLocation("f a.py:12x"), std::make_pair(std::string(), 0u));
}

class SourceSnippetsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/outcore-snippets-test-XXXXXX";
    dir_ = ::mkdtemp(dir_template);
    std::ofstream small(dir_ + "/small.py");
    small << "a = 1\nb = 2\n" << std::string(500, 'x') << "\nd = 4\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SourceSnippetsFiles, ReadsAFewLinesAroundEachLocationOnce) {
  auto snippets = ReadSourceSnippets({{"small.py", 1}, {"small.py", 3}, {"small.py", 1}}, dir_, 1 << 20);
  ASSERT_EQ(snippets.size(), 2u);
  EXPECT_EQ(snippets[0].location, "small.py:1");
  EXPECT_EQ(snippets[0].first_line, 1u);
  EXPECT_EQ(snippets[0].lines, (std::vector<std::string>{"a = 1", "b = 2", std::string(kMaxSourceLineChars, 'x') + "…"}));
  EXPECT_EQ(snippets[1].first_line, 1u);
  EXPECT_EQ(snippets[1].lines.size(), 4u);  // lines 1-4: the file ends one line after line 3
}

TEST_F(SourceSnippetsFiles, LeavesOutWhatCannotBeReadOrDoesNotFit) {
  {
    std::ofstream big(dir_ + "/big.py");
    big << std::string(kMaxSourceFileBytes + 1, '\n');
  }
  EXPECT_TRUE(ReadSourceSnippets({{"big.py", 2}}, dir_, 1 << 20).empty());
  EXPECT_TRUE(ReadSourceSnippets({{"missing.py", 2}}, dir_, 1 << 20).empty());
  EXPECT_TRUE(ReadSourceSnippets({{"small.py", 99}}, dir_, 1 << 20).empty());  // past its end
  EXPECT_TRUE(ReadSourceSnippets({{dir_, 1}}, "", 1 << 20).empty());         // a directory
  // The total cap: the first (about 210 bytes) fits, the second does not.
  EXPECT_EQ(ReadSourceSnippets({{"small.py", 1}, {"small.py", 4}}, dir_, 300).size(), 1u);
  EXPECT_EQ(ReadSourceSnippets({{"small.py", 1}, {"small.py", 4}}, dir_, 1000).size(), 2u);
}

}  // namespace outcore::trace
