// rsmkit conformance: rsm_memseg_import_connect(3RSM) -- rsm_memseg_import_connect,
// rsm_memseg_import_disconnect.
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "framework/child.h"
#include "framework/peer.h"
#include "framework/resource_limits.h"
#include "framework/signals.h"
#include "framework/suite.h"

namespace rsmc {
namespace {

// A node id no interconnect hands out (the top of the 32-bit space).
constexpr rsm_node_id_t kNoSuchNode = 0xFFFFFFF0u;

class ImportConnect : public RsmTest {
 protected:
  void SetUp() override {
    RsmTest::SetUp();
    if (HasFatalFailure()) return;
    exp = make_export(kPages, 0xC0C0);
    ASSERT_NE(exp.h, nullptr);
  }
  // Raw connect: the return code, the handle in *out.
  int try_connect(rsm_memseg_id_t id, rsm_permission_t perm, rsm_memseg_import_handle_t *out,
                  rsm_node_id_t node = 0) {
    *out = nullptr;
    return rsm_memseg_import_connect(ctlr, node ? node : local_node, id, perm, out);
  }
  // A connect that is expected to fail: checks the code, and disconnects a
  // handle an implementation wrongly returned so later checks stay sound.
  void expect_refused(rsm_memseg_id_t id, rsm_permission_t perm, const RcSet &allowed,
                      rsm_node_id_t node = 0) {
    rsm_memseg_import_handle_t h = nullptr;
    int rc = try_connect(id, perm, &h, node);
    EXPECT_RC_IN(rc, allowed) << "segment " << id << " perm 0" << std::oct << perm << std::dec
                              << " node " << (node ? node : local_node);
    if (rc == RSM_SUCCESS && h) rsm_memseg_import_disconnect(h);
  }
  // Reads the whole segment through h and checks it against `seed`.
  void expect_reads(rsm_memseg_import_handle_t h, size_t len, uint64_t seed) {
    std::vector<char> buf(len);
    ASSERT_OK(rsm_memseg_import_get(h, 0, buf.data(), len));
    EXPECT_PATTERN(buf.data(), len, seed, 0);
  }
  // A node id that is not this node.
  rsm_node_id_t other_node() const {
    return local_node + 1 == kNoSuchNode ? local_node + 2 : local_node + 1;
  }

