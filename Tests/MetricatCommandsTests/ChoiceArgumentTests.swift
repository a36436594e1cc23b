import MetricFormats
import Testing

@testable import MetricatCommands

/// Flags whose value is one word of a set: each word, the aliases, and the refusal with the list.
@Suite struct ChoiceArgumentTests {
    @Test func everyWordParsesToItsValue() throws {
        for t in SinkTransport.allCases { #expect(try SinkTransport.parse(t.rawValue).get() == t) }
        #expect(try SequencePlace.parse("tag").get() == .tag)
        #expect(try GraphiteProtocol.parse("udp").get() == .udp)
        #expect(try TailLogFormat.parse("logster").get() == .logster)
        for f in MetricFormat.allCases { #expect(try TailLogFormat.parse(f.rawValue).get() == .format(f)) }
        #expect(try SanitizeModeArgument.parse("compatible").get().mode == .compatible)
        #expect(try SanitizeModeArgument.parse("strict").get().mode == .strict)
        for (text, precision) in [("ns", TimestampPrecision.nanoseconds), ("1ms", .milliseconds), ("u", .microseconds), ("µs", .microseconds), ("1s", .seconds)] {
            #expect(try PrecisionArgument.parse(text).get().precision == precision, "\(text)")
        }
    }

    @Test func commandsGetTypedValues() throws {
        let load = try #require(try Metricat.parseAsRoot(["load", "--transport", "unixgram", "--seq-as", "tag"]) as? Load)
        #expect(load.transport == .unixgram && load.seqAs == .tag)
        let tail = try #require(try Metricat.parseAsRoot(["tail-log", "--parser", "sample", "--format", "statsd", "--graphite-protocol", "udp", "x.log"]) as? TailLog)
        #expect(tail.format == .format(.statsd) && tail.graphiteProtocol == .udp)
        let plain = try #require(try Metricat.parseAsRoot(["load"]) as? Load)
        #expect(plain.transport == .udp && plain.seqAs == nil)
    }

    @Test(
        arguments: [
            (["load", "--transport", "sctp"], "--transport: 'sctp' is not a transport: udp, udp6, tcp, tcp6, unix or unixgram (example: --transport udp or udp6)"),
            (["load", "--seq-as", "header"], "--seq-as: 'header' is not a place for the sequence number: field or tag (example: --seq-as field or tag)"),
            (
                ["tail-log", "--parser", "sample", "--format", "xml", "x.log"],
                "--format: 'xml' is not a format: logster, influx, json, wavefront, statsd, graphite, prometheus or csv (example: --format logster or influx)"
            ),
            (
                ["tail-log", "--parser", "sample", "--graphite-protocol", "TCP", "x.log"],
                "--graphite-protocol: 'TCP' is not a protocol: tcp or udp (example: --graphite-protocol tcp or udp)"
            ),
            (
                ["convert", "--to", "influx", "--influx-timestamp-precision", "1h"],
                "--influx-timestamp-precision: '1h' is not a precision: ns, us, ms or s (example: --influx-timestamp-precision ns or us)"
            ),
            (
                ["convert", "--to", "graphite", "--graphite-tag-sanitize-mode", "lax"],
                "--graphite-tag-sanitize-mode: 'lax' is not a sanitize mode: strict or compatible (example: --graphite-tag-sanitize-mode strict or compatible)"
            ),
        ] as [([String], String)])
    func refusalsNameTheWords(_ args: [String], _ message: String) {
        #expect(refusal(args) == message)
    }
}
