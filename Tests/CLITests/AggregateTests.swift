import Foundation
import Testing

/// `listen --aggregate`: the StatsD server end to end over real UDP, its flushes, limits, bad lines,
/// forwarding and Prometheus endpoint, and agreement with collectd's statsd plugin.
@Suite(.serialized) struct AggregateTests {
    /// Starts `listen udp://127.0.0.1:0 --aggregate ...`; returns it with the bound UDP port and,
    /// with `--serve-metrics`, the metrics URL.
    static func start(_ args: [String]) throws -> (Background, UInt16, String?) {
        let p = try Background.metricat(["listen", "udp://127.0.0.1:0"] + args)
        guard p.waitFor(20, { _, err in err.contains("listening on udp://") && (!args.contains("--serve-metrics") || err.contains("serving metrics on")) }) else {
            throw Peers.PeerMissing(message: "listen --aggregate did not start: \(p.stderr)")
        }
        var port: UInt16 = 0
        var url: String?
        for line in p.stderr.split(separator: "\n") {
            if line.hasPrefix("listening on udp://127.0.0.1:") { port = UInt16(line.split(separator: ":").last!) ?? 0 }
            if line.hasPrefix("serving metrics on ") { url = String(line.dropFirst(19)) }
        }
        return (p, port, url)
    }

