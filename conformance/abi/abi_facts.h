/*
 * rsmkit ABI facts: the constants, types, layouts and prototypes of the RSM API
 * as the spec's ABI digest gives them for the target of record (LP64, x86_64).
 *
 * Data only: each list is an X-macro, expanded by abi_check.c into
 * compile-time assertions (C11 and C++17). Keep the lists in the digest's
 * order so that a review can read the two side by side; the counts at the
 * end of abi_check.c make a missing or extra row a build error.
 */
#ifndef RSMKIT_CONFORMANCE_ABI_FACTS_H
#define RSMKIT_CONFORMANCE_ABI_FACTS_H

/* One row per line, like the tables of the digest: keep clang-format out. */
/* clang-format off */

/*
 * X(name, value, type): every #define (108). `type` is the C type of the
 * expression; the two top id-range bounds do not fit int, so they are unsigned.
 */
#define RSMKIT_ABI_DEFINES(X) \
  /* 2.1 version */ \
  X(RSM_VERSION, 5, int) \
  /* 2.2 RSMAPI return codes */ \
  X(RSM_SUCCESS, 0, int) \
  X(RSMERR_BAD_LIBRARY_VERSION, 1, int) \
  X(RSMERR_BAD_TOPOLOGY_PTR, 2, int) \
  X(RSMERR_BAD_CTLR_HNDL, 3, int) \
  X(RSMERR_CTLR_NOT_PRESENT, 4, int) \
  X(RSMERR_BAD_SEG_HNDL, 5, int) \
  X(RSMERR_SEG_ALREADY_PUBLISHED, 6, int) \
  X(RSMERR_SEG_NOT_PUBLISHED, 7, int) \
  X(RSMERR_SEG_NOT_PUBLISHED_TO_NODE, 8, int) \
  X(RSMERR_SEG_ALREADY_MAPPED, 9, int) \
  X(RSMERR_SEG_STILL_MAPPED, 10, int) \
  X(RSMERR_SEG_NOT_MAPPED, 11, int) \
  X(RSMERR_NOT_CREATOR, 12, int) \
  X(RSMERR_BAD_BARRIER_PTR, 13, int) \
  X(RSMERR_BAD_SGIO, 14, int) \
  X(RSMERR_BAD_LOCALMEM_HNDL, 15, int) \
  X(RSMERR_BAD_ADDR, 16, int) \
  X(RSMERR_BAD_MEM_ALIGNMENT, 17, int) \
  X(RSMERR_BAD_OFFSET, 18, int) \
  X(RSMERR_MISALIGNED_OFFSET, 19, int) \
  X(RSMERR_BAD_LENGTH, 20, int) \
  X(RSMERR_BAD_ACL, 21, int) \
  X(RSMERR_BAD_SEGID, 22, int) \
  X(RSMERR_RESERVED_SEGID, 23, int) \
  X(RSMERR_SEGID_IN_USE, 24, int) \
  X(RSMERR_BAD_MODE, 25, int) \
  X(RSMERR_BAD_PERMS, 26, int) \
  X(RSMERR_PERM_DENIED, 27, int) \
  X(RSMERR_LOCKS_NOT_SUPPORTED, 28, int) \
  X(RSMERR_LOCKS_NOT_ENABLED, 29, int) \
  X(RSMERR_REBIND_NOT_ALLOWED, 30, int) \
  X(RSMERR_INSUFFICIENT_RESOURCES, 31, int) \
  X(RSMERR_INSUFFICIENT_MEM, 32, int) \
  X(RSMERR_MAP_FAILED, 33, int) \
  X(RSMERR_POLLFD_IN_USE, 34, int) \
  X(RSMERR_BARRIER_UNINITIALIZED, 35, int) \
  X(RSMERR_BARRIER_OPEN_FAILED, 36, int) \
  X(RSMERR_BARRIER_NOT_OPENED, 37, int) \
  X(RSMERR_BARRIER_FAILURE, 38, int) \
  X(RSMERR_REMOTE_NODE_UNREACHABLE, 39, int) \
  X(RSMERR_CONN_ABORTED, 40, int) \
  X(RSMERR_INTERRUPTED, 41, int) \
  X(RSMERR_TIMEOUT, 42, int) \
  X(RSMERR_BAD_APPID, 43, int) \
  X(RSMERR_BAD_CONF, 44, int) \
  X(RSMERR_SEG_NOT_CONNECTED, 45, int) \
  /* 2.3 RSMPI return codes (headed "for RSMPI"; visible to applications) */ \
  X(RSMERR_INTERNAL_ERROR, 100, int) \
  X(RSMERR_BAD_DRIVER_VERSION, 101, int) \
  X(RSMERR_UNSUPPORTED_VERSION, 102, int) \
  X(RSMERR_DRIVER_NAME_IN_USE, 103, int) \
  X(RSMERR_DRIVER_NOT_REGISTERED, 104, int) \
  X(RSMERR_DRIVER_THREAD_RUNNING, 105, int) \
  X(RSMERR_NEED_THREAD_INIT, 106, int) \
  X(RSMERR_THREAD_NOT_INITED, 107, int) \
  X(RSMERR_CTLRS_REGISTERED, 108, int) \
  X(RSMERR_CTLR_NOT_REGISTERED, 109, int) \
  X(RSMERR_CTLR_ALREADY_REGISTERED, 110, int) \
  X(RSMERR_CTLR_IN_USE, 111, int) \
  X(RSMERR_NAME_TOO_LONG, 112, int) \
  X(RSMERR_SEG_PUBLISHED, 113, int) \
  X(RSMERR_SEG_NOT_PUBLISHED_TO_RSM_ADDR, 114, int) \
  X(RSMERR_SEG_IN_USE, 115, int) \
  X(RSMERR_BAD_SENDQ_HNDL, 116, int) \
  X(RSMERR_BAD_ARGS_ERRORS, 117, int) \
  X(RSMERR_BAD_MSTYPE, 118, int) \
  X(RSMERR_NO_BACKING_MEM, 119, int) \
  X(RSMERR_NOT_MEM, 120, int) \
  X(RSMERR_MEM_ALREADY_BOUND, 121, int) \
  X(RSMERR_MEM_NOT_BOUND, 122, int) \
  X(RSMERR_HANDLER_NOT_REGISTERED, 123, int) \
  X(RSMERR_NO_HANDLER, 124, int) \
  X(RSMERR_UNBIND_REBIND_NOT_ALLOWED, 125, int) \
  X(RSMERR_CALLBACKS_NOT_SUPPORTED, 126, int) \
  X(RSMERR_UNSUPPORTED_OPERATION, 127, int) \
  X(RSMERR_RSM_ADDR_UNREACHABLE, 128, int) \
  X(RSMERR_UNKNOWN_RSM_ADDR, 129, int) \
  X(RSMERR_BAD_BARRIER_HNDL, 130, int) \
  X(RSMERR_COMM_ERR_MAYBE_DELIVERED, 131, int) \
  X(RSMERR_COMM_ERR_NOT_DELIVERED, 132, int) \
  X(RSMERR_QUEUE_FENCE_UP, 133, int) \
  X(RSMERR_QUEUE_FULL, 134, int) \
  /* 2.4 segment-id partition */ \
  X(RSM_DRIVER_PRIVATE_ID_BASE, 0, int) \
  X(RSM_DRIVER_PRIVATE_ID_END, 0x0FFFFF, int) \
  X(RSM_CLUSTER_TRANSPORT_ID_BASE, 0x100000, int) \
  X(RSM_CLUSTER_TRANSPORT_ID_END, 0x1FFFFF, int) \
  X(RSM_RSMLIB_ID_BASE, 0x200000, int) \
  X(RSM_RSMLIB_ID_END, 0x2FFFFF, int) \
  X(RSM_DLPI_ID_BASE, 0x300000, int) \
  X(RSM_DLPI_ID_END, 0x3FFFFF, int) \
  X(RSM_HPC_ID_BASE, 0x400000, int) \
  X(RSM_HPC_ID_END, 0x4FFFFF, int) \
  X(RSM_OPS_ID_BASE, 0x500000, int) \
  X(RSM_OPS_ID_END, 0x5FFFFF, int) \
  X(RSM_USER_APP_ID_BASE, 0x80000000, unsigned int) \
  X(RSM_USER_APP_ID_END, 0xFFFFFFFF, unsigned int) \
  /* 2.5 permissions (octal) */ \
  X(RSM_PERM_NONE, 0, int) \
  X(RSM_PERM_READ, 0400, int) \
  X(RSM_PERM_WRITE, 0200, int) \
  X(RSM_PERM_RDWR, 0600, int) \
  /* 2.6 scatter/gather and flags */ \
  X(RSM_MAX_SGIOREQS, 16, int) \
  X(RSM_HANDLE_TYPE, 0x01, int) \
  X(RSM_VA_TYPE, 0x02, int) \
  X(RSM_ALLOW_REBIND, 0x01, int) \
  X(RSM_CREATE_SEG_DONTWAIT, 0x02, int) \
  X(RSM_IMPLICIT_SIGPOST, 0x01, int) \
  X(RSM_SIGPOST_NO_ACCUMULATE, 0x02, int) \
  /* 2.7 topology */ \
  X(RSM_CONNECTION_ACTIVE, 3, int)

