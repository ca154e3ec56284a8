/*
 * Compiled (not run) with -D_DEFAULT_SOURCE: glibc's <sys/types.h> then
 * defines caddr_t itself, before <rsmapi.h> is seen. <rsmapi.h> must build on
 * top of it in every language mode, and caddr_t must still be char *. (The
 * header skips its own typedef when __daddr_t_defined is set; an identical
 * duplicate would pass unnoticed, since compilers accept one against a system
 * header, but a different one is an error here.)
 */
#include <sys/types.h>

/* Kept apart from the block above: the order of the two includes is the test. */
#include <rsmapi.h>

#ifndef __daddr_t_defined
#error "glibc did not define caddr_t: compile this file with -D_DEFAULT_SOURCE"
#endif

/* Redeclaring with a different type is an error in C99, C11 and C++. */
extern caddr_t rsmkit_caddr_check;
extern char *rsmkit_caddr_check;
