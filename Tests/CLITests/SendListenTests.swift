import Foundation
import Testing

/// `send` and `listen` end to end: two real processes talking over real sockets.
@Suite(.serialized) struct SendListenTests {
    /// One sample per format that parses and re-renders to the same bytes in that format.
    static let samples: [(format: String, lines: [String])] = [
        ("influx", ["cpu,host=a usage=1.5,idle=2i,ok=true,msg=\"hi there\" 1700000000000000000", "mem,host=b free=3i 1700000000000000001"]),
        ("json", ["{\"fields\":{\"idle\":2,\"usage\":1.5},\"name\":\"cpu\",\"tags\":{\"host\":\"a\"},\"timestamp\":1700000000}"]),
        ("statsd", ["deploys:1|c|#env:prod", "temp:21.5|g", "lat:12.5|ms|@0.5"]),
        ("graphite", ["a.b.c 1.5 1700000000", "servers.web1.load 0.25 1700000001"]),
        ("wavefront", ["\"cpu.idle\" 42.000000 1700000000 source=\"web1\" \"dc\"=\"eu\""]),
        ("csv", ["Timepoint,Measurement,Label,PID", "1700000000000000000,1.5,\"cpu,host=a usage\",42"]),
        ("prometheus", ["# HELP up Telegraf collected metric", "# TYPE up untyped", "up{job=\"a\"} 1"]),
    ]

    static let transports = ["udp", "tcp", "unix", "unixgram"]

    static func address(_ transport: String, dir: URL) -> String {
        switch transport {
        case "udp": return "udp://127.0.0.1:\(freePort())"
        case "tcp": return "tcp://127.0.0.1:\(freePort())"
        case "unix": return "unix://\(dir.path)/s.sock"
        default: return "unixgram://\(dir.path)/g.sock"
        }
    }

    @Test(arguments: transports)
    func everyFormatArrivesExactlyAsSent(_ transport: String) throws {
        for (format, lines) in Self.samples {
            let dir = try temporaryDirectory("rt")
            defer { try? FileManager.default.removeItem(at: dir) }
            let address = Self.address(transport, dir: dir)
            let listen = try Background.metricat(["listen", address, "--count", "\(lines.count)", "--timeout", "10s"])
            #expect(listen.waitFor(20) { _, _ in Self.isListening(address) }, "listen did not bind \(address)")
            let send = try Binary.run(["send", address, "--format", format] + lines)
            #expect(send.status == 0, "\(format) over \(transport): \(send)")
            #expect(listen.wait() == 0, "\(format) over \(transport): \(listen.stderr)")
            #expect(listen.stdout == lines.joined(separator: "\n") + "\n", "\(format) over \(transport)")
        }
    }

