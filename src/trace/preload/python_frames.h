// Python frames at an allocation, for the preloaded tracer. Calling into the
// interpreter from inside malloc is unsafe (pymalloc is not reentrant), so
// a C profile function (installed at a safe point through Py_AddPendingCall)
// keeps a per-thread shadow stack of frames, and resolves each code object's
// file and function names once, at call time. The hooks then only read that
// shadow stack and PyFrame_GetLineNumber, which never allocates. Interpreter
// symbols come from dlsym: one library serves every CPython 3.9+.
//
// Thread-safety: every function may be called from any thread; the shadow
// stack is thread-local, the name cache is lock-protected.
#pragma once

#include <cstddef>
#include <cstdint>

namespace outcore::trace {

struct PyFrameKey {
  const void* code;  // identifies the function; names come from the cache
  uint32_t line;
};

// Looks up the interpreter's symbols; false when this process has no Python.
bool ResolvePythonApi();
// From a hook: when the interpreter is up and some thread still lacks the
// profile function, schedules its installation (never allocates).
void MaybeInstallPythonProfiler();
// Installs the profile function now (oc.trace(), called from Python), so
// that the first allocations of the traced block already have their lines.
// REQUIRES: the caller holds the GIL.
void InstallPythonProfilerNow();
// Removes the profile function from every thread (the in-process tracer's
// end); a pending installation that has not run yet then does nothing.
// REQUIRES: the caller holds the GIL.
void RemovePythonProfiler();
// Innermost-first frames of the calling thread; 0 when it runs no Python.
int CapturePythonFrames(PyFrameKey* frames, int max_frames);
// Copies the cached "<file>" and "<function>" of a code object (truncated, no
// NUL); false when the code object was never seen by the profile function.
bool DescribePythonCode(const void* code, char* file, uint16_t* file_len, char* func, uint16_t* func_len,
                        size_t capacity);

}  // namespace outcore::trace
