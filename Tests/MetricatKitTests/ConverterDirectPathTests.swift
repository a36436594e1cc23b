import Foundation
import MetricFormats
import Testing

@testable import MetricatKit

/// `convert --from influx --to json` (or `--to influx`) takes a direct path for the lines it can copy.
/// A whole run with it must give the same output, the same diagnostics (positions included) and the
/// same exit status as a run without it, on every line-protocol fixture input and on generated lines
/// with errors, strings across lines, CRLF, comments and early timestamps among them.
@Suite struct ConverterDirectPathTests {
    /// Every influx fixture input, one after the other.
    static var fixtureText: [UInt8] { FixtureInputs.text("influx") }

    static let generated: String = {
        var lines: [String] = []
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let specials = [
            "cpu,host=a u=1,m=\"multi\nline\",s=2 1700000000001000000",  // a string across lines
            "cpu,host=a u=1.50,s=2 1700000000001000000\r",
            "# a comment",
            "",
            "cpu,host=a u=1,s=2 1700000000",  // looks like seconds read as nanoseconds: one warning
            "cpu,host=a u=1,s= 1700000000001000000",  // an error after a known header
            "cpu,host=a u=1,s=2",  // no timestamp: now
            "cpu,host=a u=\"unterminated",
            "cpu,host=a u=1e400,s=2 1700000000001000000",
        ]
        for n in 0..<3000 {
            if n % 50 == 0 {
                lines.append(specials[(n / 50) % specials.count])
                continue
            }
            let host = "web-\(next() % 12).eu-west.example.com"
            switch next() % 4 {
            case 0: lines.append("cpu,cpu=cpu\(next() % 4),host=\(host) usage_user=\(next() % 100).\(next() % 10000),usage_idle=\(next() % 1000)e-1 1700000000\(100_000_000 + n)")
            case 1: lines.append("mem,host=\(host) total=\(next())i,free=\(next() % 1000)u,used_percent=\(next() % 100).\(next() % 100)0 1700000000\(100_000_000 + n)")
            case 2: lines.append("http,host=\(host),status=\(200 + next() % 3) ok=\(next() % 2 == 0 ? "true" : "F"),msg=\"a \\\"q\\\" <b>\" 1700000000\(100_000_000 + n)")
            default: lines.append("disk,path=/,host=\(host) free=\(next() % 100000)i,frac=0.\(next() % 1000) 17000000\(10_000_000 + n)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    typealias Run = ConvertRun

    /// A run's output, diagnostics and status; the verbose note that counts direct lines is kept apart.
    static func run(_ text: [UInt8], to: MetricFormat = .json, direct: Bool, strict: Bool = false, chunked: Bool = false) -> Run {
        run(text, to: to, direct: direct, strict: strict, chunked: chunked).0
    }

    static func run(_ text: [UInt8], to: MetricFormat, direct: Bool, strict: Bool, chunked: Bool) -> (Run, directNote: String?) {
        let (run, note) = ConvertRun.convert(text, name: "in.lp", from: .influx, to: to, direct: direct, strict: strict, chunked: chunked)
        return (run, note)
    }

    @Test(arguments: [MetricFormat.json, .influx])
    func fixtureInputsGiveTheSameRun(to: MetricFormat) {
        let text = Self.fixtureText
        let direct = Self.run(text, to: to, direct: true)
        #expect(direct == Self.run(text, to: to, direct: false))
        #expect(!direct.stdout.isEmpty)
        #expect(!direct.diagnostics.isEmpty)
    }

    @Test(arguments: [MetricFormat.json, .influx])
    func copyableLinesGoDirect(to: MetricFormat) {
        let (_, note) = Self.run(Array(Self.generated.utf8), to: to, direct: true, strict: false, chunked: false)
        // "N of M metrics went straight ...": for JSON the mem lines (a quarter) at least, the others
        // have an exponent, a `<` in a string or an early timestamp each; for line protocol also the
        // http lines.
        let words = note?.split(separator: " ") ?? []
        let direct = words.firstIndex(of: "of").flatMap { Int(words[$0 - 1]) } ?? 0
        #expect(direct > (to == .json ? 600 : 1300), "\(note ?? "no note")")
        #expect(Self.run(Array(Self.generated.utf8), to: to, direct: false, strict: false, chunked: false).directNote == nil)
    }

    @Test(arguments: [MetricFormat.json, .influx], [false, true])
    func generatedLinesGiveTheSameRun(to: MetricFormat, strict: Bool) {
        let text = Array(Self.generated.utf8)
        let direct = Self.run(text, to: to, direct: true, strict: strict)
        #expect(direct == Self.run(text, to: to, direct: false, strict: strict))
        #expect(direct.stdout.split(separator: ASCII.newline).count > (strict ? 40 : 2900))
        #expect(direct.diagnostics.contains { $0.contains("warning") && $0.contains("--precision") })
        #expect(direct.status == .dataError)
    }

    @Test(arguments: [MetricFormat.json, .influx])
    func flushingAfterEveryMetricGivesTheSameRun(to: MetricFormat) {
        let text = Array(Self.generated.utf8)
        #expect(Self.run(text, to: to, direct: true, chunked: true) == Self.run(text, to: to, direct: false, chunked: true))
    }
}
