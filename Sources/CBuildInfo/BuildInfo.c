#include "CBuildInfo.h"

#ifndef METRICAT_COMMIT
#define METRICAT_COMMIT "unknown"
#endif

const char *metricat_build_commit(void) {
    return METRICAT_COMMIT;
}
