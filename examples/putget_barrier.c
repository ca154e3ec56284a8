/*
 * putget_barrier: moves data with rsm_memseg_import_put/get inside an
 * explicit barrier span, the portable way (it also works on interconnects
 * that cannot map). One process plays both sides here for brevity; the
 * calls are the same across processes and nodes.
 *
 *   putget_barrier [controller]
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <rsmapi.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define CHECK(call)                                                       \
	do {                                                              \
		int rc_ = (call);                                         \
		if (rc_ != RSM_SUCCESS) {                                 \
			fprintf(stderr, "%s failed: %d\n", #call, rc_);   \
			return 1;                                         \
		}                                                         \
	} while (0)

int main(int argc, char **argv) {
	char *name = argc > 1 ? argv[1] : "shm0";
	rsmapi_controller_handle_t ctlr;
	rsmapi_controller_attr_t attr;
	rsm_memseg_export_handle_t exp;
	rsm_memseg_import_handle_t imp;
	rsm_topology_t *topo;
	rsmapi_barrier_t bar;
	rsm_memseg_id_t id = 0;
	rsm_node_id_t me;
	uint64_t out[4] = {1, 2, 3, 4}, in[4] = {0};
	char *mem;

	CHECK(rsm_get_controller(name, &ctlr));
	CHECK(rsm_get_controller_attr(ctlr, &attr));
	CHECK(rsm_get_interconnect_topology(&topo));
	me = topo->topology_hdr.local_nodeid;
	rsm_free_interconnect_topology(topo);

	mem = mmap(NULL, attr.attr_page_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	CHECK(rsm_memseg_export_create(ctlr, &exp, mem, attr.attr_page_size, 0));
	CHECK(rsm_memseg_export_publish(exp, &id, NULL, 0));
	CHECK(rsm_memseg_import_connect(ctlr, me, id, RSM_PERM_RDWR, &imp));

	/* get/put need a barrier; explicit mode reports errors at the close. */
	CHECK(rsm_memseg_import_init_barrier(imp, RSM_BARRIER_NODE, &bar));
	CHECK(rsm_memseg_import_set_mode(imp, RSM_BARRIER_MODE_EXPLICIT));
	CHECK(rsm_memseg_import_open_barrier(&bar));
	CHECK(rsm_memseg_import_put64(imp, 64, out, 4));
	CHECK(rsm_memseg_import_order_barrier(&bar)); /* the puts land first */
	CHECK(rsm_memseg_import_get64(imp, 64, in, 4));
	CHECK(rsm_memseg_import_close_barrier(&bar)); /* all of it succeeded */
	printf("read back %llu %llu %llu %llu; exporter sees %llu\n",
	    (unsigned long long)in[0], (unsigned long long)in[1],
	    (unsigned long long)in[2], (unsigned long long)in[3],
	    (unsigned long long)((uint64_t *)mem)[8 + 3]);

	CHECK(rsm_memseg_import_destroy_barrier(&bar));
	CHECK(rsm_memseg_import_disconnect(imp));
	CHECK(rsm_memseg_export_destroy(exp));
	CHECK(rsm_release_controller(ctlr));
	return memcmp(in, out, sizeof out) != 0 || ((uint64_t *)mem)[11] != 4;
}
