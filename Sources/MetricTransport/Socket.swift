import CMetricSys
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A socket descriptor with typed errors; every call retries on EINTR.
///
/// Open one with ``connect(to:nonBlocking:)`` (a sender) or ``bind(_:backlog:)`` (a listener).
public final class Socket {
    public private(set) var fd: Int32
    /// The address this socket was opened for, as the user wrote it.
    public let endpoint: Endpoint
    public let isDatagram: Bool

    init(fd: Int32, endpoint: Endpoint, isDatagram: Bool) {
        self.fd = fd
        self.endpoint = endpoint
        self.isDatagram = isDatagram
    }

    deinit { close() }

    /// Closes the descriptor (idempotent).
    public func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    /// Closes with a reset (SO_LINGER 0): what is still queued is dropped, not sent later.
    public func abort() {
        guard fd >= 0 else { return }
        var l = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    private func fail(_ op: String, _ e: Errno) -> TransportError {
        .system(operation: op, endpoint: endpoint.description, errno: e)
    }

    static func open(domain: Int32, datagram: Bool, endpoint: Endpoint) throws(TransportError) -> Socket {
        let type = Int32(datagram ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(domain, type, 0)
        guard fd >= 0 else { throw .system(operation: "socket", endpoint: endpoint.description, errno: .last) }
        return Socket(fd: fd, endpoint: endpoint, isDatagram: datagram)
    }

    /// The addresses an IP or Unix endpoint names.
    static func addresses(_ endpoint: Endpoint, passive: Bool) throws(TransportError) -> [SocketAddress] {
        switch endpoint {
        case .udp(let host, let port, let family):
            return try SocketAddress.resolve(host: host ?? (passive ? nil : "127.0.0.1"), port: port, family: family, datagram: true, passive: passive)
        case .tcp(let host, let port, let family):
            return try SocketAddress.resolve(host: host ?? (passive ? nil : "127.0.0.1"), port: port, family: family, datagram: false, passive: passive)
        case .unix(let path), .unixgram(let path):
            return [try SocketAddress(unixPath: path)]
        case .stdout, .http:
            throw .invalidAddress("\(endpoint): not a socket address")
        }
    }

    /// Opens a socket connected to `endpoint` (for datagrams: a default destination, so ICMP port
    /// unreachable comes back as ECONNREFUSED on a later send). With `sendTimeout` (ns), set before
    /// connecting, a peer that does not complete the handshake in time fails with EINPROGRESS, and
    /// later writes that make no progress for that long fail with EAGAIN.
    public static func connect(to endpoint: Endpoint, nonBlocking: Bool = false, sendTimeout: Int64? = nil) throws(TransportError) -> Socket {
        var lastError: TransportError = .invalidAddress("\(endpoint): no address")
        for address in try addresses(endpoint, passive: false) {
            let s = try open(domain: address.family, datagram: endpoint.isDatagram, endpoint: endpoint)
            if let sendTimeout { try s.setSendTimeout(sendTimeout) }
            let r = retryingInterrupts { address.withSockaddr { Glibc.connect(s.fd, $0, $1) } }
            switch r {
            case .success:
                if !endpoint.isDatagram, address.family != AF_UNIX, s.isConnectedToItself() {
                    // A TCP connect to a loopback port nobody listens on can pick that very port as
                    // its own and connect to itself; what it sends would land in its own receive
                    // buffer. Refused, as it would be without the coincidence (Go's net does the same).
                    lastError = s.fail("connect", .connectionRefused)
                    continue
                }
                if nonBlocking { try s.setNonBlocking() }
                return s
            case .failure(let e):
                // With a send timeout, a handshake that did not finish in time reports EINPROGRESS.
                lastError = s.fail("connect", sendTimeout != nil && e == .nowInProgress ? .timedOut : e)
            }
        }
        throw lastError
    }

    /// Binds `endpoint` and, for stream sockets, listens. A Unix path is not removed first unless it
    /// is a stale socket (never a regular file).
    ///
    /// `reuseAddress` sets SO_REUSEADDR on TCP only, where it allows a restart while old connections
    /// sit in TIME_WAIT; on UDP it would let a second socket bind the same port and take its traffic.
    /// `reusePort` sets SO_REUSEPORT on TCP and UDP: every socket that sets it shares the port.
    public static func bind(_ endpoint: Endpoint, backlog: Int32 = 128, reuseAddress: Bool = true, reusePort: Bool = false) throws(TransportError) -> Socket {
        var lastError: TransportError = .invalidAddress("\(endpoint): no address")
        for address in try addresses(endpoint, passive: true) {
            let s = try open(domain: address.family, datagram: endpoint.isDatagram, endpoint: endpoint)
            if reuseAddress, address.family != AF_UNIX, !endpoint.isDatagram { try s.setOption(SOL_SOCKET, SO_REUSEADDR, 1) }
            if reusePort, address.family != AF_UNIX { try s.setOption(SOL_SOCKET, SO_REUSEPORT, 1) }
            if address.family == AF_INET6, case .udp(nil, _, _) = endpoint {
            } else if address.family == AF_INET6 {
                try? s.setOption(Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1)
            }
            let r = retryingInterrupts { address.withSockaddr { Glibc.bind(s.fd, $0, $1) } }
            if case .failure(let e) = r {
                lastError = s.fail("bind", e)
                continue
            }
            if !endpoint.isDatagram {
                if case .failure(let e) = retryingInterrupts({ Glibc.listen(s.fd, backlog) }) { throw s.fail("listen", e) }
            }
            return s
        }
        throw lastError
    }

    public func setNonBlocking(_ on: Bool = true) throws(TransportError) {
        let flags = fcntl(fd, F_GETFL)
        let r = fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
        if r < 0 { throw fail("fcntl(O_NONBLOCK)", .last) }
    }

    public func setOption(_ level: Int32, _ name: Int32, _ value: Int32) throws(TransportError) {
        var v = value
        if setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) < 0 { throw fail("setsockopt(\(name))", .last) }
    }

    public func getOption(_ level: Int32, _ name: Int32) throws(TransportError) -> Int32 {
        var v: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, level, name, &v, &len) < 0 { throw fail("getsockopt(\(name))", .last) }
        return v
    }

