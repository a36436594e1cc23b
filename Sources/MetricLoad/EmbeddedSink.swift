import CMetricSys
import MetricTransport
import MetricatKit
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

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
    public var bytes: UInt64 { counting.bytes }
    /// Datagrams, or reads on stream connections.
    public var datagrams: UInt64 { counting.reads }
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
        pthread_create(
            &t, nil,
            { arg in
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
        state.flush()
        counting = state
    }

    private func serveDatagrams(_ state: inout LineCounter) {
        let batch = 64
        let size = 65536
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: batch * size, alignment: 16)
        let iov = UnsafeMutablePointer<iovec>.allocate(capacity: batch)
        let headers = UnsafeMutablePointer<cms_mmsghdr>.allocate(capacity: batch)
        defer {
            buffer.deallocate()
            iov.deallocate()
            headers.deallocate()
        }
        // Set once: recvmmsg writes only msg_len, msg_flags and (without name or control buffers) zero lengths.
        for i in 0..<batch {
            iov[i] = iovec(iov_base: buffer + i * size, iov_len: size)
            headers[i] = cms_mmsghdr()
            headers[i].msg_hdr.msg_iov = iov + i
            headers[i].msg_hdr.msg_iovlen = 1
        }
        var pfd = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
        while !stopFlag.load(ordering: .relaxed) {
            pfd.revents = 0
            if poll(&pfd, 1, 20) <= 0 { continue }
            while true {
                let n = cms_recvmmsg(socket.fd, headers, UInt32(batch), Int32(MSG_DONTWAIT), nil)
                if n <= 0 { break }
                for i in 0..<Int(n) {
                    let len = Int(headers[i].msg_len)
                    state.reads &+= 1
                    state.bytes &+= UInt64(len)
                    state.consume(UnsafeBufferPointer(start: (buffer + i * size).assumingMemoryBound(to: UInt8.self), count: len), keepTail: false)
                }
                state.flush()
                liveLines.store(state.lines, ordering: .relaxed)
                lastReceive.store(Clock.monotonicNanoseconds(), ordering: .relaxed)
                if Int(n) < batch { break }
            }
        }
    }

    private func serveStreams(_ state: inout LineCounter) {
        try? socket.setNonBlocking()
        var fds: [pollfd] = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)]
        // conns[i - 1] belongs to fds[i].
        var conns: [StreamConnection] = []
        defer { for f in fds.dropFirst() { close(f.fd) } }
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
                    conns.append(StreamConnection())
                    connections += 1
                }
            }
            var i = 1
            while i < fds.count {
                if fds[i].revents == 0 {
                    i += 1
                    continue
                }
                let fd = fds[i].fd
                let conn = conns[i - 1]
                var closed = false
                for _ in 0..<16 {
                    let room = StreamConnection.size - conn.kept
                    let n = recv(fd, conn.buffer + conn.kept, room, Int32(MSG_DONTWAIT))
                    if n == 0 {
                        closed = true
                        break
                    }
                    if n < 0 {
                        if errno == EINTR { continue }
                        if errno != EAGAIN { closed = true }
                        break
                    }
                    state.bytes += UInt64(n)
                    state.reads += 1
                    conn.take(n, into: &state)
                    state.flush()
                    liveLines.store(state.lines, ordering: .relaxed)
                    lastReceive.store(Clock.monotonicNanoseconds(), ordering: .relaxed)
                    if n < room { break }
                }
                if closed {
                    conn.finish(into: &state)
                    state.flush()
                    close(fd)
                    fds.remove(at: i)
                    conns.remove(at: i - 1)
                } else {
                    i += 1
                }
            }
        }
    }
}

/// One stream connection of the sink: its receive buffer, which starts with the unterminated end of
/// the previous read (moved to the front), so a line split across reads is read in place.
final class StreamConnection {
    static let size = 256 * 1024
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: StreamConnection.size)
    /// Bytes at the front of `buffer` that belong to a line not yet ended.
    var kept = 0
    /// A line filled the whole buffer: it was counted then, and its rest is skipped up to its newline.
    var overlong = false

    deinit { buffer.deallocate() }

    /// Counts the lines in the `n` bytes just read behind ``kept``.
    func take(_ n: Int, into state: inout LineCounter) {
        var from = 0
        if overlong {
            guard let hit = memchr(buffer, 0x0A, n) else { return }
            from = UnsafeRawPointer(hit) - UnsafeRawPointer(buffer) + 1
            overlong = false
        }
        if from > 0 {
            // Only the skipped rest of a long line precedes `from`; nothing is kept.
            let count = n - from
            let done = state.consume(UnsafeBufferPointer(start: buffer + from, count: count), keepTail: true)
            keep(from + done, total: n)
            return
        }
        let total = kept + n
        let done = state.consume(UnsafeBufferPointer(start: buffer, count: total), keepTail: true)
        if done == 0 && total == Self.size {
            // No newline in a whole buffer: count the line now and skip the rest of it as it comes.
            state.line(UnsafeBufferPointer(start: buffer, count: total))
            kept = 0
            overlong = true
            return
        }
        keep(done, total: total)
    }

    private func keep(_ done: Int, total: Int) {
        kept = total - done
        if kept > 0 && done > 0 { memmove(buffer, buffer + done, kept) }
    }

    /// The connection ended: an unterminated last line still counts.
    func finish(into state: inout LineCounter) {
        if kept > 0 && !overlong { state.line(UnsafeBufferPointer(start: buffer, count: kept)) }
        kept = 0
    }
}

