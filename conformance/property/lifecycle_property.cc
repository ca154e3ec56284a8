// rsmkit conformance: property (b), the stateful lifecycle model
// (rapidcheck/state.h). Random sequences of create / publish / republish /
// unpublish / destroy / connect / map / unmap / put / get / putv / getv /
// barrier open-order-close / set_mode / disconnect over several exporters
// and importers in this process and in a peer process, checked step by step
// against a model state machine:
//  - every code is one the function may return at all (model::DocumentedCodes);
//  - where the state makes the answer certain, exactly that answer (connect
//    to a published segment with a granted perm succeeds, map of a mapped
//    handle is SEG_ALREADY_MAPPED, get after unpublish is CONN_ABORTED or
//    BAD_SEG_HNDL, disconnect while mapped is SEG_STILL_MAPPED, ...);
//  - the data every read sees, against a byte array per segment.
//
// The rapidcheck model (State) decides which steps may be generated; the
// expectations come from a second copy of it inside the system under test
// that follows the actual results, so a choice the spec leaves open (publish
// again after unpublish, say) does not make later expectations wrong.
#include <rapidcheck.h>
#include <rapidcheck/state.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "framework/pattern.h"
#include "framework/peer.h"
#include "framework/suite.h"
#include "model/allowed.h"
#include "model/documented.h"
#include "model/xfer.h"
#include "property/harness.h"
#include "property/memory.h"
#include "runner/embedded_documented.h"

