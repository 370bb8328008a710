// The part manifest (format/manifest.h): its bytes, validated parsing, the
// atomic rewrite, and a part's entry made from its file.
#include "format/manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "base/output_file.h"
#include "format/zone_map.h"

namespace outcore::format {

namespace {

// doc/format.md, "The part manifest": the fewest bytes an entry takes, so a
// count the body cannot hold is refused before it sizes a vector.
constexpr size_t kMinManifestColumnBytes = 4 + 1;        // empty name, type
constexpr size_t kMinManifestPartBytes = 4 + 8 + 8 + 8;  // empty name, rows, chunks, size
constexpr size_t kMinZoneBytes = 8 + 1;                  // null count, flags
constexpr uint32_t kMaxManifestColumns = 100000;         // as the .oc schema
constexpr uint32_t kMaxNameBytes = 64 * 1024;

bool ValidPartFileName(std::string_view name) {
  return !name.empty() && name[0] != '.' && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos && name != kManifestFileName;
}

}  // namespace

uint64_t Manifest::num_rows() const {
  uint64_t rows = 0;
  for (const ManifestPart& part : parts) rows += part.rows;
  return rows;
}

uint64_t Manifest::MemoryBytes() const {
  uint64_t bytes =
      sizeof(Manifest) + schema.capacity() * sizeof(ManifestColumn) + parts.capacity() * sizeof(ManifestPart);
  for (const ManifestColumn& column : schema) bytes += column.name.capacity();
  for (const ManifestPart& part : parts) {
    bytes += part.file.capacity() + part.columns.capacity() * sizeof(ZoneMap);
    for (const ZoneMap& zone : part.columns) bytes += zone.min_string.capacity() + zone.max_string.capacity();
  }
  return bytes;
}

std::string ManifestPath(const std::string& folder) {
  if (!folder.empty() && folder.back() == '/') return folder + kManifestFileName;
  return folder + "/" + kManifestFileName;
}

void SerializeManifest(const Manifest& manifest, Buffer* out) {
  ByteWriter w(out);
  w.Bytes(kManifestMagic, sizeof kManifestMagic);
  w.U32(kManifestVersion);
  w.U32(0);  // flags
  const size_t length_at = w.PlaceholderU64();
  const size_t body_at = w.size();
  w.U32(uint32_t(manifest.schema.size()));
  for (const ManifestColumn& column : manifest.schema) {
    w.Str(column.name);
    w.U8(uint8_t(column.type));
  }
  w.U64(manifest.parts.size());
  for (const ManifestPart& part : manifest.parts) {
    w.Str(part.file);
    w.U64(part.rows);
    w.U64(part.chunks);
    w.U64(part.file_size);
    for (size_t column = 0; column < manifest.schema.size(); ++column)
      WriteZoneMap(w, manifest.schema[column].type, part.columns[column]);
  }
  const size_t body_length = w.size() - body_at;
  w.PatchU64(length_at, body_length);
  w.U64(XXH3_64bits(out->data() + body_at, body_length));
}

Status ParseManifest(std::string_view bytes, const std::string& path, Manifest* out) {
  const auto bad = [&](const std::string& what) {
    return Status::Corruption(path + ": " + what + " (the part manifest is damaged; rebuild it with " +
                              "`outcore ingest PARTS -o FOLDER --parts` or oc.add_parts)");
  };
  if (bytes.size() < kManifestFramingSize)
    return bad("it is " + std::to_string(bytes.size()) + " bytes, shorter than the " +
               std::to_string(kManifestFramingSize) + " every manifest has (truncated)");
  if (std::memcmp(bytes.data(), kManifestMagic, sizeof kManifestMagic) != 0)
    return Status::Corruption(path + ": not an outcore part manifest (its first bytes are not \"OCPARTS\")");
  const uint32_t version = LoadLE<uint32_t>(bytes.data() + 8);
  const uint32_t flags = LoadLE<uint32_t>(bytes.data() + 12);
  if (version != kManifestVersion) {
    return Status::Corruption(path + ": part manifest version " + std::to_string(version) +
                              "; this outcore reads version " + std::to_string(kManifestVersion) +
                              " (written by a newer outcore?)");
  }
  if (flags != 0) return bad("unknown flags " + std::to_string(flags));
  const uint64_t body_length = LoadLE<uint64_t>(bytes.data() + kManifestHeaderSize);
  if (body_length != bytes.size() - kManifestFramingSize) {
    return bad("its body should be " + std::to_string(body_length) + " bytes, the file holds " +
               std::to_string(bytes.size() - kManifestFramingSize) + " (truncated or appended to)");
  }
  const std::string_view body = bytes.substr(kManifestHeaderSize + 8, size_t(body_length));
  const uint64_t checksum = LoadLE<uint64_t>(bytes.data() + bytes.size() - 8);
  if (XXH3_64bits(body.data(), body.size()) != checksum) return bad("checksum mismatch");

  ByteReader r(body, "part manifest");
  Manifest m;
  uint32_t column_count = 0;
  if (!r.U32(&column_count)) return bad("truncated column count");
  if (column_count == 0 || column_count > kMaxManifestColumns ||
      column_count > r.remaining() / kMinManifestColumnBytes)
    return bad("column count " + std::to_string(column_count) + " is out of range");
  std::set<std::string_view> names;
  m.schema.resize(column_count);
  for (ManifestColumn& column : m.schema) {
    uint8_t type = 0;
    if (!r.Str(&column.name, kMaxNameBytes) || !r.U8(&type)) return bad("truncated schema");
    if (type < uint8_t(TypeId::kBool) || type > uint8_t(TypeId::kTimestamp))
      return bad("column '" + column.name + "' has unknown type id " + std::to_string(type));
    column.type = TypeId(type);
  }
  for (const ManifestColumn& column : m.schema) {
    if (!names.insert(column.name).second) return bad("column '" + column.name + "' appears twice");
  }
  uint64_t part_count = 0;
  if (!r.U64(&part_count)) return bad("truncated part count");
  const size_t min_part = kMinManifestPartBytes + column_count * kMinZoneBytes;
  if (part_count > r.remaining() / min_part)
    return bad("part count " + std::to_string(part_count) + " is more than its bytes can hold");
  m.parts.resize(size_t(part_count));
  std::set<std::string_view> files;
  uint64_t rows = 0;
  for (size_t index = 0; index < m.parts.size(); ++index) {
    ManifestPart& part = m.parts[index];
    const std::string which = "part " + std::to_string(index);
    if (!r.Str(&part.file, kMaxNameBytes) || !r.U64(&part.rows) || !r.U64(&part.chunks) ||
        !r.U64(&part.file_size))
      return bad("truncated " + which);
    if (!ValidPartFileName(part.file))
      return bad(which + " has the file name '" + part.file + "', which is not a file inside the folder");
    if (!files.insert(part.file).second) return bad("the part file '" + part.file + "' is named twice");
    if (part.chunks > part.rows || (part.rows > 0 && (part.rows - 1) / kMaxChunkRows >= part.chunks))
      return bad(which + " (" + part.file + ") claims " + std::to_string(part.rows) + " rows in " +
                 std::to_string(part.chunks) + " chunks");
    if (rows + part.rows < rows) return bad("the parts' row counts overflow");
    rows += part.rows;
    part.columns.resize(column_count);
    for (size_t column = 0; column < column_count; ++column) {
      ZoneMap& zone = part.columns[column];
      if (!ReadZoneMap(r, m.schema[column].type, &zone))
        return bad("truncated statistics of column '" + m.schema[column].name + "' in " + which);
      if (std::string problem = CoreProblem(m.schema[column].type, zone); !problem.empty())
        return bad("the statistics of column '" + m.schema[column].name + "' in " + which +
                   " are damaged: " + problem);
      if (zone.null_count > part.rows)
        return bad(which + " (" + part.file + ") counts more nulls in column '" + m.schema[column].name +
                   "' than it has rows");
    }
  }
  if (r.remaining() != 0) return bad(std::to_string(r.remaining()) + " bytes follow the last part");
  *out = std::move(m);
  return Status::OK();
}

Result<Manifest> ReadManifest(const std::string& folder, MemoryBudget* budget) {
  const std::string path = ManifestPath(folder);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return Status::IOError(folder + " is a folder without a part manifest (" + kManifestFileName +
                             "): not an outcore data set of parts");
    return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError(path + ": not a regular file");
  }
  if (uint64_t(st.st_size) > kMaxManifestBytes) {
    ::close(fd);
    return Status::Corruption(path + ": " + std::to_string(st.st_size) +
                              " bytes, more than a part manifest " + "can be");
  }
  Buffer bytes(budget);
  bytes.Resize(size_t(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done, off_t(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      return Status::IOError(path + ": read failed: " + (n < 0 ? std::strerror(error) : "file shrank"));
    }
    done += size_t(n);
  }
  ::close(fd);
  Manifest manifest;
  OC_RETURN_IF_ERROR(ParseManifest(bytes.view(), path, &manifest));
  return manifest;
}

Status WriteManifest(const std::string& folder, const Manifest& manifest, MemoryBudget* budget) {
  Buffer bytes(budget);
  SerializeManifest(manifest, &bytes);
  OC_ASSIGN_OR_RETURN(auto out, OutputFile::Create(ManifestPath(folder), "the part manifest"));
  OC_RETURN_IF_ERROR(out->Write(bytes.data(), bytes.size()));
  return out->Commit();
}

Result<ManifestPart> DescribePart(const FileReader& reader, const std::string& file, MemoryBudget* budget) {
  const FileMetadata& meta = reader.metadata();
  ManifestPart part;
  part.file = file;
  part.rows = meta.num_rows;
  part.chunks = meta.chunks.size();
  part.file_size = reader.file_size();
  part.columns.resize(meta.columns.size());
  ChunkMeta chunk;
  Buffer scratch(budget);
  for (size_t index = 0; index < meta.chunks.size(); ++index) {
    OC_RETURN_IF_ERROR(reader.ReadChunk(index, &chunk, &scratch));
    for (size_t column = 0; column < meta.columns.size(); ++column)
      MergeZoneMap(meta.columns[column].type, chunk.columns[column].zone, &part.columns[column]);
  }
  return part;
}

std::vector<ManifestColumn> ManifestSchemaOf(const FileMetadata& metadata) {
  std::vector<ManifestColumn> schema;
  for (const ColumnMeta& column : metadata.columns) schema.push_back({column.name, column.type});
  return schema;
}

Status CheckPartSchema(const Manifest& manifest, const FileMetadata& part, const std::string& part_file) {
  const std::string first = manifest.parts.empty() ? "" : " (first part: " + manifest.parts[0].file + ")";
  const auto mismatch = [&](const std::string& what) {
    return Status::InvalidArgument(part_file + ": " + what + first +
                                   "; every part of a data set has the same columns, in the same order and " +
                                   "of the same types (ingest it with --schema to match)");
  };
  const size_t common = std::min(manifest.schema.size(), part.columns.size());
  for (size_t column = 0; column < common; ++column) {
    const ManifestColumn& want = manifest.schema[column];
    const ColumnMeta& have = part.columns[column];
    if (have.name != want.name) {
      const int elsewhere = part.FindColumn(want.name);
      return mismatch("column " + std::to_string(column + 1) + " is '" + have.name +
                      "', the data set's parts have '" + want.name + "' there" +
                      (elsewhere >= 0 ? " ('" + want.name + "' is column " + std::to_string(elsewhere + 1) +
                                            " of this part: a different order)"
                                      : ""));
    }
    if (have.type != want.type) {
      return mismatch("column '" + want.name + "' is " + std::string(TypeName(have.type)) +
                      ", the data set's parts have it as " + std::string(TypeName(want.type)));
    }
  }
  if (part.columns.size() < manifest.schema.size())
    return mismatch("column '" + manifest.schema[common].name + "' is missing");
  if (part.columns.size() > manifest.schema.size())
    return mismatch("column '" + part.columns[common].name + "' is not in the data set's parts");
  return Status::OK();
}

}  // namespace outcore::format
