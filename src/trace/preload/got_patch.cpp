// GOT rewriting for the in-process tracer; see got_patch.h.
#include "trace/preload/got_patch.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "trace/preload/tables.h"

namespace outcore::trace {

namespace {

#if defined(__x86_64__)
constexpr uint32_t kJumpSlot = R_X86_64_JUMP_SLOT, kGlobDat = R_X86_64_GLOB_DAT, kAbs64 = R_X86_64_64;
#elif defined(__aarch64__)
constexpr uint32_t kJumpSlot = R_AARCH64_JUMP_SLOT, kGlobDat = R_AARCH64_GLOB_DAT, kAbs64 = R_AARCH64_ABS64;
#else
#error "the in-process tracer knows the relocations of x86-64 and AArch64 only"
#endif

struct SavedSlot {
  void** slot;
  void* previous;
  bool read_only;  // in the object's RELRO segment
};

SpinLock g_lock;
SavedSlot* g_saved = nullptr;
size_t g_saved_count = 0, g_saved_capacity = 0;

bool Save(void** slot, void* previous, bool read_only) {
  if (g_saved_count == g_saved_capacity &&
      !GrowRawArray(&g_saved, g_saved_count, &g_saved_capacity, size_t(1024))) {
    return false;
  }
  g_saved[g_saved_count++] = {slot, previous, read_only};
  return true;
}

// Writes a slot; one in the RELRO segment (read-only once relocated) is made
// writable for the store, then read-only again. False (nothing written) when
// the kernel refuses to make it writable.
bool WriteSlot(void** slot, void* value, bool read_only) {
  uintptr_t page = reinterpret_cast<uintptr_t>(slot) & ~uintptr_t(getpagesize() - 1);
  if (read_only &&
      mprotect(reinterpret_cast<void*>(page), size_t(getpagesize()), PROT_READ | PROT_WRITE) != 0)
    return false;
  __atomic_store_n(slot, value, __ATOMIC_RELEASE);
  if (read_only) mprotect(reinterpret_cast<void*>(page), size_t(getpagesize()), PROT_READ);
  return true;
}

struct PatchContext {
  const GotHook* hooks;
  int hook_count;
  uintptr_t self;  // an address inside this library
  int patched;
};

bool IsSkipped(const dl_phdr_info* info) {
  const char* name = info->dlpi_name ? info->dlpi_name : "";
  const char* base = std::strrchr(name, '/');
  base = base ? base + 1 : name;
  return std::strncmp(base, "ld-linux", 8) == 0 || std::strncmp(base, "ld64.so", 7) == 0 ||
         std::strncmp(base, "linux-vdso", 10) == 0 || std::strncmp(base, "linux-gate", 10) == 0;
}

// Some dynamic sections hold relocated addresses (glibc rewrites them for
// most objects), others the link-time offsets (the vdso's): an entry below
// the load bias is an offset.
uintptr_t DynamicAddress(uintptr_t value, uintptr_t bias) { return value < bias ? value + bias : value; }

void PatchRelocations(const ElfW(Rela) * relocations, size_t bytes, const ElfW(Sym) * symbols,
                      const char* strings, uintptr_t bias, uintptr_t relro_begin, uintptr_t relro_end,
                      PatchContext* ctx) {
  for (size_t i = 0; i < bytes / sizeof(ElfW(Rela)); ++i) {
    const ElfW(Rela)& r = relocations[i];
    uint32_t type = uint32_t(ELF64_R_TYPE(r.r_info));
    uint32_t symbol = uint32_t(ELF64_R_SYM(r.r_info));
    if (symbol == 0 || (type != kJumpSlot && type != kGlobDat && !(type == kAbs64 && r.r_addend == 0)))
      continue;
    const char* name = strings + symbols[symbol].st_name;
    for (int hook_idx = 0; hook_idx < ctx->hook_count; ++hook_idx) {
      if (std::strcmp(name, ctx->hooks[hook_idx].symbol) != 0) continue;
      void** slot = reinterpret_cast<void**>(bias + r.r_offset);
      void* previous = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
      uintptr_t address = reinterpret_cast<uintptr_t>(slot);
      bool read_only = address >= relro_begin && address < relro_end;
      if (previous != ctx->hooks[hook_idx].replacement && Save(slot, previous, read_only)) {
        if (WriteSlot(slot, ctx->hooks[hook_idx].replacement, read_only))
          ++ctx->patched;
        else
          --g_saved_count;  // left as it was: nothing to put back
      }
      break;
    }
  }
}

int PatchObject(dl_phdr_info* info, size_t, void* data) {
  auto* ctx = static_cast<PatchContext*>(data);
  uintptr_t bias = info->dlpi_addr;
  if (IsSkipped(info)) return 0;
  const ElfW(Dyn)* dynamic = nullptr;
  uintptr_t relro_begin = 0, relro_end = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_DYNAMIC) dynamic = reinterpret_cast<const ElfW(Dyn)*>(bias + ph.p_vaddr);
    if (ph.p_type == PT_GNU_RELRO) {
      relro_begin = bias + ph.p_vaddr;
      relro_end = relro_begin + ph.p_memsz;
    }
    if (ph.p_type == PT_LOAD) {
      uintptr_t begin = bias + ph.p_vaddr;
      if (begin <= ctx->self && ctx->self < begin + ph.p_memsz) return 0;  // this library
    }
  }
  if (!dynamic) return 0;
  const ElfW(Sym)* symbols = nullptr;
  const char* strings = nullptr;
  const ElfW(Rela)* plt = nullptr, *rela = nullptr;
  size_t plt_bytes = 0, rela_bytes = 0;
  for (const ElfW(Dyn)* d = dynamic; d->d_tag != DT_NULL; ++d) {
    switch (d->d_tag) {
      case DT_SYMTAB:
        symbols = reinterpret_cast<const ElfW(Sym)*>(DynamicAddress(d->d_un.d_ptr, bias));
        break;
      case DT_STRTAB:
        strings = reinterpret_cast<const char*>(DynamicAddress(d->d_un.d_ptr, bias));
        break;
      case DT_JMPREL:
        plt = reinterpret_cast<const ElfW(Rela)*>(DynamicAddress(d->d_un.d_ptr, bias));
        break;
      case DT_PLTRELSZ:
        plt_bytes = d->d_un.d_val;
        break;
      case DT_RELA:
        rela = reinterpret_cast<const ElfW(Rela)*>(DynamicAddress(d->d_un.d_ptr, bias));
        break;
      case DT_RELASZ:
        rela_bytes = d->d_un.d_val;
        break;
      default:
        break;
    }
  }
  if (!symbols || !strings) return 0;
  if (plt) PatchRelocations(plt, plt_bytes, symbols, strings, bias, relro_begin, relro_end, ctx);
  if (rela) PatchRelocations(rela, rela_bytes, symbols, strings, bias, relro_begin, relro_end, ctx);
  return 0;
}

}  // namespace

int PatchGotSlots(const GotHook* hooks, int hook_count, const void* self) {
  PatchContext ctx{hooks, hook_count, reinterpret_cast<uintptr_t>(self), 0};
  g_lock.Lock();
  dl_iterate_phdr(PatchObject, &ctx);
  g_lock.Unlock();
  return ctx.patched;
}

void RestoreGotSlots() {
  g_lock.Lock();
  for (size_t i = 0; i < g_saved_count; ++i)
    WriteSlot(g_saved[i].slot, g_saved[i].previous, g_saved[i].read_only);
  g_saved_count = 0;
  g_lock.Unlock();
}

}  // namespace outcore::trace
