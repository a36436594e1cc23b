import Foundation
import Testing

@testable import MetricTransport

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct SenderTests {
    static func datagrams(_ server: Socket, count: Int) -> [String] {
        var out: [String] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<count {
            guard case .success(let (n, _)) = buffer.withUnsafeMutableBytes({ server.receiveFrom(into: $0) }) else { break }
            out.append(String(decoding: buffer[0..<n], as: UTF8.self))
        }
        return out
    }

    @Test func datagramsPackWholeLinesUpToTheLimit() throws {
        let server = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        var options = SenderOptions()
        options.maxDatagram = 20
        let sender = try Sender(endpoint: .udp(host: "127.0.0.1", port: try server.localAddress().port, family: .ipv4), options: options)
        // 6+1, 6+1 fit in 20; the third would make 21.
        let rejected = sender.send(text: Array("aaaaaa\nbbbbbb\ncccccc\n0123456789012345678901\ndd".utf8))
        sender.flush()
        #expect(rejected.map(\.lineIndex) == [3])
        #expect(rejected.first?.1 == .tooLong(length: 22, limit: 20))
        #expect(Self.datagrams(server, count: 2) == ["aaaaaa\nbbbbbb\n", "cccccc\ndd\n"])
        #expect(sender.stats.lines == 4)
        #expect(sender.stats.datagrams == 2)
    }

    @Test func aLineOfExactlyTheLimitFits() throws {
        let server = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        var options = SenderOptions()
        options.maxDatagram = 10
        let sender = try Sender(endpoint: .udp(host: "127.0.0.1", port: try server.localAddress().port, family: .ipv4), options: options)
        #expect(sender.send(text: Array("123456789".utf8)).isEmpty)
        sender.flush()
        #expect(Self.datagrams(server, count: 1) == ["123456789\n"])
    }

    @Test func streamsGetANewlineAfterEveryLineAndOneConnection() throws {
        let server = try Socket.bind(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        let sender = try Sender(endpoint: .tcp(host: "127.0.0.1", port: try server.localAddress().port, family: .ipv4))
        for i in 0..<1000 { _ = sender.send(text: Array("m v=\(i)i".utf8)) }
        sender.close()
        let (conn, _) = try server.accept().get()
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while case .success(let n) = buffer.withUnsafeMutableBytes({ conn.receive(into: $0) }), n > 0 { all += buffer[0..<n] }
        let lines = String(decoding: all, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 1001 && lines.last == "")
        #expect(lines[999] == "m v=999i")
        // Only one connection was made: a second accept would block.
        try server.setNonBlocking()
        guard case .failure(.wouldBlock) = server.accept() else {
            Issue.record("more than one connection")
            return
        }
    }

    @Test func aRestartedPeerGetsTheLinesAfterTheRestart() throws {
        let first = try Socket.bind(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        let port = try first.localAddress().port
        let endpoint = Endpoint.tcp(host: "127.0.0.1", port: port, family: .ipv4)
        let sender = try Sender(endpoint: endpoint)
        _ = sender.send(text: Array("before 1".utf8))
        sender.flush()
        let (c1, _) = try first.accept().get()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n1 = try buffer.withUnsafeMutableBytes { c1.receive(into: $0) }.get()
        #expect(String(decoding: buffer[0..<n1], as: UTF8.self) == "before 1\n")
        // The collector goes away and comes back on the same port.
        c1.close()
        first.close()
        let second = try Socket.bind(endpoint)
        usleep(20_000)
        _ = sender.send(text: Array("after 2".utf8))
        sender.flush()
        let (c2, _) = try second.accept().get()
        let n2 = try buffer.withUnsafeMutableBytes { c2.receive(into: $0) }.get()
        #expect(String(decoding: buffer[0..<n2], as: UTF8.self) == "after 2\n")
        #expect(sender.stats.reconnects == 1)
        #expect(sender.stats.failedLines == 0)
    }

    @Test func anUnreachableStreamTargetFailsAfterItsRetries() throws {
        let probe = try Socket.bind(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        let port = try probe.localAddress().port
        probe.close()
        var options = SenderOptions()
        options.retries = 2
        options.initialBackoff = 1_000_000
        let start = monotonicNow()
        #expect(throws: TransportError.system(operation: "connect", endpoint: "tcp4://127.0.0.1:\(port)", errno: .connectionRefused)) {
            try Sender(endpoint: .tcp(host: "127.0.0.1", port: port, family: .ipv4), options: options)
        }
        #expect(monotonicNow() - start < 1_000_000_000)
    }

    @Test func udpRefusalsAreCountedNotHidden() throws {
        let probe = try Socket.bind(.udp(host: "127.0.0.1", port: 0, family: .ipv4))
        let port = try probe.localAddress().port
        probe.close()
        let sender = try Sender(endpoint: .udp(host: "127.0.0.1", port: port, family: .ipv4))
        for i in 0..<20 {
            _ = sender.send(text: Array("x:\(i)|c".utf8))
            sender.flush()
            usleep(1000)
        }
        #expect(sender.stats.refused > 0)
        #expect(sender.stats.errors["ECONNREFUSED"] == sender.stats.refused)
    }

    /// Holds what a sender thread reports.
    final class Box<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var _value: T?
        var value: T? { lock.withLock { _value } }
        func set(_ v: T) { lock.withLock { _value = v } }
    }

    static func setReceiveTimeout(_ s: Socket, milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: milliseconds % 1000 * 1000)
        _ = setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads until `lines` newlines arrived (nil: until the peer closes), bounded by 200,000 reads of
    /// at most 4 KiB and a 10 s silence.
    static func read(_ c: Socket, into all: inout [UInt8], lines: Int?) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var newlines = all.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        for _ in 0..<200_000 {
            if let lines, newlines >= lines { return }
            guard case .success(let n) = buffer.withUnsafeMutableBytes({ c.receive(into: $0) }), n > 0 else { return }
            all += buffer[0..<n]
            newlines += buffer[0..<n].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
    }

    /// The `seq=` values of the whole lines in `bytes` (a cut last line is ignored).
    static func sequenceNumbers(_ bytes: [UInt8]) -> [Int] {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // after the last newline: empty or a cut line
        return lines.compactMap { line in
            guard let r = line.range(of: " seq=") else { return nil }
            return Int(line[r.upperBound...].dropLast())
        }
    }

    /// Sends `total` numbered lines of about 200 bytes to a collector that reads `cut` lines, then
    /// dies: SO_LINGER 0 resets the connection and drops what it had not read; it comes back on the
    /// same port and reads the rest. Returns the sequence numbers each connection got, and the stats.
    static func sendThroughADyingCollector(
        _ options: SenderOptions, total: Int, cut: Int, unixPath: String? = nil
    ) throws -> (first: [Int], rest: [Int], stats: SenderStats) {
        let listener = try Socket.bind(unixPath.map { .unix(path: $0) } ?? .tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        let endpoint = try unixPath.map { .unix(path: $0) } ?? Endpoint.tcp(host: "127.0.0.1", port: listener.localAddress().port, family: .ipv4)
        // A small receive buffer, as a busy collector has: the sender blocks with lines in flight.
        if unixPath == nil { try listener.setOption(SOL_SOCKET, SO_RCVBUF, 65536) }
        Self.setReceiveTimeout(listener, milliseconds: 10_000)
        let result = Box<SenderStats>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { done.signal() }
            guard let sender = try? Sender(endpoint: endpoint, options: options) else { return }
            let pad = String(repeating: "x", count: 180)
            for i in 0..<total { _ = sender.send(text: Array("m,pad=\(pad) seq=\(i)i".utf8)) }
            sender.close()
            result.set(sender.stats)
        }
        let (c1, _) = try listener.accept().get()
        Self.setReceiveTimeout(c1, milliseconds: 10_000)
        var first: [UInt8] = []
        Self.read(c1, into: &first, lines: cut)
        if let unixPath { unlink(unixPath) }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        #expect(setsockopt(c1.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size)) == 0)
        c1.close()
        listener.close()
        // The port may be held for a moment (another test's connection took it as its own port): the
        // collector comes back as soon as it can, as a restarted one would.
        var comeback: Socket?
        for _ in 0..<100 where comeback == nil {
            comeback = try? Socket.bind(endpoint)
            if comeback == nil { usleep(20_000) }
        }
        let second = try comeback ?? Socket.bind(endpoint)
        Self.setReceiveTimeout(second, milliseconds: 10_000)
        let (c2, _) = try second.accept().get()
        Self.setReceiveTimeout(c2, milliseconds: 10_000)
        var rest: [UInt8] = []
        Self.read(c2, into: &rest, lines: nil)
        #expect(done.wait(timeout: .now() + 30) == .success)
        return (Self.sequenceNumbers(first), Self.sequenceNumbers(rest), try #require(result.value))
    }

    @Test func linesTheCollectorHadNotGotWhenItDiedAreResent() throws {
        let total = 20_000
        let cut = 2_000
        var options = SenderOptions()
        options.initialBackoff = 10_000_000
        let (first, rest, stats) = try Self.sendThroughADyingCollector(options, total: total, cut: cut)
        let got = first + rest
        let unique = Set(got)
        #expect(first.count >= cut)
        #expect(unique.count == total, "missing: \(Set(0..<total).subtracting(unique).sorted().prefix(10))")
        #expect(total == unique.count + stats.failedLines)
        #expect(stats.failedLines == 0)
        #expect(stats.lines == total)
        #expect(stats.reconnects == 1)
        #expect(stats.unconfirmedBytes == 0)
        // Duplicates are the resent lines the first connection had already delivered, and no more.
        #expect(got.count - unique.count <= stats.resentLines)
    }

    /// With a resend buffer smaller than what the dead collector may have held, never more is left
    /// unacknowledged than the buffer holds, and what could not be resent is reported, not hidden.
    @Test func aSmallResendBufferReportsWhatItCouldNotResend() throws {
        let total = 20_000
        var options = SenderOptions()
        options.initialBackoff = 10_000_000
        options.resendBufferBytes = 16384
        let (first, rest, stats) = try Self.sendThroughADyingCollector(options, total: total, cut: 2_000)
        let unique = Set(first + rest)
        let missing = total - unique.count
        #expect(stats.failedLines == 0)
        #expect(stats.resentLines > 0)
        #expect(stats.unconfirmedBytes > 0)
        // Lines of about 200 bytes: the missing ones fit in the bytes reported unconfirmed.
        #expect(missing * 190 <= stats.unconfirmedBytes, "missing \(missing), unconfirmed \(stats.unconfirmedBytes) bytes")
    }

    @Test func theResendBufferKeepsTheNewestBytesAcrossWrapAround() {
        var buffer = ResendBuffer(capacity: 10)
        for chunk in ["abc\n", "defgh\n", "ijklmno\n"] {
            Array(chunk.utf8).withUnsafeBytes { buffer.append($0) }
        }
        #expect(buffer.count == 10)
        #expect(buffer.hasDropped)
        #expect(String(decoding: buffer.suffix(from: 0), as: UTF8.self) == "h\nijklmno\n")
        #expect(buffer.newlines(inLast: 8) == 1)
        #expect(buffer.newlines(inLast: 10) == 2)
        Array("0123456789ABCDEF".utf8).withUnsafeBytes { buffer.append($0) }
        #expect(String(decoding: buffer.suffix(from: 4), as: UTF8.self) == "ABCDEF")
    }

    /// At the end, lines the collector never acknowledged within the write timeout are failed, the
    /// connection is reset so they do not arrive later, and the collector has exactly the others.
    @Test func linesNotAcknowledgedAtTheEndAreCountedAsFailed() throws {
        let listener = try Socket.bind(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
        // The smallest receive buffer: the collector's kernel takes a few KiB and then nothing more.
        try listener.setOption(SOL_SOCKET, SO_RCVBUF, 1)
        let endpoint = Endpoint.tcp(host: "127.0.0.1", port: try listener.localAddress().port, family: .ipv4)
        var options = SenderOptions()
        options.writeTimeout = 300_000_000
        let sender = try Sender(endpoint: endpoint, options: options)
        let total = 200  // about 9 KB: within the sender's buffer, well beyond the collector's
        for i in 0..<total { _ = sender.send(text: Array("m,pad=\(String(repeating: "y", count: 30)) seq=\(i)i".utf8)) }
        let start = monotonicNow()
        sender.close()
        let elapsed = monotonicNow() - start
        #expect(elapsed >= 300_000_000 && elapsed < 5_000_000_000)
        #expect(sender.stats.failedLines > 0)
        #expect(sender.stats.lines + sender.stats.failedLines == total)
        #expect(sender.stats.errors["ETIMEDOUT"] == 1)
        let (c, _) = try listener.accept().get()
        Self.setReceiveTimeout(c, milliseconds: 2000)
        var got: [UInt8] = []
        Self.read(c, into: &got, lines: nil)
        #expect(Self.sequenceNumbers(got) == Array(0..<sender.stats.lines))
    }

    /// A Unix stream collector that dies with lines unread gets them again when it comes back.
    @Test func aUnixStreamCollectorThatDiesGetsTheLinesItHadNotRead() throws {
        let path = "/tmp/metricat-sender-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        defer { unlink(path) }
        let total = 5_000
        var options = SenderOptions()
        options.initialBackoff = 10_000_000
        let (first, rest, stats) = try Self.sendThroughADyingCollector(options, total: total, cut: 500, unixPath: path)
        let unique = Set(first + rest)
        #expect(unique.count == total, "missing: \(Set(0..<total).subtracting(unique).sorted().prefix(10))")
        #expect(stats.failedLines == 0)
        #expect(stats.lines == total)
        #expect(stats.reconnects == 1)
        #expect(stats.resentLines > 0)
    }

    /// The longest timeouts the command line accepts (about 285 years each) add up without trapping.
    @Test func theLongestTimeoutsDoNotOverflow() throws {
        var options = SenderOptions()
        options.initialBackoff = 10_000_000
        options.writeTimeout = 9_000_000_000 * 1_000_000_000
        options.retryTimeout = 9_000_000_000 * 1_000_000_000
        let (first, rest, stats) = try Self.sendThroughADyingCollector(options, total: 5_000, cut: 500)
        #expect(Set(first + rest).count == 5_000)
        #expect(stats.failedLines == 0)
        #expect(stats.reconnects == 1)
    }
}
