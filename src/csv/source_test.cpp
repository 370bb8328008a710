#include "csv/source.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>

namespace outcore {
namespace {

class SourceTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/outcore_source_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // Reads everything in reads of `chunk` bytes.
  static Result<std::string> ReadAll(ByteSource* source, size_t chunk) {
    std::string all, buf(chunk, '\0');
    while (true) {
      OC_ASSIGN_OR_RETURN(size_t got, source->Read(buf.data(), chunk));
      all.append(buf.data(), got);
      if (got == 0) return all;
    }
  }

  std::string dir_;
};

std::string SampleCsv(size_t rows) {
  std::mt19937 rng(11);
  std::string text = "id,value,name\n";
  for (size_t i = 0; i < rows; ++i) {
    text += std::to_string(i) + "," + std::to_string(rng() % 100000) + ",name" + std::to_string(rng() % 977) +
            "\n";
  }
  return text;
}

std::string Gzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, uLong(data.size())) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = uInt(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = uInt(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// Streams the data in (size unknown to the encoder), so the frame header
// carries the window size asked for rather than the content size.
std::string Zstd(const std::string& data, int window_log = 0) {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  if (window_log) ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, window_log);
  std::string out(ZSTD_compressBound(data.size()) + 1024, '\0');
  ZSTD_outBuffer output{out.data(), out.size(), 0};
  ZSTD_inBuffer input{data.data(), data.size(), 0};
  EXPECT_FALSE(ZSTD_isError(ZSTD_compressStream2(context, &output, &input, ZSTD_e_continue)));
  size_t left;
  do {
    left = ZSTD_compressStream2(context, &output, &input, ZSTD_e_end);
    EXPECT_FALSE(ZSTD_isError(left));
  } while (left != 0 && !ZSTD_isError(left));
  ZSTD_freeCCtx(context);
  out.resize(output.pos);
  return out;
}

TEST_F(SourceTest, ReadsPlainFilesWithSizeAndProgress) {
  const std::string csv = SampleCsv(2000);
  MemoryBudget budget(1 << 30);
  auto source = OpenByteSource(Write("plain.csv", csv), &budget);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->file_size(), csv.size());
  auto all = ReadAll(source->get(), 1000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, csv);
  EXPECT_EQ((*source)->raw_bytes_read(), csv.size());
}

TEST_F(SourceTest, ReadsTinyAndEmptyPlainFiles) {
  for (std::string csv : {std::string(""), std::string("a"), std::string("\x1f")}) {
    auto source = OpenByteSource(Write("tiny.csv", csv), nullptr);
    ASSERT_TRUE(source.ok());
    auto all = ReadAll(source->get(), 3);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(*all, csv);
  }
}

TEST_F(SourceTest, DetectsGzipByMagicAndReadsEveryMember) {
  const std::string first = SampleCsv(3000), second = "tail,row\n1,2\n";
  const std::string path = Write("data.bin", Gzip(first) + Gzip(second));  // no .gz: magic decides
  MemoryBudget budget(1 << 30);
  auto source = OpenByteSource(path, &budget);
  ASSERT_TRUE(source.ok());
  EXPECT_GT(budget.used(), 0u);  // the compressed input buffer is charged
  auto all = ReadAll(source->get(), 4096);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, first + second);
  EXPECT_EQ((*source)->raw_bytes_read(), (*source)->file_size());
}

TEST_F(SourceTest, DetectsZstdByMagicAndReadsEveryFrame) {
  const std::string first = SampleCsv(3000), second = "x\n";
  const std::string path = Write("data.csv", Zstd(first) + Zstd(second));
  auto source = OpenByteSource(path, nullptr);
  ASSERT_TRUE(source.ok());
  auto all = ReadAll(source->get(), 777);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, first + second);
}

TEST_F(SourceTest, ReportsCorruptGzipWithPathAndOffset) {
  std::string gz = Gzip(SampleCsv(3000));
  for (size_t i = 100; i < 140; ++i) gz[i] = char(~gz[i]);
  const std::string path = Write("bad.csv.gz", gz);
  auto source = OpenByteSource(path, nullptr);
  ASSERT_TRUE(source.ok());
  auto all = ReadAll(source->get(), 1 << 16);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
  EXPECT_NE(all.status().message().find(path + ": corrupt gzip stream at compressed byte"), std::string::npos)
      << all.status().message();
}

TEST_F(SourceTest, ReportsTruncatedGzipAndZstd) {
  const std::string csv = SampleCsv(3000);
  for (const std::string& compressed : {Gzip(csv), Zstd(csv)}) {
    const std::string path = Write("cut.bin", compressed.substr(0, compressed.size() / 2));
    auto source = OpenByteSource(path, nullptr);
    ASSERT_TRUE(source.ok());
    auto all = ReadAll(source->get(), 1 << 16);
    ASSERT_FALSE(all.ok());
    EXPECT_NE(all.status().message().find("truncated"), std::string::npos) << all.status().message();
  }
}

TEST_F(SourceTest, ReportsCorruptZstd) {
  std::string zst = Zstd(SampleCsv(3000));
  for (size_t i = 20; i < 60; ++i) zst[i] = char(~zst[i]);
  auto source = OpenByteSource(Write("bad.zst", zst), nullptr);
  ASSERT_TRUE(source.ok());
  auto all = ReadAll(source->get(), 1 << 16);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kCorruption);
  EXPECT_NE(all.status().message().find("bad.zst: corrupt zstd stream at compressed byte"), std::string::npos)
      << all.status().message();
}

TEST_F(SourceTest, RefusesZstdWindowsPastTheCap) {
  // A frame whose header asks for a 256 MiB window (windowLog 28).
  std::string big(1 << 20, 'a');
  std::string zst = Zstd(big, 28);
  auto source = OpenByteSource(Write("wide.zst", zst), nullptr);
  ASSERT_TRUE(source.ok());
  auto all = ReadAll(source->get(), 1 << 16);
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.status().message().find("wide.zst: zstd frame at compressed byte "), std::string::npos)
      << all.status().message();
  EXPECT_NE(all.status().message().find("needs a window over 128 MiB"), std::string::npos);
}

TEST_F(SourceTest, DashReadsStdin) {
  const std::string csv = "a,b\n1,2\n";
  const std::string gz = Gzip(csv);  // detection works on a pipe too
  const int saved = dup(0);
  ASSERT_GE(saved, 0);
  FILE* file = std::fopen(Write("stdin.gz", gz).c_str(), "rb");
  ASSERT_NE(file, nullptr);
  ASSERT_GE(dup2(fileno(file), 0), 0);
  auto source = OpenByteSource("-", nullptr);
  Result<std::string> all = source.ok() ? ReadAll(source->get(), 5) : Result<std::string>(source.status());
  source = Status::Cancelled("closed");  // release the source before restoring fd 0
  dup2(saved, 0);
  close(saved);
  std::fclose(file);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, csv);
}

TEST_F(SourceTest, NamesTheMissingFile) {
  auto source = OpenByteSource(dir_ + "/missing.csv", nullptr);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kIOError);
  EXPECT_EQ(source.status().message(), "cannot open " + dir_ + "/missing.csv: No such file or directory");
}

}  // namespace
}  // namespace outcore
