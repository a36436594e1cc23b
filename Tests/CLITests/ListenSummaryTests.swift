import Foundation
import Testing

/// The `listen --json` summary: every count exact over real sockets, read back with a real JSON parser.
@Suite(.serialized) struct ListenSummaryTests {
    /// The summary is the last line on stderr; JSONSerialization must accept it whole.
    static func summary(_ stderr: String) throws -> [String: Any] {
        let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(last.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(last)")
    }

    static func sendDatagrams(_ payloads: [String], port: UInt16) {
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        for payload in payloads {
            _ = Array(payload.utf8).withUnsafeBytes { buf in
                withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(s, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
        }
    }

    static func expectCounts(_ json: [String: Any], _ expected: [String: Int], sourceLocation: SourceLocation = #_sourceLocation) {
        for (key, value) in expected {
            #expect(json[key] as? Int == value, "\(key): \(json[key] ?? "missing") in \(json)", sourceLocation: sourceLocation)
        }
    }

    @Test func countsOverUDPIncludeEveryLineOfTheDatagramThatReachedTheCount() throws {
        let port = freePort()
        let address = "udp://127.0.0.1:\(port)"
        let listen = try Background.metricat(["listen", address, "--from", "statsd", "--count", "3", "--json", "-q", "--timeout", "10s"])
        #expect(listen.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        Self.sendDatagrams(["a:1|c\nb:2|c", "c:3|c"], port: port)
        #expect(listen.wait() == 0, "\(listen.stderr)")
        let json = try Self.summary(listen.stderr)
        Self.expectCounts(json, ["received": 3, "metrics": 3, "datagrams": 2, "bytes": 16, "connections": 0, "parse_errors": 0, "dropped": 0, "kernel_drops": 0])
        #expect(json["matched"] as? Bool == true)
        #expect(json["listening"] as? [String] == [address])
    }

    @Test func countsOverTCPCountLinesMetricsBytesAndBadLines() throws {
        let port = freePort()
        let address = "tcp://127.0.0.1:\(port)"
        let listen = try Background.metricat(["listen", address, "--from", "statsd", "--count", "3", "--json", "-q", "--timeout", "10s"])
        #expect(listen.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(connected == 0)
        let payload = "a:1|c\nb:2|c\n\nbad\nc:3|c\n"  // 23 bytes, 4 non-empty lines, 3 metrics, 1 bad line
        _ = Array(payload.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        #expect(listen.wait() == 0, "\(listen.stderr)")
        let json = try Self.summary(listen.stderr)
        Self.expectCounts(json, ["received": 4, "metrics": 3, "datagrams": 0, "bytes": 23, "connections": 1, "parse_errors": 1, "dropped": 0])
        #expect(json["listening"] as? [String] == [address])
    }

    /// A `listen udp://127.0.0.1:PORT` with `args`, stopped (SIGSTOP) once it listens, so that the
    /// datagrams sent next wait in the kernel for one read; SIGCONT lets it go on.
    static func stoppedListen(_ args: [String]) throws -> (Background, UInt16) {
        let port = freePort()
        let address = "udp://127.0.0.1:\(port)"
        let listen = try Background.metricat(["listen", address] + args)
        #expect(listen.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        listen.signal(SIGSTOP)
        return (listen, port)
    }

    /// Datagrams the kernel queued while listen was stopped (SIGSTOP): after `--count` is met in the
    /// first, the other 19 of the batch are counted as `unread`, not lost from every count.
    @Test func datagramsLeftAfterTheCountAreCountedAsUnread() throws {
        let (listen, port) = try Self.stoppedListen(["--count", "1", "--json", "-q", "--timeout", "10s"])
        Self.sendDatagrams(Array(repeating: "x v=1 1", count: 20), port: port)
        listen.signal(SIGCONT)
        #expect(listen.wait() == 0, "\(listen.stderr)")
        Self.expectCounts(try Self.summary(listen.stderr), ["received": 1, "datagrams": 1, "unread": 19, "kernel_drops": 0])
    }

    /// At SIGINT listen reads everything the kernel holds for it, not one batch: 3,000 datagrams
    /// queued while it was stopped are all received (or, past a receive buffer the kernel capped,
    /// dropped by the kernel and counted there); none is unread.
    @Test func sigintReadsEveryQueuedDatagram() throws {
        let (listen, port) = try Self.stoppedListen(["--json", "-q", "--rcvbuf", "4M", "--timeout", "30s"])
        Self.sendDatagrams(Array(repeating: "x v=1 1", count: 3000), port: port)
        listen.signal(SIGINT)
        listen.signal(SIGCONT)
        #expect(listen.wait() == 0, "\(listen.stderr)")
        let json = try Self.summary(listen.stderr)
        let received = try #require(json["received"] as? Int, "\(json)")
        let drops = try #require(json["kernel_drops"] as? Int, "\(json)")
        #expect(received + drops == 3000 && received > 1024, "\(json)")
        #expect(json["unread"] as? Int == 0, "\(json)")
    }

    /// `--strict` stops at the first bad line with exit 65: the lines after it in the datagram are
    /// not decoded, the next datagram is counted as unread.
    @Test func strictStopsAtTheFirstBadLine() throws {
        let (listen, port) = try Self.stoppedListen(["--from", "influx", "--strict", "--json", "--timeout", "10s"])
        Self.sendDatagrams(["a v=1 1\nbad\nc v=1 1\n", "d v=1 1"], port: port)
        listen.signal(SIGCONT)
        #expect(listen.wait() == 65, "\(listen.stderr)")
        #expect(listen.stdout == "a v=1 1\n", "\(listen.stdout)")
        #expect(listen.stderr.contains(":2:4: expected fields"), "\(listen.stderr)")
        #expect(listen.stderr.hasSuffix("metricat: listen: stopped at the first bad line (--strict)\n"), "\(listen.stderr)")
        let json = try Self.summary(listen.stderr.components(separatedBy: "\nmetricat: listen: stopped").first ?? "")
        Self.expectCounts(json, ["metrics": 1, "parse_errors": 1, "datagrams": 1, "unread": 1])
    }

    /// A lone `\r` (a blank CRLF line) is no line; a datagram line past `--max-line` is dropped and
    /// counted as on a stream connection, not printed.
    @Test func blankCRLFLinesAreNotCountedAndOverlongDatagramLinesAreDropped() throws {
        let port = freePort()
        let address = "udp://127.0.0.1:\(port)"
        let listen = try Background.metricat(["listen", address, "--json", "--max-line", "20", "--timeout", "10s", "--count", "2"])
        #expect(listen.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        Self.sendDatagrams(["\n\r\n\nshort 1\n" + String(repeating: "x", count: 46) + "\nok 2\n"], port: port)
        #expect(listen.wait() == 0, "\(listen.stderr)")
        #expect(listen.stdout == "short 1\nok 2\n", "\(listen.stdout)")
        #expect(listen.stderr.contains(": a line of 46 bytes is longer than 20 bytes: dropped (raise --max-line)"), "\(listen.stderr)")
        Self.expectCounts(try Self.summary(listen.stderr), ["received": 2, "dropped": 1, "datagrams": 1, "unread": 0])
        let decoding = try Background.metricat(["listen", address, "--from", "influx", "--json", "-q", "--timeout", "10s", "--count", "1"])
        #expect(decoding.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        Self.sendDatagrams(["\r\n\r\na v=1 1\r\n"], port: port)
        #expect(decoding.wait() == 0, "\(decoding.stderr)")
        Self.expectCounts(try Self.summary(decoding.stderr), ["received": 1, "metrics": 1, "parse_errors": 0])
    }

    /// An unnamed Unix datagram sender is named `unix` in findings, as `--show-source` names it.
    @Test func anUnnamedUnixDatagramSenderIsNamedUnix() throws {
        let dir = try temporaryDirectory("ug")
        defer { try? FileManager.default.removeItem(at: dir) }
        let address = "unixgram://" + dir.appendingPathComponent("s.sock").path
        // Line protocol sent to a listener that reads JSON: one finding, placed at its sender.
        let listen = try Background.metricat(["listen", address, "--from", "json", "--json", "-q", "--timeout", "3s"])
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") })
        let send = try Binary.run(["send", address, "a v=1 1"])
        #expect(send.status == 0, "\(send)")
        #expect(listen.wait() == 0, "\(listen.stderr)")
        #expect(listen.stderr.contains("\nunix:1:1: "), "\(listen.stderr)")
        Self.expectCounts(try Self.summary(listen.stderr), ["received": 1, "parse_errors": 1])
    }

    @Test func aDatagramIsPrintedWholeEvenWhenTheCountIsReachedInsideIt() throws {
        let port = freePort()
        let address = "udp://127.0.0.1:\(port)"
        let listen = try Background.metricat(["listen", address, "--count", "2", "--json", "--timeout", "10s"])
        #expect(listen.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        Self.sendDatagrams(["x 1\ny 2\nz 3\n"], port: port)
        #expect(listen.wait() == 0, "\(listen.stderr)")
        #expect(listen.stdout == "x 1\ny 2\nz 3\n")
        Self.expectCounts(try Self.summary(listen.stderr), ["received": 3, "metrics": 0, "datagrams": 1, "bytes": 12])
    }

    @Test func anAddressWithQuotesAndBackslashesStaysValidJSON() throws {
        let dir = try temporaryDirectory("json")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.path + "/a\"b\\c.sock"
        let r = try Binary.run(["listen", "unix://\(path)", "--timeout", "200ms", "--json"])
        #expect(r.status == 0, "\(r)")
        let json = try Self.summary(r.stderr)
        #expect(json["listening"] as? [String] == ["unix://\(path)"])
        Self.expectCounts(json, ["received": 0, "metrics": 0, "bytes": 0])
    }
}
