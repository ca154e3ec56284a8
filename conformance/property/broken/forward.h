// rsmkit conformance: deliberately broken implementations for the property
// tests' self-check (conformance.property_bites). Each shim library forwards
// all 42 rsm_* functions to the reference librsm (dlopen'ed by path:
// RSMC_BROKEN_TARGET, else the one built beside it) except one function it
// breaks on purpose; forward.cc defines the forwarders as weak symbols, the
// shim's own definition of the broken function wins.
#ifndef RSMC_PROPERTY_BROKEN_FORWARD_H
#define RSMC_PROPERTY_BROKEN_FORWARD_H

#include <rsmapi.h>

namespace rsmc::broken {

// The reference's function `name`; aborts when it cannot be found.
void *real(const char *name);

}  // namespace rsmc::broken

// The real (reference) version of an rsmapi.h function, with its type.
#define RSMC_REAL(fn) reinterpret_cast<decltype(&fn)>(::rsmc::broken::real(#fn))

#endif  // RSMC_PROPERTY_BROKEN_FORWARD_H
