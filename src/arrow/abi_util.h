// Small helpers over the Arrow C ABI structs (outcore/arrow_abi.h), used by
// the export side (batches out) and the import side (record batches in):
// releasing a struct that may already be released, and moving one, both as
// the specification defines them.
#pragma once

#include "outcore/arrow_abi.h"

namespace outcore::arrow {

// Calls the struct's release callback if it still has one (null: released or
// moved from). Safe on a null pointer.
void Release(ArrowSchema* schema);
void Release(ArrowArray* array);
void Release(ArrowArrayStream* stream);

// Moves `from` into `to` (a plain copy of the struct) and marks `from` as
// released, so exactly one of them is released later. `to` must not hold a
// live struct.
void Move(ArrowSchema* from, ArrowSchema* to);
void Move(ArrowArray* from, ArrowArray* to);
void Move(ArrowArrayStream* from, ArrowArrayStream* to);

}  // namespace outcore::arrow
