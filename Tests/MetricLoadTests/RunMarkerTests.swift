import MetricatKit
import Testing

@testable import MetricLoad

/// The lines that tie a `listen --sequence` summary to one `load` run, and the choice of summary.
@Suite struct RunMarkerTests {
    func parse(_ line: String) -> LoadRunMarker? {
        Array(line.utf8).withUnsafeBufferPointer { LoadRunMarker(parsing: $0) }
    }

    @Test func markersRoundTripAndOtherLinesAreNone() {
        let run = LoadRunMarker.newRun()
        #expect(LoadRunMarker.isRun(run), "\(run)")
        #expect(run != LoadRunMarker.newRun())
        for phase in [LoadRunMarker.Phase.begin, .end(sender: 2, of: 3)] {
            let m = LoadRunMarker(run: run, phase: phase)
            #expect(parse(String(m.line.dropLast())) == m)
        }
        for line in [
            "#metricat-load begin r123", "#metricat-load end \(run) s4/3", "#metricat-load end \(run) s0/3",
            "#metricat-load begin \(run) x", "cpu seq=100000000001i", "#metricat-load middle \(run)",
        ] {
            #expect(parse(line) == nil, "\(line)")
        }
    }

    /// No sequence key finds a number in a marker, so listen never counts one as a line of the run.
    @Test func noSequenceKeyReadsANumberInAMarker() {
        let run = "r0123456789abcdef"
        for line in [LoadRunMarker(run: run, phase: .begin).line, LoadRunMarker(run: run, phase: .end(sender: 1, of: 9)).line] {
            let bytes = Array(line.dropLast().utf8)
            for key in ["seq", "end", "begin", "s1", "r0123456789abcdef", "metricat", "load", "r", "s", "9"] {
                bytes.withUnsafeBufferPointer { #expect(SequenceTracker.scan($0, key: Array(key.utf8)) == nil, "\(key) in \(line)") }
            }
        }
    }

    @Test func onlyTheSummaryOfTheRunIsTaken() {
        let mine = "r00000000000000b2"
        let other = "{\"received\":420145,\"lost\":0,\"duplicated\":0,\"run\":\"r00000000000000a1\"}"
        let old = "{\"received\":7,\"lost\":0,\"duplicated\":0}"
        let good = "{\"received\":300,\"lost\":0,\"duplicated\":2,\"run\":\"\(mine)\"}"
        #expect(SinkReport.find("\(old)\n\(other)\n", run: mine) == .otherRun("r00000000000000a1"))
        #expect(SinkReport.find("\(other)\n\(old)\n", run: mine) == .otherRun(nil))
        #expect(SinkReport.find("\(good)\n\(other)\n", run: mine) == .found(SinkReport(received: 300, lost: 0, duplicated: 2, run: mine)))
        #expect(SinkReport.find("listening\n", run: mine) == .none)
    }
}
