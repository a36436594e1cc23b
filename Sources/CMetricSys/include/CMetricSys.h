#ifndef CMETRICSYS_H
#define CMETRICSYS_H
/* Swift's Glibc module hides libc's _GNU_SOURCE parts (sendmmsg, recvmmsg, struct mmsghdr,
   accept4). Defining _GNU_SOURCE in a header that Swift imports beside Glibc clashes with Glibc's
   own definitions, so, as swift-nio's CNIOLinux does, this header declares plain wrappers and the
   .c file, compiled with _GNU_SOURCE, implements them. */
#include <sys/socket.h>
#include <sys/types.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <signal.h>

/* Layout-identical to glibc's struct mmsghdr. */
struct cms_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

int cms_sendmmsg(int fd, struct cms_mmsghdr *vec, unsigned int vlen, int flags);
int cms_recvmmsg(int fd, struct cms_mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout);
int cms_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
/* SO_RXQ_OVFL, or -1 where the platform has none. */
int cms_so_rxq_ovfl(void);
/* The drop counter in a recvmsg control buffer, or -1 when it holds none. */
long long cms_rxq_ovfl_count(struct msghdr *m);
size_t cms_cmsg_space_u32(void);
/* Offsets of the newlines in p[0..n), in order, into out (at most cap of them); returns how many.
   When it returns cap, the search stops at out[cap - 1]. n must be below 4 GiB. */
size_t cms_newlines(const uint8_t *p, size_t n, uint32_t *out, size_t cap);
/* Bytes written to a stream socket that its peer has not acknowledged (TCP) or not read (Unix):
   SIOCOUTQ. -1 with errno on failure. */
int cms_unacked_bytes(int fd);
/* TCP_INFO: the peer's last advertised receive window and the bytes it acknowledged so far (0 when the
   kernel does not report them). 0, or -1 with errno (not a TCP socket). */
int cms_tcp_progress(int fd, uint32_t *peer_window, uint64_t *bytes_acked);

/* memmem: the first place `needle` occurs in `haystack`, or NULL (glibc's, vectorized). */
const void *cms_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);

#endif
