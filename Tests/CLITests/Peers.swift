import Foundation
import Testing

/// Real collectors started by the tests on loopback, on free ports, in temporary directories, and
/// stopped afterwards. A test whose peer is not installed is skipped with the package to install.
enum Peers {
    /// True when `program` is on the PATH (tests that need it are skipped otherwise, with the package named).
    static func installed(_ program: String) -> Bool { which(program) != nil }

    /// A Python that has the statsd, datadog and influxdb client packages (`METRICAT_CLIENTS_PYTHON`, else python3).
    static let pythonClients: String? = {
        guard let python = ProcessInfo.processInfo.environment["METRICAT_CLIENTS_PYTHON"] ?? which("python3"),
            let probe = try? Background(python, ["-c", "import statsd, datadog, influxdb"]), probe.wait() == 0
        else { return nil }
        return python
    }()

    static func require(_ program: String, package: String) throws -> String {
        guard let path = which(program) else {
            throw PeerMissing(message: "\(program) is not installed: apt-get install \(package) (.ci/run installs it)")
        }
        return path
    }

    struct PeerMissing: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs a program to completion and returns its stdout.
    @discardableResult
    static func run(_ program: String, _ args: [String], timeout: TimeInterval = 30) throws -> String {
        let p = try Background(which(program) ?? program, args)
        _ = p.wait(timeout)
        return p.stdout
    }
}

/// InfluxDB 1.x with HTTP and UDP listeners.
final class InfluxPeer {
    let dir: URL
    let httpPort = freePort()
    let udpPort = freePort()
    let rpcPort = freePort()
    let process: Background

    init(udpPrecision: String? = nil) throws {
        let influxd = try Peers.require("influxd", package: "influxdb influxdb-client")
        dir = try temporaryDirectory("influx")
        let conf = """
            reporting-enabled = false
            bind-address = "127.0.0.1:\(rpcPort)"
            [meta]
              dir = "\(dir.path)/meta"
            [data]
              dir = "\(dir.path)/data"
              wal-dir = "\(dir.path)/wal"
              query-log-enabled = false
            [monitor]
              store-enabled = false
            [http]
              bind-address = "127.0.0.1:\(httpPort)"
              log-enabled = false
            [[udp]]
              enabled = true
              bind-address = "127.0.0.1:\(udpPort)"
              database = "udp"
              batch-size = 1
              batch-timeout = "10ms"
            \(udpPrecision.map { "  precision = \"\($0)\"" } ?? "")
            """
        try conf.write(to: dir.appendingPathComponent("influxdb.conf"), atomically: true, encoding: .utf8)
        process = try Background(influxd, ["run", "-config", dir.appendingPathComponent("influxdb.conf").path])
        guard process.waitFor(20, { _, err in err.contains("Listening for signals") }) else {
            throw Peers.PeerMissing(message: "influxd did not start: \(process.stderr.suffix(500))")
        }
    }

    /// Runs an InfluxQL statement through the HTTP API; returns the JSON body.
    @discardableResult
    func query(_ q: String, db: String? = nil) throws -> String {
        var args = ["-sS", "-XPOST", "http://127.0.0.1:\(httpPort)/query?epoch=ns\(db.map { "&db=\($0)" } ?? "")", "--data-urlencode", "q=\(q)"]
        if db == nil { args.append(contentsOf: []) }
        return try Peers.run("curl", args)
    }

