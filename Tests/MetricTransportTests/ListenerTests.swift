import Testing

@testable import MetricTransport

#if canImport(Glibc)
    import Glibc
#endif

/// A listener on real sockets: 127.0.0.1:0 and Unix sockets in a temporary directory.
@Suite struct ListenerTests {
    static func tempDir() -> String { String(cString: mkdtemp(strdup("/tmp/metricat-listen-XXXXXX"))) }

    /// Runs the loop until `expected` lines arrived or 5 s passed; returns lines and drop reports.
    static func collect(_ l: Listener, lines expected: Int) -> (lines: [String], dropped: [String]) {
        var lines: [String] = []
        var dropped: [String] = []
        _ = l.run(until: monotonicNow() + 5_000_000_000) { r in
            switch r {
            case .line(let b, _): lines.append(String(decoding: b, as: UTF8.self))
            case .dropped(let m, _): dropped.append(m)
            default: break
            }
            return lines.count < expected
        }
        return (lines, dropped)
    }

    @Test func udpDatagramsAreSplitIntoLines() throws {
        let l = try Listener(endpoints: [.udp(host: "127.0.0.1", port: 0, family: .ipv4)])
        let client = try Socket.connect(to: .udp(host: "127.0.0.1", port: l.boundPort()!, family: .ipv4))
        for payload in ["a:1|c", "b:2|g\nc:3|ms\n", "d:4|c\n\ne:5|c"] {
            _ = Array(payload.utf8).withUnsafeBytes { client.send($0) }
        }
        #expect(Self.collect(l, lines: 5).lines == ["a:1|c", "b:2|g", "c:3|ms", "d:4|c", "e:5|c"])
    }

    @Test func streamLinesSurviveAnySplitAcrossReads() throws {
        let l = try Listener(endpoints: [.tcp(host: "127.0.0.1", port: 0, family: .ipv4)])
        let target = Endpoint.tcp(host: "127.0.0.1", port: l.boundPort()!, family: .ipv4)
        let text = Array("cpu value=1\nmem free=2i\r\nlast line without newline".utf8)
        // Byte by byte on one connection, whole on a second.
        let a = try Socket.connect(to: target)
        for b in text { _ = [b].withUnsafeBytes { a.send($0) } }
        a.close()
        let b = try Socket.connect(to: target)
        _ = text.withUnsafeBytes { b.sendAll($0) }
        b.close()
        let got = Self.collect(l, lines: 6).lines
        let one = ["cpu value=1", "mem free=2i\r", "last line without newline"]
        #expect(got.count == 6)
        #expect(got.filter { one.contains($0) }.count == 6)
        #expect(Array(got.filter { $0.hasPrefix("cpu") }).count == 2)
    }

    @Test func anOverlongLineIsDroppedAndTheNextOneArrives() throws {
        var options = ListenerOptions()
        options.maxLineBytes = 1024
        let l = try Listener(endpoints: [.tcp(host: "127.0.0.1", port: 0, family: .ipv4)], options: options)
        let c = try Socket.connect(to: .tcp(host: "127.0.0.1", port: l.boundPort()!, family: .ipv4))
        let huge = [UInt8](repeating: 0x61, count: 1 << 20) + Array("\nok 1\n".utf8)
        _ = huge.withUnsafeBytes { c.sendAll($0) }
        c.close()
        let (lines, dropped) = Self.collect(l, lines: 1)
        #expect(lines == ["ok 1"])
        #expect(dropped == ["line 1 is longer than 1024 bytes: dropped (raise --max-line)"])
    }

    @Test func unixSocketsGetTheirModeAndAreRemovedAtClose() throws {
        let dir = Self.tempDir()
        defer { rmdir(dir) }
        let path = dir + "/m.sock"
        var options = ListenerOptions()
        options.unixSocketMode = 0o600
        let l = try Listener(endpoints: [.unix(path: path), .unixgram(path: dir + "/g.sock")], options: options)
        var st = stat()
        #expect(lstat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        let c = try Socket.connect(to: .unix(path: path))
        _ = Array("x 1\n".utf8).withUnsafeBytes { c.sendAll($0) }
        let g = try Socket.connect(to: .unixgram(path: dir + "/g.sock"))
        _ = Array("y:1|c".utf8).withUnsafeBytes { g.send($0) }
        #expect(Set(Self.collect(l, lines: 2).lines) == ["x 1", "y:1|c"])
        l.close()
        #expect(lstat(path, &st) != 0)
        #expect(lstat(dir + "/g.sock", &st) != 0)
    }

