import CMetricSys
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How a ``Sender`` frames, batches and retries.
public struct SenderOptions: Sendable {
    /// Largest datagram, in bytes; whole lines are packed up to it (StatsD's intranet value by default).
    public var maxDatagram = 1432
    /// Reconnect attempts after a broken, reset or refused connection (`--retry`).
    public var retries = 5
    /// Give up reconnecting after this many nanoseconds (`--retry-timeout`).
    public var retryTimeout: Int64 = 10_000_000_000
    /// First backoff between reconnect attempts, doubled each time up to 2 s.
    public var initialBackoff: Int64 = 50_000_000
    /// Stream writes are batched up to this many bytes (one write per batch, not per line).
    public var streamBatchBytes = 64 * 1024
    /// A stream write that makes no progress for this many nanoseconds counts as a broken connection
    /// (`--write-timeout`); it is also the longest `close` waits for the peer to acknowledge the end.
    /// A collector that stops reading (a full TCP window) is given up on after it, instead of
    /// blocking the run forever.
    public var writeTimeout: Int64 = 5_000_000_000
    /// The most recent stream bytes kept to be written again after a broken connection (8 MiB);
    /// no more than this is ever left unacknowledged by the peer.
    public var resendBufferBytes = 8 << 20

    public init() {}
}

/// What a sender did, for the `-v`/`--json` summary.
public struct SenderStats: Sendable, Equatable {
    /// Lines delivered: sent in a datagram, or written to the stream (and, at the end, acknowledged)
    /// without being counted in `failedLines`.
    public var lines = 0
    public var datagrams = 0
    public var bytes = 0
    public var reconnects = 0
    /// Lines that were finally not delivered.
    public var failedLines = 0
    /// Datagram sends answered by ICMP port unreachable (ECONNREFUSED on a later send).
    public var refused = 0
    /// Failures by errno name.
    public var errors: [String: Int] = [:]
    /// Lines written again after a broken stream connection: the collector may have got some of them
    /// twice (delivery is at-least-once across a reconnect).
    public var resentLines = 0
    /// Bytes a broken connection's peer had acknowledged that were older than the resend buffer: if the
    /// collector had not processed them when it went away, they are lost, and no count is possible.
    public var unconfirmedBytes = 0

    public init() {}
}

/// Sends lines to an endpoint: `\n` after every line; datagrams pack whole lines up to
/// `maxDatagram` and never split one; one connection for the whole run, re-established with
/// backoff when the peer goes away. A broken stream connection gets back, from a line start, what its
/// peer may not have: what the peer's kernel did not acknowledge (SIOCOUTQ) plus what it may have
/// acknowledged without reading (twice its largest receive window), kept in a ``ResendBuffer``.
public final class Sender {
    public let endpoint: Endpoint
    public let options: SenderOptions
    public private(set) var stats = SenderStats()
    /// Receives one-line notes on reconnects and refusals (for `-v` and warnings).
    public var onEvent: (String) -> Void = { _ in }

    private var socket: Socket?
    private var pending: [UInt8] = []
    private var pendingLines = 0
    private let isDatagram: Bool

    // Stream state.
    private var resend: ResendBuffer
    /// Lines moved from `pending` into the stream (a resent line is not counted again).
    private var streamLines = 0
    /// Bytes written on the current connection, and how many of them were resent from an earlier one.
    private var writtenOnConnection = 0
    private var resentToConnection = 0
    private var resendQueued = 0
    /// How much the current peer may hold acknowledged but unread: twice the largest receive window
    /// it advertised (TCP offers about half its buffer's free space as window, and a buffer of large
    /// segments holds nearly its size in data), or its send buffer for a Unix socket.
    private var peerBacklog = 0
    private var connectedAt: Int64 = 0
    /// An outage starts with a failed write or connect and ends when the peer is seen reading again;
    /// `--retry` and `--retry-timeout` bound each outage, not each batch.
    private var outageStart: Int64?
    private var outageFailures = 0
    /// After an outage spent its budget, lines fail without waiting until this time.
    private var pausedUntil: Int64?
    private var peerClosedInOrder = false
    /// The monotonic time past which nothing waits (``stop(by:)``); set from any thread.
    private let stopBy = Atomic<Int64>(.max)

