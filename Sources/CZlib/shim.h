// The system zlib (Debian: zlib1g-dev), for reading compressed rotated logs.
#include <zlib.h>