/* X(name, value, enum type): every enumerator (13), section 3. */
#define RSMKIT_ABI_ENUMERATORS(X) \
  X(RSM_MAP_NONE, 0x0, rsm_attribute_t) \
  X(RSM_MAP_FIXED, 0x1, rsm_attribute_t) \
  X(RSM_MAP_RESERVED, 0x2, rsm_attribute_t) \
  X(RSM_DAS8, 1, rsm_access_size_t) \
  X(RSM_DAS16, 2, rsm_access_size_t) \
  X(RSM_DAS32, 4, rsm_access_size_t) \
  X(RSM_DAS64, 8, rsm_access_size_t) \
  X(RSM_BARRIER_SEGMENT, 0x01, rsm_barrier_type_t) \
  X(RSM_BARRIER_NODE, 0x02, rsm_barrier_type_t) \
  X(RSM_BARRIER_SEGMENT_THREAD, 0x11, rsm_barrier_type_t) \
  X(RSM_BARRIER_NODE_THREAD, 0x12, rsm_barrier_type_t) \
  X(RSM_BARRIER_MODE_EXPLICIT, 0, rsm_barrier_mode_t) \
  X(RSM_BARRIER_MODE_IMPLICIT, 1, rsm_barrier_mode_t)

/*
 * X(type, size, align): the platform types of section 1 and all 24 typedefs
 * of sections 4 and 5, LP64.
 */
