#include "arrow/abi_util.h"

namespace outcore::arrow {
namespace {

template <typename T>
void ReleaseStruct(T* value) {
  if (value != nullptr && value->release != nullptr) value->release(value);
}

template <typename T>
void MoveStruct(T* from, T* to) {
  *to = *from;
  from->release = nullptr;
}

}  // namespace

void Release(ArrowSchema* schema) { ReleaseStruct(schema); }
void Release(ArrowArray* array) { ReleaseStruct(array); }
void Release(ArrowArrayStream* stream) { ReleaseStruct(stream); }
void Move(ArrowSchema* from, ArrowSchema* to) { MoveStruct(from, to); }
void Move(ArrowArray* from, ArrowArray* to) { MoveStruct(from, to); }
void Move(ArrowArrayStream* from, ArrowArrayStream* to) { MoveStruct(from, to); }

}  // namespace outcore::arrow
