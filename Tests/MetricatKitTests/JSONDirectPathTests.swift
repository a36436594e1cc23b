import Foundation
import MetricFormats
import Testing

@testable import MetricatKit

/// JSON to JSON takes ``JSONDirect`` for the records it can copy. A run with it must give the same
/// output, the same diagnostics (positions included) and the same exit status as a run without it:
/// through `convert` (framed from a stream) and through the datagram path `listen` takes, on every
/// JSON fixture input, on generated records in the serializer's shape, and on each of those with
/// one byte changed, inserted or removed.
@Suite struct JSONDirectPathTests {
    /// Every JSON fixture input, one after the other.
    static var fixtureText: [UInt8] { FixtureInputs.text("json") }

    /// Records in the serializer's shape, most of them copyable, and the ways a record can differ
    /// from what the serializer writes.
    static let generated: [String] = {
        var lines: [String] = []
        var state: UInt64 = 11
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let specials = [
            #"{"fields":{"b":1,"a":2},"name":"cpu","tags":{},"timestamp":1700000000}"#,  // keys out of order
            #"{"fields":{"a":1,"a":2},"name":"cpu","tags":{},"timestamp":1700000000}"#,  // a repeated key
            #"{"fields":{"a":1},"name":"cpu","tags":{"h":"x","h":"y"},"timestamp":1700000000}"#,
            #"{"fields":{"a":1},"name":"cpu","tags":{"z":"x","h":"y"},"timestamp":1700000000}"#,
            #"{"fields":{"a":1},"name":"c\npu","tags":{},"timestamp":1700000000}"#,
            #"{"fields":{"a":"\u00e9\/"},"name":"cpu","tags":{},"timestamp":1700000000}"#,
            #"{"fields":{"a":"<b>&"},"name":"cpu","tags":{},"timestamp":1700000000}"#,
            "{\"fields\":{\"a\":\"\u{2028}\"},\"name\":\"cpu\",\"tags\":{},\"timestamp\":1700000000}",
            #"{"fields":{"a":"q\"\\"},"name":"c\"pu","tags":{"k":"v\\"},"timestamp":1700000000}"#,
            #"{"fields":{"a":1e3,"b":-0,"c":1.50,"d":-0.0,"e":0.0000001,"f":12345678901234567890},"name":"cpu","tags":{},"timestamp":1700000000}"#,
            #"{"fields":{"a":1.0},"name":"cpu","tags":{},"timestamp":1700000000}"#,
            #"{"fields":{"a":1},"name":"cpu","tags":{},"timestamp":1700000}"#,  // seconds read as early: a warning
            #"{"fields":{"a":1},"name":"cpu","tags":{},"timestamp":99999999999999999999}"#,
            #"{"fields":{"a":1},"name":"cpu","tags":{},"timestamp":1700000000.5}"#,
            #"{"fields":{"a":1},"name":"cpu","tags":{}}"#,  // no timestamp: now
            #"{"fields":{"a":1},"name":"cpu","timestamp":1700000000}"#,  // no tags
            #"{"fields":{"a":null,"b":2},"name":"cpu","tags":{"t":null},"timestamp":1700000000}"#,
            #"{"fields":{},"name":"cpu","tags":{},"timestamp":1700000000}"#,
            #"{"fields":{"a":1},"name":"","tags":{},"timestamp":1700000000}"#,
            #"{"fields":{"a":1},"name":"cpu","tags":{"":"v","k":""},"timestamp":1700000000}"#,
            #"{"fields":{"":1},"name":"cpu","tags":{"t":1},"timestamp":1700000000}"#,
            #"{"fields":{"a":{"b":1}},"name":"cpu","tags":{},"timestamp":1700000000}"#,
            #" {"fields":{"a":1},"name":"cpu","tags":{},"timestamp":1700000000} "#,
            "{\"fields\":{\"a\":1},\"name\":\"cpu\",\"tags\":{},\"timestamp\":1700000000}\r",
            #"{"name":"cpu","fields":{"a":1},"tags":{},"timestamp":1700000000}"#,
            #"{"fields":{"a":1},"name":"cpu","tags":{},"timestamp":1700000000}{"fields":{"a":2},"name":"cpu","tags":{},"timestamp":1700000000}"#,
            #"[{"fields":{"a":1},"name":"cpu","tags":{},"timestamp":1700000000},"#,  // an array over lines
            #"{"fields":{"a":1},"name":"cpu","tags":{},"timestamp":1700000000}"#,
            #"]"#,
            #"{"fields":{"a":1},"#,  // a record over lines
            #""name":"cpu","tags":{},"timestamp":1700000000}"#,
            "\u{FEFF}{\"fields\":{\"a\":1},\"name\":\"cpu\",\"tags\":{},\"timestamp\":1700000000}",  // a BOM after line 1
            #"{"metrics":[{"fields":{"a":1},"name":"cpu","tags":{},"timestamp":1700000000}]}"#,
            #"{"fields":{"a":true,"b":false,"c":"","d":"caf\u00e9"},"name":"café","tags":{"é":"ü"},"timestamp":1700000000}"#,
        ]
        for n in 0..<2000 {
            if n % 40 == 0 {
                lines.append(specials[(n / 40) % specials.count])
                continue
            }
            let host = "web-\(next() % 12).example.com"
            let ts = 1_700_000_000 + n
            switch next() % 4 {
            case 0:
                lines.append(
                    #"{"fields":{"usage_idle":\#(next() % 100).\#(next() % 1000 + 1),"usage_user":\#(next() % 100)},"name":"cpu","tags":{"cpu":"cpu\#(next() % 4)","host":"\#(host)"},"timestamp":\#(ts)}"#
                )
            case 1:
                lines.append(
                    #"{"fields":{"free":\#(next()),"total":-\#(next() % 1000 + 1),"used_percent":0.\#(next() % 100 + 1)},"name":"mem","tags":{"host":"\#(host)"},"timestamp":\#(ts)}"#
                )
            case 2:
                lines.append(
                    #"{"fields":{"msg":"a \"q\" \\ é","ok":\#(next() % 2 == 0)},"name":"http","tags":{"host":"\#(host)","status":"\#(200 + next() % 3)"},"timestamp":\#(ts)}"#)
            default:
                lines.append(#"{"fields":{"x":1},"name":"up","tags":{},"timestamp":\#(ts)}"#)
            }
        }
        return lines
    }()

    /// The generated records, each with one byte changed, inserted or removed at a random place.
    static let mutated: [String] = {
        var state: UInt64 = 5
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let alphabet = Array(#"{}[]":,\ 0123456789.-eE+ntfaé"#.utf8) + [0x00, 0x0A, 0xE2, 0x80, 0xA8, 0xFF]
        return generated.map { line in
            var bytes = Array(line.utf8)
            guard !bytes.isEmpty else { return line }
            let at = next() % bytes.count
            switch next() % 3 {
            case 0: bytes[at] = alphabet[next() % alphabet.count]
            case 1: bytes.insert(alphabet[next() % alphabet.count], at: at)
            default: bytes.remove(at: at)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }()

    typealias Run = ConvertRun

    /// `convert --from json --to json` over `text`.
    static func convert(_ text: [UInt8], direct: Bool, strict: Bool = false, chunked: Bool = false) -> (Run, note: String?) {
        ConvertRun.convert(text, name: "in.json", from: .json, to: .json, direct: direct, strict: strict, chunked: chunked)
    }

    /// Each line of `lines` as one datagram through one stream, as `listen --from json --to json`
    /// hands them over.
    static func datagrams(_ lines: [String], direct: Bool) throws -> (Run, note: String?) {
        var options = RecordPipeline.Options(from: .json, to: .json)
        options.directPaths = direct
        var messages: [String] = []
        let diagnostics = Diagnostics(strict: false, verbose: true, write: { messages.append($0) })
        var out: [UInt8] = []
        let sink = ByteSink(flushThreshold: 1 << 16) { buffer in
            out += buffer
            buffer.removeAll(keepingCapacity: true)
        }
        let pipeline = try RecordPipeline(options, diagnostics: diagnostics, sink: sink, now: 1_700_000_000_000_000_000)
        let stream = pipeline.stream(named: "127.0.0.1:5000")
        for line in lines {
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeBufferPointer { stream.feedText($0) }
            // The same datagram again with a trailing newline: a second, empty line.
            bytes.append(ASCII.newline)
            _ = bytes.withUnsafeBufferPointer { stream.feedText($0) }
        }
        pipeline.finish()
        let note = messages.first { $0.contains("went straight from") }
        messages.removeAll { $0 == note }
        return (Run(stdout: out, diagnostics: messages, status: diagnostics.exitStatus), note)
    }

    static func directCount(_ note: String?) -> Int {
        let words = note?.split(separator: " ") ?? []
        return words.firstIndex(of: "of").flatMap { Int(words[$0 - 1]) } ?? 0
    }

    @Test func fixtureInputsGiveTheSameRun() {
        let text = Self.fixtureText
        let (direct, note) = Self.convert(text, direct: true)
        #expect(direct == Self.convert(text, direct: false).0)
        #expect(!direct.stdout.isEmpty)
        #expect(!direct.diagnostics.isEmpty)
        // The fixtures are about what the serializer rewrites: few of their records go direct.
        #expect(Self.directCount(note) > 0, "\(note ?? "no note")")
    }

    @Test(arguments: [false, true], [false, true])
    func generatedRecordsGiveTheSameRun(strict: Bool, chunked: Bool) {
        let text = Array((Self.generated.joined(separator: "\n") + "\n").utf8)
        let (direct, note) = Self.convert(text, direct: true, strict: strict, chunked: chunked)
        let (full, none) = Self.convert(text, direct: false, strict: strict, chunked: chunked)
        #expect(direct == full)
        #expect(none == nil)
        #expect(direct.status == .dataError)
        if !strict {
            // The generated records go direct but for trailing zeros in a tenth of the decimals; the
            // specials mostly do not.
            #expect(Self.directCount(note) > 1700, "\(note ?? "no note")")
            // Read in seconds (the default), an early time draws no advice to change the unit.
            #expect(!direct.diagnostics.contains { $0.contains("--json-timestamp-units") })
        }
    }

    @Test func mutatedRecordsGiveTheSameRun() {
        let text = Array((Self.mutated.joined(separator: "\n") + "\n").utf8)
        let (direct, note) = Self.convert(text, direct: true)
        #expect(direct == Self.convert(text, direct: false).0)
        #expect(direct.diagnostics.count > 500)
        // A broken record leaves the parser inside it for the lines that follow until it resynchronises
        // (those are the parser's), so fewer go direct here than as datagrams below.
        #expect(Self.directCount(note) > 10, "\(note ?? "no note")")
    }

    @Test func datagramsGiveTheSameRun() throws {
        for lines in [Self.generated, Self.mutated] {
            let (direct, note) = try Self.datagrams(lines, direct: true)
            #expect(direct == (try Self.datagrams(lines, direct: false)).0)
            #expect(Self.directCount(note) > 500, "\(note ?? "no note")")
        }
    }

    @Test func aRecordTheSerializerWritesAsItIsGoesThroughUnchanged() {
        let line = #"{"fields":{"a":-12,"b":0.5,"c":"x \"y\" \\ é","d":true},"name":"café","tags":{"h":"a","host":"b"},"timestamp":1700000000}"#
        let (run, note) = Self.convert(Array((line + "\n").utf8), direct: true)
        #expect(run.stdout == Array((line + "\n").utf8))
        #expect(Self.directCount(note) == 1)
    }
}
