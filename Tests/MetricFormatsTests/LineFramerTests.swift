import Testing

@testable import MetricFormats

/// Framing is checked the way swift-nio's ByteToMessageDecoderVerifier does it: the same input fed
/// whole, byte by byte, and in every two-way split must give the same lines.
@Suite struct LineFramerTests {
    enum Out: Equatable {
        case line(String, Int)
        case tooLong(Int)
    }

    static func frame(_ chunks: [[UInt8]], max: Int = 1 << 20) -> [Out] {
        var framer = LineFramer(maxLineBytes: max)
        var out: [Out] = []
        let body: (LineFramer.Event) -> Void = { e in
            switch e {
            case .line(let b, let n): out.append(.line(String(decoding: b, as: UTF8.self), n))
            case .tooLong(let n, _): out.append(.tooLong(n))
            }
        }
        for c in chunks { c.withUnsafeBufferPointer { framer.feed($0, body) } }
        framer.finish(body)
        return out
    }

    static func verify(_ input: String, max: Int = 1 << 20, expect: [Out]) {
        let bytes = Array(input.utf8)
        #expect(frame([bytes], max: max) == expect, "whole")
        #expect(frame(bytes.map { [$0] }, max: max) == expect, "byte by byte")
        for cut in 0...bytes.count {
            #expect(frame([Array(bytes[..<cut]), Array(bytes[cut...])], max: max) == expect, "split at \(cut)")
        }
    }

    @Test func linesWithAndWithoutFinalNewline() {
        Self.verify("a\nbb\n\nccc", expect: [.line("a", 1), .line("bb", 2), .line("", 3), .line("ccc", 4)])
        Self.verify("a\n", expect: [.line("a", 1)])
        Self.verify("", expect: [])
    }

    @Test func carriageReturnsAreLeftToTheParser() {
        Self.verify("a\r\nb\r", expect: [.line("a\r", 1), .line("b\r", 2)])
    }

    @Test func overlongLinesAreReportedOnceAndSkipped() {
        Self.verify("ok\n0123456789\nfine\n", max: 5, expect: [.line("ok", 1), .tooLong(2), .line("fine", 3)])
        Self.verify("12345\n123456", max: 5, expect: [.line("12345", 1), .tooLong(2)])
    }

    @Test func memoryStaysBoundedOnAnEndlessLine() {
        var framer = LineFramer(maxLineBytes: 1024)
        let chunk = [UInt8](repeating: 0x61, count: 4096)
        var events = 0
        for _ in 0..<256 {
            chunk.withUnsafeBufferPointer { framer.feed($0) { _ in events += 1 } }
            #expect(framer.pendingByteCount <= 1024)
        }
        #expect(events == 1)
    }
}
