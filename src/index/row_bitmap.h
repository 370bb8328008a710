// RowBitmap: a set of row numbers (uint32) as a compressed CRoaring bitmap —
// what value and token indexes store per key and what an index lookup or a
// query plan yields. Rows are 32-bit: an index covers at most 2^32 rows.
// Deserialize treats its input as hostile: a malformed bitmap is a Corruption
// status, and the bitmap handed back is rebuilt from validated rows.
//
// Thread-safety: a value owned by one thread; const methods may run
// concurrently. Memory is CRoaring's heap (not budget-charged here: the
// index builder charges an estimate, see ValueIndexBuilder).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "outcore/memory.h"
#include "outcore/status.h"

typedef struct roaring_bitmap_s roaring_bitmap_t;

namespace outcore {

class RowBitmap {
 public:
  // The largest number of rows a bitmap can address.
  static constexpr uint64_t kMaxRows = uint64_t(1) << 32;

  RowBitmap();
  ~RowBitmap();
  RowBitmap(RowBitmap&& other) noexcept;
  RowBitmap& operator=(RowBitmap&& other) noexcept;
  RowBitmap(const RowBitmap&) = delete;
  RowBitmap& operator=(const RowBitmap&) = delete;
  RowBitmap Copy() const;

  // Rows [begin, end).  RowBitmap all = RowBitmap::Range(0, num_rows);
  // REQUIRES: begin <= end <= kMaxRows.
  static RowBitmap Range(uint64_t begin, uint64_t end);
  static RowBitmap FromRows(const std::vector<uint32_t>& rows);

  void Add(uint32_t row);
  // Adds rows[i] + offset for each i; faster than Add when the rows ascend.
  // REQUIRES: every rows[i] + offset < kMaxRows.
  void AddMany(const uint32_t* rows, size_t count, uint64_t offset = 0);
  // REQUIRES: begin <= end <= kMaxRows.
  void AddRange(uint64_t begin, uint64_t end);
  bool Contains(uint32_t row) const;
  uint64_t Cardinality() const;
  // Rows in [begin, end).
  uint64_t CardinalityInRange(uint64_t begin, uint64_t end) const;
  bool IsEmpty() const;
  bool operator==(const RowBitmap& other) const;

  // In place: this = this & other, this | other, this - other.
  void IntersectWith(const RowBitmap& other);
  void UnionWith(const RowBitmap& other);
  void Subtract(const RowBitmap& other);
  // Union of many bitmaps in one pass.
  static RowBitmap UnionAll(const std::vector<const RowBitmap*>& bitmaps);

  // Ascending rows.  for (uint32_t row : bitmap.ToVector()) ...
  std::vector<uint32_t> ToVector() const;
  // Calls fn(row) for every row, ascending; stops early when fn returns false.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::vector<uint32_t> block;
    uint64_t next = 0;
    bool more = true;
    while (more && NextBlock(&next, &block)) {
      for (uint32_t row : block) {
        if (!fn(row)) {
          more = false;
          break;
        }
      }
    }
  }

  // Sets bit (row - first_row) of `bits` for every row in [first_row,
  // first_row + num_rows): turns a plan's rows into a batch's selection.
  // REQUIRES: `bits` holds BitmapBytes(num_rows) bytes; bits are only set.
  //   selection.ResizeZeroed(BitmapBytes(batch.num_rows));
  //   plan.rows.FillBits(batch.first_row, batch.num_rows, selection.data());
  void FillBits(uint64_t first_row, int64_t num_rows, uint8_t* bits) const;

  // Compacts runs (call before serializing; smaller on disk).
  void Optimize();
  // Heap bytes the bitmap holds, estimated from its serialized size (plus a
  // quarter for containers' spare capacity) and ~96 bytes per container for
  // the container objects and allocator headers. Measured against glibc's
  // heap it errs on the high side (5-30%) except for containers of a few
  // hundred values with spare capacity, where it is up to ~15% low.
  uint64_t MemoryEstimate() const;
  // Bytes of the portable serialized form (CRoaring's documented format).
  size_t SerializedSize() const;
  // Appends the portable serialized form to `out`.
  void SerializeTo(Buffer* out) const;
  // Parses exactly `bytes` as one portable bitmap whose rows are all below
  // `row_limit`. Anything else — truncation, trailing bytes, unsorted or
  // out-of-range rows — is Corruption.
  //   OC_ASSIGN_OR_RETURN(RowBitmap rows, RowBitmap::Deserialize(bytes, num_rows));
  static Result<RowBitmap> Deserialize(std::string_view bytes, uint64_t row_limit);

  const roaring_bitmap_t* raw() const { return bitmap_; }

 private:
  explicit RowBitmap(roaring_bitmap_t* bitmap) : bitmap_(bitmap) {}
  // Fills `block` with up to 4096 rows >= *next; false when none are left.
  bool NextBlock(uint64_t* next, std::vector<uint32_t>* block) const;

  roaring_bitmap_t* bitmap_;
};

}  // namespace outcore
