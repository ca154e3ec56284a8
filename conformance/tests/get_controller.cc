// rsmkit conformance: rsm_get_controller(3RSM) -- rsm_get_controller,
// rsm_get_controller_attr, rsm_release_controller.
//
// Every successful get adds one reference that exactly one release drops;
// the pages do not say whether two gets of one name return the same handle,
// so the tests work with both designs: a handle counts as gone only once
// every reference taken in this process (the fixture's included) is released.
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "framework/child.h"
#include "framework/local_buffer.h"
#include "framework/resource_limits.h"
#include "framework/suite.h"

namespace rsmc {
namespace {

bool power_of_two(size_t v) { return v != 0 && (v & (v - 1)) == 0; }

class GetController : public RsmTest {
 protected:
  // A fresh reference to the fixture's controller, or nullptr.
  rsmapi_controller_handle_t get_again() {
    rsmapi_controller_handle_t h = nullptr;
    EXPECT_OK(rsm_get_controller(ctlr_name.data(), &h)) << "controller " << ctlr_name;
    return h;
  }
  // Releases the fixture's reference too, so that no reference of this
  // process is left; TearDown then has nothing to release.
  void release_fixture_controller() {
    EXPECT_OK(rsm_release_controller(ctlr));
    ctlr = nullptr;
  }
  // The controller still works: attributes and a one-page export.
  void expect_usable(rsmapi_controller_handle_t h) {
    rsmapi_controller_attr_t a{};
    EXPECT_OK(rsm_get_controller_attr(h, &a));
    char *mem = alloc_pages(1);
    ASSERT_NE(mem, nullptr);
    fill_pattern(mem, page, 5, 0);
    rsm_memseg_export_handle_t e = nullptr;
    ASSERT_OK(rsm_memseg_export_create(h, &e, mem, page, 0));
    EXPECT_OK(rsm_memseg_export_destroy(e));
    EXPECT_PATTERN(mem, page, 5, 0);
  }
  // Codes for using a handle whose every reference was released (the page
  // calls the use illegal; illumos says CTLR_NOT_PRESENT for attr).
  static RcSet released_codes() { return RcSet{RSMERR_BAD_CTLR_HNDL, RSMERR_CTLR_NOT_PRESENT}; }
};

// ---- rsm_get_controller: RSMERR_BAD_CTLR_HNDL / RSMERR_BAD_ADDR ------------

TEST_F(GetController, NullHandleLocationIsRefused) {
  covers("get_controller.BAD_CTLR_HNDL.null_location");
  // The page's code is BAD_CTLR_HNDL (illumos: NULL); BAD_ADDR ("a pointer
  // argument is bad") fits the same condition.
  EXPECT_RC_IN(rsm_get_controller(ctlr_name.data(), nullptr),
               (RcSet{RSMERR_BAD_CTLR_HNDL, RSMERR_BAD_ADDR}));
  expect_usable(ctlr);  // the refused call took no reference away
}

TEST_F(GetController, UnmappedHandleLocationRobustness) {
  covers("get_controller.BAD_ADDR.unmapped_location");
  auto *where = static_cast<rsmapi_controller_handle_t *>(unmapped_address(page));
  ASSERT_NE(where, nullptr);
  EXPECT_RC_IN(rsm_get_controller(ctlr_name.data(), where),
               (RcSet{RSMERR_BAD_ADDR, RSMERR_BAD_CTLR_HNDL}));
}

TEST_F(GetController, NullNameIsBadAddrOrTheDefaultController) {
  covers("get_controller.BAD_ADDR.null_name");
  // illumos takes NULL as "loopback" (CTLR_NOT_PRESENT when that is absent);
  // the page's reading is a bad pointer argument.
  rsmapi_controller_handle_t h = nullptr;
  int rc = rsm_get_controller(nullptr, &h);
  EXPECT_RC_IN(rc, (RcSet{RSMERR_BAD_ADDR, RSMERR_CTLR_NOT_PRESENT, RSM_SUCCESS}));
  if (rc == RSM_SUCCESS) {
    rsmapi_controller_attr_t a{};
    EXPECT_OK(rsm_get_controller_attr(h, &a));
    EXPECT_OK(rsm_release_controller(h));
  }
}

TEST_F(GetController, UnmappedNameRobustness) {
  covers("get_controller.BAD_ADDR.unmapped_name");
  rsmapi_controller_handle_t h = nullptr;
  EXPECT_RC(rsm_get_controller(static_cast<char *>(unmapped_address(page)), &h), RSMERR_BAD_ADDR);
}

// ---- rsm_get_controller: RSMERR_CTLR_NOT_PRESENT --------------------------

TEST_F(GetController, UnknownNamesAreNotPresent) {
  covers("get_controller.CTLR_NOT_PRESENT.unknown_name");
  // The fixture's name with its unit replaced by an absurd one.
  std::string type = ctlr_name;
  while (!type.empty() && type.back() >= '0' && type.back() <= '9') type.pop_back();
  std::vector<std::string> names = {
      "",  "rsmc_no_such_ctlr0", "zzqqxx", "0", "123", type + "987654321",
      ctlr_name + "x", "-" + ctlr_name,
      // Must never be turned into a plug-in path.
      "../" + ctlr_name, "/" + ctlr_name, "../../../../tmp/rsmc_evil0", ctlr_name + "/0",
  };
  for (auto &n : names) {
    rsmapi_controller_handle_t h = nullptr;
    std::vector<char> buf(n.begin(), n.end());
    buf.push_back('\0');
    int rc = rsm_get_controller(buf.data(), &h);
    EXPECT_RC(rc, RSMERR_CTLR_NOT_PRESENT) << "name \"" << n << "\"";
    if (rc == RSM_SUCCESS) {
      rsm_release_controller(h);
    }
  }
  expect_usable(ctlr);
}

TEST_F(GetController, OverlongNamesRobustness) {
  covers("get_controller.CTLR_NOT_PRESENT.overlong_name");
  // No page gives a maximum name length (illumos copies into a 256-byte
  // buffer unchecked); no controller has a name this long.
  for (size_t len : {size_t{MAXNAMELEN - 1}, size_t{MAXNAMELEN}, size_t{MAXNAMELEN + 1}, size_t{4096},
                     size_t{1} << 20}) {
    std::string n(len, 'q');
    n += "0";
    rsmapi_controller_handle_t h = nullptr;
    int rc = rsm_get_controller(n.data(), &h);
    EXPECT_RC_IN(rc, (RcSet{RSMERR_CTLR_NOT_PRESENT, RSMERR_BAD_ADDR})) << "name of " << n.size() << " bytes";
    if (rc == RSM_SUCCESS) {
      rsm_release_controller(h);
    }
  }
  expect_usable(ctlr);
}

// ---- rsm_get_controller: RSMERR_INSUFFICIENT_MEM (exhaustion in a child) --

TEST_F(GetController, AddressSpaceExhaustionGivesDocumentedCode) {
  covers("get_controller.INSUFFICIENT_MEM.rlimit_as");
  // A fork()ed child (a new process for the library) limits its address
  // space to what it already uses; the get may still succeed (nothing new
  // needed), otherwise only the documented shortage codes fit.
  ChildOutcome child = run_in_child([&] {
    if (!limit_address_space().ok()) return -1;
    rsmapi_controller_handle_t h = nullptr;
    int r = rsm_get_controller(ctlr_name.data(), &h);
    if (r == RSM_SUCCESS) rsm_release_controller(h);
    return r;
  });
  ASSERT_TRUE(child.answered()) << "the child " << child << " in rsm_get_controller under RLIMIT_AS";
  int rc = child.value;
  ASSERT_NE(rc, -1) << "could not set up the limit";
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_MEM}));
}