#define RSMKIT_ABI_TYPES(X) \
  /* 1. platform types a Linux port supplies or takes from libc */ \
  X(uchar_t, 1, 1) \
  X(uint_t, 4, 4) \
  X(ulong_t, 8, 8) \
  X(caddr_t, 8, 8) \
  X(offset_t, 8, 8) \
  X(off_t, 8, 8) \
  X(size_t, 8, 8) \
  X(nfds_t, 8, 8) \
  X(struct pollfd, 8, 4) \
  /* 4. scalar and handle typedefs */ \
  X(rsm_addr_t, 8, 8) \
  X(rsm_node_id_t, 4, 4) \
  X(rsm_memseg_id_t, 4, 4) \
  X(rsm_permission_t, 4, 4) \
  X(rsm_memseg_import_handle_t, 8, 8) \
  X(rsm_memseg_export_handle_t, 8, 8) \
  X(rsm_localmemory_handle_t, 8, 8) \
  X(rsmapi_controller_handle_t, 8, 8) \
  X(rsm_attribute_t, 4, 4) \
  X(rsm_access_size_t, 4, 4) \
  X(rsm_barrier_type_t, 4, 4) \
  X(rsm_barrier_mode_t, 4, 4) \
  /* 5. structures and unions */ \
  X(rsm_barrier_component_t, 8, 8) \
  X(rsm_barrier_t, 32, 8) \
  X(rsmapi_controller_attr_t, 64, 8) \
  X(rsmapi_access_entry_t, 8, 4) \
  X(rsmapi_barrier_t, 24, 8) \
  X(rsm_iovec_t, 40, 8) \
  X(rsm_scat_gath_t, 48, 8) \
  X(rsm_topology_hdr_t, 8, 4) \
  X(rsm_connections_hdr_t, 272, 8) \
  X(rsm_remote_cntlr_t, 280, 8) \
  X(rsm_connections_t, 552, 8) \
  X(rsm_topology_t, 16, 8)

/*
 * X(type, same type): what a typedef must name exactly. This pins the
 * signedness and rank of the integer types (offset_t is long long, not long),
 * the struct tags of the four opaque handles (they appear in C++ mangled
 * names) and the tags of the topology structs (rsm_connection is singular).
 */
