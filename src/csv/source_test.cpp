#include "csv/source.h"

#include <bzlib.h>
#include <gtest/gtest.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "csv/format_sniff.h"
#include "csv/temp_dir_test_util.h"

namespace outcore {
namespace {

class SourceTest : public testutil::TempDirTest {
 protected:
  // Reads everything in reads of `chunk` bytes.
  static Result<std::string> ReadAll(ByteSource* source, size_t chunk) {
    std::string all, buf(chunk, '\0');
    while (true) {
      OC_ASSIGN_OR_RETURN(size_t got, source->Read(buf.data(), chunk));
      all.append(buf.data(), got);
      if (got == 0) return all;
    }
  }

  // Opens and reads everything: corruption in the first kSniffBytes shows
  // when opening, later corruption when reading.
  static Result<std::string> OpenAndReadAll(const std::string& path, MemoryBudget* budget = nullptr,
                                            size_t chunk = 1 << 16) {
    OC_ASSIGN_OR_RETURN(auto source, OpenByteSource(path, budget));
    OC_ASSIGN_OR_RETURN(std::string all, ReadAll(source.get(), chunk));
    if (source->raw_bytes_read() != source->file_size()) {
      return Status::Corruption("progress ended at " + std::to_string(source->raw_bytes_read()) + " of " +
                                std::to_string(source->file_size()));
    }
    return all;
  }
};

void ExpectError(const Result<std::string>& result, StatusCode code, const std::string& says) {
  ASSERT_FALSE(result.ok()) << "expected: " << says;
  EXPECT_EQ(result.status().code(), code) << result.status().ToString();
  EXPECT_NE(result.status().message().find(says), std::string::npos) << result.status().message();
}

std::string SampleCsv(size_t rows) {
  std::mt19937 rng(11);
  std::string text = "id,value,name\n";
  for (size_t i = 0; i < rows; ++i) {
    text += std::to_string(i) + "," + std::to_string(rng() % 100000) + ",name" + std::to_string(rng() % 977) +
            "\n";
  }
  return text;
}

// gzip by default; -MAX_WBITS: a raw deflate stream (a zip member's data).
std::string Gzip(const std::string& data, int window_bits = 16 + MAX_WBITS) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
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

std::string Bzip2(const std::string& data, int block_size_100k = 9) {
  std::string out(data.size() + data.size() / 100 + 1024, '\0');
  unsigned out_size = unsigned(out.size());
  EXPECT_EQ(BZ2_bzBuffToBuffCompress(out.data(), &out_size, const_cast<char*>(data.data()),
                                     unsigned(data.size()), block_size_100k, 0, 0),
            BZ_OK);
  out.resize(out_size);
  return out;
}

std::string Xz(const std::string& data, uint32_t preset = 6) {
  std::string out(lzma_stream_buffer_bound(data.size()), '\0');
  size_t out_pos = 0;
  EXPECT_EQ(lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC64, nullptr,
                                    reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                                    reinterpret_cast<uint8_t*>(out.data()), &out_pos, out.size()),
            LZMA_OK);
  out.resize(out_pos);
  return out;
}

// A zip archive written by the book (APPNOTE.TXT 4.3), with the knobs the
// reader must handle: stored or deflated, sizes in a data descriptor, flags.
struct ZipFile {
  std::string name;
  std::string data;
  bool deflate = true;
  bool data_descriptor = false;  // flag bit 3: zeros in the local header, sizes after the data
  uint16_t extra_flags = 0;
  int method = -1;  // overrides the method field
};

void PutU16(std::string* out, uint16_t value) { out->append(reinterpret_cast<const char*>(&value), 2); }
void PutU32(std::string* out, uint32_t value) { out->append(reinterpret_cast<const char*>(&value), 4); }

std::string Zip(const std::vector<ZipFile>& files) {
  std::string out, directory;
  for (const ZipFile& file : files) {
    const std::string stored = file.deflate ? Gzip(file.data, -MAX_WBITS) : file.data;
    const uint16_t method = uint16_t(file.method >= 0 ? file.method : file.deflate ? 8 : 0);
    const uint16_t flags = uint16_t((file.data_descriptor ? 8 : 0) | file.extra_flags);
    const uint32_t crc =
        uint32_t(crc32(0, reinterpret_cast<const Bytef*>(file.data.data()), uInt(file.data.size())));
    const uint32_t offset = uint32_t(out.size());
    auto common = [&](std::string* header, bool local) {
      PutU16(header, 20);  // version needed
      PutU16(header, flags);
      PutU16(header, method);
      PutU32(header, 0);  // time, date
      const bool zeros = local && file.data_descriptor;
      PutU32(header, zeros ? 0 : crc);
      PutU32(header, zeros ? 0 : uint32_t(stored.size()));
      PutU32(header, zeros ? 0 : uint32_t(file.data.size()));
      PutU16(header, uint16_t(file.name.size()));
      PutU16(header, 0);  // extra field length
    };
    PutU32(&out, 0x04034b50);
    common(&out, true);
    out += file.name + stored;
    if (file.data_descriptor) {
      PutU32(&out, 0x08074b50);
      PutU32(&out, crc);
      PutU32(&out, uint32_t(stored.size()));
      PutU32(&out, uint32_t(file.data.size()));
    }
    PutU32(&directory, 0x02014b50);
    PutU16(&directory, 20);  // version made by
    common(&directory, false);
    PutU16(&directory, 0);  // comment length
    PutU16(&directory, 0);  // disk
    PutU16(&directory, 0);  // internal attributes
    PutU32(&directory, 0);  // external attributes
    PutU32(&directory, offset);
    directory += file.name;
  }
  const uint32_t directory_offset = uint32_t(out.size());
  out += directory;
  PutU32(&out, 0x06054b50);
  PutU32(&out, 0);  // disk numbers
  PutU16(&out, uint16_t(files.size()));
  PutU16(&out, uint16_t(files.size()));
  PutU32(&out, uint32_t(directory.size()));
  PutU32(&out, directory_offset);
  PutU16(&out, 0);
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
  ExpectError(OpenAndReadAll(path), StatusCode::kCorruption,
              path + ": corrupt gzip stream at compressed byte");
}

TEST_F(SourceTest, ReportsTruncatedStreamsOfEveryFormat) {
  const std::string csv = SampleCsv(3000);
  for (const std::string& compressed : {Gzip(csv), Zstd(csv), Bzip2(csv), Xz(csv)}) {
    const std::string path = Write("cut.bin", compressed.substr(0, compressed.size() / 2));
    ExpectError(OpenAndReadAll(path), StatusCode::kCorruption, path + ": truncated ");
    ExpectError(OpenAndReadAll(path), StatusCode::kCorruption, "; the file is incomplete");
  }
}

TEST_F(SourceTest, ReportsCorruptZstd) {
  std::string zst = Zstd(SampleCsv(3000));
  for (size_t i = 20; i < 60; ++i) zst[i] = char(~zst[i]);
  ExpectError(OpenAndReadAll(Write("bad.zst", zst)), StatusCode::kCorruption,
              "bad.zst: corrupt zstd stream at compressed byte");
}

TEST_F(SourceTest, RefusesZstdWindowsPastTheCap) {
  // A frame whose header asks for a 256 MiB window (windowLog 28).
  std::string big(1 << 20, 'a');
  std::string zst = Zstd(big, 28);
  auto all = OpenAndReadAll(Write("wide.zst", zst));
  ExpectError(all, StatusCode::kInvalidArgument, "wide.zst: zstd frame at compressed byte ");
  ExpectError(all, StatusCode::kInvalidArgument, "needs a window over 128 MiB");
}

TEST_F(SourceTest, DetectsBzip2ByMagicAndReadsEveryStream) {
  const std::string first = SampleCsv(5000), second = "tail,row\n1,2\n";
  const std::string path = Write("data.csv", Bzip2(first, 1) + Bzip2(second));  // pbzip2 writes several
  MemoryBudget budget(1 << 30);
  auto all = OpenAndReadAll(path, &budget, 4096);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, first + second);
}