namespace rsmc {
namespace {

using model::HandleState;
using prop::expect_rc;
using prop::fail;
using prop::hex;
using prop::octal;
using prop::program;

const model::DocumentedCodes &documented() {
  static const model::DocumentedCodes none("");
  const model::DocumentedCodes *d = embedded_documented_codes();
  return d ? *d : none;
}

// Never outside the documented set, whatever the state.
RcSet doc(const char *fn) { return documented().allowed(fn); }

// ---- the model --------------------------------------------------------------

enum Acl { acl_none, acl_rw, acl_ro };

struct SegM {
  bool remote = false;  // exported by the peer process
  size_t pages = 1;
  bool alive = false;   // created and not destroyed
  bool published = false;
  bool ever_published = false;  // has a segment id
  int acl = acl_none;
};

struct ImpM {
  bool remote = false;  // imported by the peer process
  int seg = -1;
  uint32_t perm = RSM_PERM_RDWR;
  bool live = false;    // connected, not disconnected
  bool alive = false;   // the exporter has not torn the connection down
  bool mapped = false;
  uint32_t map_perm = 0;
  size_t map_off = 0, map_len = 0;
  bool barrier = false;
  bool explicit_mode = false;
  bool did_xfer = false;  // a get/put may have mapped the segment implicitly
};

struct State {
  std::vector<SegM> segs;
  std::vector<ImpM> imps;
  // Bounds keep a case small: few live objects, and few ever made.
  bool can_create(bool remote) const {
    size_t all = 0, alive = 0;
    for (const auto &s : segs)
      if (s.remote == remote) all++, alive += s.alive;
    return remote ? alive < 2 && all < 4 : alive < 3 && all < 6;
  }
  bool can_connect(bool remote) const {
    size_t all = 0, live = 0;
    for (const auto &i : imps)
      if (i.remote == remote) all++, live += i.live;
    return remote ? live < 2 && all < 4 : live < 4 && all < 8;
  }
};

enum class Kind {
  create, publish, republish, unpublish, destroy, local_write,
  peer_export, peer_fill, peer_check, peer_unpublish, peer_republish, peer_destroy,
  connect, init_barrier, set_mode, map, map_access, unmap, put, get, putv, getv, span, disconnect,
  peer_connect, peer_put, peer_get, peer_disconnect,
  verify,  // no call: every exporter's memory against its model (as after each step)
};

const char *kind_name(Kind k) {
  static const char *names[] = {"create", "publish", "republish", "unpublish", "destroy", "local_write",
                                "peer_export", "peer_fill", "peer_check", "peer_unpublish", "peer_republish",
                                "peer_destroy", "connect", "init_barrier", "set_mode", "map", "map_access", "unmap",
                                "put", "get", "putv", "getv", "span", "disconnect", "peer_connect", "peer_put",
                                "peer_get", "peer_disconnect", "verify"};
  return names[static_cast<int>(k)];
}

struct VEntry {
  uint64_t local_offset = 0, remote_offset = 0, length = 0;
};

// One step's arguments (a command of the state machine).
struct Args {
  Kind kind = Kind::create;
  // Which of the objects the step may act on (see candidates()): an index
  // into that list, so that shrinking away an earlier object keeps the step
  // valid. seg and imp are resolved from it.
  size_t pick = 0;
  int seg = -1, imp = -1;
  size_t pages = 1;
  int acl = acl_none;
  uint32_t perm = RSM_PERM_RDWR;
  uint64_t seed = 1;
  uint64_t off = 0, len = 0;    // bytes (put/get: elements in len)
  unsigned width = 0;           // put/get: 0 block, else 8/16/32/64
  uint64_t off2 = 0, len2 = 0;  // span: the get
  bool explicit_mode = false;
  std::vector<VEntry> entries;
};

// Whether the controller maps (attr_max_import_map_size > 0); set by the test.
bool g_can_map = true;

HandleState hstate(const ImpM &i) {
  if (!i.live) return HandleState::disconnected;
  if (!i.alive) return HandleState::aborted;
  return i.mapped ? HandleState::mapped : HandleState::connected;
}

// The owner-position access a segment's list grants (the importer has the
// exporter's uid). No list: the creating process's mode, 0777 & ~umask.
uint32_t grant_of(int acl) {
  static const uint32_t dflt = [] {
    mode_t m = umask(0);
    umask(m);
    return static_cast<uint32_t>((0777 & ~m) & RSM_PERM_RDWR);
  }();
  return acl == acl_rw ? RSM_PERM_RDWR : acl == acl_ro ? RSM_PERM_READ : dflt;
}

// What connect may answer for a segment in this state (the same for an
// importer here and in the peer: every list names both nodes).
RcSet connect_allowed(const SegM &s, uint32_t perm) {
  if (!s.alive || !s.published) return {RSMERR_SEG_NOT_PUBLISHED};
  if ((perm & grant_of(s.acl)) == perm) return {RSM_SUCCESS};
  return {RSMERR_PERM_DENIED, RSMERR_BAD_PERMS};
}

model::XferCall xfer_call(const State &s, const ImpM &i, bool get, unsigned width, uint64_t off, uint64_t count,
                          size_t page) {
  model::XferCall c;
  c.state = hstate(i) == HandleState::mapped ? HandleState::connected : hstate(i);
  c.get = get;
  c.elem = width ? width / 8 : 1;
  c.offset = static_cast<int64_t>(off);
  c.count = count;
  c.seg_size = s.segs[static_cast<size_t>(i.seg)].pages * page;
  c.connect_perm = i.perm;
  c.barrier = i.barrier;
  c.explicit_mode = i.explicit_mode;
  return c;
}

// The set the step's main call may return in state s.
RcSet expected(const State &s, const Args &a, size_t page) {
  const SegM *sg = a.seg >= 0 ? &s.segs[static_cast<size_t>(a.seg)] : nullptr;
  const ImpM *im = a.imp >= 0 ? &s.imps[static_cast<size_t>(a.imp)] : nullptr;
  switch (a.kind) {
    case Kind::create:
    case Kind::peer_export:
    case Kind::destroy:
    case Kind::peer_destroy:
      return {RSM_SUCCESS};
    case Kind::publish:
      // Publishing again after an unpublish is a gap: anything documented.
      return sg->ever_published ? doc("rsm_memseg_export_publish") : RcSet{RSM_SUCCESS};
    case Kind::republish:
    case Kind::peer_republish:
    case Kind::unpublish:
    case Kind::peer_unpublish:
      return sg->published ? RcSet{RSM_SUCCESS} : RcSet{RSMERR_SEG_NOT_PUBLISHED};
    case Kind::connect:
    case Kind::peer_connect:
      return connect_allowed(*sg, a.perm);
    case Kind::init_barrier:
      return im->alive ? RcSet{RSM_SUCCESS} : doc("rsm_memseg_import_init_barrier");
    case Kind::set_mode:
      return im->alive ? RcSet{RSM_SUCCESS} : RcSet{RSM_SUCCESS, RSMERR_BAD_SEG_HNDL};
    case Kind::map: {
      model::MapCall c;
      c.state = hstate(*im);
      c.perm = a.perm;
      c.offset = static_cast<int64_t>(a.off);
      c.length = a.len;
      c.seg_size = s.segs[static_cast<size_t>(im->seg)].pages * page;
      c.page = page;
      c.connect_perm = im->perm;
      c.granted_perm = im->perm;
      c.can_map = g_can_map;
      RcSet r = model::map_allowed(c);
      // Aborted and mapped: either fault may be reported.
      if (im->mapped && !im->alive) {
        c.state = HandleState::mapped;
        r.add(model::map_allowed(c));
      }
      // illumos maps implicitly on the first get/put.
      if (im->did_xfer && !im->mapped) r.add(RSMERR_SEG_ALREADY_MAPPED);
      return r;
    }
    case Kind::unmap:
      return im->mapped ? RcSet{RSM_SUCCESS} : model::unmap_allowed(HandleState::connected);
    case Kind::put:
    case Kind::get:
    case Kind::peer_put:
    case Kind::peer_get: {
      bool get = a.kind == Kind::get || a.kind == Kind::peer_get;
      model::XferCall c = xfer_call(s, *im, get, a.width, a.off, a.len, page);
      RcSet r = model::xfer_allowed(c);
      // illumos checks a transfer against an explicitly mapped window.
      uint64_t n = a.len * c.elem;
      if (im->mapped && (a.off < im->map_off || a.off + n > im->map_off + im->map_len)) r.add(RSMERR_BAD_OFFSET);
      return r;
    }
    case Kind::putv:
    case Kind::getv: {
      model::VectorCall c;
      c.state = hstate(*im) == HandleState::mapped ? HandleState::connected : hstate(*im);
      c.get = a.kind == Kind::getv;
      c.count = a.entries.size();
      c.seg_size = s.segs[static_cast<size_t>(im->seg)].pages * page;
      c.connect_perm = im->perm;
      c.explicit_mode = im->explicit_mode;
      bool outside_window = false;
      for (const auto &e : a.entries) {
        if (im->mapped && (e.remote_offset < im->map_off || e.remote_offset + e.length > im->map_off + im->map_len))
          outside_window = true;
        model::IoEntry m;
        m.local_offset = e.local_offset;
        m.remote_offset = e.remote_offset;
        m.length = e.length;
        c.entries.push_back(m);
      }
      RcSet r = model::vector_allowed(c);
      if (outside_window) r.add(RSMERR_BAD_OFFSET);
      return r;
    }
    case Kind::span:  // the close (the other calls are checked inside)
      return im->alive ? RcSet{RSM_SUCCESS} : doc("rsm_memseg_import_close_barrier");
    case Kind::disconnect:
    case Kind::peer_disconnect:
      return im->mapped ? RcSet{RSMERR_SEG_STILL_MAPPED} : RcSet{RSM_SUCCESS};
    case Kind::local_write:
    case Kind::peer_fill:
    case Kind::peer_check:
    case Kind::map_access:
    case Kind::verify:
      return {RSM_SUCCESS};
  }
  return {};
}

// What a step does to the state, given the code its main call returned.
void effect(State &s, const Args &a, int rc) {
  bool ok = rc == RSM_SUCCESS;
  SegM *sg = a.seg >= 0 && static_cast<size_t>(a.seg) < s.segs.size() ? &s.segs[static_cast<size_t>(a.seg)] : nullptr;
  ImpM *im = a.imp >= 0 && static_cast<size_t>(a.imp) < s.imps.size() ? &s.imps[static_cast<size_t>(a.imp)] : nullptr;
  auto abort_importers = [&](int seg) {
    for (auto &i : s.imps)
      if (i.seg == seg) i.alive = false;
  };
  switch (a.kind) {
    case Kind::create:
    case Kind::peer_export: {
      SegM n;
      n.remote = a.kind == Kind::peer_export;
      n.pages = a.pages;
      n.alive = ok;
      n.published = n.ever_published = ok && n.remote;  // the peer publishes at once
      n.acl = a.acl;
      s.segs.push_back(n);
      break;
    }
    case Kind::publish:
      if (ok) {
        sg->published = sg->ever_published = true;
        sg->acl = a.acl;
      }
      break;
    case Kind::republish:
    case Kind::peer_republish:
      if (ok) sg->acl = a.acl;
      break;
    case Kind::unpublish:
    case Kind::peer_unpublish:
      if (ok) {
        sg->published = false;
        abort_importers(a.seg);
      }
      break;
    case Kind::destroy:
    case Kind::peer_destroy:
      if (ok) {
        sg->alive = sg->published = false;
        abort_importers(a.seg);
      }
      break;
    case Kind::connect:
    case Kind::peer_connect: {
      ImpM n;
      n.remote = a.kind == Kind::peer_connect;
      n.seg = a.seg;
      n.perm = a.perm;
      n.live = n.alive = ok;
      n.barrier = n.remote && ok;  // the peer initializes one with the connect
      s.imps.push_back(n);
      break;
    }
    case Kind::init_barrier:
      if (ok) im->barrier = true;
      break;
    case Kind::set_mode:
      if (ok) im->explicit_mode = a.explicit_mode;
      break;
    case Kind::map:
      if (ok) {
        im->mapped = true;
        im->map_perm = a.perm;
        im->map_off = a.off;
        im->map_len = a.len;
      }
      break;
    case Kind::unmap:
      if (ok) im->mapped = false;
      break;
    case Kind::put:
    case Kind::get:
    case Kind::putv:
    case Kind::getv:
    case Kind::span:
    case Kind::peer_put:
    case Kind::peer_get:
      im->did_xfer = true;
      break;
    case Kind::disconnect:
    case Kind::peer_disconnect:
      if (ok) {
        im->live = im->alive = im->mapped = im->barrier = false;
      }
      break;
    case Kind::local_write:
    case Kind::peer_fill:
    case Kind::peer_check:
    case Kind::map_access:
    case Kind::verify:
      break;
  }
}

int predicted_rc(const State &s, const Args &a, size_t page) {
  RcSet r = expected(s, a, page);
  if (r.has(RSM_SUCCESS)) return RSM_SUCCESS;
  for (int c = 1; c < 256; c++)
    if (r.has(c)) return c;
  return RSMERR_INTERNAL_ERROR;
}

// ---- the system under test ---------------------------------------------------

struct Env {
  rsmapi_controller_handle_t ctlr = nullptr;
  rsm_node_id_t node = 0;
  size_t page = 4096;
  Peer *peer = nullptr;  // shared by every case of the run
};

struct SegR {
  std::unique_ptr<prop::Pages> mem;  // local exports
  rsm_memseg_export_handle_t h = nullptr;
  rsm_memseg_id_t id = 0;
  int peer_e = -1;
  std::vector<uint8_t> bytes;  // the model of the segment's contents
};

struct ImpR {
  rsm_memseg_import_handle_t h = nullptr;
  std::unique_ptr<rsmapi_barrier_t> bar;
  char *map = nullptr;
  int peer_i = -1;
};

struct Sut {
  explicit Sut(const Env &e) : env(e) {}
  ~Sut();
  Env env;
  State truth;  // the state the actual results lead to
  std::vector<SegR> segs;
  std::vector<ImpR> imps;
  std::vector<uint64_t> buf;
};

Sut::~Sut() {
  for (size_t i = imps.size(); i-- > 0;) {
    ImpR &r = imps[i];
    if (r.peer_i >= 0) {
      if (truth.imps[i].live && env.peer) env.peer->call("disconnect " + std::to_string(r.peer_i), 2000);
      continue;
    }
    if (!r.h || !truth.imps[i].live) continue;
    rsm_memseg_import_unmap(r.h);
    if (r.bar) rsm_memseg_import_destroy_barrier(r.bar.get());
    rsm_memseg_import_disconnect(r.h);
  }
  for (size_t i = segs.size(); i-- > 0;) {
    SegR &r = segs[i];
    if (r.peer_e >= 0) {
      if (truth.segs[i].alive && env.peer) env.peer->call("destroy " + std::to_string(r.peer_e), 2000);
    } else if (r.h && truth.segs[i].alive) {
      rsm_memseg_export_destroy(r.h);
    }
  }
}

std::string perm_c(uint32_t p) {
  return p == RSM_PERM_READ ? "RSM_PERM_READ" : p == RSM_PERM_WRITE ? "RSM_PERM_WRITE" : "RSM_PERM_RDWR";
}

std::string acl_text(int acl, const Env &env) {
  if (acl == acl_none) return "-";
  std::string mode = acl == acl_rw ? "666" : "444";
  std::string t = std::to_string(env.node) + ":" + mode;
  if (env.peer && env.peer->node() != env.node) t += "," + std::to_string(env.peer->node()) + ":" + mode;
  return t;
}

// Reply of the peer: the code of "ok"/"err N", or fails the case.
int peer_rc(const std::string &cmd, const std::string &reply) {
  if (reply.rfind("ok", 0) == 0) return RSM_SUCCESS;
  if (reply.rfind("err ", 0) == 0) {
    int rc = std::atoi(reply.c_str() + 4);
    if (rc >= 0) return rc;
  }
  fail("the peer did not answer \"" + cmd + "\" as expected: \"" + reply + "\"");
}

// The objects a step of this kind may act on, in the state s.
std::vector<int> candidates(const State &s, Kind k) {
  std::vector<int> v;
  auto segs = [&](auto pred) {
    for (size_t i = 0; i < s.segs.size(); i++)
      if (pred(s.segs[i])) v.push_back(static_cast<int>(i));
  };
  auto imps = [&](auto pred) {
    for (size_t i = 0; i < s.imps.size(); i++)
      if (pred(s.imps[i])) v.push_back(static_cast<int>(i));
  };
  switch (k) {
    case Kind::create:
    case Kind::peer_export:
    case Kind::verify: break;
    case Kind::publish: segs([](const SegM &m) { return !m.remote && m.alive && !m.published; }); break;
    case Kind::republish:
    case Kind::unpublish:
    case Kind::destroy:
    case Kind::local_write: segs([](const SegM &m) { return !m.remote && m.alive; }); break;
    case Kind::peer_fill:
    case Kind::peer_check:
    case Kind::peer_unpublish:
    case Kind::peer_republish:
    case Kind::peer_destroy: segs([](const SegM &m) { return m.remote && m.alive; }); break;
    case Kind::connect: segs([](const SegM &m) { return m.ever_published; }); break;
    case Kind::peer_connect: segs([](const SegM &m) { return !m.remote && m.ever_published; }); break;
    case Kind::init_barrier: imps([](const ImpM &m) { return !m.remote && m.live && !m.barrier; }); break;
    case Kind::span: imps([](const ImpM &m) { return !m.remote && m.live && m.barrier && m.explicit_mode; }); break;
    case Kind::map_access: imps([](const ImpM &m) { return !m.remote && m.live && m.alive && m.mapped; }); break;
    case Kind::set_mode:
    case Kind::map:
    case Kind::unmap:
    case Kind::put:
    case Kind::get:
    case Kind::putv:
    case Kind::getv:
    case Kind::disconnect: imps([](const ImpM &m) { return !m.remote && m.live; }); break;
    case Kind::peer_put:
    case Kind::peer_get:
    case Kind::peer_disconnect: imps([](const ImpM &m) { return m.remote && m.live; }); break;
  }
  return v;
}

bool acts_on_import(Kind k) {
  switch (k) {
    case Kind::init_barrier: case Kind::span: case Kind::map_access: case Kind::set_mode: case Kind::map:
    case Kind::unmap: case Kind::put: case Kind::get: case Kind::putv: case Kind::getv: case Kind::disconnect:
    case Kind::peer_put: case Kind::peer_get: case Kind::peer_disconnect:
      return true;
    default:
      return false;
  }
}

// Sets a->seg or a->imp from a->pick; false when nothing fits.
bool resolve(const State &s, Args *a) {
  if (a->kind == Kind::create || a->kind == Kind::peer_export || a->kind == Kind::verify) return true;
  auto v = candidates(s, a->kind);
  if (v.empty()) return false;
  (acts_on_import(a->kind) ? a->imp : a->seg) = v[a->pick % v.size()];
  return true;
}

class Step : public rc::state::Command<State, Sut> {
 public:
  Step(Args a, size_t page) : a_(std::move(a)), page_(page) {}
  void checkPreconditions(const State &s) const override;
  void apply(State &s) const override {
    Args a = a_;
    resolve(s, &a);
    effect(s, a, predicted_rc(s, a, page_));
  }
  void run(const State &s0, Sut &sut) const override;
  void show(std::ostream &os) const override {
    os << kind_name(a_.kind) << " seg=" << a_.seg << " imp=" << a_.imp << " off=" << a_.off << " len=" << a_.len;
  }