    /// Connects to `endpoint` (retrying with backoff as configured).
    /// - Throws: ``TransportError`` when the endpoint stays unreachable.
    public init(endpoint: Endpoint, options: SenderOptions = SenderOptions()) throws(TransportError) {
        self.endpoint = endpoint
        self.options = options
        self.isDatagram = endpoint.isDatagram
        self.resend = ResendBuffer(capacity: endpoint.isDatagram ? 1 : options.resendBufferBytes)
        pending.reserveCapacity(max(options.maxDatagram, options.streamBatchBytes) + 1024)
        if case .udp = endpoint {
            socket = try Socket.connect(to: endpoint)
        } else {
            try reconnect(initial: true)
        }
    }

    /// Why a line was not accepted.
    public enum Rejection: Error, Equatable, CustomStringConvertible {
        case tooLong(length: Int, limit: Int)
        public var description: String {
            switch self {
            case .tooLong(let length, let limit):
                return "line of \(length) bytes does not fit in a datagram of \(limit) bytes (its newline included): not sent (raise --max-datagram)"
            }
        }
    }

    /// Queues one line (without its newline); sends when a datagram or a stream batch is full.
    public func send(line: UnsafeRawBufferPointer) throws(Rejection) {
        if isDatagram {
            let size = line.count + 1
            if size > options.maxDatagram { throw .tooLong(length: line.count, limit: options.maxDatagram) }
            if pending.count + size > options.maxDatagram { flushDatagram() }
        }
        pending.append(contentsOf: line)
        pending.append(0x0A)
        pendingLines += 1
        if !isDatagram && pending.count >= options.streamBatchBytes { flushStream() }
    }

