import Foundation
import Testing

/// `tail-log` delivering to real collectors: carbon-cache (whisper files) and collectd's statsd plugin.
@Suite(.serialized) struct TailLogPeerTests {
    /// A log with a first run done at `now - 10`, then three 200s and a 404 appended.
    func prepared(_ now: Int) throws -> TailLogTests.Log {
        let log = try TailLogTests.Log()
        try log.write(TailLogTests.lines([200]))
        let first = try log.run(now: now - 10)
        #expect(first.status == 0, "\(first)")
        try log.append(TailLogTests.lines([200, 200, 200, 404]))
        return log
    }

    @Test func graphiteOverTCPLandsInCarbonsWhisperFiles() throws {
        let carbon = try CarbonPeer()
        let now = Int(Date().timeIntervalSince1970)
        let log = try prepared(now)
        let r = try log.run(["--output", "tcp://127.0.0.1:\(carbon.port)", "-p", "web"], now: now, totals: false)
        #expect(r.status == 0, "\(r)")
        let rows = try carbon.fetch("web.http_2xx", from: now - 1, until: now + 1)
        #expect(rows.contains { $0.0 == now && $0.1 == 0.3 }, "3 lines over 10 s: \(rows)")
        // Logster's own spelling of the same output.
        try log.append(TailLogTests.lines([500]))
        let l = try log.run(["-o", "graphite", "--graphite-host", "127.0.0.1:\(carbon.port)", "-p", "logster"], now: now + 1)
        #expect(l.status == 0, "\(l)")
        let rows5 = try carbon.fetch("logster.http_5xx", from: now, until: now + 2)
        #expect(rows5.contains { $0.0 == now + 1 && $0.1 == 1 }, "\(rows5)")
    }

    @Test func influxDBsWriteAPIStoresTheRuleTags() throws {
        let influx = try InfluxPeer()
        try influx.query("CREATE DATABASE logs")
        let now = Int(Date().timeIntervalSince1970)
        let log = try prepared(now)
        let r = try log.run(["--count", #"requests=" (?<status>\d{3}) "#, "--output", "http://127.0.0.1:\(influx.httpPort)/write?db=logs"], now: now)
        #expect(r.status == 0, "\(r)")
        let rows = try influx.waitFor("SELECT * FROM requests", db: "logs", contains: "404")
        #expect(rows.contains("[\(now)000000000,\"200\",3]"), "\(rows)")
        #expect(rows.contains("[\(now)000000000,\"404\",1]"), "\(rows)")
    }

    @Test func statsdGaugesReachCollectd() throws {
        let collectd = try CollectdPeer()
        let now = Int(Date().timeIntervalSince1970)
        let log = try prepared(now)
        let r = try log.run(["-o", "statsd", "--statsd-host", "127.0.0.1:\(collectd.port)", "-p", "web"], now: now)
        #expect(r.status == 0, "\(r)")
        #expect(collectd.lastValue("gauge-web.http_2xx", until: { $0 == 3 }) == 3, "\(collectd.process.stdout.suffix(400))")
        #expect(collectd.lastValue("gauge-web.http_4xx", until: { $0 == 1 }) == 1)
    }
}
