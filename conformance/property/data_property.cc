// rsmkit conformance: property (c), the data model. put/get 8/16/32/64 and
// block, and putv/getv with scatter lists of 1..16 entries (local addresses
// and local memory handles), at random offsets and counts, against a byte
// array that models the segment: every successful call leaves the
// exporter's memory, and every read leaves the caller's buffer, exactly as
// the model says; every code is one model/xfer.h allows. A mismatch names
// the first bad offset.
#include <rapidcheck.h>

#include <algorithm>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "framework/pattern.h"
#include "framework/suite.h"
#include "model/xfer.h"
#include "property/harness.h"
#include "property/memory.h"

namespace rsmc {
namespace {

using prop::expect_rc;
using prop::fail;
using prop::program;

// One scatter/gather entry. Local side: a local memory handle over `lbuf`
// or an address `vbuf + base`; both buffers are kLocalPages long.
struct Entry {
  bool handle = false;
  uint64_t base = 0;  // RSM_VA_TYPE: vaddr = vbuf + base
  uint64_t local_offset = 0, remote_offset = 0, length = 0;
};

struct Op {
  enum Kind { put, get, putv, getv } kind = put;
  unsigned width = 0;  // 0: rsm_memseg_import_put/get; else 8/16/32/64
  int64_t offset = 0;
  uint64_t count = 0;  // elements (bytes for the block form)
  uint64_t seed = 0;   // data of a put; sentinel of a get
  std::vector<Entry> entries;
};

std::ostream &operator<<(std::ostream &os, const Op &op) {
  static const char *names[] = {"put", "get", "putv", "getv"};
  os << names[op.kind] << (op.width ? std::to_string(op.width) : "") << " off=" << op.offset << " count=" << op.count
     << " entries=" << op.entries.size();
  return os;
}

constexpr size_t kLocalPages = 2;

class PropertyData : public RsmTest {
 protected:
  void one_case(bool vectors);

