import Foundation
import Testing

/// `send` and `listen` against real third-party servers and client libraries on loopback.
@Suite(.serialized) struct PeerTests {
    @Test(.enabled(if: Peers.installed("influxd"), "needs InfluxDB 1.x: apt-get install influxdb influxdb-client"))
    func influxDBKeepsTheFieldTypesOverHTTPAndUDP() throws {
        let influx = try InfluxPeer()
        try influx.query("CREATE DATABASE test")
        let http = try Binary.run([
            "send", "http://127.0.0.1:\(influx.httpPort)/write?db=test",
            "cpu,host=a,region=us\\ west usage=1.5,idle=2i,ok=true,msg=\"hi \\\"there\\\"\" 1700000000000000000",
        ])
        #expect(http.status == 0, "\(http)")
        let keys = try influx.waitFor("SHOW FIELD KEYS", db: "test", contains: "usage")
        #expect(keys.contains("[\"idle\",\"integer\"]"), "\(keys)")
        #expect(keys.contains("[\"msg\",\"string\"]"))
        #expect(keys.contains("[\"ok\",\"boolean\"]"))
        #expect(keys.contains("[\"usage\",\"float\"]"))
        let rows = try influx.query("SELECT * FROM cpu", db: "test")
        #expect(rows.contains("[1700000000000000000,\"a\",2,\"hi \\\"there\\\"\",true,\"us west\",1.5]"), "\(rows)")

        // UDP: the database named in the config is created on the first good packet.
        let udp = try Binary.run(["send", "udp://127.0.0.1:\(influx.udpPort)", "udpm,host=u v=42i,f=0.5 1700000000000000000"])
        #expect(udp.status == 0, "\(udp)")
        let udpRows = try influx.waitFor("SELECT * FROM udpm", db: "udp", contains: "42")
        #expect(udpRows.contains("[1700000000000000000,0.5,\"u\",42]"), "\(udpRows)")
        let udpKeys = try influx.query("SHOW FIELD KEYS", db: "udp")
        #expect(udpKeys.contains("[\"v\",\"integer\"]"))
    }