    @Test func aFileThatIsNotASocketIsNeverDeleted() throws {
        let dir = Self.tempDir()
        let path = dir + "/data.txt"
        defer {
            unlink(path)
            rmdir(dir)
        }
        let f = fopen(path, "w")
        fputs("precious", f)
        fclose(f)
        #expect(throws: TransportError.refused("unix://\(path): \(path) exists and is not a socket: not touching it")) {
            try Listener(endpoints: [.unix(path: path)])
        }
        var st = stat()
        #expect(lstat(path, &st) == 0 && st.st_size == 8)
    }

    @Test func aStaleSocketFileIsReplaced() throws {
        let dir = Self.tempDir()
        let path = dir + "/stale.sock"
        defer {
            unlink(path)
            rmdir(dir)
        }
        let first = try Socket.bind(.unix(path: path))
        first.close()  // the file stays behind, nobody listens
        let l = try Listener(endpoints: [.unix(path: path)])
        l.close()
    }

    @Test func aTakenUDPPortIsRefusedUnlessEverySocketSharesIt() throws {
        let first = try Listener(endpoints: [.udp(host: "127.0.0.1", port: 0, family: .ipv4)])
        let port = first.boundPort()!
        #expect(throws: TransportError.refused("udp4://127.0.0.1:\(port) is already in use (ss -lunp 'sport = :\(port)' shows by whom)")) {
            try Listener(endpoints: [.udp(host: "127.0.0.1", port: port, family: .ipv4)])
        }
        first.close()
        var sharing = ListenerOptions()
        sharing.reusePort = true
        let a = try Listener(endpoints: [.udp(host: "127.0.0.1", port: 0, family: .ipv4)], options: sharing)
        let b = try Listener(endpoints: [.udp(host: "127.0.0.1", port: a.boundPort()!, family: .ipv4)], options: sharing)
        #expect(b.boundPort() == a.boundPort())
        a.close()
        b.close()
    }

    @Test func aUnixSocketInAMissingDirectoryNamesIt() throws {
        let dir = Self.tempDir()
        defer { rmdir(dir) }
        #expect(throws: TransportError.refused("unixgram://\(dir)/no/g.sock: directory \(dir)/no does not exist")) {
            try Listener(endpoints: [.unixgram(path: dir + "/no/g.sock")])
        }
    }

    /// When every slot is taken, a new connection closes the one idle longest: silent peers cannot
    /// lock out the others (a slowloris), and the one closed is reported.
    @Test func aFullListenerClosesTheConnectionIdleLongest() throws {
        var options = ListenerOptions()
        options.maxConnections = 2
        let l = try Listener(endpoints: [.tcp(host: "127.0.0.1", port: 0, family: .ipv4)], options: options)
        let target = Endpoint.tcp(host: "127.0.0.1", port: l.boundPort()!, family: .ipv4)
        let idle = try Socket.connect(to: target)
        var connected = 0
        // Let the first be accepted before the second, so it is the idler one.
        _ = l.run(until: monotonicNow() + 2_000_000_000) { r in
            if case .connected = r { connected += 1 }
            return connected < 1
        }
        let busy = try Socket.connect(to: target)
        _ = Array("b1\n".utf8).withUnsafeBytes { busy.sendAll($0) }
        var lines: [String] = []
        _ = l.run(until: monotonicNow() + 2_000_000_000) { r in
            if case .line(let b, _) = r { lines.append(String(decoding: b, as: UTF8.self)) }
            return lines.isEmpty
        }
        let third = try Socket.connect(to: target)
        _ = Array("c1\n".utf8).withUnsafeBytes { third.sendAll($0) }
        var dropped: [(String, Int)] = []
        _ = l.run(until: monotonicNow() + 2_000_000_000) { r in
            switch r {
            case .line(let b, _): lines.append(String(decoding: b, as: UTF8.self))
            case .dropped(let m, let peer): dropped.append((m, peer?.connection ?? 0))
            default: break
            }
            return lines.count < 2 || dropped.isEmpty
        }
        #expect(lines == ["b1", "c1"])
        #expect(dropped.count == 1)
        #expect(dropped.first?.0.hasSuffix("idle to make room: 2 connections are open (raise --max-connections)") == true, "\(dropped)")
        #expect(dropped.first?.1 == 1, "the first connection, idle longest, is the one closed")
        #expect(l.openConnections == 2)
        // The idle client sees its connection closed.
        var buffer = [UInt8](repeating: 0, count: 16)
        let r = buffer.withUnsafeMutableBytes { idle.receive(into: $0) }
        #expect((try? r.get()) == 0)
        _ = (busy, third)
    }

    /// Found with a flood of new connections: a client that sends lines, idle for a moment, was
    /// the one idle longest and lost its slot to silent connections. Now the silent ones make room
    /// first, however recent; a client that sent a whole line goes only when all have.
    @Test func aFullListenerClosesASilentConnectionBeforeAClientThatSentLines() throws {
        var options = ListenerOptions()
        options.maxConnections = 2
        let l = try Listener(endpoints: [.tcp(host: "127.0.0.1", port: 0, family: .ipv4)], options: options)
        let target = Endpoint.tcp(host: "127.0.0.1", port: l.boundPort()!, family: .ipv4)
        let client = try Socket.connect(to: target)
        _ = Array("a1\n".utf8).withUnsafeBytes { client.sendAll($0) }
        var lines: [String] = []
        _ = l.run(until: monotonicNow() + 2_000_000_000) { r in
            if case .line(let b, _) = r { lines.append(String(decoding: b, as: UTF8.self)) }
            return lines.isEmpty
        }
        usleep(20_000)  // the client is now idle longer than the silent connections below
        var dropped: [Int] = []
        var silent: [Socket] = []
        for _ in 0..<3 {
            silent.append(try Socket.connect(to: target))
            var connected = false
            _ = l.run(until: monotonicNow() + 2_000_000_000) { r in
                if case .connected = r { connected = true }
                if case .dropped(_, let peer) = r { dropped.append(peer?.connection ?? -1) }
                return !connected
            }
        }
        #expect(dropped == [2, 3], "the silent connections make room, oldest first: \(dropped)")
        _ = Array("a2\n".utf8).withUnsafeBytes { client.sendAll($0) }
        _ = l.run(until: monotonicNow() + 2_000_000_000) { r in
            if case .line(let b, _) = r { lines.append(String(decoding: b, as: UTF8.self)) }
            return lines.count < 2
        }
        #expect(lines == ["a1", "a2"])
        #expect(l.openConnections == 2)
        _ = silent
    }

    /// With a read timeout, a connection that sends nothing for that long is closed and reported,
    /// and the line it left without a newline still arrives.
    @Test func anIdleConnectionIsClosedAfterTheReadTimeout() throws {
        var options = ListenerOptions()
        options.readTimeout = 300_000_000
        let l = try Listener(endpoints: [.tcp(host: "127.0.0.1", port: 0, family: .ipv4)], options: options)
        let target = Endpoint.tcp(host: "127.0.0.1", port: l.boundPort()!, family: .ipv4)
        let c = try Socket.connect(to: target)
        _ = Array("a 1\npartial".utf8).withUnsafeBytes { c.sendAll($0) }
        var lines: [String] = []
        var dropped: [String] = []
        var disconnected = 0
        let start = monotonicNow()
        _ = l.run(until: monotonicNow() + 5_000_000_000) { r in
            switch r {
            case .line(let b, _): lines.append(String(decoding: b, as: UTF8.self))
            case .dropped(let m, _): dropped.append(m)
            case .disconnected: disconnected += 1
            default: break
            }
            return disconnected == 0
        }
        let elapsed = monotonicNow() - start
        #expect(lines == ["a 1", "partial"])
        #expect(dropped == ["closed after 300 ms without data (--read-timeout)"])
        #expect(elapsed >= 250_000_000 && elapsed < 4_000_000_000, "\(elapsed)")
        #expect(l.openConnections == 0)
    }

    @Test func kernelDropsOfAFullReceiveBufferAreCounted() throws {
        var options = ListenerOptions()
        options.receiveBuffer = 4096
        let l = try Listener(endpoints: [.udp(host: "127.0.0.1", port: 0, family: .ipv4)], options: options)
        let client = try Socket.connect(to: .udp(host: "127.0.0.1", port: l.boundPort()!, family: .ipv4))
        let payload = [UInt8](repeating: 0x61, count: 200)
        var sent = 0
        for _ in 0..<2000 {
            if case .success = payload.withUnsafeBytes({ client.send($0) }) { sent += 1 }
        }
        var received = 0
        _ = l.run(until: monotonicNow() + 300_000_000) { r in
            if case .datagram = r { received += 1 }
            return true
        }
        let drops = l.kernelDrops()
        #expect(received < sent)
        #expect(Int(drops) == sent - received, "sent \(sent), received \(received), kernel drops \(drops)")
    }

    @Test func aSignalStopsTheLoop() throws {
        let l = try Listener(endpoints: [.udp(host: "127.0.0.1", port: 0, family: .ipv4)])
        l.handleSignals()
        raise(SIGTERM)
        let reason = l.run(until: monotonicNow() + 2_000_000_000) { _ in true }
        #expect(reason == .signal(SIGTERM))
        l.close()
    }
}
