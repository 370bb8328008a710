#include "transform/lapack.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace outcore::transform {

namespace {

// The first library of a list that loads (the build's own path first, then
// the usual sonames), or null with `error` set.
void* OpenFirst(std::initializer_list<const char*> names, std::string* error) {
  for (const char* name : names) {
    if (name == nullptr || *name == '\0') continue;
    if (void* handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL)) return handle;
    const char* why = ::dlerror();
    *error += std::string(error->empty() ? "" : "; ") + (why ? why : name);
  }
  return nullptr;
}

}  // namespace

Result<const Lapack*> LoadLapack() {
  static std::once_flag once;
  static Lapack table;
  static Status status;
  std::call_once(once, [] {
    std::string error;
    void* blas =
        OpenFirst({OUTCORE_CBLAS_LIBRARY, "libopenblas.so.0", "libcblas.so.3", "libblas.so.3"}, &error);
    void* lapacke = OpenFirst({OUTCORE_LAPACKE_LIBRARY, "liblapacke.so.3"}, &error);
    if (!blas || !lapacke) {
      status = Status::NotImplemented("BLAS/LAPACK could not be loaded (" + error +
                                      "); install libopenblas0 and liblapacke (scripts/install-deps.sh)");
      return;
    }
    table.dgemm = reinterpret_cast<decltype(table.dgemm)>(::dlsym(blas, "cblas_dgemm"));
    table.dsyrk = reinterpret_cast<decltype(table.dsyrk)>(::dlsym(blas, "cblas_dsyrk"));
    table.dgeqrf = reinterpret_cast<decltype(table.dgeqrf)>(::dlsym(lapacke, "LAPACKE_dgeqrf"));
    table.dgesdd = reinterpret_cast<decltype(table.dgesdd)>(::dlsym(lapacke, "LAPACKE_dgesdd"));
    table.dsyevd = reinterpret_cast<decltype(table.dsyevd)>(::dlsym(lapacke, "LAPACKE_dsyevd"));
    if (!table.dgemm || !table.dsyrk || !table.dgeqrf || !table.dgesdd || !table.dsyevd) {
      status = Status::NotImplemented(
          "BLAS/LAPACK loaded but lacks one of cblas_dgemm, cblas_dsyrk, LAPACKE_dgeqrf, LAPACKE_dgesdd, "
          "LAPACKE_dsyevd");
    }
  });
  if (!status.ok()) return status;
  return &table;
}

}  // namespace outcore::transform