    /// The influx lines of stdout without their timestamps.
    static func lines(_ stdout: String) -> [String] {
        stdout.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return parts.count == 3 ? "\(parts[0]) \(parts[1])" : String(line)
        }
    }

    static let vectors = [
        "c:1|c\nc:1|c\nc:1|c\nc:1|c\nc:1|c\nc:2|c|@0.5",
        "g:10|g\ng:+5|g\nt:10|ms\nt:20|ms\nu:10|ms|@0.5",
        "s:a|s\ns:b|s\ns:a|s",
    ]

    @Test func telegrafsVectorsInTheLastFlushWithExactCounts() throws {
        let (p, port, _) = try Self.start(["--aggregate", "1h", "--to", "influx", "--no-counter-rates", "--percentiles", "90", "--count", "16", "--json", "--timeout", "20s"])
        ListenSummaryTests.sendDatagrams(Self.vectors + ["bad:1|x\ngood:1|g:oops|g"], port: port)
        #expect(p.wait() == 0, "\(p.stderr)")
        #expect(
            Self.lines(p.stdout) == [
                "t,metric_type=timing count=2i,lower=10,mean=15,median=15,stddev=5,sum=30,upper=20,90_percentile=20",
                "u,metric_type=timing count=2i,lower=10,mean=10,median=10,stddev=0,sum=20,upper=10,90_percentile=10",
                "g,metric_type=gauge value=15",
                "good,metric_type=gauge value=1",
                "c,metric_type=counter value=9i",
                "s,metric_type=set value=2i",
            ], "\(p.stdout)")
        // Bad lines: reported with sender, line in the datagram and column; the good sample before the error is kept.
        #expect(p.stderr.contains(":1:7: invalid metric type \"x\" (expected c, g, s, ms, h or d)\n"), "\(p.stderr)")
        #expect(p.stderr.contains(":2:10: invalid value \"oops\": expected a number\n"), "\(p.stderr)")
        let json = try ListenSummaryTests.summary(p.stderr)
        ListenSummaryTests.expectCounts(
            json, ["packets": 4, "lines": 16, "metrics": 15, "bad_lines": 2, "flushes": 1, "flushed_metrics": 6, "series": 0, "max_series": 6, "refused": 0, "dropped": 0])
    }

    @Test func intervalsFlushOnRoundBoundariesAndSIGTERMFlushesTheRest() throws {
        let (p, port, _) = try Self.start(["--aggregate", "200ms", "--to", "influx", "--json"])
        ListenSummaryTests.sendDatagrams(["first:5|c"], port: port)
        #expect(p.waitFor(10) { out, _ in out.contains("first,") }, "\(p.stdout)")
        let line = try #require(p.stdout.split(separator: "\n").first { $0.hasPrefix("first,") })
        #expect(line.hasPrefix("first,metric_type=counter value=5i,rate=25 "), "\(line)")
        let ts = try #require(Int64(line.split(separator: " ").last ?? ""))
        #expect(ts % 200_000_000 == 0, "not on a 200ms boundary: \(ts)")
        ListenSummaryTests.sendDatagrams(["last:7|g"], port: port)
        usleep(20_000)
        p.signal(SIGTERM)
        #expect(p.wait() == 0)
        #expect(p.stdout.contains("last,metric_type=gauge value=7 "), "\(p.stdout)")
        let json = try ListenSummaryTests.summary(p.stderr)
        ListenSummaryTests.expectCounts(json, ["packets": 2, "lines": 2, "metrics": 2, "bad_lines": 0, "flushed_metrics": 2])
    }

    @Test func keptGaugesAreWrittenAtEveryFlushAndMovedByDeltas() throws {
        let (p, port, _) = try Self.start(["--aggregate", "100ms", "--to", "influx", "--no-delete-gauges"])
        ListenSummaryTests.sendDatagrams(["g:10|g"], port: port)
        #expect(p.waitFor(10) { out, _ in out.components(separatedBy: "g,metric_type=gauge value=10 ").count >= 3 }, "\(p.stdout)")
        ListenSummaryTests.sendDatagrams(["g:-3|g"], port: port)
        #expect(p.waitFor(10) { out, _ in out.components(separatedBy: "g,metric_type=gauge value=7 ").count >= 3 }, "\(p.stdout)")
        p.stop()
    }

    @Test func theSeriesLimitRefusesCountsAndReports() throws {
        let (p, port, _) = try Self.start(["--aggregate", "1h", "--to", "influx", "--max-series", "2", "--count", "5", "--json", "--timeout", "20s"])
        ListenSummaryTests.sendDatagrams(["a:1|c\nb:1|c\nc:1|c\na:1|c\nd:1|g"], port: port)
        #expect(p.wait() == 0, "\(p.stderr)")
        #expect(Self.lines(p.stdout) == ["a,metric_type=counter value=2i,rate=0.0005555555555555556", "b,metric_type=counter value=1i,rate=0.0002777777777777778"])
        #expect(p.stderr.contains("metricat: warning: --max-series 2 (or --max-set-members 10000) reached: 2 samples refused in this interval (raise the limit)\n"), "\(p.stderr)")
        ListenSummaryTests.expectCounts(try ListenSummaryTests.summary(p.stderr), ["metrics": 5, "refused": 2, "max_series": 2])
    }

    @Test func badUsageIsRefusedWithTheFix() throws {
        let r = try Binary.run(["listen", "--percentiles", "90"])
        #expect(r.status == 64 || r.status == 2, "\(r)")
        #expect(r.stderr.contains("--percentiles needs --aggregate INTERVAL (example: --aggregate 10s)"), "\(r.stderr)")
        let p = try Binary.run(["listen", "--aggregate", "1s", "--percentiles", "101"])
        #expect(p.stderr.contains("--percentiles: '101' is not a percentile between 0 and 100"), "\(p.stderr)")
        let s = try Binary.run(["listen", "--aggregate", "1s", "--serve-metrics", "nope:x"])
        #expect(s.stderr.contains("--serve-metrics: 'nope:x' is not HOST:PORT (example: --serve-metrics 127.0.0.1:9102)"), "\(s.stderr)")
        let q = try Binary.run(["listen", "--aggregate", "1s", "--forward-queue", "1M"])
        #expect(q.status == 2, "\(q)")
        #expect(q.stderr.contains("--forward-queue needs a --forward ADDRESS (example: --forward tcp://127.0.0.1:8094)"), "\(q.stderr)")
    }

    @Test func forwardSendsEveryFlushToASendTarget() throws {
        let receiver = try Background.metricat(["listen", "tcp://127.0.0.1:0", "--from", "influx", "--to", "influx", "--count", "2", "--timeout", "20s"])
        #expect(receiver.waitFor(20) { _, err in err.contains("listening on tcp://") })
        let target = try #require(receiver.stderr.split(separator: "\n").first { $0.hasPrefix("listening on ") }).dropFirst(13)
        let (p, port, _) = try Self.start(["--aggregate", "1h", "--forward", String(target), "--no-counter-rates", "-q", "--count", "2", "--json", "--timeout", "20s"])
        ListenSummaryTests.sendDatagrams(["hits:3|c\ntemp:21.5|g"], port: port)
        #expect(p.wait() == 0, "\(p.stderr)")
        #expect(receiver.wait() == 0, "\(receiver.stderr)")
        #expect(Self.lines(receiver.stdout) == ["temp,metric_type=gauge value=21.5", "hits,metric_type=counter value=3i"], "\(receiver.stdout)")
        #expect(p.stdout.isEmpty)
        let json = try ListenSummaryTests.summary(p.stderr)
        let forward = try #require((json["forward"] as? [[String: Any]])?.first)
        #expect(forward["lines"] as? Int == 2 && forward["failed"] as? Int == 0, "\(forward)")
    }

    @Test func prometheusEndpointPassesPromtoolAndAScrapeReturnsWhatWasSent() throws {
        let promtool = try Peers.require("promtool", package: "prometheus")
        let (p, port, url) = try Self.start(["--aggregate", "100ms", "-q", "--serve-metrics", "127.0.0.1:0", "--percentiles", "50,90", "--json"])
        let metrics = try #require(url)
        ListenSummaryTests.sendDatagrams(
            ["myapp.hits:3|c|#env:prod\nmyapp.hits:2|c|@0.5|#env:prod\nmyapp.temp:21.5|g\nmyapp.temp:+1|g\nmy-app.lat:120|ms\nmy-app.lat:80|ms\nusers:alice|s\nusers:bob|s"],
            port: port)
        var body = ""
        let end = Date().addingTimeInterval(10)
        while Date() < end {
            body = try Peers.run("curl", ["-s", metrics])
            if body.contains("myapp_hits_total") { break }
            usleep(50_000)
        }
        #expect(body.contains("# TYPE myapp_hits_total counter\nmyapp_hits_total{env=\"prod\"} 7\n"), "\(body)")
        #expect(body.contains("# TYPE myapp_temp gauge\nmyapp_temp 22.5\n"), "\(body)")
        #expect(
            body.contains("# TYPE my_app_lat summary\nmy_app_lat{quantile=\"0.5\"} 0.12\nmy_app_lat{quantile=\"0.9\"} 0.12\nmy_app_lat_sum 0.2\nmy_app_lat_count 2\n"), "\(body)")
        #expect(body.contains("# TYPE users gauge\nusers 2\n"), "\(body)")
        let dir = try temporaryDirectory("prom")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("metrics.txt")
        try body.write(to: file, atomically: true, encoding: .utf8)
        let lint = try Background("/bin/sh", ["-c", "\"$0\" check metrics < \"$1\"", promtool, file.path])
        #expect(lint.wait() == 0, "promtool: \(lint.stdout) \(lint.stderr)")
        let head = try Peers.run("curl", ["-sI", metrics])
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head)")
        let missing = try Peers.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", metrics.replacingOccurrences(of: "/metrics", with: "/")])
        #expect(missing == "404")
        p.signal(SIGINT)
        #expect(p.wait() == 0)
        let json = try ListenSummaryTests.summary(p.stderr)
        #expect((json["scrapes"] as? Int ?? 0) >= 2 && json["http_errors"] as? Int == 1, "\(json)")
    }

    /// collectd's statsd plugin and metricat get the same datagram; their aggregates agree.
    @Test(.enabled(if: Peers.installed("collectd"), "needs apt-get install collectd-core"))
    func aggregatesEqualCollectdsStatsDPlugin() throws {
        let collectd = try CollectdPeer()
        let traffic =
            "myapp.hits:3|c\nmyapp.hits:2|c|@0.5\nmyapp.temp:21.5|g\nmyapp.temp:+1|g\nmyapp.temp:-0.5|g\nmyapp.lat:120|ms\nmyapp.lat:80|ms\nmyapp.lat:100|ms\nmyapp.users:alice|s\nmyapp.users:bob|s\nmyapp.users:alice|s"
        let (p, port, _) = try Self.start(["--aggregate", "1h", "--to", "json", "--percentiles", "90", "--count", "11", "--timeout", "20s"])
        ListenSummaryTests.sendDatagrams([traffic], port: port)
        ListenSummaryTests.sendDatagrams([traffic], port: collectd.port)
        #expect(p.wait() == 0, "\(p.stderr)")
        var ours: [String: [String: Double]] = [:]
        for line in p.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            ours[object["name"] as! String] = (object["fields"] as! [String: Any]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        #expect(collectd.lastValue("derive-myapp.hits", until: { $0 == 7 }) == ours["myapp.hits"]?["value"])
        #expect(collectd.lastValue("gauge-myapp.temp", until: { $0 == 22 }) == ours["myapp.temp"]?["value"])
        #expect(collectd.lastValue("objects-myapp.users", until: { $0 == 2 }) == ours["myapp.users"]?["value"])
        #expect(collectd.lastValue("gauge-myapp.lat-count", until: { $0 == 3 }) == ours["myapp.lat"]?["count"])
        // collectd writes timers in seconds.
        let mean = try #require(collectd.lastValue("latency-myapp.lat-average", until: { $0 > 0 }))
        #expect(abs(mean * 1000 - (ours["myapp.lat"]?["mean"] ?? 0)) < 1e-6, "collectd \(mean) s, metricat \(ours["myapp.lat"] ?? [:])")
        #expect(collectd.lastValue("latency-myapp.lat-lower", until: { $0 > 0 }).map { $0 * 1000 } == ours["myapp.lat"]?["lower"])
        #expect(collectd.lastValue("latency-myapp.lat-upper", until: { $0 > 0 }).map { $0 * 1000 } == ours["myapp.lat"]?["upper"])
        // collectd's percentile comes from a histogram of fixed bins, so it is close, not equal:
        // within 1% of the exact nearest-rank value metricat (and Telegraf) write.
        let p90 = try #require(collectd.lastValue("latency-myapp.lat-percentile-90", until: { $0 > 0 }))
        let exact = try #require(ours["myapp.lat"]?["90_percentile"])
        #expect(exact == 120)
        #expect(abs(p90 * 1000 - exact) / exact < 0.01, "collectd \(p90) s, metricat \(exact) ms")
        #expect(!collectd.process.stdout.contains("Unable to parse line"), "\(collectd.process.stdout)")
    }
}

