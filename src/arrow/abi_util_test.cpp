#include "arrow/abi_util.h"

#include <gtest/gtest.h>

#include <cstddef>

namespace outcore::arrow {
namespace {

// The ABI is a contract with other libraries: the field offsets are the
// specification's on every 64-bit platform.
TEST(ArrowAbi, LayoutIsTheSpecifications) {
  EXPECT_EQ(sizeof(ArrowSchema), 72u);
  EXPECT_EQ(offsetof(ArrowSchema, flags), 24u);
  EXPECT_EQ(offsetof(ArrowSchema, dictionary), 48u);
  EXPECT_EQ(offsetof(ArrowSchema, release), 56u);
  EXPECT_EQ(sizeof(ArrowArray), 80u);
  EXPECT_EQ(offsetof(ArrowArray, n_buffers), 24u);
  EXPECT_EQ(offsetof(ArrowArray, buffers), 40u);
  EXPECT_EQ(offsetof(ArrowArray, release), 64u);
  EXPECT_EQ(sizeof(ArrowArrayStream), 40u);
  EXPECT_EQ(offsetof(ArrowArrayStream, get_last_error), 16u);
  EXPECT_EQ(offsetof(ArrowArrayStream, release), 24u);
}

int released = 0;
void CountRelease(ArrowArray* array) {
  ++released;
  array->release = nullptr;
}

TEST(ArrowAbi, MoveLeavesOneOwnerAndReleaseRunsOnce) {
  released = 0;
  ArrowArray a{};
  a.length = 7;
  a.release = CountRelease;
  ArrowArray b{};
  Move(&a, &b);
  EXPECT_EQ(a.release, nullptr);
  EXPECT_EQ(b.length, 7);
  Release(&a);  // moved from: nothing to do
  EXPECT_EQ(released, 0);
  Release(&b);
  Release(&b);  // released already
  EXPECT_EQ(released, 1);
  Release(static_cast<ArrowArray*>(nullptr));
}

}  // namespace
}  // namespace outcore::arrow
