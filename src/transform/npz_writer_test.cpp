#include "transform/npz_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace outcore::transform {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
uint32_t Get32(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}
uint16_t Get16(const std::string& s, size_t at) {
  uint16_t v;
  std::memcpy(&v, s.data() + at, 2);
  return v;
}

std::string TempPath(const char* name) { return ::testing::TempDir() + name + std::to_string(::getpid()); }

TEST(NpyHeader, IsPaddedToAFixedAlignedSizeAndSpellsTheShape) {
  std::string h = NpyHeader("<f8", {3, 2});
  EXPECT_EQ(h.size(), kNpyHeaderBytes);
  EXPECT_EQ(h.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(Get16(h, 8), kNpyHeaderBytes - 10);
  EXPECT_NE(h.find("'shape': (3, 2), }"), std::string::npos);
  EXPECT_NE(NpyHeader("<i4", {5}).find("(5,)"), std::string::npos);
  EXPECT_NE(NpyHeader("<U3", {}).find("'shape': ()"), std::string::npos);
  EXPECT_EQ(h.back(), '\n');
}

TEST(NpzWriter, EntriesCarryCrcAndSizesOfTheirNpyBytes) {
  std::string path = TempPath("npz_writer_test.npz");
  auto npz = *NpzWriter::Create(path);
  double values[3] = {1.5, -2, 3};
  ASSERT_TRUE(npz->BeginArray("data", "<f8").ok());
  ASSERT_TRUE(npz->Append(values, 16).ok());  // streamed in two pieces
  ASSERT_TRUE(npz->Append(values + 2, 8).ok());
  ASSERT_TRUE(npz->EndArray({3}).ok());
  ASSERT_TRUE(npz->WriteArray("format", "<U3", {}, "c\0\0\0s\0\0\0r\0\0\0", 12).ok());
  ASSERT_TRUE(npz->Finish().ok());
  std::string zip = ReadAll(path);
  // End of central directory: 22 bytes at the end.
  size_t end = zip.size() - 22;
  ASSERT_EQ(Get32(zip, end), 0x06054b50u);
  EXPECT_EQ(Get16(zip, end + 10), 2);
  size_t at = Get32(zip, end + 16);
  for (const char* name : {"data.npy", "format.npy"}) {
    ASSERT_EQ(Get32(zip, at), 0x02014b50u);
    uint32_t crc = Get32(zip, at + 16), size = Get32(zip, at + 24);
    uint16_t name_len = Get16(zip, at + 28), extra_len = Get16(zip, at + 30);
    EXPECT_EQ(zip.substr(at + 46, name_len), name);
    size_t local = Get32(zip, at + 42);
    size_t body = local + 30 + Get16(zip, local + 26) + Get16(zip, local + 28);
    std::string npy = zip.substr(body, size);
    EXPECT_EQ(crc, uint32_t(crc32(0, reinterpret_cast<const Bytef*>(npy.data()), uInt(npy.size()))));
    EXPECT_EQ(Get32(zip, local + 14), crc);
    if (std::string(name) == "data.npy") {
      EXPECT_EQ(size, kNpyHeaderBytes + 24);
      EXPECT_EQ(npy.substr(0, kNpyHeaderBytes), NpyHeader("<f8", {3}));
      EXPECT_EQ(std::memcmp(npy.data() + kNpyHeaderBytes, values, 24), 0);
    }
    at += 46 + name_len + extra_len;
  }
  ::unlink(path.c_str());
}

TEST(NpzWriter, SingleNpyFileIsHeaderThenBody) {
  std::string path = TempPath("npz_writer_test.npy");
  auto npy = *NpzWriter::Create(path, /*single_npy=*/true);
  int32_t values[2] = {7, 8};
  ASSERT_TRUE(npy->WriteArray("x", "<i4", {2, 1}, values, 8).ok());
  EXPECT_FALSE(npy->BeginArray("y", "<i4").ok());
  ASSERT_TRUE(npy->Finish().ok());
  std::string bytes = ReadAll(path);
  EXPECT_EQ(bytes.substr(0, kNpyHeaderBytes), NpyHeader("<i4", {2, 1}));
  EXPECT_EQ(bytes.size(), kNpyHeaderBytes + 8);
  ::unlink(path.c_str());
}

TEST(NpzWriter, AnUnfinishedFileLeavesNothingBehind) {
  std::string path = TempPath("npz_writer_abandoned.npz");
  {
    auto npz = *NpzWriter::Create(path);
    ASSERT_TRUE(npz->BeginArray("data", "<f8").ok());
  }
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace outcore::transform
