// rsmkit conformance: the 42 functions of <rsmapi.h>, as an X-macro list
// X(return type, name, (parameters), (arguments)), in the ABI order.
#ifndef RSMC_API_LIST_H
#define RSMC_API_LIST_H

#include <rsmapi.h>

#define RSMC_API_LIST(X)                                                                         \
  X(int, rsm_get_controller, (char *a, rsmapi_controller_handle_t *b), (a, b))                   \
  X(int, rsm_get_controller_attr, (rsmapi_controller_handle_t a, rsmapi_controller_attr_t *b),   \
    (a, b))                                                                                      \
  X(int, rsm_release_controller, (rsmapi_controller_handle_t a), (a))                            \
  X(int, rsm_memseg_export_create,                                                               \
    (rsmapi_controller_handle_t a, rsm_memseg_export_handle_t *b, void *c, size_t d, uint_t e),  \
    (a, b, c, d, e))                                                                             \
  X(int, rsm_memseg_export_destroy, (rsm_memseg_export_handle_t a), (a))                         \
  X(int, rsm_memseg_export_rebind, (rsm_memseg_export_handle_t a, void *b, offset_t c, size_t d), \
    (a, b, c, d))                                                                                \
  X(int, rsm_memseg_export_publish,                                                              \
    (rsm_memseg_export_handle_t a, rsm_memseg_id_t *b, rsmapi_access_entry_t c[], uint_t d),     \
    (a, b, c, d))                                                                                \
  X(int, rsm_memseg_export_unpublish, (rsm_memseg_export_handle_t a), (a))                       \
  X(int, rsm_memseg_export_republish,                                                            \
    (rsm_memseg_export_handle_t a, rsmapi_access_entry_t b[], uint_t c), (a, b, c))              \
  X(int, rsm_memseg_import_connect,                                                              \
    (rsmapi_controller_handle_t a, rsm_node_id_t b, rsm_memseg_id_t c, rsm_permission_t d,       \
     rsm_memseg_import_handle_t *e),                                                             \
    (a, b, c, d, e))                                                                             \
  X(int, rsm_memseg_import_disconnect, (rsm_memseg_import_handle_t a), (a))                      \
  X(int, rsm_memseg_import_get8, (rsm_memseg_import_handle_t a, off_t b, uint8_t *c, ulong_t d), \
    (a, b, c, d))                                                                                \
  X(int, rsm_memseg_import_get16,                                                                \
    (rsm_memseg_import_handle_t a, off_t b, uint16_t *c, ulong_t d), (a, b, c, d))               \
  X(int, rsm_memseg_import_get32,                                                                \
    (rsm_memseg_import_handle_t a, off_t b, uint32_t *c, ulong_t d), (a, b, c, d))               \
  X(int, rsm_memseg_import_get64,                                                                \
    (rsm_memseg_import_handle_t a, off_t b, uint64_t *c, ulong_t d), (a, b, c, d))               \
  X(int, rsm_memseg_import_get, (rsm_memseg_import_handle_t a, off_t b, void *c, size_t d),      \
    (a, b, c, d))                                                                                \
  X(int, rsm_memseg_import_getv, (rsm_scat_gath_t * a), (a))                                     \
  X(int, rsm_memseg_import_put8, (rsm_memseg_import_handle_t a, off_t b, uint8_t *c, ulong_t d), \
    (a, b, c, d))                                                                                \
  X(int, rsm_memseg_import_put16,                                                                \
    (rsm_memseg_import_handle_t a, off_t b, uint16_t *c, ulong_t d), (a, b, c, d))               \
  X(int, rsm_memseg_import_put32,                                                                \
    (rsm_memseg_import_handle_t a, off_t b, uint32_t *c, ulong_t d), (a, b, c, d))               \
  X(int, rsm_memseg_import_put64,                                                                \
    (rsm_memseg_import_handle_t a, off_t b, uint64_t *c, ulong_t d), (a, b, c, d))               \
  X(int, rsm_memseg_import_put, (rsm_memseg_import_handle_t a, off_t b, void *c, size_t d),      \
    (a, b, c, d))                                                                                \
  X(int, rsm_memseg_import_putv, (rsm_scat_gath_t * a), (a))                                     \
  X(int, rsm_memseg_import_map,                                                                  \
    (rsm_memseg_import_handle_t a, void **b, rsm_attribute_t c, rsm_permission_t d, off_t e,     \
     size_t f),                                                                                  \
    (a, b, c, d, e, f))                                                                          \
  X(int, rsm_memseg_import_unmap, (rsm_memseg_import_handle_t a), (a))                           \
  X(int, rsm_memseg_import_init_barrier,                                                         \
    (rsm_memseg_import_handle_t a, rsm_barrier_type_t b, rsmapi_barrier_t *c), (a, b, c))        \
  X(int, rsm_memseg_import_open_barrier, (rsmapi_barrier_t * a), (a))                            \
  X(int, rsm_memseg_import_close_barrier, (rsmapi_barrier_t * a), (a))                           \
  X(int, rsm_memseg_import_order_barrier, (rsmapi_barrier_t * a), (a))                           \
  X(int, rsm_memseg_import_destroy_barrier, (rsmapi_barrier_t * a), (a))                         \
  X(int, rsm_memseg_import_get_mode, (rsm_memseg_import_handle_t a, rsm_barrier_mode_t *b),      \
    (a, b))                                                                                      \
  X(int, rsm_memseg_import_set_mode, (rsm_memseg_import_handle_t a, rsm_barrier_mode_t b),       \
    (a, b))                                                                                      \
  X(int, rsm_intr_signal_post, (void *a, uint_t b), (a, b))                                      \
  X(int, rsm_intr_signal_wait, (void *a, int b), (a, b))                                         \
  X(int, rsm_memseg_get_pollfd, (void *a, struct pollfd *b), (a, b))                             \
  X(int, rsm_memseg_release_pollfd, (void *a), (a))                                              \
  X(int, rsm_get_interconnect_topology, (rsm_topology_t * *a), (a))                              \
  X(void, rsm_free_interconnect_topology, (rsm_topology_t * a), (a))                             \
  X(int, rsm_create_localmemory_handle,                                                          \
    (rsmapi_controller_handle_t a, rsm_localmemory_handle_t *b, caddr_t c, size_t d),            \
    (a, b, c, d))                                                                                \
  X(int, rsm_free_localmemory_handle, (rsmapi_controller_handle_t a, rsm_localmemory_handle_t b), \
    (a, b))                                                                                      \
  X(int, rsm_get_segmentid_range, (const char *a, rsm_memseg_id_t *b, uint32_t *c), (a, b, c))   \
  X(int, rsm_intr_signal_wait_pollfd, (struct pollfd a[], nfds_t b, int c, int *d), (a, b, c, d))

#endif  // RSMC_API_LIST_H
