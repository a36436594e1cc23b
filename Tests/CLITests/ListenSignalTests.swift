import Foundation
import Testing

/// `listen` stopped by SIGTERM prints what the kernel already accepted for it: queued datagrams,
/// connections not yet accepted, bytes acknowledged to stream senders, and unfinished last lines.
@Suite(.serialized) struct ListenSignalTests {
    @Test func sigtermReadsWhatTheKernelAlreadyHoldsBeforeItExits() throws {
        let dir = try temporaryDirectory("listen-term")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = freePort()
        let sock = dir.path + "/m.sock"
        let listen = try Background.metricat(["listen", "tcp://127.0.0.1:\(port)", "udp://127.0.0.1:\(port)", "unix://\(sock)", "--json"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.components(separatedBy: "listening on").count == 4 }, "\(listen.stderr)")
        // Stopped, the listener reads nothing: everything below waits in the kernel for it.
        listen.signal(SIGSTOP)
        let tcp = ListenFloodTests.connectStream(port: port)
        let unix = ListenFloodTests.connectStream(path: sock)
        try #require(tcp >= 0 && unix >= 0)
        #expect(ListenFloodTests.sendAll(tcp, (0..<1000).map { "tcp \($0)\n" }.joined() + "tcp unfinished"))
        #expect(ListenFloodTests.sendAll(unix, (0..<1000).map { "unix \($0)\n" }.joined() + "unix unfinished"))
        ListenSummaryTests.sendDatagrams((0..<20).map { "udp \($0)\n" }, port: port)
        usleep(100_000)
        listen.signal(SIGTERM)
        listen.signal(SIGCONT)
        #expect(listen.wait() == 0, "\(listen.stderr)")
        close(tcp)
        close(unix)
        let lines = listen.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("tcp ") }.count == 1001, "\(lines.count) lines")
        #expect(lines.filter { $0.hasPrefix("unix ") }.count == 1001)
        #expect(lines.filter { $0.hasPrefix("udp ") }.count == 20)
        #expect(lines.contains("tcp unfinished") && lines.contains("unix unfinished"))
        ListenSummaryTests.expectCounts(try ListenSummaryTests.summary(listen.stderr), ["received": 2022, "connections": 2, "datagrams": 20, "dropped": 0])
    }
}
