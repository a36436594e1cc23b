#ifndef CBUILDINFO_H
#define CBUILDINFO_H

/// The commit the binary was built from: METRICAT_COMMIT from a metricat_commit.h on the include path
/// (scripts/release.sh generates one outside the source tree), else "unknown".
const char *metricat_build_commit(void);

#endif
