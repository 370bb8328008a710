// The one file of a zip archive, as a ByteSource. The archive's central
// directory (at its end, so the archive must be a regular file, not a pipe)
// lists every member; a CSV zip holds exactly one file (directories and
// macOS's __MACOSX/ entries aside). Several files, an Excel or OpenDocument
// workbook, encryption, zip64 and methods other than stored and deflate are
// refused with a message naming what was found and what to do.
//
// Layout: PKWARE's APPNOTE.TXT, section 4.3: local file header (4.3.7),
// central directory file header (4.3.12), end of central directory record
// (4.3.16). The central directory's sizes and CRC-32 are authoritative, so a
// member written with a data descriptor (flag bit 3: sizes after the data)
// reads like any other; a deflated member is inflated to the end of its
// deflate stream and checked against both.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "csv/raw_file.h"
#include "csv/source.h"
#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

// A member as the central directory lists it.
struct ZipEntry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint64_t local_header_offset = 0;
};

// Every entry of the archive's central directory, in order.
// REQUIRES: file->seekable().
Result<std::vector<ZipEntry>> ReadZipDirectory(RawFile* file, MemoryBudget* budget);

// The source over the archive's one file (see above for what is refused).
Result<std::unique_ptr<ByteSource>> OpenZipMember(std::unique_ptr<RawFile> file, MemoryBudget* budget);

}  // namespace outcore
