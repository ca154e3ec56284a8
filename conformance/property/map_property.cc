// rsmkit conformance: property (a), the argument model of
// rsm_memseg_import_map. For generated (segment size, offset, length, attr
// including undefined values, perm including undefined bits, *address,
// handle state) the code is one model::map_allowed allows; a success is a
// mapping of exactly the asked window with the asked protection that reads
// the exporter's bytes and whose stores the exporter sees; a failure leaves
// the handle usable.
//
// Safety: *address is only ever inside a PROT_NONE reservation the case owns
// (and large enough for any length it asks for), NULL, or outside user
// space, so a wrong "success" cannot clobber the test's own memory.
#include <rapidcheck.h>
#include <sys/mman.h>

#include <climits>
#include <cstdint>
#include <string>

#include "framework/pattern.h"
#include "framework/suite.h"
#include "model/allowed.h"
#include "property/harness.h"
#include "property/memory.h"

namespace rsmc {
namespace {

using model::HandleState;
using model::MapCall;
using prop::expect_rc;
using prop::fail;
using prop::hex;
using prop::octal;
using prop::program;

enum class Addr { reservation, reservation_unaligned, null, kernel };
enum class Off { valid, unaligned, negative, past_end, huge };
enum class Len { valid, partial_page, zero, past_end, huge };

const char *state_name(HandleState s) {
  switch (s) {
    case HandleState::connected: return "connected";
    case HandleState::mapped: return "mapped";
    case HandleState::aborted: return "aborted (exporter unpublished)";
    case HandleState::disconnected: return "disconnected";
    case HandleState::null: return "NULL";
    case HandleState::garbage: return "garbage";
  }
  return "?";
}

std::string attr_c(uint32_t attr) {
  switch (attr) {
    case RSM_MAP_NONE: return "RSM_MAP_NONE";
    case RSM_MAP_FIXED: return "RSM_MAP_FIXED";
    case RSM_MAP_RESERVED: return "RSM_MAP_RESERVED";
    default: return "(rsm_attribute_t)" + hex(attr);
  }
}

std::string perm_c(uint32_t perm) {
  switch (perm) {
    case RSM_PERM_READ: return "RSM_PERM_READ";
    case RSM_PERM_WRITE: return "RSM_PERM_WRITE";
    case RSM_PERM_RDWR: return "RSM_PERM_RDWR";
    default: return perm > 07777 ? hex(perm) + "u" : octal(perm);
  }
}

std::string off_c(int64_t off) {
  if (off == INT64_MIN) return "(off_t)INT64_MIN";
  if (off == INT64_MAX) return "(off_t)INT64_MAX";
  return "(off_t)" + std::to_string(off);
}

std::string len_c(uint64_t len) {
  if (len == SIZE_MAX) return "SIZE_MAX";
  if (len > SIZE_MAX / 2) return "SIZE_MAX - " + std::to_string(SIZE_MAX - len);
  return std::to_string(len);
}

// What a case sets up and must tear down whatever happens.
struct Fixture {
  rsm_memseg_export_handle_t exp = nullptr;
  rsm_memseg_import_handle_t imp = nullptr;
  bool mapped = false;
  ~Fixture() {
    if (mapped) rsm_memseg_import_unmap(imp);
    if (imp) rsm_memseg_import_disconnect(imp);
    if (exp) rsm_memseg_export_destroy(exp);
  }
};

class PropertyMap : public RsmTest {
 protected:
  void one_case();
  // Checks a successful mapping of [off, off + len) of the segment at w.
  void check_window(char *w, int64_t off, uint64_t len, uint32_t perm, char *mem, size_t seg,
                    uint64_t seed, const std::string &var);
};

void PropertyMap::check_window(char *w, int64_t offset, uint64_t len, uint32_t perm, char *mem,
                               size_t seg, uint64_t seed, const std::string &var) {
  auto off = static_cast<uint64_t>(offset);
  std::string prot = prop::protection_of(reinterpret_cast<uintptr_t>(w), len);
  std::string want = perm == RSM_PERM_READ ? "r-" : perm == RSM_PERM_WRITE ? "-w" : "rw";
  bool prot_ok = prot == want || (perm == RSM_PERM_WRITE && prot == "rw");
  if (!prot_ok)
    fail("the mapping at " + hex(reinterpret_cast<uintptr_t>(w)) + " of " + std::to_string(len) +
         " bytes has protection \"" + prot + "\" in /proc/self/maps; perm " + perm_c(perm) + " asks for \"" +
         want + "\"");
  if (perm & RSM_PERM_READ) {
    long bad = first_mismatch(w, len, seed, off);
    program().comment("the window " + var + "[0.." + std::to_string(len) + ") must read the exporter's bytes at segment offsets " +
                      std::to_string(off) + ".." + std::to_string(off + len) + ": pattern_byte(" + std::to_string(seed) +
                      ", segment offset)");
    if (bad >= 0)
      fail("the mapping does not show the asked window: first bad byte at window offset " + std::to_string(bad) +
           " (segment offset " + std::to_string(off + static_cast<uint64_t>(bad)) + "): expected " +
           hex(pattern_byte(seed, off + static_cast<uint64_t>(bad))) + ", got " +
           hex(static_cast<uint8_t>(w[bad])));
  }
  if (perm & RSM_PERM_WRITE) {
    uint64_t seed2 = seed + 1000;
    fill_pattern(w, len, seed2, off);
    program().stmt("fill_pattern(" + var + ", " + std::to_string(len) + ", " + std::to_string(seed2) + ", " +
                       std::to_string(off) + ");",
                   "stores through the mapping");
    long bad = first_mismatch(mem + off, len, seed2, off);
    if (bad >= 0)
      fail("a store through the mapping did not reach the exporter: first bad byte at segment offset " +
           std::to_string(off + static_cast<uint64_t>(bad)) + " (window offset " + std::to_string(bad) + ")");
    long before = first_mismatch(mem, off, seed, 0);
    long after = first_mismatch(mem + off + len, seg - off - len, seed, off + len);
    if (before >= 0 || after >= 0)
      fail("stores through the mapping changed the exporter's memory outside the window, first at segment offset " +
           std::to_string(before >= 0 ? static_cast<uint64_t>(before) : off + len + static_cast<uint64_t>(after)));
    fill_pattern(mem + off, len, seed, off);  // the exporter restores its bytes
    program().stmt("fill_pattern(mem + " + std::to_string(off) + ", " + std::to_string(len) + ", " +
                       std::to_string(seed) + ", " + std::to_string(off) + ");",
                   "the exporter restores its bytes");
  } else if (prop::store_faults(w)) {
    // Reads only: a store must fault (and then it changed nothing).
  } else {
    fail("a store through an RSM_PERM_READ mapping did not fault");
  }
}

void PropertyMap::one_case() {
  const size_t P = page;
  auto pages = *rc::gen::inRange<size_t>(1, 5);
  size_t seg = pages * P;
  auto seed = *rc::gen::inRange<uint64_t>(1, 1000);
  bool read_only_grant = *rc::gen::weightedElement<bool>({{4, false}, {1, true}});
  uint32_t cperm = read_only_grant ? RSM_PERM_READ
                                   : *rc::gen::element<uint32_t>(RSM_PERM_RDWR, RSM_PERM_READ, RSM_PERM_WRITE);
  auto st = *rc::gen::weightedElement<HandleState>({{12, HandleState::connected},
                                                    {3, HandleState::mapped},
                                                    {2, HandleState::aborted},
                                                    {1, HandleState::disconnected},
                                                    {1, HandleState::null},
                                                    {1, HandleState::garbage}});
  if (st == HandleState::mapped && !can_map()) st = HandleState::connected;
  bool address_null = *rc::gen::weightedElement<bool>({{19, false}, {1, true}});
  auto attr = *rc::gen::weightedElement<uint32_t>({{8, RSM_MAP_NONE},
                                                   {6, RSM_MAP_FIXED},
                                                   {2, RSM_MAP_RESERVED},
                                                   {1, 3u},
                                                   {1, 4u},
                                                   {1, 0x80u},
                                                   {1, 0xFFFFFFFFu}});
  auto perm = *rc::gen::weightedElement<uint32_t>({{5, RSM_PERM_RDWR},
                                                   {3, RSM_PERM_READ},
                                                   {3, RSM_PERM_WRITE},
                                                   {1, 0u},
                                                   {1, 0100u},
                                                   {1, 0700u},
                                                   {1, 0777u},
                                                   {1, 0401u},
                                                   {1, 0x80000000u}});
  auto off_kind = *rc::gen::weightedElement<Off>(
      {{8, Off::valid}, {2, Off::unaligned}, {1, Off::negative}, {1, Off::past_end}, {1, Off::huge}});
  int64_t off = 0;
  switch (off_kind) {
    case Off::valid: off = static_cast<int64_t>(*rc::gen::inRange<size_t>(0, pages) * P); break;
    case Off::unaligned:
      off = static_cast<int64_t>(*rc::gen::inRange<size_t>(0, pages) * P + *rc::gen::inRange<size_t>(1, P));
      break;
    case Off::negative: off = *rc::gen::element<int64_t>(-1, -static_cast<int64_t>(P), INT64_MIN); break;
    case Off::past_end: off = static_cast<int64_t>(seg + *rc::gen::element<size_t>(0, P)); break;
    case Off::huge: off = INT64_MAX; break;
  }
  // What is left of the segment from the offset (one page when the offset
  // is outside it).
  uint64_t rest = off >= 0 && static_cast<uint64_t>(off) < seg ? seg - static_cast<uint64_t>(off) : P;
  auto len_kind = *rc::gen::weightedElement<Len>(
      {{8, Len::valid}, {2, Len::partial_page}, {1, Len::zero}, {1, Len::past_end}, {1, Len::huge}});
  uint64_t len = 0;
  switch (len_kind) {
    case Len::valid:
      len = rest >= P ? *rc::gen::inRange<uint64_t>(1, rest / P + 1) * P : rest;
      break;
    case Len::partial_page: len = *rc::gen::inRange<uint64_t>(1, rest + 1); break;
    case Len::zero: len = 0; break;
    case Len::past_end: len = rest + *rc::gen::element<uint64_t>(1, P); break;
    case Len::huge: len = *rc::gen::element<uint64_t>(SIZE_MAX, SIZE_MAX - P + 1); break;
  }
  // Addresses: a huge length never goes with a user-space address unless
  // attr is RSM_MAP_NONE (the address is then only a hint).
  auto addr_kind = *rc::gen::weightedElement<Addr>(
      {{6, Addr::reservation}, {2, Addr::reservation_unaligned}, {1, Addr::null}, {1, Addr::kernel}});
  if (len_kind == Len::huge && attr != RSM_MAP_NONE &&
      (addr_kind == Addr::reservation || addr_kind == Addr::reservation_unaligned))
    addr_kind = Addr::kernel;
  auto resv_page = *rc::gen::inRange<size_t>(0, 2);
  size_t delta = addr_kind == Addr::reservation_unaligned ? *rc::gen::element<size_t>(1, 8, P / 2, P - 1) : 0;
  uintptr_t kernel = *rc::gen::element<uintptr_t>(0xFFFF800000000000ull, uintptr_t{1} << 47, 0xFFFFFFFFFFFFF000ull);

  // ---- set up: exporter, connection, handle state -------------------------
  prop::CProgram &c = program();
  prop::Pages mem(seg);
  // Big enough for every non-huge length from two pages in.
  prop::Reservation resv(seg + 3 * P);
  Fixture fx;  // after the memory: torn down before it
  if (!mem.addr || !resv.addr) fail("setup: mmap failed");
  fill_pattern(mem.addr, seg, seed, 0);
  c.declare("char *", "mem");
  c.declare("char *", "resv");
  c.declare("rsm_memseg_export_handle_t", "exp", "NULL");
  c.declare("rsm_memseg_import_handle_t", "imp", "NULL");
  c.declare("rsm_memseg_id_t", "id", "0");
  c.declare("void *", "addr");
  c.stmt("mem = mmap(NULL, " + std::to_string(seg) + ", PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);");
  c.stmt("fill_pattern(mem, " + std::to_string(seg) + ", " + std::to_string(seed) + ", 0);",
         "the exporter's bytes");
  c.stmt("resv = mmap(NULL, " + std::to_string(resv.len) +
         ", PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);",
         "the only user-space range a fixed address points into");
  int rc = rsm_memseg_export_create(ctlr, &fx.exp, mem.addr, seg, 0);
  c.call("rsm_memseg_export_create(ctlr, &exp, mem, " + std::to_string(seg) + ", 0)", rc);
  if (rc != RSM_SUCCESS) fail("setup: rsm_memseg_export_create returned " + prop::rc_text(rc));
  rsmapi_access_entry_t acl[1] = {{local_node, read_only_grant ? 0444u : 0666u}};
  c.declare("rsmapi_access_entry_t", "acl[1]",
            "{{" + std::to_string(local_node) + ", " + octal(acl[0].ae_permission) + "}}");
  rsm_memseg_id_t id = 0;
  rc = rsm_memseg_export_publish(fx.exp, &id, acl, 1);
  c.call("rsm_memseg_export_publish(exp, &id, acl, 1)", rc, "id " + hex(id));
  if (rc != RSM_SUCCESS) fail("setup: rsm_memseg_export_publish returned " + prop::rc_text(rc));
  rc = rsm_memseg_import_connect(ctlr, local_node, id, cperm, &fx.imp);
  c.call("rsm_memseg_import_connect(ctlr, " + std::to_string(local_node) + ", id, " + perm_c(cperm) + ", &imp)", rc);
  if (rc != RSM_SUCCESS) {
    fx.imp = nullptr;
    fail("setup: rsm_memseg_import_connect (granted " + octal(acl[0].ae_permission) + ") returned " +
         prop::rc_text(rc));
  }
  void *pre = nullptr;
  rsm_memseg_import_handle_t h = fx.imp;
  std::string h_c = "imp";
  switch (st) {
    case HandleState::mapped:
      c.declare("void *", "pre", "NULL");
      rc = rsm_memseg_import_map(fx.imp, &pre, RSM_MAP_NONE, cperm, 0, seg);
      c.call("rsm_memseg_import_map(imp, &pre, RSM_MAP_NONE, " + perm_c(cperm) + ", 0, " + std::to_string(seg) + ")",
             rc, "the handle is now mapped");
      expect_rc("setup map", rc, {RSM_SUCCESS});
      fx.mapped = true;
      break;
    case HandleState::aborted:
      rc = rsm_memseg_export_unpublish(fx.exp);
      c.call("rsm_memseg_export_unpublish(exp)", rc, "the connection is aborted");
      expect_rc("setup unpublish", rc, {RSM_SUCCESS});
      break;
    case HandleState::disconnected:
      rc = rsm_memseg_import_disconnect(fx.imp);
      c.call("rsm_memseg_import_disconnect(imp)", rc, "imp is now stale");
      expect_rc("setup disconnect", rc, {RSM_SUCCESS});
      fx.imp = nullptr;
      break;
    case HandleState::null:
      h = nullptr;
      h_c = "NULL";
      break;
    case HandleState::garbage:
      h = garbage_handle<rsm_memseg_import_handle_t>();
      h_c = "(rsm_memseg_import_handle_t)0x5a5a5a5a5a5a5a50ull";
      break;
    case HandleState::connected: break;
  }

  // ---- the call -------------------------------------------------------------
  uintptr_t in = 0;
  std::string in_c;
  switch (addr_kind) {
    case Addr::reservation:
    case Addr::reservation_unaligned:
      in = reinterpret_cast<uintptr_t>(resv.addr) + resv_page * P + delta;
      in_c = "resv + " + std::to_string(resv_page * P + delta);
      break;
    case Addr::null: in_c = "NULL"; break;
    case Addr::kernel:
      in = kernel;
      in_c = "(void *)" + hex(kernel) + "ull";
      break;
  }
  bool in_resv = addr_kind == Addr::reservation || addr_kind == Addr::reservation_unaligned;
  MapCall mc;
  mc.state = st;
  mc.address_null = address_null;
  mc.attr = attr;
  mc.perm = perm;
  mc.offset = off;
  mc.length = len;
  mc.fixed_addr = in;
  mc.fixed_addr_reserved = in_resv;
  mc.seg_size = seg;
  mc.page = P;
  mc.connect_perm = cperm;
  mc.granted_perm = read_only_grant ? RSM_PERM_READ : RSM_PERM_RDWR;
  mc.can_map = can_map();
  model::MapSuccess ms{};
  RcSet allowed = model::map_allowed(mc, &ms);

  void *addr = reinterpret_cast<void *>(in);
  c.stmt("addr = " + in_c + ";");
  std::string call = "rsm_memseg_import_map(" + h_c + ", " + (address_null ? "NULL" : "&addr") + ", " + attr_c(attr) +
                     ", " + perm_c(perm) + ", " + off_c(off) + ", " + len_c(len) + ")";
  rc = rsm_memseg_import_map(h, address_null ? nullptr : &addr, static_cast<rsm_attribute_t>(attr), perm,
                             static_cast<off_t>(off), len);
  c.call(call, rc,
         std::string("handle ") + state_name(st) + "; allowed: " + allowed.str() +
             (rc == RSM_SUCCESS ? "; addr " + hex(reinterpret_cast<uintptr_t>(addr)) : ""));
  if (rc == RSM_SUCCESS && !address_null && h == fx.imp && st != HandleState::disconnected) fx.mapped = true;
  expect_rc(call, rc, allowed, std::string("handle ") + state_name(st));

  if (rc == RSM_SUCCESS) {
    auto *w = static_cast<char *>(addr);
    if (!w) fail(call + " succeeded with *address NULL");
    if (ms.at_fixed_addr && reinterpret_cast<uintptr_t>(w) != in)
      fail(call + " (RSM_MAP_FIXED) mapped at " + hex(reinterpret_cast<uintptr_t>(w)) + ", not at the asked " +
           hex(in));
    // A placement inside the reservation may not spill over the rest of it.
    auto wa = reinterpret_cast<uintptr_t>(w), ra = reinterpret_cast<uintptr_t>(resv.addr);
    if (wa >= ra && wa < ra + resv.len) {
      uintptr_t end = (wa + len + P - 1) / P * P;
      std::string below = wa - ra >= P ? prop::protection_of(ra, (wa - ra) / P * P) : "--";
      std::string above = end < ra + resv.len ? prop::protection_of(end, ra + resv.len - end) : "--";
      if (below != "--" || above != "--")
        fail(call + " changed the caller's reservation outside the asked window (" + below + " below, " + above +
             " above)");
    }
    check_window(w, off, len, perm, mem.addr, seg, seed, "addr");
    rc = rsm_memseg_import_unmap(fx.imp);
    c.call("rsm_memseg_import_unmap(imp)", rc);
    expect_rc("rsm_memseg_import_unmap(imp) of a mapped handle", rc, {RSM_SUCCESS});
    fx.mapped = false;
    return;
  }
  // A refused call maps nothing into the caller's reservation.
  if (prop::protection_of(reinterpret_cast<uintptr_t>(resv.addr), resv.len) != "--")
    fail(call + " failed but changed the caller's PROT_NONE reservation");
  if (st == HandleState::connected) {
    // The handle stays usable: a valid map now works.
    void *again = nullptr;
    c.declare("void *", "again", "NULL");
    rc = rsm_memseg_import_map(fx.imp, &again, RSM_MAP_NONE, cperm, 0, seg);
    std::string call2 = "rsm_memseg_import_map(imp, &again, RSM_MAP_NONE, " + perm_c(cperm) + ", 0, " +
                        std::to_string(seg) + ")";
    c.call(call2, rc, "a valid map after the refused one");
    expect_rc(call2, rc, can_map() ? RcSet{RSM_SUCCESS} : RcSet{RSMERR_MAP_FAILED},
              "a refused map must leave the handle usable");
    if (rc != RSM_SUCCESS) return;
    fx.mapped = true;
    check_window(static_cast<char *>(again), 0, seg, cperm, mem.addr, seg, seed, "again");
  } else if (st == HandleState::mapped) {
    // The first mapping is untouched by the refused second one.
    if (cperm & RSM_PERM_READ) {
      c.comment("the first mapping (pre) must still read the exporter's bytes");
      long bad = first_mismatch(pre, seg, seed, 0);
      if (bad >= 0)
        fail("after the refused map, the existing mapping differs from the exporter at segment offset " +
             std::to_string(bad));
    }
  } else {
    return;
  }
  rc = rsm_memseg_import_unmap(fx.imp);
  c.call("rsm_memseg_import_unmap(imp)", rc);
  expect_rc("rsm_memseg_import_unmap(imp) of a mapped handle", rc, {RSM_SUCCESS});
  fx.mapped = false;
}

TEST_F(PropertyMap, ArgumentModel) {
  covers("property.map.allowed_results");
  covers("property.map.window_and_protection");
  covers("property.map.failure_leaves_handle_usable");
  covers("property.unmap.success");
  prop::run_property(ctlr_name, 300, [this] { one_case(); });
}

}  // namespace
}  // namespace rsmc
