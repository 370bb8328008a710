// BLAS and LAPACK, loaded on first use instead of at program start. OpenBLAS
// starts a thread pool as soon as it is loaded, and its idle threads spin on
// sched_yield for a while: every `outcore` command and every `import outcore`
// paid several milliseconds and a busy second core for it, though only
// the PCAs call into it. LoadLapack() dlopens the libraries found at
// build time (src/transform/CMakeLists.txt) once and hands out the entry
// points.
//
// Thread-safety: LoadLapack may be called from any thread; the table it
// returns is immutable.
//
//   OC_ASSIGN_OR_RETURN(const Lapack* lapack, LoadLapack());
//   lapack->dgeqrf(LAPACK_COL_MAJOR, m, n, a, m, tau);
#pragma once

#include <cblas.h>
#include <lapacke.h>

#include "outcore/status.h"

namespace outcore::transform {

struct Lapack {
  decltype(&cblas_dgemm) dgemm = nullptr;
  decltype(&cblas_dsyrk) dsyrk = nullptr;
  decltype(&LAPACKE_dgeqrf) dgeqrf = nullptr;
  decltype(&LAPACKE_dgesdd) dgesdd = nullptr;
  decltype(&LAPACKE_dsyevd) dsyevd = nullptr;
};

// The loaded table, or NotImplemented naming the library that could not be
// loaded (install liblapacke / libopenblas).
Result<const Lapack*> LoadLapack();

}  // namespace outcore::transform