  static constexpr size_t kPages = 2;
  Export exp;
};

// ---- rsm_memseg_import_connect: RSMERR_BAD_CTLR_HNDL ------------------------

TEST_F(ImportConnect, NullControllerIsBadCtlrHandle) {
  covers("import_connect.BAD_CTLR_HNDL.null");
  rsm_memseg_import_handle_t h = nullptr;
  EXPECT_RC(rsm_memseg_import_connect(nullptr, local_node, exp.id, RSM_PERM_RDWR, &h),
            RSMERR_BAD_CTLR_HNDL);
}

TEST_F(ImportConnect, GarbageControllerIsBadCtlrHandle) {
  covers("import_connect.BAD_CTLR_HNDL.garbage");
  rsm_memseg_import_handle_t h = nullptr;
  EXPECT_RC(rsm_memseg_import_connect(garbage_handle<rsmapi_controller_handle_t>(), local_node,
                                      exp.id, RSM_PERM_RDWR, &h),
            RSMERR_BAD_CTLR_HNDL);
}

TEST_F(ImportConnect, ExportHandleIsNotAControllerHandle) {
  covers("import_connect.BAD_CTLR_HNDL.wrong_kind");
  rsm_memseg_import_handle_t h = nullptr;
  auto wrong = reinterpret_cast<rsmapi_controller_handle_t>(exp.h);
  EXPECT_RC(rsm_memseg_import_connect(wrong, local_node, exp.id, RSM_PERM_RDWR, &h),
            RSMERR_BAD_CTLR_HNDL);
}

TEST_F(ImportConnect, ReleasedControllerIsBadCtlrHandle) {
  covers("import_connect.BAD_CTLR_HNDL.released");
  // The segment lives in a peer, so releasing our controller leaves nothing of
  // ours that depends on it (using such segments is illegal per the page).
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(1, 5));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t probe = connect(id, RSM_PERM_RDWR, peer.node());
  ASSERT_NE(probe, nullptr) << "the segment must be importable with a live controller";
  ASSERT_OK(rsm_memseg_import_disconnect(probe));
  forget_import(probe);
  ASSERT_OK(rsm_memseg_export_destroy(exp.h));
  forget_export(exp.h);
  rsmapi_controller_handle_t dead = ctlr;
  ASSERT_OK(rsm_release_controller(ctlr));
  ctlr = nullptr;
  rsm_memseg_import_handle_t h = nullptr;
  // CTLR_NOT_PRESENT is the page's other controller code ("not available");
  // illumos answers it for handles whose references are gone.
  int rc = rsm_memseg_import_connect(dead, peer.node(), id, RSM_PERM_RDWR, &h);
  EXPECT_RC_IN(rc, (RcSet{RSMERR_BAD_CTLR_HNDL, RSMERR_CTLR_NOT_PRESENT}));
  if (rc == RSM_SUCCESS && h) rsm_memseg_import_disconnect(h);
}

// ---- RSMERR_BAD_SEG_HNDL / RSMERR_BAD_ADDR: the output location ------------------

TEST_F(ImportConnect, NullOutputHandleIsRefused) {
  covers("import_connect.BAD_SEG_HNDL.null_out");
  covers("import_connect.BAD_ADDR.null_out");
  // "the import handle cannot be returned" and "a pointer argument is bad"
  // both describe a NULL im_memseg.
  EXPECT_RC_IN(rsm_memseg_import_connect(ctlr, local_node, exp.id, RSM_PERM_RDWR, nullptr),
               (RcSet{RSMERR_BAD_SEG_HNDL, RSMERR_BAD_ADDR}));
  // No half-made connection is left behind: the segment can still be
  // unpublished and a proper connect works.
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
}

TEST_F(ImportConnect, UnmappedOutputHandleIsRefusedRobustness) {
  covers("import_connect.BAD_ADDR.unmapped_out");
  void *p = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(munmap(p, page), 0);
  EXPECT_RC_IN(rsm_memseg_import_connect(ctlr, local_node, exp.id, RSM_PERM_RDWR,
                                         static_cast<rsm_memseg_import_handle_t *>(p)),
               (RcSet{RSMERR_BAD_ADDR, RSMERR_BAD_SEG_HNDL}));
}

// ---- RSMERR_SEG_NOT_PUBLISHED --------------------------------------------------

TEST_F(ImportConnect, NeverPublishedIdIsNotPublished) {
  covers("import_connect.SEG_NOT_PUBLISHED.never_published");
  expect_refused(unique_segid(9), RSM_PERM_RDWR, RcSet{RSMERR_SEG_NOT_PUBLISHED});
}

TEST_F(ImportConnect, CreatedButUnpublishedIsNotPublished) {
  covers("import_connect.SEG_NOT_PUBLISHED.created_only");
  // Published once under a fixed id, then unpublished: the id now names a
  // created (not importable) segment.
  Export e = make_export(1, 0xD0, false);
  ASSERT_NE(e.h, nullptr);
  rsm_memseg_id_t id = unique_segid(1);
  ASSERT_OK(rsm_memseg_export_publish(e.h, &id, nullptr, 0));
  ASSERT_OK(rsm_memseg_export_unpublish(e.h));
  expect_refused(id, RSM_PERM_RDWR, RcSet{RSMERR_SEG_NOT_PUBLISHED});
}

TEST_F(ImportConnect, UnpublishedSegmentIsNotPublished) {
  covers("import_connect.SEG_NOT_PUBLISHED.unpublished");
  // Under an id of this process: a chosen id, once free, may go to a test
  // running in parallel, and the check below would find that one.
  Export e = make_export(1, 0xD3, false);
  ASSERT_NE(e.h, nullptr);
  rsm_memseg_id_t id = unique_segid(2);
  ASSERT_OK(rsm_memseg_export_publish(e.h, &id, nullptr, 0));
  ASSERT_OK(rsm_memseg_export_unpublish(e.h));
  expect_refused(id, RSM_PERM_RDWR, RcSet{RSMERR_SEG_NOT_PUBLISHED});
  expect_refused(id, RSM_PERM_READ, RcSet{RSMERR_SEG_NOT_PUBLISHED});
}

TEST_F(ImportConnect, DestroyedSegmentIsNotPublished) {
  covers("import_connect.SEG_NOT_PUBLISHED.destroyed");
  // Under an id of this process: a chosen id, once free, may go to a test
  // running in parallel, and the check below would find that one.
  Export e = make_export(1, 0xD4, false);
  ASSERT_NE(e.h, nullptr);
  rsm_memseg_id_t id = unique_segid(3);
  ASSERT_OK(rsm_memseg_export_publish(e.h, &id, nullptr, 0));
  ASSERT_OK(rsm_memseg_export_destroy(e.h));
  forget_export(e.h);
  expect_refused(id, RSM_PERM_RDWR, RcSet{RSMERR_SEG_NOT_PUBLISHED});
}

TEST_F(ImportConnect, SegmentOfDeadExporterIsNotPublished) {
  covers("import_connect.SEG_NOT_PUBLISHED.exporter_died");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  // Under an id of this process: once the peer is dead its chosen id may go
  // to a test running in parallel.
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(1, 6, unique_segid(5)));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_node_id_t node = peer.node();
  peer.crash();
  // The process is gone, its node may still be up (SEG_NOT_PUBLISHED) or, for
  // an interconnect where the process is the node, unreachable.
  expect_refused(id, RSM_PERM_RDWR, RcSet{RSMERR_SEG_NOT_PUBLISHED, RSMERR_REMOTE_NODE_UNREACHABLE},
                 node);
}

TEST_F(ImportConnect, IdsAreNotConfused) {
  covers("import_connect.SEG_NOT_PUBLISHED.neighbour_id");
  // The ids right next to a published one name nothing (ids chosen by the
  // application, so nothing else can be there).
  Export e = make_export(1, 0xD1, false);
  ASSERT_NE(e.h, nullptr);
  rsm_memseg_id_t id = unique_segid(4);
  ASSERT_OK(rsm_memseg_export_publish(e.h, &id, nullptr, 0));
  expect_refused(id + 1, RSM_PERM_RDWR, RcSet{RSMERR_SEG_NOT_PUBLISHED});
  expect_refused(id - 1, RSM_PERM_RDWR, RcSet{RSMERR_SEG_NOT_PUBLISHED});
}

