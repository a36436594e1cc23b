// The system PCRE2 (Debian: libpcre2-dev), 8-bit code units: the regex engine of every user pattern.
// Swift sees the _8 functions (pcre2_compile_8, ...); the unsuffixed names are macros it cannot call.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/// PCRE2_ZERO_TERMINATED and PCRE2_UNSET are casts Swift does not import.
static inline size_t cpcre2_unset(void) { return PCRE2_UNSET; }
