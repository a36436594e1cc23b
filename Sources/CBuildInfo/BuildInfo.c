#include "CBuildInfo.h"

// scripts/release.sh writes this header into its build folder and adds that folder to the include
// path; the path stays the same from commit to commit, so a new commit recompiles only this file.
#if __has_include("metricat_commit.h")
#include "metricat_commit.h"
#endif

#ifndef METRICAT_COMMIT
#define METRICAT_COMMIT "unknown"
#endif

const char *metricat_build_commit(void) {
    return METRICAT_COMMIT;
}
