// rsmkit conformance: the peer process. One command per line on stdin, one
// reply per line on stdout: "ok ...", "err <rc>", or "bad <offset> ...".
//
//   hello                                  ok node=<id> pid=<pid> ctlr=<name>
//   export <pages> <seed> <segid> <flags> <acl>
//                                          ok <e> <segid>   (acl: - | node:octal,...)
//   unpublish|destroy <e>                  ok | err <rc>
//   republish <e> <acl>                    ok | err <rc>
//   fill|check <e> <seed> <off> <len>      ok | bad <off> <expected> <got>
//   post <e> | wait <e> <ms>               ok | err <rc>      (export side)
//   connect <node> <segid> <perm-octal>    ok <i> | err <rc>
//   iput|iget <i> <seed> <off> <len>       ok | err <rc> | bad ...  (with a barrier)
//   ipost <i> | iwait <i> <ms>             ok | err <rc>      (import side)
//   disconnect <i>                         ok | err <rc>
//   crash                                  (dies by SIGKILL)
//   exit                                   ok, then exits
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "framework/pattern.h"
#include "framework/peer.h"
#include "framework/suite.h"

namespace rsmc {

namespace {

struct PeerExport {
  rsm_memseg_export_handle_t h = nullptr;
  char *mem = nullptr;
  size_t len = 0;
};

struct PeerImport {
  rsm_memseg_import_handle_t h = nullptr;
  rsmapi_barrier_t bar{};
};

struct PeerState {
  rsmapi_controller_handle_t ctlr = nullptr;
  std::string ctlr_name;
  size_t page = 4096;
  rsm_node_id_t node = 0;
  std::vector<PeerExport> exports;
  std::vector<PeerImport> imports;
};

std::string err(int rc) { return "err " + std::to_string(rc); }

bool parse_acl(const std::string &s, std::vector<rsmapi_access_entry_t> *out) {
  out->clear();
  if (s == "-") return true;
  std::istringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t colon = item.find(':');
    if (colon == std::string::npos) return false;
    rsmapi_access_entry_t e;
    e.ae_node = static_cast<rsm_node_id_t>(std::stoul(item.substr(0, colon)));
    e.ae_permission = static_cast<rsm_permission_t>(std::stoul(item.substr(colon + 1), nullptr, 8));
    out->push_back(e);
  }
  return true;
}

std::string check_range(const char *p, uint64_t seed, uint64_t off, size_t len) {
  long bad = first_mismatch(p, len, seed, off);
  if (bad < 0) return "ok";
  char msg[96];
  std::snprintf(msg, sizeof msg, "bad %lu %u %u", static_cast<unsigned long>(off + static_cast<uint64_t>(bad)),
                pattern_byte(seed, off + static_cast<uint64_t>(bad)),
                static_cast<unsigned char>(p[bad]));
  return msg;
}

std::string handle(PeerState &st, const std::string &line) {
  std::istringstream in(line);
  std::string cmd;
  in >> cmd;
  if (cmd == "hello")
    return "ok node=" + std::to_string(st.node) + " pid=" + std::to_string(getpid()) +
           " ctlr=" + st.ctlr_name;
  if (cmd == "export") {
    size_t pages = 0;
    uint64_t seed = 0;
    rsm_memseg_id_t id = 0;
    unsigned flags = 0;
    std::string acl_text;
    if (!(in >> pages >> seed >> id >> flags >> acl_text)) return "err -1";
    std::vector<rsmapi_access_entry_t> acl;
    if (!parse_acl(acl_text, &acl)) return "err -1";
    PeerExport e;
    e.len = pages * st.page;
    void *m = mmap(nullptr, e.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return "err -1";
    e.mem = static_cast<char *>(m);
    fill_pattern(e.mem, e.len, seed, 0);
    if (int rc = rsm_memseg_export_create(st.ctlr, &e.h, e.mem, e.len, flags)) return err(rc);
    if (int rc = rsm_memseg_export_publish(e.h, &id, acl.empty() ? nullptr : acl.data(),
                                           static_cast<uint_t>(acl.size()))) {
      rsm_memseg_export_destroy(e.h);
      return err(rc);
    }
    st.exports.push_back(e);
    return "ok " + std::to_string(st.exports.size() - 1) + " " + std::to_string(id);
  }
  if (cmd == "connect") {
    unsigned long node = 0, id = 0;
    std::string perm_text;
    if (!(in >> node >> id >> perm_text)) return "err -1";
    PeerImport i;
    auto perm = static_cast<rsm_permission_t>(std::stoul(perm_text, nullptr, 8));
    if (int rc = rsm_memseg_import_connect(st.ctlr, static_cast<rsm_node_id_t>(node),
                                           static_cast<rsm_memseg_id_t>(id), perm, &i.h))
      return err(rc);
    if (int rc = rsm_memseg_import_init_barrier(i.h, RSM_BARRIER_NODE, &i.bar)) return err(rc);
    st.imports.push_back(i);
    return "ok " + std::to_string(st.imports.size() - 1);
  }
  if (cmd == "crash") {
    std::fflush(nullptr);
    raise(SIGKILL);
  }
  size_t idx = 0;
  if (!(in >> idx)) return "err -1";
  bool export_cmd = cmd == "unpublish" || cmd == "destroy" || cmd == "republish" ||
                    cmd == "fill" || cmd == "check" || cmd == "post" || cmd == "wait";
  if (export_cmd && idx >= st.exports.size()) return "err -1";
  if (!export_cmd && idx >= st.imports.size()) return "err -1";
  if (cmd == "unpublish") return err(rsm_memseg_export_unpublish(st.exports[idx].h));
  if (cmd == "destroy") return err(rsm_memseg_export_destroy(st.exports[idx].h));
  if (cmd == "republish") {
    std::string acl_text;
    std::vector<rsmapi_access_entry_t> acl;
    if (!(in >> acl_text) || !parse_acl(acl_text, &acl)) return "err -1";
    return err(rsm_memseg_export_republish(st.exports[idx].h, acl.empty() ? nullptr : acl.data(),
                                           static_cast<uint_t>(acl.size())));
  }
  if (cmd == "post") return err(rsm_intr_signal_post(st.exports[idx].h, 0));
  if (cmd == "wait" || cmd == "iwait") {
    int ms = 0;
    in >> ms;
    void *h = cmd == "wait" ? static_cast<void *>(st.exports[idx].h) : static_cast<void *>(st.imports[idx].h);
    return err(rsm_intr_signal_wait(h, ms));
  }
  if (cmd == "ipost") return err(rsm_intr_signal_post(st.imports[idx].h, 0));
  if (cmd == "disconnect") {
    rsm_memseg_import_destroy_barrier(&st.imports[idx].bar);
    return err(rsm_memseg_import_disconnect(st.imports[idx].h));
  }
  uint64_t seed = 0, off = 0;
  size_t len = 0;
  if (!(in >> seed >> off >> len)) return "err -1";
  if (cmd == "fill" || cmd == "check") {
    PeerExport &e = st.exports[idx];
    if (off > e.len || len > e.len - off) return "err -1";
    if (cmd == "fill") {
      fill_pattern(e.mem + off, len, seed, off);
      return "ok";
    }
    return check_range(e.mem + off, seed, off, len);
  }
  if (cmd == "iput" || cmd == "iget") {
    std::vector<char> buf(len);
    if (cmd == "iput") {
      fill_pattern(buf.data(), len, seed, off);
      return err(rsm_memseg_import_put(st.imports[idx].h, static_cast<off_t>(off), buf.data(), len));
    }
    if (int rc = rsm_memseg_import_get(st.imports[idx].h, static_cast<off_t>(off), buf.data(), len))
      return err(rc);
    return check_range(buf.data(), seed, off, len);
  }
  return "err -1";
}

}  // namespace

int peer_main() {
  load_config_from_env();
  PeerState st;
  st.ctlr_name = config().controller;
  if (st.ctlr_name.empty()) {
    rsm_topology_t *t = nullptr;
    if (rsm_get_interconnect_topology(&t) == RSM_SUCCESS && t) {
      if (t->topology_hdr.local_cntlr_count > 0) st.ctlr_name = t->connections[0]->hdr.cntlr_name;
      rsm_free_interconnect_topology(t);
    }
  }
  {
    rsm_topology_t *t = nullptr;
    if (rsm_get_interconnect_topology(&t) == RSM_SUCCESS && t) {
      st.node = t->topology_hdr.local_nodeid;
      rsm_free_interconnect_topology(t);
    }
  }
  std::string line;
  if (int rc = rsm_get_controller(st.ctlr_name.data(), &st.ctlr)) {
    // Still answer hello, so the suite reports why the peer is unusable.
    while (std::getline(std::cin, line)) std::cout << err(rc) << std::endl;
    return 1;
  }
  rsmapi_controller_attr_t attr{};
  if (rsm_get_controller_attr(st.ctlr, &attr) == RSM_SUCCESS && attr.attr_page_size)
    st.page = attr.attr_page_size;
  else
    st.page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  while (std::getline(std::cin, line)) {
    if (line == "exit") {
      std::cout << "ok" << std::endl;
      break;
    }
    std::cout << handle(st, line) << std::endl;
  }
  for (auto &i : st.imports) {
    rsm_memseg_import_destroy_barrier(&i.bar);
    rsm_memseg_import_unmap(i.h);
    rsm_memseg_import_disconnect(i.h);
  }
  for (auto &e : st.exports) rsm_memseg_export_destroy(e.h);
  rsm_release_controller(st.ctlr);
  return 0;
}

}  // namespace rsmc
