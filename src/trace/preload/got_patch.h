// Redirecting a running process's calls to the allocator, for the in-process
// tracer (liboutcore_trace_inproc.so, loaded by oc.trace()). A library
// loaded after start-up cannot interpose malloc the way LD_PRELOAD does: the
// program's objects are already bound to libc. So every loaded object's GOT
// slots (PLT jump slots and GLOB_DAT entries) that name a hooked function are
// rewritten to point at the hook, and put back by RestoreGotSlots.
//
// Thread-safety: Patch and Restore take a lock; a slot is one aligned 8-byte
// store, so a thread calling through it sees either the old or the new target.
//
//   GotHook hooks[] = {{"malloc", reinterpret_cast<void*>(&HookedMalloc)}};
//   PatchGotSlots(hooks, 1, &SomeFunctionOfThisLibrary);   // again after each dlopen
//   ...
//   RestoreGotSlots();
#pragma once

namespace outcore::trace {

struct GotHook {
  const char* symbol;
  void* replacement;
};

// Rewrites the slots of every loaded object except the dynamic loader, the
// vdso and the object holding `self` (this library). Slots that already point
// at their hook are left alone, so it can run again after a dlopen. Returns
// the number of slots rewritten by this call.
int PatchGotSlots(const GotHook* hooks, int hook_count, const void* self);
// Puts back every slot rewritten since the last restore.
void RestoreGotSlots();

}  // namespace outcore::trace
