#include "csv/format_sniff.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "base/byte_io.h"

namespace outcore {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kParquetMagic = "PAR1";
constexpr std::string_view kArrowFileMagic = "ARROW1";
constexpr std::string_view kFeatherV1Magic = "FEA1";
constexpr std::string_view kArrowContinuation = "\xFF\xFF\xFF\xFF";
// doc/format.md, "File layout": the header magic.
constexpr std::string_view kOutcoreMagic{"OUTCORE\0", 8};
constexpr std::string_view kOle2Magic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
// POSIX ustar header: the magic at byte 257 of the first 512-byte block.
constexpr std::string_view kTarMagic = "ustar";
constexpr size_t kTarMagicOffset = 257;

// Binary formats whose magic is plain letters ("PAR1", "FEA1") could collide
// with a CSV header ("PAR1,PAR2"); their next bytes are binary, a header's are not.
bool HasControlBytes(std::string_view bytes) {
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
  }
  return false;
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A syntax-only JSON scanner over a prefix of a text: it never builds values.
class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) : text_(text) {}

  JsonShape Run() {
    // What the next token may be.
    enum class Expect { kValue, kValueOrClose, kKeyOrClose, kKey, kColon, kCommaOrClose, kNextTopLevel };
    Expect expect = Expect::kValue;
    std::vector<char> open;  // the brackets still open, innermost last
    size_t top_level_values = 0, tokens = 0;
    auto after_value = [&] { expect = open.empty() ? Expect::kNextTopLevel : Expect::kCommaOrClose; };
    while (true) {
      while (pos_ < text_.size() && IsJsonSpace(text_[pos_])) ++pos_;
      if (pos_ == text_.size() || cut_) break;
      const char c = text_[pos_];
      ++tokens;
      switch (expect) {
        case Expect::kKeyOrClose:
        case Expect::kKey:
          if (c == '}' && expect == Expect::kKeyOrClose) {
            ++pos_;
            open.pop_back();
            after_value();
          } else if (c == '"' && String()) {
            expect = Expect::kColon;
          } else {
            return JsonShape::kNotJson;
          }
          break;
        case Expect::kColon:
          if (c != ':') return JsonShape::kNotJson;
          ++pos_;
          expect = Expect::kValue;
          break;
        case Expect::kCommaOrClose:
          if (c == ',') {
            ++pos_;
            expect = open.back() == '{' ? Expect::kKey : Expect::kValue;
          } else if ((c == '}' && open.back() == '{') || (c == ']' && open.back() == '[')) {
            ++pos_;
            open.pop_back();
            after_value();
          } else {
            return JsonShape::kNotJson;
          }
          break;
        case Expect::kValueOrClose:
        case Expect::kValue:
        case Expect::kNextTopLevel:
          if (expect == Expect::kNextTopLevel || top_level_values == 0) ++top_level_values;
          if (c == ']' && expect == Expect::kValueOrClose) {
            ++pos_;
            open.pop_back();
            after_value();
          } else if (c == '{' || c == '[') {
            ++pos_;
            open.push_back(c);
            expect = c == '{' ? Expect::kKeyOrClose : Expect::kValueOrClose;
          } else if (Scalar(c)) {
            after_value();
          } else {
            return JsonShape::kNotJson;
          }
          break;
      }
    }
    if (tokens < 2) return JsonShape::kNotJson;
    return top_level_values > 1 ? JsonShape::kLines : JsonShape::kDocument;
  }

 private:
  // At '"': consumes the string; false if it is not one. Sets cut_ when the
  // text ends inside it.
  bool String() {
    for (++pos_; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;  // a raw newline or tab: not JSON
      if (c == '\\') {
        if (++pos_ == text_.size()) break;
        if (text_[pos_] == '\0' || std::strchr("\"\\/bfnrtu", text_[pos_]) == nullptr) return false;
      }
    }
    cut_ = true;
    return true;
  }

  // A string, number or literal (with Python's NaN and Infinity, which
  // json.dumps writes); false if the token is none of them.
  bool Scalar(char c) {
    if (c == '"') return String();
    if (c == '-' && text_.substr(pos_ + 1, 1) == "I") return Literal("-Infinity", pos_);
    if (c == '-' || (c >= '0' && c <= '9')) {
      bool digits = false;
      for (; pos_ < text_.size() && text_[pos_] != '\0' && std::strchr("+-.eE0123456789", text_[pos_]);
           ++pos_) {
        digits |= text_[pos_] >= '0' && text_[pos_] <= '9';
      }
      if (!digits && pos_ == text_.size()) cut_ = true;  // "-" and then the end
      return digits || cut_;
    }
    for (std::string_view literal : {"true", "false", "null", "NaN", "Infinity"}) {
      if (c == literal[0]) return Literal(literal, pos_);
    }
    return false;
  }

  bool Literal(std::string_view literal, size_t begin) {
    const std::string_view rest = text_.substr(begin, literal.size());
    if (rest != literal.substr(0, rest.size())) return false;
    pos_ = begin + rest.size();
    if (rest.size() < literal.size()) cut_ = true;
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  bool cut_ = false;  // the text ended inside a token
};

