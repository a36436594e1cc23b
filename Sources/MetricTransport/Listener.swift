import CMetricSys
import MetricFormats
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// How a ``Listener`` binds and bounds what it receives.
public struct ListenerOptions: Sendable {
    /// Longest line on a stream socket; longer lines are reported and dropped (`--max-line`).
    public var maxLineBytes = 64 * 1024
    /// Open stream connections at most. When all are taken, a new connection closes the one idle
    /// longest, those that never sent a whole line first (so floods and slow peers cannot lock out
    /// a client that sends), with a report.
    public var maxConnections = 1024
    /// A stream connection that sends nothing for this long (ns) is closed, with a report
    /// (Telegraf's `read_timeout`); nil keeps idle connections open.
    public var readTimeout: Int64?
    /// SO_RCVBUF to ask for (Telegraf's `read_buffer_size`), nil for the kernel default.
    public var receiveBuffer: Int32?
    /// Use SO_RCVBUFFORCE (needs CAP_NET_ADMIN) to pass `net.core.rmem_max`.
    public var forceReceiveBuffer = false
    /// Permissions of a Unix socket file.
    public var unixSocketMode: mode_t = 0o660
    /// Datagrams read per recvmmsg call.
    public var datagramBatch = 64
    /// Largest datagram read whole; a longer one is truncated by the kernel and reported.
    public var maxDatagram = 65536
    /// Share UDP and TCP ports with other sockets that set SO_REUSEPORT too (`--reuse-port`);
    /// without it a port that is taken is an error.
    public var reusePort = false
    /// Hand out the lines of each datagram as ``Received/line(_:_:)`` events after it; off when the
    /// delegate splits datagrams itself (``Listener/splitLines(_:_:_:)``).
    public var splitDatagrams = true

    public init() {}
}

/// Who sent something: the listening address and the peer.
public struct Peer: Sendable, Hashable, CustomStringConvertible {
    /// The listening endpoint, as given.
    public var listener: String
    /// `127.0.0.1:53211`, a Unix path, or `unix` for an unnamed Unix peer.
    public var address: String
    /// A connection number for stream peers (0 for datagrams).
    public var connection: Int
    public var description: String { address }
}

/// What a listener hands to its delegate.
public enum Received {
    /// A whole line (without `\n`), from a stream or from inside a datagram.
    case line(UnsafeBufferPointer<UInt8>, Peer)
    /// A datagram exactly as it arrived, before it is split into lines.
    case datagram(UnsafeBufferPointer<UInt8>, Peer)
    /// Bytes from a stream connection exactly as read.
    case chunk(UnsafeBufferPointer<UInt8>, Peer)
    /// A stream connection opened or closed.
    case connected(Peer)
    case disconnected(Peer)
    /// A problem that dropped data: an overlong line, a truncated datagram, a refused connection.
    case dropped(String, Peer?)
}

/// Why ``Listener/run(until:_:)`` returned.
public enum StopReason: Equatable, Sendable {
    /// The delegate asked to stop.
    case delegate
    /// The deadline passed.
    case timeout
    /// SIGINT or SIGTERM arrived.
    case signal(Int32)
}

/// Binds several endpoints and serves them from one epoll loop, no thread per connection.
///
/// Streams are split into lines with a bounded ``LineFramer`` per connection; datagrams are read
/// in batches with recvmmsg and split on `\n`. A Unix socket file is created with the configured
/// mode and removed again on ``close()``; a file that is not a socket is never deleted.
public final class Listener {
    public let options: ListenerOptions
    public private(set) var sockets: [Socket] = []
    /// What each endpoint got as receive buffer, after the kernel's doubling and capping.
    public private(set) var grantedReceiveBuffers: [Int32] = []
    /// Datagrams the kernel dropped on our UDP sockets, from SO_RXQ_OVFL (the last value seen).
    public private(set) var overflowDrops: UInt64 = 0
    /// Datagrams the kernel handed over that the delegate never saw: the rest of a batch after it
    /// said stop, and what ``discardQueued()`` read at the end.
    public private(set) var unhandledDatagrams = 0
    public private(set) var openConnections = 0

    private var epfd: Int32 = -1
    private var signalFD: Int32 = -1
    private var oldMask = sigset_t()
    private var unixPaths: [String] = []
    private var connections: [Int32: Connection] = [:]
    private var nextConnection = 1
    private var datagramBuffer: [UInt8] = []
    private var overflowBySocket: [Int32: UInt64] = [:]

