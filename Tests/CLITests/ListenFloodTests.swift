import Foundation
import Testing

/// `listen` under a connection flood: more TCP and Unix connections than it has slots, slow senders
/// that never finish a line, and one good client sending throughout. The good client loses nothing,
/// the `--json` counts are exact and memory stays bounded.
@Suite(.serialized) struct ListenFloodTests {
    /// A connected stream socket to `127.0.0.1:port`, or to the Unix socket at `path`; -1 on failure.
    static func connectStream(port: UInt16? = nil, path: String? = nil) -> Int32 {
        if let port {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = port.bigEndian
            let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if r != 0 {
                close(fd)
                return -1
            }
            return fd
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path!.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        if r != 0 {
            close(fd)
            return -1
        }
        return fd
    }

    /// Writes all of `text`; false when the peer closed (EPIPE, ECONNRESET).
    @discardableResult
    static func sendAll(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// Peak resident memory (VmHWM) of a process, in KiB.
    static func peakKiB(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        }
        return nil
    }

    @Test func aGoodClientLosesNothingUnderAFloodAndASlowlorisAndEveryCountIsExact() throws {
        let dir = try temporaryDirectory("flood")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sock = dir.path + "/m.sock"
        let port = freePort()
        let slots = 64
        let listen = try Background.metricat([
            "listen", "tcp://127.0.0.1:\(port)", "unix://\(sock)", "--max-connections", "\(slots)", "--json",
        ])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.components(separatedBy: "listening on").count == 3 }, "\(listen.stderr)")

        // The good client: 3,000 lines, one write each, 5 a millisecond, throughout the flood.
        let goodLines = 3000
        let good = Self.connectStream(port: port)
        try #require(good >= 0)
        let goodDone = DispatchSemaphore(value: 0)
        let goodOK = DataBox()
        let goodFD = good
        // A client is one that has sent a line: until then it is no different from a silent slot holder.
        #expect(Self.sendAll(good, "good,n=0 value=1i\n"))
        #expect(listen.waitFor(20) { out, _ in out.contains("good,n=0 ") }, "the good client's first line did not arrive")
        Thread.detachNewThread {
            var ok = true
            for i in 1..<goodLines where ok {
                ok = Self.sendAll(goodFD, "good,n=\(i) value=1i\n")
                if i % 5 == 4 { usleep(1_000) }
            }
            goodOK.data = ok ? Data([1]) : Data()
            goodDone.signal()
        }

        // Slowloris: 16 connections that send a line one byte at a time and never its newline.
        var slow: [Int32] = []
        for i in 0..<16 {
            let fd = Self.connectStream(port: i % 2 == 0 ? port : nil, path: i % 2 == 0 ? nil : sock)
            try #require(fd >= 0)
            slow.append(fd)
        }
        // The flood: 300 TCP and 300 Unix connections that stay open and silent, 10 times the slots.
        var flood: [Int32] = []
        var slowBytes = 0
        for i in 0..<600 {
            let fd = Self.connectStream(port: i % 2 == 0 ? port : nil, path: i % 2 == 0 ? nil : sock)
            try #require(fd >= 0, "connection \(i): \(String(cString: strerror(errno)))")
            flood.append(fd)
            if i % 40 == 0 {
                for s in slow { Self.sendAll(s, "s") }
                slowBytes += 1
            }
        }
        #expect(goodDone.wait(timeout: .now() + 60) == .success)
        #expect(goodOK.data == Data([1]), "the good client's connection was closed under it")
        let peak = Self.peakKiB(listen.pid)
        // A last line on the good connection, and the listener has read everything before it.
        Self.sendAll(good, "good,n=last value=1i\n")
        #expect(listen.waitFor(20) { out, _ in out.contains("good,n=last ") }, "the good client's last line did not arrive")
        listen.signal(SIGTERM)
        #expect(listen.wait() == 0, "\(listen.stderr.suffix(2000))")
        for fd in [good] + slow + flood { close(fd) }

        let out = listen.stdout.split(separator: "\n")
        let goodSeen = Set(out.filter { $0.hasPrefix("good,") })
        #expect(goodSeen.count == goodLines + 1, "good lines: \(goodSeen.count) of \(goodLines + 1)")
        #expect(out.filter { $0.hasPrefix("good,") }.count == goodLines + 1, "a good line was printed twice")
        let json = try ListenSummaryTests.summary(listen.stderr)
        let connections = 1 + slow.count + flood.count
        // Every connection accepted; every one past the slots closed another one, and said so.
        ListenSummaryTests.expectCounts(json, ["connections": connections, "dropped": connections - slots, "parse_errors": 0])
        let closedToMakeRoom = listen.stderr.components(separatedBy: "to make room: \(slots) connections are open").count - 1
        #expect(closedToMakeRoom == connections - slots, "\(closedToMakeRoom) reported as closed to make room")
        // The slow lines closed with their connections count as lines (what they had sent), no more.
        let slowSeen = out.filter { $0.hasPrefix("s") }
        #expect(slowSeen.allSatisfy { $0.allSatisfy { $0 == "s" } && $0.count <= slowBytes }, "\(slowSeen)")
        #expect(json["received"] as? Int == goodLines + 1 + slowSeen.count, "\(json)")
        #expect(out.count == goodLines + 1 + slowSeen.count, "stdout holds other lines")
        print("listen flood: \(connections) connections, \(json["dropped"] ?? "?") dropped, \(goodSeen.count) good lines, \(slowSeen.count) slow lines, peak \(peak ?? -1) KiB")
        // 617 connections at once, 64 open at a time: memory stays near the idle listener's.
        if let peak { #expect(peak < 64 * 1024, "peak resident memory \(peak) KiB") }
    }
}