// ---- RSMERR_SEG_NOT_PUBLISHED_TO_NODE ----------------------------------------

TEST_F(ImportConnect, AccessListWithoutThisNodeIsNotPublishedToNode) {
  covers("import_connect.SEG_NOT_PUBLISHED_TO_NODE.acl_omits_node");
  Export e = make_export(1, 0xD2, false);
  ASSERT_NE(e.h, nullptr);
  rsmapi_access_entry_t acl[] = {{other_node(), 0666}};
  rsm_memseg_id_t id = 0;
  int rc = rsm_memseg_export_publish(e.h, &id, acl, 1);
  if (rc == RSMERR_BAD_ACL)
    GTEST_SKIP() << "not applicable: the implementation refuses an access list naming another node "
                    "(as a loopback controller does)";
  ASSERT_OK(rc);
  for (rsm_permission_t perm : {RSM_PERM_READ, RSM_PERM_WRITE, RSM_PERM_RDWR})
    expect_refused(id, perm, RcSet{RSMERR_SEG_NOT_PUBLISHED_TO_NODE});
}

TEST_F(ImportConnect, RepublishWithoutThisNodeRefusesNewImporters) {
  covers("import_connect.SEG_NOT_PUBLISHED_TO_NODE.republished");
  rsm_memseg_import_handle_t before = connect_with_barrier(exp.id);
  ASSERT_NE(before, nullptr);
  rsmapi_access_entry_t acl[] = {{other_node(), 0666}};
  int rc = rsm_memseg_export_republish(exp.h, acl, 1);
  if (rc == RSMERR_BAD_ACL)
    GTEST_SKIP() << "not applicable: the implementation refuses an access list naming another node";
  ASSERT_OK(rc);
  expect_refused(exp.id, RSM_PERM_RDWR, RcSet{RSMERR_SEG_NOT_PUBLISHED_TO_NODE});
  // The connection made before the republish is not affected.
  expect_reads(before, exp.len, exp.seed);
}

// ---- RSMERR_PERM_DENIED --------------------------------------------------------

TEST_F(ImportConnect, UndefinedPermissionIsRefused) {
  covers("import_connect.PERM_DENIED.undefined_perm");
  // Only 0400, 0200 and 0600 are valid requests. PERM_DENIED is the page's
  // code; BAD_PERMS is what the illumos kernel says for bits outside 0600.
  for (uint32_t perm : {0100u, 0700u, 0777u, 0004u, 0040u, 0444u, 0666u, 0606u, 0400u | 0001u,
                        0200u | 0020u, 01000u | 0600u, 0x80000000u | 0600u, 0xFFFFFFFFu})
    expect_refused(exp.id, perm, RcSet{RSMERR_PERM_DENIED, RSMERR_BAD_PERMS});
}

TEST_F(ImportConnect, ZeroPermissionIsRefused) {
  covers("import_connect.PERM_DENIED.perm_zero");
  // RSM_PERM_NONE is not one of the three values the page allows; its code is
  // a gap, refusing it is not.
  expect_refused(exp.id, RSM_PERM_NONE, RcSet{RSMERR_PERM_DENIED, RSMERR_BAD_PERMS});
}

TEST_F(ImportConnect, RequestBeyondOwnerDigitIsPermDenied) {
  covers("import_connect.PERM_DENIED.acl_owner_digit");
  // We are the exporter's user, so the owner digit of the entry for our node
  // decides; the group and other digits must not add to it. The page has no
  // privilege override, so this holds for root too.
  struct Case {
    rsm_permission_t grant;
    bool read, write, rdwr;  // which requests must succeed
  };
  const Case cases[] = {
      {0400, true, false, false},  {0200, false, true, false},  {0600, true, true, true},
      {0066, false, false, false}, {0000, false, false, false}, {0466, true, false, false},
      {0244, false, true, false},
  };
  unsigned k = 0;
  for (const Case &c : cases) {
    Export e = make_export(1, 0xE0 + k, false);
    ASSERT_NE(e.h, nullptr);
    rsmapi_access_entry_t acl[] = {{local_node, c.grant}};
    rsm_memseg_id_t id = 0;
    ASSERT_OK(rsm_memseg_export_publish(e.h, &id, acl, 1)) << "grant 0" << std::oct << c.grant;
    const std::pair<rsm_permission_t, bool> reqs[] = {
        {RSM_PERM_READ, c.read}, {RSM_PERM_WRITE, c.write}, {RSM_PERM_RDWR, c.rdwr}};
    for (auto [perm, ok] : reqs) {
      rsm_memseg_import_handle_t h = nullptr;
      int rc = try_connect(id, perm, &h);
      if (ok) {
        EXPECT_RC(rc, RSM_SUCCESS) << "grant 0" << std::oct << c.grant << " request 0" << perm;
      } else {
        EXPECT_RC(rc, RSMERR_PERM_DENIED)
            << "grant 0" << std::oct << c.grant << " request 0" << perm;
      }
      if (rc == RSM_SUCCESS && h) {
        EXPECT_OK(rsm_memseg_import_disconnect(h));
      }
    }
    ASSERT_OK(rsm_memseg_export_destroy(e.h));
    forget_export(e.h);
    k++;
  }
}

