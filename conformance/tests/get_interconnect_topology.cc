// rsmkit conformance: rsm_get_interconnect_topology(3RSM) --
// rsm_get_interconnect_topology, rsm_free_interconnect_topology.
//
// The snapshot is the caller's until freed: every pointer and count in it
// is walked (a truncated or dangling snapshot faults or fails the checks).
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "framework/child.h"
#include "framework/local_buffer.h"
#include "framework/peer.h"
#include "framework/resource_limits.h"
#include "framework/suite.h"

namespace rsmc {
namespace {

// A flat copy of a snapshot, to compare snapshots and to check one stays
// intact while another is freed.
struct Flat {
  rsm_node_id_t node = 0;
  struct Ctlr {
    std::string name;
    rsm_addr_t hwaddr;
    std::vector<std::string> remotes;  // "node/name/hwaddr/state"
  };
  std::vector<Ctlr> ctlrs;
  bool operator==(const Flat &o) const {
    if (node != o.node || ctlrs.size() != o.ctlrs.size()) return false;
    for (size_t i = 0; i < ctlrs.size(); i++)
      if (ctlrs[i].name != o.ctlrs[i].name || ctlrs[i].hwaddr != o.ctlrs[i].hwaddr ||
          ctlrs[i].remotes != o.ctlrs[i].remotes)
        return false;
    return true;
  }
};

// Checks the snapshot's shape (non-fatal failures) and flattens it.
Flat walk(const rsm_topology_t *t) {
  Flat f;
  f.node = t->topology_hdr.local_nodeid;
  for (uint_t i = 0; i < t->topology_hdr.local_cntlr_count; i++) {
    const rsm_connections_t *c = t->connections[i];
    EXPECT_NE(c, nullptr) << "connections[" << i << "]";
    if (!c) continue;
    size_t n = strnlen(c->hdr.cntlr_name, MAXNAMELEN);
    EXPECT_LT(n, size_t{MAXNAMELEN}) << "cntlr_name of controller " << i << " is not NUL-terminated";
    EXPECT_GT(n, 0u) << "controller " << i << " has an empty name";
    EXPECT_GE(c->hdr.remote_cntlr_count, 0) << "controller " << i;
    Flat::Ctlr fc{std::string(c->hdr.cntlr_name, n), c->hdr.local_hwaddr, {}};
    for (int j = 0; j < c->hdr.remote_cntlr_count; j++) {
      const rsm_remote_cntlr_t &r = c->remote_cntlr[j];
      size_t rn = strnlen(r.remote_cntlrname, MAXNAMELEN);
      EXPECT_LT(rn, size_t{MAXNAMELEN}) << "remote_cntlrname " << j << " of controller " << i;
      fc.remotes.push_back(std::to_string(r.remote_nodeid) + "/" + std::string(r.remote_cntlrname, rn) + "/" +
                           std::to_string(r.remote_hwaddr) + "/" + std::to_string(r.connection_state));
    }
    f.ctlrs.push_back(fc);
  }
  return f;
}

class Topology : public RsmTest {};

// ---- RSMERR_BAD_TOPOLOGY_PTR / RSMERR_BAD_ADDR --------------------------------

TEST_F(Topology, NullPointerIsBadTopologyPtr) {
  covers("get_interconnect_topology.BAD_TOPOLOGY_PTR.null");
  EXPECT_RC(rsm_get_interconnect_topology(nullptr), RSMERR_BAD_TOPOLOGY_PTR);
}

TEST_F(Topology, UnmappedPointerRobustness) {
  covers("get_interconnect_topology.BAD_ADDR.unmapped");
  auto **where = static_cast<rsm_topology_t **>(unmapped_address(page));
  ASSERT_NE(where, nullptr);
  EXPECT_RC_IN(rsm_get_interconnect_topology(where), (RcSet{RSMERR_BAD_ADDR, RSMERR_BAD_TOPOLOGY_PTR}));
}

// ---- RSMERR_INSUFFICIENT_MEM (exhaustion in a child) --------------------------

TEST_F(Topology, AddressSpaceExhaustionGivesDocumentedCode) {
  covers("get_interconnect_topology.INSUFFICIENT_MEM.rlimit_as");
  ChildOutcome child = run_in_child([&] {
    if (!limit_address_space().ok()) return -1;
    rsm_topology_t *t = nullptr;
    int r = rsm_get_interconnect_topology(&t);
    if (r == RSM_SUCCESS) {
      // Whatever it returns must be walkable.
      volatile uint_t sink = 0;
      for (uint_t i = 0; i < t->topology_hdr.local_cntlr_count; i++)
        sink = sink + static_cast<uint_t>(t->connections[i]->hdr.remote_cntlr_count);
      rsm_free_interconnect_topology(t);
    }
    return r;
  });
  ASSERT_TRUE(child.answered()) << "the child " << child << " in rsm_get_interconnect_topology under RLIMIT_AS";
  int rc = child.value;
  ASSERT_NE(rc, -1) << "could not set up the limit";
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_MEM}));
}

