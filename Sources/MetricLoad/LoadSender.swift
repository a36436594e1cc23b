#if canImport(Glibc)
import Glibc
#endif
import CMetricSys
import MetricTransport
import MetricatKit

/// What the sending side did: lines offered by the schedule, handed to the kernel, and failures by errno.
public struct SendCounters: Sendable, Equatable {
    /// Lines the schedule called for (rate × elapsed, or `--count`); with `--rate max`, lines attempted.
    public var offered: UInt64 = 0
    /// Lines passed to send calls, successful or not (sequence numbers used).
    public var attempted: UInt64 = 0
    /// Lines the kernel accepted.
    public var sent: UInt64 = 0
    /// Datagrams (or stream writes) the kernel accepted.
    public var datagrams: UInt64 = 0
    public var bytes: UInt64 = 0
    /// Failed datagrams or writes, by errno name (`EAGAIN`, `ECONNREFUSED`, ...).
    public var errors: [String: UInt64] = [:]
    public var reconnects = 0
    public var elapsedNanoseconds: Int64 = 0

    public init() {}

    /// The counters of several senders run side by side.
    public static func sum(_ all: [SendCounters]) -> SendCounters {
        var c = SendCounters()
        for x in all {
            c.offered += x.offered
            c.attempted += x.attempted
            c.sent += x.sent
            c.datagrams += x.datagrams
            c.bytes += x.bytes
            for (k, v) in x.errors { c.errors[k, default: 0] += v }
            c.reconnects += x.reconnects
            c.elapsedNanoseconds = max(c.elapsedNanoseconds, x.elapsedNanoseconds)
        }
        return c
    }
}

/// Runs `body(k)` for k in 0..<n on n threads and returns the results in order.
enum SenderThreads {
    final class Slot: @unchecked Sendable {
        let k: Int
        let body: (Int) -> SendCounters
        var result = SendCounters()
        init(k: Int, body: @escaping (Int) -> SendCounters) {
            self.k = k
            self.body = body
        }
    }

    static func run(_ n: Int, _ body: @escaping (Int) -> SendCounters) -> [SendCounters] {
        let slots = (0..<n).map { Slot(k: $0, body: body) }
        var threads: [pthread_t] = []
        for slot in slots {
            var t = pthread_t()
            pthread_create(&t, nil, { arg in
                let slot = Unmanaged<Slot>.fromOpaque(arg!).takeUnretainedValue()
                slot.result = slot.body(slot.k)
                return nil
            }, Unmanaged.passUnretained(slot).toOpaque())
            threads.append(t)
        }
        for t in threads { pthread_join(t, nil) }
        return slots.map(\.result)
    }
}

/// Sends prebuilt frames on one socket on an absolute schedule: after t seconds, rate × t lines are
/// due; whatever is due goes out in sendmmsg batches of at most 32 datagrams (or one stream write of
/// up to 64 KiB), then the sender sleeps until the next frame is due. No per-datagram allocation.
public final class LoadSender {
    public static let maxBatch = 32
    let ring: FrameRing
    var socket: Socket
    let target: Endpoint
    let datagram: Bool
    private var headers: UnsafeMutablePointer<cms_mmsghdr>
    private var iov: UnsafeMutablePointer<iovec>
    private var nextFrame = 0

    public init(socket: Socket, target: Endpoint, ring: FrameRing) {
        self.socket = socket
        self.target = target
        self.ring = ring
        datagram = target.isDatagram
        headers = .allocate(capacity: Self.maxBatch)
        headers.initialize(repeating: cms_mmsghdr(), count: Self.maxBatch)
        iov = .allocate(capacity: Self.maxBatch)
        iov.initialize(repeating: iovec(), count: Self.maxBatch)
        for i in 0..<Self.maxBatch {
            headers[i].msg_hdr.msg_iov = iov + i
            headers[i].msg_hdr.msg_iovlen = 1
        }
    }

    /// Closes the socket (a stream peer then sees the end of the data).
    public func close() { socket.close() }

    deinit {
        headers.deallocate()
        iov.deallocate()
    }

