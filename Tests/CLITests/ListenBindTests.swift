import Foundation
import Testing

/// `listen` refuses an address another listener holds, says who to look for, and shares only when asked.
@Suite(.serialized) struct ListenBindTests {
    @Test func aSecondListenerOnATakenUDPPortIsRefusedAndTheFirstKeepsTheTraffic() throws {
        let port = freePort()
        let address = "udp://127.0.0.1:\(port)"
        let first = try Background.metricat(["listen", address, "--count", "1", "--timeout", "20s"])
        defer { first.stop() }
        #expect(first.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        let second = try Binary.run(["listen", address, "--timeout", "2s"])
        #expect(second.status == 69, "\(second)")
        #expect(second.stderr == "metricat: \(address) is already in use (ss -lunp 'sport = :\(port)' shows by whom)\n")
        #expect(try Binary.run(["send", address, "a:1|c"]).status == 0)
        #expect(first.wait() == 0, "\(first.stderr)")
        #expect(first.stdout == "a:1|c\n")
    }

    @Test func aSecondListenerOnATakenTCPPortIsRefused() throws {
        let port = freePort()
        let address = "tcp://127.0.0.1:\(port)"
        let first = try Background.metricat(["listen", address, "--timeout", "20s"])
        defer { first.stop() }
        #expect(first.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        let second = try Binary.run(["listen", address, "--timeout", "2s"])
        #expect(second.status == 69, "\(second)")
        #expect(second.stderr == "metricat: \(address) is already in use (ss -ltnp 'sport = :\(port)' shows by whom)\n")
    }

    @Test func portsAreSharedOnlyWhenEveryListenerAsks() throws {
        let port = freePort()
        let address = "udp://127.0.0.1:\(port)"
        let first = try Background.metricat(["listen", address, "--reuse-port", "--timeout", "20s"])
        defer { first.stop() }
        #expect(first.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        let unasked = try Binary.run(["listen", address, "--timeout", "1s"])
        #expect(unasked.status == 69, "\(unasked)")
        #expect(unasked.stderr.contains("is already in use"))
        let sharing = try Binary.run(["listen", address, "--reuse-port", "--timeout", "500ms"])
        #expect(sharing.status == 0, "\(sharing)")
        #expect(sharing.stderr == "listening on \(address)\n")
        first.signal(SIGTERM)
        #expect(first.wait() == 0)
    }

    @Test func aUnixSocketALiveListenerHoldsIsRefusedAndAStaleOneReplaced() throws {
        let dir = try temporaryDirectory("bind")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.sock").path
        let first = try Background.metricat(["listen", "unix://\(path)", "--timeout", "20s"])
        defer { first.stop() }
        #expect(first.waitFor(20) { _, _ in FileManager.default.fileExists(atPath: path) })
        let second = try Binary.run(["listen", "unix://\(path)", "--timeout", "1s"])
        #expect(second.status == 69, "\(second)")
        #expect(second.stderr == "metricat: unix://\(path) is already in use (ss -lxp 'src \(path)' shows by whom)\n")
        first.signal(SIGTERM)
        #expect(first.wait() == 0)

        // A socket file nobody listens on any more is replaced.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(stale)
        #expect(bound == 0 && FileManager.default.fileExists(atPath: path))
        let third = try Background.metricat(["listen", "unix://\(path)", "--count", "1", "--timeout", "20s"])
        defer { third.stop() }
        #expect(third.waitFor(20) { _, _ in Self.accepts(path) })
        #expect(try Binary.run(["send", "unix://\(path)", "x v=1"]).status == 0)
        #expect(third.wait() == 0, "\(third.stderr)")
        #expect(third.stdout == "x v=1\n")
    }

    @Test func aUnixSocketInAMissingDirectoryNamesTheDirectory() throws {
        let dir = try temporaryDirectory("nodir")
        defer { try? FileManager.default.removeItem(at: dir) }
        for scheme in ["unix", "unixgram"] {
            let address = "\(scheme)://\(dir.path)/nope/deeper/x.sock"
            let r = try Binary.run(["listen", address, "--timeout", "1s"])
            #expect(r.status == 69, "\(r)")
            #expect(r.stderr == "metricat: \(address): directory \(dir.path)/nope/deeper does not exist\n")
        }
        let file = dir.appendingPathComponent("file").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Binary.run(["listen", "unix://\(file)/x.sock", "--timeout", "1s"])
        #expect(r.status == 69, "\(r)")
        #expect(r.stderr == "metricat: unix://\(file)/x.sock: a part of \(file) is not a directory\n")
    }

    /// True when a stream connect to the Unix socket at `path` succeeds (someone listens there).
    static func accepts(_ path: String) -> Bool {
        let s = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } } == 0
    }
}