    /// Polls a query until its body contains `text` (points land asynchronously).
    func waitFor(_ q: String, db: String, contains text: String, timeout: TimeInterval = 10) throws -> String {
        let end = Date().addingTimeInterval(timeout)
        var body = ""
        while Date() < end {
            body = try query(q, db: db)
            if body.contains(text) { return body }
            usleep(100_000)
        }
        return body
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

/// Prometheus's Pushgateway on a free port.
final class PushgatewayPeer {
    let port = freePort()
    let process: Background

    init() throws {
        let gateway = try Peers.require("prometheus-pushgateway", package: "prometheus-pushgateway")
        process = try Background(gateway, ["--web.listen-address=127.0.0.1:\(port)"])
        guard process.waitFor(15, { out, err in (out + err).contains("Listening on") }) else {
            throw Peers.PeerMissing(message: "prometheus-pushgateway did not start: \(process.stderr.suffix(500))")
        }
    }

    deinit { process.stop() }
}

/// carbon-cache writing whisper files with 1-second retention.
final class CarbonPeer {
    let dir: URL
    let port = freePort()
    let queryPort = freePort()
    let process: Background

    init() throws {
        let carbon = try Peers.require("carbon-cache", package: "graphite-carbon python3-whisper")
        dir = try temporaryDirectory("carbon")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("whisper"), withIntermediateDirectories: true)
        let conf = """
            [cache]
            STORAGE_DIR = \(dir.path)/
            LOCAL_DATA_DIR = \(dir.path)/whisper/
            CONF_DIR = \(dir.path)/
            LOG_DIR = \(dir.path)/
            PID_DIR = \(dir.path)/
            USER =
            MAX_CACHE_SIZE = inf
            MAX_UPDATES_PER_SECOND = inf
            MAX_CREATES_PER_MINUTE = inf
            LINE_RECEIVER_INTERFACE = 127.0.0.1
            LINE_RECEIVER_PORT = \(port)
            ENABLE_UDP_LISTENER = True
            UDP_RECEIVER_INTERFACE = 127.0.0.1
            UDP_RECEIVER_PORT = \(port)
            PICKLE_RECEIVER_PORT = 0
            CACHE_QUERY_INTERFACE = 127.0.0.1
            CACHE_QUERY_PORT = \(queryPort)
            ENABLE_TAGS = False
            CARBON_METRIC_INTERVAL = 0
            WHISPER_AUTOFLUSH = True

            """
        try conf.write(to: dir.appendingPathComponent("carbon.conf"), atomically: true, encoding: .utf8)
        try "[default]\npattern = .*\nretentions = 1s:6h\n".write(
            to: dir.appendingPathComponent("storage-schemas.conf"), atomically: true, encoding: .utf8)
        process = try Background(carbon, ["--config=\(dir.path)/carbon.conf", "--nodaemon", "--logfile=-", "start"])
        guard process.waitFor(30, { out, err in (out + err).contains("MetricDatagramReceiver starting on") }) else {
            throw Peers.PeerMissing(message: "carbon-cache did not start: \((process.stdout + process.stderr).suffix(800))")
        }
    }

    /// Polls whisper-fetch for `path` (a.b.c) until a value appears; returns `timestamp value` rows.
    func fetch(_ path: String, from: Int, until: Int, timeout: TimeInterval = 15) throws -> [(Int, Double)] {
        let file = dir.appendingPathComponent("whisper/" + path.replacingOccurrences(of: ".", with: "/") + ".wsp").path
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if FileManager.default.fileExists(atPath: file) {
                let out = try Peers.run("whisper-fetch", ["--from=\(from)", "--until=\(until)", file])
                let rows: [(Int, Double)] = out.split(separator: "\n").compactMap { line in
                    let parts = line.split(separator: "\t")
                    guard parts.count == 2, let t = Int(parts[0]), let v = Double(parts[1]) else { return nil }
                    return (t, v)
                }
                if !rows.isEmpty { return rows }
            }
            usleep(200_000)
        }
        return []
    }

    deinit {
        process.signal(SIGKILL)
        _ = process.wait(5)
        try? FileManager.default.removeItem(at: dir)
    }
}

/// collectd with its statsd plugin, writing CSV files every second.
final class CollectdPeer {
    let dir: URL
    let port = freePort()
    let process: Background

    init() throws {
        let collectd = try Peers.require("collectd", package: "collectd-core")
        dir = try temporaryDirectory("collectd")
        let conf = """
            Hostname "peer"
            FQDNLookup false
            BaseDir "\(dir.path)"
            PIDFile "\(dir.path)/collectd.pid"
            Interval 1
            LoadPlugin logfile
            <Plugin logfile>
              LogLevel info
              File STDOUT
            </Plugin>
            LoadPlugin statsd
            <Plugin statsd>
              Host "127.0.0.1"
              Port "\(port)"
              TimerLower true
              TimerUpper true
              TimerSum true
              TimerCount true
              TimerPercentile 90.0
            </Plugin>
            LoadPlugin csv
            <Plugin csv>
              DataDir "\(dir.path)/csv"
              StoreRates false
            </Plugin>

            """
        try conf.write(to: dir.appendingPathComponent("collectd.conf"), atomically: true, encoding: .utf8)
        process = try Background(collectd, ["-f", "-C", dir.appendingPathComponent("collectd.conf").path])
        guard process.waitFor(10, { out, err in (out + err).contains("statsd plugin: Listening") }) else {
            throw Peers.PeerMissing(message: "collectd did not start: \((process.stdout + process.stderr).suffix(500))")
        }
    }

    /// The last value collectd wrote for `type-name` (e.g. `derive-myapp.hits`), polling up to `timeout`.
    func lastValue(_ name: String, timeout: TimeInterval = 10, until predicate: (Double) -> Bool = { _ in true }) -> Double? {
        let end = Date().addingTimeInterval(timeout)
        let base = dir.appendingPathComponent("csv/peer/statsd")
        while Date() < end {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
            if let f = files.filter({ $0.hasPrefix(name + "-2") }).sorted().last,
                let text = try? String(contentsOf: base.appendingPathComponent(f), encoding: .utf8),
                let last = text.split(separator: "\n").last, let v = Double(last.split(separator: ",").last ?? ""), predicate(v)
            {
                return v
            }
            usleep(200_000)
        }
        return nil
    }

    deinit {
        process.signal(SIGKILL)
        _ = process.wait(5)
        try? FileManager.default.removeItem(at: dir)
    }
}