TEST_F(ImportConnect, OtherUsersGetTheGroupOrOtherDigit) {
  covers("import_connect.PERM_DENIED.acl_group_other_digit");
  // An importer of another user id gets the group digit when it is in the
  // exporter's group, else the other digit; digits of other classes never
  // add to it. Needs root to run importers under other ids.
  if (geteuid() != 0) GTEST_SKIP() << "not applicable: needs root to import under another user id";
  const struct passwd *pw = getpwnam("nobody");
  const uid_t nobody = pw ? pw->pw_uid : 65534;
  const gid_t nogroup = pw ? pw->pw_gid : 65534;
  const gid_t mygroup = getegid();
  if (nogroup == mygroup) GTEST_SKIP() << "not applicable: nobody's group is the exporter's group";
  const std::string name = ctlr_name;
  const rsm_node_id_t node = local_node;
  // Connects from a forked child running as uid/gid; 600+ on setup failure,
  // -1 (a failure of its own) when the child gave no answer.
  auto connect_as = [&](uid_t uid, gid_t gid, rsm_memseg_id_t id, rsm_permission_t perm) {
    ChildOutcome child = run_in_child(
        [&]() -> int {
          if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) return 600;
          rsmapi_controller_handle_t c = nullptr;
          if (rsm_get_controller(const_cast<char *>(name.c_str()), &c) != RSM_SUCCESS) return 601;
          rsm_memseg_import_handle_t h = nullptr;
          int rc = rsm_memseg_import_connect(c, node, id, perm, &h);
          if (rc == RSM_SUCCESS) rsm_memseg_import_disconnect(h);
          return rc;
        },
        20000);
    if (child.answered()) return child.value;
    ADD_FAILURE() << "the child connecting as uid " << uid << ", gid " << gid << " " << child;
    return -1;
  };
  auto publish = [&](rsm_permission_t grant) {
    Export e = make_export(1, 0xF0 + grant, false);
    rsmapi_access_entry_t acl[] = {{local_node, grant}};
    rsm_memseg_id_t id = 0;
    EXPECT_OK(rsm_memseg_export_publish(e.h, &id, acl, 1)) << "grant 0" << std::oct << grant;
    return id;
  };
  // Control: another user must be able to use the controller at all here
  // (the interconnect may be private to its user); if it can, a segment that
  // grants everything to everybody must be importable.
  rsm_memseg_id_t open_id = publish(0666);
  for (gid_t g : {mygroup, nogroup}) {
    int rc = connect_as(nobody, g, open_id, RSM_PERM_RDWR);
    if (rc == 600) GTEST_SKIP() << "not applicable: cannot switch to user nobody";
    if (rc == 601)
      GTEST_SKIP() << "not applicable: a process of another user cannot get the controller here";
    ASSERT_RC(rc, RSM_SUCCESS) << "grant 0666 to a process of user nobody, gid " << g;
  }
  struct Case {
    gid_t gid;
    rsm_permission_t grant;
    bool read, write;
  };
  const Case cases[] = {
      {mygroup, 0640, true, false}, {mygroup, 0620, false, true}, {mygroup, 0606, false, false},
      {nogroup, 0604, true, false}, {nogroup, 0602, false, true}, {nogroup, 0660, false, false},
      {nogroup, 0066, true, true},  {mygroup, 0066, true, true},  {mygroup, 0406, false, false},
  };
  for (const Case &c : cases) {
    rsm_memseg_id_t id = publish(c.grant);
    const std::pair<rsm_permission_t, bool> reqs[] = {
        {RSM_PERM_READ, c.read}, {RSM_PERM_WRITE, c.write}, {RSM_PERM_RDWR, c.read && c.write}};
    for (auto [perm, ok] : reqs) {
      int rc = connect_as(nobody, c.gid, id, perm);
      EXPECT_RC(rc, ok ? RSM_SUCCESS : RSMERR_PERM_DENIED)
          << (c.gid == mygroup ? "group" : "other") << " importer, grant 0" << std::oct << c.grant
          << ", request 0" << perm;
    }
  }
}

TEST_F(ImportConnect, DefaultAccessFollowsCreationMode) {
  covers("import_connect.PERM_DENIED.default_mode");
  // No access list: every node gets the exporter's file-creation mode. With
  // umask 0277 the owner may only read.
  mode_t old = umask(0277);
  Export e = make_export(1, 0xE9);
  umask(old);
  ASSERT_NE(e.h, nullptr);
  expect_refused(e.id, RSM_PERM_WRITE, RcSet{RSMERR_PERM_DENIED});
  expect_refused(e.id, RSM_PERM_RDWR, RcSet{RSMERR_PERM_DENIED});
  rsm_memseg_import_handle_t h = connect(e.id, RSM_PERM_READ);
  EXPECT_NE(h, nullptr);
}