 private:
  Args a_;
  size_t page_;
};

void Step::checkPreconditions(const State &s) const {
  Args a = a_;
  RC_PRE(resolve(s, &a));
  if (a.seg >= 0) RC_PRE(static_cast<size_t>(a.seg) < s.segs.size());
  if (a.imp >= 0) RC_PRE(static_cast<size_t>(a.imp) < s.imps.size());
  const SegM *sg = a.seg >= 0 ? &s.segs[static_cast<size_t>(a.seg)] : nullptr;
  const ImpM *im = a.imp >= 0 ? &s.imps[static_cast<size_t>(a.imp)] : nullptr;
  switch (a.kind) {
    case Kind::create: RC_PRE(s.can_create(false)); break;
    case Kind::peer_export: RC_PRE(s.can_create(true)); break;
    case Kind::verify: break;
    case Kind::publish: RC_PRE(sg && !sg->remote && sg->alive && !sg->published); break;
    case Kind::republish:
    case Kind::unpublish:
    case Kind::destroy:
    case Kind::local_write: RC_PRE(sg && !sg->remote && sg->alive); break;
    case Kind::peer_fill:
    case Kind::peer_check:
    case Kind::peer_unpublish:
    case Kind::peer_republish:
    case Kind::peer_destroy: RC_PRE(sg && sg->remote && sg->alive); break;
    case Kind::connect: RC_PRE(sg && sg->ever_published && s.can_connect(false)); break;
    case Kind::peer_connect: RC_PRE(sg && !sg->remote && sg->ever_published && s.can_connect(true)); break;
    case Kind::init_barrier: RC_PRE(im && !im->remote && im->live && !im->barrier); break;
    case Kind::span: RC_PRE(im && !im->remote && im->live && im->barrier && im->explicit_mode); break;
    case Kind::map_access: RC_PRE(im && !im->remote && im->live && im->alive && im->mapped); break;
    case Kind::map: RC_PRE(im && !im->remote && im->live && (a.perm & im->perm) == a.perm); break;
    case Kind::set_mode:
    case Kind::unmap:
    case Kind::put:
    case Kind::get:
    case Kind::putv:
    case Kind::getv:
    case Kind::disconnect: RC_PRE(im && !im->remote && im->live); break;
    case Kind::peer_put:
    case Kind::peer_get:
    case Kind::peer_disconnect: RC_PRE(im && im->remote && im->live); break;
  }
  if (im) {
    size_t seg_len = s.segs[static_cast<size_t>(im->seg)].pages * page_;
    // Ranges are valid for the segment (generated for its size).
    if (a.kind == Kind::map) RC_PRE(a.off + a.len <= seg_len);
    if (a.kind == Kind::put || a.kind == Kind::get) RC_PRE(a.off + a.len * (a.width ? a.width / 8 : 1) <= seg_len);
    if (a.kind == Kind::peer_put || a.kind == Kind::peer_get) RC_PRE(a.off + a.len <= seg_len);
    if (a.kind == Kind::span) RC_PRE(a.off + a.len <= seg_len && a.off2 + a.len2 <= seg_len);
    if (a.kind == Kind::map_access) RC_PRE(a.off + a.len <= im->map_len);
    for (const auto &e : a.entries) RC_PRE(e.remote_offset + e.length <= seg_len);
  }
  if (sg && (a.kind == Kind::local_write || a.kind == Kind::peer_fill || a.kind == Kind::peer_check))
    RC_PRE(a.off + a.len <= sg->pages * page_);
}

// First index where the bytes differ from pattern(seed, base + i), or -1.
long pattern_diff(const std::vector<uint8_t> &v, size_t off, size_t len, uint64_t seed) {
  for (size_t i = 0; i < len; i++)
    if (v[off + i] != pattern_byte(seed, off + i)) return static_cast<long>(i);
  return -1;
}

void Step::run(const State &, Sut &sut) const {
  State &t = sut.truth;
  Args a = a_;
  prop::CProgram &c = program();
  // Where an open choice of the spec took the actual state away from the
  // model's, a step the model allowed may not fit: it is skipped.
  if (!resolve(t, &a) || !rc::state::isValidCommand(*this, t)) {
    c.comment(std::string("(step ") + kind_name(a.kind) + " skipped: it does not fit the actual state)");
    if (a.kind == Kind::create || a.kind == Kind::peer_export) sut.segs.emplace_back();
    if (a.kind == Kind::connect || a.kind == Kind::peer_connect) sut.imps.emplace_back().peer_i = -2;
    effect(t, a, RSMERR_INTERNAL_ERROR);
    return;
  }
  const Env &env = sut.env;
  RcSet allowed = expected(t, a, page_);
  std::string S = std::to_string(a.seg), I = std::to_string(a.imp);
  SegR *sr = a.seg >= 0 && static_cast<size_t>(a.seg) < sut.segs.size() ? &sut.segs[static_cast<size_t>(a.seg)] : nullptr;
  ImpR *ir = a.imp >= 0 && static_cast<size_t>(a.imp) < sut.imps.size() ? &sut.imps[static_cast<size_t>(a.imp)] : nullptr;
  const ImpM *im = a.imp >= 0 ? &t.imps[static_cast<size_t>(a.imp)] : nullptr;
  SegR *isr = im ? &sut.segs[static_cast<size_t>(im->seg)] : nullptr;  // the imported segment
  int rc = RSM_SUCCESS;
  auto check = [&](const std::string &call, int code, const RcSet &set, const char *fn, const std::string &why) {
    // Never outside the documented set; exactly the model's set otherwise.
    if (fn && !doc(fn).has(code))
      fail(call + " returned " + prop::rc_text(code) + ", which " + fn + " never returns (documented: " + doc(fn).str() +
           ")");
    expect_rc(call, code, set, why);
  };
  auto state_why = [&]() -> std::string {
    if (!im) return "";
    std::string w = "import " + I + " is " + (im->live ? (im->alive ? (im->mapped ? "mapped" : "connected") : "aborted") : "disconnected");
    if (im->explicit_mode) w += ", explicit mode";
    if (!im->barrier) w += ", no barrier";
    return w;
  };
  switch (a.kind) {
    case Kind::create: {
      SegR r;
      size_t len = a.pages * page_;
      r.mem = std::make_unique<prop::Pages>(len);
      fill_pattern(r.mem->addr, len, a.seed, 0);
      r.bytes.assign(r.mem->addr, r.mem->addr + len);
      std::string k = std::to_string(sut.segs.size());
      c.declare("char *", "mem" + k);
      c.declare("rsm_memseg_export_handle_t", "exp" + k, "NULL");
      c.stmt("mem" + k + " = mmap(NULL, " + std::to_string(len) + ", PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);");
      c.stmt("fill_pattern(mem" + k + ", " + std::to_string(len) + ", " + std::to_string(a.seed) + ", 0);");
      rc = rsm_memseg_export_create(env.ctlr, &r.h, r.mem->addr, len, 0);
      std::string call = "rsm_memseg_export_create(ctlr, &exp" + k + ", mem" + k + ", " + std::to_string(len) + ", 0)";
      c.call(call, rc);
      sut.segs.push_back(std::move(r));
      check(call, rc, allowed, "rsm_memseg_export_create", "");
      break;
    }
    case Kind::publish:
    case Kind::republish: {
      std::vector<rsmapi_access_entry_t> acl;
      std::string acl_c = "NULL, 0";
      if (a.acl != acl_none) {
        rsm_permission_t mode = a.acl == acl_rw ? 0666 : 0444;
        acl.push_back({env.node, mode});
        std::string init = "{{" + std::to_string(env.node) + ", " + octal(mode) + "}";
        if (env.peer && env.peer->node() != env.node) {
          acl.push_back({env.peer->node(), mode});
          init += ", {" + std::to_string(env.peer->node()) + ", " + octal(mode) + "}";
        }
        std::string v = a.acl == acl_rw ? "acl_rw" : "acl_ro";
        c.declare("rsmapi_access_entry_t", v + "[" + std::to_string(acl.size()) + "]", init + "}");
        acl_c = v + ", " + std::to_string(acl.size());
      }
      std::string call;
      if (a.kind == Kind::publish) {
        sr->id = 0;
        c.declare("rsm_memseg_id_t", "id" + S, "0");
        rc = rsm_memseg_export_publish(sr->h, &sr->id, acl.empty() ? nullptr : acl.data(), static_cast<uint_t>(acl.size()));
        c.stmt("id" + S + " = 0;");
        call = "rsm_memseg_export_publish(exp" + S + ", &id" + S + ", " + acl_c + ")";
        c.call(call, rc, rc == RSM_SUCCESS ? "id " + hex(sr->id) : "");
        check(call, rc, allowed, "rsm_memseg_export_publish", "");
      } else {
        rc = rsm_memseg_export_republish(sr->h, acl.empty() ? nullptr : acl.data(), static_cast<uint_t>(acl.size()));
        call = "rsm_memseg_export_republish(exp" + S + ", " + acl_c + ")";
        c.call(call, rc);
        check(call, rc, allowed, "rsm_memseg_export_republish", t.segs[static_cast<size_t>(a.seg)].published ? "published" : "not published");
      }
      break;
    }
    case Kind::unpublish: {
      rc = rsm_memseg_export_unpublish(sr->h);
      std::string call = "rsm_memseg_export_unpublish(exp" + S + ")";
      c.call(call, rc, "importers of segment " + S + " must now be cut off");
      check(call, rc, allowed, "rsm_memseg_export_unpublish", t.segs[static_cast<size_t>(a.seg)].published ? "published" : "not published");
      break;
    }
    case Kind::destroy: {
      rc = rsm_memseg_export_destroy(sr->h);
      std::string call = "rsm_memseg_export_destroy(exp" + S + ")";
      c.call(call, rc);
      check(call, rc, allowed, "rsm_memseg_export_destroy", "");
      break;
    }
    case Kind::local_write: {
      fill_pattern(sr->mem->addr + a.off, a.len, a.seed, a.off);
      for (uint64_t i = 0; i < a.len; i++) sr->bytes[a.off + i] = pattern_byte(a.seed, a.off + i);
      c.stmt("fill_pattern(mem" + S + " + " + std::to_string(a.off) + ", " + std::to_string(a.len) + ", " +
                 std::to_string(a.seed) + ", " + std::to_string(a.off) + ");",
             "the exporter writes its own memory");
      break;
    }
    case Kind::peer_export: {
      if (!env.peer) fail("no peer process");
      SegR r;
      std::string cmd = "export " + std::to_string(a.pages) + " " + std::to_string(a.seed) + " 0 0 " + acl_text(a.acl, env);
      std::string reply = env.peer->call(cmd);
      rc = peer_rc(cmd, reply);
      if (rc == RSM_SUCCESS) {
        std::istringstream in(reply.substr(2));
        in >> r.peer_e >> r.id;
      }
      r.bytes.resize(a.pages * page_);
      for (size_t i = 0; i < r.bytes.size(); i++) r.bytes[i] = pattern_byte(a.seed, i);
      c.remote("segment " + std::to_string(sut.segs.size()) + ": export and publish " + std::to_string(a.pages) +
               " page(s) filled with pattern_byte(" + std::to_string(a.seed) + ", offset), access list " +
               acl_text(a.acl, env) + " -> " + prop::rc_text(rc) + ", segment id " + hex(r.id) + " on node " +
               std::to_string(env.peer->node()));
      sut.segs.push_back(std::move(r));
      check("peer: " + cmd, rc, allowed, "rsm_memseg_export_publish", "");
      break;
    }
    case Kind::peer_fill:
    case Kind::peer_check: {
      bool fill_cmd = a.kind == Kind::peer_fill;
      std::string cmd = std::string(fill_cmd ? "fill " : "check ") + std::to_string(sr->peer_e) + " " + std::to_string(a.seed) +
                        " " + std::to_string(a.off) + " " + std::to_string(a.len);
      std::string reply = env.peer->call(cmd);
      if (fill_cmd) {
        c.remote("segment " + S + ": the exporter writes pattern_byte(" + std::to_string(a.seed) + ", offset) at " +
                 std::to_string(a.off) + ".." + std::to_string(a.off + a.len) + " -> " + reply);
        if (reply != "ok") fail("the peer could not fill its segment: " + reply);
        for (uint64_t i = 0; i < a.len; i++) sr->bytes[a.off + i] = pattern_byte(a.seed, a.off + i);
        break;
      }
      long bad = pattern_diff(sr->bytes, a.off, a.len, a.seed);
      std::string want = "ok";
      if (bad >= 0) {
        uint64_t at = a.off + static_cast<uint64_t>(bad);
        want = "bad " + std::to_string(at) + " " + std::to_string(pattern_byte(a.seed, at)) + " " +
               std::to_string(sr->bytes[at]);
      }
      c.remote("segment " + S + ": the exporter compares its bytes " + std::to_string(a.off) + ".." +
               std::to_string(a.off + a.len) + " with pattern_byte(" + std::to_string(a.seed) + ", offset) -> \"" + reply +
               "\", the model says \"" + want + "\"");
      if (reply != want)
        fail("the exporting peer's memory differs from the model: it answered \"" + reply + "\" to \"" + cmd +
             "\", the model says \"" + want + "\"");
      break;
    }
    case Kind::peer_unpublish:
    case Kind::peer_republish:
    case Kind::peer_destroy: {
      std::string cmd = a.kind == Kind::peer_unpublish ? "unpublish " : a.kind == Kind::peer_destroy ? "destroy " : "republish ";
      cmd += std::to_string(sr->peer_e);
      if (a.kind == Kind::peer_republish) cmd += " " + acl_text(a.acl, env);
      rc = peer_rc(cmd, env.peer->call(cmd));
      c.remote("segment " + S + ": " + cmd + " -> " + prop::rc_text(rc));
      const char *fn = a.kind == Kind::peer_unpublish   ? "rsm_memseg_export_unpublish"
                       : a.kind == Kind::peer_destroy ? "rsm_memseg_export_destroy"
                                                      : "rsm_memseg_export_republish";
      check("peer: " + cmd, rc, allowed, fn, "");
      break;
    }
    case Kind::connect: {
      const SegR &target = sut.segs[static_cast<size_t>(a.seg)];
      bool remote_seg = t.segs[static_cast<size_t>(a.seg)].remote;
      rsm_node_id_t node = remote_seg ? env.peer->node() : env.node;
      ImpR r;
      std::string k = std::to_string(sut.imps.size());
      c.declare("rsm_memseg_import_handle_t", "imp" + k, "NULL");
      rc = rsm_memseg_import_connect(env.ctlr, node, target.id, a.perm, &r.h);
      std::string call = "rsm_memseg_import_connect(ctlr, " + std::to_string(node) + ", " +
                         (remote_seg ? hex(target.id) + "u /* the peer's segment " + S + " */" : "id" + S) + ", " +
                         perm_c(a.perm) + ", &imp" + k + ")";
      c.call(call, rc);
      if (rc != RSM_SUCCESS) r.h = nullptr;
      sut.imps.push_back(std::move(r));
      // An id the implementation gave again to another published segment
      // makes the answer that segment's.
      RcSet set = allowed;
      for (size_t j = 0; j < t.segs.size(); j++)
        if (static_cast<int>(j) != a.seg && t.segs[j].published && t.segs[j].remote == remote_seg && sut.segs[j].id == target.id)
          set = doc("rsm_memseg_import_connect");
      const SegM &sm = t.segs[static_cast<size_t>(a.seg)];
      check(call, rc, set, "rsm_memseg_import_connect",
            std::string("segment ") + S + (sm.published ? " published" : " not published") + ", grant " +
                octal(grant_of(sm.acl)));
      break;
    }
    case Kind::peer_connect: {
      const SegR &target = sut.segs[static_cast<size_t>(a.seg)];
      ImpR r;
      std::string cmd = "connect " + std::to_string(env.node) + " " + std::to_string(target.id) + " " + octal(a.perm).substr(1);
      std::string reply = env.peer->call(cmd);
      rc = peer_rc(cmd, reply);
      if (rc == RSM_SUCCESS) r.peer_i = std::atoi(reply.c_str() + 3);
      else r.peer_i = -2;
      c.remote("import " + std::to_string(sut.imps.size()) + ": connect to segment " + S + " (id" + S + ") with " +
               perm_c(a.perm) + " and init a barrier -> " + prop::rc_text(rc));
      sut.imps.push_back(std::move(r));
      const SegM &sm = t.segs[static_cast<size_t>(a.seg)];
      check("peer: " + cmd, rc, allowed, "rsm_memseg_import_connect",
            std::string("segment ") + S + (sm.published ? " published" : " not published"));
      break;
    }
    case Kind::init_barrier: {
      ir->bar = std::make_unique<rsmapi_barrier_t>();
      c.declare("rsmapi_barrier_t", "bar" + I);
      rc = rsm_memseg_import_init_barrier(ir->h, RSM_BARRIER_NODE, ir->bar.get());
      std::string call = "rsm_memseg_import_init_barrier(imp" + I + ", RSM_BARRIER_NODE, &bar" + I + ")";
      c.call(call, rc);
      if (rc != RSM_SUCCESS) ir->bar.reset();
      check(call, rc, allowed, "rsm_memseg_import_init_barrier", state_why());
      break;
    }
    case Kind::set_mode: {
      const char *mode_c = a.explicit_mode ? "RSM_BARRIER_MODE_EXPLICIT" : "RSM_BARRIER_MODE_IMPLICIT";
      rsm_barrier_mode_t mode = a.explicit_mode ? RSM_BARRIER_MODE_EXPLICIT : RSM_BARRIER_MODE_IMPLICIT;
      rc = rsm_memseg_import_set_mode(ir->h, mode);
      std::string call = "rsm_memseg_import_set_mode(imp" + I + ", " + mode_c + ")";
      c.call(call, rc);
      check(call, rc, allowed, "rsm_memseg_import_set_mode", state_why());
      if (rc == RSM_SUCCESS && im->alive) {
        rsm_barrier_mode_t got = mode == RSM_BARRIER_MODE_EXPLICIT ? RSM_BARRIER_MODE_IMPLICIT : RSM_BARRIER_MODE_EXPLICIT;
        int rc2 = rsm_memseg_import_get_mode(ir->h, &got);
        c.declare("rsm_barrier_mode_t", "mode");
        c.call("rsm_memseg_import_get_mode(imp" + I + ", &mode)", rc2, "mode " + std::to_string(got));
        check("rsm_memseg_import_get_mode(imp" + I + ", &mode)", rc2, {RSM_SUCCESS}, "rsm_memseg_import_get_mode", "");
        if (got != mode) fail("rsm_memseg_import_get_mode reports mode " + std::to_string(got) + " after set_mode(" + mode_c + ")");
      }
      break;
    }
    case Kind::map: {
      c.declare("void *", "addr" + I, "NULL");
      void *addr = nullptr;
      rc = rsm_memseg_import_map(ir->h, &addr, RSM_MAP_NONE, a.perm, static_cast<off_t>(a.off), a.len);
      std::string call = "rsm_memseg_import_map(imp" + I + ", &addr" + I + ", RSM_MAP_NONE, " + perm_c(a.perm) + ", " +
                         std::to_string(a.off) + ", " + std::to_string(a.len) + ")";
      c.call(call, rc, "allowed: " + allowed.str());
      check(call, rc, allowed, "rsm_memseg_import_map", state_why());
      if (rc == RSM_SUCCESS) {
        ir->map = static_cast<char *>(addr);
        if ((a.perm & RSM_PERM_READ) && im->alive) {
          for (uint64_t i = 0; i < a.len; i++)
            if (static_cast<uint8_t>(ir->map[i]) != isr->bytes[a.off + i])
              fail("the new mapping of import " + I + " differs from the segment's model at segment offset " +
                   std::to_string(a.off + i) + " (window offset " + std::to_string(i) + "): expected " +
                   hex(isr->bytes[a.off + i]) + ", got " + hex(static_cast<uint8_t>(ir->map[i])));
          c.comment("addr" + I + " must show the segment's bytes " + std::to_string(a.off) + ".." + std::to_string(a.off + a.len));
        }
      }
      break;
    }
    case Kind::map_access: {
      if (im->map_perm & RSM_PERM_WRITE) {
        fill_pattern(ir->map + a.off, a.len, a.seed, im->map_off + a.off);
        for (uint64_t i = 0; i < a.len; i++)
          isr->bytes[im->map_off + a.off + i] = pattern_byte(a.seed, im->map_off + a.off + i);
        c.stmt("fill_pattern((char *)addr" + I + " + " + std::to_string(a.off) + ", " + std::to_string(a.len) + ", " +
                   std::to_string(a.seed) + ", " + std::to_string(im->map_off + a.off) + ");",
               "stores through the mapping");
      }
      if (im->map_perm & RSM_PERM_READ) {
        c.comment("addr" + I + " must show the segment's bytes " + std::to_string(im->map_off) + ".." +
                  std::to_string(im->map_off + im->map_len));
        for (uint64_t i = 0; i < im->map_len; i++)
          if (static_cast<uint8_t>(ir->map[i]) != isr->bytes[im->map_off + i])
            fail("the mapping of import " + I + " differs from the segment's model at segment offset " +
                 std::to_string(im->map_off + i) + ": expected " + hex(isr->bytes[im->map_off + i]) + ", got " +
                 hex(static_cast<uint8_t>(ir->map[i])));
      }
      break;
    }
    case Kind::unmap: {
      rc = rsm_memseg_import_unmap(ir->h);
      std::string call = "rsm_memseg_import_unmap(imp" + I + ")";
      c.call(call, rc);
      check(call, rc, allowed, "rsm_memseg_import_unmap", state_why());
      if (rc == RSM_SUCCESS) ir->map = nullptr;
      break;
    }
    case Kind::put:
    case Kind::get: {
      bool get = a.kind == Kind::get;
      uint64_t elem = a.width ? a.width / 8 : 1, n = a.len * elem;
      c.declare("uint64_t", "buf[" + std::to_string(sut.buf.size()) + "]");
      auto *bytes = reinterpret_cast<uint8_t *>(sut.buf.data());
      fill_pattern(bytes, n, a.seed, a.off);
      c.stmt("fill_pattern(buf, " + std::to_string(n) + ", " + std::to_string(a.seed) + ", " + std::to_string(a.off) + ");",
             get ? "overwritten by the get" : "the data to put");
      std::string fn = std::string("rsm_memseg_import_") + (get ? "get" : "put") + (a.width ? std::to_string(a.width) : "");
      std::string cast = a.width ? "(uint" + std::to_string(a.width) + "_t *)buf" : "buf";
      auto off = static_cast<off_t>(a.off);
      auto *p = sut.buf.data();
      switch (a.width + (get ? 1 : 0)) {
        case 0: rc = rsm_memseg_import_put(ir->h, off, p, a.len); break;
        case 1: rc = rsm_memseg_import_get(ir->h, off, p, a.len); break;
        case 8: rc = rsm_memseg_import_put8(ir->h, off, reinterpret_cast<uint8_t *>(p), a.len); break;
        case 9: rc = rsm_memseg_import_get8(ir->h, off, reinterpret_cast<uint8_t *>(p), a.len); break;
        case 16: rc = rsm_memseg_import_put16(ir->h, off, reinterpret_cast<uint16_t *>(p), a.len); break;
        case 17: rc = rsm_memseg_import_get16(ir->h, off, reinterpret_cast<uint16_t *>(p), a.len); break;
        case 32: rc = rsm_memseg_import_put32(ir->h, off, reinterpret_cast<uint32_t *>(p), a.len); break;
        case 33: rc = rsm_memseg_import_get32(ir->h, off, reinterpret_cast<uint32_t *>(p), a.len); break;
        case 64: rc = rsm_memseg_import_put64(ir->h, off, p, a.len); break;
        default: rc = rsm_memseg_import_get64(ir->h, off, p, a.len); break;
      }
      std::string call = fn + "(imp" + I + ", " + std::to_string(a.off) + ", " + cast + ", " + std::to_string(a.len) + ")";
      c.call(call, rc, "allowed: " + allowed.str());
      check(call, rc, allowed, fn.c_str(), state_why());
      if (rc != RSM_SUCCESS || !im->alive) break;
      if (!get) {
        std::memcpy(isr->bytes.data() + a.off, bytes, n);
        c.comment("segment bytes " + std::to_string(a.off) + ".." + std::to_string(a.off + n) + " are now buf's");
      } else {
        c.comment("buf must hold the segment's bytes " + std::to_string(a.off) + ".." + std::to_string(a.off + n));
        for (uint64_t i = 0; i < n; i++)
          if (bytes[i] != isr->bytes[a.off + i])
            fail(call + " read data that differs from the segment's model: first bad byte at segment offset " +
                 std::to_string(a.off + i) + " (buf offset " + std::to_string(i) + "): expected " +
                 hex(isr->bytes[a.off + i]) + ", got " + hex(bytes[i]));
      }
      break;
    }
    case Kind::putv:
    case Kind::getv: {
      bool get = a.kind == Kind::getv;
      c.declare("uint64_t", "buf[" + std::to_string(sut.buf.size()) + "]");
      auto *bytes = reinterpret_cast<uint8_t *>(sut.buf.data());
      size_t blen = sut.buf.size() * 8;
      fill_pattern(bytes, blen, a.seed, 0);
      std::vector<uint8_t> want(bytes, bytes + blen);
      std::vector<rsm_iovec_t> iov(a.entries.size());
      c.declare("rsm_iovec_t", "iov[16]");
      c.declare("rsm_scat_gath_t", "sg");
      c.stmt("fill_pattern(buf, sizeof buf, " + std::to_string(a.seed) + ", 0);");
      for (size_t i = 0; i < a.entries.size(); i++) {
        const VEntry &e = a.entries[i];
        iov[i].io_type = RSM_VA_TYPE;
        iov[i].local.vaddr = reinterpret_cast<caddr_t>(bytes);
        iov[i].local_offset = e.local_offset;
        iov[i].remote_offset = e.remote_offset;
        iov[i].transfer_length = e.length;
        std::string v = "iov[" + std::to_string(i) + "]";
        c.stmt(v + ".io_type = RSM_VA_TYPE; " + v + ".local.vaddr = (caddr_t)buf; " + v + ".local_offset = " +
               std::to_string(e.local_offset) + "; " + v + ".remote_offset = " + std::to_string(e.remote_offset) + "; " + v +
               ".transfer_length = " + std::to_string(e.length) + ";");
      }
      rsm_scat_gath_t sg{};
      sg.local_nodeid = env.node;
      sg.io_request_count = a.entries.size();
      sg.remote_handle = ir->h;
      sg.iovec = iov.data();
      c.stmt("memset(&sg, 0, sizeof sg); sg.local_nodeid = " + std::to_string(env.node) + "; sg.io_request_count = " +
             std::to_string(a.entries.size()) + "; sg.remote_handle = imp" + I + "; sg.iovec = iov;");
      rc = get ? rsm_memseg_import_getv(&sg) : rsm_memseg_import_putv(&sg);
      std::string fn = get ? "rsm_memseg_import_getv" : "rsm_memseg_import_putv";
      std::string call = fn + "(&sg)";
      c.call(call, rc, "allowed: " + allowed.str());
      check(call, rc, allowed, fn.c_str(), state_why());
      if (rc != RSM_SUCCESS || !im->alive) break;
      for (const auto &e : a.entries) {
        if (get) std::memcpy(want.data() + e.local_offset, isr->bytes.data() + e.remote_offset, e.length);
        else std::memcpy(isr->bytes.data() + e.remote_offset, bytes + e.local_offset, e.length);
      }
      if (get) {
        c.comment("each entry's bytes of buf must now be its segment bytes");
        for (size_t i = 0; i < blen; i++)
          if (want[i] != bytes[i])
            fail(call + " left buf wrong at offset " + std::to_string(i) + ": expected " + hex(want[i]) + ", got " +
                 hex(bytes[i]));
      }
      break;
    }
    case Kind::span: {
      // open; put; order; get; close -- in explicit mode.
      std::string B = "&bar" + I;
      int ro = rsm_memseg_import_open_barrier(ir->bar.get());
      c.call("rsm_memseg_import_open_barrier(" + B + ")", ro);
      check("rsm_memseg_import_open_barrier(" + B + ")", ro,
            im->alive ? RcSet{RSM_SUCCESS} : doc("rsm_memseg_import_open_barrier"), "rsm_memseg_import_open_barrier",
            state_why());
      c.declare("uint64_t", "buf[" + std::to_string(sut.buf.size()) + "]");
      auto *bytes = reinterpret_cast<uint8_t *>(sut.buf.data());
      std::vector<uint8_t> put_data(a.len);
      fill_pattern(put_data.data(), a.len, a.seed, a.off);
      std::memcpy(bytes, put_data.data(), a.len);
      c.stmt("fill_pattern(buf, " + std::to_string(a.len) + ", " + std::to_string(a.seed) + ", " + std::to_string(a.off) + ");");
      model::XferCall xc = xfer_call(t, *im, false, 0, a.off, a.len, page_);
      int rp = rsm_memseg_import_put(ir->h, static_cast<off_t>(a.off), bytes, a.len);
      std::string pcall = "rsm_memseg_import_put(imp" + I + ", " + std::to_string(a.off) + ", buf, " + std::to_string(a.len) + ")";
      c.call(pcall, rp, "inside the span");
      check(pcall, rp, model::xfer_allowed(xc), "rsm_memseg_import_put", state_why() + ", inside an open span");
      int rord = rsm_memseg_import_order_barrier(ir->bar.get());
      c.call("rsm_memseg_import_order_barrier(" + B + ")", rord);
      check("rsm_memseg_import_order_barrier(" + B + ")", rord,
            im->alive && ro == RSM_SUCCESS ? RcSet{RSM_SUCCESS} : doc("rsm_memseg_import_order_barrier"),
            "rsm_memseg_import_order_barrier", state_why());
      // The get reads what the put wrote (ordered by the barrier).
      std::vector<uint8_t> model_after = isr->bytes;
      if (rp == RSM_SUCCESS && im->alive) std::memcpy(model_after.data() + a.off, put_data.data(), a.len);
      auto *gbuf = bytes + a.len;
      std::memset(gbuf, 0, a.len2);
      model::XferCall gc = xfer_call(t, *im, true, 0, a.off2, a.len2, page_);
      int rg = rsm_memseg_import_get(ir->h, static_cast<off_t>(a.off2), gbuf, a.len2);
      std::string gcall = "rsm_memseg_import_get(imp" + I + ", " + std::to_string(a.off2) + ", (char *)buf + " +
                          std::to_string(a.len) + ", " + std::to_string(a.len2) + ")";
      c.call(gcall, rg, "inside the span");
      check(gcall, rg, model::xfer_allowed(gc), "rsm_memseg_import_get", state_why() + ", inside an open span");
      rc = rsm_memseg_import_close_barrier(ir->bar.get());
      std::string call = "rsm_memseg_import_close_barrier(" + B + ")";
      c.call(call, rc);
      RcSet close_set = allowed;
      // A close that succeeds guarantees that every access of the span did.
      if (!im->alive && ro == RSM_SUCCESS && (rp == RSM_SUCCESS || rg == RSM_SUCCESS))
        close_set = {RSMERR_CONN_ABORTED, RSMERR_BARRIER_FAILURE, RSMERR_BAD_SEG_HNDL};
      check(call, rc, close_set, "rsm_memseg_import_close_barrier",
            state_why() + (close_set.has(RSM_SUCCESS) ? "" : "; the span's accesses reported success on a torn-down connection"));
      if (!im->alive) break;
      isr->bytes = model_after;
      if (rg == RSM_SUCCESS) {
        c.comment("after the close, buf + " + std::to_string(a.len) + " must hold the segment's bytes " +
                  std::to_string(a.off2) + ".." + std::to_string(a.off2 + a.len2));
        for (uint64_t i = 0; i < a.len2; i++)
          if (gbuf[i] != isr->bytes[a.off2 + i])
            fail(gcall + " (in an explicit span, after a successful close) read data that differs from the model: "
                 "first bad byte at segment offset " + std::to_string(a.off2 + i) + ": expected " +
                 hex(isr->bytes[a.off2 + i]) + ", got " + hex(gbuf[i]));
      }
      break;
    }
    case Kind::disconnect: {
      std::string call = "rsm_memseg_import_disconnect(imp" + I + ")";
      if (!im->mapped && ir->bar) {
        int rb = rsm_memseg_import_destroy_barrier(ir->bar.get());
        c.call("rsm_memseg_import_destroy_barrier(&bar" + I + ")", rb);
        check("rsm_memseg_import_destroy_barrier(&bar" + I + ")", rb,
              im->alive ? RcSet{RSM_SUCCESS} : doc("rsm_memseg_import_destroy_barrier"),
              "rsm_memseg_import_destroy_barrier", state_why());
        ir->bar.reset();
      }
      rc = rsm_memseg_import_disconnect(ir->h);
      c.call(call, rc);
      check(call, rc, allowed, "rsm_memseg_import_disconnect", state_why());
      break;
    }
    case Kind::peer_put:
    case Kind::peer_get: {
      bool get = a.kind == Kind::peer_get;
      std::string cmd = std::string(get ? "iget " : "iput ") + std::to_string(ir->peer_i) + " " + std::to_string(a.seed) +
                        " " + std::to_string(a.off) + " " + std::to_string(a.len);
      std::string reply = env.peer->call(cmd);
      std::string want;
      if (get && im->alive) {
        long bad = pattern_diff(isr->bytes, a.off, a.len, a.seed);
        want = "ok";
        if (bad >= 0) {
          uint64_t at = a.off + static_cast<uint64_t>(bad);
          want = "bad " + std::to_string(at) + " " + std::to_string(pattern_byte(a.seed, at)) + " " +
                 std::to_string(isr->bytes[at]);
        }
      }
      c.remote("import " + I + ": " + (get ? "get" : "put") + " " + std::to_string(a.len) + " bytes at " +
               std::to_string(a.off) + " (pattern_byte(" + std::to_string(a.seed) + ", offset)) -> \"" + reply + "\"" +
               (want.empty() ? "" : ", the model says \"" + want + "\""));
      if (reply.rfind("bad ", 0) == 0 || (get && reply == "ok")) {
        rc = RSM_SUCCESS;
        if (!im->alive)
          fail("the peer's get of a torn-down connection succeeded (\"" + reply + "\"); allowed: " + allowed.str());
        if (reply != want)
          fail("the peer importer read data that differs from the model: \"" + reply + "\" for \"" + cmd +
               "\", the model says \"" + want + "\"");
        break;
      }
      rc = peer_rc(cmd, reply);
      check("peer: " + cmd, rc, allowed, get ? "rsm_memseg_import_get" : "rsm_memseg_import_put", state_why());
      if (!get && rc == RSM_SUCCESS && im->alive)
        for (uint64_t i = 0; i < a.len; i++) isr->bytes[a.off + i] = pattern_byte(a.seed, a.off + i);
      break;
    }
    case Kind::verify:
      c.comment("every exporter's memory must hold its modelled bytes");
      break;
    case Kind::peer_disconnect: {
      std::string cmd = "disconnect " + std::to_string(ir->peer_i);
      rc = peer_rc(cmd, env.peer->call(cmd));
      c.remote("import " + I + ": " + cmd + " -> " + prop::rc_text(rc));
      check("peer: " + cmd, rc, allowed, "rsm_memseg_import_disconnect", state_why());
      break;
    }
  }
  effect(t, a, rc);
  // Every step: each local exporter's memory is its model.
  for (size_t k = 0; k < sut.segs.size(); k++) {
    const SegR &r = sut.segs[k];
    if (!r.mem) continue;
    for (size_t i = 0; i < r.bytes.size(); i++)
      if (static_cast<uint8_t>(r.mem->addr[i]) != r.bytes[i])
        fail(std::string("after ") + kind_name(a.kind) + ", the memory of exporter " + std::to_string(k) +
             " differs from its model at segment offset " + std::to_string(i) + ": expected " + hex(r.bytes[i]) +
             ", got " + hex(static_cast<uint8_t>(r.mem->addr[i])));
  }
}

// ---- generation ---------------------------------------------------------------

// Seeds from a small set, so that a read often meets the pattern a write
// used and the peer's pattern checks can say "ok".
rc::Gen<uint64_t> small_seed() { return rc::gen::inRange<uint64_t>(1, 5); }

rc::Gen<std::shared_ptr<const rc::state::Command<State, Sut>>> gen_step(const State &s, size_t page, bool have_peer) {
  return rc::gen::exec([s, page, have_peer]() -> std::shared_ptr<const rc::state::Command<State, Sut>> {
    // Candidates that the state allows, with weights.
    std::vector<std::pair<uint64_t, Kind>> kinds;
    auto segs_where = [&](auto pred) {
      std::vector<int> v;
      for (size_t i = 0; i < s.segs.size(); i++)
        if (pred(s.segs[i])) v.push_back(static_cast<int>(i));
      return v;
    };
    auto imps_where = [&](auto pred) {
      std::vector<int> v;
      for (size_t i = 0; i < s.imps.size(); i++)
        if (pred(s.imps[i])) v.push_back(static_cast<int>(i));
      return v;
    };
    auto local_alive = segs_where([](const SegM &m) { return !m.remote && m.alive; });
    auto local_unpub = segs_where([](const SegM &m) { return !m.remote && m.alive && !m.published; });
    auto remote_alive = segs_where([](const SegM &m) { return m.remote && m.alive; });
    auto with_id = segs_where([](const SegM &m) { return m.ever_published; });
    auto local_with_id = segs_where([](const SegM &m) { return !m.remote && m.ever_published; });
    auto imps = imps_where([](const ImpM &m) { return !m.remote && m.live; });
    auto barrier_explicit = imps_where([](const ImpM &m) { return !m.remote && m.live && m.barrier && m.explicit_mode; });
    auto no_barrier = imps_where([](const ImpM &m) { return !m.remote && m.live && !m.barrier; });
    auto mapped_alive = imps_where([](const ImpM &m) { return !m.remote && m.live && m.alive && m.mapped; });
    auto peer_imps = imps_where([](const ImpM &m) { return m.remote && m.live; });
    kinds.push_back({1, Kind::verify});  // always possible
    if (s.can_create(false)) kinds.push_back({3, Kind::create});
    if (!local_unpub.empty()) kinds.push_back({4, Kind::publish});
    if (!local_alive.empty()) {
      kinds.push_back({1, Kind::republish});
      kinds.push_back({2, Kind::unpublish});
      kinds.push_back({1, Kind::destroy});
      kinds.push_back({2, Kind::local_write});
    }
    if (have_peer) {
      if (s.can_create(true)) kinds.push_back({2, Kind::peer_export});
      if (!remote_alive.empty()) {
        kinds.push_back({1, Kind::peer_fill});
        kinds.push_back({1, Kind::peer_check});
        kinds.push_back({1, Kind::peer_unpublish});
        kinds.push_back({1, Kind::peer_republish});
        kinds.push_back({1, Kind::peer_destroy});
      }
      if (!local_with_id.empty() && s.can_connect(true)) kinds.push_back({2, Kind::peer_connect});
      if (!peer_imps.empty()) {
        kinds.push_back({2, Kind::peer_put});
        kinds.push_back({2, Kind::peer_get});
        kinds.push_back({1, Kind::peer_disconnect});
      }
    }
    if (!with_id.empty() && s.can_connect(false)) kinds.push_back({5, Kind::connect});
    if (!no_barrier.empty()) kinds.push_back({4, Kind::init_barrier});
    if (!imps.empty()) {
      kinds.push_back({2, Kind::set_mode});
      kinds.push_back({3, Kind::map});
      kinds.push_back({2, Kind::unmap});
      kinds.push_back({4, Kind::put});
      kinds.push_back({4, Kind::get});
      kinds.push_back({2, Kind::putv});
      kinds.push_back({2, Kind::getv});
      kinds.push_back({2, Kind::disconnect});
    }
    if (!barrier_explicit.empty()) kinds.push_back({3, Kind::span});
    if (!mapped_alive.empty()) kinds.push_back({2, Kind::map_access});
    Args a;
    uint64_t total = 0;
    for (const auto &k : kinds) total += k.first;
    auto r = *rc::gen::inRange<uint64_t>(0, total);
    for (const auto &k : kinds) {
      if (r < k.first) {
        a.kind = k.second;
        break;
      }
      r -= k.first;
    }
    auto pick = [&a](const std::vector<int> &v) {
      a.pick = *rc::gen::inRange<size_t>(0, v.size());
      return v[a.pick];
    };
    auto seg_len = [&](int seg) { return s.segs[static_cast<size_t>(seg)].pages * page; };
    // A range [off, off + len) of a segment of n bytes, short mostly.
    auto range = [](size_t n, uint64_t *off, uint64_t *len) {
      *off = *rc::gen::inRange<uint64_t>(0, n);
      *len = *rc::gen::inRange<uint64_t>(1, std::min<uint64_t>(n - *off, 300) + 1);
    };
    a.seed = *small_seed();
    switch (a.kind) {
      case Kind::create:
      case Kind::peer_export:
        a.pages = *rc::gen::inRange<size_t>(1, 3);
        a.acl = *rc::gen::element<int>(acl_none, acl_rw, acl_ro);
        break;
      case Kind::publish: a.seg = pick(local_unpub); a.acl = *rc::gen::element<int>(acl_none, acl_rw, acl_ro); break;
      case Kind::republish: a.seg = pick(local_alive); a.acl = *rc::gen::element<int>(acl_none, acl_rw, acl_ro); break;
      case Kind::unpublish:
      case Kind::destroy: a.seg = pick(local_alive); break;
      case Kind::local_write: a.seg = pick(local_alive); range(seg_len(a.seg), &a.off, &a.len); break;
      case Kind::peer_fill:
      case Kind::peer_check: a.seg = pick(remote_alive); range(seg_len(a.seg), &a.off, &a.len); break;
      case Kind::peer_unpublish:
      case Kind::peer_destroy: a.seg = pick(remote_alive); break;
      case Kind::peer_republish: a.seg = pick(remote_alive); a.acl = *rc::gen::element<int>(acl_none, acl_rw, acl_ro); break;
      case Kind::connect:
        a.seg = pick(with_id);
        a.perm = *rc::gen::element<uint32_t>(RSM_PERM_RDWR, RSM_PERM_READ, RSM_PERM_WRITE);
        break;
      case Kind::peer_connect:
        a.seg = pick(local_with_id);
        a.perm = *rc::gen::element<uint32_t>(RSM_PERM_RDWR, RSM_PERM_READ, RSM_PERM_WRITE);
        break;
      case Kind::init_barrier: a.imp = pick(no_barrier); break;
      case Kind::set_mode: a.imp = pick(imps); a.explicit_mode = *rc::gen::arbitrary<bool>(); break;
      case Kind::map: {
        a.imp = pick(imps);
        const ImpM &m = s.imps[static_cast<size_t>(a.imp)];
        size_t pages = s.segs[static_cast<size_t>(m.seg)].pages;
        auto first = *rc::gen::inRange<size_t>(0, pages);
        a.off = first * page;
        a.len = *rc::gen::inRange<size_t>(1, pages - first + 1) * page;
        std::vector<uint32_t> perms;
        for (uint32_t p : {uint32_t{RSM_PERM_RDWR}, uint32_t{RSM_PERM_READ}, uint32_t{RSM_PERM_WRITE}})
          if ((p & m.perm) == p) perms.push_back(p);
        a.perm = *rc::gen::elementOf(perms);
        break;
      }
      case Kind::map_access: {
        a.imp = pick(mapped_alive);
        range(s.imps[static_cast<size_t>(a.imp)].map_len, &a.off, &a.len);
        break;
      }
      case Kind::unmap:
      case Kind::disconnect: a.imp = pick(imps); break;
      case Kind::put:
      case Kind::get: {
        a.imp = pick(imps);
        size_t n = seg_len(s.imps[static_cast<size_t>(a.imp)].seg);
        a.width = *rc::gen::element(0u, 8u, 16u, 32u, 64u);
        uint64_t elem = a.width ? a.width / 8 : 1;
        a.off = *rc::gen::inRange<uint64_t>(0, n / elem) * elem;
        a.len = *rc::gen::inRange<uint64_t>(1, std::min<uint64_t>((n - a.off) / elem, 64) + 1);
        break;
      }
      case Kind::putv:
      case Kind::getv: {
        a.imp = pick(imps);
        size_t n = seg_len(s.imps[static_cast<size_t>(a.imp)].seg);
        auto count = *rc::gen::inRange<size_t>(1, 5);
        for (size_t i = 0; i < count; i++) {
          VEntry e;
          range(n, &e.remote_offset, &e.length);
          e.length = std::min<uint64_t>(e.length, 64);
          e.local_offset = *rc::gen::inRange<uint64_t>(0, 512 - e.length + 1);
          a.entries.push_back(e);
        }
        break;
      }
      case Kind::span: {
        a.imp = pick(barrier_explicit);
        size_t n = seg_len(s.imps[static_cast<size_t>(a.imp)].seg);
        range(n, &a.off, &a.len);
        range(n, &a.off2, &a.len2);
        break;
      }
      case Kind::peer_put:
      case Kind::peer_get: {
        a.imp = pick(peer_imps);
        range(seg_len(s.imps[static_cast<size_t>(a.imp)].seg), &a.off, &a.len);
        break;
      }
      case Kind::peer_disconnect: a.imp = pick(peer_imps); break;
      case Kind::verify: break;
    }
    return std::make_shared<const Step>(a, page);
  });
}

// ---- the test ---------------------------------------------------------------

class PropertyLifecycle : public RsmTest {
 protected:
  void TearDown() override {
    if (peer_) peer_->stop();
    RsmTest::TearDown();
  }
  std::unique_ptr<Peer> peer_;
};

TEST_F(PropertyLifecycle, RandomSequencesMatchModel) {
  covers("property.lifecycle.documented_codes");
  covers("property.lifecycle.connect");
  covers("property.lifecycle.unpublish_aborts");
  covers("property.lifecycle.map_states");
  covers("property.lifecycle.disconnect_states");
  covers("property.lifecycle.data");
  covers("property.lifecycle.barrier_span");
  covers("property.lifecycle.set_mode");
  g_can_map = can_map();
  Env env;
  env.ctlr = ctlr;
  env.node = local_node;
  env.page = page;
  prop::run_property(ctlr_name, 80, [&] {
    // One peer for the whole run, restarted when a case left it unusable.
    if (!peer_ || peer_->pid() <= 0 || peer_->call("hello", 5000).rfind("ok", 0) != 0) {
      peer_ = std::make_unique<Peer>();
      if (!peer_->start()) fail("the peer process did not start: " + peer_->error());
    }
    env.peer = peer_.get();
    Sut sut(env);
    sut.buf.assign(2 * page / 8 + 8, 0);
    size_t pg = page;
    rc::state::check(State{}, sut, [pg](const State &s) { return gen_step(s, pg, true); });
  });
}

}  // namespace
}  // namespace rsmc