TEST_F(GetController, DescriptorExhaustionGivesDocumentedCode) {
  covers("get_controller.INSUFFICIENT_MEM.rlimit_nofile");
  // No descriptor left in a fork()ed child: success if none is needed, else
  // a shortage (INSUFFICIENT_MEM) or "support library cannot be loaded".
  ChildOutcome child = run_in_child([&] {
    if (!exhaust_descriptors().ok()) return -1;
    rsmapi_controller_handle_t h = nullptr;
    int r = rsm_get_controller(ctlr_name.data(), &h);
    if (r == RSM_SUCCESS) rsm_release_controller(h);
    return r;
  });
  ASSERT_TRUE(child.answered()) << "the child " << child << " in rsm_get_controller under RLIMIT_NOFILE";
  int rc = child.value;
  ASSERT_NE(rc, -1) << "could not set up the limit";
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_INSUFFICIENT_MEM, RSMERR_CTLR_NOT_PRESENT}));
}

// ---- rsm_get_controller: success semantics ---------------------------------

TEST_F(GetController, TopologyNamesGiveUsableControllers) {
  covers("get_controller.success.topology_names");
  rsm_topology_t *t = nullptr;
  ASSERT_OK(rsm_get_interconnect_topology(&t));
  ASSERT_NE(t, nullptr);
  for (uint_t i = 0; i < t->topology_hdr.local_cntlr_count; i++) {
    ASSERT_NE(t->connections[i], nullptr);
    std::string n(t->connections[i]->hdr.cntlr_name,
                  strnlen(t->connections[i]->hdr.cntlr_name, MAXNAMELEN));
    rsmapi_controller_handle_t h = nullptr;
    EXPECT_OK(rsm_get_controller(n.data(), &h)) << "topology controller \"" << n << "\"";
    if (h) {
      rsmapi_controller_attr_t a{};
      EXPECT_OK(rsm_get_controller_attr(h, &a)) << n;
      EXPECT_OK(rsm_release_controller(h)) << n;
    }
  }
  rsm_free_interconnect_topology(t);
}

