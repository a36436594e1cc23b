import ArgumentParser
import MetricFormats
import Testing

@testable import MetricatCommands

/// Argument vectors parsed in-process, as `metricat` parses them: the typed values each command
/// gets, its defaults, and the message of every refusal.
@Suite struct CommandParsingTests {
    func parse<C: ParsableCommand>(_ args: [String], as type: C.Type) throws -> C {
        let command = try Metricat.parseAsRoot(args)
        return try #require(command as? C, "\(args) parsed as \(Swift.type(of: command))")
    }

    @Test func sendTakesTypedValuesAndDefaults() throws {
        let plain = try parse(["send", "udp://127.0.0.1:8125", "a:1|c"], as: Send.self)
        #expect(plain.retryTimeout.nanoseconds == 10_000_000_000)
        #expect(plain.writeTimeout.nanoseconds == 5_000_000_000)
        #expect(plain.maxDatagram.bytes == 1432)
        #expect(plain.common.maxLine == nil)  // 1 MiB for files, 64 KiB for listen
        #expect(plain.every == nil && plain.rate == nil)
        let given = try parse(
            [
                "send", "-", "--name", "x", "--field", "v=1", "--every", "250ms", "--duration", "1m", "--retry-timeout", "3s", "--write-timeout", "2s",
                "--max-datagram", "8k", "--max-line", "4k",
            ], as: Send.self)
        #expect(given.every?.nanoseconds == 250_000_000)
        #expect(given.duration?.nanoseconds == 60_000_000_000)
        #expect(given.retryTimeout.nanoseconds == 3_000_000_000)
        #expect(given.writeTimeout.nanoseconds == 2_000_000_000)
        #expect(given.maxDatagram.bytes == 8192)
        #expect(given.common.maxLine?.bytes == 4096)
        let replay = try parse(["send", "-", "--replay", "x.rec", "--rate", "10k"], as: Send.self)
        #expect(replay.rate?.perSecond == 10_000)
    }

    @Test func listenTakesTypedValuesAndDefaults() throws {
        let plain = try parse(["listen"], as: Listen.self)
        #expect(plain.socketMode.bits == 0o660)
        #expect(plain.timeout == nil && plain.readTimeout == nil && plain.rcvbuf == nil)
        let given = try parse(
            [
                "listen", "udp://127.0.0.1:0", "--timeout", "5s", "--read-timeout", "100ms", "--socket-mode", "0600", "--rcvbuf", "4M", "--aggregate", "10s",
                "--max-ttl", "1h", "--csv-timezone", "+02:00", "--json-timezone", "UTC",
            ], as: Listen.self)
        #expect(given.timeout?.nanoseconds == 5_000_000_000)
        #expect(given.readTimeout?.nanoseconds == 100_000_000)
        #expect(given.socketMode.bits == 0o600)
        #expect(given.rcvbuf?.bytes == 4 << 20)
        #expect(given.aggregation.aggregate?.nanoseconds == 10_000_000_000)
        #expect(given.aggregation.maxTtl?.nanoseconds == 3_600_000_000_000)
        let percentiles = try parse(["listen", "--aggregate", "1s", "--percentiles", "50, 90", "--percentiles", "99.9,100"], as: Listen.self)
        #expect(percentiles.aggregation.percentiles.flatMap(\.values) == [50, 90, 99.9, 100])
        #expect(given.formats.csv.csvTimezone?.zone == .fixed(seconds: 7200))
        #expect(given.formats.json.jsonTimezone?.zone == .utc)
    }

