// The reference's answers where the spec leaves a choice (docs/reference.md
// lists each one): these pin the exact code, where the conformance suite
// accepts a set.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include "test_util.h"

namespace {

using namespace rsmkit_test;

TEST(Decisions, ExportLengthNotPageMultipleIsBadLength) {
  Pair p;
  char *mem = pages(2);
  rsm_memseg_export_handle_t e = nullptr;
  EXPECT_EQ(rsm_memseg_export_create(p.ctlr, &e, mem, page() + 1, 0), RSMERR_BAD_LENGTH);
  EXPECT_EQ(rsm_memseg_export_create(p.ctlr, &e, mem + 1, page(), 0), RSMERR_BAD_MEM_ALIGNMENT);
  munmap(mem, 2 * page());
}

TEST(Decisions, ExportOfReadOnlyOrExportedMemoryIsPermDenied) {
  Pair p;
  void *ro = mmap(nullptr, page(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  rsm_memseg_export_handle_t e = nullptr;
  EXPECT_EQ(rsm_memseg_export_create(p.ctlr, &e, ro, page(), 0), RSMERR_PERM_DENIED);
  EXPECT_EQ(rsm_memseg_export_create(p.ctlr, &e, p.mem, page(), 0), RSMERR_PERM_DENIED);
  munmap(ro, page());
}

TEST(Decisions, ExportOfUnmappedMemoryIsBadAddr) {
  Pair p;
  char *mem = pages(2);
  munmap(mem + page(), page());
  rsm_memseg_export_handle_t e = nullptr;
  EXPECT_EQ(rsm_memseg_export_create(p.ctlr, &e, mem, 2 * page(), 0), RSMERR_BAD_ADDR);
  munmap(mem, page());
}

TEST(Decisions, RebindRules) {
  Pair p;
  char *other = pages(2);
  EXPECT_EQ(rsm_memseg_export_rebind(p.exp, other, 0, page()), RSMERR_BAD_LENGTH);
  EXPECT_EQ(rsm_memseg_export_rebind(p.exp, other + 1, 0, p.len), RSMERR_BAD_ADDR);
  EXPECT_EQ(rsm_memseg_export_rebind(p.exp, p.mem, 0, p.len), RSM_SUCCESS);  // same: no-op
  // After a rebind importers read the new memory.
  std::memset(other, 0x5A, p.len);
  ASSERT_EQ(rsm_memseg_export_rebind(p.exp, other, 0, p.len), RSM_SUCCESS);
  rsmapi_barrier_t bar{};
  ASSERT_EQ(rsm_memseg_import_init_barrier(p.imp, RSM_BARRIER_NODE, &bar), RSM_SUCCESS);
  uint8_t v = 0;
  EXPECT_EQ(rsm_memseg_import_get8(p.imp, 17, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(v, 0x5A);
  // The old memory is the caller's again, with its last contents.
  EXPECT_EQ(p.mem[17], static_cast<char>(17 * 7 + 3));
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&bar), RSM_SUCCESS);
  // Destroy before the memory goes: it is the segment's backing now.
  EXPECT_EQ(rsm_memseg_export_destroy(p.exp), RSM_SUCCESS);
  p.exp = nullptr;
  EXPECT_EQ(other[17], 0x5A);
  munmap(other, p.len);
}

TEST(Decisions, PublishIdRanges) {
  Pair p;
  char *mem = pages(1);
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(p.ctlr, &e, mem, page(), 0), RSM_SUCCESS);
  for (rsm_memseg_id_t id : {1u, 0x3FFFFFu, 0x400000u, 0x5FFFFFu}) {
    rsm_memseg_id_t want = id;
    EXPECT_EQ(rsm_memseg_export_publish(e, &want, nullptr, 0), RSMERR_RESERVED_SEGID) << id;
  }
  rsm_memseg_id_t user = 0x80001234u;
  EXPECT_EQ(rsm_memseg_export_publish(e, &user, nullptr, 0), RSM_SUCCESS);
  EXPECT_EQ(user, 0x80001234u);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
}

TEST(Decisions, AclRules) {
  Pair p;
  char *mem = pages(1);
  rsm_memseg_export_handle_t e = nullptr;
  ASSERT_EQ(rsm_memseg_export_create(p.ctlr, &e, mem, page(), 0), RSM_SUCCESS);
  rsm_memseg_id_t id = 0;
  rsmapi_access_entry_t exec[] = {{1, 0611}};
  EXPECT_EQ(rsm_memseg_export_publish(e, &id, exec, 1), RSMERR_BAD_ACL);
  rsmapi_access_entry_t high[] = {{1, 01600}};
  EXPECT_EQ(rsm_memseg_export_publish(e, &id, high, 1), RSMERR_BAD_ACL);
  rsmapi_access_entry_t dup[] = {{1, 0600}, {1, 0400}};
  EXPECT_EQ(rsm_memseg_export_publish(e, &id, dup, 2), RSMERR_BAD_ACL);
  std::vector<rsmapi_access_entry_t> many(65, {1, 0600});
  for (size_t i = 0; i < many.size(); i++) many[i].ae_node = static_cast<rsm_node_id_t>(i + 1);
  EXPECT_EQ(rsm_memseg_export_publish(e, &id, many.data(), 65), RSMERR_BAD_ACL);
  EXPECT_EQ(rsm_memseg_export_publish(e, &id, many.data(), 64), RSM_SUCCESS);
  // Root gets no override: the owner digit of 0066 grants the owner nothing.
  rsmapi_access_entry_t none_for_owner[] = {{1, 0066}};
  EXPECT_EQ(rsm_memseg_export_republish(e, none_for_owner, 1), RSM_SUCCESS);
  rsm_memseg_import_handle_t i = nullptr;
  EXPECT_EQ(rsm_memseg_import_connect(p.ctlr, 1, id, RSM_PERM_READ, &i), RSMERR_PERM_DENIED);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
}

TEST(Decisions, ConnectPermOutsideTheThreeValuesIsPermDenied) {
  Pair p;
  rsm_memseg_import_handle_t i = nullptr;
  for (rsm_permission_t perm : {0u, 0700u, 0100u, 0444u})
    EXPECT_EQ(rsm_memseg_import_connect(p.ctlr, 1, p.id, perm, &i), RSMERR_PERM_DENIED) << perm;
}

TEST(Decisions, MapChoices) {
  Pair p(4);
  void *a = nullptr;
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &a, RSM_MAP_NONE, RSM_PERM_RDWR, 8, page()), RSMERR_BAD_OFFSET);
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &a, static_cast<rsm_attribute_t>(7), RSM_PERM_RDWR, 0, page()),
            RSMERR_MAP_FAILED);
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &a, RSM_MAP_NONE, 0, 0, page()), RSMERR_BAD_PERMS);
  EXPECT_EQ(rsm_memseg_import_unmap(p.imp), RSMERR_SEG_NOT_MAPPED);
  // A length that is not a page multiple is accepted.
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &a, RSM_MAP_NONE, RSM_PERM_RDWR, 0, 100), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_unmap(p.imp), RSM_SUCCESS);
}

