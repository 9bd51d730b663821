#pragma once

// Internal invariant checks. A failed check is a bug in mesosim, never bad user input (that is
// reported as an Error value at the boundary), so it aborts with the place and the condition.

#include <cstdio>
#include <cstdlib>

#define MESOSIM_CHECK(cond, msg)                                                      \
  do {                                                                                \
    if (!(cond)) [[unlikely]] {                                                       \
      std::fprintf(stderr, "%s:%d: check failed: %s: %s\n", __FILE__, __LINE__, #cond, \
                   msg);                                                              \
      std::abort();                                                                   \
    }                                                                                 \
  } while (false)