    @Test func loadTakesTypedValuesAndDefaults() throws {
        let plain = try parse(["load"], as: Load.self)
        #expect(plain.rate.perSecond == 100_000)
        #expect(plain.duration.nanoseconds == 3_000_000_000)
        #expect(plain.batch == .lines(1))
        #expect(plain.rcvbuf.bytes == 8 << 20)
        #expect(plain.drain.nanoseconds == 500_000_000)
        #expect(plain.sinkWait.nanoseconds == 10_000_000_000)
        #expect(plain.step.step == .times(2))
        #expect(plain.maxLoss == nil && plain.count == nil && plain.size == nil)
        let given = try parse(
            [
                "load", "--rate", "max", "--count", "1M", "--batch", "max", "--size", "64", "--max-loss", "0.1%", "--ramp", "10k..2M", "--step", "+50k",
                "--step-duration", "1s", "--rcvbuf", "1M",
            ], as: Load.self)
        #expect(given.rate == .max)
        #expect(given.count?.lines == 1_000_000)
        #expect(given.batch == .max)
        #expect(given.size?.bytes == 64)
        #expect(given.maxLoss?.value == 0.001)
        #expect(given.ramp?.ramp.from == 10_000)
        #expect(given.step.step == .plus(50_000))
        #expect(given.stepDuration.nanoseconds == 1_000_000_000)
        #expect(given.rcvbuf.bytes == 1 << 20)
    }

    @Test func tailLogTakesTypedValuesAndDefaults() throws {
        let plain = try parse(["tail-log", "--parser", "sample", "access.log"], as: TailLog.self)
        #expect(plain.interval.nanoseconds == 10_000_000_000)
        #expect(plain.retryTimeout.nanoseconds == 2_000_000_000)
        #expect(plain.maxLine.bytes == 1 << 20)
        let given = try parse(["tail-log", "sample", "access.log", "--interval", "2s", "--retry-timeout", "1s", "--max-line", "1G"], as: TailLog.self)
        #expect(given.parser == "sample")
        #expect(given.positional == ["access.log"])
        #expect(given.interval.nanoseconds == 2_000_000_000)
        #expect(given.maxLine.bytes == 1 << 30)
    }

    @Test func convertTakesATimeZoneAndAnOutputLineLimit() throws {
        let c = try parse(["convert", "--to", "influx", "--json-timezone=-0530", "--influx-max-line-bytes", "1k"], as: Convert.self)
        #expect(c.formats.json.jsonTimezone?.zone == .fixed(seconds: -19800))
        #expect(c.formats.influx.influxMaxLineBytes?.bytes == 1024)
        // 0 is no limit.
        let unlimited = try parse(["convert", "--to", "influx", "--influx-max-line-bytes", "0"], as: Convert.self)
        #expect(unlimited.formats.influx.influxMaxLineBytes?.bytes == 0)
    }