    /// Asks for a receive buffer of `bytes`; returns what the kernel granted (it doubles the request
    /// for bookkeeping and caps it at `net.core.rmem_max` unless `force` and CAP_NET_ADMIN).
    @discardableResult
    public func setReceiveBuffer(_ bytes: Int32, force: Bool = false) throws(TransportError) -> Int32 {
        if force, (try? setOption(SOL_SOCKET, SO_RCVBUFFORCE, bytes)) != nil {
            return try getOption(SOL_SOCKET, SO_RCVBUF)
        }
        try setOption(SOL_SOCKET, SO_RCVBUF, bytes)
        return try getOption(SOL_SOCKET, SO_RCVBUF)
    }

    @discardableResult
    public func setSendBuffer(_ bytes: Int32) throws(TransportError) -> Int32 {
        try setOption(SOL_SOCKET, SO_SNDBUF, bytes)
        return try getOption(SOL_SOCKET, SO_SNDBUF)
    }

    /// Makes a blocking send(2) give up with EAGAIN when it could write nothing for `nanoseconds`
    /// (SO_SNDTIMEO); a write that makes some progress returns what it wrote.
    public func setSendTimeout(_ nanoseconds: Int64) throws(TransportError) {
        var tv = timeval(tv_sec: Int(nanoseconds / 1_000_000_000), tv_usec: Int(nanoseconds % 1_000_000_000 / 1000))
        if setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size)) < 0 {
            throw fail("setsockopt(SO_SNDTIMEO)", .last)
        }
    }

    /// Bytes written that the peer has not acknowledged (TCP) or not yet read (Unix stream): SIOCOUTQ.
    /// Still answers after the connection was reset.
    public func unacknowledgedBytes() -> Result<Int, Errno> {
        retryingInterrupts { cms_unacked_bytes(fd) }.map(Int.init)
    }

    /// The peer's last advertised receive window and the bytes it acknowledged so far (TCP_INFO);
    /// nil when the socket is not TCP.
    public func tcpProgress() -> (peerWindow: Int, bytesAcknowledged: UInt64)? {
        var window: UInt32 = 0
        var acked: UInt64 = 0
        guard case .success = retryingInterrupts({ cms_tcp_progress(fd, &window, &acked) }) else { return nil }
        return (Int(window), acked)
    }

    /// True when the socket's own address is its peer's (a TCP self-connection).
    func isConnectedToItself() -> Bool {
        guard let local = try? localAddress() else { return false }
        var peer = SocketAddress()
        peer.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &peer.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &peer.length) }
        }
        guard rc == 0, peer.length == local.length else { return false }
        return withUnsafeBytes(of: local.storage) { l in
            withUnsafeBytes(of: peer.storage) { p in memcmp(l.baseAddress!, p.baseAddress!, Int(local.length)) == 0 }
        }
    }

    /// The address the socket is bound to (the port the kernel chose for `:0`).
    public func localAddress() throws(TransportError) -> SocketAddress {
        var a = SocketAddress()
        a.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &a.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &a.length) }
        }
        if rc < 0 { throw fail("getsockname", .last) }
        return a
    }

    /// One send(2); returns bytes written.
    public func send(_ bytes: UnsafeRawBufferPointer, flags: Int32 = Int32(MSG_NOSIGNAL)) -> Result<Int, Errno> {
        retryingInterrupts { Glibc.send(fd, bytes.baseAddress, bytes.count, flags) }
    }

    /// One send(2) that waits at most `timeout` (ns) for room in the send buffer: without blocking,
    /// then poll(2) for POLLOUT while nothing could be written. Fails with ETIMEDOUT when nothing was
    /// written for `timeout`; returns what was written as soon as anything was.
    public func send(_ bytes: UnsafeRawBufferPointer, timeout: Int64) -> Result<Int, Errno> {
        let deadline = saturatingSum(monotonicNow(), timeout)
        while true {
            switch send(bytes, flags: Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) {
            case .failure(let e) where e == .wouldBlock:
                let left = deadline - monotonicNow()
                if left <= 0 { return .failure(.timedOut) }
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                // Rounded up, so a wait never ends just short of the deadline and spins.
                let ms = Int32(clamping: (left + 999_999) / 1_000_000)
                if case .failure(let e) = retryingInterrupts({ poll(&p, 1, ms) }) { return .failure(e) }
            case let other:
                return other
            }
        }
    }

    /// Writes all of `bytes` on a stream socket, looping over short writes.
    public func sendAll(_ bytes: UnsafeRawBufferPointer) -> Result<Int, Errno> {
        var offset = 0
        while offset < bytes.count {
            switch send(UnsafeRawBufferPointer(rebasing: bytes[offset...])) {
            case .success(let n): offset += n
            case .failure(let e): return .failure(e)
            }
        }
        return .success(offset)
    }

    /// Sends many datagrams with one `sendmmsg(2)`; returns how many went out.
    public func sendMultiple(_ datagrams: [UnsafeRawBufferPointer]) -> Result<Int, Errno> {
        let n = datagrams.count
        if n == 0 { return .success(0) }
        var iovecs = datagrams.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
        var headers = [cms_mmsghdr](repeating: cms_mmsghdr(), count: n)
        return iovecs.withUnsafeMutableBufferPointer { iov in
            for i in 0..<n {
                headers[i].msg_hdr.msg_iov = iov.baseAddress! + i
                headers[i].msg_hdr.msg_iovlen = 1
            }
            return retryingInterrupts { Int(cms_sendmmsg(fd, &headers, UInt32(n), Int32(MSG_NOSIGNAL))) }
        }
    }

    /// Bytes received and not yet read (FIONREAD); 0 when the kernel does not say.
    public var pendingBytes: Int {
        var n: Int32 = 0
        return ioctl(fd, UInt(FIONREAD), &n) == 0 ? Int(n) : 0
    }

    /// One recv(2) into `buffer`; 0 means the peer closed a stream.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, Errno> {
        retryingInterrupts { recv(fd, buffer.baseAddress, buffer.count, 0) }
    }

    /// One recvfrom(2): bytes and the sender's address.
    public func receiveFrom(into buffer: UnsafeMutableRawBufferPointer) -> Result<(Int, SocketAddress), Errno> {
        var a = SocketAddress()
        a.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = retryingInterrupts {
            withUnsafeMutablePointer(to: &a.storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, buffer.baseAddress, buffer.count, 0, $0, &a.length) }
            }
        }
        return r.map { ($0, a) }
    }

    /// Accepts a connection on a listening stream socket.
    public func accept() -> Result<(Socket, SocketAddress), Errno> {
        var a = SocketAddress()
        a.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = retryingInterrupts {
            withUnsafeMutablePointer(to: &a.storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cms_accept4(fd, $0, &a.length, Int32(SOCK_CLOEXEC.rawValue)) }
            }
        }
        return r.map { (Socket(fd: $0, endpoint: endpoint, isDatagram: false), a) }
    }

    /// The socket's inode, which names it in `/proc/net/udp`.
    public func inode() -> UInt64? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return UInt64(st.st_ino)
    }
}
