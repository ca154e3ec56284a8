// rsmkit fuzz: random sequences of API calls over a small pool of segments,
// connections, barriers and local memory handles. Invariants:
//  - every return code is one the function may return at all
//    (model/documented.h: its ERRORS section plus the accepted extras);
//  - data integrity: a successful get, and a mapping, show the exporter's
//    bytes, and a successful implicit-mode put lands in the exporter's memory,
//    while the connection stands;
//  - no crash, no leak: every input tears down what it made, and tearing down
//    live objects succeeds.
#include <fuzzer/FuzzedDataProvider.h>
#include <sys/mman.h>

#include <cstring>
#include <string>
#include <vector>

#include "framework/pattern.h"
#include "fuzz_impl.h"
#include "model/documented.h"
#include "runner/embedded_documented.h"

namespace {

using rsmfuzz::violation;

const rsmc::model::DocumentedCodes &documented() {
  const rsmc::model::DocumentedCodes *d = rsmc::embedded_documented_codes();
  if (!d) violation("setup", "errors.csv is not embedded");
  return *d;
}

int check(const char *fn, int rc) {
  rsmfuzz::expect_in(fn, rc, documented().allowed(fn), "(sequence)");
  return rc;
}
#define CALL(fn, ...) check(#fn, fn(__VA_ARGS__))

struct Exp {
  rsm_memseg_export_handle_t h = nullptr;
  char *mem = nullptr;
  size_t len = 0;
  bool published = false;
  rsm_memseg_id_t id = 0;
  std::vector<char *> old_mems;  // given back by rebind, unmapped at teardown
};

struct Imp {
  rsm_memseg_import_handle_t h = nullptr;
  int exp = -1;          // index of the export it connected to
  bool alive = false;    // the export stayed published since the connect
  bool mapped = false;
  void *addr = nullptr;
  size_t map_off = 0, map_len = 0;
  bool explicit_mode = false;
  int pollfds = 0;
};

struct Bar {
  rsmapi_barrier_t b{};
  bool live = false;
  int imp = -1;
};

struct State {
  std::vector<Exp> exps;
  std::vector<Imp> imps;
  Bar bars[4];
  rsm_localmemory_handle_t lm = nullptr;
  char *lm_mem = nullptr;
};

char *fresh_pages(size_t len, uint64_t seed) {
  auto *m = static_cast<char *>(mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  rsmc::fill_pattern(m, len, seed, 0);
  return m;
}

void kill_imports_of(State &st, int e) {
  for (auto &i : st.imps)
    if (i.exp == e) i.alive = false;
}

// Explicit mode guarantees data only at the close of the span, so only
// implicit-mode gets on a standing connection are compared.
void data_check_get(const State &st, const Imp &i, size_t off, const void *buf, size_t n, const char *fn) {
  if (!i.alive || i.exp < 0 || i.explicit_mode) return;
  if (std::memcmp(buf, st.exps[static_cast<size_t>(i.exp)].mem + off, n) != 0)
    violation(fn, "returned success but the data differs from the exporter's memory");
}

void step(State &st, FuzzedDataProvider &p) {
  const size_t page = rsmfuzz::page_size();
  auto pick_exp = [&]() -> Exp * {
    if (st.exps.empty()) return nullptr;
    return &st.exps[p.ConsumeIntegralInRange<size_t>(0, st.exps.size() - 1)];
  };
  auto pick_imp = [&]() -> Imp * {
    if (st.imps.empty()) return nullptr;
    return &st.imps[p.ConsumeIntegralInRange<size_t>(0, st.imps.size() - 1)];
  };
  switch (p.ConsumeIntegralInRange(0, 19)) {
    case 0: {  // create
      if (st.exps.size() >= 3) return;
      Exp e;
      e.len = page * p.ConsumeIntegralInRange<size_t>(1, 2);
      e.mem = fresh_pages(e.len, st.exps.size() + 1);
      uint_t flags = p.ConsumeIntegralInRange<uint_t>(0, 3);
      if (CALL(rsm_memseg_export_create, rsmfuzz::controller(), &e.h, e.mem, e.len, flags) != RSM_SUCCESS) {
        munmap(e.mem, e.len);
        return;
      }
      st.exps.push_back(e);
      return;
    }
    case 1: {  // publish
      Exp *e = pick_exp();
      if (!e || !e->h) return;
      rsm_memseg_id_t id = p.ConsumeBool() ? 0 : p.ConsumeIntegral<rsm_memseg_id_t>();
      rsmapi_access_entry_t acl[] = {{rsmfuzz::local_node(), p.ConsumeBool() ? 0666u : 0444u}};
      if (CALL(rsm_memseg_export_publish, e->h, &id, acl, p.ConsumeBool() ? 1u : 0u) == RSM_SUCCESS) {
        e->published = true;
        e->id = id;
      }
      return;
    }
    case 2: {  // unpublish
      Exp *e = pick_exp();
      if (!e || !e->h) return;
      if (CALL(rsm_memseg_export_unpublish, e->h) == RSM_SUCCESS) {
        e->published = false;
        kill_imports_of(st, static_cast<int>(e - st.exps.data()));
      }
      return;
    }
    case 3: {  // republish
      Exp *e = pick_exp();
      if (!e || !e->h) return;
      rsmapi_access_entry_t acl[] = {{rsmfuzz::local_node() + p.ConsumeIntegralInRange<uint32_t>(0, 1), 0666}};
      CALL(rsm_memseg_export_republish, e->h, acl, 1);
      return;
    }
    case 4: {  // destroy
      Exp *e = pick_exp();
      if (!e || !e->h) return;
      int idx = static_cast<int>(e - st.exps.data());
      if (CALL(rsm_memseg_export_destroy, e->h) == RSM_SUCCESS) {
        e->h = nullptr;
        e->published = false;
        kill_imports_of(st, idx);
      }
      return;
    }
    case 5: {  // rebind
      Exp *e = pick_exp();
      if (!e || !e->h) return;
      char *m = fresh_pages(e->len, 99);
      if (CALL(rsm_memseg_export_rebind, e->h, m, 0, e->len) == RSM_SUCCESS) {
        e->old_mems.push_back(e->mem);
        e->mem = m;
      } else {
        munmap(m, e->len);
      }
      return;
    }
    case 6: {  // connect
      Exp *e = pick_exp();
      if (!e || st.imps.size() >= 4) return;
      rsm_permission_t perms[] = {RSM_PERM_READ, RSM_PERM_WRITE, RSM_PERM_RDWR, 0};
      Imp i;
      int rc = CALL(rsm_memseg_import_connect, rsmfuzz::controller(), rsmfuzz::local_node(), e->id,
                    perms[p.ConsumeIntegralInRange(0, 3)], &i.h);
      if (rc != RSM_SUCCESS) return;
      i.exp = static_cast<int>(e - st.exps.data());
      i.alive = e->published;
      st.imps.push_back(i);
      return;
    }
    case 7: {  // disconnect
      Imp *i = pick_imp();
      if (!i || !i->h) return;
      if (CALL(rsm_memseg_import_disconnect, i->h) == RSM_SUCCESS) i->h = nullptr;
      return;
    }
    case 8: {  // map
      Imp *i = pick_imp();
      if (!i || !i->h || i->exp < 0) return;
      const Exp &e = st.exps[static_cast<size_t>(i->exp)];
      size_t off = page * p.ConsumeIntegralInRange<size_t>(0, 2);
      size_t len = p.ConsumeIntegralInRange<size_t>(0, 2 * page);
      void *addr = nullptr;
      if (CALL(rsm_memseg_import_map, i->h, &addr, RSM_MAP_NONE, RSM_PERM_READ, static_cast<off_t>(off), len) ==
          RSM_SUCCESS) {
        i->mapped = true;
        i->addr = addr;
        if (i->alive && off + len <= e.len && std::memcmp(addr, e.mem + off, len) != 0)
          violation("rsm_memseg_import_map", "the mapping does not show the exporter's bytes");
      }
      return;
    }
    case 9: {  // unmap
      Imp *i = pick_imp();
      if (!i || !i->h) return;
      if (CALL(rsm_memseg_import_unmap, i->h) == RSM_SUCCESS) i->mapped = false;
      return;
    }
    case 10: {  // init barrier
      Imp *i = pick_imp();
      Bar &b = st.bars[p.ConsumeIntegralInRange(0, 3)];
      if (!i || b.live) return;
      if (CALL(rsm_memseg_import_init_barrier, i->h, RSM_BARRIER_NODE, &b.b) == RSM_SUCCESS) {
        b.live = true;
        b.imp = static_cast<int>(i - st.imps.data());
      }
      return;
    }
    case 11: {  // open / order / close / destroy barrier
      Bar &b = st.bars[p.ConsumeIntegralInRange(0, 3)];
      switch (p.ConsumeIntegralInRange(0, 3)) {
        case 0: CALL(rsm_memseg_import_open_barrier, &b.b); break;
        case 1: CALL(rsm_memseg_import_order_barrier, &b.b); break;
        case 2: CALL(rsm_memseg_import_close_barrier, &b.b); break;
        default:
          CALL(rsm_memseg_import_destroy_barrier, &b.b);
          b.live = false;
          std::memset(&b.b, 0, sizeof b.b);
      }
      return;
    }
    case 12: {  // set/get mode
      Imp *i = pick_imp();
      if (!i) return;
      auto mode = static_cast<rsm_barrier_mode_t>(p.ConsumeIntegralInRange(0, 2));
      if (CALL(rsm_memseg_import_set_mode, i->h, mode) == RSM_SUCCESS) i->explicit_mode = mode == RSM_BARRIER_MODE_EXPLICIT;
      rsm_barrier_mode_t got;
      if (CALL(rsm_memseg_import_get_mode, i->h, &got) == RSM_SUCCESS &&
          got != (i->explicit_mode ? RSM_BARRIER_MODE_EXPLICIT : RSM_BARRIER_MODE_IMPLICIT))
        violation("rsm_memseg_import_get_mode", "does not report the mode last set");
      return;
    }
    case 13:
    case 14: {  // put / get of some width
      Imp *i = pick_imp();
      if (!i || i->exp < 0) return;
      const Exp &e = st.exps[static_cast<size_t>(i->exp)];
      size_t width = size_t{1} << p.ConsumeIntegralInRange(0, 3);
      size_t count = p.ConsumeIntegralInRange<size_t>(0, 64);
      size_t off = p.ConsumeIntegralInRange<size_t>(0, e.len) & ~(width - 1);
      alignas(8) uint8_t buf[512];
      rsmc::fill_pattern(buf, sizeof buf, p.ConsumeIntegral<uint8_t>(), 0);
      bool put = p.ConsumeBool();
      int rc;
      const char *fn;
      auto o = static_cast<off_t>(off);
      switch (width) {
        case 1: fn = put ? "rsm_memseg_import_put8" : "rsm_memseg_import_get8";
          rc = put ? rsm_memseg_import_put8(i->h, o, buf, count) : rsm_memseg_import_get8(i->h, o, buf, count); break;
        case 2: fn = put ? "rsm_memseg_import_put16" : "rsm_memseg_import_get16";
          rc = put ? rsm_memseg_import_put16(i->h, o, reinterpret_cast<uint16_t *>(buf), count)
                   : rsm_memseg_import_get16(i->h, o, reinterpret_cast<uint16_t *>(buf), count); break;
        case 4: fn = put ? "rsm_memseg_import_put32" : "rsm_memseg_import_get32";
          rc = put ? rsm_memseg_import_put32(i->h, o, reinterpret_cast<uint32_t *>(buf), count)
                   : rsm_memseg_import_get32(i->h, o, reinterpret_cast<uint32_t *>(buf), count); break;
        default: fn = put ? "rsm_memseg_import_put64" : "rsm_memseg_import_get64";
          rc = put ? rsm_memseg_import_put64(i->h, o, reinterpret_cast<uint64_t *>(buf), count)
                   : rsm_memseg_import_get64(i->h, o, reinterpret_cast<uint64_t *>(buf), count);
      }
      check(fn, rc);
      size_t n = width * count;
      if (rc == RSM_SUCCESS && off + n <= e.len) {
        if (!put) data_check_get(st, *i, off, buf, n, fn);
        else if (i->alive && !i->explicit_mode && std::memcmp(e.mem + off, buf, n) != 0)
          violation(fn, "returned success but the exporter's memory does not hold the data");
      }
      return;
    }
    case 15: {  // putv / getv with virtual-address entries
      Imp *i = pick_imp();
      if (!i) return;
      char local[3][64];
      rsm_iovec_t io[3];
      size_t n = p.ConsumeIntegralInRange<size_t>(0, 3);
      for (size_t k = 0; k < 3; k++) {
        io[k] = {};
        io[k].io_type = p.ConsumeBool() ? RSM_VA_TYPE : (st.lm ? RSM_HANDLE_TYPE : RSM_VA_TYPE);
        if (io[k].io_type == RSM_HANDLE_TYPE) io[k].local.handle = st.lm;
        else io[k].local.vaddr = local[k];
        io[k].remote_offset = p.ConsumeIntegralInRange<size_t>(0, 2 * page);
        io[k].transfer_length = p.ConsumeIntegralInRange<size_t>(0, 64);
      }
      rsm_scat_gath_t sg{};
      sg.io_request_count = n;
      sg.remote_handle = i->h;
      sg.iovec = io;
      sg.flags = p.ConsumeIntegralInRange<uint_t>(0, 3);
      if (p.ConsumeBool()) CALL(rsm_memseg_import_putv, &sg);
      else CALL(rsm_memseg_import_getv, &sg);
      if (sg.io_residual_count > n) violation("putv/getv", "io_residual_count exceeds io_request_count");
      return;
    }
    case 16: {  // signals
      if (p.ConsumeBool()) {
        Imp *i = pick_imp();
        if (i) CALL(rsm_intr_signal_post, i->h, p.ConsumeIntegralInRange<uint_t>(0, 2));
      } else {
        Exp *e = pick_exp();
        if (e) CALL(rsm_intr_signal_post, e->h, 0);
        if (e) CALL(rsm_intr_signal_wait, e->h, 0);
      }
      return;
    }
    case 17: {  // pollfd on an import
      Imp *i = pick_imp();
      if (!i) return;
      struct pollfd pfd;
      if (p.ConsumeBool()) {
        if (CALL(rsm_memseg_get_pollfd, i->h, &pfd) == RSM_SUCCESS) i->pollfds++;
      } else if (CALL(rsm_memseg_release_pollfd, i->h) == RSM_SUCCESS && i->pollfds > 0) {
        i->pollfds--;
      }
      return;
    }
    case 18: {  // local memory handle
      if (!st.lm) {
        if (!st.lm_mem) st.lm_mem = fresh_pages(page, 5);
        CALL(rsm_create_localmemory_handle, rsmfuzz::controller(), &st.lm, st.lm_mem, page);
      } else if (CALL(rsm_free_localmemory_handle, rsmfuzz::controller(), st.lm) == RSM_SUCCESS) {
        st.lm = nullptr;
      }
      return;
    }
    default: {  // a get that must see the exporter's bytes through a live connection
      Imp *i = pick_imp();
      if (!i || i->exp < 0) return;
      const Exp &e = st.exps[static_cast<size_t>(i->exp)];
      char buf[64];
      size_t off = p.ConsumeIntegralInRange<size_t>(0, e.len - sizeof buf);
      if (CALL(rsm_memseg_import_get, i->h, static_cast<off_t>(off), buf, sizeof buf) == RSM_SUCCESS)
        data_check_get(st, *i, off, buf, sizeof buf, "rsm_memseg_import_get");
      return;
    }
  }
}

// Tears everything down; releasing live objects must succeed.
void teardown(State &st) {
  for (auto &b : st.bars)
    if (b.live) rsm_memseg_import_destroy_barrier(&b.b);
  for (auto &i : st.imps) {
    if (!i.h) continue;
    while (i.pollfds-- > 0) rsm_memseg_release_pollfd(i.h);
    if (i.mapped) rsm_memseg_import_unmap(i.h);
    if (int rc = rsm_memseg_import_disconnect(i.h))
      violation("teardown", "disconnect of a live import failed: " + std::to_string(rc));
  }
  for (auto &e : st.exps) {
    if (e.h) {
      if (int rc = rsm_memseg_export_destroy(e.h))
        violation("teardown", "destroy of a live export failed: " + std::to_string(rc));
    }
    munmap(e.mem, e.len);
    for (char *m : e.old_mems) munmap(m, e.len);
  }
  if (st.lm) rsm_free_localmemory_handle(rsmfuzz::controller(), st.lm);
  if (st.lm_mem) munmap(st.lm_mem, rsmfuzz::page_size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rsmfuzz::load_impl_once();
  (void)documented();
  FuzzedDataProvider p(data, size);
  State st;
  for (int n = 0; n < 48 && p.remaining_bytes() > 0; n++) step(st, p);
  teardown(st);
  return 0;
}
