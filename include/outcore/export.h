// Dense arrays out of a .oc file: the one routine behind Dataset.to_numpy,
// Dataset.to_pandas and `outcore export --to npy|npz`. A scan's batches are
// converted column by column straight into memory the caller owns (a NumPy
// array, a memmap, a pandas column's buffers) or into one batch of staging
// that is streamed to a .npy/.npz; nothing is held but one batch. Also the
// dtype plan of a DataFrame (narrowest exact, or pandas' usual) and the
// profile of in-memory columns that compaction of any DataFrame uses.
//
//   OC_ASSIGN_OR_RETURN(auto dataset, outcore::Dataset::Open("sample.oc"));
//   OC_ASSIGN_OR_RETURN(int64_t rows, outcore::CountMatching(dataset, "price > 0"));
//   std::vector<double> x(size_t(rows) * 2);
//   std::vector<outcore::ColumnTarget> targets(2);
//   targets[0] = {.column = "price", .type = outcore::ElementType::kFloat64,
//                 .data = reinterpret_cast<uint8_t*>(x.data()), .stride = 16};
//   targets[1] = {.column = "quantity", .type = outcore::ElementType::kFloat64,
//                 .data = reinterpret_cast<uint8_t*>(x.data() + 1), .stride = 16};
//   OC_ASSIGN_OR_RETURN(int64_t filled, outcore::FillColumns(dataset, targets, rows, {.where = "price >
//   0"}));
//
//   outcore::ExportOptions e{.columns = {"price", "quantity"}};
//   OC_ASSIGN_OR_RETURN(outcore::ExportReport r, outcore::ExportArrays(dataset, e, "X.npy"));
//
// Nulls (doc/python.md, "Nulls in arrays"): a float target gets NaN, a
// datetime target NaT; an integer or bool target refuses a null with an error
// that names the column and the row and says what to do (a float dtype, or
// `where "<column> is not null"`) — unless the target has a mask to record it.
//
// Thread-safety: each call has its own state; a Dataset may be shared.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/column.h"
#include "outcore/dataset.h"
#include "outcore/status.h"

