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

    /// Found by scripts/fuzz-cli.py: a tag key with U+0085 (NEL) split listen's warning into two lines
    /// for a reader that splits as Python's `splitlines` does; the C1 controls (CSI is U+009B) and the
    /// line and paragraph separators are shown escaped, other non-ASCII text as it is.
    @Test func c1ControlsAndLineSeparatorsAreShownEscaped() {
        var lines: [String] = []
        let d = Diagnostics(write: { lines.append($0) })
        d.report(.warning(line: 1, column: 9, "tag \"a\u{85}b\u{9B}2J\u{2028}c\u{2029}é€\" x"), source: "-")
        #expect(lines == ["-:1:9: warning: tag \"a\\u0085b\\u009b2J\\u2028c\\u2029é€\" x\n"])
        #expect(lines[0].split(whereSeparator: \.isNewline).count == 1)
    }
}