    /// True once something listens at `address` (a Unix socket file exists, or the port is bound).
    static func isListening(_ address: String) -> Bool {
        if address.hasPrefix("unix") {
            let path = String(address.split(separator: "://", maxSplits: 1)[1])
            return FileManager.default.fileExists(atPath: path)
        }
        let port = UInt16(address.split(separator: ":").last!)!
        let udp = address.hasPrefix("udp")
        let s = socket(AF_INET, Int32((udp ? SOCK_DGRAM : SOCK_STREAM).rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return r != 0  // bind fails: taken
    }

    @Test func anUnmetExpectationTimesOutWithStatus1() throws {
        let r = try Binary.run(["listen", "udp://127.0.0.1:\(freePort())", "--expect", "never", "--timeout", "300ms"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("timed out after 0.3 s: no line matched --expect 'never' (0 lines arrived)"))
    }

    @Test func aCollectorRestartLosesNothingSentAfterIt() throws {
        let port = freePort()
        let address = "tcp://127.0.0.1:\(port)"
        let first = try Background.metricat(["listen", address])
        #expect(first.waitFor(20) { _, _ in Self.isListening(address) })
        let send = try Background.metricat(["send", address, "--name", "beat", "--field", "n=seq", "--every", "50ms", "--count", "40", "-v"])
        #expect(first.waitFor(5) { out, _ in out.split(separator: "\n").count >= 5 })
        first.stop()
        let before = first.stdout.split(separator: "\n").compactMap(Self.sequence)
        usleep(300_000)  // the collector is down for a while; send keeps going and must reconnect
        let second = try Background.metricat(["listen", address])
        #expect(send.wait(30) == 0, "send: \(send.stderr)")
        usleep(200_000)
        second.stop()
        let after = second.stdout.split(separator: "\n").compactMap(Self.sequence)
        #expect(!before.isEmpty && !after.isEmpty)
        // Everything from the first line the restarted collector took to the last one is there, in order.
        if let firstAfter = after.first {
            #expect(after == Array(firstAfter...39), "after the restart: \(after)")
        }
        #expect(send.stderr.contains("reconnect"), "\(send.stderr)")
    }

    static func sequence(_ line: Substring) -> Int? {
        guard let r = line.range(of: "n=") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }

    @Test func aPeerThatNeverSendsANewlineDoesNotGrowMemory() throws {
        let port = freePort()
        let address = "tcp://127.0.0.1:\(port)"
        let listen = try Background.metricat(["listen", address, "--count", "1", "--timeout", "20s"])
        #expect(listen.waitFor(20) { _, _ in Self.isListening(address) })
        let baseline = listen.residentKiB ?? 0
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<32 { _ = chunk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        _ = Array("\nok 1\n".utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        #expect(listen.waitFor(15) { out, _ in out.contains("ok 1") })
        let peak = listen.residentKiB ?? 0
        close(fd)
        #expect(listen.wait() == 0)
        #expect(peak - baseline < 16 * 1024, "32 MiB without a newline grew memory from \(baseline) to \(peak) KiB")
        #expect(listen.stderr.contains("line 1 is longer than 65536 bytes: dropped (raise --max-line)"))
    }

    @Test func killingListenRemovesItsUnixSocket() throws {
        let dir = try temporaryDirectory("sock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.sock").path
        let listen = try Background.metricat(["listen", "unix://\(path)", "unixgram://\(path).g"])
        #expect(listen.waitFor(20) { _, _ in FileManager.default.fileExists(atPath: path) })
        listen.signal(SIGTERM)
        #expect(listen.wait() == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".g"))
        // SIGINT too.
        let again = try Background.metricat(["listen", "unix://\(path)"])
        #expect(again.waitFor(20) { _, _ in FileManager.default.fileExists(atPath: path) })
        again.signal(SIGINT)
        #expect(again.wait() == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func anExistingRegularFileIsNeverReplacedBySocket() throws {
        let dir = try temporaryDirectory("sock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("data").path
        try "keep me".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try Binary.run(["listen", "unix://\(path)", "--timeout", "1s"])
        #expect(r.status == 69)
        #expect(r.stderr.contains("exists and is not a socket: not touching it"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test func aLineLongerThanADatagramIsAnErrorForThatLineOnly() throws {
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--count", "2", "--timeout", "5s"])
        #expect(listen.waitFor(20) { _, _ in Self.isListening("udp://127.0.0.1:\(port)") })
        let long = "big value=1,pad=\"" + String(repeating: "x", count: 100) + "\""
        let r = try Binary.run(["send", "udp://127.0.0.1:\(port)", "--max-datagram", "64", "a v=1", long, "b v=2"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("arg:2: line of 118 bytes does not fit in a datagram of 64 bytes"), "\(r.stderr)")
        #expect(listen.wait() == 0)
        #expect(listen.stdout == "a v=1\nb v=2\n")
    }

    @Test func anUnreachableTargetExits69() throws {
        let r = try Binary.run(["send", "tcp://127.0.0.1:\(freePort())", "--retry", "1", "a v=1"])
        #expect(r.status == 69)
        #expect(r.stderr.contains("connect failed: ECONNREFUSED"))
    }

    @Test func sendGeneratesMetricsOnASchedule() throws {
        let r = try Binary.run([
            "send", "-", "--name", "speed", "--field", "value=10", "--field", "n=seq", "--field", "r=random(1,3)",
            "--tag", "host=web1", "--every", "20ms", "--count", "5",
        ])
        #expect(r.status == 0, "\(r)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        for (i, l) in lines.enumerated() {
            #expect(l.hasPrefix("speed,host=web1 value=10,n=\(i)i,r="))
            let rv = Int(l.split(separator: "r=")[1].dropLast())!
            #expect((1...3).contains(rv))
        }
    }

    @Test func decodingListenerReRendersAndReportsBadLinesWithTheirSender() throws {
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--from", "statsd", "--to", "json", "--count", "2", "--timeout", "5s"])
        #expect(listen.waitFor(20) { _, _ in Self.isListening("udp://127.0.0.1:\(port)") })
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        for payload in ["deploys:1|c|#env:prod", "garbage", "temp:21.5|g\n"] {
            _ = Array(payload.utf8).withUnsafeBytes { buf in
                withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(s, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
        }
        close(s)
        #expect(listen.wait() == 0, "\(listen.stderr)")
        let out = listen.stdout.split(separator: "\n")
        #expect(out.count == 2)
        #expect(out.first?.contains("\"name\":\"deploys\"") == true)
        #expect(out.first?.contains("\"env\":\"prod\"") == true)
        #expect(listen.stderr.contains("127.0.0.1:"), "\(listen.stderr)")
    }

    @Test func aRecordingPlaysBackAtItsPaceOrAtAGivenRate() throws {
        let dir = try temporaryDirectory("rec")
        defer { try? FileManager.default.removeItem(at: dir) }
        let record = dir.appendingPathComponent("capture.rec").path
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--record", record, "--count", "3", "--timeout", "10s", "-q"])
        #expect(listen.waitFor(20) { _, _ in Self.isListening("udp://127.0.0.1:\(port)") })
        #expect(try Binary.run(["send", "udp://127.0.0.1:\(port)", "a:1|c"]).status == 0)
        usleep(400_000)
        #expect(try Binary.run(["send", "udp://127.0.0.1:\(port)", "b:2|c", "c:3|g"]).status == 0)
        #expect(listen.wait() == 0)
        let recorded = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n")
        #expect(recorded.count == 3)
        #expect(recorded.allSatisfy { $0.split(separator: "\t").count == 3 && $0.contains("\t127.0.0.1:") })
        let start = Date()
        let paced = try Binary.run(["send", "-", "--replay", record])
        let pacedSeconds = Date().timeIntervalSince(start)
        #expect(paced.status == 0, "\(paced)")
        #expect(paced.stdout == "a:1|c\nb:2|c\nc:3|g\n")
        #expect(pacedSeconds >= 0.35, "the recorded gap of 0.4 s was not kept: \(pacedSeconds) s")
        let fast = Date()
        let rated = try Binary.run(["send", "-", "--replay", record, "--rate", "100", "--from", "statsd", "--format", "json"])
        #expect(rated.status == 0, "\(rated)")
        #expect(rated.stdout.split(separator: "\n").count == 3)
        #expect(rated.stdout.contains("\"name\":\"b\""))
        #expect(Date().timeIntervalSince(fast) < pacedSeconds)
        let broken = dir.appendingPathComponent("broken.rec").path
        try "not a recording\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let bad = try Binary.run(["send", "-", "--replay", broken])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("\(broken):1:1: not a recorded line"))
    }

    @Test func aRecordingWithTimesNoWaitCanSpanIsReportedAndTheRestPlays() throws {
        let dir = try temporaryDirectory("rec")
        defer { try? FileManager.default.removeItem(at: dir) }
        let record = dir.appendingPathComponent("far.rec").path
        // Line 2 is 2^64 - 1 ns after line 1, line 4 about 2^63 ns; line 3 is 8 ns after line 1.
        try "-9223372036854775808\tx\ta:1|c\n9223372036854775807\tx\tb:2|c\n-9223372036854775800\tx\tc:3|c\n-100\tx\td:4|c\n"
            .write(toFile: record, atomically: true, encoding: .utf8)
        let r = try Binary.run(["send", "-", "--replay", record, "--from", "statsd"])
        #expect(r.status == 65, "\(r)")
        #expect(r.stdout == "a:1|c\nc:3|c\n")
        #expect(
            r.stderr == """
                \(record):2:1: recorded time 9223372036854775807 is too far from the first entry's -9223372036854775808 to wait for: skipped
                \(record):4:1: recorded time -100 is too far from the first entry's -9223372036854775808 to wait for: skipped

                """)
    }

    @Test func aClampedReceiveBufferIsReported() throws {
        let r = try Binary.run(["listen", "udp://127.0.0.1:\(freePort())", "--rcvbuf", "1000000000", "--timeout", "100ms", "--json"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("asked for a 1000000000-byte receive buffer, the kernel granted"), "\(r.stderr)")
        #expect(r.stderr.contains("net.core.rmem_max is"))
        #expect(r.stderr.contains("\"kernel_drops\":0"))
    }
}