namespace outcore {

// An array element as NumPy knows it.
enum class ElementType : uint8_t {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kDatetimeS,   // int64 seconds since 1970 (datetime64[s]); NaT = INT64_MIN
  kDatetimeUs,  // int64 microseconds (datetime64[us])
};

size_t ElementSize(ElementType type);
// NumPy's name ("float64", "int8", "datetime64[s]").
std::string_view ElementName(ElementType type);
// The .npy descr ("<f8", "|i1", "<M8[s]").
std::string_view NumpyDescr(ElementType type);
// "float64", "f8", "int32", "bool", ... (NumPy's names); `option` names the
// argument in the message ("--dtype", "dtype").
Result<ElementType> ParseElementType(std::string_view name, std::string_view option);

enum class NullPolicy : uint8_t {
  kDefault,  // NaN / NaT for float and datetime targets; refused for the others
  kFail,     // refused for every target
  kMask,     // mask[row] = 1 and a zero value (-1 for codes); needs ColumnTarget::mask
};

// Where one column of the scan goes: row r of the output (counted from the
// first row the fill writes) is the element at data + r * stride.
//
// Conversions: bool -> bool, any int, any float (0/1); int64 -> any int (a
// value out of the type's range is an error), float32/64; float64 ->
// float32/64, or an int type when every value is integral and in range;
// date -> datetime64[s]; timestamp -> datetime64[us]; a dictionary string
// column with `codes` -> its int32 codes as any int type (-1 for null, whatever the null policy). Other
// pairs are refused up front, naming the column.
struct ColumnTarget {
  std::string column;
  ElementType type = ElementType::kFloat64;
  uint8_t* data = nullptr;
  int64_t stride = 0;       // bytes between rows (0: the element size)
  uint8_t* mask = nullptr;  // kMask: one byte per row, contiguous, 1 = missing
  NullPolicy nulls = NullPolicy::kDefault;
  bool codes = false;
  // Set: called with each batch's column and the output row of its first row
  // instead of the conversion above (columns of Python objects); `data` is unused.
  std::function<Status(const ColumnVector& values, int64_t out_row)> custom;
};

struct FillOptions {
  std::string where;          // doc/query.md; empty: every row
  uint64_t memory_limit = 0;  // the scan's buffers (0: DefaultMemoryLimit())
  int64_t batch_rows = 64 * 1024;
  ChunkSpan chunks = {};                      // only these chunks (a partition); all by default
  const std::atomic<bool>* cancel = nullptr;  // set: stop with a Cancelled status
};

// The rows of `dataset` that match `where` (every row when empty), from the
// indexes alone where they answer exactly: the size to allocate.
Result<int64_t> CountMatching(const std::shared_ptr<const Dataset>& dataset, const std::string& where,
                              const std::atomic<bool>* cancel = nullptr, ChunkSpan chunks = {});

// Fills `targets` (one per column, any order, a column at most once) with the
// rows matching options.where, at most `capacity` of them (more is an error:
// count first). Returns the rows written.
Result<int64_t> FillColumns(const std::shared_ptr<const Dataset>& dataset,
                            const std::vector<ColumnTarget>& targets, int64_t capacity,
                            const FillOptions& options = {});

// The default element of a 2-D array of `columns` (NumPy's result_type over
// the columns' dtypes): bool when every column is bool, int64 when every one
// is int64 or bool, else float64. Columns that are neither bool, int64 nor
// float64 are refused, naming the column and pointing to to_pandas.
Result<ElementType> DefaultArrayElement(const Dataset& dataset, const std::vector<std::string>& columns);

// `outcore export`: columns to a .npy (one 2-D array, rows x columns, C order)
// or a .npz (the same as entry "X", or one 1-D array per column), streamed in
// one batch of staging; the header's shape comes from CountMatching, so the
// file is memmap-able as written. Written through base/output_file (hidden
// temporary, atomic rename): a failure or Ctrl-C leaves no file.
struct ExportOptions {
  std::vector<std::string> columns;  // empty: every bool/int64/float64 column
  std::string where;
  std::optional<ElementType> dtype;  // unset: DefaultArrayElement (per column with per_column)
  bool npz = false;                  // false: a .npy
  bool per_column = false;           // .npz only: one array per column, named after it
  uint64_t memory_limit = 0;
  const std::atomic<bool>* cancel = nullptr;
};

struct ExportReport {
  int64_t rows = 0;
  std::vector<std::string> columns;
  std::vector<ElementType> types;  // one per array written
  uint64_t bytes = 0;              // of the file
};

Result<ExportReport> ExportArrays(const std::shared_ptr<const Dataset>& dataset, const ExportOptions& options,
                                  const std::string& path);

// How a column becomes a pandas column (Dataset.to_pandas). kCompact: the
// narrowest exact dtype — int8/16/32/64 from the file's stored min/max,
// category (int8/16/32 codes) for a dictionary string column, bool, float64;
// with nulls the nullable extension dtypes (Int8.., boolean). kPandas: the
// dtypes pandas itself gives — int64 (float64 with NaN where there are
// nulls), float64, bool (object where there are nulls), object for text.
// Both: date -> datetime64[s], timestamp -> datetime64[us], NaT for nulls.
// "Where there are nulls" is read from the file's statistics, so a column's
// dtype does not depend on `where`.
enum class FrameDtypes : uint8_t { kCompact, kPandas };
Result<FrameDtypes> ParseFrameDtypes(std::string_view text, std::string_view option);

enum class FrameKind : uint8_t {
  kValues,       // a NumPy array of `values`
  kMasked,       // `values` + a mask: a pandas extension array (Int8.., boolean)
  kCategorical,  // `values` are dictionary codes (-1: missing) + the categories
  kObject,       // Python objects (str, or True/False/None): filled by the caller's `custom`
};

struct FrameColumnPlan {
  std::string column;
  TypeId source = TypeId::kInt64;
  FrameKind kind = FrameKind::kValues;
  ElementType values = ElementType::kInt64;  // the element filled (codes for kCategorical)
  NullPolicy nulls = NullPolicy::kDefault;
  std::string dtype;  // pandas' name of the result: "int8", "Int16", "category", "object", ...
  // The frame's bytes for this column over `rows` rows: values and mask, plus
  // (categorical) the categories or (object) an estimate of the str objects.
  uint64_t bytes = 0;
};

// The plan of each of `columns` (empty: all) for `rows` rows, from the footer
// alone (no block is read).
Result<std::vector<FrameColumnPlan>> PlanFrame(const Dataset& dataset,
                                               const std::vector<std::string>& columns, FrameDtypes dtypes,
                                               int64_t rows);

// What compaction needs to know of one in-memory column (oc.compact): one
// pass over its values. Integers: min and max. Floats: whether every non-NaN
// value is integral (and within int64, and no -0.0), whether each survives a
// round trip through float32, the NaN count and the integral min/max.
struct ValueProfile {
  int64_t count = 0;
  int64_t nans = 0;
  bool has_range = false;     // some value (non-NaN) was seen
  int64_t min = 0, max = 0;   // integers, or integral floats
  bool fits_int64 = true;     // unsigned integers: every value is <= INT64_MAX
  bool integral = true;       // floats: every non-NaN value is an exact int64 (and no -0.0)
  bool float32_exact = true;  // floats: every value (NaN included) survives float32
};

// `count` values `stride` bytes apart (a NumPy array's strides[0]), each
// `item_bytes` wide (1, 2, 4 or 8 for integers; 4 or 8 for floats).
//   ValueProfile p = ProfileInts(array.data(), n, 8, 8, /*is_signed=*/true);
ValueProfile ProfileInts(const void* values, int64_t count, int64_t stride, int item_bytes, bool is_signed);
ValueProfile ProfileFloats(const void* values, int64_t count, int64_t stride, int item_bytes);

// The narrowest of int8/16/32/64 that holds [min, max].
ElementType NarrowestInt(int64_t min, int64_t max);

}  // namespace outcore