TEST(Decisions, MapReservedKeepsTheReservationAfterUnmap) {
  Pair p(2);
  void *r = mmap(nullptr, p.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(r, MAP_FAILED);
  void *a = r;
  ASSERT_EQ(rsm_memseg_import_map(p.imp, &a, RSM_MAP_RESERVED, RSM_PERM_RDWR, 0, p.len), RSM_SUCCESS);
  EXPECT_EQ(a, r);
  EXPECT_EQ(static_cast<char *>(a)[5], p.mem[5]);
  ASSERT_EQ(rsm_memseg_import_unmap(p.imp), RSM_SUCCESS);
  unsigned char vec[2];
  EXPECT_EQ(mincore(r, p.len, vec), 0) << "the reservation is gone";
  // RESERVED over a range the caller does not hold is refused.
  munmap(r, p.len);
  a = r;
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &a, RSM_MAP_RESERVED, RSM_PERM_RDWR, 0, p.len), RSMERR_BAD_ADDR);
}

TEST(Decisions, AbortIsReportedOnceThenNotConnected) {
  Pair p;
  ASSERT_EQ(rsm_memseg_export_unpublish(p.exp), RSM_SUCCESS);
  void *a = nullptr;
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &a, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page()), RSMERR_CONN_ABORTED);
  EXPECT_EQ(rsm_memseg_import_map(p.imp, &a, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page()), RSMERR_SEG_NOT_CONNECTED);
  EXPECT_EQ(rsm_intr_signal_post(p.imp, 0), RSMERR_CONN_ABORTED);
}

