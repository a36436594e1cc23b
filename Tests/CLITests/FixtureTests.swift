import Foundation
import MetricFormats
import Testing

/// Walks `Tests/Fixtures/<format>/<case>/`, as Telegraf's parser testdata folders are walked:
/// `args` (the convert flags), `input`, `expected.out`, optional `expected.err` (stderr, with the input
/// named `input`) and optional `expected.status` (default 0 without expected.err, 65 with it).
/// `METRICAT_NOW` pins "now" to 1700000000000000000 ns so outputs that need a time are stable.
@Suite struct FixtureTests {
    static let root = Binary.packageRoot.appendingPathComponent("Tests/Fixtures")

    static var cases: [String] {
        let fm = FileManager.default
        var out: [String] = []
        for format in ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).sorted() {
            let dir = root.appendingPathComponent(format)
            for c in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
            where fm.fileExists(atPath: dir.appendingPathComponent(c).appendingPathComponent("args").path) {
                out.append("\(format)/\(c)")
            }
        }
        return out
    }

    @Test(arguments: cases)
    func fixture(_ name: String) throws {
        let dir = Self.root.appendingPathComponent(name)
        func read(_ file: String) -> String? {
            try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
        }
        let args = ["convert"] + splitWords(read("args") ?? "") + ["input"]
        let result = try Binary.run(args, cwd: dir)
        let expectedErr = read("expected.err")
        let expectedStatus =
            read("expected.status").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            ?? (expectedErr == nil ? 0 : 65)
        // Byte for byte: String's == takes canonically equivalent spellings (é and e + U+0301) as equal.
        #expect(Array(result.stdout.utf8) == Array((read("expected.out") ?? "").utf8), "stdout of \(name):\n\(result.stdout)")
        #expect(Array(result.stderr.utf8) == Array((expectedErr ?? "").utf8), "stderr of \(name):\n\(result.stderr)")
        #expect(result.status == expectedStatus, "exit status of \(name)")
    }

    /// Every format (and detection, `auto`) has a fixture folder, with position cases for its input.
    @Test func everyFormatHasFixtures() {
        let formats = Set(Self.cases.map { String($0.split(separator: "/")[0]) })
        for f in MetricFormat.allCases.map(\.rawValue) + ["auto"] {
            #expect(formats.contains(f), "no fixtures for \(f)")
            if f != "auto" { #expect(Self.cases.contains { $0.hasPrefix("\(f)/position-") }, "no position fixture for \(f) input") }
        }
    }
}
