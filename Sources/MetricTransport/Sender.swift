import CMetricSys
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

    public init() {}
}

/// What a sender did, for the `-v`/`--json` summary.
public struct SenderStats: Sendable, Equatable {
    /// Lines handed to the transport (accepted into a datagram or the stream).
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

    public init() {}
}

/// Sends lines to an endpoint: `\n` after every line; datagrams pack whole lines up to
/// `maxDatagram` and never split one; one connection for the whole run, re-established with
/// backoff when the peer goes away, resending what was not written.
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

    /// Connects to `endpoint` (retrying with backoff as configured).
    /// - Throws: ``TransportError`` when the endpoint stays unreachable.
    public init(endpoint: Endpoint, options: SenderOptions = SenderOptions()) throws(TransportError) {
        self.endpoint = endpoint
        self.options = options
        self.isDatagram = endpoint.isDatagram
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

    /// Sends what is queued.
    public func flush() {
        if isDatagram { flushDatagram() } else { flushStream() }
    }

    /// Flushes and closes the connection.
    public func close() {
        flush()
        socket?.close()
        socket = nil
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
                if case .unixgram = endpoint, e == .notFound || e == .connectionRefused, attempts < 1 {
                    attempts += 1
                    socket = nil
                    continue
                }
                stats.failedLines += pendingLines
                onEvent("\(endpoint): send failed: \(e)")
                return
            }
        }
    }

    private func flushStream() {
        guard !pending.isEmpty else { return }
        var offset = 0
        let total = pending.count
        while offset < total {
            if socket == nil || peerHasClosed() {
                if socket != nil {
                    onEvent("\(endpoint): the peer closed the connection; reconnecting")
                    socket = nil
                }
                do throws(TransportError) {
                    try reconnect(initial: false)
                } catch {
                    let lost = pending[offset...].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                    stats.failedLines += lost
                    stats.lines += pendingLines - lost
                    pending.removeAll(keepingCapacity: true)
                    pendingLines = 0
                    return
                }
            }
            let r = pending.withUnsafeBytes { socket!.send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch r {
            case .success(let n):
                offset += n
                stats.bytes += n
            case .failure(let e):
                count(e)
                onEvent("\(endpoint): write failed: \(e); reconnecting")
                socket = nil
                // Resend from the start of the line that was cut, so the peer never sees half a line.
                while offset > 0 && pending[offset - 1] != 0x0A { offset -= 1 }
            }
        }
        stats.lines += pendingLines
        pending.removeAll(keepingCapacity: true)
        pendingLines = 0
    }

    /// True when a stream peer has sent FIN or RST (a read would return 0 or fail) — checked before
    /// writing, so lines are not written into a connection that is already dead.
    private func peerHasClosed() -> Bool {
        guard let s = socket, !isDatagram else { return false }
        var byte: UInt8 = 0
        let n = recv(s.fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if n == 0 { return true }
        if n < 0 {
            let e = Errno.current
            return !(e == .wouldBlock || e == .interrupted)
        }
        return false  // the peer sent data; ignore it
    }

    /// Opens the connection, with exponential backoff until `retries` or `retryTimeout` runs out.
    private func reconnect(initial: Bool) throws(TransportError) {
        let deadline = monotonicNow() + options.retryTimeout
        var backoff = options.initialBackoff
        var attempt = 0
        while true {
            do throws(TransportError) {
                socket = try Socket.connect(to: endpoint)
                if !initial { stats.reconnects += 1 }
                return
            } catch {
                if let e = error.errno { count(e) }
                attempt += 1
                if attempt > options.retries || monotonicNow() + backoff > deadline { throw error }
                sleepNanoseconds(backoff)
                backoff = min(backoff * 2, 2_000_000_000)
            }
        }
    }
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
