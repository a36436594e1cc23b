import CMetricSys
import MetricTransport
import MetricatKit
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

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
            pthread_create(
                &t, nil,
                { arg in
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
///
/// With UDP GSO (``enableGSO(segments:)``), one send message carries up to 64 datagrams of one size
/// (the kernel's UDP_SEGMENT cuts it; each still arrives as its own datagram), and one sendmmsg call
/// carries ``gsoMessages`` such messages.
public final class LoadSender {
    public static let maxBatch = 32
    /// Send messages per sendmmsg call with GSO.
    public static let gsoMessages = 8
    /// The kernel's limit on segments per GSO send (UDP_MAX_SEGMENTS; 64 before Linux 6.10).
    public static let gsoMaxSegments = 64
    let ring: FrameRing
    var socket: Socket
    let target: Endpoint
    let datagram: Bool
    private var headers: UnsafeMutablePointer<cms_mmsghdr>
    private var iov: UnsafeMutablePointer<iovec>
    private var nextFrame = 0
    /// Datagrams per GSO send message; 0 when GSO is off.
    public private(set) var gsoSegments = 0
    /// The errno with which the kernel refused GSO sends (GSO is then off for the rest of the run).
    public private(set) var gsoRefused: Int32?
    /// Per GSO message: lines and datagrams in it.
    private var messageLines: UnsafeMutablePointer<UInt64>
    private var messageSegments: UnsafeMutablePointer<Int>

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
        messageLines = .allocate(capacity: Self.gsoMessages)
        messageLines.initialize(repeating: 0, count: Self.gsoMessages)
        messageSegments = .allocate(capacity: Self.gsoMessages)
        messageSegments.initialize(repeating: 0, count: Self.gsoMessages)
    }

    /// Frames the ring should hold for GSO sends of `segments` datagrams: two calls' worth.
    public static func gsoFrameCount(segments: Int) -> Int { segments * gsoMessages * 2 }

    /// Datagrams per GSO message for frames of `bytes`: at most 64, and 64 KiB in all.
    public static func gsoSegments(frameBytes bytes: Int) -> Int { min(gsoMaxSegments, 65_000 / max(bytes, 1)) }

    /// Turns on UDP GSO (UDP_SEGMENT, Linux 4.18) with up to `segments` datagrams per send message,
    /// when the target is UDP, every frame has the same size and the kernel takes the option.
    /// Returns whether it is on.
    @discardableResult
    public func enableGSO(segments: Int) -> Bool {
        guard case .udp = target, let bytes = ring.uniformFrameBytes, segments > 1 else { return false }
        var size = Int32(bytes)
        guard setsockopt(socket.fd, Int32(IPPROTO_UDP), Self.udpSegment, &size, socklen_t(MemoryLayout<Int32>.size)) == 0 else { return false }
        gsoSegments = segments
        return true
    }

    /// UDP_SEGMENT from linux/udp.h (not in Glibc's headers).
    static let udpSegment: Int32 = 103

    private func disableGSO(_ e: Int32) {
        var zero: Int32 = 0
        _ = setsockopt(socket.fd, Int32(IPPROTO_UDP), Self.udpSegment, &zero, socklen_t(MemoryLayout<Int32>.size))
        gsoSegments = 0
        gsoRefused = e
    }

    /// Sends one line outside the counts (a ``LoadRunMarker``), `copies` times on a datagram socket
    /// (a lost copy must not hide the run); a full queue is waited out for up to 100 ms per copy.
    /// Returns whether at least one copy went out.
    @discardableResult
    public func sendLine(_ line: String, copies: Int) -> Bool {
        var bytes = Array(line.utf8)
        var sentOne = false
        for _ in 0..<(datagram ? max(1, copies) : 1) {
            for _ in 0..<100 {
                let r = bytes.withUnsafeMutableBytes { datagram ? socket.send(UnsafeRawBufferPointer($0)) : socket.sendAll(UnsafeRawBufferPointer($0)) }
                if case .success = r {
                    sentOne = true
                    break
                }
                if case .failure(let e) = r, e.rawValue != EAGAIN && e.rawValue != ENOBUFS { break }
                Self.sleep(1_000_000)
            }
        }
        return sentOne
    }

    /// Closes the socket (a stream peer then sees the end of the data).
    public func close() { socket.close() }

    deinit {
        headers.deallocate()
        iov.deallocate()
        messageLines.deallocate()
        messageSegments.deallocate()
    }

    /// Runs until `duration` ns passed, `count` lines were attempted or SIGINT/SIGTERM arrived
    /// (``LoadInterrupt``); `rate` nil is as fast as possible. `tick` is called about once a second
    /// with the counters so far.
    public func run(rate: Double?, duration: Int64, count: UInt64?, firstSeq: UInt64 = 0, tick: ((SendCounters) -> Void)? = nil) -> SendCounters {
        var c = SendCounters()
        let start = Clock.monotonicNanoseconds()
        let deadline = count == nil ? start + duration : Int64.max
        let limit = count ?? UInt64.max
        let perFrame = UInt64(ring.linesPerFrame)
        var perCall: UInt64 { datagram ? perFrame * UInt64(gsoSegments > 0 ? gsoSegments * Self.gsoMessages : Self.maxBatch) : perFrame }
        var nextTick = start + 1_000_000_000
        var seq = firstSeq
        var now = start
        while c.attempted < limit {
            now = Clock.monotonicNanoseconds()
            if now >= deadline || LoadInterrupt.signal != nil { break }
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
            send(lines: n, seq: &seq, c: &c)
            if let tick, now >= nextTick {
                c.elapsedNanoseconds = now - start
                c.offered = rate.map { min(UInt64($0 * Double(now - start) / 1e9), limit) } ?? c.attempted
                tick(c)
                nextTick += 1_000_000_000
            }
        }
        // The schedule's last frame falls due at the deadline itself: send it when it is small.
        if let rate, count == nil, LoadInterrupt.signal == nil {
            let scheduled = UInt64((rate * Double(duration) / 1e9).rounded())
            // Up to 20 ms of lag (a late wake-up on a busy machine) is caught up; more is the machine's limit and stays unsent.
            if scheduled > c.attempted && Double(scheduled - c.attempted) <= max(Double(perCall), rate * 0.02) {
                while c.attempted < scheduled {
                    let n = min(scheduled - c.attempted, perCall)
                    send(lines: n, seq: &seq, c: &c)
                }
            }
        }
        let end = Clock.monotonicNanoseconds()
        c.elapsedNanoseconds = count == nil ? min(end, deadline) - start : end - start
        if let rate, LoadInterrupt.signal != nil {
            // Stopped early: what the schedule called for up to the stop.
            c.offered = min(UInt64((rate * Double(c.elapsedNanoseconds) / 1e9).rounded()), limit)
        } else if let rate {
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

    @inline(__always)
    private func send(lines: UInt64, seq: inout UInt64, c: inout SendCounters) {
        if !datagram {
            sendStream(lines: lines, seq: &seq, c: &c)
        } else if gsoSegments > 0 {
            sendSegmented(lines: lines, seq: &seq, c: &c)
        } else {
            sendDatagrams(lines: lines, seq: &seq, c: &c)
        }
    }

    /// GSO: up to ``gsoMessages`` messages of up to ``gsoSegments`` consecutive frames each (frames
    /// lie one after the other in the ring, so a message is one iovec; none wraps the ring's end).
    private func sendSegmented(lines: UInt64, seq: inout UInt64, c: inout SendCounters) {
        let perFrame = UInt64(ring.linesPerFrame)
        var left = lines
        var m = 0
        while left > 0 && m < Self.gsoMessages {
            var base: UnsafeMutableRawPointer?
            var length = 0
            var segments = 0
            var messageLineCount: UInt64 = 0
            while left > 0 && segments < gsoSegments {
                let n = min(left, perFrame)
                let (p, len) = ring.prepare(frame: nextFrame, lines: Int(n), firstSeq: seq + lines - left)
                if base == nil { base = p }
                length += len
                messageLineCount += n
                left -= n
                segments += 1
                nextFrame = (nextFrame + 1) % ring.frameCount
                if nextFrame == 0 { break }
            }
            iov[m] = iovec(iov_base: base, iov_len: length)
            messageLines[m] = messageLineCount
            messageSegments[m] = segments
            m += 1
        }
        seq += lines
        c.attempted += lines
        var i = 0
        while i < m {
            let r = cms_sendmmsg(socket.fd, headers + i, UInt32(m - i), Int32(MSG_NOSIGNAL))
            if r > 0 {
                for j in i..<(i + Int(r)) {
                    c.bytes += UInt64(headers[j].msg_len)
                    c.datagrams += UInt64(messageSegments[j])
                    c.sent += messageLines[j]
                }
                i += Int(r)
                continue
            }
            let e = errno
            if e == EINTR { continue }
            if e == EINVAL || e == EIO || e == ENOPROTOOPT || e == EOPNOTSUPP {
                // The kernel does not segment for this socket or route: GSO off for good, and these
                // messages go out again one datagram per frame.
                disableGSO(e)
                resendUnsegmented(from: i, to: m, c: &c)
                return
            }
            c.errors[Errno(rawValue: e).name, default: 0] += UInt64(messageSegments[i])
            i += 1  // the message that failed is dropped; the rest are tried
        }
    }

    /// Sends GSO messages `from..<to` (already prepared) as one datagram per frame.
    private func resendUnsegmented(from: Int, to: Int, c: inout SendCounters) {
        guard let frameBytes = ring.uniformFrameBytes else { return }
        let perFrame = UInt64(ring.linesPerFrame)
        // Copied first: the iovecs are reused below.
        var frames: [(UnsafeMutableRawPointer, Int, UInt64)] = []
        for j in from..<to {
            var p = iov[j].iov_base!
            var bytesLeft = iov[j].iov_len
            var linesLeft = messageLines[j]
            while bytesLeft > 0 {
                let len = min(bytesLeft, frameBytes)
                let n = min(linesLeft, perFrame)
                frames.append((p, len, n))
                p += len
                bytesLeft -= len
                linesLeft -= n
            }
        }
        var k = 0
        while k < frames.count {
            let count = min(Self.maxBatch, frames.count - k)
            for j in 0..<count { iov[j] = iovec(iov_base: frames[k + j].0, iov_len: frames[k + j].1) }
            var i = 0
            while i < count {
                let r = cms_sendmmsg(socket.fd, headers + i, UInt32(count - i), Int32(MSG_NOSIGNAL))
                if r > 0 {
                    for j in i..<(i + Int(r)) {
                        c.bytes += UInt64(headers[j].msg_len)
                        c.datagrams += 1
                        c.sent += frames[k + j].2
                    }
                    i += Int(r)
                    continue
                }
                let e = errno
                if e == EINTR { continue }
                c.errors[Errno(rawValue: e).name, default: 0] += 1
                i += 1
            }
            k += count
        }
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
