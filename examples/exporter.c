/*
 * exporter: publishes one segment of shared memory, prints
 * "published <segment id>" for the importer, then waits for the importer's
 * signal and checks the reply it wrote into the segment.
 *
 *   exporter [controller]          (default controller: shm0)
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <rsmapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int check(const char *what, int rc) {
	if (rc != RSM_SUCCESS)
		fprintf(stderr, "exporter: %s failed: %d\n", what, rc);
	return rc;
}

int main(int argc, char **argv) {
	char *name = argc > 1 ? argv[1] : "shm0";
	rsmapi_controller_handle_t ctlr;
	rsmapi_controller_attr_t attr;
	rsm_memseg_export_handle_t seg;
	rsm_memseg_id_t id = 0; /* 0: let the library choose */
	size_t len;
	char *mem;
	int rc = 1;

	if (check("rsm_get_controller", rsm_get_controller(name, &ctlr)))
		return 1;
	if (check("rsm_get_controller_attr", rsm_get_controller_attr(ctlr, &attr)))
		goto release;
	/* Segments are whole pages of the caller's own memory. */
	len = attr.attr_page_size;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		goto release;
	strcpy(mem, "hello from the exporter");
	if (check("rsm_memseg_export_create", rsm_memseg_export_create(ctlr, &seg, mem, len, 0)))
		goto release;
	if (check("rsm_memseg_export_publish", rsm_memseg_export_publish(seg, &id, NULL, 0)))
		goto destroy;
	printf("published %u\n", id);
	fflush(stdout);
	/* The importer posts once it has written its reply. */
	if (check("rsm_intr_signal_wait", rsm_intr_signal_wait(seg, 30000)))
		goto destroy;
	printf("exporter read: %s\n", mem + 128);
	rc = strcmp(mem + 128, "hello from the importer") != 0;
destroy:
	check("rsm_memseg_export_destroy", rsm_memseg_export_destroy(seg));
release:
	check("rsm_release_controller", rsm_release_controller(ctlr));
	return rc;
}
