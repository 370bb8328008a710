// Python frames for the preloaded tracer; see python_frames.h.
#include "trace/preload/python_frames.h"

#include <dlfcn.h>
#include <sys/types.h>

#include <atomic>
#include <cstring>

#include "trace/preload/tables.h"

namespace outcore::trace {

// The hooks' reentrancy guard (hooks.cpp): the profile function's own calls
// into Python allocate, and those allocations are the tracer's, not the program's.
extern OC_TRACER_TLS int t_in_hook;

namespace {

using PyObj = void;
using TraceFunc = int (*)(PyObj*, PyObj*, int, PyObj*);
constexpr int kTraceCall = 0, kTraceReturn = 3;
constexpr uint32_t kMaxShadowDepth = 1 << 16;
constexpr size_t kNameMax = 256;

struct PythonApi {
  int (*is_initialized)() = nullptr;
  int (*is_finalizing)() = nullptr;
  int (*gil_check)() = nullptr;
  PyObj* (*get_frame)() = nullptr;             // borrowed
  PyObj* (*frame_get_code)(PyObj*) = nullptr;  // new reference
  int (*frame_get_line)(PyObj*) = nullptr;
  PyObj* (*frame_get_back)(PyObj*) = nullptr;  // new reference
  void (*inc_ref)(PyObj*) = nullptr;
  void (*dec_ref)(PyObj*) = nullptr;
  PyObj* (*get_attr)(PyObj*, const char*) = nullptr;
  const char* (*utf8)(PyObj*, ssize_t*) = nullptr;
  void (*err_fetch)(PyObj**, PyObj**, PyObj**) = nullptr;
  void (*err_restore)(PyObj*, PyObj*, PyObj*) = nullptr;
  int (*add_pending_call)(int (*)(void*), void*) = nullptr;
  PyObj* (*interpreter_get)() = nullptr;
  PyObj* (*thread_head)(PyObj*) = nullptr;
  PyObj* (*thread_next)(PyObj*) = nullptr;
  int (*set_profile_for)(PyObj*, TraceFunc, PyObj*) = nullptr;  // _PyEval_SetProfile
  void (*set_profile_all)(TraceFunc, PyObj*) = nullptr;         // 3.12+
  void (*set_profile)(TraceFunc, PyObj*) = nullptr;             // this thread only
  bool ready = false;
};
PythonApi g_py;

// 0: not installed, 1: a pending call is queued, 2: installed, 3: removed for good.
std::atomic<int> g_install{0};

struct ShadowEntry {
  PyObj* frame;
  const void* code;
  // Line of a suspended (non-innermost) frame: it cannot change until the
  // frames above it return, so it is computed once (0 = not yet).
  uint32_t line;
};
struct ShadowStack {
  ShadowEntry* entries;
  uint32_t capacity;
  uint32_t depth;   // may exceed capacity (then only the first `capacity` are kept)
  bool seen_event;  // the profile function has run on this thread
  bool asked;       // this thread has asked for an installation once
};
OC_TRACER_TLS ShadowStack t_shadow;

// Code object -> names, filled by the profile function (a safe point), read
// by the hooks. Code objects in it are kept alive so their address is never
// reused by another function.
struct CodeNames {
  const void* code;
  uint16_t file_len, func_len;
  char file[kNameMax];
  char func[kNameMax];
};
SpinLock g_names_lock;
CodeNames* g_names = nullptr;
uint64_t g_names_capacity = 0, g_names_count = 0;

uint64_t CodeHash(const void* code) {
  return (reinterpret_cast<uint64_t>(code) >> 4) * 0x9E3779B97F4A7C15ull;
}

CodeNames* FindNamesLocked(const void* code) {
  if (!g_names_capacity) return nullptr;
  uint64_t mask = g_names_capacity - 1;
  for (uint64_t i = CodeHash(code) & mask;; i = (i + 1) & mask) {
    if (g_names[i].code == code) return &g_names[i];
    if (!g_names[i].code) return nullptr;
  }
}

bool InsertNamesLocked(const CodeNames& names) {
  if ((g_names_count + 1) * 2 > g_names_capacity) {
    uint64_t capacity = g_names_capacity ? g_names_capacity * 2 : 1024;
    auto* fresh = static_cast<CodeNames*>(RawAlloc(capacity * sizeof(CodeNames)));
    if (!fresh) return false;
    for (uint64_t i = 0; i < g_names_capacity; ++i) {
      if (!g_names[i].code) continue;
      uint64_t j = CodeHash(g_names[i].code) & (capacity - 1);
      while (fresh[j].code) j = (j + 1) & (capacity - 1);
      fresh[j] = g_names[i];
    }
    RawFree(g_names, g_names_capacity * sizeof(CodeNames));
    g_names = fresh;
    g_names_capacity = capacity;
  }
  uint64_t mask = g_names_capacity - 1;
  uint64_t i = CodeHash(names.code) & mask;
  while (g_names[i].code) i = (i + 1) & mask;
  g_names[i] = names;
  ++g_names_count;
  return true;
}

template <typename Fn>
bool Load(Fn* fn, const char* name) {
  *fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
  return *fn != nullptr;
}

void CopyAttr(PyObj* code, const char* attr, char* out, uint16_t* out_len) {
  *out_len = 0;
  PyObj* value = g_py.get_attr(code, attr);
  if (!value) return;
  ssize_t size = 0;
  if (const char* text = g_py.utf8(value, &size); text && size > 0) {
    size_t n = size_t(size) < kNameMax ? size_t(size) : kNameMax;
    std::memcpy(out, text, n);
    *out_len = uint16_t(n);
  }
  g_py.dec_ref(value);
}

// At a safe point (profile function or pending call): make sure the names of
// `code` are cached. Thread-local memo of recent code objects skips the lock.
void RememberCode(PyObj* code) {
  constexpr int kMemo = 64;
  static OC_TRACER_TLS const void* t_memo[kMemo];
  const void*& memo = t_memo[CodeHash(code) >> 58];
  if (memo == code) return;
  g_names_lock.Lock();
  bool known = FindNamesLocked(code) != nullptr;
  g_names_lock.Unlock();
  if (!known) {
    CodeNames names{};
    names.code = code;
    PyObj *type = nullptr, *value = nullptr, *traceback = nullptr;
    g_py.err_fetch(&type, &value, &traceback);
    CopyAttr(code, "co_filename", names.file, &names.file_len);
    CopyAttr(code, "co_qualname", names.func, &names.func_len);
    if (!names.func_len) CopyAttr(code, "co_name", names.func, &names.func_len);
    g_py.err_restore(type, value, traceback);
    g_names_lock.Lock();
    if (!FindNamesLocked(code) && InsertNamesLocked(names)) g_py.inc_ref(code);
    g_names_lock.Unlock();
  }
  memo = code;
}

void Push(PyObj* frame, const void* code) {
  ShadowStack& s = t_shadow;
  // The first 1024 entries, then twice as many up to kMaxShadowDepth (a failed
  // allocation leaves the stack as it was: deeper frames are counted, not kept).
  if (!s.entries || (s.depth == s.capacity && s.capacity < kMaxShadowDepth)) {
    GrowRawArray(&s.entries, s.capacity, &s.capacity, uint32_t(1024));
  }
  // The caller is suspended from now on; the line it had as the innermost
  // frame may be stale, so it is computed afresh once.
  if (s.depth > 0 && s.depth <= s.capacity) s.entries[s.depth - 1].line = 0;
  if (s.depth < s.capacity) s.entries[s.depth] = {frame, code, 0};
  ++s.depth;
}

void SeedCurrentThread();

int OnProfileEvent(PyObj*, PyObj* frame, int what, PyObj*) {
  if (what != kTraceCall && what != kTraceReturn) return 0;
  ++t_in_hook;
  ShadowStack& s = t_shadow;
  if (!s.seen_event) {
    // The first event on a thread that got the profile function while it was
    // already running: its outer frames were entered unseen, so read them now
    // (a safe point). The current frame is the one this event is about.
    s.seen_event = true;
    SeedCurrentThread();
    if (what == kTraceCall && s.depth && s.depth <= s.capacity && s.entries[s.depth - 1].frame == frame) {
      --t_in_hook;
      return 0;  // already seeded
    }
  }
  if (what == kTraceCall) {
    PyObj* code = g_py.frame_get_code(frame);
    if (code) {
      RememberCode(code);
      g_py.dec_ref(code);  // the frame keeps it alive; the cache holds its own
    }
    Push(frame, code);
  } else if (s.depth > 0) {
    --s.depth;
  }
  --t_in_hook;
  return 0;
}

// Seeds this thread's shadow stack with the frames already running (the
// module being executed when the profiler arrives), outermost first.
void SeedCurrentThread() {
  PyObj* chain[256];
  int n = 0;
  PyObj* frame = g_py.get_frame();
  if (frame) g_py.inc_ref(frame);
  while (frame && n < 256) {
    chain[n++] = frame;
    frame = g_py.frame_get_back(frame);
  }
  if (frame) g_py.dec_ref(frame);
  t_shadow.depth = 0;
  for (int i = n - 1; i >= 0; --i) {
    PyObj* code = g_py.frame_get_code(chain[i]);
    if (code) {
      RememberCode(code);
      g_py.dec_ref(code);
    }
    Push(chain[i], code);
    // The interpreter holds these frames while they run; our references can go.
    g_py.dec_ref(chain[i]);
  }
}

// Sets (or, with nullptr, removes) the profile function of every thread.
// REQUIRES: the GIL.
void SetProfileEverywhere(TraceFunc profile) {
  if (g_py.set_profile_for && g_py.interpreter_get && g_py.thread_head && g_py.thread_next) {
    for (PyObj* ts = g_py.thread_head(g_py.interpreter_get()); ts; ts = g_py.thread_next(ts)) {
      g_py.set_profile_for(ts, profile, nullptr);
    }
  } else if (g_py.set_profile_all) {
    g_py.set_profile_all(profile, nullptr);
  } else {
    g_py.set_profile(profile, nullptr);
  }
}

int InstallProfiler(void*) {
  if (g_install.load() == 3) return 0;  // removed before this pending call ran
  ++t_in_hook;
  if (!t_shadow.seen_event) SeedCurrentThread();
  t_shadow.seen_event = true;
  SetProfileEverywhere(OnProfileEvent);
  int queued = 1;
  g_install.compare_exchange_strong(queued, 2);  // not if removed meanwhile
  --t_in_hook;
  return 0;
}

}  // namespace

bool ResolvePythonApi() {
  bool ok = Load(&g_py.is_initialized, "Py_IsInitialized") && Load(&g_py.gil_check, "PyGILState_Check") &&
            Load(&g_py.get_frame, "PyEval_GetFrame") && Load(&g_py.frame_get_code, "PyFrame_GetCode") &&
            Load(&g_py.frame_get_line, "PyFrame_GetLineNumber") &&
            Load(&g_py.frame_get_back, "PyFrame_GetBack") && Load(&g_py.inc_ref, "Py_IncRef") &&
            Load(&g_py.dec_ref, "Py_DecRef") && Load(&g_py.get_attr, "PyObject_GetAttrString") &&
            Load(&g_py.utf8, "PyUnicode_AsUTF8AndSize") && Load(&g_py.err_fetch, "PyErr_Fetch") &&
            Load(&g_py.err_restore, "PyErr_Restore") && Load(&g_py.add_pending_call, "Py_AddPendingCall") &&
            Load(&g_py.set_profile, "PyEval_SetProfile");
  Load(&g_py.interpreter_get, "PyInterpreterState_Get");
  Load(&g_py.thread_head, "PyInterpreterState_ThreadHead");
  Load(&g_py.thread_next, "PyThreadState_Next");
  Load(&g_py.set_profile_for, "_PyEval_SetProfile");
  Load(&g_py.set_profile_all, "PyEval_SetProfileAllThreads");
  // The name changed in 3.13; older ones only have the underscored one.
  if (!Load(&g_py.is_finalizing, "Py_IsFinalizing")) Load(&g_py.is_finalizing, "_Py_IsFinalizing");
  g_py.ready = ok;
  return ok;
}

void MaybeInstallPythonProfiler() {
  if (!g_py.ready) return;
  int state = g_install.load(std::memory_order_relaxed);
  // Installed everywhere we know of, or this thread is covered or has asked
  // already (once per thread: a thread busy in C code must not ask forever).
  if (state == 1 || state == 3 || t_shadow.seen_event || t_shadow.asked) return;
  if (!g_py.is_initialized() || (g_py.is_finalizing && g_py.is_finalizing())) return;
  // A thread that runs Python but has never reported an event was started
  // after the last installation: install again (covers new threads).
  if (g_py.gil_check() != 1) return;
  int expected = state;
  if (!g_install.compare_exchange_strong(expected, 1)) return;
  if (g_py.add_pending_call(InstallProfiler, nullptr) != 0) {
    g_install.store(state);  // the queue is full: ask again on a later allocation
    return;
  }
  t_shadow.asked = true;
}

void InstallPythonProfilerNow() {
  if (!g_py.ready || !g_py.is_initialized() || g_py.gil_check() != 1) return;
  int expected = 0;
  if (g_install.compare_exchange_strong(expected, 1)) InstallProfiler(nullptr);
}

void RemovePythonProfiler() {
  if (!g_py.ready) return;
  g_install.store(3);
  ++t_in_hook;
  SetProfileEverywhere(nullptr);
  --t_in_hook;
}

int CapturePythonFrames(PyFrameKey* frames, int max_frames) {
  ShadowStack& s = t_shadow;
  if (!s.depth || !s.entries) return 0;
  uint32_t top = s.depth < s.capacity ? s.depth : s.capacity;
  int count = 0;
  for (uint32_t i = top; i > 0 && count < max_frames; --i) {
    ShadowEntry& entry = s.entries[i - 1];
    frames[count].code = entry.code;
    bool innermost = i == s.depth;
    if (!entry.frame) {
      frames[count].line = 0;
    } else if (innermost || entry.line == 0) {
      // PyFrame_GetLineNumber scans the line table; suspended frames keep it.
      uint32_t line = uint32_t(g_py.frame_get_line(entry.frame));
      if (!innermost) entry.line = line;
      frames[count].line = line;
    } else {
      frames[count].line = entry.line;
    }
    ++count;
  }
  return count;
}

bool DescribePythonCode(const void* code, char* file, uint16_t* file_len, char* func, uint16_t* func_len,
                        size_t capacity) {
  *file_len = *func_len = 0;
  g_names_lock.Lock();
  const CodeNames* names = FindNamesLocked(code);
  if (names) {
    *file_len = uint16_t(names->file_len < capacity ? names->file_len : capacity);
    *func_len = uint16_t(names->func_len < capacity ? names->func_len : capacity);
    std::memcpy(file, names->file, *file_len);
    std::memcpy(func, names->func, *func_len);
  }
  g_names_lock.Unlock();
  return names != nullptr;
}

}  // namespace outcore::trace