TEST_F(SourceTest, Bzip2UsesSmallModeWhenTheBudgetIsShort) {
  const std::string csv = SampleCsv(4000);
  const std::string path = Write("data.bz2", Bzip2(csv));
  MemoryBudget roomy(1 << 30), tight(1 << 20);
  auto fast = OpenByteSource(path, &roomy);
  auto small = OpenByteSource(path, &tight);
  ASSERT_TRUE(fast.ok() && small.ok());
  EXPECT_GT(roomy.used(), tight.used() + (1 << 20));  // 3.7 MB vs 2.35 MB of decoder state
  auto all = ReadAll(small->get(), 1000);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, csv);
}

TEST_F(SourceTest, ReportsCorruptBzip2AndXzWithPathAndOffset) {
  std::string bz = Bzip2(SampleCsv(3000)), xz = Xz(SampleCsv(3000));
  for (size_t i = 200; i < 240; ++i) bz[i] = char(~bz[i]);
  for (size_t i = 200; i < 240; ++i) xz[i] = char(~xz[i]);
  ExpectError(OpenAndReadAll(Write("bad.bz2", bz)), StatusCode::kCorruption,
              "bad.bz2: corrupt bzip2 stream at compressed byte");
  ExpectError(OpenAndReadAll(Write("bad.xz", xz)), StatusCode::kCorruption,
              "bad.xz: corrupt xz stream at compressed byte");
}