// ---- RSMERR_REMOTE_NODE_UNREACHABLE / RSMERR_CTLR_NOT_PRESENT ------------------

TEST_F(ImportConnect, NonexistentNodeIsRefused) {
  covers("import_connect.REMOTE_NODE_UNREACHABLE.no_such_node");
  covers("import_connect.CTLR_NOT_PRESENT.no_such_node");
  // No node has this id: unreachable, the controller cannot reach it
  // (illumos loopback), or simply nothing published there.
  const RcSet refused{RSMERR_REMOTE_NODE_UNREACHABLE, RSMERR_CTLR_NOT_PRESENT,
                      RSMERR_SEG_NOT_PUBLISHED};
  expect_refused(exp.id, RSM_PERM_RDWR, refused, kNoSuchNode);
  expect_refused(exp.id, RSM_PERM_READ, refused, kNoSuchNode - 1);
}

// ---- RSMERR_INSUFFICIENT_RESOURCES / RSMERR_INSUFFICIENT_MEM ---------------------

TEST_F(ImportConnect, ImportSegmentLimitIsEnforced) {
  covers("import_connect.INSUFFICIENT_RESOURCES.import_limit");
  covers("import_connect.INSUFFICIENT_MEM.import_limit");
  const unsigned long max = attr.attr_max_import_segments;
  if (max == 0 || max > 4096)
    GTEST_SKIP() << "not applicable: the controller reports attr_max_import_segments = " << max
                 << " (0 or above the 4096 the suite will open)";
  const RcSet shortage{RSMERR_INSUFFICIENT_RESOURCES, RSMERR_INSUFFICIENT_MEM};
  // Spread over several segments: a segment may limit its own importers.
  constexpr unsigned kPerSegment = 64;
  std::vector<Export> segs;
  std::vector<rsm_memseg_import_handle_t> hs;
  int last = RSM_SUCCESS;
  for (unsigned long k = 0; k <= max; k++) {
    if (k % kPerSegment == 0) {
      segs.push_back(make_export(1, 0x1000 + k / kPerSegment));
      ASSERT_NE(segs.back().h, nullptr);
    }
    rsm_memseg_import_handle_t h = nullptr;
    last = try_connect(segs.back().id, RSM_PERM_READ, &h);
    if (last != RSM_SUCCESS) {
      // Running short earlier than the limit is allowed, with a shortage code.
      EXPECT_RC_IN(last, shortage) << "connect number " << k + 1 << " of at most " << max;
      break;
    }
    hs.push_back(h);
  }
  EXPECT_LE(hs.size(), max) << "more connections than attr_max_import_segments succeeded";
  // Giving one back makes room again.
  if (!hs.empty() && last != RSM_SUCCESS) {
    EXPECT_OK(rsm_memseg_import_disconnect(hs.back()));
    hs.pop_back();
    rsm_memseg_import_handle_t h = nullptr;
    EXPECT_OK(try_connect(segs.front().id, RSM_PERM_READ, &h));
    if (h) hs.push_back(h);
  }
  for (auto h : hs) EXPECT_OK(rsm_memseg_import_disconnect(h));
}

TEST_F(ImportConnect, AddressSpaceExhaustionIsInsufficientMem) {
  covers("import_connect.INSUFFICIENT_MEM.rlimit_as");
  // A 16 MiB segment cannot be mapped by a child that has no address space
  // left; an implementation that maps only later may still connect.
  Export big = make_export(4096, 0xB16);
  ASSERT_NE(big.h, nullptr);
  std::string name = ctlr_name;
  rsm_node_id_t node = local_node;
  ChildOutcome child = run_in_child(
      [&]() -> int {
        rsmapi_controller_handle_t c = nullptr;
        if (rsm_get_controller(name.data(), &c) != RSM_SUCCESS) return 500;
        if (!limit_address_space(256 * 1024, true).ok()) return 501;
        rsm_memseg_import_handle_t h = nullptr;
        return rsm_memseg_import_connect(c, node, big.id, RSM_PERM_RDWR, &h);
      },
      20000);
  ASSERT_TRUE(child.answered()) << "the child " << child;
  const int rc = child.value;
  ASSERT_NE(rc, 500) << "the child could not get the controller";
  ASSERT_NE(rc, 501) << "setrlimit failed";
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_MEM, RSMERR_INSUFFICIENT_RESOURCES}));
}

TEST_F(ImportConnect, DescriptorExhaustionIsInsufficientResources) {
  covers("import_connect.INSUFFICIENT_RESOURCES.rlimit_nofile");
  std::string name = ctlr_name;
  rsm_node_id_t node = local_node;
  rsm_memseg_id_t id = exp.id;
  ChildOutcome child = run_in_child(
      [&]() -> int {
        rsmapi_controller_handle_t c = nullptr;
        if (rsm_get_controller(name.data(), &c) != RSM_SUCCESS) return 500;
        if (!exhaust_descriptors().ok()) return 501;  // no descriptor is free
        rsm_memseg_import_handle_t h = nullptr;
        return rsm_memseg_import_connect(c, node, id, RSM_PERM_RDWR, &h);
      },
      20000);
  ASSERT_TRUE(child.answered()) << "the child " << child;
  const int rc = child.value;
  ASSERT_NE(rc, 500) << "the child could not get the controller";
  ASSERT_NE(rc, 501) << "could not lower RLIMIT_NOFILE";
  // An implementation that needs no descriptor per connection may succeed.
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_RESOURCES, RSMERR_INSUFFICIENT_MEM}));
}

