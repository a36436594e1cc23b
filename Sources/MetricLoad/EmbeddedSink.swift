#if canImport(Glibc)
import Glibc
#endif
import CMetricSys
import MetricTransport
import MetricatKit
import Synchronization

/// A receiver in the same process, on its own thread: what `load` measures against when no target is
/// given. Datagrams are read with recvmmsg(64); stream connections with 256 KiB reads. Every line's
/// sequence number goes to a ``SequenceTracker``.
public final class EmbeddedSink: @unchecked Sendable {
    /// Where senders reach the sink (the port the kernel chose, the temporary socket path).
    public let endpoint: Endpoint
    public let granted: Int32
    let socket: Socket
    let seqKey: [UInt8]?
    private let stopFlag = Atomic<Bool>(false)
    private let lastReceive = Atomic<Int64>(0)
    private let liveLines = Atomic<UInt64>(0)
    private var thread: pthread_t?
    private var unixPath: String?

    // Owned by the sink thread until stop() joins it.
    public var tracker: SequenceStreams { counting.tracker }
    public var lines: UInt64 { counting.lines }
    private var counting: LineCounter
    public private(set) var bytes: UInt64 = 0
    public private(set) var datagrams: UInt64 = 0
    public private(set) var connections = 0

    /// Binds `transport` (`udp`, `udp6`, `tcp`, `unix`, `unixgram`) on loopback or in `directory`.
    public init(transport: String, directory: String, receiveBuffer: Int32?, seqKey: String?) throws(LoadError) {
        let bindTo: Endpoint
        switch transport {
        case "udp", "udp4": bindTo = .udp(host: "127.0.0.1", port: 0, family: .ipv4)
        case "udp6": bindTo = .udp(host: "::1", port: 0, family: .ipv6)
        case "tcp", "tcp4": bindTo = .tcp(host: "127.0.0.1", port: 0, family: .ipv4)
        case "tcp6": bindTo = .tcp(host: "::1", port: 0, family: .ipv6)
        case "unix": bindTo = .unix(path: directory + "/sink.sock")
        case "unixgram": bindTo = .unixgram(path: directory + "/sink.sock")
        default: throw .usage("--transport '\(transport)': expected udp, udp6, tcp, tcp6, unix or unixgram")
        }
        do {
            socket = try Socket.bind(bindTo)
            if let rb = receiveBuffer { granted = try socket.setReceiveBuffer(rb, force: true) } else { granted = try socket.getOption(SOL_SOCKET, SO_RCVBUF) }
            switch bindTo {
            case .udp(let host, _, let family): endpoint = .udp(host: host, port: try socket.localAddress().port, family: family)
            case .tcp(let host, _, let family): endpoint = .tcp(host: host, port: try socket.localAddress().port, family: family)
            case .unix(let p), .unixgram(let p):
                unixPath = p
                endpoint = bindTo
            default: endpoint = bindTo
            }
        } catch {
            throw .unavailable("embedded sink: \(error)")
        }
        self.seqKey = seqKey.map { Array($0.utf8) }
        counting = LineCounter(key: self.seqKey)
    }

    deinit {
        socket.close()
        if let p = unixPath { unlink(p) }
    }

    /// Kernel drops of the sink's UDP socket (`/proc/net/udp` by inode); nil for other transports.
    public func kernelDrops() -> UInt64? {
        guard case .udp = endpoint, let inode = socket.inode() else { return nil }
        return KernelCounters.udpDrops(inode: inode)
    }

    /// Lines received so far (for live progress; any thread).
    public var receivedSoFar: UInt64 { liveLines.load(ordering: .relaxed) }
    /// Monotonic time of the last arrival, 0 before the first.
    public var lastArrival: Int64 { lastReceive.load(ordering: .relaxed) }

    public func start() {
        let box = Unmanaged.passRetained(self)
        var t = pthread_t()
        pthread_create(&t, nil, { arg in
            let sink = Unmanaged<EmbeddedSink>.fromOpaque(arg!).takeRetainedValue()
            sink.serve()
            return nil
        }, box.toOpaque())
        thread = t
    }

    /// Waits until nothing arrived for `idle` ns (bounded by `limit` ns), then stops and joins the thread.
    public func drainAndStop(idle: Int64 = 500_000_000, limit: Int64 = 5_000_000_000) {
        let begin = Clock.monotonicNanoseconds()
        while true {
            let now = Clock.monotonicNanoseconds()
            let last = max(lastArrival, begin)
            if now - last >= idle || now - begin >= limit { break }
            usleep(20_000)
        }
        stop()
    }

    public func stop() {
        stopFlag.store(true, ordering: .relaxed)
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
    }

    private func serve() {
        // The counters live on this thread's stack while it runs (no exclusivity checks per line).
        var state = counting
        if socket.isDatagram { serveDatagrams(&state) } else { serveStreams(&state) }
        counting = state
    }

