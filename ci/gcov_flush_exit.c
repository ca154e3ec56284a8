/* LD_PRELOAD helper of ci/coverage.sh: keeps the coverage counts of processes
 * that leave through _exit() or _Exit().
 *
 * gcc's coverage runtime writes a module's counters (.gcda) from a destructor
 * the compiler adds to each instrumented module (_sub_D_00100_*), which runs
 * at exit() and never at _exit(). The conformance suite and the unit tests
 * fork children that use the library and end with _exit(), and librsm keeps
 * its coverage runtime private (its version script makes every symbol but
 * the API local), so no public __gcov_dump() reaches it. This helper
 * interposes _exit and _Exit: it finds those destructors in the symbol table
 * of every loaded module, calls them, then exits as asked. Nothing else runs
 * (no atexit handler, no static destructor, no stdio flush), so the process
 * ends as it would have. Processes killed by a signal still lose their
 * counts. Only for coverage builds; in other processes it finds nothing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_DUMPERS 64 /* instrumented modules in one process */

typedef void (*dumper_fn)(void);

struct dumpers {
  dumper_fn fn[MAX_DUMPERS];
  int n;
};

static const char kPrefix[] = "_sub_D_00100_";

/* Adds one gcov destructor found in the ELF file at path, loaded at base. */
static void scan_file(const char *path, ElfW(Addr) base, struct dumpers *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(ElfW(Ehdr))) {
    close(fd);
    return;
  }
  size_t size = (size_t)st.st_size;
  const unsigned char *img = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (img == MAP_FAILED) return;
  const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)img;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shoff == 0 ||
      eh->e_shentsize != sizeof(ElfW(Shdr)) || eh->e_shoff + (size_t)eh->e_shnum * sizeof(ElfW(Shdr)) > size)
    goto done;
  const ElfW(Shdr) *sh = (const ElfW(Shdr) *)(img + eh->e_shoff);
  for (unsigned i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
    const ElfW(Shdr) *strs = &sh[sh[i].sh_link];
    if (sh[i].sh_offset + sh[i].sh_size > size || strs->sh_offset + strs->sh_size > size) continue;
    const ElfW(Sym) *sym = (const ElfW(Sym) *)(img + sh[i].sh_offset);
    size_t count = sh[i].sh_size / sizeof(ElfW(Sym));
    const char *names = (const char *)(img + strs->sh_offset);
    for (size_t k = 0; k < count; k++) {
      if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || sym[k].st_value == 0) continue;
      if (sym[k].st_name >= strs->sh_size) continue;
      const char *name = names + sym[k].st_name;
      if (strnlen(name, strs->sh_size - sym[k].st_name) == strs->sh_size - sym[k].st_name) continue;
      if (strncmp(name, kPrefix, sizeof kPrefix - 1) != 0) continue;
      /* Each translation unit has one; any of them writes the whole module. */
      if (out->n < MAX_DUMPERS) out->fn[out->n++] = (dumper_fn)(base + sym[k].st_value);
      goto done;
    }
  }
done:
  munmap((void *)img, size);
}

static int scan_module(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  const char *path = info->dlpi_name;
  if (!path || !*path) path = "/proc/self/exe";  /* the main program */
  scan_file(path, info->dlpi_addr, data);
  return 0;
}

static void flush_coverage(void) {
  static int done;
  if (done) return;
  done = 1;
  static struct dumpers d;
  dl_iterate_phdr(scan_module, &d);  /* collect first: call outside the loader's lock */
  for (int i = 0; i < d.n; i++) d.fn[i]();
}

static __attribute__((noreturn)) void really_exit(const char *name, int status) {
  void (*next)(int) = (void (*)(int))dlsym(RTLD_NEXT, name);
  if (next) next(status);
  for (;;) syscall(SYS_exit_group, status);
}

void _exit(int status) {
  flush_coverage();
  really_exit("_exit", status);
}

void _Exit(int status) {
  flush_coverage();
  really_exit("_Exit", status);
}
