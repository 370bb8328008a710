#include "csv/transcode.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace outcore {

namespace {

// Encoded bytes held for iconv between reads (charged to the budget).
constexpr size_t kTranscodeInputBytes = 256 << 10;
// What iconv_open allocates for its conversion steps (a generous estimate).
constexpr uint64_t kIconvStateBytes = 32 << 10;
// A NUL in at least this share of one byte position (and at most kStrayNulShare
// of the other) marks ASCII text in UTF-16.
constexpr double kUtf16NulShare = 0.4;
constexpr double kStrayNulShare = 0.1;

struct Bom {
  std::string_view bytes;
  const char* encoding;
};
// UTF-32LE before UTF-16LE: FF FE 00 00 starts with the UTF-16LE mark.
constexpr Bom kBoms[] = {{"\xEF\xBB\xBF", "utf-8"},
                         {std::string_view("\xFF\xFE\x00\x00", 4), "utf-32le"},
                         {std::string_view("\x00\x00\xFE\xFF", 4), "utf-32be"},
                         {"\xFF\xFE", "utf-16le"},
                         {"\xFE\xFF", "utf-16be"}};

// "UTF_16-le" -> "utf16le": the spelling compared against, whatever the user typed.
std::string Compact(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c != '-' && c != '_' && c != ' ') out += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string Upper(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IconvKnows(const std::string& name) {
  iconv_t cd = iconv_open("UTF-8", name.c_str());
  if (cd == iconv_t(-1)) return false;
  iconv_close(cd);
  return true;
}

std::string HexBytes(std::string_view bytes) {
  std::string out;
  char hex[8];
  for (unsigned char byte : bytes) {
    std::snprintf(hex, sizeof hex, "%s0x%02X", out.empty() ? "" : " ", byte);
    out += hex;
  }
  return out;
}

// Hands out `prefix` (the bytes read for detection), then the source's bytes.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::unique_ptr<ByteSource> inner, Buffer prefix)
      : inner_(std::move(inner)), prefix_(std::move(prefix)) {}

  Result<size_t> Read(char* dst, size_t n) override {
    const size_t from_prefix = std::min(n, prefix_.size() - prefix_used_);
    if (from_prefix > 0) {
      std::memcpy(dst, prefix_.data() + prefix_used_, from_prefix);
      prefix_used_ += from_prefix;
      if (prefix_used_ == prefix_.size()) {  // handed out: give its memory back
        prefix_.Free();
        prefix_used_ = 0;
      }
      if (from_prefix == n) return n;
    }
    OC_ASSIGN_OR_RETURN(size_t got, inner_->Read(dst + from_prefix, n - from_prefix));
    return from_prefix + got;
  }
  uint64_t raw_bytes_read() const override { return inner_->raw_bytes_read(); }
  uint64_t file_size() const override { return inner_->file_size(); }
  const std::string& path() const override { return inner_->path(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  Buffer prefix_;
  size_t prefix_used_ = 0;
};

// Encoded bytes in, UTF-8 out, through iconv; the output goes straight into
// the caller's buffer.
class TranscodingSource final : public ByteSource {
 public:
  // `offset`: where in the inner stream `head` starts (after a dropped BOM).
  TranscodingSource(std::unique_ptr<ByteSource> inner, iconv_t cd, std::string encoding,
                    std::string_view head, uint64_t offset, MemoryBudget* budget)
      : inner_(std::move(inner)),
        cd_(cd),
        encoding_(std::move(encoding)),
        buffer_(budget),
        budget_(budget),
        offset_(offset) {
    if (budget_) budget_->Reserve(kIconvStateBytes);
    buffer_.Resize(std::max(kTranscodeInputBytes, head.size()));
    std::memcpy(buffer_.data(), head.data(), head.size());
    in_end_ = head.size();
  }
  ~TranscodingSource() override {
    iconv_close(cd_);
    if (budget_) budget_->Release(kIconvStateBytes);
  }

  Result<size_t> Read(char* dst, size_t n) override {
    size_t out = 0;
    while (out < n) {
      if (pending_begin_ < pending_end_) {
        const size_t take = std::min(n - out, pending_end_ - pending_begin_);
        std::memcpy(dst + out, pending_ + pending_begin_, take);
        pending_begin_ += take;
        out += take;
        continue;
      }
      if (in_begin_ == in_end_ || starved_) {
        if (eof_) {
          if (in_begin_ == in_end_) break;
          return Status::DataError(inner_->path() + ": the text ends inside a " + encoding_ +
                                   " character at byte offset " + std::to_string(offset_) + " (" +
                                   HexBytes(Pending()) + "); the file is truncated or not " + encoding_);
        }
        OC_RETURN_IF_ERROR(Refill());
        continue;
      }
      char* to = dst + out;
      size_t room = n - out;
      OC_ASSIGN_OR_RETURN(Step step, Convert(&to, &room));
      out = n - room;
      if (step == Step::kNeedInput) starved_ = true;
      if (step != Step::kOutputFull) continue;
      if (room == 0) break;
      // Less room than the next character needs: convert it aside and hand
      // out what fits, so a short read still means end of input.
      char* aside = pending_;
      size_t aside_room = sizeof pending_;
      OC_ASSIGN_OR_RETURN(step, Convert(&aside, &aside_room));
      if (step == Step::kNeedInput) starved_ = true;
      pending_begin_ = 0;
      pending_end_ = size_t(aside - pending_);
    }
    return out;
  }
  uint64_t raw_bytes_read() const override { return inner_->raw_bytes_read(); }
  uint64_t file_size() const override { return inner_->file_size(); }
  const std::string& path() const override { return inner_->path(); }

 private:
  enum class Step { kConverted, kOutputFull, kNeedInput };

  // The unconverted bytes at the error: one code unit of the encoding.
  std::string_view Pending() const {
    const size_t unit = encoding_.find("16") != std::string::npos   ? 2
                        : encoding_.find("32") != std::string::npos ? 4
                                                                    : 1;
    return {reinterpret_cast<const char*>(buffer_.data()) + in_begin_, std::min(in_end_ - in_begin_, unit)};
  }

  // One iconv call from the buffered input into [*to, *to + *room).
  Result<Step> Convert(char** to, size_t* room) {
    char* in = reinterpret_cast<char*>(buffer_.data()) + in_begin_;
    size_t in_left = in_end_ - in_begin_;
    const size_t rc = iconv(cd_, &in, &in_left, to, room);
    const int error = errno;
    const size_t used = (in_end_ - in_begin_) - in_left;
    in_begin_ += used;
    offset_ += used;
    if (rc != size_t(-1)) return Step::kConverted;
    if (error == E2BIG) return Step::kOutputFull;
    if (error == EINVAL) return Step::kNeedInput;  // a character split at the buffer's end
    if (error == EILSEQ) {
      return Status::DataError(inner_->path() + ": byte offset " + std::to_string(offset_) + " (" +
                               HexBytes(Pending()) + ") is not valid " + encoding_ +
                               " text; pass the file's encoding with --encoding (e.g. utf-8, cp1252, "
                               "latin-1, utf-16le)");
    }
    return Status::IOError(inner_->path() + ": cannot transcode from " + encoding_ + ": " +
                           std::strerror(error));
  }

  // Keeps the unconverted bytes, appends what the inner source has next.
  Status Refill() {
    const size_t left = in_end_ - in_begin_;
    std::memmove(buffer_.data(), buffer_.data() + in_begin_, left);
    in_begin_ = 0;
    OC_ASSIGN_OR_RETURN(size_t got,
                        inner_->Read(reinterpret_cast<char*>(buffer_.data()) + left, buffer_.size() - left));
    in_end_ = left + got;
    eof_ = got == 0;
    if (got > 0) starved_ = false;
    return Status::OK();
  }

  std::unique_ptr<ByteSource> inner_;
  iconv_t cd_;
  std::string encoding_;  // as shown in messages, e.g. "cp1252"
  Buffer buffer_;
  MemoryBudget* budget_;
  size_t in_begin_ = 0, in_end_ = 0;
  uint64_t offset_;  // position of buffer_[in_begin_] in the inner stream
  bool eof_ = false;
  bool starved_ = false;  // the buffered input ends inside a character
  char pending_[16];      // converted bytes that did not fit the caller's buffer
  size_t pending_begin_ = 0, pending_end_ = 0;
};

}  // namespace

SniffedEncoding SniffEncoding(std::string_view head) {
  SniffedEncoding sniffed;
  for (const Bom& bom : kBoms) {
    if (head.substr(0, bom.bytes.size()) == bom.bytes) {
      sniffed.bom_encoding = bom.encoding;
      sniffed.bom_bytes = bom.bytes.size();
      return sniffed;
    }
  }
  head = head.substr(0, kEncodingSniffBytes);
  const size_t pairs = head.size() / 2;
  if (pairs < 2) return sniffed;
  size_t nul_first = 0, nul_second = 0;
  for (size_t pair = 0; pair < pairs; ++pair) {
    nul_first += head[2 * pair] == '\0';
    nul_second += head[2 * pair + 1] == '\0';
  }
  auto many = [pairs](size_t nuls) { return double(nuls) >= kUtf16NulShare * double(pairs); };
  auto few = [pairs](size_t nuls) { return double(nuls) <= kStrayNulShare * double(pairs); };
  if (many(nul_second) && few(nul_first)) sniffed.nul_pattern = "utf-16le";
  if (many(nul_first) && few(nul_second)) sniffed.nul_pattern = "utf-16be";
  return sniffed;
}

Result<std::string> NormalizeEncodingName(std::string_view encoding, std::string_view option) {
  const std::string compact = Compact(encoding);
  if (compact.empty()) return std::string();
  if (compact == "utf8" || compact == "utf8sig") return std::string("UTF-8");
  if (compact == "macroman") return std::string("MACINTOSH");  // Python's name; glibc's differs
  for (const std::string& name : {std::string(encoding), Upper(compact)}) {
    if (IconvKnows(name)) return Upper(name);
  }
  return Status::InvalidArgument(std::string(option) + ": unknown encoding '" + std::string(encoding) +
                                 "'; use e.g. utf-8, utf-16, utf-16le, utf-16be, latin-1, cp1252 "
                                 "(`iconv -l` lists every name)");
}

Result<std::unique_ptr<ByteSource>> DecodeToUtf8(std::unique_ptr<ByteSource> source,
                                                 std::string_view encoding, MemoryBudget* budget,
                                                 std::string* description) {
  OC_ASSIGN_OR_RETURN(std::string asked, NormalizeEncodingName(encoding, "--encoding"));
  Buffer head(budget);
  head.Resize(kEncodingSniffBytes);
  OC_ASSIGN_OR_RETURN(size_t got, source->Read(reinterpret_cast<char*>(head.data()), head.size()));
  head.Resize(got);
  const SniffedEncoding sniffed = SniffEncoding(head.view());

  // A byte order mark cannot be mistaken: it decides, whatever was asked
  // (so one --encoding serves a folder of exports where some carry a BOM).
  std::string from;  // the iconv name; empty: UTF-8, passed through
  size_t skip = 0;
  std::string shown;
  if (!sniffed.bom_encoding.empty()) {
    shown = sniffed.bom_encoding + " (byte order mark)";
    if (sniffed.bom_encoding != "utf-8") {
      from = Upper(sniffed.bom_encoding);
      skip = sniffed.bom_bytes;
    }
  } else if (asked.empty()) {
    if (!sniffed.nul_pattern.empty()) {
      return Status::InvalidArgument(source->path() + " looks like " + sniffed.nul_pattern +
                                     " text without a byte order mark (every other byte is NUL); pass "
                                     "--encoding " +
                                     sniffed.nul_pattern);
    }
    shown = "utf-8";
  } else if (asked == "UTF-8") {
    shown = "utf-8";
  } else if (Compact(asked) == "utf16") {
    // Without a BOM the NUL pattern tells the byte order; else little-endian (Windows, Excel).
    shown = sniffed.nul_pattern.empty() ? std::string("utf-16le") : sniffed.nul_pattern;
    from = Upper(shown);
  } else if (Compact(asked) == "utf32") {
    shown = "utf-32le";
    from = "UTF-32LE";
  } else {
    shown = Compact(encoding) == Compact(asked) ? std::string(encoding) : asked;
    from = asked;
  }
  if (description) *description = shown;
  if (from.empty())
    return std::unique_ptr<ByteSource>(std::make_unique<PrefixedSource>(std::move(source), std::move(head)));

  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == iconv_t(-1)) {
    return Status::InvalidArgument(source->path() + ": cannot transcode from " + from + ": " +
                                   std::strerror(errno));
  }
  std::string_view text = head.view().substr(skip);
  const std::string name = shown.substr(0, shown.find(" ("));
  return std::unique_ptr<ByteSource>(
      std::make_unique<TranscodingSource>(std::move(source), cd, name, text, skip, budget));
}

}  // namespace outcore