#define RSMKIT_ABI_TYPE_IDENTITIES(X) \
  X(uchar_t, unsigned char) \
  X(uint_t, unsigned int) \
  X(ulong_t, unsigned long) \
  X(caddr_t, char *) \
  X(offset_t, long long) \
  X(off_t, long) \
  X(size_t, unsigned long) \
  X(nfds_t, unsigned long) \
  X(rsm_addr_t, uint64_t) \
  X(rsm_node_id_t, uint32_t) \
  X(rsm_memseg_id_t, uint32_t) \
  X(rsm_permission_t, uint32_t) \
  X(rsm_memseg_import_handle_t, struct __rsm_memseg_import_handle *) \
  X(rsm_memseg_export_handle_t, struct __rsm_memseg_export_handle *) \
  X(rsm_localmemory_handle_t, struct __rsm_localmemory_handle *) \
  X(rsmapi_controller_handle_t, struct __rsmapi_controller_handle *) \
  X(rsm_topology_hdr_t, struct rsm_topology_hdr) \
  X(rsm_connections_hdr_t, struct rsm_connections_hdr) \
  X(rsm_remote_cntlr_t, struct rsm_remote_cntlr) \
  X(rsm_connections_t, struct rsm_connection) \
  X(rsm_topology_t, struct rsm_topology)

/* X(type, signed): integer typedefs whose signedness callers rely on. */
#define RSMKIT_ABI_SIGNEDNESS(X) \
  X(uchar_t, 0) \
  X(uint_t, 0) \
  X(ulong_t, 0) \
  X(offset_t, 1) \
  X(off_t, 1) \
  X(size_t, 0) \
  X(nfds_t, 0) \
  X(rsm_addr_t, 0) \
  X(rsm_node_id_t, 0) \
  X(rsm_memseg_id_t, 0) \
  X(rsm_permission_t, 0)

/*
 * X(struct, member, offset, size, member type): every member of section 5 in
 * declaration order (and struct pollfd from section 1), LP64. The anonymous
 * union rsm_iovec_t.local is listed through its two members.
 */
