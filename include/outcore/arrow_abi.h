// The Arrow C Data Interface and C Stream Interface: the three structs and the
// flags of the published ABI, written from the specification
// (arrow.apache.org/docs/format/CDataInterface.html and CStreamInterface.html).
// No Arrow library is involved: pyarrow, Polars, DuckDB and any other consumer
// agree on these layouts, so a batch handed over as an ArrowArray is read in
// place by whoever takes it.
//
// The rules that matter here (from the specification):
//   - A struct whose `release` is null has been released (or moved from).
//   - The consumer calls `release` exactly once; the producer's callback frees
//     what it owns and sets `release` to null. Children and the dictionary are
//     released by their parent's callback.
//   - Moving a struct is a plain memcpy, then setting the source's `release` to
//     null.
//   - Buffers are 8-byte aligned where the producer can, never required to be
//     by a consumer; a null validity buffer means no nulls.
//
// The guard macros are the specification's, so that a translation unit which
// also includes another copy of these definitions (nanoarrow, Arrow C++) sees
// them once.
#pragma once

#include <cstdint>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  // Array type description
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;

  // Release callback
  void (*release)(struct ArrowSchema*);
  // Opaque producer-specific data
  void* private_data;
};

struct ArrowArray {
  // Array data description
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;

  // Release callback
  void (*release)(struct ArrowArray*);
  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_DATA_INTERFACE

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  // Callbacks providing stream functionality. Each returns 0 on success or
  // an errno-compatible code; get_next sets out->release to null at the end.
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  // The last error's description, valid until the next call on the stream.
  const char* (*get_last_error)(struct ArrowArrayStream*);

  // Release callback
  void (*release)(struct ArrowArrayStream*);
  // Opaque producer-specific data
  void* private_data;
};

#endif  // ARROW_C_STREAM_INTERFACE

#ifdef __cplusplus
}
#endif