TEST_F(GetController, EachGetNeedsItsOwnRelease) {
  covers("get_controller.success.refcount");
  covers("release_controller.success.refcount");
  rsmapi_controller_handle_t h1 = get_again();
  rsmapi_controller_handle_t h2 = get_again();
  ASSERT_NE(h1, nullptr);
  ASSERT_NE(h2, nullptr);
  EXPECT_OK(rsm_release_controller(h1));
  expect_usable(h2);  // one reference is still held through h2
  EXPECT_OK(rsm_release_controller(h2));
  expect_usable(ctlr);  // and the fixture's
}

TEST_F(GetController, ReleaseBeyondTheGetsIsBadCtlrHandle) {
  covers("release_controller.BAD_CTLR_HNDL.over_released");
  covers("get_controller_attr.BAD_CTLR_HNDL.released");
  covers("get_controller.success.after_full_release");
  rsmapi_controller_handle_t h = get_again();
  ASSERT_NE(h, nullptr);
  rsmapi_controller_handle_t fixture = ctlr;
  EXPECT_OK(rsm_release_controller(h));
  release_fixture_controller();
  // Every reference of this process is gone now, whichever design.
  EXPECT_RC(rsm_release_controller(h), RSMERR_BAD_CTLR_HNDL);
  EXPECT_RC(rsm_release_controller(fixture), RSMERR_BAD_CTLR_HNDL);
  rsmapi_controller_attr_t a{};
  EXPECT_RC_IN(rsm_get_controller_attr(fixture, &a), released_codes());
  EXPECT_RC_IN(rsm_get_controller_attr(h, &a), released_codes());
  // A new get after the full release works again.
  ASSERT_OK(rsm_get_controller(ctlr_name.data(), &ctlr));
  expect_usable(ctlr);
}

TEST_F(GetController, ConcurrentGetAndReleaseAreSafe) {
  covers("get_controller.success.mt_safe");
  constexpr int kThreads = 8, kRounds = 50;
  std::atomic<int> bad{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kRounds; i++) {
        rsmapi_controller_handle_t h = nullptr;
        rsmapi_controller_attr_t a{};
        if (rsm_get_controller(ctlr_name.data(), &h) != RSM_SUCCESS) {
          bad++;
          continue;
        }
        if (rsm_get_controller_attr(h, &a) != RSM_SUCCESS || a.attr_page_size != attr.attr_page_size) bad++;
        if (rsm_release_controller(h) != RSM_SUCCESS) bad++;
      }
    });
  go = true;
  for (auto &t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  expect_usable(ctlr);
}

TEST_F(GetController, ConcurrentGetAndReleaseOfTheLastReference) {
  covers("get_controller.success.mt_safe_last_reference");
  // As above, but with no other reference held: the count keeps falling to
  // zero while other threads get the controller again. A get that succeeds
  // must return a live handle.
  release_fixture_controller();
  constexpr int kThreads = 8, kRounds = 20000;
  std::atomic<int> bad{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kRounds; i++) {
        rsmapi_controller_handle_t h = nullptr;
        rsmapi_controller_attr_t a{};
        if (rsm_get_controller(ctlr_name.data(), &h) != RSM_SUCCESS) {
          bad++;
          continue;
        }
        if (rsm_get_controller_attr(h, &a) != RSM_SUCCESS) bad++;
        if (rsm_release_controller(h) != RSM_SUCCESS) bad++;
      }
    });
  go = true;
  for (auto &t : threads) t.join();
  EXPECT_EQ(bad.load(), 0) << "calls failed on handles a successful get had just returned";
  ASSERT_OK(rsm_get_controller(ctlr_name.data(), &ctlr));
  expect_usable(ctlr);
}

