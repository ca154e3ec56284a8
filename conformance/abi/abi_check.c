/*
 * rsmkit ABI check: the public headers against abi_facts.h, at compile time.
 *
 * Built twice, as strict C11 (this file) and as C++17 (abi_check.cc includes
 * it), both with -Wall -Wextra -Werror -pedantic. Any drift of a value, a
 * size, an offset, a type or a prototype stops the build; main() only reports
 * what was checked so that ctest shows the result.
 *
 * What each language adds: C checks that every prototype is compatible by
 * redeclaring it; C++ checks the exact types (enumerator types, member types,
 * function pointer types), which C's looser "compatible type" rule cannot,
 * and that every function has C language linkage.
 */
#include <rsmapi.h>

#include <stddef.h>
#include <stdio.h>

#include "abi_facts.h"

#ifdef __cplusplus
#include <type_traits>
#include <utility>
#define RSMKIT_ASSERT(cond, msg) static_assert(cond, msg)
#define RSMKIT_ALIGNOF(T) alignof(T)
#define RSMKIT_SAME_TYPE(T, U) (std::is_same<T, U>::value)
#define RSMKIT_HAS_TYPE(expr, T) (std::is_same<decltype(expr), T>::value)
#else
#define RSMKIT_ASSERT(cond, msg) _Static_assert(cond, msg)
#define RSMKIT_ALIGNOF(T) _Alignof(T)
/* Pointers to T and U are compatible only if T and U are. */
#define RSMKIT_SAME_TYPE(T, U) _Generic((T *)0, U * : 1, default : 0)
#define RSMKIT_HAS_TYPE(expr, T) _Generic((expr), T : 1, default : 0)
#endif

#define RSMKIT_PLUS_ONE(...) +1

RSMKIT_ASSERT(sizeof(void *) == 8 && sizeof(long) == 8,
              "abi_facts.h describes LP64 (x86_64); this target is not LP64");

/* ---- Constants: value and C type of every #define ---------------------- */

