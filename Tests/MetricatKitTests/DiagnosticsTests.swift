import MetricFormats
import Testing

@testable import MetricatKit

@Suite struct DiagnosticsTests {
    @Test func errorsDecideTheExitStatusAndCarryTheirPosition() {
        var lines: [String] = []
        let d = Diagnostics(write: { lines.append($0) })
        #expect(d.exitStatus == .ok)
        d.report(.warning(line: 2, column: 5, "odd"), source: "in.lp")
        #expect(d.exitStatus == .ok)
        d.report(.error(line: 3, column: 7, "expected field"), source: "in.lp")
        #expect(d.exitStatus == .dataError)
        #expect(lines == ["in.lp:2:5: warning: odd\n", "in.lp:3:7: expected field\n"])
        #expect(!d.shouldStop)
    }

    @Test func strictStopsAtTheFirstError() {
        let d = Diagnostics(strict: true, write: { _ in })
        d.report(.warning(line: 1, "w"), source: "-")
        #expect(!d.shouldStop)
        d.report(.error(line: 1, "e"), source: "-")
        #expect(d.shouldStop)
    }

    @Test func notesNeedVerbose() {
        var lines: [String] = []
        Diagnostics(write: { lines.append($0) }).note("hidden")
        Diagnostics(verbose: true, write: { lines.append($0) }).note("shown")
        #expect(lines == ["metricat: note: shown\n"])
    }

    /// Found by scripts/fuzz-cli.py: a form feed in a StatsD type was echoed raw, so the message
    /// broke into two lines on a terminal; ESC would reach the terminal as an escape sequence.
    @Test func controlCharactersFromTheInputAreShownEscapedAndAMessageStaysOneLine() {
        var lines: [String] = []
        let d = Diagnostics(write: { lines.append($0) })
        d.report(.error(line: 4, column: 24, "invalid metric type \"=1\u{0C}17\u{0B}\"\u{1B}[2J\tx\u{7F}"), source: "-")
        #expect(lines == ["-:4:24: invalid metric type \"=1\\x0c17\\x0b\"\\x1b[2J\tx\\x7f\n"])
    }
}