TEST(Decisions, SetModeAndBarrierChoices) {
  Pair p;
  EXPECT_EQ(rsm_memseg_import_set_mode(p.imp, static_cast<rsm_barrier_mode_t>(5)), RSMERR_BAD_MODE);
  EXPECT_EQ(rsm_memseg_import_get_mode(p.imp, nullptr), RSMERR_BAD_ADDR);
  rsmapi_barrier_t zero{};
  EXPECT_EQ(rsm_memseg_import_open_barrier(&zero), RSMERR_BAD_BARRIER_PTR);
  EXPECT_EQ(rsm_memseg_import_close_barrier(&zero), RSMERR_BARRIER_UNINITIALIZED);
  EXPECT_EQ(rsm_memseg_import_order_barrier(&zero), RSMERR_BARRIER_UNINITIALIZED);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&zero), RSMERR_BAD_BARRIER_PTR);
  rsmapi_barrier_t b{};
  ASSERT_EQ(rsm_memseg_import_init_barrier(p.imp, static_cast<rsm_barrier_type_t>(0x77), &b), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_open_barrier(&b), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_open_barrier(&b), RSM_SUCCESS);  // re-open keeps the span
  EXPECT_EQ(rsm_memseg_import_close_barrier(&b), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_close_barrier(&b), RSMERR_BARRIER_NOT_OPENED);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&b), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&b), RSMERR_BAD_BARRIER_PTR);
}

TEST(Decisions, VectorEntryWithDeadLocalHandleIsBadCtlrHandle) {
  Pair p;
  rsmapi_barrier_t b{};
  char *local = pages(1);
  rsm_localmemory_handle_t lm = nullptr;
  ASSERT_EQ(rsm_create_localmemory_handle(p.ctlr, &lm, local, page()), RSM_SUCCESS);
  ASSERT_EQ(rsm_free_localmemory_handle(p.ctlr, lm), RSM_SUCCESS);
  rsm_iovec_t io{};
  io.io_type = RSM_HANDLE_TYPE;
  io.local.handle = lm;
  io.transfer_length = 8;
  rsm_scat_gath_t sg{};
  sg.io_request_count = 1;
  sg.remote_handle = p.imp;
  sg.iovec = &io;
  EXPECT_EQ(rsm_memseg_import_putv(&sg), RSMERR_BAD_CTLR_HNDL);
  EXPECT_EQ(sg.io_residual_count, 1u);
  io.io_type = 9;
  EXPECT_EQ(rsm_memseg_import_putv(&sg), RSMERR_BAD_SGIO);
  (void)b;
  munmap(local, page());
}

