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

/* Newline offsets for the line counters. Swift has no vector compare-to-bitmask (its SIMD types
   compare lane by lane here), and memchr once per line costs a call and its setup per line; this
   finds every newline of a buffer in one pass, 64 bytes per step, with SSE2 (every x86-64). */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

size_t cms_newlines(const uint8_t *p, size_t n, uint32_t *out, size_t cap) {
    size_t k = 0;
    size_t i = 0;
    if (cap == 0) return 0;
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    for (; i + 64 <= n; i += 64) {
        uint64_t m0 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), nl));
        uint64_t m1 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 16)), nl));
        uint64_t m2 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 32)), nl));
        uint64_t m3 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 48)), nl));
        uint64_t m = m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
        while (m != 0) {
            out[k++] = (uint32_t)(i + (size_t)__builtin_ctzll(m));
            if (k == cap) return k;
            m &= m - 1;
        }
    }
#endif
    for (; i < n; i++) {
        if (p[i] == '\n') {
            out[k++] = (uint32_t)i;
            if (k == cap) return k;
        }
    }
    return k;
}

#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>

int cms_unacked_bytes(int fd) {
    int n = 0;
    if (ioctl(fd, SIOCOUTQ, &n) < 0) return -1;
    return n;
}

int cms_tcp_progress(int fd, uint32_t *peer_window, uint64_t *bytes_acked) {
    struct tcp_info info;
    socklen_t len = sizeof(info);
    memset(&info, 0, sizeof(info));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0) return -1;
    *peer_window = len >= offsetof(struct tcp_info, tcpi_snd_wnd) + sizeof(info.tcpi_snd_wnd) ? info.tcpi_snd_wnd : 0;
    *bytes_acked = len >= offsetof(struct tcp_info, tcpi_bytes_acked) + sizeof(info.tcpi_bytes_acked) ? info.tcpi_bytes_acked : 0;
    return 0;
}

const void *cms_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}
