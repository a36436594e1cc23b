import Foundation
import Testing

/// What `send` reports when a stream collector stops reading: bounded waits, exit 69 and exact counts.
@Suite(.serialized) struct SendDeliveryTests {
    /// A TCP listener on 127.0.0.1 whose connections the kernel completes (backlog) but nobody reads.
    static func deafListener() throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        try #require(ok, "cannot listen on 127.0.0.1")
        return (fd, UInt16(bigEndian: addr.sin_port))
    }

    /// `total` numbered line-protocol lines of about 100 bytes.
    static func lines(_ total: Int) -> Data {
        let pad = String(repeating: "x", count: 70)
        var text = ""
        text.reserveCapacity(total * 104)
        for i in 0..<total { text += "stall,pad=\(pad) seq=\(i)i\n" }
        return Data(text.utf8)
    }

    @Test func aCollectorThatStopsReadingEndsTheRunWithExit69() throws {
        let (fd, port) = try Self.deafListener()
        defer { close(fd) }
        let total = 100_000  // about 10 MB, far more than the socket buffers hold
        let start = Date()
        let r = try Binary.run(
            ["send", "tcp://127.0.0.1:\(port)", "--write-timeout", "500ms", "--retry-timeout", "1s", "--json"],
            stdin: Self.lines(total), timeout: 60)
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.status == 69, "\(r)")
        #expect(elapsed < 15, "took \(elapsed)s")
        let summary = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("{") }, "\(r)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        let failed = try #require(json["failed"] as? Int)
        let delivered = try #require(json["lines"] as? Int)
        #expect(failed > 0)
        #expect(delivered + failed == total, "\(summary)")
        #expect(r.stderr.contains("\(failed) lines could not be delivered"), "\(r.stderr)")
        #expect((json["errors"] as? [String: Int])?["ETIMEDOUT"] ?? 0 > 0, "\(summary)")
        // What a stalled connection held was written again to the next one before the run gave up.
        #expect(json["resent"] as? Int ?? 0 > 0, "\(summary)")
    }
}