TEST(Decisions, ReleasedControllerRefusesControllerBoundSegmentOps) {
  Pair p;
  ASSERT_EQ(rsm_release_controller(p.ctlr), RSM_SUCCESS);
  char buf[16] = {};
  rsm_iovec_t io{};
  io.io_type = RSM_VA_TYPE;
  io.local.vaddr = buf;
  io.transfer_length = sizeof buf;
  rsm_scat_gath_t sg{};
  sg.io_request_count = 1;
  sg.remote_handle = p.imp;
  sg.iovec = &io;
  EXPECT_EQ(rsm_memseg_import_getv(&sg), RSMERR_BAD_CTLR_HNDL);
  char *other = pages(2);
  EXPECT_EQ(rsm_memseg_export_rebind(p.exp, other, 0, p.len), RSMERR_BAD_CTLR_HNDL);
  // Segments stay usable otherwise and are torn down normally.
  EXPECT_EQ(rsm_memseg_import_disconnect(p.imp), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(p.exp), RSM_SUCCESS);
  p.imp = nullptr;
  p.exp = nullptr;
  p.ctlr = nullptr;
  munmap(other, p.len);
}

TEST(Decisions, PollfdBlocksUnpublishAndUnmap) {
  Pair p;
  struct pollfd pfd{};
  ASSERT_EQ(rsm_memseg_get_pollfd(p.exp, &pfd), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_unpublish(p.exp), RSMERR_POLLFD_IN_USE);
  EXPECT_EQ(rsm_memseg_release_pollfd(p.exp), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_release_pollfd(p.exp), RSM_SUCCESS);  // extra release: no-op
  void *a = nullptr;
  ASSERT_EQ(rsm_memseg_import_map(p.imp, &a, RSM_MAP_NONE, RSM_PERM_RDWR, 0, page()), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_get_pollfd(p.imp, &pfd), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_unmap(p.imp), RSMERR_POLLFD_IN_USE);
  EXPECT_EQ(rsm_memseg_release_pollfd(p.imp), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_unmap(p.imp), RSM_SUCCESS);
}

TEST(Decisions, TopologyNamesShm0AndTheLocalNode) {
  rsm_topology_t *t = nullptr;
  ASSERT_EQ(rsm_get_interconnect_topology(&t), RSM_SUCCESS);
  ASSERT_GE(t->topology_hdr.local_cntlr_count, 1u);
  EXPECT_EQ(t->topology_hdr.local_nodeid, 1u);
  EXPECT_STREQ(t->connections[0]->hdr.cntlr_name, "shm0");
  rsm_free_interconnect_topology(t);
  rsm_free_interconnect_topology(nullptr);
  EXPECT_EQ(rsm_get_interconnect_topology(nullptr), RSMERR_BAD_TOPOLOGY_PTR);
}

TEST(Decisions, AttributesTellThatShmMaps) {
  Pair p;
  rsmapi_controller_attr_t a{};
  ASSERT_EQ(rsm_get_controller_attr(p.ctlr, &a), RSM_SUCCESS);
  EXPECT_GT(a.attr_max_import_map_size, 0u);
  EXPECT_EQ(a.attr_page_size, page());
  EXPECT_EQ(a.attr_direct_access_sizes, unsigned{RSM_DAS8 | RSM_DAS16 | RSM_DAS32 | RSM_DAS64});
  EXPECT_EQ(rsm_get_controller_attr(p.ctlr, nullptr), RSMERR_BAD_ADDR);
}

// shm0 is its directory: with the directory gone (the shm analogue of a
// pulled card) the calls that need it report CTLR_NOT_PRESENT, and all is
// well again once it is back.
TEST(Decisions, ControllerWhoseDirectoryIsGoneIsNotPresent) {
  Pair p;
  char *other = pages(2);
  ASSERT_NE(other, nullptr);
  const std::string dir = std::getenv("RSMKIT_SHM_DIR");
  const std::string away = dir + ".gone";
  ASSERT_EQ(rename(dir.c_str(), away.c_str()), 0);
  rsm_memseg_export_handle_t e = nullptr;
  int create_rc = rsm_memseg_export_create(p.ctlr, &e, other, page(), 0);
  int rebind_rc = rsm_memseg_export_rebind(p.exp, other, 0, p.len);
  rsm_memseg_import_handle_t i = nullptr;
  int connect_rc = rsm_memseg_import_connect(p.ctlr, 1, p.id, RSM_PERM_RDWR, &i);
  ASSERT_EQ(rename(away.c_str(), dir.c_str()), 0);
  EXPECT_EQ(create_rc, RSMERR_CTLR_NOT_PRESENT);
  EXPECT_EQ(rebind_rc, RSMERR_CTLR_NOT_PRESENT);
  EXPECT_EQ(connect_rc, RSMERR_CTLR_NOT_PRESENT);
  // Back: the segment kept its data and the calls work.
  EXPECT_EQ(p.mem[5], static_cast<char>(5 * 7 + 3));
  ASSERT_EQ(rsm_memseg_import_connect(p.ctlr, 1, p.id, RSM_PERM_RDWR, &i), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_disconnect(i), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_export_create(p.ctlr, &e, other, page(), 0), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_export_destroy(e), RSM_SUCCESS);
  munmap(other, 2 * page());
}

