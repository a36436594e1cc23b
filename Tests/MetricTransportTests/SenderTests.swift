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
}