TEST_F(GetController, GetAndReleaseDoNotLeakDescriptors) {
  covers("release_controller.success.no_leak");
  for (int i = 0; i < 3; i++) {  // warm-up: lazily opened state may stay
    rsmapi_controller_handle_t h = get_again();
    if (h) rsm_release_controller(h);
  }
  int before = open_fds();
  for (int i = 0; i < 200; i++) {
    rsmapi_controller_handle_t h = nullptr;
    ASSERT_OK(rsm_get_controller(ctlr_name.data(), &h));
    ASSERT_OK(rsm_release_controller(h));
  }
  EXPECT_EQ(open_fds(), before) << "descriptors leaked by 200 get/release pairs";
}

// ---- rsm_get_controller_attr ------------------------------------------------

TEST_F(GetController, AttrNullHandleIsBadCtlrHandle) {
  covers("get_controller_attr.BAD_CTLR_HNDL.null");
  rsmapi_controller_attr_t a{};
  EXPECT_RC(rsm_get_controller_attr(nullptr, &a), RSMERR_BAD_CTLR_HNDL);
}

TEST_F(GetController, AttrGarbageHandleIsBadCtlrHandle) {
  covers("get_controller_attr.BAD_CTLR_HNDL.garbage");
  rsmapi_controller_attr_t a{};
  EXPECT_RC(rsm_get_controller_attr(garbage_handle<rsmapi_controller_handle_t>(), &a),
            RSMERR_BAD_CTLR_HNDL);
}

TEST_F(GetController, AttrOfAnExportHandleIsBadCtlrHandle) {
  covers("get_controller_attr.BAD_CTLR_HNDL.wrong_kind");
  Export e = make_export(1, 3, false);
  ASSERT_NE(e.h, nullptr);
  rsmapi_controller_attr_t a{};
  EXPECT_RC(rsm_get_controller_attr(reinterpret_cast<rsmapi_controller_handle_t>(e.h), &a),
            RSMERR_BAD_CTLR_HNDL);
}

TEST_F(GetController, AttrNullOutputIsBadAddr) {
  covers("get_controller_attr.BAD_ADDR.null");
  EXPECT_RC(rsm_get_controller_attr(ctlr, nullptr), RSMERR_BAD_ADDR);
  expect_usable(ctlr);
}

TEST_F(GetController, AttrUnmappedOutputRobustness) {
  covers("get_controller_attr.BAD_ADDR.unmapped");
  auto *where = static_cast<rsmapi_controller_attr_t *>(unmapped_address(page));
  ASSERT_NE(where, nullptr);
  EXPECT_RC(rsm_get_controller_attr(ctlr, where), RSMERR_BAD_ADDR);
}

TEST_F(GetController, AttrValuesAreConsistent) {
  covers("get_controller_attr.success.sane_values");
  rsmapi_controller_attr_t a{};
  ASSERT_OK(rsm_get_controller_attr(ctlr, &a));
  EXPECT_TRUE(power_of_two(a.attr_page_size)) << "attr_page_size " << a.attr_page_size;
  const uint_t das = RSM_DAS8 | RSM_DAS16 | RSM_DAS32 | RSM_DAS64;
  EXPECT_EQ(a.attr_direct_access_sizes & ~das, 0u) << "bits outside rsm_access_size_t";
  EXPECT_EQ(a.attr_atomic_sizes & ~das, 0u) << "bits outside rsm_access_size_t";
  if (a.attr_max_export_segment_size && a.attr_tot_export_segment_size) {
    EXPECT_LE(a.attr_max_export_segment_size, a.attr_tot_export_segment_size);
  }
  if (a.attr_max_import_map_size && a.attr_tot_import_map_size) {
    EXPECT_LE(a.attr_max_import_map_size, a.attr_tot_import_map_size);
  }
  if (a.attr_max_export_segment_size && a.attr_page_size) {
    // Export lengths are page multiples: a limit below one page exports nothing.
    EXPECT_GE(a.attr_max_export_segment_size, a.attr_page_size);
  }
}

