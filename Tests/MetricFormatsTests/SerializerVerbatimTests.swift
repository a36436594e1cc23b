import Testing

@testable import MetricFormats

/// The serializers' verbatim answers (what the direct path copies) against what they really write:
/// whenever a serializer says it writes a value with the input's bytes, writing the value gives
/// exactly those bytes.
@Suite struct SerializerVerbatimTests {
    /// The shape of the number text `s` as the tokenizer reads it in `m v=s`.
    static func shape(_ s: String, _ body: (DecimalText, Double?) -> Void) {
        let bytes = Array("m v=\(s)".utf8)
        bytes.withUnsafeBufferPointer { buf in
            let p = buf.baseAddress!
            var t = InfluxTokenizer(p, buf.count, at: 0)
            guard
                let value = try? { () throws(InfluxSyntaxError) -> InfluxValue in
                    _ = try t.measurement()
                    try t.fieldsStart()
                    _ = try t.fieldKey()
                    return try t.fieldValue()
                }()
            else { return }
            let text = DecimalText(
                p: p + value.start, negative: value.negative, intDigits: value.intDigits, hasDot: value.hasDot, fracDigits: value.fracDigits,
                hasExponent: value.hasExponent)
            body(text, value.kind == .float ? try? value.double(p) : nil)
        }
    }

    static let floats = [
        "1", "0", "-0", "0.0", "-0.0", "1.0", "1.50", "10.", "-12.340", ".5", "01.5", "1e5", "0.000001", "0.0000015", "0.0000001",
        "123456789012345", "1234567890123456", "0.123456789012345", "0.1234567890123456", "3.14159265358979", "63.9427", "0.275029",
        "100", "-0.5", "0.30000000000000004", "999999999999999", "-999999999999999.0", "0.00001000",
    ]

    @Test func aFloatCopiedIsWhatBothSerializersWrite() {
        var copied = 0
        for s in Self.floats {
            Self.shape(s) { text, value in
                guard let value else { return }
                let json = InfluxLineBuffer()
                JSONText.appendNumber(value, to: json)
                let influx = InfluxLineBuffer()
                InfluxSerializer.appendFloat(value, to: influx)
                let n = JSONSerializer.verbatimFloat(text)
                #expect(n == InfluxSerializer.verbatimFloat(text), "\(s)")
                if n >= 0 {
                    copied += 1
                    let prefix = Array(UnsafeBufferPointer(start: text.p, count: n))
                    #expect(prefix == Array(json.bytes), "\(s)")
                    #expect(prefix == Array(influx.bytes), "\(s)")
                }
            }
        }
        // Most of the list is copied; the unusual spellings are not.
        #expect(copied >= 15 && copied < Self.floats.count)
    }

    @Test func integersAreCopiedOnlyWhenSureToBeInRange() {
        for (s, copied) in [
            ("5i", true), ("0i", true), ("-0i", false), ("-7i", true), ("123456789012345678i", true), ("1234567890123456789i", false),
        ] {
            Self.shape(s) { text, _ in
                #expect(JSONSerializer.isVerbatimInteger(text, unsigned: false) == copied, "\(s)")
                #expect(InfluxSerializer.isVerbatimInteger(text) == copied, "\(s)")
            }
        }
        var options = FormatOptions()
        Self.shape("1234567890123456789u") { text, _ in
            #expect(JSONSerializer.isVerbatimInteger(text, unsigned: true))
            #expect(InfluxSerializer.Verbatim(options: options).verbatimUnsignedSuffix(text) == nil)
            options.influx.uintSupport = true
            #expect(InfluxSerializer.Verbatim(options: options).verbatimUnsignedSuffix(text) == UInt8(ascii: "u"))
        }
    }

    @Test func stringsAreCopiedWhenTheOutputSpellsThemTheSame() {
        func check(_ content: String, json: Bool, influx: Bool) {
            let bytes = Array(content.utf8)
            bytes.withUnsafeBufferPointer { buf in
                #expect(JSONSerializer.isVerbatimString(buf) == json, "\(content)")
                #expect(InfluxSerializer.isVerbatimString(buf) == influx, "\(content)")
            }
        }
        check("plain text", json: true, influx: true)
        check(#"a\"b\\c"#, json: true, influx: true)
        check("<tag>&", json: false, influx: true)
        check("tab\there", json: false, influx: true)
        check("ünï € 😀", json: true, influx: true)
        check("\u{2028}", json: false, influx: true)
        // Invalid UTF-8 is replaced by the parser: neither copies it.
        [UInt8(ascii: "a"), 0xC3].withUnsafeBufferPointer { buf in
            #expect(!JSONSerializer.isVerbatimString(buf))
            #expect(!InfluxSerializer.isVerbatimString(buf))
        }
    }
}