    /// Sends every line of `text` (split on `\n`; a final line needs none; empty lines are skipped);
    /// returns the 0-based indexes of the lines that were rejected, with the reason.
    public func send(text: [UInt8]) -> [(lineIndex: Int, Rejection)] {
        var rejected: [(Int, Rejection)] = []
        text.withUnsafeBytes { raw in
            var start = 0
            var index = 0
            while start < raw.count {
                var end = start
                while end < raw.count && raw[end] != 0x0A { end += 1 }
                if end > start {
                    do throws(Rejection) {
                        try send(line: UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                    } catch {
                        rejected.append((index, error))
                    }
                }
                index += 1
                start = end + 1
            }
        }
        return rejected
    }

    /// Bounds every later wait by `deadline` (monotonic ns): a write, a reconnect or the wait for
    /// the last acknowledgement ends there, and what is not delivered by then counts as failed.
    /// Callable from another thread while one waits (a `listen --aggregate` that ends while a
    /// forward target's writer waits for it); a write already waiting ends within the write timeout.
    public func stop(by deadline: Int64) {
        stopBy.store(deadline, ordering: .relaxed)
    }

    private var pastStop: Bool { monotonicNow() >= stopBy.load(ordering: .relaxed) }

    /// The write timeout, shortened to what is left before ``stop(by:)``'s deadline (at least 1 ms).
    private var writeWait: Int64 {
        let left = stopBy.load(ordering: .relaxed) &- monotonicNow()
        return max(1_000_000, min(options.writeTimeout, left))
    }

    /// Sends what is queued.
    public func flush() {
        if isDatagram { flushDatagram() } else { flushStream() }
    }

    /// Flushes, waits (up to the write timeout without progress) until a TCP peer acknowledged
    /// everything, counting what it did not as failed, and closes the connection.
    public func close() {
        flush()
        if !isDatagram { drain() }
        socket?.close()
        socket = nil
        if !isDatagram { stats.lines = streamLines - stats.failedLines }
    }

    private func count(_ e: Errno) {
        stats.errors[e.name, default: 0] += 1
    }

    private func flushDatagram() {
        guard !pending.isEmpty else { return }
        defer {
            pending.removeAll(keepingCapacity: true)
            pendingLines = 0
        }
        var attempts = 0
        while true {
            if socket == nil {
                do throws(TransportError) {
                    try reconnect(initial: false)
                } catch {
                    stats.failedLines += pendingLines
                    return
                }
            }
            let r = pending.withUnsafeBytes { socket!.send($0) }
            switch r {
            case .success(let n):
                stats.datagrams += 1
                stats.bytes += n
                stats.lines += pendingLines
                return
            case .failure(let e) where e == .connectionRefused && attempts < 2:
                // ICMP port unreachable for an earlier datagram: that one is lost; this one is retried.
                attempts += 1
                stats.refused += 1
                count(e)
                onEvent("\(endpoint): ECONNREFUSED: nothing listens there (an earlier datagram was lost)")
                if case .unixgram = endpoint { socket = nil }
            case .failure(let e):
                count(e)
                if case .unixgram = endpoint, e == .noSuchFileOrDirectory || e == .connectionRefused, attempts < 1 {
                    attempts += 1
                    socket = nil
                    continue
                }
                stats.failedLines += pendingLines
                onEvent("\(endpoint): send failed: \(e.detail)")
                return
            }
        }
    }

    private func flushStream() {
        guard !pending.isEmpty else { return }
        streamLines += pendingLines
        pendingLines = 0
        defer {
            pending.removeAll(keepingCapacity: true)
            stats.lines = streamLines - stats.failedLines
        }
        if let until = pausedUntil {
            if monotonicNow() < until {
                giveUp(from: 0, quietly: true)
                return
            }
            pausedUntil = nil
        }
        var offset = 0
        var fullSince: Int64?
        while offset < pending.count {
            if let s = socket, peerHasClosed() {
                onEvent("\(endpoint): the peer closed the connection; reconnecting")
                offset = breakConnection(s, written: offset, inOrder: peerClosedInOrder)
            }
            if socket == nil {
                if outageSpent() {
                    giveUp(from: offset)
                    return
                }
                do throws(TransportError) {
                    try reconnect(initial: false)
                } catch {
                    giveUp(from: offset)
                    return
                }
            }
            let s = socket!
            // Never leave more unacknowledged than the resend buffer holds.
            var size = pending.count - offset
            if case .success(let queued) = s.unacknowledgedBytes() { size = min(size, resend.capacity - queued) }
            if size <= 0 {
                let now = monotonicNow()
                if now - (fullSince ?? now) < writeWait {
                    fullSince = fullSince ?? now
                    sleepNanoseconds(1_000_000)
                    continue
                }
            }
            fullSince = nil
            let r =
                size <= 0
                ? .failure(.wouldBlock)
                : pending.withUnsafeBytes {
                    s.send(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + size)]), timeout: writeWait)
                }
            switch r {
            case .success(let n):
                pending.withUnsafeBytes { resend.append(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + n)])) }
                offset += n
                writtenOnConnection += n
                stats.bytes += n
                observe(s)
            case .failure(let e) where e == .wouldBlock || e == .timedOut:
                count(.timedOut)
                onEvent("\(endpoint): a write made no progress for \(Self.milliseconds(options.writeTimeout)) (--write-timeout); reconnecting")
                offset = breakConnection(s, written: offset)
            case .failure(let e):
                count(e)
                onEvent("\(endpoint): write failed: \(e.detail); reconnecting")
                offset = breakConnection(s, written: offset)
            }
        }
    }

    /// Closes a broken connection and puts in front of the bytes not yet written (`pending[written...]`)
    /// the tail its peer may not have, from a line start: what it did not acknowledge, and unless it
    /// closed `inOrder`, what it may have acknowledged without reading (`peerBacklog`). Starts or
    /// continues an outage; returns the new write offset (0).
    private func breakConnection(_ s: Socket, written: Int, inOrder: Bool = false) -> Int {
        observe(s)
        let unacknowledged: Int
        switch s.unacknowledgedBytes() {
        case .success(let q): unacknowledged = q
        case .failure: unacknowledged = writtenOnConnection  // unknown: assume nothing arrived
        }
        s.close()
        socket = nil
        noteFailure()
        let (sum, overflow) = unacknowledged.addingReportingOverflow(inOrder ? 0 : peerBacklog)
        var want = min(overflow ? Int.max : sum, writtenOnConnection)
        if want > resend.count {
            let unconfirmed = want - resend.count
            stats.unconfirmedBytes += unconfirmed
            onEvent("\(endpoint): \(unconfirmed) acknowledged bytes are older than the resend buffer: what of them the collector had not processed is lost")
            want = resend.count
        }
        var start = resend.count - want
        while start > 0 && resend[start - 1] != 0x0A { start -= 1 }
        if start == 0 && resend.hasDropped && want > 0 {
            // The line at the buffer's start lost its head: resend from the next whole line.
            while start < resend.count && resend[start] != 0x0A { start += 1 }
            stats.unconfirmedBytes += start + 1
            start += 1
        }
        let tail = start < resend.count ? resend.suffix(from: start) : []
        let lines = tail.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        pending.replaceSubrange(0..<written, with: tail)
        resendQueued = tail.count
        if lines > 0 {
            stats.resentLines += lines
            onEvent("\(endpoint): resending the last \(lines) lines (\(tail.count) bytes) the collector may not have got or processed")
        }
        return 0
    }

    /// Counts the lines in `pending[offset...]` as failed and pauses sending for `--retry-timeout`.
    private func giveUp(from offset: Int, quietly: Bool = false) {
        let lost = pending[offset...].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        stats.failedLines += lost
        socket?.close()
        socket = nil
        if quietly { return }
        outageStart = nil
        outageFailures = 0
        pausedUntil = saturatingSum(monotonicNow(), options.retryTimeout)
        onEvent(
            "\(endpoint): giving up after --retry \(options.retries) / --retry-timeout \(Self.milliseconds(options.retryTimeout)): \(lost) lines not delivered; lines fail without trying for the next \(Self.milliseconds(options.retryTimeout))"
        )
    }

    private func noteFailure() {
        if outageStart == nil {
            outageStart = monotonicNow()
            outageFailures = 0
        }
        outageFailures += 1
    }

    private func outageSpent() -> Bool {
        guard let start = outageStart else { return false }
        return outageFailures > options.retries || monotonicNow() - start >= options.retryTimeout || pastStop
    }

    /// Tracks the peer's window and ends an outage once the peer is seen reading: it acknowledged more
    /// than its window can hold unread (TCP), the connection has read past what was resent (Unix), or
    /// it has stayed up for a whole `--retry-timeout` beyond the time a stall takes to notice.
    private func observe(_ s: Socket) {
        var reading = false
        if let p = s.tcpProgress() {
            peerBacklog = max(peerBacklog, 2 * p.peerWindow)
            reading = p.bytesAcknowledged > UInt64(peerBacklog) + UInt64(resentToConnection) + 1
        } else if case .success(let q) = s.unacknowledgedBytes() {
            reading = writtenOnConnection - q > resentToConnection
        }
        if outageStart != nil && (reading || monotonicNow() - connectedAt >= saturatingSum(options.retryTimeout, options.writeTimeout)) {
            outageStart = nil
            outageFailures = 0
        }
    }

    /// Waits until a TCP peer acknowledged all that was written; what it did not acknowledge after the
    /// write timeout without progress is counted as failed, and the connection is reset. A peer that
    /// breaks meanwhile gets the tail again.
    private func drain() {
        var least = Int.max
        var progressAt = monotonicNow()
        while let s = socket, s.tcpProgress() != nil, case .success(let queued) = s.unacknowledgedBytes(), queued > 0 {
            if peerHasClosed() {
                onEvent("\(endpoint): the peer closed the connection before acknowledging \(queued) bytes; reconnecting")
                _ = breakConnection(s, written: 0, inOrder: peerClosedInOrder)
                flushStream()
                least = Int.max
                progressAt = monotonicNow()
                continue
            }
            let now = monotonicNow()
            if queued < least {
                least = queued
                progressAt = now
            } else if now - progressAt >= options.writeTimeout || pastStop {
                let lost = resend.newlines(inLast: min(queued, writtenOnConnection))
                stats.failedLines += lost
                // Reset rather than close, so the kernel does not deliver later what was counted as failed.
                s.abort()
                socket = nil
                count(.timedOut)
                onEvent("\(endpoint): \(lost) lines written were not acknowledged within --write-timeout \(Self.milliseconds(options.writeTimeout))")
                return
            }
            sleepNanoseconds(1_000_000)
        }
    }

    static func milliseconds(_ ns: Int64) -> String {
        ns % 1_000_000_000 == 0 ? "\(ns / 1_000_000_000)s" : "\(ns / 1_000_000)ms"
    }

    /// True when a stream peer has sent FIN or RST (a read would return 0 or fail) — checked before
    /// writing, so lines are not written into a connection that is already dead. A FIN sets
    /// `peerClosedInOrder`: the peer read all it had acknowledged (a close with unread data resets).
    private func peerHasClosed() -> Bool {
        peerClosedInOrder = false
        guard let s = socket, !isDatagram else { return false }
        var byte: UInt8 = 0
        let n = recv(s.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if n == 0 {
            peerClosedInOrder = true
            return true
        }
        if n < 0 {
            let e = Errno.last
            return !(e == .wouldBlock || e == .interrupted)
        }
        return false  // the peer sent data; ignore it
    }

    /// Opens the connection, with exponential backoff until `retries` or `retryTimeout` runs out.
    private func reconnect(initial: Bool) throws(TransportError) {
        let deadline = min(saturatingSum(outageStart ?? monotonicNow(), options.retryTimeout), stopBy.load(ordering: .relaxed))
        var backoff = options.initialBackoff
        var attempt = 0
        while true {
            do throws(TransportError) {
                let s = try Socket.connect(to: endpoint, sendTimeout: isDatagram ? nil : options.writeTimeout)
                if !isDatagram {
                    connectedAt = monotonicNow()
                    writtenOnConnection = 0
                    resentToConnection = resendQueued
                    resendQueued = 0
                    peerBacklog = s.tcpProgress() == nil ? Int((try? s.getOption(SOL_SOCKET, SO_SNDBUF)) ?? 0) : 0
                }
                socket = s
                if !initial { stats.reconnects += 1 }
                return
            } catch {
                if let e = error.errno { count(e) }
                if !initial { noteFailure() }
                attempt += 1
                if attempt > options.retries || saturatingSum(monotonicNow(), backoff) > deadline { throw error }
                sleepNanoseconds(backoff)
                backoff = min(backoff * 2, 2_000_000_000)
            }
        }
    }
}

/// `a + b`, or `Int64.max` where that overflows: durations of up to 285 years are accepted.
func saturatingSum(_ a: Int64, _ b: Int64) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? .max : sum
}

/// CLOCK_MONOTONIC in nanoseconds.
public func monotonicNow() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// Sleeps `ns` nanoseconds, resuming after signals.
public func sleepNanoseconds(_ ns: Int64) {
    var req = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
    var rem = timespec()
    while nanosleep(&req, &rem) != 0 && errno == EINTR { req = rem }
}
