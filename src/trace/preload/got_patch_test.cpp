#include "trace/preload/got_patch.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace outcore::trace {
namespace {

pid_t FakeParent() { return 424242; }

// getppid reached through this executable's GOT, as the allocator is from a traced program's objects.
__attribute__((noinline)) pid_t CallGetppid() { return ::getppid(); }

TEST(GotPatch, RewritesTheSlotsOfAFunctionAndPutsThemBack) {
  pid_t real = CallGetppid();
  ASSERT_NE(real, 424242);
  GotHook hooks[] = {{"getppid", reinterpret_cast<void*>(&FakeParent)}};
  EXPECT_GE(PatchGotSlots(hooks, 1, nullptr), 1);
  EXPECT_EQ(CallGetppid(), 424242);
  // Again (what a dlopen does): slots already pointing at the hook are left alone.
  EXPECT_EQ(PatchGotSlots(hooks, 1, nullptr), 0);
  RestoreGotSlots();
  EXPECT_EQ(CallGetppid(), real);
}

TEST(GotPatch, LeavesTheObjectHoldingSelfAlone) {
  GotHook hooks[] = {{"getppid", reinterpret_cast<void*>(&FakeParent)}};
  // `self` inside this executable: its slots are not touched (other objects' may be).
  PatchGotSlots(hooks, 1, reinterpret_cast<const void*>(&CallGetppid));
  EXPECT_NE(CallGetppid(), 424242);
  RestoreGotSlots();
}

}  // namespace
}  // namespace outcore::trace
