import MetricFormats
import MetricTransport
import Testing

@testable import MetricatKit

/// The writer of every `--json` summary: exact text for each kind of value, and whatever goes in
/// (quotes, backslashes, control characters, NaN, huge numbers) reads back as JSON with the same values.
@Suite struct JSONObjectWriterTests {
    @Test func everyKindOfValueHasOneSpelling() {
        var o = JSONObjectWriter()
        o.add("int", 42)
        o.add("negative", -7)
        o.add("missing", UInt64?.none)
        o.add("double", 3.25)
        o.add("whole", 3.0)
        o.add("tiny", 1e-9)
        o.add("nan", Double.nan)
        o.add("inf", -Double.infinity)
        o.add("rate", 2.0 / 3.0, decimals: 3)
        o.add("rounded", 12.0, decimals: 3)
        o.add("string", "a\"b\\c\nd\u{1}")
        o.add("flag", true)
        o.add("unknown", Bool?.none)
        o.add("list", strings: ["udp://127.0.0.1:1", "x\"y"])
        o.add("numbers", numbers: [1.5, .nan], decimals: 3)
        o.add("errors", counts: ["b": 2, "a": 1])
        var inner = JSONObjectWriter()
        inner.add("k", 1)
        o.add("items", objects: [inner, JSONObjectWriter()])
        #expect(
            o.text
                == #"{"int":42,"negative":-7,"missing":null,"double":3.25,"whole":3,"tiny":1e-9,"nan":null,"inf":null,"rate":0.667,"rounded":12,"#
                + #""string":"a\"b\\c\nd\u0001","flag":true,"unknown":null,"list":["udp://127.0.0.1:1","x\"y"],"numbers":[1.500,null],"#
                + #""errors":{"a":1,"b":2},"items":[{"k":1},{}]}"#)
        #expect(JSONObjectWriter().text == "{}")
    }

    @Test func awkwardValuesReadBackUnchanged() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for _ in 0..<500 {
            let text = String(decoding: (0..<Int(next() % 12)).map { _ in UInt8(truncatingIfNeeded: next() % 128) }, as: UTF8.self)
            let number = Double(bitPattern: next() << 11 | next() % 2048)
            var o = JSONObjectWriter()
            o.add(text, text)
            o.add("n", number)
            o.add("u", UInt64.max)
            let doc = try JSONDocument.parse(Array(o.text.utf8))
            #expect(doc[text]?.string == text)
            #expect(doc["u"]?.count == UInt64.max)
            if number.isFinite { #expect(doc["n"]?.number == number) } else { #expect(doc["n"] == .null) }
        }
    }

    /// A target address with a quote in it (a Unix socket path) still gives a readable summary.
    @Test func aSendSummaryWithAnAwkwardTargetIsJSON() throws {
        let summary = SendFrontend.summaryJSON(SenderStats(), target: .unix(path: "/tmp/a\"b\\c.sock"))
        let doc = try JSONDocument.parse(Array(summary.utf8))
        #expect(doc["target"]?.string == "unix:///tmp/a\"b\\c.sock")
    }
}