    /// Runs until `duration` ns passed or `count` lines were attempted; `rate` nil is as fast as possible.
    /// `tick` is called about once a second with the counters so far.
    public func run(rate: Double?, duration: Int64, count: UInt64?, firstSeq: UInt64 = 0, tick: ((SendCounters) -> Void)? = nil) -> SendCounters {
        var c = SendCounters()
        let start = Clock.monotonicNanoseconds()
        let deadline = count == nil ? start + duration : Int64.max
        let limit = count ?? UInt64.max
        let perFrame = UInt64(ring.linesPerFrame)
        let perCall = datagram ? perFrame * UInt64(Self.maxBatch) : perFrame
        var nextTick = start + 1_000_000_000
        var seq = firstSeq
        var now = start
        while c.attempted < limit {
            now = Clock.monotonicNanoseconds()
            if now >= deadline { break }
            var due: UInt64
            if let rate {
                let scheduled = min(UInt64(rate * Double(now - start) / 1e9), limit)
                due = scheduled > c.attempted ? scheduled - c.attempted : 0
                // Wait for a whole frame unless the run ends with a partial one.
                if due < perFrame && c.attempted + due < limit {
                    let wanted = c.attempted + perFrame
                    let at = start + Int64(Double(wanted) / rate * 1e9)
                    let sleepFor = min(at, deadline) - now
                    if sleepFor > 0 { Self.sleep(min(sleepFor, 1_000_000)) }
                    continue
                }
            } else {
                due = limit - c.attempted
            }
            let n = min(due, perCall)
            if datagram { sendDatagrams(lines: n, seq: &seq, c: &c) } else { sendStream(lines: n, seq: &seq, c: &c) }
            if let tick, now >= nextTick {
                c.elapsedNanoseconds = now - start
                c.offered = rate.map { min(UInt64($0 * Double(now - start) / 1e9), limit) } ?? c.attempted
                tick(c)
                nextTick += 1_000_000_000
            }
        }
        // The schedule's last frame falls due at the deadline itself: send it when it is small.
        if let rate, count == nil {
            let scheduled = UInt64((rate * Double(duration) / 1e9).rounded())
            // Up to 20 ms of lag (a late wake-up on a busy machine) is caught up; more is the machine's limit and stays unsent.
            if scheduled > c.attempted && Double(scheduled - c.attempted) <= max(Double(perCall), rate * 0.02) {
                while c.attempted < scheduled {
                    let n = min(scheduled - c.attempted, perCall)
                    if datagram { sendDatagrams(lines: n, seq: &seq, c: &c) } else { sendStream(lines: n, seq: &seq, c: &c) }
                }
            }
        }
        let end = Clock.monotonicNanoseconds()
        c.elapsedNanoseconds = count == nil ? min(end, deadline) - start : end - start
        if let rate {
            c.offered = count ?? UInt64((rate * Double(c.elapsedNanoseconds) / 1e9).rounded())
        } else {
            c.offered = c.attempted
        }
        return c
    }

    static func sleep(_ ns: Int64) {
        var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        nanosleep(&ts, nil)
    }

    private func sendDatagrams(lines: UInt64, seq: inout UInt64, c: inout SendCounters) {
        let perFrame = UInt64(ring.linesPerFrame)
        var left = lines
        var k = 0
        // Patch and point the iovecs at up to 32 frames.
        var frameLines: (UInt64, UInt64) = (0, 0)  // lines in full frames, lines in the last frame
        while left > 0 && k < Self.maxBatch {
            let n = min(left, perFrame)
            let (p, len) = ring.prepare(frame: nextFrame, lines: Int(n), firstSeq: seq + lines - left)
            iov[k] = iovec(iov_base: p, iov_len: len)
            nextFrame = (nextFrame + 1) % ring.frameCount
            left -= n
            k += 1
            frameLines = (perFrame, n)
        }
        seq += lines
        c.attempted += lines
        var i = 0
        while i < k {
            let r = cms_sendmmsg(socket.fd, headers + i, UInt32(k - i), Int32(MSG_NOSIGNAL))
            if r > 0 {
                for j in i..<(i + Int(r)) { c.bytes += UInt64(headers[j].msg_len) }
                let done = i + Int(r)
                c.datagrams += UInt64(r)
                c.sent += done == k ? UInt64(r - 1) * frameLines.0 + frameLines.1 : UInt64(r) * frameLines.0
                i = done
                continue
            }
            let e = errno
            if e == EINTR { continue }
            c.errors[Errno(rawValue: e).name, default: 0] += 1
            i += 1  // the datagram that failed is dropped; the rest are tried
        }
    }

    private func sendStream(lines: UInt64, seq: inout UInt64, c: inout SendCounters) {
        let (p, len) = ring.prepare(frame: nextFrame, lines: Int(lines), firstSeq: seq)
        nextFrame = (nextFrame + 1) % ring.frameCount
        seq += lines
        c.attempted += lines
        switch socket.sendAll(UnsafeRawBufferPointer(start: p, count: len)) {
        case .success:
            c.sent += lines
            c.datagrams += 1
            c.bytes += UInt64(len)
        case .failure(let e):
            c.errors[e.name, default: 0] += 1
            if c.reconnects < 5, let s = try? Socket.connect(to: target) {
                socket = s
                c.reconnects += 1
            }
        }
    }
}