    final class Connection {
        let socket: Socket
        let peer: Peer
        var framer: LineFramer
        /// When the peer last sent bytes (or connected), monotonic ns.
        var lastActivity: Int64
        /// The peer has sent a whole line: it is a client, not a silent or trickling slot holder.
        var sentLine = false
        init(socket: Socket, peer: Peer, maxLine: Int, now: Int64) {
            self.socket = socket
            self.peer = peer
            self.framer = LineFramer(maxLineBytes: maxLine)
            self.lastActivity = now
        }
    }

    /// Binds every endpoint.
    /// - Throws: ``TransportError`` naming the endpoint that could not be bound.
    public init(endpoints: [Endpoint], options: ListenerOptions = ListenerOptions()) throws(TransportError) {
        self.options = options
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        if epfd < 0 { throw .system(operation: "epoll_create1", endpoint: "listen", errno: .last) }
        do throws(TransportError) {
            for endpoint in endpoints {
                let s = try bind(endpoint)
                sockets.append(s)
                try s.setNonBlocking()
                try watch(s.fd)
            }
        } catch {
            close()
            throw error
        }
        datagramBuffer = [UInt8](repeating: 0, count: options.datagramBatch * options.maxDatagram)
    }

    deinit { close() }

    private func bind(_ endpoint: Endpoint) throws(TransportError) -> Socket {
        do throws(TransportError) {
            return try bindOnce(endpoint)
        } catch {
            if case .system("bind", _, .addressInUse) = error { throw .refused(Self.inUseMessage(endpoint)) }
            if case .system("bind", _, let e) = error, let problem = Self.directoryProblem(endpoint, e) { throw .refused(problem) }
            throw error
        }
    }

    /// Why a Unix socket's directory cannot take it (`unix:///tmp/nope/x.sock: directory /tmp/nope
    /// does not exist`), for the errnos bind gives about the path; nil otherwise.
    static func directoryProblem(_ endpoint: Endpoint, _ e: Errno) -> String? {
        let path: String
        switch endpoint {
        case .unix(let p), .unixgram(let p): path = p
        default: return nil
        }
        if path.hasPrefix("@") { return nil }
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        switch e.rawValue {
        case ENOENT:
            var st = stat()
            return lstat(directory, &st) == 0 ? nil : "\(endpoint): directory \(directory) does not exist"
        case ENOTDIR: return "\(endpoint): a part of \(directory) is not a directory"
        case EACCES: return "\(endpoint): no permission to create a socket in \(directory)"
        default: return nil
        }
    }

    /// `udp://127.0.0.1:8125 is already in use (ss -lunp 'sport = :8125' shows by whom)`.
    static func inUseMessage(_ endpoint: Endpoint) -> String {
        let who: String
        switch endpoint {
        case .udp(_, let port, _): who = "ss -lunp 'sport = :\(port)'"
        case .tcp(_, let port, _): who = "ss -ltnp 'sport = :\(port)'"
        case .unix(let path), .unixgram(let path): who = "ss -lxp 'src \(path)'"
        default: who = "ss -lp"
        }
        return "\(endpoint) is already in use (\(who) shows by whom)"
    }

    private func bindOnce(_ endpoint: Endpoint) throws(TransportError) -> Socket {
        switch endpoint {
        case .unix(let path), .unixgram(let path):
            try Self.clearStaleSocket(path, endpoint: endpoint)
            let s = try Socket.bind(endpoint)
            unixPaths.append(path)
            if !path.hasPrefix("@"), chmod(path, options.unixSocketMode) != 0 {
                throw .system(operation: "chmod", endpoint: endpoint.description, errno: .last)
            }
            return s
        case .udp:
            let s = try Socket.bind(endpoint, reusePort: options.reusePort)
            if let size = options.receiveBuffer {
                grantedReceiveBuffers.append(try s.setReceiveBuffer(size, force: options.forceReceiveBuffer))
            } else {
                grantedReceiveBuffers.append((try? s.getOption(SOL_SOCKET, SO_RCVBUF)) ?? 0)
            }
            let ovfl = cms_so_rxq_ovfl()
            if ovfl >= 0 { try? s.setOption(SOL_SOCKET, ovfl, 1) }
            return s
        default:
            let s = try Socket.bind(endpoint, reusePort: options.reusePort)
            if let size = options.receiveBuffer { _ = try? s.setReceiveBuffer(size, force: options.forceReceiveBuffer) }
            return s
        }
    }

