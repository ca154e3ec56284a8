/*
 * importer: connects to the exporter's segment, maps it, reads its message
 * with plain loads, writes a reply with plain stores and signals the
 * exporter.
 *
 *   importer <node id> <segment id> [controller]
 */
#include <rsmapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check(const char *what, int rc) {
	if (rc != RSM_SUCCESS)
		fprintf(stderr, "importer: %s failed: %d\n", what, rc);
	return rc;
}

int main(int argc, char **argv) {
	rsmapi_controller_handle_t ctlr;
	rsm_memseg_import_handle_t seg;
	void *addr = NULL;
	char *name;
	rsm_node_id_t node;
	rsm_memseg_id_t id;
	int rc = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: importer <node id> <segment id> [controller]\n");
		return 2;
	}
	node = (rsm_node_id_t)strtoul(argv[1], NULL, 0);
	id = (rsm_memseg_id_t)strtoul(argv[2], NULL, 0);
	name = argc > 3 ? argv[3] : "shm0";
	if (check("rsm_get_controller", rsm_get_controller(name, &ctlr)))
		return 1;
	if (check("rsm_memseg_import_connect",
	    rsm_memseg_import_connect(ctlr, node, id, RSM_PERM_RDWR, &seg)))
		goto release;
	if (check("rsm_memseg_import_map",
	    rsm_memseg_import_map(seg, &addr, RSM_MAP_NONE, RSM_PERM_RDWR, 0, 256)))
		goto disconnect;
	printf("importer read: %s\n", (char *)addr);
	strcpy((char *)addr + 128, "hello from the importer");
	if (check("rsm_intr_signal_post", rsm_intr_signal_post(seg, 0)) == RSM_SUCCESS)
		rc = strcmp((char *)addr, "hello from the exporter") != 0;
	check("rsm_memseg_import_unmap", rsm_memseg_import_unmap(seg));
disconnect:
	check("rsm_memseg_import_disconnect", rsm_memseg_import_disconnect(seg));
release:
	check("rsm_release_controller", rsm_release_controller(ctlr));
	return rc;
}
