/*
 * rsmkit: sys/rsm/rsmapi_common.h -- types and flags of the user-level RSM
 * API. Names, values and layouts follow illumos (LP64).
 */
#ifndef _SYS_RSM_RSMAPI_COMMON_H
#define _SYS_RSM_RSMAPI_COMMON_H

#include <sys/rsm/rsm_common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* rsm_iovec_t.io_type: which member of the local union is valid. */
#define RSM_HANDLE_TYPE 0x01
#define RSM_VA_TYPE 0x02

/* rsm_memseg_export_create flags. */
#define RSM_ALLOW_REBIND 0x01
#define RSM_CREATE_SEG_DONTWAIT 0x02

/* rsm_scat_gath_t.flags and rsm_intr_signal_post flags. */
#define RSM_IMPLICIT_SIGPOST 0x01
/* Must stay 0x02: the sg flags are forwarded to the post unchanged. */
#define RSM_SIGPOST_NO_ACCUMULATE 0x02

struct __rsm_localmemory_handle;
typedef struct __rsm_localmemory_handle *rsm_localmemory_handle_t;

struct __rsmapi_controller_handle;
typedef struct __rsmapi_controller_handle *rsmapi_controller_handle_t;

typedef struct {
	uint_t attr_direct_access_sizes;
	uint_t attr_atomic_sizes;
	size_t attr_page_size;
	size_t attr_max_export_segment_size;
	size_t attr_tot_export_segment_size;
	ulong_t attr_max_export_segments;
	size_t attr_max_import_map_size;
	size_t attr_tot_import_map_size;
	ulong_t attr_max_import_segments;
} rsmapi_controller_attr_t;

typedef struct {
	rsm_node_id_t ae_node;          /* node granted access */
	rsm_permission_t ae_permission; /* octal mode for that node */
} rsmapi_access_entry_t;

/* Caller-owned barrier storage, filled by rsm_memseg_import_init_barrier. */
typedef struct {
	void *seg;
	uint16_t gnum;
	void *privdata;
} rsmapi_barrier_t;

typedef struct {
	int io_type;
	union {
		rsm_localmemory_handle_t handle;
		caddr_t vaddr;
	} local;
	size_t local_offset;
	size_t remote_offset;
	size_t transfer_length;
} rsm_iovec_t;

typedef struct {
	rsm_node_id_t local_nodeid;
	ulong_t io_request_count;
	ulong_t io_residual_count;
	uint_t flags;
	rsm_memseg_import_handle_t remote_handle;
	rsm_iovec_t *iovec;
} rsm_scat_gath_t;

#ifdef __cplusplus
}
#endif

#endif /* _SYS_RSM_RSMAPI_COMMON_H */