    /// Removes a leftover socket file nobody listens on; refuses a live one or any other kind of file.
    static func clearStaleSocket(_ path: String, endpoint: Endpoint) throws(TransportError) {
        if path.hasPrefix("@") { return }
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else {
            throw .refused("\(endpoint): \(path) exists and is not a socket: not touching it")
        }
        let probeEndpoint: Endpoint = endpoint.isDatagram ? .unixgram(path: path) : .unix(path: path)
        if (try? Socket.connect(to: probeEndpoint)) != nil {
            throw .system(operation: "bind", endpoint: endpoint.description, errno: .addressInUse)
        }
        unlink(path)
    }

    private func watch(_ fd: Int32) throws(TransportError) {
        var ev = epoll_event()
        ev.events = EPOLLIN.rawValue
        ev.data.fd = fd
        if epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 { throw .system(operation: "epoll_ctl", endpoint: "listen", errno: .last) }
    }

    /// Turns SIGINT and SIGTERM, and the signals in `also` (SIGCHLD), into a return of
    /// ``run(until:onIdle:_:)`` with ``StopReason/signal(_:)``; a signal that arrived before stays
    /// pending and is reported at the next run.
    public func handleSignals(also: [Int32] = []) {
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        for s in also { sigaddset(&mask, s) }
        pthread_sigmask(SIG_BLOCK, &mask, &oldMask)
        signalFD = signalfd(-1, &mask, Int32(SFD_CLOEXEC | SFD_NONBLOCK))
        if signalFD >= 0 { try? watch(signalFD) }
    }

    /// The port the first IP endpoint is bound to (for `:0`).
    public func boundPort(_ index: Int = 0) -> UInt16? {
        try? sockets[index].localAddress().port
    }