    private func serveDatagrams(_ state: inout LineCounter) {
        let batch = 64
        let size = 65536
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: batch * size, alignment: 16)
        defer { buffer.deallocate() }
        var iov = [iovec](repeating: iovec(), count: batch)
        var headers = [cms_mmsghdr](repeating: cms_mmsghdr(), count: batch)
        for i in 0..<batch { iov[i] = iovec(iov_base: buffer + i * size, iov_len: size) }
        var pfd = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
        iov.withUnsafeMutableBufferPointer { iovp in
            while !stopFlag.load(ordering: .relaxed) {
                pfd.revents = 0
                if poll(&pfd, 1, 20) <= 0 { continue }
                while true {
                    for i in 0..<batch {
                        headers[i].msg_hdr.msg_iov = iovp.baseAddress! + i
                        headers[i].msg_hdr.msg_iovlen = 1
                        headers[i].msg_hdr.msg_name = nil
                        headers[i].msg_hdr.msg_namelen = 0
                        headers[i].msg_hdr.msg_control = nil
                        headers[i].msg_hdr.msg_controllen = 0
                    }
                    let n = cms_recvmmsg(socket.fd, &headers, UInt32(batch), Int32(MSG_DONTWAIT), nil)
                    if n <= 0 { break }
                    for i in 0..<Int(n) {
                        let len = Int(headers[i].msg_len)
                        datagrams += 1
                        bytes += UInt64(len)
                        state.consume(UnsafeBufferPointer(start: (buffer + i * size).assumingMemoryBound(to: UInt8.self), count: len), partial: nil)
                    }
                    liveLines.store(state.lines, ordering: .relaxed)
                    lastReceive.store(Clock.monotonicNanoseconds(), ordering: .relaxed)
                    if Int(n) < batch { break }
                }
            }
        }
    }

    private func serveStreams(_ state: inout LineCounter) {
        try? socket.setNonBlocking()
        var fds: [pollfd] = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)]
        var partials: [Int32: [UInt8]] = [:]
        let size = 256 * 1024
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer {
            buffer.deallocate()
            for f in fds.dropFirst() { close(f.fd) }
        }
        while true {
            let stopping = stopFlag.load(ordering: .relaxed)
            if stopping && fds.count == 1 { return }
            let r = poll(&fds, nfds_t(fds.count), 20)
            if r <= 0 {
                if stopping { return }
                continue
            }
            if fds[0].revents != 0 {
                while case .success(let (conn, _)) = socket.accept() {
                    try? conn.setNonBlocking()
                    // The descriptor is taken over from the Socket object, closed by this loop.
                    let fd = dup(conn.fd)
                    conn.close()
                    fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                    partials[fd] = []
                    connections += 1
                }
            }
            var i = 1
            while i < fds.count {
                if fds[i].revents == 0 { i += 1; continue }
                let fd = fds[i].fd
                var closed = false
                for _ in 0..<16 {
                    let n = recv(fd, buffer, size, Int32(MSG_DONTWAIT))
                    if n == 0 { closed = true; break }
                    if n < 0 {
                        if errno == EINTR { continue }
                        if errno != EAGAIN { closed = true }
                        break
                    }
                    bytes += UInt64(n)
                    datagrams += 1
                    var partial = partials[fd] ?? []
                    partials[fd] = nil
                    withUnsafeMutablePointer(to: &partial) { state.consume(UnsafeBufferPointer(start: buffer, count: n), partial: $0) }
                    partials[fd] = partial
                    liveLines.store(state.lines, ordering: .relaxed)
                    lastReceive.store(Clock.monotonicNanoseconds(), ordering: .relaxed)
                    if n < size { break }
                }
                if closed {
                    if let rest = partials[fd], !rest.isEmpty { rest.withUnsafeBufferPointer { state.line($0) } }
                    partials[fd] = nil
                    close(fd)
                    fds.remove(at: i)
                } else {
                    i += 1
                }
            }
        }
    }
}

/// Counts lines and their sequence numbers; the sink thread keeps one on its stack.
struct LineCounter {
    let key: [UInt8]?
    var tracker = SequenceStreams()
    var lines: UInt64 = 0
    /// Where the key was in the previous line (lines of one run share their layout).
    var hint = -1

    init(key: [UInt8]?) { self.key = key }

    /// Splits `b` into lines; with `partial`, an unterminated tail is kept there for the next read.
    mutating func consume(_ b: UnsafeBufferPointer<UInt8>, partial: UnsafeMutablePointer<[UInt8]>?) {
        var start = 0
        let n = b.count
        guard n > 0 else { return }
        let base = b.baseAddress!
        if let partial, !partial.pointee.isEmpty {
            guard let hit = memchr(base, 0x0A, n) else {
                if partial.pointee.count < 1 << 20 { partial.pointee.append(contentsOf: b) }
                return
            }
            let nl = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            partial.pointee.append(contentsOf: b[0..<nl])
            partial.pointee.withUnsafeBufferPointer { line($0) }
            partial.pointee.removeAll(keepingCapacity: true)
            start = nl + 1
        }
        while start < n {
            guard let hit = memchr(base + start, 0x0A, n - start) else {
                if let partial {
                    partial.pointee.append(contentsOf: b[start..<n])
                } else {
                    line(UnsafeBufferPointer(rebasing: b[start..<n]))
                }
                return
            }
            let end = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            if end > start { line(UnsafeBufferPointer(rebasing: b[start..<end])) }
            start = end + 1
        }
    }

    @inline(__always) mutating func line(_ l: UnsafeBufferPointer<UInt8>) {
        lines += 1
        guard let key else { return }
        if let s = SequenceTracker.scan(l, key: key, hint: &hint) { tracker.record(SequenceTracker.number(s)) } else { tracker.recordUnnumbered() }
    }
}