// ---- success semantics ------------------------------------------------------------

TEST_F(Topology, SnapshotIsWellFormed) {
  covers("get_interconnect_topology.success.well_formed");
  rsm_topology_t *t = nullptr;
  ASSERT_OK(rsm_get_interconnect_topology(&t));
  ASSERT_NE(t, nullptr);
  EXPECT_GE(t->topology_hdr.local_cntlr_count, 1u) << "no local controller, though the suite has one open";
  Flat f = walk(t);
  // Names are controller names: each one can be got and released.
  for (auto &c : f.ctlrs) {
    rsmapi_controller_handle_t h = nullptr;
    EXPECT_OK(rsm_get_controller(c.name.data(), &h)) << "topology controller \"" << c.name << "\"";
    if (h) {
      EXPECT_OK(rsm_release_controller(h));
    }
  }
  rsm_free_interconnect_topology(t);
}

TEST_F(Topology, LocalNodeIsWhereSegmentsArePublished) {
  covers("get_interconnect_topology.success.local_node");
  rsm_topology_t *t = nullptr;
  ASSERT_OK(rsm_get_interconnect_topology(&t));
  rsm_node_id_t node = t->topology_hdr.local_nodeid;
  rsm_free_interconnect_topology(t);
  Export e = make_export(1, 3);
  ASSERT_NE(e.h, nullptr);
  rsm_memseg_import_handle_t i = nullptr;
  ASSERT_OK(rsm_memseg_import_connect(ctlr, node, e.id, RSM_PERM_READ, &i));
  rsmapi_barrier_t b{};
  EXPECT_OK(rsm_memseg_import_init_barrier(i, RSM_BARRIER_NODE, &b));
  std::vector<char> buf(e.len);
  EXPECT_OK(rsm_memseg_import_get(i, 0, buf.data(), e.len));
  EXPECT_PATTERN(buf.data(), e.len, 3, 0);
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
  EXPECT_OK(rsm_memseg_import_disconnect(i));
}

TEST_F(Topology, RepeatedSnapshotsAgree) {
  covers("get_interconnect_topology.success.stable");
  rsm_topology_t *a = nullptr, *b = nullptr;
  ASSERT_OK(rsm_get_interconnect_topology(&a));
  ASSERT_OK(rsm_get_interconnect_topology(&b));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b) << "two snapshots share storage";
  Flat fa = walk(a), fb = walk(b);
  EXPECT_TRUE(fa == fb) << "two snapshots taken back to back differ";
  rsm_free_interconnect_topology(a);
  rsm_free_interconnect_topology(b);
}

TEST_F(Topology, FreeingOneSnapshotLeavesAnotherIntact) {
  covers("free_interconnect_topology.success.independent");
  rsm_topology_t *a = nullptr, *b = nullptr;
  ASSERT_OK(rsm_get_interconnect_topology(&a));
  Flat before = walk(a);
  ASSERT_OK(rsm_get_interconnect_topology(&b));
  rsm_free_interconnect_topology(b);
  // Allocations after the free may reuse b's storage: a must not care.
  std::vector<std::vector<char>> churn;
  for (int k = 0; k < 64; k++) churn.emplace_back(256 + 64 * k, static_cast<char>(0xEE));
  EXPECT_TRUE(walk(a) == before) << "a snapshot changed when another one was freed";
  rsm_free_interconnect_topology(a);
}

