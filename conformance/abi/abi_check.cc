// The same checks as abi_check.c, compiled as C++17: the C++ branches there
// add exact-type checks (decltype/std::is_same) and the C-linkage check.
#include "abi_check.c"