TEST_F(SourceTest, DetectsXzAndReadsConcatenatedStreams) {
  const std::string first = SampleCsv(5000), second = "x\n";
  const std::string path = Write("data.csv", Xz(first) + Xz(second, 0));
  MemoryBudget budget(1 << 30);
  auto source = OpenByteSource(path, &budget);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_GT(budget.used(), uint64_t(8) << 20);  // xz -6's 8 MiB dictionary is charged
  auto all = ReadAll(source->get(), 777);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, first + second);
  EXPECT_EQ((*source)->raw_bytes_read(), (*source)->file_size());
}

TEST_F(SourceTest, RefusesXzNeedingMoreMemoryThanTheBudgetAllows) {
  // xz -6 needs a 9 MiB decoder; a 4 MiB budget allows 2 MiB.
  MemoryBudget budget(4 << 20);
  auto all = OpenAndReadAll(Write("big.xz", Xz(SampleCsv(100))), &budget);
  ExpectError(all, StatusCode::kInvalidArgument, "big.xz: xz stream at compressed byte ");
  ExpectError(all, StatusCode::kInvalidArgument, "to decompress, more than the 2 MiB an xz decoder may use");
  ExpectError(all, StatusCode::kInvalidArgument, "raise --memory-limit");
}

TEST_F(SourceTest, ReadsTheOneFileOfAZipArchive) {
  const std::string csv = SampleCsv(4000);
  struct Case {
    const char* what;
    ZipFile file;
  };
  const Case cases[] = {
      {"deflated", {"data.csv", csv}},
      {"stored", {"data.csv", csv, false}},
      {"deflated, data descriptor", {"data.csv", csv, true, true}},
      {"stored, data descriptor", {"data.csv", csv, false, true}},
  };
  for (const Case& c : cases) {
    // Finder's "Compress" adds a folder and a resource fork: not data.
    const std::string zip = Zip({{"export/", ""}, c.file, {"__MACOSX/export/._data.csv", "\0\5\26\7"}});
    MemoryBudget budget(1 << 30);
    auto all = OpenAndReadAll(Write("data.zip", zip), &budget, 1000);
    ASSERT_TRUE(all.ok()) << c.what << ": " << all.status().ToString();
    EXPECT_EQ(*all, csv) << c.what;
  }
}

TEST_F(SourceTest, RefusesAZipOfSeveralFilesNamingThem) {
  const std::string path = Write("two.zip", Zip({{"jan.csv", "a\n1\n"}, {"feb.csv", "a\n2\n"}}));
  ExpectError(OpenAndReadAll(path), StatusCode::kInvalidArgument,
              path + " is a zip archive of 2 files (jan.csv, feb.csv)");
  ExpectError(OpenAndReadAll(Write("none.zip", Zip({{"empty/", ""}}))), StatusCode::kInvalidArgument,
              "is a zip archive with no file in it");
}

TEST_F(SourceTest, RefusesZipMembersItCannotRead) {
  ZipFile encrypted{"data.csv", "a\n1\n"};
  encrypted.extra_flags = 1;
  ExpectError(OpenAndReadAll(Write("secret.zip", Zip({encrypted}))), StatusCode::kInvalidArgument,
              "secret.zip: zip member 'data.csv' is encrypted");
  ZipFile lzma{"data.csv", "a\n1\n", false};
  lzma.method = 14;
  ExpectError(OpenAndReadAll(Write("lzma.zip", Zip({lzma}))), StatusCode::kInvalidArgument,
              "lzma.zip: zip member 'data.csv' is compressed with method 14 (lzma)");
  std::string zip64 = Zip({{"data.csv", "a\n1\n"}});
  zip64.replace(zip64.size() - 6, 4, "\xff\xff\xff\xff");  // the directory offset lives in zip64 fields
  ExpectError(OpenAndReadAll(Write("big.zip", zip64)), StatusCode::kInvalidArgument,
              "big.zip is a zip64 archive");
}