TEST_F(Topology, SnapshotOutlivesTheControllerHandles) {
  covers("get_interconnect_topology.success.outlives_controllers");
  rsm_topology_t *t = nullptr;
  ASSERT_OK(rsm_get_interconnect_topology(&t));
  Flat before = walk(t);
  // Release every reference of this process: the snapshot is the caller's.
  ASSERT_OK(rsm_release_controller(ctlr));
  ctlr = nullptr;
  EXPECT_TRUE(walk(t) == before);
  rsm_free_interconnect_topology(t);
  // And a snapshot can be taken with no controller open.
  ASSERT_OK(rsm_get_interconnect_topology(&t));
  EXPECT_GE(t->topology_hdr.local_cntlr_count, 1u);
  walk(t);
  rsm_free_interconnect_topology(t);
  ASSERT_OK(rsm_get_controller(ctlr_name.data(), &ctlr));
}

TEST_F(Topology, PeerOnAnotherNodeIsListedAsRemote) {
  covers("get_interconnect_topology.success.remote_listed");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  if (peer.node() == local_node) GTEST_SKIP() << "not applicable: the peer runs on this node";
  // The peer is reachable (it can import our segments), so some controller
  // must show a connection to its node.
  Export e = make_export(1, 4);
  ASSERT_NE(e.h, nullptr);
  std::string reply = peer.call("connect " + std::to_string(local_node) + " " + std::to_string(e.id) + " 400");
  ASSERT_EQ(Peer::rc_of(reply), 0) << reply;
  rsm_topology_t *t = nullptr;
  ASSERT_OK(rsm_get_interconnect_topology(&t));
  bool found = false;
  for (uint_t i = 0; i < t->topology_hdr.local_cntlr_count; i++)
    for (int j = 0; j < t->connections[i]->hdr.remote_cntlr_count; j++)
      if (t->connections[i]->remote_cntlr[j].remote_nodeid == peer.node()) found = true;
  EXPECT_TRUE(found) << "node " << peer.node() << " is not among the remote controllers";
  rsm_free_interconnect_topology(t);
}

TEST_F(Topology, ConcurrentSnapshotsAreSafe) {
  covers("get_interconnect_topology.success.mt_safe");
  rsm_topology_t *ref = nullptr;
  ASSERT_OK(rsm_get_interconnect_topology(&ref));
  rsm_node_id_t node = ref->topology_hdr.local_nodeid;
  uint_t count = ref->topology_hdr.local_cntlr_count;
  rsm_free_interconnect_topology(ref);
  std::atomic<int> bad{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int k = 0; k < 8; k++)
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int r = 0; r < 25; r++) {
        rsm_topology_t *t = nullptr;
        if (rsm_get_interconnect_topology(&t) != RSM_SUCCESS || !t) {
          bad++;
          continue;
        }
        if (t->topology_hdr.local_nodeid != node || t->topology_hdr.local_cntlr_count != count) bad++;
        rsm_free_interconnect_topology(t);
      }
    });
  go = true;
  for (auto &t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(Topology, GetAndFreeDoNotLeakDescriptors) {
  covers("free_interconnect_topology.success.no_leak");
  rsm_topology_t *t = nullptr;
  ASSERT_OK(rsm_get_interconnect_topology(&t));  // warm-up
  rsm_free_interconnect_topology(t);
  int before = open_fds();
  for (int k = 0; k < 200; k++) {
    ASSERT_OK(rsm_get_interconnect_topology(&t));
    rsm_free_interconnect_topology(t);
  }
  EXPECT_EQ(open_fds(), before) << "descriptors leaked by 200 get/free pairs";
}

TEST_F(Topology, FreeNullRobustness) {
  covers("free_interconnect_topology.gap.null");
  // No page says; illumos ignores NULL (like free(3)).
  rsm_free_interconnect_topology(nullptr);
  rsm_topology_t *t = nullptr;
  EXPECT_OK(rsm_get_interconnect_topology(&t));
  rsm_free_interconnect_topology(t);
}

}  // namespace
}  // namespace rsmc
