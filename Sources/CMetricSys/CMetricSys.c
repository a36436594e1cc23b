#define _GNU_SOURCE
#include <sys/socket.h>
#include <stdint.h>
#include <string.h>
#include "CMetricSys.h"

_Static_assert(sizeof(struct cms_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");

int cms_sendmmsg(int fd, struct cms_mmsghdr *vec, unsigned int vlen, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)vec, vlen, flags);
}

int cms_recvmmsg(int fd, struct cms_mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout) {
    return recvmmsg(fd, (struct mmsghdr *)vec, vlen, flags, timeout);
}

int cms_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

int cms_so_rxq_ovfl(void) {
#ifdef SO_RXQ_OVFL
    return SO_RXQ_OVFL;
#else
    return -1;
#endif
}

long long cms_rxq_ovfl_count(struct msghdr *m) {
#ifdef SO_RXQ_OVFL
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
            uint32_t v;
            memcpy(&v, CMSG_DATA(c), sizeof v);
            return (long long)v;
        }
    }
#endif
    return -1;
}

size_t cms_cmsg_space_u32(void) { return CMSG_SPACE(sizeof(uint32_t)); }