TEST_F(SourceTest, ChecksAZipMembersCrcAndNamesCorruption) {
  const std::string csv = SampleCsv(3000);
  std::string stored = Zip({{"data.csv", csv, false}});
  stored[40 + 1000] = 'X';  // a changed byte of the stored data
  ExpectError(OpenAndReadAll(Write("crc.zip", stored)), StatusCode::kCorruption,
              "crc.zip: corrupt zip stream at compressed byte");
  ExpectError(OpenAndReadAll(Write("crc.zip", stored)), StatusCode::kCorruption, "fails its CRC-32 check");
  std::string deflated = Zip({{"data.csv", csv}});
  for (size_t i = 100; i < 140; ++i) deflated[i] = char(~deflated[i]);
  ExpectError(OpenAndReadAll(Write("bad.zip", deflated)), StatusCode::kCorruption,
              "bad.zip: corrupt zip stream at compressed byte");
  const std::string whole = Zip({{"data.csv", csv}});
  ExpectError(OpenAndReadAll(Write("cut.zip", whole.substr(0, whole.size() / 2))), StatusCode::kCorruption,
              "cut.zip: no zip end-of-central-directory record");
}

TEST_F(SourceTest, RefusesExcelWorkbooksInsideAZip) {
  const std::string xlsx = Zip({{"[Content_Types].xml", "<Types/>"},
                                {"_rels/.rels", "<Relationships/>"},
                                {"xl/workbook.xml", "<workbook/>"},
                                {"xl/worksheets/sheet1.xml", "<worksheet/>"}});
  ExpectError(OpenAndReadAll(Write("report.xlsx", xlsx)), StatusCode::kInvalidArgument,
              "report.xlsx is an Excel workbook (.xlsx), not CSV: save it as CSV");
}

TEST_F(SourceTest, RefusesNonCsvFormatsAlsoWhenCompressed) {
  const std::string jsonl = "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n";
  ExpectError(OpenAndReadAll(Write("rows.jsonl", jsonl)), StatusCode::kInvalidArgument,
              "rows.jsonl is JSON lines (one JSON value per line), not CSV");
  ExpectError(OpenAndReadAll(Write("rows.jsonl.gz", Gzip(jsonl))), StatusCode::kInvalidArgument,
              "rows.jsonl.gz, once decompressed (gzip), is JSON lines (one JSON value per line), not CSV");
  ExpectError(OpenAndReadAll(Write("rows.zip", Zip({{"rows.json", jsonl}}))), StatusCode::kInvalidArgument,
              "rows.zip, once decompressed (zip), is JSON lines");
  ExpectError(OpenAndReadAll(Write("t.parquet", std::string("PAR1\x15\x04", 6) + std::string(100, 'x'))),
              StatusCode::kInvalidArgument, "t.parquet is a Parquet file, not CSV");
}

TEST_F(SourceTest, ACsvStartingWithABracketIsStillCsv) {
  const std::string csv = "[id],{name}\n1,a\n";
  auto all = OpenAndReadAll(Write("brackets.csv", csv));
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, csv);
}

TEST_F(SourceTest, HandsOutTheSniffedHeadAndTheRestInOrder) {
  // Longer than the head, read in pieces that straddle its end.
  const std::string csv = SampleCsv(20000);
  ASSERT_GT(csv.size(), 2 * kSniffBytes);
  for (const std::string& path : {Write("plain.csv", csv), Write("data.xz", Xz(csv, 1))}) {
    auto all = OpenAndReadAll(path, nullptr, 7777);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    EXPECT_EQ(*all, csv) << path;
  }
}

TEST_F(SourceTest, RefusesAZipFromAPipe) {
  const std::string zip = Zip({{"data.csv", "a\n1\n"}});
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], zip.data(), zip.size()), ssize_t(zip.size()));
  close(fds[1]);
  const int saved = dup(0);
  ASSERT_GE(dup2(fds[0], 0), 0);
  auto all = OpenAndReadAll("-");
  dup2(saved, 0);
  close(saved);
  close(fds[0]);
  ExpectError(all, StatusCode::kInvalidArgument, "<stdin> is a zip archive read from a pipe");
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
