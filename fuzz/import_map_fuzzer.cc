// rsmkit fuzz: rsm_memseg_import_map / rsm_memseg_import_unmap argument edge
// cases. The oracle is the conformance suite's model (model/allowed.h): the
// code must be in the allowed set; a success must be a usable mapping of the
// asked window and protection; a failure must leave the handle usable.
//
// Segments and handles are made once per process (making them per input
// would measure file creation, not map) and every input returns them to the
// state it found them in.
#include <fuzzer/FuzzedDataProvider.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "framework/pattern.h"
#include "fuzz_impl.h"
#include "model/allowed.h"

namespace {

using rsmc::model::HandleState;
using rsmc::model::MapCall;
using rsmfuzz::expect_in;
using rsmfuzz::violation;

constexpr size_t kSizes[] = {1, 2, 3, 8};  // segment sizes in pages
constexpr size_t kReservePages = 64;       // room for any window of any segment
constexpr uint64_t kSeed = 0x5EED;

struct Segment {
  size_t len = 0;
  char *mem = nullptr;
  rsm_memseg_export_handle_t exp = nullptr;
  rsm_memseg_import_handle_t rw = nullptr;  // connected RSM_PERM_RDWR
  rsm_memseg_import_handle_t ro = nullptr;  // connected RSM_PERM_READ
  rsm_memseg_id_t id = 0;
};

struct World {
  Segment seg[sizeof kSizes / sizeof kSizes[0]];
  rsm_memseg_import_handle_t aborted = nullptr;  // its exporter unpublished
  rsm_memseg_import_handle_t stale = nullptr;    // disconnected
  char *reserve = nullptr;                       // PROT_NONE, kReservePages
  size_t page = 0;
};

rsm_memseg_export_handle_t export_pages(size_t len, char **mem, rsm_memseg_id_t *id) {
  *mem = static_cast<char *>(mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  rsmc::fill_pattern(*mem, len, kSeed, 0);
  rsm_memseg_export_handle_t e = nullptr;
  // Grant read/write to every class explicitly, so the grant does not depend
  // on the exporter's umask.
  rsmapi_access_entry_t acl[] = {{rsmfuzz::local_node(), 0666}};
  if (rsm_memseg_export_create(rsmfuzz::controller(), &e, *mem, len, 0) ||
      rsm_memseg_export_publish(e, id, acl, 1))
    violation("setup", "cannot create and publish a segment");
  return e;
}

rsm_memseg_import_handle_t connect(rsm_memseg_id_t id, rsm_permission_t perm) {
  rsm_memseg_import_handle_t h = nullptr;
  if (rsm_memseg_import_connect(rsmfuzz::controller(), rsmfuzz::local_node(), id, perm, &h))
    violation("setup", "cannot connect");
  return h;
}

World &world() {
  static World *w = [] {
    rsmfuzz::load_impl_once();
    auto *w = new World;
    w->page = rsmfuzz::page_size();
    for (size_t i = 0; i < sizeof kSizes / sizeof kSizes[0]; i++) {
      Segment &s = w->seg[i];
      s.len = kSizes[i] * w->page;
      s.exp = export_pages(s.len, &s.mem, &s.id);
      s.rw = connect(s.id, RSM_PERM_RDWR);
      s.ro = connect(s.id, RSM_PERM_READ);
    }
    char *m = nullptr;
    rsm_memseg_id_t id = 0;
    rsm_memseg_export_handle_t e = export_pages(w->page, &m, &id);
    w->aborted = connect(id, RSM_PERM_RDWR);
    rsm_memseg_export_unpublish(e);
    w->stale = connect(w->seg[0].id, RSM_PERM_RDWR);
    rsm_memseg_import_disconnect(w->stale);
    void *r = mmap(nullptr, kReservePages * w->page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    w->reserve = static_cast<char *>(r);
    return w;
  }();
  return *w;
}

uint32_t pick_attr(FuzzedDataProvider &p) {
  switch (p.ConsumeIntegralInRange(0, 4)) {
    case 0: return RSM_MAP_NONE;
    case 1: return RSM_MAP_FIXED;
    case 2: return RSM_MAP_RESERVED;
    default: return p.ConsumeIntegral<uint32_t>();
  }
}

uint32_t pick_perm(FuzzedDataProvider &p) {
  switch (p.ConsumeIntegralInRange(0, 5)) {
    case 0: return RSM_PERM_READ;
    case 1: return RSM_PERM_WRITE;
    case 2: return RSM_PERM_RDWR;
    case 3: return 0;
    default: return p.ConsumeIntegral<uint32_t>();
  }
}

// Offsets and lengths near the interesting edges: page multiples, the
// segment end, small misalignments, negatives, and arbitrary values.
int64_t pick_offset(FuzzedDataProvider &p, size_t page, size_t len) {
  switch (p.ConsumeIntegralInRange(0, 4)) {
    case 0: return static_cast<int64_t>(page) * p.ConsumeIntegralInRange<int64_t>(-2, 10);
    case 1: return static_cast<int64_t>(len) + p.ConsumeIntegralInRange<int64_t>(-2, 2) * static_cast<int64_t>(page);
    case 2: return static_cast<int64_t>(page) * p.ConsumeIntegralInRange<int64_t>(0, 8) + p.ConsumeIntegralInRange<int64_t>(-64, 64);
    case 3: return p.ConsumeBool() ? INT64_MIN : INT64_MAX;
    default: return p.ConsumeIntegral<int64_t>();
  }
}

uint64_t pick_length(FuzzedDataProvider &p, size_t page, size_t len) {
  switch (p.ConsumeIntegralInRange(0, 4)) {
    case 0: return page * p.ConsumeIntegralInRange<uint64_t>(0, 10);
    case 1: return len + page * p.ConsumeIntegralInRange<uint64_t>(0, 2) - (p.ConsumeBool() ? page : 0);
    case 2: return page * p.ConsumeIntegralInRange<uint64_t>(0, 8) + p.ConsumeIntegralInRange<uint64_t>(0, 100);
    case 3: return SIZE_MAX - p.ConsumeIntegralInRange<uint64_t>(0, 2) * page;
    default: return p.ConsumeIntegral<uint64_t>();
  }
}

// Only addresses inside our reservation (or ones no process can map) are
// ever offered: a wrong "success" must not land on the harness's own memory.
uintptr_t pick_fixed(FuzzedDataProvider &p, const World &w, bool *in_reserve) {
  *in_reserve = false;
  switch (p.ConsumeIntegralInRange(0, 5)) {
    case 0: return 0;
    case 1: return 0xFFFF800000000000ull;
    case 2: return uintptr_t{1} << 47;
    case 3: {
      *in_reserve = true;
      return reinterpret_cast<uintptr_t>(w.reserve) + w.page * p.ConsumeIntegralInRange<size_t>(0, 40) +
             p.ConsumeIntegralInRange<size_t>(1, w.page - 1);
    }
    default:
      *in_reserve = true;
      return reinterpret_cast<uintptr_t>(w.reserve) + w.page * p.ConsumeIntegralInRange<size_t>(0, 40);
  }
}

std::string describe(const MapCall &c, int state) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "state=%d attr=0x%x perm=0%o offset=%lld length=%llu fixed=0x%llx seg=%llu",
                state, c.attr, c.perm, static_cast<long long>(c.offset),
                static_cast<unsigned long long>(c.length), static_cast<unsigned long long>(c.fixed_addr),
                static_cast<unsigned long long>(c.seg_size));
  return buf;
}

// A successful mapping must show the window's bytes, carry the asked
// protection's stores to the exporter, and unmap cleanly.
void check_mapping(const Segment &s, const MapCall &c, void *addr, const std::string &args) {
  auto a = reinterpret_cast<uintptr_t>(addr);
  if (a % c.page) violation("rsm_memseg_import_map", "unaligned mapping at " + std::to_string(a) + "; " + args);
  auto off = static_cast<size_t>(c.offset);
  auto *p = static_cast<volatile uint8_t *>(addr);
  size_t probes[] = {0, static_cast<size_t>(c.length / 2), static_cast<size_t>(c.length - 1)};
  if (c.perm & RSM_PERM_READ)
    for (size_t i : probes)
      if (p[i] != static_cast<uint8_t>(s.mem[off + i]))
        violation("rsm_memseg_import_map", "mapping shows the wrong bytes at window offset " +
                                                std::to_string(i) + "; " + args);
  if (c.perm & RSM_PERM_WRITE) {
    uint8_t old = static_cast<uint8_t>(s.mem[off]);
    p[0] = static_cast<uint8_t>(old ^ 0xFF);
    bool seen = static_cast<uint8_t>(s.mem[off]) == static_cast<uint8_t>(old ^ 0xFF);
    p[0] = old;
    if (!seen) violation("rsm_memseg_import_map", "a store through the mapping did not reach the exporter; " + args);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  World &w = world();
  FuzzedDataProvider p(data, size);
  Segment &s = w.seg[p.ConsumeIntegralInRange<size_t>(0, sizeof kSizes / sizeof kSizes[0] - 1)];
  int state = p.ConsumeIntegralInRange(0, 6);
  MapCall c;
  c.seg_size = s.len;
  c.page = w.page;
  rsm_memseg_import_handle_t h = s.rw;
  switch (state) {
    case 0: c.state = HandleState::connected; break;
    case 1: c.state = HandleState::connected; h = s.ro; c.connect_perm = RSM_PERM_READ; break;
    case 2: c.state = HandleState::mapped; break;
    case 3: c.state = HandleState::aborted; h = w.aborted; c.seg_size = w.page; break;
    case 4: c.state = HandleState::disconnected; h = w.stale; break;
    case 5: c.state = HandleState::null; h = nullptr; break;
    default: c.state = HandleState::garbage; h = reinterpret_cast<rsm_memseg_import_handle_t>(uintptr_t{0x5a5a5a5a5a5a5a50}); break;
  }
  c.attr = pick_attr(p);
  c.perm = pick_perm(p);
  c.offset = pick_offset(p, w.page, c.seg_size);
  c.length = pick_length(p, w.page, c.seg_size);
  bool in_reserve = false;
  c.fixed_addr = pick_fixed(p, w, &in_reserve);
  c.fixed_addr_reserved = in_reserve && c.fixed_addr % w.page == 0;
  c.address_null = p.ConsumeIntegral<uint8_t>() < 8;

  void *premapped = nullptr;
  if (c.state == HandleState::mapped &&
      rsm_memseg_import_map(h, &premapped, RSM_MAP_NONE, RSM_PERM_RDWR, 0, s.len) != RSM_SUCCESS)
    violation("rsm_memseg_import_map", "a valid map of a connected handle failed");

  const std::string args = describe(c, state);
  rsmc::model::MapSuccess succ{};
  rsmc::RcSet allowed = rsmc::model::map_allowed(c, &succ);
  void *addr = reinterpret_cast<void *>(c.fixed_addr);
  int rc = rsm_memseg_import_map(h, c.address_null ? nullptr : &addr,
                                 static_cast<rsm_attribute_t>(c.attr), c.perm,
                                 static_cast<off_t>(c.offset), c.length);
  expect_in("rsm_memseg_import_map", rc, allowed, args);
  if (rc == RSM_SUCCESS) {
    if (succ.at_fixed_addr && reinterpret_cast<uintptr_t>(addr) != c.fixed_addr)
      violation("rsm_memseg_import_map", "RSM_MAP_FIXED mapped elsewhere; " + args);
    check_mapping(s, c, addr, args);
    if (int u = rsm_memseg_import_unmap(h)) violation("rsm_memseg_import_unmap", "failed: " + std::to_string(u) + "; " + args);
  } else if (c.state == HandleState::connected) {
    // A refused map leaves the handle usable.
    void *again = nullptr;
    rsm_permission_t perm = h == s.ro ? RSM_PERM_READ : RSM_PERM_RDWR;
    if (rsm_memseg_import_map(h, &again, RSM_MAP_NONE, perm, 0, w.page) != RSM_SUCCESS)
      violation("rsm_memseg_import_map", "handle unusable after a refused map; " + args);
    rsm_memseg_import_unmap(h);
  }
  if (premapped) {
    if (std::memcmp(premapped, s.mem, s.len) != 0)
      violation("rsm_memseg_import_map", "a refused map disturbed the existing mapping; " + args);
    if (rsm_memseg_import_unmap(h)) violation("rsm_memseg_import_unmap", "failed on a mapped handle");
  }
  return 0;
}
