// Python frames for the preloaded tracer; see python_frames.h.
#include "trace/preload/python_frames.h"

#include <dlfcn.h>
#include <sys/types.h>

#include <cstring>

namespace outcore::trace {

namespace {

using PyObj = void;
struct PythonApi {
  int (*is_initialized)() = nullptr;
  int (*is_finalizing)() = nullptr;
  int (*gil_check)() = nullptr;
  PyObj* (*get_frame)() = nullptr;             // borrowed
  PyObj* (*frame_get_code)(PyObj*) = nullptr;   // new reference
  int (*frame_get_line)(PyObj*) = nullptr;
  PyObj* (*frame_get_back)(PyObj*) = nullptr;   // new reference
  void (*dec_ref)(PyObj*) = nullptr;
  PyObj* (*get_attr)(PyObj*, const char*) = nullptr;
  const char* (*utf8)(PyObj*, ssize_t*) = nullptr;
  void (*err_fetch)(PyObj**, PyObj**, PyObj**) = nullptr;
  void (*err_restore)(PyObj*, PyObj*, PyObj*) = nullptr;
  bool ready = false;
};
PythonApi g_py;

template <typename Fn>
bool Load(Fn* fn, const char* name) {
  *fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
  return *fn != nullptr;
}

bool CopyAttr(PyObj* code, const char* attr, char* out, uint16_t* out_len, size_t capacity) {
  PyObj* value = g_py.get_attr(code, attr);
  if (!value) return false;
  ssize_t size = 0;
  const char* text = g_py.utf8(value, &size);
  bool ok = text != nullptr && size >= 0;
  if (ok) {
    size_t n = size_t(size) < capacity ? size_t(size) : capacity;
    std::memcpy(out, text, n);
    *out_len = uint16_t(n);
  }
  g_py.dec_ref(value);
  return ok;
}

}  // namespace

bool ResolvePythonApi() {
  bool ok = Load(&g_py.is_initialized, "Py_IsInitialized") && Load(&g_py.gil_check, "PyGILState_Check") &&
            Load(&g_py.get_frame, "PyEval_GetFrame") && Load(&g_py.frame_get_code, "PyFrame_GetCode") &&
            Load(&g_py.frame_get_line, "PyFrame_GetLineNumber") && Load(&g_py.frame_get_back, "PyFrame_GetBack") &&
            Load(&g_py.dec_ref, "Py_DecRef") && Load(&g_py.get_attr, "PyObject_GetAttrString") &&
            Load(&g_py.utf8, "PyUnicode_AsUTF8AndSize") && Load(&g_py.err_fetch, "PyErr_Fetch") &&
            Load(&g_py.err_restore, "PyErr_Restore");
  // The name changed in 3.13; older ones only have the underscored one.
  if (!Load(&g_py.is_finalizing, "Py_IsFinalizing")) Load(&g_py.is_finalizing, "_Py_IsFinalizing");
  g_py.ready = ok;
  return ok;
}

int CapturePythonFrames(PyFrameKey* frames, int max_frames) {
  if (!g_py.ready || !g_py.is_initialized()) return 0;
  if (g_py.is_finalizing && g_py.is_finalizing()) return 0;
  if (g_py.gil_check() != 1) return 0;
  PyObj* frame = g_py.get_frame();
  int count = 0;
  bool owned = false;  // the first frame is borrowed, every PyFrame_GetBack is ours
  while (frame && count < max_frames) {
    PyObj* code = g_py.frame_get_code(frame);
    frames[count].code = code;
    frames[count].line = uint32_t(g_py.frame_get_line(frame));
    ++count;
    // The frame keeps its code object alive, so our reference can go now.
    if (code) g_py.dec_ref(code);
    PyObj* back = g_py.frame_get_back(frame);
    if (owned) g_py.dec_ref(frame);
    frame = back;
    owned = true;
  }
  if (frame && owned) g_py.dec_ref(frame);
  return count;
}

bool DescribePythonCode(const void* code, char* file, uint16_t* file_len, char* func, uint16_t* func_len,
                        size_t capacity) {
  *file_len = *func_len = 0;
  if (!g_py.ready || !code) return false;
  // A pending exception must survive our attribute lookups untouched.
  PyObj *type = nullptr, *value = nullptr, *traceback = nullptr;
  g_py.err_fetch(&type, &value, &traceback);
  PyObj* code_obj = const_cast<void*>(code);
  bool ok = CopyAttr(code_obj, "co_filename", file, file_len, capacity);
  ok = CopyAttr(code_obj, "co_name", func, func_len, capacity) && ok;
  g_py.err_restore(type, value, traceback);
  return ok;
}

}  // namespace outcore::trace