    /// Serves events until the delegate returns false, `deadline` (monotonic ns) passes, or a signal.
    /// `onIdle` runs before every wait for new events: the place to flush buffered output, so output
    /// goes out in large writes under load and at once when traffic pauses.
    public func run(until deadline: Int64? = nil, onIdle: () -> Void = {}, _ delegate: (Received) -> Bool) -> StopReason {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            onIdle()
            if !closeIdleConnections(delegate) { return .delegate }
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline - monotonicNow()
                if left <= 0 { return .timeout }
                timeout = Int32(min((left + 999_999) / 1_000_000, Int64(Int32.max)))
            }
            if let readTimeout = options.readTimeout, !connections.isEmpty {
                // Wake for the earliest connection to reach its idle limit.
                let oldest = connections.values.map(\.lastActivity).min() ?? monotonicNow()
                let left = max(oldest &+ readTimeout &- monotonicNow(), 0)
                let ms = Int32(min((left + 999_999) / 1_000_000, Int64(Int32.max)))
                timeout = timeout < 0 ? ms : min(timeout, ms)
            }
            let n = epoll_wait(epfd, &events, Int32(events.count), timeout)
            if n < 0 {
                if errno == EINTR { continue }
                return .timeout
            }
            for i in 0..<Int(n) {
                let fd = events[i].data.fd
                if fd == signalFD {
                    var info = signalfd_siginfo()
                    let r = read(signalFD, &info, MemoryLayout<signalfd_siginfo>.size)
                    if r > 0 { return .signal(Int32(info.ssi_signo)) }
                    continue
                }
                if let s = sockets.first(where: { $0.fd == fd }) {
                    if s.isDatagram {
                        if !readDatagrams(s, delegate) { return .delegate }
                    } else {
                        if !acceptConnections(s, delegate) { return .delegate }
                    }
                } else if let c = connections[fd] {
                    if !readConnection(c, delegate) { return .delegate }
                }
            }
        }
    }

    /// Reads what the kernel already holds for this listener (queued datagrams, connections
    /// waiting to be accepted, bytes acknowledged to stream senders), then closes every connection,
    /// handing out its last unfinished line. Called at SIGINT or SIGTERM, so what a sender was told
    /// arrived is not dropped unread. Bounded however fast peers send: at most ``drainBatches``
    /// batches of datagrams a socket (more than the largest receive buffer holds), one pass over
    /// each connection.
    public func drain(_ delegate: (Received) -> Bool) {
        for s in sockets {
            let more = s.isDatagram ? readDatagrams(s, delegate, batches: Self.drainBatches) : acceptConnections(s, delegate)
            if !more { return }
        }
        for c in connections.values.sorted(by: { $0.peer.connection < $1.peer.connection }) {
            if connections[c.socket.fd] === c, !readConnection(c, delegate) { return }
        }
        for c in connections.values.sorted(by: { $0.peer.connection < $1.peer.connection }) {
            if !closeConnection(c, nil, delegate) { return }
        }
    }

    private func acceptConnections(_ s: Socket, _ delegate: (Received) -> Bool) -> Bool {
        while true {
            switch s.accept() {
            case .success(let (conn, address)):
                let peer = Peer(listener: s.endpoint.description, address: address.description, connection: nextConnection)
                nextConnection += 1
                if openConnections >= options.maxConnections {
                    switch makeRoom(delegate) {
                    case .made: break
                    case .stop: return false
                    case .none:
                        conn.close()
                        if !delegate(.dropped("connection refused: \(options.maxConnections) connections are open (raise --max-connections)", peer)) { return false }
                        continue
                    }
                }
                try? conn.setNonBlocking()
                let c = Connection(socket: conn, peer: peer, maxLine: options.maxLineBytes, now: monotonicNow())
                connections[conn.fd] = c
                openConnections += 1
                try? watch(conn.fd)
                if !delegate(.connected(peer)) { return false }
            case .failure(let e):
                if e == .wouldBlock { return true }
                return delegate(.dropped("accept failed: \(e.detail)", nil))
            }
        }
    }

    private enum Room { case made, none, stop }

    /// Frees a slot when all are taken: of the connections that have not sent a whole line yet
    /// (silent, or trickling a line), the one idle longest is closed, with a report; only when every
    /// connection has sent lines, the one idle longest of all. So a flood of new connections or slow
    /// peers cannot push out a client that sends. One whose bytes wait unread is not idle (a burst of
    /// new connections is accepted before the reads come round): it is read first, which also finds
    /// one its peer closed.
    private func makeRoom(_ delegate: (Received) -> Bool) -> Room {
        var checked = 0
        func older(_ a: Connection, _ b: Connection) -> Bool {
            a.sentLine != b.sentLine ? !a.sentLine : a.lastActivity < b.lastActivity
        }
        while openConnections >= options.maxConnections {
            guard let idlest = connections.values.min(by: older) else { return .none }
            if checked < connections.count, idlest.socket.pendingBytes > 0 {
                checked += 1
                if !readConnection(idlest, delegate) { return .stop }
                continue
            }
            let idle = Double(monotonicNow() - idlest.lastActivity) / 1e9
            let why = "closed after \(Int(idle)) s idle to make room: \(options.maxConnections) connections are open (raise --max-connections)"
            if !closeConnection(idlest, why, delegate) { return .stop }
        }
        return .made
    }

    private func readConnection(_ c: Connection, _ delegate: (Received) -> Bool) -> Bool {
        var keepGoing = true
        var closed = false
        datagramBuffer.withUnsafeMutableBytes { raw in
            let buffer = UnsafeMutableRawBufferPointer(rebasing: raw[0..<min(raw.count, 256 * 1024)])
            // Bounded reads per event, so one busy peer cannot starve the others.
            for _ in 0..<16 {
                switch c.socket.receive(into: buffer) {
                case .success(0):
                    closed = true
                    return
                case .success(let n):
                    c.lastActivity = monotonicNow()
                    let bytes = UnsafeBufferPointer(rebasing: UnsafeRawBufferPointer(buffer).bindMemory(to: UInt8.self)[0..<n])
                    if !delegate(.chunk(bytes, c.peer)) {
                        keepGoing = false
                        return
                    }
                    c.framer.feed(bytes) { event in
                        guard keepGoing else { return }
                        switch event {
                        case .line(let line, _):
                            c.sentLine = true
                            if !delegate(.line(line, c.peer)) { keepGoing = false }
                        case .tooLong(let number, let limit):
                            if !delegate(.dropped("line \(number) is longer than \(limit) bytes: dropped (raise --max-line)", c.peer)) { keepGoing = false }
                        }
                    }
                    if !keepGoing { return }
                    if n < buffer.count { return }
                case .failure(let e):
                    if e == .wouldBlock { return }
                    closed = true
                    return
                }
            }
        }
        if closed && keepGoing { keepGoing = closeConnection(c, nil, delegate) }
        return keepGoing
    }

    /// Closes `c`: its last line without a newline is handed out, then `why` (when the listener
    /// closes it) and the disconnection.
    private func closeConnection(_ c: Connection, _ why: String?, _ delegate: (Received) -> Bool) -> Bool {
        var keepGoing = true
        c.framer.finish { event in
            guard keepGoing else { return }
            if case .line(let line, _) = event, !delegate(.line(line, c.peer)) { keepGoing = false }
        }
        connections[c.socket.fd] = nil
        openConnections -= 1
        c.socket.close()
        if keepGoing, let why, !delegate(.dropped(why, c.peer)) { keepGoing = false }
        if keepGoing && !delegate(.disconnected(c.peer)) { keepGoing = false }
        return keepGoing
    }

    /// Closes the connections that sent nothing for ``ListenerOptions/readTimeout``.
    private func closeIdleConnections(_ delegate: (Received) -> Bool) -> Bool {
        guard let readTimeout = options.readTimeout, !connections.isEmpty else { return true }
        let now = monotonicNow()
        for c in connections.values where now &- c.lastActivity >= readTimeout {
            let idle = readTimeout % 1_000_000_000 == 0 ? "\(readTimeout / 1_000_000_000) s" : "\(readTimeout / 1_000_000) ms"
            if !closeConnection(c, "closed after \(idle) without data (--read-timeout)", delegate) { return false }
        }
        return true
    }

    /// Batches of datagrams ``drain(_:)`` reads at most from one socket: 4096 x 64 is more than a
    /// 64 MiB receive buffer holds of the smallest datagrams (the kernel accounts about 768 bytes
    /// each), and a sender still flooding cannot hold the end for long (well under a second).
    static let drainBatches = 4096

    /// Reads up to `batches` batches of datagrams (fewer once the socket is empty); false when the
    /// delegate said stop.
    private func readDatagrams(_ s: Socket, _ delegate: (Received) -> Bool, batches: Int = 8) -> Bool {
        let batch = options.datagramBatch
        let size = options.maxDatagram
        let controlSize = Int(cms_cmsg_space_u32())
        var keepGoing = true
        var headers = [cms_mmsghdr](repeating: cms_mmsghdr(), count: batch)
        var iovecs = [iovec](repeating: iovec(), count: batch)
        var addresses = [sockaddr_storage](repeating: sockaddr_storage(), count: batch)
        var control = [UInt8](repeating: 0, count: batch * controlSize)
        let listenerName = s.endpoint.description
        // The socket's drop counter as last seen, looked up once a call, not once a datagram.
        var knownDrops = overflowBySocket[s.fd] ?? 0
        datagramBuffer.withUnsafeMutableBytes { raw in
            iovecs.withUnsafeMutableBufferPointer { iov in
                addresses.withUnsafeMutableBufferPointer { addr in
                    control.withUnsafeMutableBytes { ctl in
                        for _ in 0..<batches where keepGoing {
                            for i in 0..<batch {
                                iov[i] = iovec(iov_base: raw.baseAddress! + i * size, iov_len: size)
                                headers[i].msg_hdr.msg_iov = iov.baseAddress! + i
                                headers[i].msg_hdr.msg_iovlen = 1
                                headers[i].msg_hdr.msg_name = UnsafeMutableRawPointer(addr.baseAddress! + i)
                                headers[i].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                                headers[i].msg_hdr.msg_control = ctl.baseAddress! + i * controlSize
                                headers[i].msg_hdr.msg_controllen = controlSize
                                headers[i].msg_hdr.msg_flags = 0
                            }
                            var n: Int32
                            repeat { n = cms_recvmmsg(s.fd, &headers, UInt32(batch), Int32(MSG_DONTWAIT), nil) } while n < 0 && errno == EINTR
                            if n <= 0 { return }
                            for i in 0..<Int(n) {
                                let len = Int(headers[i].msg_len)
                                var address = SocketAddress()
                                address.storage = addr[i]
                                address.length = headers[i].msg_hdr.msg_namelen
                                let peer = Peer(listener: listenerName, address: peerName(address), connection: 0)
                                let drops = cms_rxq_ovfl_count(&headers[i].msg_hdr)
                                if drops >= 0 && UInt64(drops) > knownDrops {
                                    overflowDrops += UInt64(drops) - knownDrops
                                    knownDrops = UInt64(drops)
                                    overflowBySocket[s.fd] = knownDrops
                                }
                                let bytes = UnsafeBufferPointer(start: (raw.baseAddress! + i * size).assumingMemoryBound(to: UInt8.self), count: len)
                                if headers[i].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0 {
                                    if !delegate(.dropped("datagram longer than \(size) bytes: truncated, dropped", peer)) {
                                        unhandledDatagrams += Int(n) - i - 1
                                        keepGoing = false
                                        return
                                    }
                                    continue
                                }
                                if !delegate(.datagram(bytes, peer)) {
                                    unhandledDatagrams += Int(n) - i - 1
                                    keepGoing = false
                                    return
                                }
                                if options.splitDatagrams, !Self.splitLines(bytes, peer, delegate) {
                                    keepGoing = false
                                    return
                                }
                            }
                            if Int(n) < batch { return }
                        }
                    }
                }
            }
        }
        return keepGoing
    }

    /// The text of a datagram sender's address; the last one is kept, since datagrams mostly come
    /// in runs from one sender, and formatting it is a measurable share of a small datagram's cost.
    private var lastPeer: (bytes: [UInt8], name: String) = ([], "")

    private func peerName(_ address: SocketAddress) -> String {
        let length = Int(address.length)
        // An unnamed Unix datagram sender has no address at all (as SocketAddress names it).
        if length == 0 { return "unix" }
        let same = withUnsafeBytes(of: address.storage) { raw in
            length == lastPeer.bytes.count && length <= raw.count && raw.prefix(length).elementsEqual(lastPeer.bytes)
        }
        if same { return lastPeer.name }
        let name = address.description
        lastPeer = (withUnsafeBytes(of: address.storage) { Array($0.prefix(min(length, $0.count))) }, name)
        return name
    }

    /// Hands out the non-empty lines of one datagram; a final line needs no newline.
    public static func splitLines(_ bytes: UnsafeBufferPointer<UInt8>, _ peer: Peer, _ delegate: (Received) -> Bool) -> Bool {
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            if end > start, !delegate(.line(UnsafeBufferPointer(rebasing: bytes[start..<end]), peer)) { return false }
            start = end + 1
        }
        return true
    }

    /// Reads and counts (in ``unhandledDatagrams``), without handing them out, the datagrams still
    /// queued on the datagram sockets when the run stops, so that what the kernel accepted for this
    /// listener is either handled, dropped by the kernel or counted here. At most `limit` a socket,
    /// so a sender that keeps flooding cannot hold the end. Returns how many it read.
    @discardableResult
    public func discardQueued(limit: Int = 1 << 16) -> Int {
        var byte: UInt8 = 0
        var read = 0
        for s in sockets where s.isDatagram {
            var n = 0
            // A 1-byte buffer takes a whole datagram off the queue (the rest is cut off).
            while n < limit {
                if recv(s.fd, &byte, 1, Int32(MSG_DONTWAIT)) >= 0 {
                    n += 1
                } else if errno != EINTR {
                    break
                }
            }
            read += n
        }
        unhandledDatagrams += read
        return read
    }

    /// Kernel drops on the UDP sockets from `/proc/net/udp`, read now.
    public func kernelDrops() -> UInt64 {
        var total: UInt64 = 0
        for s in sockets where s.isDatagram {
            if case .udp = s.endpoint, let inode = s.inode(), let d = KernelCounters.udpDrops(inode: inode) { total += d }
        }
        return max(total, overflowDrops)
    }

    /// Closes every socket and removes the Unix socket files this listener created; the signals
    /// ``handleSignals(also:)`` took stay taken until ``close()``, so a run that is ending (a last
    /// flush, forward targets) is not killed by a SIGINT or SIGTERM meanwhile.
    public func closeSockets() {
        for c in connections.values { c.socket.close() }
        connections.removeAll()
        for s in sockets { s.close() }
        sockets.removeAll()
        for path in unixPaths where !path.hasPrefix("@") {
            var st = stat()
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
        }
        unixPaths.removeAll()
    }

    /// Closes every socket, removes the Unix socket files this listener created, and gives the
    /// signals back. A SIGINT or SIGTERM that came while the run was ending is taken as part of
    /// the same stop (read and dropped), not delivered after it with its default action.
    public func close() {
        closeSockets()
        if signalFD >= 0 {
            var info = signalfd_siginfo()
            while read(signalFD, &info, MemoryLayout<signalfd_siginfo>.size) > 0 {}
            Glibc.close(signalFD)
            signalFD = -1
            pthread_sigmask(SIG_SETMASK, &oldMask, nil)
        }
        if epfd >= 0 {
            Glibc.close(epfd)
            epfd = -1
        }
    }
}