    /// One message per refused value, naming the flag the user typed.
    @Test(
        arguments: [
            (["send", "-", "--name", "x", "--field", "v=1", "--every", "0s"], "--every: '0s' is zero: a duration must be more than 0 (example: --every 500ms, 2s or 1m)"),
            (["send", "-", "--retry-timeout", "-1s"], "--retry-timeout: '-1s' is negative: a duration must be more than 0 (example: --retry-timeout 500ms, 2s or 1m)"),
            (["send", "-", "--max-datagram", "65508"], "--max-datagram: '65508' is out of range: between 1 and 65507 bytes (example: --max-datagram 1432 or 1k)"),
            (["send", "-", "--replay", "x", "--rate", "0"], "--rate: '0' is zero: a rate must be more than 0 lines per second (example: --rate 5000, 10k or 2M)"),
            (["convert", "--to", "json", "--max-line", "0"], "--max-line: '0' is out of range: between 1 and 1073741824 bytes (example: --max-line 1048576 or 64k)"),
            (["listen", "--socket-mode", "0999"], "--socket-mode: '0999' is not an octal mode: 0 to 0777 (example: --socket-mode 0660)"),
            (["listen", "--timeout", "soon"], "--timeout: 'soon' is not a duration: a number with a unit ns, us, ms, s, m or h (example: --timeout 500ms, 2s or 1m)"),
            (["listen", "--rcvbuf", "3G"], "--rcvbuf: '3G' is out of range: between 1 and 2147483647 bytes (example: --rcvbuf 8M or 212992)"),
            (["listen", "--aggregate", "1x"], "--aggregate: '1x' is not a duration: a number with a unit ns, us, ms, s, m or h (example: --aggregate 500ms, 2s or 1m)"),
            (
                ["listen", "--json-timezone", "Mars/Olympus"],
                "--json-timezone: 'Mars/Olympus' is not a time zone: UTC, Local, +hh:mm or a zone under /usr/share/zoneinfo (example: --json-timezone America/New_York or +02:00)"
            ),
            (["listen", "--percentiles", "101"], "--percentiles: '101' is not a percentile between 0 and 100 (example: --percentiles 50,90,99.9)"),
            (["listen", "--percentiles", "50, 0"], "--percentiles: '50, 0' holds ' 0', which is not a percentile between 0 and 100 (example: --percentiles 50,90,99.9)"),
            (["load", "--rate", "-5k"], "--rate: '-5k' is negative: a rate must be more than 0, or max (example: --rate 5000, 10k, 2M or max)"),
            (["load", "--rate", "2G"], "--rate: '2G' is too high: at most 1G lines per second (example: --rate 5000, 10k, 2M or max)"),
            (["load", "--max-loss", "5"], "--max-loss: '5' is not a fraction: 0 to 1, or 0% to 100% (example: --max-loss 0.1% or 0.001)"),
            (["load", "--count", "0"], "--count: '0' is not a count of lines: a whole number from 1, with k, M or G (example: --count 100000 or 1M)"),
            (["load", "--batch", "0"], "--batch: '0' is not a line count: 1 to 65507, or max (example: --batch 20 or max)"),
            (["load", "--size", "0"], "--size: '0' is out of range: between 1 and 65507 bytes (example: --size 1432 or 1k)"),
            (["load", "--ramp", "9k..1k"], "--ramp: '9k..1k' is not FROM..TO with FROM <= TO (example: --ramp 10k..2M)"),
            (["load", "--step", "x1"], "--step: 'x1' is not xFACTOR (> 1) or +RATE (example: --step x2 or +50k)"),
            (
                ["convert", "--to", "influx", "--influx-max-line-bytes=-1"],
                "--influx-max-line-bytes: '-1' is negative: a whole number of bytes, with k, M or G (example: --influx-max-line-bytes 1024 or 0)"
            ),
            (["load", "--drain", "0ms"], "--drain: '0ms' is zero: a duration must be more than 0 (example: --drain 500ms, 2s or 1m)"),
            (["tail-log", "x.log", "--parser", "sample", "--interval", "10"], nil),
            (["tail-log", "x.log", "--parser", "sample", "--interval", "0"], "--interval: '0' is zero: a duration must be more than 0 (example: --interval 500ms, 2s or 1m)"),
            (
                ["tail-log", "x.log", "--parser", "sample", "--max-line", "2G"],
                "--max-line: '2G' is out of range: between 1 and 1073741824 bytes (example: --max-line 1048576 or 64k)"
            ),
        ] as [([String], String?)])
    func refusals(_ args: [String], _ message: String?) {
        #expect(refusal(args) == message)
    }

    /// A refusal of a value the command's own checks reject (not a typed value) keeps its message.
    @Test func validationKeepsItsMessages() {
        #expect(refusal(["send", "-", "--rate", "5"]) == "--rate goes with --replay (example: --replay capture.rec --rate 1000)")
        #expect(refusal(["load", "--plot", "x.svg"]) == "--plot draws a ramp; add --ramp FROM..TO")
        // A stale refusal from an earlier parse is not attached to a later, different error.
        _ = try? Metricat.parseAsRoot(["load", "--rate", "fast"])
        #expect(refusal(["load", "--senders", "12"]) == "--senders: must be between 1 and 9")
    }

    /// --help shows the defaults as the text they were written in.
    @Test func helpShowsDefaultsAsWritten() {
        let send = Send.helpMessage(columns: 400)
        #expect(send.contains("(default: 10s)"))
        #expect(send.contains("(default: 5s)"))
        #expect(send.contains("(default: 1432)"))
        #expect(send.contains("(default 1 MiB; listen: 64 KiB)"))
        let load = Load.helpMessage(columns: 400)
        for d in ["(default: 100k)", "(default: 3s)", "(default: 1)", "(default: 8388608)", "(default: 500ms)", "(default: x2)"] {
            #expect(load.contains(d), "\(d)")
        }
        #expect(Listen.helpMessage(columns: 400).contains("(default: 0660)"))
    }
}
