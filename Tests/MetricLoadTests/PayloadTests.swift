import MetricFormats
import MetricLoad
import MetricatKit
import Testing

/// Lines are rendered by the real serializers; the sequence and series slots are patched in place.
@Suite struct PayloadTests {
    let template = MetricTemplate(name: "cpu", tags: [Tag("host", "web1")], fields: [("usage", .literal(.float(12.5)))])

    func text(_ ring: FrameRing, frame: Int, lines: Int, seq: UInt64) -> String {
        let (p, n) = ring.prepare(frame: frame, lines: lines, firstSeq: seq)
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }

    @Test func everyPushFormatCarriesTheSequenceNumber() throws {
        for format: MetricFormat in [.influx, .json, .wavefront, .statsd, .graphite] {
            let payload = try Payload(
                template: template, format: format, formatOptions: FormatOptions(), seqKey: "seq",
                seqAsTag: format != .influx, size: nil, series: 1)
            let ring = FrameRing(payload: payload, linesPerFrame: 3, frameCount: 2)
            let t = text(ring, frame: 1, lines: 3, seq: 998)
            let lines = t.split(separator: "\n")
            #expect(lines.count == 3, "\(format): \(t)")
            for (i, line) in lines.enumerated() {
                let got = Array(line.utf8).withUnsafeBufferPointer { SequenceTracker.scan($0, key: Array("seq".utf8)) }
                #expect(got.map(SequenceTracker.number) == 998 + UInt64(i), "\(format): \(line)")
            }
            // The line parses back in its own format.
            var parser = try format.makeParser(FormatOptions())
            final class Collect: MetricHandler {
                var metrics: [Metric] = []
                var errors: [String] = []
                func handle(_ m: Metric) { metrics.append(m) }
                func report(_ d: Diagnostic) { errors.append(d.description) }
            }
            let c = Collect()
            Array(t.utf8).withUnsafeBufferPointer { parser.parse(text: $0, into: c, maxLineBytes: 1 << 20) }
            parser.finish(into: c)
            #expect(c.errors == [], "\(format): \(t)")
            #expect(!c.metrics.isEmpty, "\(format): \(t)")
        }
    }

    @Test func influxSequenceFieldIsAFixedWidthInteger() throws {
        let payload = try Payload(template: template, format: .influx, formatOptions: FormatOptions(), seqKey: "seq", seqAsTag: false, size: nil, series: 1)
        let ring = FrameRing(payload: payload, linesPerFrame: 2, frameCount: 1)
        #expect(text(ring, frame: 0, lines: 2, seq: 41) == "cpu,host=web1 usage=12.5,seq=100000000041i\ncpu,host=web1 usage=12.5,seq=100000000042i\n")
        // Numbers carry over every digit (the odometer), and a jump resets it.
        #expect(text(ring, frame: 0, lines: 2, seq: 999_999) == "cpu,host=web1 usage=12.5,seq=100000999999i\ncpu,host=web1 usage=12.5,seq=100001000000i\n")
        #expect(text(ring, frame: 0, lines: 1, seq: 5) == "cpu,host=web1 usage=12.5,seq=100000000005i\n")
    }

    @Test func sizePadsEveryLineExactly() throws {
        for format: MetricFormat in [.influx, .statsd, .graphite, .json] {
            for size in [160, 512] {
                let payload = try Payload(
                    template: template, format: format, formatOptions: FormatOptions(), seqKey: "seq",
                    seqAsTag: format != .influx, size: size, series: 1)
                #expect(payload.lines.map(\.bytes.count) == [size], "\(format) --size \(size)")
            }
        }
    }

    @Test func seriesTagCyclesThroughItsValues() throws {
        let payload = try Payload(template: template, format: .influx, formatOptions: FormatOptions(), seqKey: "seq", seqAsTag: false, size: nil, series: 12)
        let ring = FrameRing(payload: payload, linesPerFrame: 13, frameCount: 1)
        let lines = text(ring, frame: 0, lines: 13, seq: 0).split(separator: "\n")
        #expect(lines[0] == "cpu,host=web1,series=00 usage=12.5,seq=100000000000i")
        #expect(lines[11] == "cpu,host=web1,series=11 usage=12.5,seq=100000000011i")
        #expect(lines[12] == "cpu,host=web1,series=00 usage=12.5,seq=100000000012i")
    }

    @Test func scrapeFormatsAreRefused() {
        for format: MetricFormat in [.prometheus, .csv] {
            #expect(throws: (any Error).self) {
                try Payload(template: template, format: format, formatOptions: FormatOptions(), seqKey: "seq", seqAsTag: true, size: nil, series: 1)
            }
        }
    }

    @Test func ratesAndRamps() {
        #expect(RateText.parse("10k") == 10_000)
        #expect(RateText.parse("2M") == 2_000_000)
        #expect(RateText.parse("2.5m") == 2_500_000)
        #expect(RateText.parse("fast") == nil)
        var r = Ramp.parse("10k..80k")!
        #expect(r.rates == [10_000, 20_000, 40_000, 80_000])
        r.step = Ramp.parseStep("+25k")!
        #expect(r.rates == [10_000, 35_000, 60_000])
        #expect(Ramp.parse("80k..10k") == nil)
        #expect(Ramp.parseStep("x1") == nil)
    }
}
