#ifndef CBUILDINFO_H
#define CBUILDINFO_H

/// The commit the binary was built from, as given by METRICAT_COMMIT when compiling (scripts/release.sh
/// passes -Xcc -DMETRICAT_COMMIT="abc1234"); "unknown" for a plain `swift build`.
const char *metricat_build_commit(void);

#endif