#define RSMKIT_ABI_FIELDS(X) \
  /* 5.1 rsm_barrier_component_t (union: every member at 0) */ \
  X(rsm_barrier_component_t, u64, 0, 8, uint64_t) \
  X(rsm_barrier_component_t, i64, 0, 8, int64_t) \
  X(rsm_barrier_component_t, u32, 0, 8, uint32_t[2]) \
  X(rsm_barrier_component_t, i32, 0, 8, int32_t[2]) \
  X(rsm_barrier_component_t, u16, 0, 8, uint16_t[4]) \
  X(rsm_barrier_component_t, i16, 0, 8, int16_t[4]) \
  X(rsm_barrier_component_t, u8, 0, 8, uint8_t[8]) \
  X(rsm_barrier_component_t, i8, 0, 8, int8_t[8]) \
  X(rsm_barrier_component_t, uc, 0, 8, uchar_t[8]) \
  X(rsm_barrier_component_t, c, 0, 8, char[8]) \
  X(rsm_barrier_component_t, vp, 0, 8, void *) \
  /* 5.2 rsm_barrier_t */ \
  X(rsm_barrier_t, comp, 0, 32, rsm_barrier_component_t[4]) \
  /* 5.3 rsmapi_controller_attr_t */ \
  X(rsmapi_controller_attr_t, attr_direct_access_sizes, 0, 4, uint_t) \
  X(rsmapi_controller_attr_t, attr_atomic_sizes, 4, 4, uint_t) \
  X(rsmapi_controller_attr_t, attr_page_size, 8, 8, size_t) \
  X(rsmapi_controller_attr_t, attr_max_export_segment_size, 16, 8, size_t) \
  X(rsmapi_controller_attr_t, attr_tot_export_segment_size, 24, 8, size_t) \
  X(rsmapi_controller_attr_t, attr_max_export_segments, 32, 8, ulong_t) \
  X(rsmapi_controller_attr_t, attr_max_import_map_size, 40, 8, size_t) \
  X(rsmapi_controller_attr_t, attr_tot_import_map_size, 48, 8, size_t) \
  X(rsmapi_controller_attr_t, attr_max_import_segments, 56, 8, ulong_t) \
  /* 5.4 rsmapi_access_entry_t */ \
  X(rsmapi_access_entry_t, ae_node, 0, 4, rsm_node_id_t) \
  X(rsmapi_access_entry_t, ae_permission, 4, 4, rsm_permission_t) \
  /* 5.5 rsmapi_barrier_t */ \
  X(rsmapi_barrier_t, seg, 0, 8, void *) \
  X(rsmapi_barrier_t, gnum, 8, 2, uint16_t) \
  X(rsmapi_barrier_t, privdata, 16, 8, void *) \
  /* 5.6 rsm_iovec_t */ \
  X(rsm_iovec_t, io_type, 0, 4, int) \
  X(rsm_iovec_t, local.handle, 8, 8, rsm_localmemory_handle_t) \
  X(rsm_iovec_t, local.vaddr, 8, 8, caddr_t) \
  X(rsm_iovec_t, local_offset, 16, 8, size_t) \
  X(rsm_iovec_t, remote_offset, 24, 8, size_t) \
  X(rsm_iovec_t, transfer_length, 32, 8, size_t) \
  /* 5.7 rsm_scat_gath_t */ \
  X(rsm_scat_gath_t, local_nodeid, 0, 4, rsm_node_id_t) \
  X(rsm_scat_gath_t, io_request_count, 8, 8, ulong_t) \
  X(rsm_scat_gath_t, io_residual_count, 16, 8, ulong_t) \
  X(rsm_scat_gath_t, flags, 24, 4, uint_t) \
  X(rsm_scat_gath_t, remote_handle, 32, 8, rsm_memseg_import_handle_t) \
  X(rsm_scat_gath_t, iovec, 40, 8, rsm_iovec_t *) \
  /* 5.8 rsm_topology_hdr_t */ \
  X(rsm_topology_hdr_t, local_nodeid, 0, 4, rsm_node_id_t) \
  X(rsm_topology_hdr_t, local_cntlr_count, 4, 4, uint_t) \
  /* 5.9 rsm_connections_hdr_t */ \
  X(rsm_connections_hdr_t, cntlr_name, 0, 256, char[256]) \
  X(rsm_connections_hdr_t, local_hwaddr, 256, 8, rsm_addr_t) \
  X(rsm_connections_hdr_t, remote_cntlr_count, 264, 4, int) \
  /* 5.10 rsm_remote_cntlr_t */ \
  X(rsm_remote_cntlr_t, remote_nodeid, 0, 4, rsm_node_id_t) \
  X(rsm_remote_cntlr_t, remote_cntlrname, 4, 256, char[256]) \
  X(rsm_remote_cntlr_t, remote_hwaddr, 264, 8, rsm_addr_t) \
  X(rsm_remote_cntlr_t, connection_state, 272, 4, uint_t) \
  /* 5.11 rsm_connections_t */ \
  X(rsm_connections_t, hdr, 0, 272, rsm_connections_hdr_t) \
  X(rsm_connections_t, remote_cntlr, 272, 280, rsm_remote_cntlr_t[1]) \
  /* 5.12 rsm_topology_t */ \
  X(rsm_topology_t, topology_hdr, 0, 8, rsm_topology_hdr_t) \
  X(rsm_topology_t, connections, 8, 8, rsm_connections_t *[1]) \
  /* 1. struct pollfd */ \
  X(struct pollfd, fd, 0, 4, int) \
  X(struct pollfd, events, 4, 2, short) \
  X(struct pollfd, revents, 6, 2, short)

/*
 * X(return type, name, (parameter types)): the 42 functions in the digest's
 * ABI order. Array parameters are written as the pointers they adjust to, and
 * put8..put64 take pointers: the header, not the page synopsis, is the ABI.
 */