TEST_F(GetController, AttrIsStableAndSameForEveryReference) {
  covers("get_controller_attr.success.stable");
  rsmapi_controller_attr_t a1, a2;
  std::memset(&a1, 0xA5, sizeof a1);
  std::memset(&a2, 0x5A, sizeof a2);
  ASSERT_OK(rsm_get_controller_attr(ctlr, &a1));
  rsmapi_controller_handle_t h = get_again();
  ASSERT_NE(h, nullptr);
  ASSERT_OK(rsm_get_controller_attr(h, &a2));
  // Compared field by field: every field was written (the fill differs).
  EXPECT_EQ(a1.attr_direct_access_sizes, a2.attr_direct_access_sizes);
  EXPECT_EQ(a1.attr_atomic_sizes, a2.attr_atomic_sizes);
  EXPECT_EQ(a1.attr_page_size, a2.attr_page_size);
  EXPECT_EQ(a1.attr_max_export_segment_size, a2.attr_max_export_segment_size);
  EXPECT_EQ(a1.attr_tot_export_segment_size, a2.attr_tot_export_segment_size);
  EXPECT_EQ(a1.attr_max_export_segments, a2.attr_max_export_segments);
  EXPECT_EQ(a1.attr_max_import_map_size, a2.attr_max_import_map_size);
  EXPECT_EQ(a1.attr_tot_import_map_size, a2.attr_tot_import_map_size);
  EXPECT_EQ(a1.attr_max_import_segments, a2.attr_max_import_segments);
  EXPECT_OK(rsm_release_controller(h));
}

TEST_F(GetController, AttrWritesNothingBeyondTheStructure) {
  covers("get_controller_attr.success.abi_size");
  // The LP64 layout is 64 bytes; a library with another layout overruns.
  struct {
    rsmapi_controller_attr_t a;
    unsigned char canary[64];
  } buf;
  std::memset(&buf, 0xC3, sizeof buf);
  ASSERT_OK(rsm_get_controller_attr(ctlr, &buf.a));
  for (size_t i = 0; i < sizeof buf.canary; i++) {
    ASSERT_EQ(buf.canary[i], 0xC3) << "byte " << i << " after the structure was written";
  }
  EXPECT_EQ(buf.a.attr_page_size, attr.attr_page_size);
}

// ---- rsm_release_controller -------------------------------------------------

TEST_F(GetController, ReleaseNullIsBadCtlrHandle) {
  covers("release_controller.BAD_CTLR_HNDL.null");
  EXPECT_RC(rsm_release_controller(nullptr), RSMERR_BAD_CTLR_HNDL);
  expect_usable(ctlr);
}

TEST_F(GetController, ReleaseGarbageIsBadCtlrHandle) {
  covers("release_controller.BAD_CTLR_HNDL.garbage");
  EXPECT_RC(rsm_release_controller(garbage_handle<rsmapi_controller_handle_t>()), RSMERR_BAD_CTLR_HNDL);
  expect_usable(ctlr);
}

TEST_F(GetController, ReleaseOfAnImportHandleIsBadCtlrHandle) {
  covers("release_controller.BAD_CTLR_HNDL.wrong_kind");
  Export e = make_export(1, 4);
  ASSERT_NE(e.h, nullptr);
  rsm_memseg_import_handle_t i = connect(e.id, RSM_PERM_READ);
  ASSERT_NE(i, nullptr);
  EXPECT_RC(rsm_release_controller(reinterpret_cast<rsmapi_controller_handle_t>(i)), RSMERR_BAD_CTLR_HNDL);
  EXPECT_RC(rsm_release_controller(reinterpret_cast<rsmapi_controller_handle_t>(e.h)), RSMERR_BAD_CTLR_HNDL);
  expect_usable(ctlr);
}

TEST_F(GetController, ReleaseFromAForkedChildLeavesTheParentsReference) {
  covers("release_controller.success.child_independent");
  // Whatever the child's release answers (its copy of the reference, or a
  // handle that is not its own), the parent's controller stays usable.
  ChildOutcome child = run_in_child([&] { return rsm_release_controller(ctlr); });
  ASSERT_TRUE(child.answered()) << "the child " << child << " in rsm_release_controller";
  int rc = child.value;
  EXPECT_RC_IN(rc, (RcSet{RSM_SUCCESS, RSMERR_BAD_CTLR_HNDL}));
  expect_usable(ctlr);
}

}  // namespace
}  // namespace rsmc