  // Generates one operation for a segment of `seg` bytes.
  rc::Gen<Op> gen_op(bool vectors, size_t seg) const;
};

rc::Gen<Op> PropertyData::gen_op(bool vectors, size_t seg) const {
  const size_t local = kLocalPages * page;
  return rc::gen::exec([vectors, seg, local] {
    Op op;
    op.seed = *rc::gen::inRange<uint64_t>(1, 1u << 20);
    if (!vectors) {
      op.kind = *rc::gen::element(Op::put, Op::get);
      op.width = *rc::gen::element(0u, 8u, 16u, 32u, 64u);
      uint64_t elem = op.width ? op.width / 8 : 1;
      // Mostly in range and aligned; sometimes misaligned or out of range.
      int fault = *rc::gen::weightedElement<int>({{8, 0}, {1, 1}, {1, 2}, {1, 3}});
      uint64_t off = *rc::gen::inRange<uint64_t>(0, seg / elem + 1) * elem;
      uint64_t room = (seg - off) / elem;
      // Short transfers mostly, the whole rest of the segment sometimes.
      uint64_t count = *rc::gen::weightedElement<int>({{3, 0}, {1, 1}}) ? room
                                                                        : *rc::gen::inRange<uint64_t>(0, std::min<uint64_t>(room, 64) + 1);
      op.offset = static_cast<int64_t>(off);
      op.count = count;
      switch (fault) {
        case 1:  // misaligned offset (the block form has none: past the end instead)
          if (elem > 1) op.offset += *rc::gen::inRange<int64_t>(1, static_cast<int64_t>(elem));
          else op.count = room + 1;
          break;
        case 2: op.count = room + *rc::gen::inRange<uint64_t>(1, 3); break;  // past the end
        case 3: op.offset = *rc::gen::element<int64_t>(-static_cast<int64_t>(elem), static_cast<int64_t>(seg + elem)); break;
        default: break;
      }
      return op;
    }
    op.kind = *rc::gen::element(Op::putv, Op::getv);
    auto n = *rc::gen::inRange<size_t>(1, RSM_MAX_SGIOREQS + 1);
    for (size_t i = 0; i < n; i++) {
      Entry e;
      e.handle = *rc::gen::arbitrary<bool>();
      // A rare faulty entry: past the segment's end, or past the local
      // handle's end (by one byte: the buffers have a guard page, so a wrong
      // transfer stays in the test's own memory).
      int fault = *rc::gen::weightedElement<int>({{30, 0}, {1, 1}, {1, 2}});
      if (fault == 1) {
        auto x = *rc::gen::inRange<uint64_t>(1, 33);
        e.remote_offset = seg - x;
        e.length = x + 1;
      } else {
        e.remote_offset = *rc::gen::inRange<uint64_t>(0, seg);
        uint64_t room = std::min<uint64_t>(seg - e.remote_offset, local / 2);
        e.length = *rc::gen::weightedElement<int>({{4, 0}, {1, 1}})
                       ? room
                       : *rc::gen::inRange<uint64_t>(1, std::min<uint64_t>(room, 96) + 1);
      }
      if (e.handle) {
        e.local_offset = fault == 2 ? local - e.length + 1 : *rc::gen::inRange<uint64_t>(0, local - e.length + 1);
      } else {
        e.base = *rc::gen::inRange<uint64_t>(0, local / 2);
        e.local_offset = *rc::gen::inRange<uint64_t>(0, local - e.base - e.length + 1);
      }
      op.entries.push_back(e);
    }
    op.count = op.entries.size();
    return op;
  });
}

// What a case owns, torn down in reverse.
struct DataFixture {
  rsmapi_controller_handle_t ctlr = nullptr;
  rsm_memseg_export_handle_t exp = nullptr;
  rsm_memseg_import_handle_t imp = nullptr;
  rsmapi_barrier_t bar{};
  bool barrier = false;
  rsm_localmemory_handle_t lmh = nullptr;
  ~DataFixture() {
    if (lmh) rsm_free_localmemory_handle(ctlr, lmh);
    if (barrier) rsm_memseg_import_destroy_barrier(&bar);
    if (imp) rsm_memseg_import_disconnect(imp);
    if (exp) rsm_memseg_export_destroy(exp);
  }
};

// The first offset where two byte ranges differ, or -1.
long first_diff(const uint8_t *a, const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i]) return static_cast<long>(i);
  return -1;
}

std::string byte_pair(uint8_t want, uint8_t got) {
  return "expected " + prop::hex(want) + ", got " + prop::hex(got);
}