    @Test(.enabled(if: Peers.installed("influxd"), "needs InfluxDB 1.x: apt-get install influxdb influxdb-client"))
    func influxDBsRejectionIsReportedAtTheLineItNames() throws {
        let influx = try InfluxPeer()
        try influx.query("CREATE DATABASE test")
        // InfluxDB 1.6 has no unsigned integers: asked to write `100u`, it rejects it and writes the good line.
        let r = try Binary.run([
            "send", "http://127.0.0.1:\(influx.httpPort)/write?db=test", "--influx-uint-support",
            "good v=1 1700000000000000000", "mem free=100u 1700000000000000000",
        ])
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("arg:2: InfluxDB rejected the line: invalid number"), "\(r.stderr)")
        let rows = try influx.waitFor("SELECT * FROM good", db: "test", contains: "1700000000000000000")
        #expect(rows.contains("[1700000000000000000,1]"))
        let missing = try Binary.run(["send", "http://127.0.0.1:\(influx.httpPort)/write?db=nosuch", "good v=1"])
        #expect(missing.status == 69)
        #expect(missing.stderr.contains("database not found"), "\(missing.stderr)")
    }

    /// A field-type conflict is bad data (65) at the lines it drops, not an unreachable target (69);
    /// every line is counted stored or rejected, and what InfluxDB stored is exactly the rest.
    @Test(.enabled(if: Peers.installed("influxd"), "needs InfluxDB 1.x: apt-get install influxdb influxdb-client"))
    func influxDBsTypeConflictsAreRejectedLinesCountedExactly() throws {
        let influx = try InfluxPeer()
        try influx.query("CREATE DATABASE test")
        let url = "http://127.0.0.1:\(influx.httpPort)/write?db=test"
        #expect(try Binary.run(["send", url, "m v=1i 1"]).status == 0)
        let r = try Binary.run(["send", url, "--json", "m v=2i 2", "m v=1.5 3", "ok x=1 4", "m v=2.5 5"])
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr.contains("arg:2: InfluxDB rejected the line: field type conflict"), "\(r.stderr)")
        #expect(r.stderr.contains("arg:4: InfluxDB rejected the line: field type conflict"), "\(r.stderr)")
        #expect(r.stderr.contains("\"lines\":2,") && r.stderr.contains("\"failed\":0,\"rejected\":2,\"unconfirmed\":0"), "\(r.stderr)")
        let rows = try influx.waitFor("SELECT * FROM m,ok", db: "test", contains: "[4,")
        #expect(rows.contains("[[1,1,null],[2,2,null]]"), "\(rows)")
        #expect(rows.contains("[[4,null,1]]"), "\(rows)")
        // Two types for a new field in one batch: the first type wins, the other line is rejected.
        let batch = try Binary.run(["send", url, "--json", "n v=1i 1", "n v=1.5 2"])
        #expect(batch.status == 65, "\(batch)")
        #expect(batch.stderr.contains("arg:2: InfluxDB rejected the line: field type conflict"), "\(batch.stderr)")
        #expect(batch.stderr.contains("\"lines\":1,") && batch.stderr.contains("\"rejected\":1"), "\(batch.stderr)")
    }

    /// `--precision s` without `&precision=` in the URL: the precision goes into the request, so the
    /// point lands at its second, not in 1970.
    @Test(.enabled(if: Peers.installed("influxd"), "needs InfluxDB 1.x: apt-get install influxdb influxdb-client"))
    func influxDBReadsTimestampsInThePrecisionSent() throws {
        let influx = try InfluxPeer()
        try influx.query("CREATE DATABASE test")
        for (unit, stamp) in [("s", "1700000000"), ("ms", "1700000001000"), ("us", "1700000002000000")] {
            let r = try Binary.run(["send", "--precision", unit, "http://127.0.0.1:\(influx.httpPort)/write?db=test", "prec,unit=\(unit) v=1 \(stamp)"])
            #expect(r.status == 0, "\(r)")
        }
        let same = try Binary.run(["send", "--precision", "ms", "http://127.0.0.1:\(influx.httpPort)/write?db=test&precision=ms", "prec,unit=both v=1 1700000003000"])
        #expect(same.status == 0, "\(same)")
        let rows = try influx.waitFor("SELECT v, unit FROM prec", db: "test", contains: "both")
        for (unit, ns) in [("s", "1700000000000000000"), ("ms", "1700000001000000000"), ("us", "1700000002000000000"), ("both", "1700000003000000000")] {
            #expect(rows.contains("[\(ns),1,\"\(unit)\"]"), "\(rows)")
        }
    }

    /// promtool accepts what prometheus output writes: a reserved label name (`__name__`, refused by
    /// promtool and Pushgateway as it stands) is renamed, and a NaN gauge is kept.
    @Test(.enabled(if: Peers.installed("promtool"), "needs promtool: apt-get install prometheus"))
    func promtoolAcceptsReservedLabelsRenamedAndNaNKept() throws {
        let dir = try temporaryDirectory("promtool")
        defer { try? FileManager.default.removeItem(at: dir) }
        let reserved = try Binary.run(
            ["convert", "--from", "influx", "--to", "prometheus"], input: "m,__name__=x,__meta=y,a=1 v=1 1700000000000000000\n")
        #expect(reserved.status == 0, "\(reserved)")
        let nan = try Binary.run(
            ["convert", "--from", "prometheus", "--to", "prometheus"], input: "# TYPE temperature gauge\ntemperature{room=\"x\"} NaN\ntemperature{room=\"y\"} 21\n")
        #expect(nan.status == 0, "\(nan)")
        #expect(nan.stdout.contains("temperature{room=\"x\"} NaN\n"), "\(nan.stdout)")
        for (name, text) in [("reserved", reserved.stdout), ("nan", nan.stdout)] {
            let file = dir.appendingPathComponent(name + ".prom")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let check = try Background("/bin/sh", ["-c", "promtool check metrics < '\(file.path)'"])
            #expect(check.wait(30) == 0, "\(name): \(check.stdout)\(check.stderr)\n\(text)")
        }
        // The unrenamed text is what promtool refuses: the check above can fail.
        let raw = dir.appendingPathComponent("raw.prom")
        try "# TYPE m_v untyped\nm_v{__name__=\"x\"} 1\n".write(to: raw, atomically: true, encoding: .utf8)
        let refused = try Background("/bin/sh", ["-c", "promtool check metrics < '\(raw.path)'"])
        #expect(refused.wait(30) == 1)
    }

    /// Pushgateway stores a push of prometheus output with a reserved label renamed and a NaN gauge.
    @Test(.enabled(if: Peers.installed("prometheus-pushgateway") && Peers.installed("curl"), "needs apt-get install prometheus-pushgateway curl"))
    func pushgatewayStoresWhatPrometheusOutputWrites() throws {
        let gateway = try PushgatewayPeer()
        let port = gateway.port
        let dir = try temporaryDirectory("pushgateway")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Binary.run(
            ["convert", "--from", "influx", "--to", "prometheus"],
            input: "room,__name__=x,site=a temperature=21.5 1700000000000000000\nroom,site=b temperature=19 1700000000000000000\n")
        #expect(r.status == 0, "\(r)")
        let file = dir.appendingPathComponent("push.prom")
        try r.stdout.write(to: file, atomically: true, encoding: .utf8)
        let push = try Background(
            try Peers.require("curl", package: "curl"),
            ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@\(file.path)", "http://127.0.0.1:\(port)/metrics/job/metricat"])
        #expect(push.wait(30) == 0)
        #expect(push.stdout == "200", "\(push.stdout) \(push.stderr)\n\(r.stdout)")
        let scraped = try Peers.run("curl", ["-sS", "http://127.0.0.1:\(port)/metrics"])
        #expect(scraped.contains("room_temperature{exported___name__=\"x\",instance=\"\",job=\"metricat\",site=\"a\"} 21.5"), "\(scraped.suffix(800))")
        #expect(scraped.contains("room_temperature{instance=\"\",job=\"metricat\",site=\"b\"} 19"), "\(scraped.suffix(800))")
    }

    /// promtool accepts what an OpenMetrics input of every family type becomes (counter with
    /// `_total` and `_created`, gauge, histogram, gauge histogram, summary, info, stateset, unknown,
    /// `# UNIT`, exemplars, `# EOF`), and the Prometheus to Prometheus HELP texts it keeps.
    @Test(.enabled(if: Peers.installed("promtool"), "needs promtool: apt-get install prometheus"))
    func promtoolAcceptsWhatOpenMetricsInputBecomes() throws {
        let dir = try temporaryDirectory("promtool-om")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = """
            # HELP jobs Jobs done.
            # TYPE jobs counter
            # UNIT jobs jobs
            jobs_total{queue="a"} 3 1520879607.789 # {trace_id="x"} 1
            jobs_created{queue="a"} 1520870000.5
            # TYPE temperature_celsius gauge
            # UNIT temperature_celsius celsius
            temperature_celsius 21.5
            # HELP latency_seconds Request latency.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.5"} 1 # {trace_id="y"} 0.3
            latency_seconds_bucket{le="+Inf"} 2
            latency_seconds_count 2
            latency_seconds_sum 1.7
            latency_seconds_created 1520870000
            # HELP queue_size Items waiting, a "gauge" histogram.
            # TYPE queue_size gaugehistogram
            queue_size_bucket{le="1.0"} 2
            queue_size_bucket{le="+Inf"} 5
            queue_size_gcount 5
            queue_size_gsum 12.5
            # TYPE rpc_seconds summary
            rpc_seconds{quantile="0.5"} 0.2
            rpc_seconds_count 4
            rpc_seconds_sum 1
            # HELP build Build information.
            # TYPE build info
            build_info{version="1.2"} 1
            # TYPE door stateset
            door{door="open"} 1
            door{door="closed"} 0
            # TYPE mystery unknown
            mystery 7
            # EOF

            """
        let r = try Binary.run(["convert", "--from", "prometheus", "--to", "prometheus"], input: input)
        #expect(r.status == 0, "\(r)")
        for family in [
            "jobs_total counter", "jobs_created gauge", "temperature_celsius gauge", "latency_seconds histogram", "queue_size histogram", "rpc_seconds summary", "build_info gauge",
            "door gauge", "mystery untyped",
        ] {
            #expect(r.stdout.contains("# TYPE \(family)\n"), "\(family): \(r.stdout)")
        }
        #expect(r.stdout.contains("# HELP jobs_total Jobs done.\n"), "\(r.stdout)")
        #expect(r.stdout.contains("# HELP queue_size Items waiting, a \"gauge\" histogram.\n"), "\(r.stdout)")
        let file = dir.appendingPathComponent("om.prom")
        try r.stdout.write(to: file, atomically: true, encoding: .utf8)
        let check = try Background("/bin/sh", ["-c", "promtool check metrics < '\(file.path)'"])
        #expect(check.wait(30) == 0, "\(check.stdout)\(check.stderr)\n\(r.stdout)")
    }

    /// A family Pushgateway holds as a counter or gauge takes a push of the same text after a trip
    /// through line protocol only when `--prometheus-type-tag` kept the types: untyped it is refused.
    @Test(.enabled(if: Peers.installed("prometheus-pushgateway") && Peers.installed("curl"), "needs apt-get install prometheus-pushgateway curl"))
    func pushgatewayTakesTypesKeptThroughInflux() throws {
        let gateway = try PushgatewayPeer()
        let port = gateway.port
        let dir = try temporaryDirectory("pushgateway-types")
        defer { try? FileManager.default.removeItem(at: dir) }
        let typed =
            "# TYPE jobs_total counter\njobs_total{q=\"a\"} 3\n# TYPE temp gauge\ntemp 2\n# TYPE lat histogram\nlat_bucket{le=\"1.0\"} 1\nlat_bucket{le=\"+Inf\"} 2\nlat_sum 3\nlat_count 2\n"
        func push(_ text: String, group: String) throws -> String {
            let file = dir.appendingPathComponent(group + ".prom")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let p = try Background(
                try Peers.require("curl", package: "curl"),
                ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@\(file.path)", "http://127.0.0.1:\(port)/metrics/job/\(group)"])
            #expect(p.wait(30) == 0)
            return p.stdout
        }
        #expect(try push(typed, group: "original") == "200")
        for (flag, group, status) in [(true, "kept", "200"), (false, "untyped", "400")] {
            let influx = try Binary.run(["convert", "--from", "prometheus", "--to", "influx"] + (flag ? ["--prometheus-type-tag"] : []), input: typed)
            #expect(influx.status == 0, "\(influx)")
            let back = try Binary.run(["convert", "--from", "influx", "--to", "prometheus"], input: influx.stdout)
            #expect(back.status == 0, "\(back)")
            #expect(back.stdout.contains("# TYPE jobs_total \(flag ? "counter" : "untyped")\n"), "\(back.stdout)")
            #expect(try push(back.stdout, group: group) == status, "\(group): \(back.stdout)")
        }
        let scraped = try Peers.run("curl", ["-sS", "http://127.0.0.1:\(port)/metrics"])
        #expect(scraped.contains("jobs_total{instance=\"\",job=\"kept\",q=\"a\"} 3"), "\(scraped.suffix(800))")
        #expect(!scraped.contains("jobs_total{instance=\"\",job=\"untyped\""), "\(scraped.suffix(800))")
        #expect(scraped.contains("push_failure_time_seconds{instance=\"\",job=\"untyped\"}"), "\(scraped.suffix(800))")
    }

    /// By default a uint goes out as an integer, so InfluxDB 1.x over UDP stores every line of a packed
    /// datagram (with `u` it would drop the whole datagram without a word).
    @Test(.enabled(if: Peers.installed("influxd"), "needs InfluxDB 1.x: apt-get install influxdb influxdb-client"))
    func influxDBOverUDPStoresEveryLineOfADatagramWithAUint() throws {
        let influx = try InfluxPeer()
        var lines = (1...14).map { "good,n=\($0) v=\($0)i 1700000000000000000" }
        lines.insert("good,n=0 v=7u 1700000000000000000", at: 7)
        let r = try Binary.run(["send", "udp://127.0.0.1:\(influx.udpPort)", "-v"] + lines)
        #expect(r.status == 0, "\(r)")
        let rows = try influx.waitFor("SELECT count(v) FROM good", db: "udp", contains: "[0,15]")
        #expect(rows.contains("[0,15]"), "\(rows)")
        let seven = try influx.query("SELECT v FROM good WHERE n='0'", db: "udp")
        #expect(seven.contains("[1700000000000000000,7]"), "\(seven)")
        // A uint above 2^63-1 cannot be written as an integer: reported, not clamped and not sent.
        let big = try Binary.run(["send", "udp://127.0.0.1:\(influx.udpPort)", "big v=18446744073709551615u"])
        #expect(big.status == 65, "\(big)")
        #expect(big.stderr.contains("arg:1:5: field \"v\" is 18446744073709551615u"), "\(big.stderr)")
    }

    @Test(.enabled(if: Peers.installed("carbon-cache") && Peers.installed("whisper-fetch"), "needs apt-get install graphite-carbon python3-whisper"))
    func graphiteLandsInCarbonsWhisperFiles() throws {
        let carbon = try CarbonPeer()
        let now = Int(Date().timeIntervalSince1970)
        let r = try Binary.run(["send", "tcp://127.0.0.1:\(carbon.port)", "--from", "graphite", "--format", "graphite", "metricat.test.tcp 1.5 \(now)"])
        #expect(r.status == 0, "\(r)")
        let u = try Binary.run(["send", "udp://127.0.0.1:\(carbon.port)", "--from", "influx", "--format", "graphite", "load,host=web1 value=2.5 \(now)000000000"])
        #expect(u.status == 0, "\(u)")
        let tcpRows = try carbon.fetch("metricat.test.tcp", from: now - 1, until: now + 1)
        #expect(tcpRows.contains { $0.0 == now && $0.1 == 1.5 }, "\(tcpRows)")
        let udpRows = try carbon.fetch("web1.load", from: now - 1, until: now + 1)
        #expect(udpRows.contains { $0.0 == now && $0.1 == 2.5 }, "\(udpRows)")
    }

    /// Carbon stores `app..hits` in the whisper file of `app.hits`: metricat writes the path carbon
    /// stores, and says so, instead of letting two names share a series silently.
    @Test(.enabled(if: Peers.installed("carbon-cache") && Peers.installed("whisper-fetch"), "needs apt-get install graphite-carbon python3-whisper"))
    func anEmptyGraphitePathPartIsReportedAndWrittenAsCarbonStoresIt() throws {
        let carbon = try CarbonPeer()
        let now = Int(Date().timeIntervalSince1970)
        let r = try Binary.run(["send", "tcp://127.0.0.1:\(carbon.port)", "--from", "influx", "--format", "graphite", "app..hits value=4 \(now)000000000"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr == "arg:1:1: warning: graphite path \"app..hits\" written as \"app.hits\": graphite does not allow some of its characters\n", "\(r)")
        let rows = try carbon.fetch("app.hits", from: now - 1, until: now + 1)
        #expect(rows.contains { $0.0 == now && $0.1 == 4 }, "\(rows)")
    }

    /// `send --every 1s --count 3 --format graphite`: three ticks, three points in whisper.
    @Test(.enabled(if: Peers.installed("carbon-cache") && Peers.installed("whisper-fetch"), "needs apt-get install graphite-carbon python3-whisper"))
    func carbonKeepsOnePointPerGeneratedTick() throws {
        let carbon = try CarbonPeer()
        let start = Int(Date().timeIntervalSince1970)
        let r = try Binary.run([
            "send", "tcp://127.0.0.1:\(carbon.port)", "--format", "graphite", "--name", "tick", "--field", "v=seq", "--every", "1s", "--count", "3",
        ])
        #expect(r.status == 0, "\(r)")
        let end = Int(Date().timeIntervalSince1970)
        var rows: [(Int, Double)] = []
        for _ in 0..<50 {
            rows = try carbon.fetch("tick.v", from: start - 1, until: end + 1)
            if Set(rows.map(\.1)) == [0, 1, 2] { break }
            usleep(200_000)
        }
        #expect(Set(rows.map(\.1)) == [0, 1, 2], "\(rows)")
        #expect(Set(rows.map(\.0)).count == 3, "\(rows)")
    }

    @Test(.enabled(if: Peers.installed("collectd"), "needs apt-get install collectd-core"))
    func collectdAggregatesWhatSendWritesAsStatsD() throws {
        let collectd = try CollectdPeer()
        let lines = [
            "myapp.hits:3|c", "myapp.hits:2|c|@0.5", "myapp.temp:21.5|g", "myapp.temp:+1|g", "myapp.lat:120|ms", "myapp.lat:80|ms", "myapp.users:alice|s", "myapp.users:bob|s",
        ]
        let r = try Binary.run(["send", "udp://127.0.0.1:\(collectd.port)", "--format", "statsd"] + lines)
        #expect(r.status == 0, "\(r)")
        #expect(collectd.lastValue("derive-myapp.hits", until: { $0 == 7 }) == 7, "\(collectd.process.stdout.suffix(400))")
        #expect(collectd.lastValue("gauge-myapp.temp", until: { $0 == 22.5 }) == 22.5)
        #expect(collectd.lastValue("latency-myapp.lat-average", until: { $0 == 0.1 }) == 0.1)
        #expect(collectd.lastValue("objects-myapp.users", until: { $0 == 2 }) == 2)
        #expect(!collectd.process.stdout.contains("Unable to parse line"), "\(collectd.process.stdout)")
    }

    /// The Python clients' own bytes, decoded by `listen --from auto --to json`.
    @Test(.enabled(if: Peers.pythonClients != nil, "needs pip install statsd==4.0.1 datadog==0.56.0 influxdb==5.3.2 (METRICAT_CLIENTS_PYTHON names that python)"))
    func realClientLibrariesAreDecoded() throws {
        let python = try #require(Peers.pythonClients)
        let port = freePort()
        let listen = try Background.metricat(["listen", "udp://127.0.0.1:\(port)", "--from", "auto", "--to", "json", "--count", "7", "--timeout", "15s"])
        #expect(listen.waitFor(20) { _, _ in SendListenTests.isListening("udp://127.0.0.1:\(port)") })
        let script = """
            import statsd, time
            from datadog.dogstatsd import DogStatsd
            from influxdb import InfluxDBClient
            c = statsd.StatsClient('127.0.0.1', \(port), prefix='myapp')
            c.incr('hits'); c.gauge('temp', 21.5)
            with c.pipeline() as p: p.incr('a'); p.timing('b', 3)
            d = DogStatsd(host='127.0.0.1', port=\(port), disable_telemetry=True, constant_tags=['env:ci'])
            d.increment('dd.hits', tags=['dc:x', 'role']); d.histogram('dd.size', 3.5); d.flush()
            i = InfluxDBClient(host='127.0.0.1', use_udp=True, udp_port=\(port))
            i.send_packet({'points': [{'measurement': 'ifx', 'tags': {'host': 'h1'}, 'fields': {'v': 2, 'ok': True}}]})
            """
        let client = try Background(python, ["-c", script])
        #expect(client.wait() == 0, "\(client.stderr)")
        #expect(listen.wait(20) == 0, "\(listen.stderr)")
        let out = listen.stdout
        for expected in [
            "\"name\":\"myapp.hits\"", "\"name\":\"myapp.temp\"", "\"name\":\"myapp.a\"", "\"name\":\"myapp.b\"",
            "\"name\":\"dd.hits\"", "\"dc\":\"x\"", "\"role\":\"true\"", "\"env\":\"ci\"", "\"metric_type\":\"histogram\"",
            "\"name\":\"ifx\"", "\"ok\":true",
        ] {
            #expect(out.contains(expected), "missing \(expected) in\n\(out)\n\(listen.stderr)")
        }
    }
}