#define RSMKIT_ABI_FUNCTIONS(X) \
  X(int, rsm_get_controller, (char *, rsmapi_controller_handle_t *)) \
  X(int, rsm_get_controller_attr, (rsmapi_controller_handle_t, rsmapi_controller_attr_t *)) \
  X(int, rsm_release_controller, (rsmapi_controller_handle_t)) \
  X(int, rsm_memseg_export_create, (rsmapi_controller_handle_t, rsm_memseg_export_handle_t *, \
      void *, size_t, uint_t)) \
  X(int, rsm_memseg_export_destroy, (rsm_memseg_export_handle_t)) \
  X(int, rsm_memseg_export_rebind, (rsm_memseg_export_handle_t, void *, offset_t, size_t)) \
  X(int, rsm_memseg_export_publish, (rsm_memseg_export_handle_t, rsm_memseg_id_t *, \
      rsmapi_access_entry_t *, uint_t)) \
  X(int, rsm_memseg_export_unpublish, (rsm_memseg_export_handle_t)) \
  X(int, rsm_memseg_export_republish, (rsm_memseg_export_handle_t, rsmapi_access_entry_t *, \
      uint_t)) \
  X(int, rsm_memseg_import_connect, (rsmapi_controller_handle_t, rsm_node_id_t, rsm_memseg_id_t, \
      rsm_permission_t, rsm_memseg_import_handle_t *)) \
  X(int, rsm_memseg_import_disconnect, (rsm_memseg_import_handle_t)) \
  X(int, rsm_memseg_import_get8, (rsm_memseg_import_handle_t, off_t, uint8_t *, ulong_t)) \
  X(int, rsm_memseg_import_get16, (rsm_memseg_import_handle_t, off_t, uint16_t *, ulong_t)) \
  X(int, rsm_memseg_import_get32, (rsm_memseg_import_handle_t, off_t, uint32_t *, ulong_t)) \
  X(int, rsm_memseg_import_get64, (rsm_memseg_import_handle_t, off_t, uint64_t *, ulong_t)) \
  X(int, rsm_memseg_import_get, (rsm_memseg_import_handle_t, off_t, void *, size_t)) \
  X(int, rsm_memseg_import_getv, (rsm_scat_gath_t *)) \
  X(int, rsm_memseg_import_put8, (rsm_memseg_import_handle_t, off_t, uint8_t *, ulong_t)) \
  X(int, rsm_memseg_import_put16, (rsm_memseg_import_handle_t, off_t, uint16_t *, ulong_t)) \
  X(int, rsm_memseg_import_put32, (rsm_memseg_import_handle_t, off_t, uint32_t *, ulong_t)) \
  X(int, rsm_memseg_import_put64, (rsm_memseg_import_handle_t, off_t, uint64_t *, ulong_t)) \
  X(int, rsm_memseg_import_put, (rsm_memseg_import_handle_t, off_t, void *, size_t)) \
  X(int, rsm_memseg_import_putv, (rsm_scat_gath_t *)) \
  X(int, rsm_memseg_import_map, (rsm_memseg_import_handle_t, void **, rsm_attribute_t, \
      rsm_permission_t, off_t, size_t)) \
  X(int, rsm_memseg_import_unmap, (rsm_memseg_import_handle_t)) \
  X(int, rsm_memseg_import_init_barrier, (rsm_memseg_import_handle_t, rsm_barrier_type_t, \
      rsmapi_barrier_t *)) \
  X(int, rsm_memseg_import_open_barrier, (rsmapi_barrier_t *)) \
  X(int, rsm_memseg_import_close_barrier, (rsmapi_barrier_t *)) \
  X(int, rsm_memseg_import_order_barrier, (rsmapi_barrier_t *)) \
  X(int, rsm_memseg_import_destroy_barrier, (rsmapi_barrier_t *)) \
  X(int, rsm_memseg_import_get_mode, (rsm_memseg_import_handle_t, rsm_barrier_mode_t *)) \
  X(int, rsm_memseg_import_set_mode, (rsm_memseg_import_handle_t, rsm_barrier_mode_t)) \
  X(int, rsm_intr_signal_post, (void *, uint_t)) \
  X(int, rsm_intr_signal_wait, (void *, int)) \
  X(int, rsm_memseg_get_pollfd, (void *, struct pollfd *)) \
  X(int, rsm_memseg_release_pollfd, (void *)) \
  X(int, rsm_get_interconnect_topology, (rsm_topology_t **)) \
  X(void, rsm_free_interconnect_topology, (rsm_topology_t *)) \
  X(int, rsm_create_localmemory_handle, (rsmapi_controller_handle_t, rsm_localmemory_handle_t *, \
      caddr_t, size_t)) \
  X(int, rsm_free_localmemory_handle, (rsmapi_controller_handle_t, rsm_localmemory_handle_t)) \
  X(int, rsm_get_segmentid_range, (const char *, rsm_memseg_id_t *, uint32_t *)) \
  X(int, rsm_intr_signal_wait_pollfd, (struct pollfd *, nfds_t, int, int *))

/* clang-format on */

#endif /* RSMKIT_CONFORMANCE_ABI_FACTS_H */