extension AggregateTests {
    @Test func theREADMEExampleRunsAndPrintsWhatTheREADMESays() throws {
        let readme = try String(contentsOf: Binary.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let after = try #require(readme.components(separatedBy: "<!-- aggregate-example -->\n```sh\n").dropFirst().first)
        let block = try #require(after.components(separatedBy: "\n```\n").first) + "\n"
        let printed = try #require(after.components(separatedBy: "prints (a timestamp ends each line)\n\n```\n").dropFirst().first?.components(separatedBy: "\n```").first)
        let bin = URL(fileURLWithPath: Binary.path).deletingLastPathComponent().path
        let r = try Background("/bin/sh", ["-e", "-c", block], env: ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")])
        #expect(r.wait(30) == 0, "\(r.stdout)\(r.stderr)")
        #expect(Self.lines(r.stdout) == printed.split(separator: "\n").map(String.init), "\(r.stdout)")
    }
}

extension AggregateTests {
    @Test func aForwardTargetThatGoesAwayIsReportedCountedAndExit69() throws {
        let receiver = try Background.metricat(["listen", "tcp://127.0.0.1:0"])
        #expect(receiver.waitFor(20) { _, err in err.contains("listening on tcp://") })
        let target = try #require(receiver.stderr.split(separator: "\n").first { $0.hasPrefix("listening on ") }).dropFirst(13)
        let (p, port, _) = try Self.start(["--aggregate", "200ms", "-q", "--forward", String(target), "--json", "--timeout", "20s"])
        ListenSummaryTests.sendDatagrams(["a:1|c"], port: port)
        #expect(receiver.waitFor(10) { out, _ in out.contains("a,metric_type=counter") }, "\(receiver.stdout)")
        receiver.stop()
        ListenSummaryTests.sendDatagrams(["b:1|c"], port: port)
        #expect(p.waitFor(10) { _, err in err.contains("could not be delivered") }, "\(p.stderr)")
        p.signal(SIGTERM)
        #expect(p.wait() == 69, "\(p.stderr)")
        #expect(p.stderr.contains("metricat: warning: --forward \(target): 1 line of flush"), "\(p.stderr)")
        let json = try ListenSummaryTests.summary(p.stderr.components(separatedBy: "\nmetricat: --forward").first ?? "")
        let forward = try #require((json["forward"] as? [[String: Any]])?.first)
        #expect(forward["lines"] as? Int == 1 && forward["failed"] as? Int == 1, "\(forward)")
    }
}

extension AggregateTests {
    /// A forward target that accepts the connection and never reads fills the socket buffers within
    /// a few flushes. Its writes wait on a thread of their own: the receive loop goes on reading
    /// (before, it stood still for the write timeout and the kernel dropped what came meanwhile),
    /// flushes keep their schedule, flushes past `--forward-queue` are dropped and counted, the end
    /// waits a bounded time, and every line is counted.
    @Test func aForwardTargetThatStopsReadingDoesNotStopTheReceiving() throws {
        let (fd, deafPort) = try SendDeliveryTests.deafListener()
        defer { close(fd) }
        let (p, port, _) = try Self.start([
            "--aggregate", "200ms", "-q", "--max-series", "1000000", "--forward", "tcp://127.0.0.1:\(deafPort)", "--forward-queue", "64k", "--json",
            "--timeout", "6s", "--rcvbuf", "4M",  // a busy test host may pause the reader for tens of ms; the stall was seconds
        ])
        // 80,000 series of about 100 bytes a name: some 12 MB of line protocol to forward, more than
        // the loopback socket buffers of a reader that never reads take.
        let total = 80_000
        let pad = String(repeating: "x", count: 80)
        var sent = 0
        let start = Date()
        while sent < total {
            ListenSummaryTests.sendDatagrams((sent..<sent + 100).map { "stall.\(pad).\($0):1|c" }, port: port)
            sent += 100
            usleep(5_000)
        }
        let sending = Date().timeIntervalSince(start)
        #expect(p.wait(40) == 69, "\(p.stderr)")
        let json = try ListenSummaryTests.summary(p.stderr.components(separatedBy: "\nmetricat: --forward").first ?? "")
        let lines = try #require(json["lines"] as? Int, "\(json)")
        let drops = try #require(json["kernel_drops"] as? Int, "\(json)")
        #expect(lines + drops == total, "\(json)")
        #expect(drops <= total / 50, "the receive loop stood still: \(drops) of \(total) datagrams dropped by the kernel (sent in \(sending) s)")
        // 6 s at 200 ms: about 30 flushes; a loop held for the write timeout makes a handful.
        #expect((json["flushes"] as? Int ?? 0) >= 15, "\(json)")
        // The end waits for the target at most about twice send's 5 s write timeout.
        #expect((json["duration_s"] as? Double ?? 99) < 18, "\(json)")
        let forward = try #require((json["forward"] as? [[String: Any]])?.first)
        let delivered = try #require(forward["lines"] as? Int)
        let failed = try #require(forward["failed"] as? Int)
        #expect(delivered + failed == json["flushed_metrics"] as? Int, "\(forward) \(json)")
        #expect(failed > 0, "\(forward)")
        #expect(p.stderr.contains("could not be delivered"), "\(p.stderr)")
        // While the writer waited, later flushes passed the 64 KiB queue: the oldest were dropped.
        #expect(p.stderr.contains("dropped unsent: the flushes waiting for the target passed --forward-queue 65536 bytes"), "\(p.stderr)")
    }
}

extension AggregateTests {
    /// An InfluxDB target that takes the request and never answers: the end waits send's 5 s write
    /// timeout in all (not the 30 s answer timeout and its retries), a SIGTERM during that wait does
    /// not cut the summary off, and the lines count as unconfirmed (exit 69).
    @Test func anHTTPTargetThatNeverAnswersEndsWithinTheBoundAndASignalMeanwhileKeepsTheSummary() throws {
        let (fd, deafPort) = try SendDeliveryTests.deafListener()
        defer { close(fd) }
        let (p, port, _) = try Self.start([
            "--aggregate", "200ms", "-q", "--forward", "http://127.0.0.1:\(deafPort)/write?db=x", "--json", "--timeout", "2s",
        ])
        ListenSummaryTests.sendDatagrams(["a:1|c\nb:2|c"], port: port)
        usleep(3_500_000)  // past --timeout: the run is waiting for the target
        p.signal(SIGTERM)
        #expect(p.wait(20) == 69, "\(p.stderr)")
        let json = try ListenSummaryTests.summary(p.stderr.components(separatedBy: "\nmetricat: --forward").first ?? "")
        #expect((json["duration_s"] as? Double ?? 99) < 9, "\(json)")
        let forward = try #require((json["forward"] as? [[String: Any]])?.first)
        #expect(forward["lines"] as? Int == 0 && forward["failed"] as? Int == 0 && forward["unconfirmed"] as? Int == 2, "\(forward)")
        #expect(p.stderr.contains("2 lines were sent but never confirmed (the server may have stored them)"), "\(p.stderr)")
    }
}