Status Refuse(const std::string& path, std::string_view compression, const std::string& what,
              const std::string& advice) {
  const std::string once =
      compression.empty() ? "" : ", once decompressed (" + std::string(compression) + "),";
  return Status::InvalidArgument(path + once + " is " + what + ", not CSV: " + advice);
}

std::string PolarsAdvice(const std::string& read_call) {
  return "convert it to CSV first, e.g. python -c \"import polars as pl; " + read_call +
         ".write_csv('out.csv')\" (or with pyarrow / duckdb), then ingest out.csv";
}

}  // namespace

JsonShape LooksLikeJson(std::string_view head) {
  if (head.starts_with(kUtf8Bom)) head.remove_prefix(kUtf8Bom.size());
  size_t first = 0;
  while (first < head.size() && IsJsonSpace(head[first])) ++first;
  if (first == head.size() || (head[first] != '{' && head[first] != '[')) return JsonShape::kNotJson;
  return JsonScanner(head.substr(first)).Run();
}

std::string SpreadsheetAdvice(const std::string& path) {
  return "save it as CSV (in Excel: File > Save As > CSV UTF-8; or libreoffice --headless --convert-to csv " +
         path + "), or convert it with pandas: python -c \"import pandas as pd; pd.read_excel('" + path +
         "').to_csv('out.csv', index=False)\"";
}

Status CheckLooksLikeCsv(std::string_view head, const std::string& path, std::string_view compression) {
  const std::string quoted = "'" + path + "'";
  const bool binary_start = HasControlBytes(head.substr(0, 64));
  if (head.starts_with(kParquetMagic) && binary_start) {
    return Refuse(path, compression, "a Parquet file", PolarsAdvice("pl.read_parquet(" + quoted + ")"));
  }
  if ((head.starts_with(kArrowFileMagic) || head.starts_with(kFeatherV1Magic)) && binary_start) {
    return Refuse(path, compression, "an Arrow IPC / Feather file",
                  PolarsAdvice("pl.read_ipc(" + quoted + ")"));
  }
  if (head.starts_with(kArrowContinuation) && head.size() >= 8 && LoadLE<int32_t>(head.data() + 4) > 0) {
    return Refuse(path, compression, "an Arrow IPC stream",
                  PolarsAdvice("pl.read_ipc_stream(" + quoted + ")"));
  }
  if (head.starts_with(kOutcoreMagic)) {
    return Refuse(path, compression, "an outcore .oc file already",
                  "read it with outcore info / cat / export, or oc.open(" + quoted + ") in Python");
  }
  if (head.starts_with(kOle2Magic)) {
    return Refuse(path, compression, "an Excel .xls workbook (or another OLE2 Office file)",
                  SpreadsheetAdvice(path));
  }
  // "ustar\0" (POSIX) or "ustar " (GNU) after a NUL-padded file name, so text
  // that happens to hold "ustar" at byte 257 ("custard") is not a tar.
  const size_t tar_flavour = kTarMagicOffset + kTarMagic.size();
  if (head.size() > tar_flavour && head.substr(kTarMagicOffset, kTarMagic.size()) == kTarMagic &&
      (head[tar_flavour] == '\0' || head[tar_flavour] == ' ') &&
      HasControlBytes(head.substr(0, kTarMagicOffset))) {
    return Refuse(path, compression, "a tar archive",
                  "extract it (tar -xf " + path + ") and ingest the CSV files, or pipe one in (tar -xOf " +
                      path + " member.csv | outcore ingest - -o out.oc)");
  }
  switch (LooksLikeJson(head)) {
    case JsonShape::kLines:
      return Refuse(path, compression, "JSON lines (one JSON value per line)",
                    PolarsAdvice("pl.read_ndjson(" + quoted + ")"));
    case JsonShape::kDocument:
      return Refuse(path, compression, "a JSON document",
                    "convert it to CSV first, e.g. python -c \"import pandas as pd; pd.read_json(" + quoted +
                        ").to_csv('out.csv', index=False)\" (nested fields: pd.json_normalize), then ingest "
                        "out.csv");
    case JsonShape::kNotJson:
      break;
  }
  return Status::OK();
}

}  // namespace outcore