// ---- RSMERR_INTERRUPTED ----------------------------------------------------------

TEST_F(ImportConnect, ConnectUnderSignalsSucceedsOrIsInterrupted) {
  covers("import_connect.INTERRUPTED.signals");
  covers("import_disconnect.success.signals");
  // Signals arrive throughout; a connect may report INTERRUPTED but nothing
  // else, and disconnect (which documents no such code) must just work.
  int interrupted = 0;
  {
    SignalStorm storm;
    for (int i = 0; i < 200; i++) {
      rsm_memseg_import_handle_t h = nullptr;
      int rc = try_connect(exp.id, RSM_PERM_RDWR, &h);
      EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INTERRUPTED})) << "attempt " << i;
      if (rc == RSMERR_INTERRUPTED) interrupted++;
      if (rc == RSM_SUCCESS && h) {
        EXPECT_OK(rsm_memseg_import_disconnect(h)) << "attempt " << i;
      }
      if (HasFailure()) break;
    }
  }
  RecordProperty("interrupted", interrupted);
  rsm_memseg_import_handle_t h = connect_with_barrier(exp.id);
  ASSERT_NE(h, nullptr);
  expect_reads(h, exp.len, exp.seed);
}

// ---- rsm_memseg_import_connect: success semantics --------------------------------

TEST_F(ImportConnect, EveryValidRequestOnDefaultAccess) {
  covers("import_connect.success.valid_perms");
  mode_t old = umask(022);
  Export e = make_export(1, 0xEA);
  umask(old);
  ASSERT_NE(e.h, nullptr);
  for (rsm_permission_t perm : {RSM_PERM_READ, RSM_PERM_WRITE, RSM_PERM_RDWR}) {
    rsm_memseg_import_handle_t h = nullptr;
    EXPECT_OK(try_connect(e.id, perm, &h)) << "perm 0" << std::oct << perm;
    EXPECT_NE(h, nullptr);
    if (h) {
      EXPECT_OK(rsm_memseg_import_disconnect(h));
    }
  }
}

TEST_F(ImportConnect, ConnectedHandleReadsThatSegment) {
  covers("import_connect.success.right_segment");
  // Two segments with different data: each connection shows its own.
  Export other = make_export(1, 0xF00D);
  ASSERT_NE(other.h, nullptr);
  rsm_memseg_import_handle_t a = connect_with_barrier(exp.id);
  rsm_memseg_import_handle_t b = connect_with_barrier(other.id);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  expect_reads(a, exp.len, exp.seed);
  expect_reads(b, other.len, other.seed);
}

TEST_F(ImportConnect, SeveralImportersGetTheirOwnHandles) {
  covers("import_connect.success.several_importers");
  constexpr int kN = 4;
  rsm_memseg_import_handle_t h[kN];
  for (int i = 0; i < kN; i++) {
    h[i] = connect_with_barrier(exp.id, i % 2 ? RSM_PERM_READ : RSM_PERM_RDWR);
    ASSERT_NE(h[i], nullptr);
    for (int j = 0; j < i; j++) EXPECT_NE(h[i], h[j]) << "connections " << j << " and " << i;
  }
  for (int i = 0; i < kN; i++) expect_reads(h[i], exp.len, exp.seed);
  // A write through one is seen through the others.
  std::vector<char> buf(page);
  fill_pattern(buf.data(), page, 0xAB, page);
  ASSERT_OK(rsm_memseg_import_put(h[0], static_cast<off_t>(page), buf.data(), page));
  std::vector<char> got(page);
  ASSERT_OK(rsm_memseg_import_get(h[3], static_cast<off_t>(page), got.data(), page));
  EXPECT_PATTERN(got.data(), page, 0xAB, page);
}

TEST_F(ImportConnect, NewConnectionIsInImplicitBarrierMode) {
  covers("import_connect.success.implicit_mode");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  rsm_barrier_mode_t mode = RSM_BARRIER_MODE_EXPLICIT;
  ASSERT_OK(rsm_memseg_import_get_mode(h, &mode));
  EXPECT_EQ(mode, RSM_BARRIER_MODE_IMPLICIT);
}

TEST_F(ImportConnect, ConnectMovesNoData) {
  covers("import_connect.success.no_data_moved");
  for (rsm_permission_t perm : {RSM_PERM_READ, RSM_PERM_WRITE, RSM_PERM_RDWR}) {
    rsm_memseg_import_handle_t h = nullptr;
    ASSERT_OK(try_connect(exp.id, perm, &h));
    EXPECT_PATTERN(exp.mem, exp.len, exp.seed, 0);
    ASSERT_OK(rsm_memseg_import_disconnect(h));
    EXPECT_PATTERN(exp.mem, exp.len, exp.seed, 0);
  }
}

