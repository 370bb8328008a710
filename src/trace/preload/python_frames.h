// Python frames at an allocation, read through the interpreter's public C API
// found with dlsym (no Python headers: one library serves every CPython 3.9+).
// Used by the preloaded tracer only when the calling thread holds the GIL.
//
// Thread-safety: Resolve() once at start-up; Capture()/Describe() from any
// thread that holds the GIL (Capture checks that itself).
#pragma once

#include <cstddef>
#include <cstdint>

namespace outcore::trace {

struct PyFrameKey {
  const void* code;  // identifies the function; strings are fetched only for new sites
  uint32_t line;
};

// Looks up the interpreter's symbols; false when this process has no Python.
bool ResolvePythonApi();
// Innermost-first frames of the calling thread; 0 when there is no
// interpreter, it is finalizing, or this thread does not hold the GIL.
int CapturePythonFrames(PyFrameKey* frames, int max_frames);
// Writes "<file>" and "<function>" of a code object into the buffers
// (truncated, no NUL); returns false when unavailable.
bool DescribePythonCode(const void* code, char* file, uint16_t* file_len, char* func, uint16_t* func_len,
                        size_t capacity);

}  // namespace outcore::trace