#define RSMKIT_CHECK_DEFINE(name, value, type)                        \
  RSMKIT_ASSERT((name) == (value), "ABI: " #name " must be " #value); \
  RSMKIT_ASSERT(RSMKIT_HAS_TYPE(name, type), "ABI: " #name " must have type " #type);
RSMKIT_ABI_DEFINES(RSMKIT_CHECK_DEFINE)

/* Platform constants the layouts depend on (abi.md section 1). */
RSMKIT_ASSERT(MAXNAMELEN == 256, "ABI: MAXNAMELEN must be 256");
#ifdef POLLRDNORM /* glibc's <poll.h> hides it in strict ISO C modes */
RSMKIT_ASSERT(POLLRDNORM == 0x40, "ABI: POLLRDNORM must be 0x40");
#endif

/* The include guards are part of what programs can test. */
#if !defined(_RSMAPI_H) || !defined(_SYS_RSM_RSM_COMMON_H) || !defined(_SYS_RSM_RSMAPI_COMMON_H)
#error "ABI: the three include guards must be the illumos ones"
#endif

/* Names the man pages use but no illumos header defines: we must not either. */
#if defined(RSM_LOCK_OPS) || defined(RSM_BAR_DEFAULT) || defined(RSMERR_BAD_ADDRESS) || \
    defined(RSM_SIG_POST_NO_ACCUMULATE)
#error "ABI: names that no illumos header defines must stay undefined"
#endif

/* ---- Enumerators: value (and, in C++, the enumeration they belong to) -- */

#ifdef __cplusplus
#define RSMKIT_CHECK_ENUMERATOR(name, value, type)                    \
  RSMKIT_ASSERT((name) == (value), "ABI: " #name " must be " #value); \
  RSMKIT_ASSERT(RSMKIT_HAS_TYPE(name, type), "ABI: " #name " must be an enumerator of " #type);
#else
#define RSMKIT_CHECK_ENUMERATOR(name, value, type) \
  RSMKIT_ASSERT((name) == (value), "ABI: " #name " must be " #value);
#endif
RSMKIT_ABI_ENUMERATORS(RSMKIT_CHECK_ENUMERATOR)

/* ---- Types: size, alignment, identity, signedness ---------------------- */

#define RSMKIT_CHECK_TYPE(type, size, align)                                      \
  RSMKIT_ASSERT(sizeof(type) == (size), "ABI: sizeof(" #type ") must be " #size); \
  RSMKIT_ASSERT(RSMKIT_ALIGNOF(type) == (align), "ABI: alignof(" #type ") must be " #align);
RSMKIT_ABI_TYPES(RSMKIT_CHECK_TYPE)

#define RSMKIT_CHECK_IDENTITY(type, same) \
  RSMKIT_ASSERT(RSMKIT_SAME_TYPE(type, same), "ABI: " #type " must be " #same);
RSMKIT_ABI_TYPE_IDENTITIES(RSMKIT_CHECK_IDENTITY)

#define RSMKIT_CHECK_SIGNEDNESS(type, is_signed)     \
  RSMKIT_ASSERT(((type)-1 < (type)1) == (is_signed), \
                "ABI: signedness of " #type " (1 = signed) must be " #is_signed);
RSMKIT_ABI_SIGNEDNESS(RSMKIT_CHECK_SIGNEDNESS)

/* ---- Members: offset and size (and, in C++, the declared type) --------- */

#ifdef __cplusplus
#define RSMKIT_CHECK_FIELD_TYPE(st, member, type)                   \
  RSMKIT_ASSERT(RSMKIT_HAS_TYPE(std::declval<st &>().member, type), \
                "ABI: " #st "." #member " must be declared " #type);
#else
#define RSMKIT_CHECK_FIELD_TYPE(st, member, type)
#endif
#define RSMKIT_CHECK_FIELD(st, member, offset, size, type)               \
  RSMKIT_ASSERT(offsetof(st, member) == (offset),                        \
                "ABI: offsetof(" #st ", " #member ") must be " #offset); \
  RSMKIT_ASSERT(sizeof(((st *)0)->member) == (size),                     \
                "ABI: sizeof " #st "." #member " must be " #size);       \
  RSMKIT_CHECK_FIELD_TYPE(st, member, type)
RSMKIT_ABI_FIELDS(RSMKIT_CHECK_FIELD)

RSMKIT_ASSERT(sizeof(((rsm_iovec_t *)0)->local) == 8, "ABI: rsm_iovec_t.local must be 8 bytes");
#ifdef __cplusplus
RSMKIT_ASSERT(std::is_union<rsm_barrier_component_t>::value,
              "ABI: rsm_barrier_component_t must be a union");
RSMKIT_ASSERT(std::is_union<decltype(rsm_iovec_t::local)>::value,
              "ABI: rsm_iovec_t.local must be a union");
#define RSMKIT_CHECK_IS_ENUM(type) \
  RSMKIT_ASSERT(std::is_enum<type>::value, "ABI: " #type " must be an enum");
RSMKIT_CHECK_IS_ENUM(rsm_attribute_t)
RSMKIT_CHECK_IS_ENUM(rsm_access_size_t)
RSMKIT_CHECK_IS_ENUM(rsm_barrier_type_t)
RSMKIT_CHECK_IS_ENUM(rsm_barrier_mode_t)
#endif

/* ---- Functions: the 42 prototypes -------------------------------------- */

/*
 * A redeclaration that differs from the header's is an error: in C when the
 * types are incompatible, in C++ when they differ at all or when the header
 * declared the function without C linkage.
 */
#ifdef __cplusplus
extern "C" {
#endif
#define RSMKIT_REDECLARE(ret, name, params) ret name params;
RSMKIT_ABI_FUNCTIONS(RSMKIT_REDECLARE)
#ifdef __cplusplus
}
#define RSMKIT_CHECK_PROTOTYPE(ret, name, params)                    \
  static_assert(std::is_same<decltype(&name), ret(*) params>::value, \
                "ABI: " #name " must be " #ret " " #name #params);
RSMKIT_ABI_FUNCTIONS(RSMKIT_CHECK_PROTOTYPE)
#endif

/* ---- The lists are complete (counts from the spec's index) ------------- */

enum {
  rsmkit_n_defines = 0 RSMKIT_ABI_DEFINES(RSMKIT_PLUS_ONE),
  rsmkit_n_enumerators = 0 RSMKIT_ABI_ENUMERATORS(RSMKIT_PLUS_ONE),
  rsmkit_n_types = 0 RSMKIT_ABI_TYPES(RSMKIT_PLUS_ONE),
  rsmkit_n_fields = 0 RSMKIT_ABI_FIELDS(RSMKIT_PLUS_ONE),
  rsmkit_n_functions = 0 RSMKIT_ABI_FUNCTIONS(RSMKIT_PLUS_ONE)
};
RSMKIT_ASSERT(rsmkit_n_defines == 108, "abi_facts.h: the spec has 108 #defines");
RSMKIT_ASSERT(rsmkit_n_enumerators == 13, "abi_facts.h: the spec has 13 enumerators");
RSMKIT_ASSERT(rsmkit_n_types == 9 + 24, "abi_facts.h: 9 platform types and 24 typedefs");
RSMKIT_ASSERT(rsmkit_n_functions == 42, "abi_facts.h: the spec has 42 functions");

int main(void) {
#ifdef __cplusplus
  const char *lang = "C++17";
#else
  const char *lang = "C11";
#endif
  printf(
      "rsmkit ABI (%s, LP64): %d #defines, %d enumerators, %d types, %d members, "
      "%d prototypes match the spec (checked at compile time)\n",
      lang, (int)rsmkit_n_defines, (int)rsmkit_n_enumerators, (int)rsmkit_n_types,
      (int)rsmkit_n_fields, (int)rsmkit_n_functions);
  return 0;
}