TEST(Decisions, GetIntoABufferThatFaultsPartWayIsBadAddr) {
  // The shm backend copies a get under a fault guard instead of probing the
  // buffer first: the get fails with BAD_ADDR, and the pages before the
  // fault may already hold some of the segment's bytes (docs/reference.md).
  Pair p(2);
  rsmapi_barrier_t bar{};
  ASSERT_EQ(rsm_memseg_import_init_barrier(p.imp, RSM_BARRIER_NODE, &bar), RSM_SUCCESS);
  char *buf = pages(2);
  ASSERT_NE(buf, nullptr);
  ASSERT_EQ(munmap(buf + page(), page()), 0);
  EXPECT_EQ(rsm_memseg_import_get(p.imp, 0, buf, 2 * page()), RSMERR_BAD_ADDR);
  // A read-only buffer faults on the first store.
  ASSERT_EQ(mprotect(buf, page(), PROT_READ), 0);
  EXPECT_EQ(rsm_memseg_import_get(p.imp, 0, buf, page()), RSMERR_BAD_ADDR);
  // Inside an explicit span the bad buffer is the get's own error: the span
  // stays good and the close succeeds.
  ASSERT_EQ(rsm_memseg_import_set_mode(p.imp, RSM_BARRIER_MODE_EXPLICIT), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_import_open_barrier(&bar), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_get(p.imp, 0, buf, page()), RSMERR_BAD_ADDR);
  uint64_t v = 0;
  EXPECT_EQ(rsm_memseg_import_get64(p.imp, 0, &v, 1), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_close_barrier(&bar), RSM_SUCCESS);
  ASSERT_EQ(rsm_memseg_import_set_mode(p.imp, RSM_BARRIER_MODE_IMPLICIT), RSM_SUCCESS);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&bar), RSM_SUCCESS);
  munmap(buf, page());
}

TEST(Decisions, BuffersAboveUserSpaceAreBadAddr) {
  // Addresses no user mapping can have (above the stack, in the kernel's
  // half): BAD_ADDR from the probe or the guard, never a fault.
  Pair p(1);
  rsmapi_barrier_t bar{};
  ASSERT_EQ(rsm_memseg_import_init_barrier(p.imp, RSM_BARRIER_NODE, &bar), RSM_SUCCESS);
  void *kernel = reinterpret_cast<void *>(uintptr_t{0xffff888000000000});
  EXPECT_EQ(rsm_memseg_import_put(p.imp, 0, kernel, 8), RSMERR_BAD_ADDR);
  EXPECT_EQ(rsm_memseg_import_put8(p.imp, 0, static_cast<uint8_t *>(kernel), 1), RSMERR_BAD_ADDR);
  EXPECT_EQ(rsm_memseg_import_get(p.imp, 0, kernel, 8), RSMERR_BAD_ADDR);
  EXPECT_EQ(rsm_memseg_import_get64(p.imp, 0, static_cast<uint64_t *>(kernel), 1), RSMERR_BAD_ADDR);
  EXPECT_EQ(rsm_memseg_import_destroy_barrier(&bar), RSM_SUCCESS);
}

}  // namespace