void PropertyData::one_case(bool vectors) {
  const size_t P = page;
  auto pages = *rc::gen::inRange<size_t>(1, 4);
  size_t seg = pages * P;
  auto seed = *rc::gen::inRange<uint64_t>(1, 1000);
  auto ops = *rc::gen::resize(40, rc::gen::nonEmpty(rc::gen::container<std::vector<Op>>(gen_op(vectors, seg))));
  const size_t local = kLocalPages * P;

  prop::CProgram &c = program();
  prop::Pages mem(seg), lbuf(local + P), vbuf(local + P);  // + a guard page each
  if (!mem.addr || !lbuf.addr || !vbuf.addr) fail("setup: mmap failed");
  DataFixture fx;
  fx.ctlr = ctlr;
  fill_pattern(mem.addr, seg, seed, 0);
  std::vector<uint8_t> model(mem.addr, mem.addr + seg);
  c.declare("char *", "mem");
  c.declare("rsm_memseg_export_handle_t", "exp", "NULL");
  c.declare("rsm_memseg_import_handle_t", "imp", "NULL");
  c.declare("rsm_memseg_id_t", "id", "0");
  c.declare("rsmapi_barrier_t", "bar");
  c.stmt("mem = mmap(NULL, " + std::to_string(seg) + ", PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);");
  c.stmt("fill_pattern(mem, " + std::to_string(seg) + ", " + std::to_string(seed) + ", 0);", "the exporter's bytes");
  int rc = rsm_memseg_export_create(ctlr, &fx.exp, mem.addr, seg, 0);
  c.call("rsm_memseg_export_create(ctlr, &exp, mem, " + std::to_string(seg) + ", 0)", rc);
  if (rc != RSM_SUCCESS) fail("setup: rsm_memseg_export_create returned " + prop::rc_text(rc));
  rsm_memseg_id_t id = 0;
  rc = rsm_memseg_export_publish(fx.exp, &id, nullptr, 0);
  c.call("rsm_memseg_export_publish(exp, &id, NULL, 0)", rc);
  if (rc != RSM_SUCCESS) fail("setup: rsm_memseg_export_publish returned " + prop::rc_text(rc));
  rc = rsm_memseg_import_connect(ctlr, local_node, id, RSM_PERM_RDWR, &fx.imp);
  c.call("rsm_memseg_import_connect(ctlr, " + std::to_string(local_node) + ", id, RSM_PERM_RDWR, &imp)", rc);
  if (rc != RSM_SUCCESS) {
    fx.imp = nullptr;
    fail("setup: rsm_memseg_import_connect returned " + prop::rc_text(rc));
  }
  rc = rsm_memseg_import_init_barrier(fx.imp, RSM_BARRIER_NODE, &fx.bar);
  c.call("rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &bar)", rc);
  if (rc != RSM_SUCCESS) fail("setup: rsm_memseg_import_init_barrier returned " + prop::rc_text(rc));
  fx.barrier = true;
  if (vectors) {
    c.declare("char *", "lbuf");
    c.declare("char *", "vbuf");
    c.declare("rsm_localmemory_handle_t", "lmh", "NULL");
    c.declare("rsm_iovec_t", "iov[16]");
    c.declare("rsm_scat_gath_t", "sg");
    c.stmt("lbuf = mmap(NULL, " + std::to_string(local + P) + ", PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);");
    c.stmt("vbuf = mmap(NULL, " + std::to_string(local + P) + ", PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);");
    rc = rsm_create_localmemory_handle(ctlr, &fx.lmh, lbuf.addr, local);
    c.call("rsm_create_localmemory_handle(ctlr, &lmh, lbuf, " + std::to_string(local) + ")", rc);
    if (rc != RSM_SUCCESS) {
      fx.lmh = nullptr;
      fail("setup: rsm_create_localmemory_handle returned " + prop::rc_text(rc));
    }
  } else {
    c.declare("uint64_t", "buf[" + std::to_string(seg / 8 + 2) + "]");
  }

  // Every step: the exporter's memory is the model.
  auto check_exporter = [&](const std::string &after) {
    long bad = first_diff(model.data(), reinterpret_cast<uint8_t *>(mem.addr), seg);
    if (bad >= 0)
      fail("after " + after + ", the exporter's memory differs from the model: first bad byte at segment offset " +
           std::to_string(bad) + ": " + byte_pair(model[static_cast<size_t>(bad)], static_cast<uint8_t>(mem.addr[bad])));
  };

  // One buffer for the sized and block forms: the largest transfer plus
  // guard bytes past it, 8-byte aligned.
  std::vector<uint64_t> buf(seg / 8 + 2);
  auto *bytes = reinterpret_cast<uint8_t *>(buf.data());
  const size_t buf_len = buf.size() * 8;

  for (size_t k = 0; k < ops.size(); k++) {
    const Op &op = ops[k];
    if (op.kind == Op::put || op.kind == Op::get) {
      bool is_get = op.kind == Op::get;
      uint64_t elem = op.width ? op.width / 8 : 1;
      std::string fn = std::string("rsm_memseg_import_") + (is_get ? "get" : "put") +
                       (op.width ? std::to_string(op.width) : "");
      std::string cast = op.width ? "(uint" + std::to_string(op.width) + "_t *)buf" : "buf";
      std::string call = fn + "(imp, (off_t)" + std::to_string(op.offset) + ", " + cast + ", " +
                         std::to_string(op.count) + ")";
      // The buffer holds the data of a put, or a sentinel a get overwrites.
      uint64_t n = std::min<uint64_t>(op.count * elem, buf_len);
      fill_pattern(bytes, buf_len, op.seed, 0);
      c.stmt("fill_pattern(buf, sizeof buf, " + std::to_string(op.seed) + ", 0);",
             is_get ? "a sentinel the get overwrites" : "the data to put");
      model::XferCall xc;
      xc.get = is_get;
      xc.elem = static_cast<unsigned>(elem);
      xc.offset = op.offset;
      xc.count = op.count;
      xc.seg_size = seg;
      RcSet allowed = model::xfer_allowed(xc);
      auto *p = buf.data();
      auto off = static_cast<off_t>(op.offset);
      switch (op.width + (is_get ? 1 : 0)) {
        case 0: rc = rsm_memseg_import_put(fx.imp, off, p, op.count); break;
        case 1: rc = rsm_memseg_import_get(fx.imp, off, p, op.count); break;
        case 8: rc = rsm_memseg_import_put8(fx.imp, off, reinterpret_cast<uint8_t *>(p), op.count); break;
        case 9: rc = rsm_memseg_import_get8(fx.imp, off, reinterpret_cast<uint8_t *>(p), op.count); break;
        case 16: rc = rsm_memseg_import_put16(fx.imp, off, reinterpret_cast<uint16_t *>(p), op.count); break;
        case 17: rc = rsm_memseg_import_get16(fx.imp, off, reinterpret_cast<uint16_t *>(p), op.count); break;
        case 32: rc = rsm_memseg_import_put32(fx.imp, off, reinterpret_cast<uint32_t *>(p), op.count); break;
        case 33: rc = rsm_memseg_import_get32(fx.imp, off, reinterpret_cast<uint32_t *>(p), op.count); break;
        case 64: rc = rsm_memseg_import_put64(fx.imp, off, p, op.count); break;
        default: rc = rsm_memseg_import_get64(fx.imp, off, p, op.count); break;
      }
      c.call(call, rc, "allowed: " + allowed.str());
      expect_rc(call, rc, allowed);
      auto uoff = static_cast<size_t>(op.offset);
      if (!is_get) {
        if (rc == RSM_SUCCESS) {
          std::memcpy(model.data() + uoff, bytes, n);
          c.comment("the exporter's bytes " + std::to_string(uoff) + ".." + std::to_string(uoff + n) +
                    " are now buf[0.." + std::to_string(n) + ")");
          check_exporter(call);
        } else {
          // A refused put writes nothing outside the range it was given;
          // inside it the pages promise nothing.
          size_t lo = op.offset < 0 ? 0 : std::min<size_t>(uoff, seg);
          size_t hi = op.offset < 0 ? 0 : std::min<size_t>(seg, lo + std::min<uint64_t>(n, seg));
          std::vector<uint8_t> allowed_model = model;
          std::memcpy(allowed_model.data() + lo, mem.addr + lo, hi - lo);
          long bad = first_diff(allowed_model.data(), reinterpret_cast<uint8_t *>(mem.addr), seg);
          if (bad >= 0)
            fail(call + " failed but changed the exporter's memory outside its range, first at segment offset " +
                 std::to_string(bad));
          model = allowed_model;
        }
        continue;
      }
      if (rc == RSM_SUCCESS) {
        long bad = first_diff(model.data() + uoff, bytes, n);
        if (bad >= 0)
          fail(call + " returned data that differs from the segment: first bad byte at buf offset " +
               std::to_string(bad) + " (segment offset " + std::to_string(uoff + static_cast<size_t>(bad)) +
               "): " + byte_pair(model[uoff + static_cast<size_t>(bad)], bytes[bad]));
        long over = first_mismatch(bytes + n, buf_len - n, op.seed, n);
        if (over >= 0)
          fail(call + " wrote past the " + std::to_string(n) + " bytes it was asked for: buf offset " +
               std::to_string(n + static_cast<size_t>(over)) + " changed");
        c.comment("buf[0.." + std::to_string(n) + ") must equal the segment's bytes " + std::to_string(uoff) + ".." +
                  std::to_string(uoff + n) + "; the rest of buf keeps its sentinel");
      }
      check_exporter(call);  // a get changes nothing in the segment
      continue;
    }

    // ---- vectored ---------------------------------------------------------
    bool is_get = op.kind == Op::getv;
    fill_pattern(lbuf.addr, local, op.seed, 0);
    fill_pattern(vbuf.addr, local, op.seed + 1, 0);
    c.stmt("fill_pattern(lbuf, " + std::to_string(local) + ", " + std::to_string(op.seed) + ", 0);");
    c.stmt("fill_pattern(vbuf, " + std::to_string(local) + ", " + std::to_string(op.seed + 1) + ", 0);");
    std::vector<rsm_iovec_t> iov(op.entries.size());
    model::VectorCall vc;
    vc.get = is_get;
    vc.count = op.entries.size();
    vc.seg_size = seg;
    c.stmt("memset(&sg, 0, sizeof sg);");
    for (size_t i = 0; i < op.entries.size(); i++) {
      const Entry &e = op.entries[i];
      std::string v = "iov[" + std::to_string(i) + "]";
      iov[i].io_type = e.handle ? RSM_HANDLE_TYPE : RSM_VA_TYPE;
      if (e.handle) iov[i].local.handle = fx.lmh;
      else iov[i].local.vaddr = vbuf.addr + e.base;
      iov[i].local_offset = e.local_offset;
      iov[i].remote_offset = e.remote_offset;
      iov[i].transfer_length = e.length;
      c.stmt(v + ".io_type = " + (e.handle ? "RSM_HANDLE_TYPE; " + v + ".local.handle = lmh;"
                                           : "RSM_VA_TYPE; " + v + ".local.vaddr = vbuf + " + std::to_string(e.base) + ";") +
             " " + v + ".local_offset = " + std::to_string(e.local_offset) + "; " + v +
             ".remote_offset = " + std::to_string(e.remote_offset) + "; " + v +
             ".transfer_length = " + std::to_string(e.length) + ";");
      model::IoEntry me;
      me.handle = e.handle;
      me.handle_len = local;
      me.local_offset = e.local_offset;
      me.remote_offset = e.remote_offset;
      me.length = e.length;
      vc.entries.push_back(me);
    }
    rsm_scat_gath_t sg{};
    sg.local_nodeid = local_node;
    sg.io_request_count = op.entries.size();
    sg.remote_handle = fx.imp;
    sg.iovec = iov.data();
    c.stmt("sg.local_nodeid = " + std::to_string(local_node) + "; sg.io_request_count = " +
           std::to_string(op.entries.size()) + "; sg.remote_handle = imp; sg.iovec = iov;");
    RcSet allowed = model::vector_allowed(vc);
    std::string call = std::string("rsm_memseg_import_") + (is_get ? "getv" : "putv") + "(&sg)";
    // What the local buffers must hold after a getv: the sentinels with each
    // entry's segment bytes over them, in vector order.
    std::vector<uint8_t> want_l(lbuf.addr, lbuf.addr + local), want_v(vbuf.addr, vbuf.addr + local);
    rc = is_get ? rsm_memseg_import_getv(&sg) : rsm_memseg_import_putv(&sg);
    c.call(call, rc, "io_residual_count " + std::to_string(sg.io_residual_count) + "; allowed: " + allowed.str());
    expect_rc(call, rc, allowed);
    size_t n = op.entries.size();
    if (rc == RSM_SUCCESS && sg.io_residual_count != 0)
      fail(call + " succeeded with io_residual_count " + std::to_string(sg.io_residual_count) + " (must be 0)");
    if (rc != RSM_SUCCESS && sg.io_residual_count > n)
      fail(call + " failed with io_residual_count " + std::to_string(sg.io_residual_count) + " > io_request_count " +
           std::to_string(n));
    // Entries the call says it completed.
    size_t done = n - (rc == RSM_SUCCESS ? 0 : sg.io_residual_count);
    auto local_of = [&](const Entry &e, std::vector<uint8_t> &l, std::vector<uint8_t> &v) {
      return e.handle ? l.data() + e.local_offset : v.data() + e.base + e.local_offset;
    };
    if (!is_get) {
      std::vector<uint8_t> want = model;
      std::vector<uint8_t> src_l(lbuf.addr, lbuf.addr + local), src_v(vbuf.addr, vbuf.addr + local);
      for (size_t i = 0; i < done; i++) {
        const Entry &e = op.entries[i];
        std::memcpy(want.data() + e.remote_offset, local_of(e, src_l, src_v), e.length);
      }
      if (rc != RSM_SUCCESS) {
        // Entries not completed may have landed in part: only bytes outside
        // every entry's range are certain.
        for (size_t i = done; i < n; i++) {
          const Entry &e = op.entries[i];
          if (e.remote_offset >= seg) continue;
          size_t len = std::min<uint64_t>(e.length, seg - e.remote_offset);
          std::memcpy(want.data() + e.remote_offset, mem.addr + e.remote_offset, len);
        }
      }
      model = want;
      c.comment("the exporter's memory must now hold entries 0.." + std::to_string(done) +
                " of the vector, in vector order");
      check_exporter(call);
      continue;
    }
    if (rc == RSM_SUCCESS) {
      for (size_t i = 0; i < n; i++) {
        const Entry &e = op.entries[i];
        std::memcpy(local_of(e, want_l, want_v), model.data() + e.remote_offset, e.length);
      }
      c.comment("each entry's local bytes must now equal its segment bytes; the rest keeps the fill");
      long bad_l = first_diff(want_l.data(), reinterpret_cast<uint8_t *>(lbuf.addr), local);
      long bad_v = first_diff(want_v.data(), reinterpret_cast<uint8_t *>(vbuf.addr), local);
      if (bad_l >= 0 || bad_v >= 0) {
        bool in_l = bad_l >= 0;
        size_t at = static_cast<size_t>(in_l ? bad_l : bad_v);
        std::string which;
        for (size_t i = n; i-- > 0;) {
          const Entry &e = op.entries[i];
          size_t lo = e.handle ? e.local_offset : e.base + e.local_offset;
          if (e.handle == in_l && at >= lo && at < lo + e.length) {
            which = " (entry " + std::to_string(i) + ", segment offset " +
                    std::to_string(e.remote_offset + (at - lo)) + ")";
            break;
          }
        }
        if (which.empty()) which = " (outside every entry)";
        const auto &want = in_l ? want_l : want_v;
        const char *got = in_l ? lbuf.addr : vbuf.addr;
        fail(call + " left the local " + (in_l ? "lbuf (handle lmh)" : "vbuf") + " wrong: first bad byte at offset " +
             std::to_string(at) + which + ": " + byte_pair(want[at], static_cast<uint8_t>(got[at])));
      }
    }
    check_exporter(call);
  }
}

TEST_F(PropertyData, PutGetMatchByteModel) {
  covers("property.data.put");
  covers("property.data.get");
  prop::run_property(ctlr_name, 150, [this] { one_case(false); });
}

TEST_F(PropertyData, PutvGetvMatchByteModel) {
  covers("property.data.putv");
  covers("property.data.getv");
  prop::run_property(ctlr_name, 150, [this] { one_case(true); });
}

}  // namespace
}  // namespace rsmc