TEST_F(ImportConnect, RefusedConnectsLeaveTheSegmentImportable) {
  covers("import_connect.success.after_refusals");
  rsm_memseg_import_handle_t h = nullptr;
  EXPECT_NE(rsm_memseg_import_connect(ctlr, local_node, exp.id, 0777, &h), RSM_SUCCESS);
  EXPECT_NE(rsm_memseg_import_connect(ctlr, local_node, unique_segid(8), RSM_PERM_RDWR, &h),
            RSM_SUCCESS);
  EXPECT_NE(rsm_memseg_import_connect(nullptr, local_node, exp.id, RSM_PERM_RDWR, &h), RSM_SUCCESS);
  rsm_memseg_import_handle_t ok = connect_with_barrier(exp.id);
  ASSERT_NE(ok, nullptr);
  expect_reads(ok, exp.len, exp.seed);
}

TEST_F(ImportConnect, ReconnectAfterDisconnect) {
  covers("import_connect.success.reconnect");
  for (int round = 0; round < 3; round++) {
    rsm_memseg_import_handle_t h = nullptr;
    ASSERT_OK(try_connect(exp.id, RSM_PERM_RDWR, &h)) << "round " << round;
    rsmapi_barrier_t b{};
    ASSERT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &b));
    std::vector<char> buf(exp.len);
    EXPECT_OK(rsm_memseg_import_get(h, 0, buf.data(), buf.size()));
    EXPECT_PATTERN(buf.data(), buf.size(), exp.seed, 0);
    EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
    ASSERT_OK(rsm_memseg_import_disconnect(h)) << "round " << round;
  }
}

TEST_F(ImportConnect, CrossProcessBothDirections) {
  covers("import_connect.success.cross_process");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  // The peer imports our segment...
  std::string r =
      peer.call("connect " + std::to_string(local_node) + " " + std::to_string(exp.id) + " 600");
  ASSERT_EQ(Peer::rc_of(r), 0) << r;
  EXPECT_EQ(peer.call("iget 0 " + std::to_string(exp.seed) + " 0 " + std::to_string(exp.len)),
            "ok");
  EXPECT_EQ(
      Peer::rc_of(peer.call("iput 0 4242 " + std::to_string(page) + " " + std::to_string(page))),
      0);
  EXPECT_PATTERN(exp.mem + page, page, 4242, page);
  EXPECT_PATTERN(exp.mem, page, exp.seed, 0);
  EXPECT_EQ(Peer::rc_of(peer.call("disconnect 0")), 0);
  // ...and we import the peer's.
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(2, 77));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect_with_barrier(id, RSM_PERM_RDWR, peer.node());
  ASSERT_NE(h, nullptr);
  expect_reads(h, 2 * page, 77);
}

// ---- rsm_memseg_import_disconnect -------------------------------------------------

TEST_F(ImportConnect, DisconnectNullIsBadSegHandle) {
  covers("import_disconnect.BAD_SEG_HNDL.null");
  EXPECT_RC(rsm_memseg_import_disconnect(nullptr), RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportConnect, DisconnectGarbageIsBadSegHandle) {
  covers("import_disconnect.BAD_SEG_HNDL.garbage");
  EXPECT_RC(rsm_memseg_import_disconnect(garbage_handle<rsm_memseg_import_handle_t>()),
            RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportConnect, DisconnectTwiceIsBadSegHandle) {
  covers("import_disconnect.BAD_SEG_HNDL.twice");
  rsm_memseg_import_handle_t h = nullptr;
  ASSERT_OK(try_connect(exp.id, RSM_PERM_RDWR, &h));
  ASSERT_OK(rsm_memseg_import_disconnect(h));
  EXPECT_RC(rsm_memseg_import_disconnect(h), RSMERR_BAD_SEG_HNDL);
  // The dead handle is dead for data access too.
  char c = 0;
  EXPECT_RC(rsm_memseg_import_get(h, 0, &c, 1), RSMERR_BAD_SEG_HNDL);
}

TEST_F(ImportConnect, DisconnectExportHandleIsBadSegHandle) {
  covers("import_disconnect.BAD_SEG_HNDL.export_handle");
  EXPECT_RC(rsm_memseg_import_disconnect(reinterpret_cast<rsm_memseg_import_handle_t>(exp.h)),
            RSMERR_BAD_SEG_HNDL);
  // The export is unharmed: still published and importable.
  rsm_memseg_import_handle_t h = connect_with_barrier(exp.id);
  ASSERT_NE(h, nullptr);
  expect_reads(h, exp.len, exp.seed);
}

TEST_F(ImportConnect, DisconnectWhileMappedIsStillMapped) {
  covers("import_disconnect.SEG_STILL_MAPPED.mapped");
  if (!can_map()) GTEST_SKIP() << "not applicable: the controller does not map";
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  void *addr = nullptr;
  ASSERT_OK(rsm_memseg_import_map(h, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, exp.len));
  EXPECT_RC(rsm_memseg_import_disconnect(h), RSMERR_SEG_STILL_MAPPED);
  // The refused disconnect left the mapping and the connection intact.
  EXPECT_PATTERN(addr, exp.len, exp.seed, 0);
  ASSERT_OK(rsm_memseg_import_unmap(h));
  EXPECT_OK(rsm_memseg_import_disconnect(h));
  forget_import(h);
}

TEST_F(ImportConnect, DisconnectWithPollfdHeldIsPollfdInUse) {
  covers("import_disconnect.POLLFD_IN_USE.held");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  struct pollfd a {
  }, b{};
  ASSERT_OK(rsm_memseg_get_pollfd(h, &a));
  ASSERT_OK(rsm_memseg_get_pollfd(h, &b));
  EXPECT_RC(rsm_memseg_import_disconnect(h), RSMERR_POLLFD_IN_USE);
  // The count is a count: one release is not enough.
  ASSERT_OK(rsm_memseg_release_pollfd(h));
  EXPECT_RC(rsm_memseg_import_disconnect(h), RSMERR_POLLFD_IN_USE);
  // Still a working connection.
  rsmapi_barrier_t bar{};
  ASSERT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &bar));
  char c = 0;
  EXPECT_OK(rsm_memseg_import_get(h, 0, &c, 1));
  EXPECT_EQ(static_cast<uint8_t>(c), pattern_byte(exp.seed, 0));
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&bar));
  ASSERT_OK(rsm_memseg_release_pollfd(h));
  EXPECT_OK(rsm_memseg_import_disconnect(h));
  forget_import(h);
}

