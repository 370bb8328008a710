#include "trace/site_description.h"

#include <gtest/gtest.h>

namespace outcore::trace {

namespace {
// No addr2line: native frames come back as "object+0xoffset", which is what a
// stripped object gives too.
Symbolizer NoLineInfo() { return Symbolizer("/nonexistent/addr2line"); }

const std::vector<LoadedModule> kModules = {
    {"/usr/lib/x86_64-linux-gnu/libc.so.6", 0x1000, 0x1000, 0x2000},
    {"/usr/lib/x86_64-linux-gnu/libstdc++.so.6", 0x3000, 0x3000, 0x4000},
    {"/home/me/build/prog", 0x5000, 0x5000, 0x6000}};
}  // namespace

TEST(SiteDescription, PythonSiteIsTheUsersLineNotTheLibrarys) {
  SiteStack stack;
  stack.python = {{"/usr/lib/python3/dist-packages/numpy/core/numeric.py", "ones", 204},
                  {"<frozen runpy>", "_run_code", 86},
                  {"/home/me/job.py", "main", 12}};
  Symbolizer symbolizer = NoLineInfo();
  SiteDescription d = DescribeSite(stack, {}, symbolizer, "/home/me");
  EXPECT_EQ(d.location, "job.py:12");  // relative to the working directory
  EXPECT_EQ(d.function, "main");
  EXPECT_EQ(d.stack,
            (std::vector<std::string>{"ones /usr/lib/python3/dist-packages/numpy/core/numeric.py:204",
                                      "_run_code <frozen runpy>:86", "main job.py:12"}));
}

TEST(SiteDescription, AllLibraryPythonStackFallsBackToTheInnermostFrame) {
  SiteStack stack;
  stack.python = {{"/usr/lib/python3.11/json/decoder.py", "decode", 337}, {"<string>", "<module>", 1}};
  Symbolizer symbolizer = NoLineInfo();
  SiteDescription d = DescribeSite(stack, {}, symbolizer, "");
  EXPECT_EQ(d.location, "/usr/lib/python3.11/json/decoder.py:337");
  EXPECT_EQ(d.function, "decode");
}

TEST(SiteDescription, PathsOutsideTheWorkingDirectoryStayWhole) {
  SiteStack stack;
  stack.python = {{"/home/meme/job.py", "main", 3}};  // a sibling whose name starts like cwd
  Symbolizer symbolizer = NoLineInfo();
  EXPECT_EQ(DescribeSite(stack, {}, symbolizer, "/home/me").location, "/home/meme/job.py:3");
}

TEST(SiteDescription, NativeSiteSkipsTheCAndCxxRuntimesToTheCaller) {
  SiteStack stack;
  stack.native = {0x1100, 0x3200, 0x5300};  // malloc in libc, operator new, the program
  Symbolizer symbolizer = NoLineInfo();
  SiteDescription d = DescribeSite(stack, kModules, symbolizer, "");
  // Without line information the object is the location.
  EXPECT_EQ(d.location, "prog");
  EXPECT_EQ(d.function, "prog+0x300");
  EXPECT_EQ(d.stack, (std::vector<std::string>{"libc.so.6+0x100", "libstdc++.so.6+0x200", "prog+0x300"}));
}

TEST(SiteDescription, RuntimeOnlyStackIsAttributedToItsInnermostFrame) {
  SiteStack stack;
  stack.native = {0x1100, 0x3200};
  Symbolizer symbolizer = NoLineInfo();
  EXPECT_EQ(DescribeSite(stack, kModules, symbolizer, "").location, "libc.so.6");
}

TEST(SiteDescription, AddressInNoModuleIsShownAsAnAddress) {
  SiteStack stack;
  stack.native = {0x9999};
  Symbolizer symbolizer = NoLineInfo();
  SiteDescription d = DescribeSite(stack, kModules, symbolizer, "");
  EXPECT_EQ(d.location, "0x9999");
  EXPECT_EQ(d.stack, std::vector<std::string>{"0x9999"});
}

TEST(SiteDescription, EmptyStackIsUnknown) {
  Symbolizer symbolizer = NoLineInfo();
  SiteDescription d = DescribeSite(SiteStack{}, kModules, symbolizer, "");
  EXPECT_EQ(d.location, "(unknown)");
  EXPECT_TRUE(d.stack.empty());
}

}  // namespace outcore::trace
