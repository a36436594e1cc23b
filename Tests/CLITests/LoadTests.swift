import Foundation
import Testing

/// `metricat load` run as a binary: every transport against the embedded sink and against
/// `metricat listen --sequence`, its exit statuses, the ramp, and InfluxDB's UDP listener.
@Suite(.serialized) struct LoadTests {
    static let requiredKeys = [
        "target", "transport", "format", "duration_s", "offered", "sent", "datagrams", "bytes", "received", "lost",
        "duplicated", "reordered", "kernel_drops", "errors", "rate_offered", "rate_sent", "rate_received",
    ]

    func report(_ r: Binary.Result) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        return try #require(object as? [String: Any], "\(r)")
    }

    func int(_ o: [String: Any], _ key: String) -> Int? { (o[key] as? NSNumber)?.intValue }

    @Test(arguments: ["udp", "udp6", "tcp", "unix", "unixgram"])
    func everyTransportAgainstTheEmbeddedSink(transport: String) throws {
        let r = try Binary.run(["load", "--transport", transport, "--rate", "20k", "--duration", "500ms", "--drain", "200ms", "--json"])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        for key in Self.requiredKeys { #expect(o.keys.contains(key), "missing \(key)") }
        #expect(o["transport"] as? String == transport)
        #expect(int(o, "offered") == 10_000, "\(r.stdout)")
        // A busy machine may leave the schedule's tail unsent (the report says so); what was sent all arrives.
        let sent = try #require(int(o, "sent"))
        #expect(sent >= 9_900, "\(r.stdout)")
        #expect(int(o, "received") == sent)
        #expect(int(o, "lost") == 0)
        #expect(int(o, "duplicated") == 0)
        #expect(int(o, "reordered") == 0)
        #expect((o["errors"] as? [String: Any])?.isEmpty == true)
        #expect(r.stderr.contains("offered/s"), "the table: \(r.stderr)")
        if transport.hasPrefix("udp") { #expect(int(o, "kernel_drops") == 0) }
    }

    @Test(arguments: ["udp", "tcp", "unix", "unixgram"])
    func everyTransportAgainstListenSequence(transport: String) throws {
        let dir = try temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let address = transport.hasPrefix("unix") ? "\(transport)://\(dir.path)/l.sock" : "\(transport)://127.0.0.1:\(freePort())"
        let listen = try Background.metricat(["listen", address, "--sequence", "--json", "-q"])
        defer { listen.stop() }
        #expect(
            listen.waitFor(5) { _, _ in
                transport.hasPrefix("unix") ? FileManager.default.fileExists(atPath: "\(dir.path)/l.sock") : true
            })
        usleep(200_000)
        let r = try Binary.run(["load", address, "--rate", "10k", "--count", "5000", "--batch", "5", "--drain", "100ms", "--json"])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        #expect(int(o, "sent") == 5000, "\(r)")
        listen.signal(SIGTERM)
        _ = listen.wait(5)
        let summaryLine = try #require(listen.stderr.split(separator: "\n").last { $0.hasPrefix("{") }, "\(listen.stderr)")
        let s = try #require(try JSONSerialization.jsonObject(with: Data(summaryLine.utf8)) as? [String: Any])
        #expect(int(s, "received") == 5000, "\(summaryLine)")
        #expect(int(s, "lost") == 0)
        #expect(int(s, "duplicated") == 0)
        #expect(int(s, "reordered") == 0)
        #expect(int(s, "highest") == 4999)
    }

    @Test func sinkReportReadsListensCountsBack() throws {
        let dir = try temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--sequence", "--json", "-q", "--timeout", "1500ms"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        let r = try Binary.run(["load", "udp://127.0.0.1:\(port)", "--rate", "5k", "--count", "3000", "--sink-report", listen.stderrURL.path, "--json"])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        #expect(o["received_source"] as? String == "listen")
        #expect(int(o, "received") == 3000, "\(r.stdout)")
        #expect(int(o, "lost") == 0)
    }

    /// The README's example: `listen --sequence --json` with no --timeout, its stderr in a file, and
    /// several `load` runs reading it back; each run gets the summary of its own lines.
    @Test(arguments: [("udp", 1), ("tcp", 3)])
    func sinkReportFromAListenThatKeepsRunning(transport: String, senders: Int) throws {
        let address = "\(transport)://127.0.0.1:\(freePort())"
        let listen = try Background.metricat(["listen", address, "--sequence", "--json", "-q"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        var runs: Set<String> = []
        for (i, count) in [3000, 1200].enumerated() {
            let r = try Binary.run([
                "load", address, "--rate", "10k", "--count", "\(count)", "--senders", "\(senders)", "--drain", "100ms",
                "--sink-report", listen.stderrURL.path, "--sink-wait", "5s", "--json",
            ])
            #expect(r.status == 0, "run \(i): \(r)")
            let o = try report(r)
            #expect(o["received_source"] as? String == "listen", "\(r.stdout)")
            #expect(int(o, "sent") == count)
            #expect(int(o, "received") == count, "run \(i): \(r.stdout)\n\(listen.stderr)")
            #expect(int(o, "lost") == 0)
            let run = try #require(o["run"] as? String, "\(r.stdout)")
            runs.insert(run)
            // listen wrote the run's summary when its end lines arrived, while it kept running.
            let line = try #require(listen.stderr.split(separator: "\n").last { $0.contains("\"run\":\"\(run)\"") }, "\(listen.stderr)")
            let s = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(int(s, "received") == count, "\(line)")
            #expect(int(s, "lost") == 0)
            #expect(int(s, "senders") == senders)
            #expect(int(s, "unnumbered") == 0, "the run's begin and end lines are not counted: \(line)")
            if transport == "udp" { #expect(int(s, "datagrams") == count, "\(line)") }
        }
        #expect(runs.count == 2)
        #expect(listen.process.isRunning)
    }

    /// A flood that overflows listen's queue: the end lines come after the drain time, when the
    /// queue has room again, so the run still gets its summary, with the loss in it.
    @Test func sinkReportSurvivesAFullReceiveQueue() throws {
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--sequence", "--json", "-q", "--rcvbuf", "4096"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        // listen stands still through the flood, so its queue is full when the flood ends, and
        // goes on within the drain time.
        listen.signal(SIGSTOP)
        let load = try Background.metricat([
            "load", "udp://127.0.0.1:\(port)", "--rate", "20k", "--duration", "300ms", "--drain", "1500ms",
            "--sink-report", listen.stderrURL.path, "--sink-wait", "5s", "--json",
        ])
        defer { load.stop() }
        usleep(900_000)
        listen.signal(SIGCONT)
        let status = load.wait(15)
        let r = Binary.Result(status: status ?? -1, stdout: load.stdout, stderr: load.stderr, stdoutBytes: Data(load.stdout.utf8))
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        #expect(o["received_source"] as? String == "listen", "\(r.stdout)")
        let sent = try #require(int(o, "sent"))
        let received = try #require(int(o, "received"))
        let drops = try #require(int(o, "kernel_drops"))
        #expect(drops > 0, "the queue overflowed: \(r.stdout)")
        #expect(received + drops == sent, "\(r.stdout)")
        #expect(int(o, "lost") == drops)
    }

    @Test func sinkReportRefusesASummaryOfAnotherRun() throws {
        let dir = try temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "-q"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        let stale = dir.appendingPathComponent("stale.json")
        let cases = [
            (
                "{\"received\":420145,\"lost\":0,\"duplicated\":0,\"reordered\":0,\"run\":\"r00000000000000a1\"}\n",
                "only a summary of run r00000000000000a1 is there, not one of this run"
            ),
            ("{\"received\":420145,\"metrics\":0,\"lost\":0,\"duplicated\":0,\"reordered\":0}\n", "only a summary without a run id is there, not one of this run"),
        ]
        for (text, message) in cases {
            try Data(text.utf8).write(to: stale)
            let r = try Binary.run([
                "load", "udp://127.0.0.1:\(port)", "--rate", "10k", "--count", "300", "--drain", "50ms", "--sink-report", stale.path, "--sink-wait", "300ms", "--json",
            ])
            #expect(r.status == 74, "\(r)")
            #expect(r.stderr.contains(message), "\(r.stderr)")
            #expect(r.stderr.contains("it is refused"), "\(r.stderr)")
            #expect(r.stdout.isEmpty, "no report from a summary that is not this run's: \(r.stdout)")
        }
    }

    /// `python3 -m http.server` on 127.0.0.1 serving `dir`, once it accepts connections (up to 10 s).
    /// Stop it with `forceStop()`: a child of the test runner may ignore SIGTERM.
    func httpServer(_ dir: URL) throws -> (Background, UInt16) {
        let python = try #require(which("python3"), "python3 serves the summary over HTTP")
        let port = freePort()
        let server = try Background(python, ["-m", "http.server", "--bind", "127.0.0.1", "\(port)", "--directory", dir.path])
        for _ in 0..<200 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = port.bigEndian
            let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
            close(fd)
            if ok { break }
            usleep(50_000)
        }
        return (server, port)
    }

    @Test func sinkReportReadsListensCountsBackOverHTTP() throws {
        let port = freePort()
        // Long enough for load to start on a busy machine: load waits for the summary at listen's exit.
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--sequence", "--json", "-q", "--timeout", "4s"])
        defer { listen.stop() }
        // The directory holding listen's stderr, where the summary appears when listen exits.
        let (server, httpPort) = try httpServer(listen.stderrURL.deletingLastPathComponent())
        defer { server.forceStop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        // Until listen exits the file is there but empty: load keeps asking (HTTP 200, no summary yet).
        let r = try Binary.run(["load", "udp://127.0.0.1:\(port)", "--rate", "5k", "--count", "3000", "--sink-report", "http://127.0.0.1:\(httpPort)/stderr", "--json"])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        #expect(o["received_source"] as? String == "listen")
        #expect(int(o, "received") == 3000, "\(r.stdout)")
        #expect(int(o, "lost") == 0)
        #expect(int(o, "duplicated") == 0)
    }

    @Test func sinkReportURLErrorsSayWhatIsWrong() throws {
        let dir = try temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("hello\n".utf8).write(to: dir.appendingPathComponent("plain.txt"))
        let (server, httpPort) = try httpServer(dir)
        defer { server.forceStop() }
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "-q"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        let closed = freePort()
        let cases: [(String, Int32, String)] = [
            ("http://127.0.0.1:\(closed)/sink.json", 74, "--sink-report http://127.0.0.1:\(closed)/sink.json: connection refused (ECONNREFUSED)"),
            ("http://127.0.0.1:\(httpPort)/missing.json", 74, "--sink-report http://127.0.0.1:\(httpPort)/missing.json: HTTP 404"),
            ("http://127.0.0.1:\(httpPort)/plain.txt", 74, "holds no 'listen --sequence --json' summary (a JSON line with \"received\" and \"lost\"); it starts with \"hello\""),
            ("https://127.0.0.1:\(httpPort)/sink.json", 2, "https is not supported"),
            ("gopher://127.0.0.1/x", 2, "unknown scheme 'gopher'"),
        ]
        for (url, status, message) in cases {
            let r = try Binary.run(["load", "udp://127.0.0.1:\(port)", "--rate", "10k", "--count", "100", "--drain", "50ms", "--sink-report", url, "--sink-wait", "400ms"])
            #expect(r.status == status, "\(url): \(r)")
            #expect(r.stderr.contains(message), "\(url): \(r.stderr)")
            if status == 74 { #expect(r.stderr.contains("(tried for 0."), "retried until --sink-wait: \(r.stderr)") }
        }
    }

    @Test(arguments: ["udp", "unix"])
    func severalSendersKeepTheirOwnSequences(transport: String) throws {
        let r = try Binary.run(["load", "--transport", transport, "--senders", "3", "--rate", "30k", "--count", "9000", "--drain", "200ms", "--json"])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        #expect(int(o, "sent") == 9000, "\(r.stdout)")
        #expect(int(o, "received") == 9000)
        #expect(int(o, "lost") == 0)
        #expect(int(o, "duplicated") == 0)
    }

    @Test(arguments: ["1", "max"])
    func udpGSOSendsDatagramsTheSinkCountsOneByOne(batch: String) throws {
        let r = try Binary.run(["load", "--rate", "max", "--count", "60000", "--name", "m", "--field", "v=1", "--size", "64", "--batch", batch, "--drain", "200ms", "--json"])
        let o = try report(r)
        #expect(o["gso"] as? Bool == true, "\(r.stdout)")
        // 64-byte datagrams, 64 to a send; 22 lines (1408 bytes) to a datagram, 46 to a send (64 KiB).
        #expect(int(o, "lines_per_datagram") == (batch == "1" ? 1 : 22), "\(r.stdout)")
        #expect(int(o, "gso_segments") == (batch == "1" ? 64 : 46), "\(r.stdout)")
        #expect(r.stderr.contains("UDP GSO: up to"), "\(r.stderr)")
        let sent = try #require(int(o, "sent"))
        let datagrams = try #require(int(o, "datagrams"))
        #expect(sent == 60000)
        #expect(datagrams == (batch == "1" ? 60000 : (60000 + 21) / 22), "\(r.stdout)")
        // Every datagram the sender handed over either reached the sink as a datagram of its own or
        // was dropped by the kernel on the sink's socket (the sender outruns one receiving thread).
        let got = try #require(int(o, "received_datagrams"))
        let drops = try #require(int(o, "kernel_drops"))
        #expect(got + drops == datagrams, "\(r.stdout)")
        let received = try #require(int(o, "received"))
        if batch == "1" { #expect(received == got) }
        #expect(received + (int(o, "lost") ?? -1) == sent, "\(r.stdout)")
        #expect(int(o, "duplicated") == 0)
        #expect(r.status == 0, "\(r)")

        let plain = try Binary.run(["load", "--rate", "max", "--count", "20000", "--batch", batch, "--no-gso", "--json"])
        let p = try report(plain)
        #expect(p["gso"] as? Bool == false, "\(plain.stdout)")
        #expect(p["gso_segments"] is NSNull)
        // Paced runs never use GSO; non-UDP transports have no such thing.
        let paced = try report(try Binary.run(["load", "--rate", "20k", "--count", "2000", "--json"]))
        #expect(paced["gso"] as? Bool == false)
        let unix = try report(try Binary.run(["load", "--transport", "unix", "--rate", "max", "--count", "2000", "--json"]))
        #expect(unix["gso"] is NSNull)
    }

    @Test(arguments: ["1", "max"])
    func udpGSOReachesListenAsSeparateDatagrams(batch: String) throws {
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--sequence", "--json", "-q", "--rcvbuf", "16777216"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        let r = try Binary.run([
            "load", "udp://127.0.0.1:\(port)", "--rate", "max", "--count", "20000", "--name", "m", "--field", "v=1", "--size", "64", "--batch", batch, "--drain", "300ms", "--json",
        ])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        #expect(o["gso"] as? Bool == true, "\(r.stdout)")
        let datagrams = try #require(int(o, "datagrams"))
        let drops = try #require(int(o, "kernel_drops"), "\(r.stdout)")
        listen.signal(SIGTERM)
        _ = listen.wait(5)
        let summaryLine = try #require(listen.stderr.split(separator: "\n").last { $0.hasPrefix("{") }, "\(listen.stderr)")
        let s = try #require(try JSONSerialization.jsonObject(with: Data(summaryLine.utf8)) as? [String: Any])
        let got = try #require(int(s, "datagrams"))
        // listen saw the segments as datagrams of their own: one line each, or 22 to a 1432-byte one.
        #expect(got + drops == datagrams, "listen \(summaryLine), load \(r.stdout)")
        if batch == "1" { #expect(int(s, "received") == got, "\(summaryLine)") }
        #expect((int(s, "received") ?? 0) + (int(s, "lost") ?? 0) <= 20000, "\(summaryLine)")
        #expect(int(s, "duplicated") == 0)
        if drops == 0 {
            #expect(int(s, "received") == 20000, "\(summaryLine)")
            #expect(int(s, "reordered") == 0)
        }
    }

    @Test func nonBlockingUnixDatagramsCountSenderDropsApart() throws {
        let r = try Binary.run(["load", "--transport", "unixgram", "--non-blocking", "--rate", "max", "--duration", "500ms", "--drain", "200ms", "--json"])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        let errors = try #require(o["errors"] as? [String: Any])
        #expect(Set(errors.keys).isSubset(of: ["EAGAIN", "ENOBUFS"]), "\(errors)")
        // What the full queue refused never left: it is a sender error, not loss at the receiver.
        #expect(int(o, "lost") == 0, "\(r.stdout)")
        #expect(int(o, "received") == int(o, "sent"))
        let failed = errors.values.compactMap { ($0 as? NSNumber)?.intValue }.reduce(0, +)
        #expect(int(o, "attempted") == (int(o, "sent") ?? 0) + failed, "one line per datagram: \(r.stdout)")
    }

    /// Sends `signal` to a running `load --json` after about a second; returns the exit status and the parsed report.
    func interrupted(_ args: [String], _ signal: Int32) throws -> (Int32?, [String: Any], Background) {
        let load = try Background.metricat(["load"] + args + ["--json"])
        defer { load.stop() }
        usleep(1_000_000)
        load.signal(signal)
        let status = load.wait(10)
        let object = try JSONSerialization.jsonObject(with: Data(load.stdout.utf8))
        return (status, try #require(object as? [String: Any], "stdout: \(load.stdout) stderr: \(load.stderr)"), load)
    }

    @Test(arguments: [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")])
    func aSignalEndsTheRunWithItsPartialReport(signal: Int32, name: String) throws {
        let (status, o, load) = try interrupted(["--rate", "20k", "--duration", "30s", "--drain", "100ms"], signal)
        #expect(status == 128 + signal, "\(load.stderr)")
        #expect(o["interrupted"] as? String == name, "\(o)")
        let sent = try #require(int(o, "sent"))
        let duration = try #require((o["duration_s"] as? NSNumber)?.doubleValue)
        #expect(sent > 0)
        #expect(duration > 0.5 && duration < 30, "\(duration)")
        // What was sent before the stop all arrived: the sink drained before the report.
        #expect(int(o, "received") == sent, "\(o)")
        #expect(int(o, "lost") == 0)
        // The schedule's offer is what was due up to the stop, not the whole 30 s.
        let offered = try #require(int(o, "offered"))
        #expect(offered < 20_000 * 30 && offered >= sent, "\(o)")
        #expect(load.stderr.contains("interrupted by \(name) after"), "\(load.stderr)")
        #expect(load.stderr.contains("offered/s"), "the table: \(load.stderr)")
    }

    @Test func aSignalStopsARampAfterTheStepItCut() throws {
        let (status, o, load) = try interrupted(["--ramp", "2k..64k", "--step", "x2", "--step-duration", "600ms", "--drain", "50ms"], SIGINT)
        #expect(status == 130, "\(load.stderr)")
        #expect(o["interrupted"] as? String == "SIGINT", "\(o)")
        let steps = try #require(o["steps"] as? [[String: Any]])
        // About a second in: one or two whole steps, then the one the signal cut; nothing after it.
        #expect(steps.count >= 1 && steps.count < 6, "\(steps.count) steps")
        let last = try #require(steps.last)
        #expect(last["interrupted"] as? String == "SIGINT")
        for s in steps.dropLast() { #expect(s["interrupted"] is NSNull) }
        let whole = steps.count - 1
        #expect(int(o, "knee") == (whole == 0 ? nil : 2000 << (whole - 1)), "\(o)")
        #expect(load.stderr.contains("stopped: interrupted by SIGINT during the"), "\(load.stderr)")
    }

    @Test func aSignalEndsTheWaitForASinkReport() throws {
        let dir = try temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("sink.json")
        try Data().write(to: empty)
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "-q"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        let start = Date()
        let (status, o, load) = try interrupted(
            [
                "udp://127.0.0.1:\(port)", "--rate", "10k", "--count", "500", "--drain", "50ms",
                "--sink-report", empty.path, "--sink-wait", "30s",
            ], SIGINT)
        #expect(status == 130, "\(load.stderr)")
        #expect(Date().timeIntervalSince(start) < 10, "the wait ended at the signal")
        #expect(o["interrupted"] as? String == "SIGINT", "\(o)")
        #expect(int(o, "sent") == 500)
        // No receiver's counts: what reached the socket comes from the kernel, as without --sink-report.
        #expect(o["received_source"] as? String == "kernel", "\(o)")
        #expect(load.stderr.contains("the run was interrupted: the receiver's counts are not there"), "\(load.stderr)")
    }

    @Test func aSignalDuringARunAgainstListenStillReports() throws {
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--sequence", "--json", "-q"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        let (status, o, load) = try interrupted(["udp://127.0.0.1:\(port)", "--rate", "10k", "--duration", "30s", "--drain", "100ms"], SIGTERM)
        #expect(status == 143, "\(load.stderr)")
        #expect(o["interrupted"] as? String == "SIGTERM")
        let sent = try #require(int(o, "sent"))
        #expect(sent > 0)
        #expect(int(o, "received") == sent - (int(o, "kernel_drops") ?? 0), "\(o)")
    }

    @Test func mergeSumsTheReportsOfSeveralSenders() throws {
        let dir = try temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Two real runs, as two hosts would write them.
        var paths: [String] = []
        for (i, count) in [2000, 3000].enumerated() {
            let r = try Binary.run(["load", "--rate", "10k", "--count", "\(count)", "--drain", "50ms", "--json"])
            #expect(r.status == 0, "\(r)")
            let path = dir.appendingPathComponent("host\(i).json").path
            try Data(r.stdout.utf8).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let parts = try paths.map { try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: $0))) as! [String: Any] }
        let m = try Binary.run(["load", "--merge"] + paths + ["--json"])
        #expect(m.status == 0, "\(m)")
        let o = try report(m)
        for key in Self.requiredKeys { #expect(o.keys.contains(key), "missing \(key)") }
        #expect(int(o, "merged") == 2)
        for key in ["sent", "offered", "datagrams", "bytes", "received", "lost"] {
            #expect(int(o, key) == parts.compactMap { int($0, key) }.reduce(0, +), "\(key): \(m.stdout)")
        }
        #expect(int(o, "sent") == 5000)
        let durations = parts.compactMap { ($0["duration_s"] as? NSNumber)?.doubleValue }
        let duration = try #require((o["duration_s"] as? NSNumber)?.doubleValue)
        #expect(abs(duration - durations.max()!) < 0.001, "\(m.stdout)")
        let rate = try #require((o["rate_sent"] as? NSNumber)?.doubleValue)
        #expect(abs(rate - 5000 / duration) < 1, "\(m.stdout)")
        #expect(m.stderr.contains("merged 2 reports"), "\(m.stderr)")

        // Synthetic reports: an unknown count stays unknown, loss is judged on the sum.
        func write(_ name: String, _ text: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let base = "\"transport\":\"udp\",\"format\":\"influx\",\"offered\":1000,\"attempted\":1000,\"sent\":1000,\"datagrams\":1000,\"bytes\":69000"
        let a = try write("a.json", "{\(base),\"duration_s\":2,\"received\":990,\"lost\":10,\"errors\":{\"EAGAIN\":2}}")
        let b = try write("b.json", "{\(base),\"duration_s\":4,\"received\":1000,\"lost\":0,\"errors\":{\"EAGAIN\":3}}")
        let unknown = try write("u.json", "{\(base),\"duration_s\":1,\"received\":null,\"lost\":null,\"errors\":{}}")
        let sum = try report(try Binary.run(["load", "--merge", a, b, "--json"]))
        #expect(int(sum, "received") == 1990)
        #expect(int(sum, "lost") == 10)
        #expect((sum["errors"] as? [String: Any]).flatMap { int($0, "EAGAIN") } == 5)
        #expect(int(sum, "rate_sent") == 500, "2000 lines over the longest run, 4 s")
        let partial = try report(try Binary.run(["load", "--merge", a, unknown, "--json"]))
        #expect(partial["received"] is NSNull)
        #expect(partial["lost"] is NSNull)
        #expect(int(partial, "sent") == 2000)
        let over = try Binary.run(["load", "--merge", a, b, "--max-loss", "0.1%"])
        #expect(over.status == 1, "10 of 2000 lost is 0.5%: \(over)")
        #expect(over.stderr.contains("loss 0.500% exceeds --max-loss 0.100%"), "\(over.stderr)")
        #expect(try Binary.run(["load", "--merge", a, b, "--max-loss", "1%"]).status == 0)

        // Reports of different shapes, or not reports at all, are refused.
        let statsd = try write("s.json", "{\(base.replacingOccurrences(of: "influx", with: "statsd")),\"duration_s\":1}")
        let ramp = try write("r.json", "{\(base),\"duration_s\":1,\"steps\":[]}")
        let array = try write("x.json", "[1]")
        let cases: [([String], Int32, String)] = [
            ([a, statsd], 65, "s.json: \"format\" is \"statsd\", but \(a) has \"influx\": only reports of one shape can be merged"),
            ([a, ramp], 65, "r.json: a --ramp report; only reports of single runs can be merged"),
            ([array], 65, "x.json: not a JSON object: expected the output of 'metricat load --json'"),
            ([a, dir.appendingPathComponent("none.json").path], 74, "none.json: cannot read the report"),
        ]
        for (files, status, message) in cases {
            let r = try Binary.run(["load", "--merge"] + files + ["--json"])
            #expect(r.status == status, "\(files): \(r)")
            #expect(r.stderr.contains(message), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        // Sums never wrap, and the number of reports is bounded.
        let huge = try write("h.json", "{\(base.replacingOccurrences(of: "\"sent\":1000", with: "\"sent\":10000000000000000000")),\"duration_s\":1}")
        let wrap = try Binary.run(["load", "--merge", huge, huge])
        #expect(wrap.status == 65, "\(wrap)")
        #expect(wrap.stderr.contains("h.json: \"sent\" makes the sum larger than 18446744073709551615"), "\(wrap.stderr)")
        let negative = try write("n.json", "{\(base.replacingOccurrences(of: "\"bytes\":69000", with: "\"bytes\":-5")),\"duration_s\":1}")
        let refused = try Binary.run(["load", "--merge", a, negative])
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.contains("n.json: \"bytes\" is not a count (a whole number from 0 to 1.8e19)"), "\(refused.stderr)")
        let many = try Binary.run(["load", "--merge"] + Array(repeating: a, count: 10_001))
        #expect(many.status == 2, "\(many.stderr.prefix(300))")
        #expect(many.stderr.contains("--merge: 10001 reports; at most 10000"), "\(many.stderr.prefix(300))")
        let usage = try Binary.run(["load", "udp://127.0.0.1:9", "--merge", a])
        #expect(usage.status == 2, "\(usage)")
        #expect(usage.stderr.contains("--merge sums reports and sends nothing"), "\(usage.stderr)")
    }

    /// Several hosts against one `listen --sequence`: each numbers its senders from its own
    /// --first-sender, so listen counts every line once, and the merged reports add up to it.
    @Test func severalLoadsCountedByOneListenAndMerged() throws {
        let dir = try temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--sequence", "--json", "-q", "--rcvbuf", "8388608"])
        defer { listen.stop() }
        #expect(listen.waitFor(20) { _, err in err.contains("listening on") }, "\(listen.stderr)")
        let hosts = [("0", "1"), ("1", "2"), ("3", "1")]
        let loads = try hosts.map { first, senders in
            try Background.metricat([
                "load", "udp://127.0.0.1:\(port)", "--rate", "4k", "--count", "4000", "--first-sender", first, "--senders", senders, "--drain", "200ms", "--json",
            ])
        }
        var paths: [String] = []
        for (i, load) in loads.enumerated() {
            #expect(load.wait(20) == 0, "\(load.stderr)")
            let path = dir.appendingPathComponent("host\(i).json").path
            try Data(load.stdout.utf8).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let merged = try report(try Binary.run(["load", "--merge"] + paths + ["--json"]))
        #expect(int(merged, "sent") == 12000, "\(merged)")
        listen.signal(SIGTERM)
        _ = listen.wait(5)
        let line = try #require(listen.stderr.split(separator: "\n").last { $0.hasPrefix("{") }, "\(listen.stderr)")
        let s = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let drops = int(s, "kernel_drops") ?? -1
        #expect(int(s, "duplicated") == 0, "\(line)")
        #expect(int(s, "senders") == 4, "senders 0, 1, 2 and 3: \(line)")
        #expect((int(s, "received") ?? 0) + drops == 12000, "\(line)")
        if drops == 0 { #expect(int(s, "lost") == 0, "\(line)") }

        let bad = try Binary.run(["load", "--first-sender", "8", "--senders", "3", "--count", "10"])
        #expect(bad.status == 2, "\(bad)")
        #expect(bad.stderr.contains("--first-sender: '8' with 3 senders would number senders past 9"), "\(bad.stderr)")
    }

    @Test func unreachableTargetsExit69() throws {
        let tcp = try Binary.run(["load", "tcp://127.0.0.1:\(freePort())", "--duration", "200ms"])
        #expect(tcp.status == 69, "\(tcp)")
        #expect(tcp.stderr.contains("ECONNREFUSED"), "\(tcp.stderr)")
        let udp = try Binary.run(["load", "udp://127.0.0.1:\(freePort())", "--duration", "200ms"])
        #expect(udp.status == 69, "\(udp)")
        #expect(udp.stderr.contains("nothing is listening"), "\(udp.stderr)")
        let unix = try Binary.run(["load", "unix:///tmp/metricat-no-such-\(getpid()).sock", "--duration", "200ms"])
        #expect(unix.status == 69, "\(unix)")
    }

    @Test func maxLossDecidesTheExitStatus() throws {
        // A tiny receive buffer at full speed: whatever the machine drops, the status must agree with the report.
        let r = try Binary.run(["load", "--rcvbuf", "1", "--rate", "max", "--duration", "500ms", "--drain", "200ms", "--max-loss", "0%", "--json"])
        let o = try report(r)
        let lost = try #require(int(o, "lost"))
        #expect(r.status == (lost > 0 ? 1 : 0), "\(r)")
        if lost > 0 {
            #expect(r.stderr.contains("exceeds --max-loss"))
            // Every datagram the sink missed, the kernel dropped on its socket.
            #expect(int(o, "kernel_drops") == lost, "\(r.stdout)")
        }
        let fine = try Binary.run(["load", "--rate", "5k", "--duration", "300ms", "--max-loss", "1%"])
        #expect(fine.status == 0, "\(fine)")
    }

    @Test func badFlagsAreUsageErrors() throws {
        let cases: [([String], String)] = [
            (["--rate", "fast"], "--rate: 'fast' is not a rate"),
            (["--format", "csv"], "not a push format"),
            (["--max-loss", "5"], "--max-loss: '5' is not a fraction"),
            (["--ramp", "9k..1k"], "--ramp: '9k..1k'"),
            (["--plot", "x.svg"], "--plot draws a ramp"),
            (["--transport", "sctp"], "--transport: 'sctp' is not a transport: udp, udp6, tcp, tcp6, unix or unixgram"),
            (["--batch", "0"], "--batch: '0'"),
            (["--size", "60000", "--max-datagram", "1432"], "raise --max-datagram"),
        ]
        for (args, message) in cases {
            let r = try Binary.run(["load"] + args + ["--duration", "100ms"])
            #expect(r.status == 2, "\(args): \(r)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    @Test func rampFindsTheKneeAndDrawsIt() throws {
        let dir = try temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("knee.svg").path
        let r = try Binary.run(["load", "--ramp", "2k..8k", "--step", "x2", "--step-duration", "300ms", "--drain", "100ms", "--json", "--plot", svg])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        let steps = try #require(o["steps"] as? [[String: Any]])
        #expect(steps.count == 3)
        #expect(steps.map { int($0, "offered") } == [600, 1200, 2400], "\(r.stdout)")
        for s in steps { #expect(int(s, "lost") == 0) }
        #expect(int(o, "knee") == 8000)
        let drawing = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(drawing.hasPrefix("<svg"))
        #expect(drawing.contains("knee 8000/s"))
        #expect(r.stderr.contains("knee: 8000 lines/s"), "\(r.stderr)")
    }

    @Test func influxDBStoresWhatLoadReportsReceived() throws {
        let influx = try InfluxPeer()
        // One series per line, so InfluxDB cannot fold two points into one.
        let r = try Binary.run([
            "load", "udp://127.0.0.1:\(influx.udpPort)", "--rate", "2000", "--duration", "2s", "--format", "influx", "--series", "5000", "--json",
        ])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        #expect(o["received_source"] as? String == "kernel")
        // A busy InfluxDB may overflow its socket's buffer: those lines are the kernel's drops, not received.
        let received = try #require(int(o, "received"))
        let drops = try #require(int(o, "kernel_drops"))
        #expect(int(o, "sent") == 4000, "\(r.stdout)")
        #expect(received == 4000 - drops)
        #expect(drops < 4000, "InfluxDB received nothing: \(r.stdout)")
        let body = try influx.waitFor("SELECT count(seq) FROM cpu", db: "udp", contains: "[0,\(received)]", timeout: 15)
        #expect(body.contains("[0,\(received)]"), "\(body)")
    }

    @Test func collectdsStatsDCounterSumsWhatLoadReportsReceived() throws {
        let collectd = try CollectdPeer()
        // collectd's statsd plugin has no tags, so no sequence numbers: a counter of 1 per line, whose
        // flushed total must equal the lines that reached its socket.
        let r = try Binary.run([
            "load", "udp://127.0.0.1:\(collectd.port)", "--format", "statsd", "--no-seq", "--name", "loadhits", "--field", "value=1",
            "--tag", "metric_type=counter", "--rate", "2000", "--duration", "1s", "--json",
        ])
        #expect(r.status == 0, "\(r)")
        let o = try report(r)
        let received = try #require(int(o, "received"), "\(r.stdout)")
        #expect(int(o, "sent") == 2000)
        #expect(received == 2000 - (int(o, "kernel_drops") ?? -1))
        let total = collectd.lastValue("derive-loadhits", timeout: 10, until: { $0 == Double(received) })
        #expect(total == Double(received), "\(collectd.process.stdout.suffix(400))")
    }
}
