// rsmkit shm backend: the table entries, defined in shm_backend.cc (controller,
// local memory), shm_export.cc and shm_import.cc; fill_ops puts them in the
// table. The opaque Backend* types are never defined: each file casts them to
// and from its own type, so that no two backends define the same struct.
#ifndef RSMKIT_BACKENDS_SHM_SHM_OPS_H
#define RSMKIT_BACKENDS_SHM_SHM_OPS_H

#include "core/backend.h"

namespace rsmkit::shm {

Status export_create(BackendCtlr *c, void *vaddr, size_t len, uint32_t flags,
                     BackendExport **out);
Status export_rebind(BackendExport *e, void *vaddr, size_t len);
void export_destroy(BackendExport *e);
Status export_publish(BackendExport *e, rsm_memseg_id_t *segid, const AclEntry *acl, uint32_t n,
                      uint32_t default_mode);
Status export_republish(BackendExport *e, const AclEntry *acl, uint32_t n,
                        uint32_t default_mode);
Status export_unpublish(BackendExport *e);
int export_event_fd(BackendExport *e);
Status export_signal(BackendExport *e, bool no_accumulate);

Status import_connect(BackendCtlr *c, rsm_node_id_t node, rsm_memseg_id_t segid,
                      ImportInfo *info, BackendImport **out);
void import_disconnect(BackendImport *i);
Status import_check(BackendImport *i);
Status import_map(BackendImport *i, size_t off, size_t len, int prot, Placement where,
                  void *addr, void **out);
void import_unmap(BackendImport *i, void *addr, size_t len, Placement where);
Status import_xfer(BackendImport *i, Direction d, size_t off, void *local, size_t elem,
                   size_t count);
Status import_fence(BackendImport *i);
int import_event_fd(BackendImport *i);
Status import_signal(BackendImport *i, bool no_accumulate);

bool event_consume(int fd);

}  // namespace rsmkit::shm

#endif  // RSMKIT_BACKENDS_SHM_SHM_OPS_H