TEST_F(ImportConnect, DisconnectAfterUnpublishSucceeds) {
  covers("import_disconnect.success.aborted_unpublished");
  rsm_memseg_import_handle_t h = connect_with_barrier(exp.id);
  ASSERT_NE(h, nullptr);
  ASSERT_OK(rsm_memseg_export_unpublish(exp.h));
  destroy_barriers();
  EXPECT_OK(rsm_memseg_import_disconnect(h));
  forget_import(h);
}

TEST_F(ImportConnect, DisconnectAfterExportDestroyedSucceeds) {
  covers("import_disconnect.success.aborted_destroyed");
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  ASSERT_OK(rsm_memseg_export_destroy(exp.h));
  forget_export(exp.h);
  EXPECT_OK(rsm_memseg_import_disconnect(h));
  forget_import(h);
}

TEST_F(ImportConnect, DisconnectAfterExporterDiedSucceeds) {
  covers("import_disconnect.success.aborted_exporter_died");
  Peer peer;
  ASSERT_TRUE(peer.start()) << peer.error();
  rsm_memseg_id_t id = Peer::segid_of(peer.export_segment(1, 8));
  ASSERT_NE(id, 0u) << peer.stderr_text();
  rsm_memseg_import_handle_t h = connect(id, RSM_PERM_RDWR, peer.node());
  ASSERT_NE(h, nullptr);
  peer.crash();
  EXPECT_OK(rsm_memseg_import_disconnect(h));
  forget_import(h);
}

TEST_F(ImportConnect, DisconnectAfterGetAndPutSucceeds) {
  covers("import_disconnect.success.after_transfers");
  // get/put may map implicitly; only an explicit map blocks disconnect.
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &b));
  std::vector<char> buf(page);
  ASSERT_OK(rsm_memseg_import_get(h, 0, buf.data(), page));
  ASSERT_OK(rsm_memseg_import_put(h, static_cast<off_t>(page), buf.data(), page));
  EXPECT_OK(rsm_memseg_import_destroy_barrier(&b));
  EXPECT_OK(rsm_memseg_import_disconnect(h));
  forget_import(h);
  EXPECT_PATTERN(exp.mem + page, page, exp.seed, 0);         // the copy of page 0...
  EXPECT_EQ(std::memcmp(exp.mem, exp.mem + page, page), 0);  // ...landed in page 1
}

TEST_F(ImportConnect, DisconnectWithBarrierStillBoundSucceeds) {
  covers("import_disconnect.success.barrier_bound");
  // No disconnect error describes a bound barrier (its fate is a gap).
  rsm_memseg_import_handle_t h = connect(exp.id);
  ASSERT_NE(h, nullptr);
  rsmapi_barrier_t b{};
  ASSERT_OK(rsm_memseg_import_init_barrier(h, RSM_BARRIER_NODE, &b));
  EXPECT_OK(rsm_memseg_import_disconnect(h));
  forget_import(h);
}

TEST_F(ImportConnect, DisconnectLeavesOtherConnectionsAlone) {
  covers("import_disconnect.success.others_unaffected");
  rsm_memseg_import_handle_t a = connect(exp.id);
  rsm_memseg_import_handle_t b = connect_with_barrier(exp.id);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_OK(rsm_memseg_import_disconnect(a));
  forget_import(a);
  expect_reads(b, exp.len, exp.seed);
  EXPECT_PATTERN(exp.mem, exp.len, exp.seed, 0);
  // And the exporter's own operations are unaffected by it.
  rsm_memseg_import_handle_t c = connect_with_barrier(exp.id, RSM_PERM_READ);
  ASSERT_NE(c, nullptr);
  expect_reads(c, exp.len, exp.seed);
}

}  // namespace
}  // namespace rsmc