/// Counts lines and their sequence numbers; the sink thread keeps one on its stack. Consecutive
/// numbers are gathered into runs (a line that continues the run adds one to its length), and the
/// runs of a read are recorded with one call (``flush()``).
struct LineCounter {
    let counting: Bool
    var scanner: SequenceScanner
    var tracker = SequenceStreams()
    var lines: UInt64 = 0
    /// Bytes and reads (datagrams, or stream reads) taken in.
    var bytes: UInt64 = 0
    var reads: UInt64 = 0
    /// The run being read: numbers runFirst ..< runFirst + runCount.
    var runFirst: UInt64 = 0
    var runCount: UInt64 = 0
    /// Finished runs since the last ``flush()``: `runs[0..<2 * pending]`, first and length (storage
    /// owned by `batch`).
    let batch: RunBatch
    let runs: UnsafeMutablePointer<UInt64>
    var pending = 0
    let newlines: UnsafeMutablePointer<UInt32>

    init(key: [UInt8]?) {
        counting = key != nil
        scanner = SequenceScanner(key: key ?? [])
        batch = RunBatch()
        runs = batch.runs
        newlines = batch.newlines
    }

    /// Counts the lines of `b`. With `keepTail`, an unterminated last line is left alone and the
    /// bytes up to it are returned; without, it counts as a line too and `b.count` is returned.
    /// The newlines are found a block at a time (``cms_newlines``), not with a call per line.
    @discardableResult
    mutating func consume(_ b: UnsafeBufferPointer<UInt8>, keepTail: Bool) -> Int {
        let n = b.count
        guard n > 0, let base = b.baseAddress else { return 0 }
        var start = 0
        // Each pass indexes up to `capacity` newlines from `start`: bounded by n / capacity + 1 passes.
        while start < n {
            let from = start
            let found = cms_newlines(base + from, n - from, newlines, RunBatch.newlineCapacity)
            var j = 0
            while j < found {
                // Offsets below n (a buffer is far below Int.max): no overflow checks in this loop.
                let end = from &+ Int(truncatingIfNeeded: newlines[j])
                if end > start { line(UnsafeBufferPointer(start: base + start, count: end &- start)) }
                start = end &+ 1
                j &+= 1
            }
            if found < RunBatch.newlineCapacity { break }
        }
        if start < n {
            if keepTail { return start }
            line(UnsafeBufferPointer(start: base + start, count: n - start))
        }
        return n
    }

    @inline(__always) mutating func line(_ l: UnsafeBufferPointer<UInt8>) {
        lines &+= 1
        guard counting else { return }
        if let s = scanner.scan(l) { take(SequenceTracker.number(s)) } else { unnumbered() }
    }

    @inline(__always) mutating func take(_ v: UInt64) {
        if v == runFirst &+ runCount && runCount > 0 {
            runCount &+= 1
        } else {
            startRun(v)
        }
    }

    @inline(never) mutating func startRun(_ v: UInt64) {
        endRun()
        runFirst = v
        runCount = 1
    }

    @inline(never) mutating func unnumbered() { tracker.recordUnnumbered() }

    private mutating func endRun() {
        guard runCount > 0 else { return }
        if pending == RunBatch.capacity { recordRuns() }
        runs[2 * pending] = runFirst
        runs[2 * pending + 1] = runCount
        pending += 1
        runCount = 0
    }

    private mutating func recordRuns() {
        tracker.record(runs: UnsafeBufferPointer(start: runs, count: 2 * pending))
        pending = 0
    }

    /// Records the numbers read since the last call.
    mutating func flush() {
        endRun()
        if pending > 0 { recordRuns() }
    }
}

/// The storage of a ``LineCounter``: the runs it read but did not record yet, and newline offsets.
final class RunBatch {
    static let capacity = 4096
    static let newlineCapacity = 256
    let runs = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * RunBatch.capacity)
    let newlines = UnsafeMutablePointer<UInt32>.allocate(capacity: RunBatch.newlineCapacity)
    deinit {
        runs.deallocate()
        newlines.deallocate()
    }
}
