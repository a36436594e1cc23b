import Testing

@testable import MetricFormats

@Suite struct NumberFormattingTests {
    static func fixed(_ v: Double) -> String {
        var out: [UInt8] = []
        NumberFormatting.appendFixed(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func json(_ v: Double) -> String {
        var out: [UInt8] = []
        NumberFormatting.appendJSON(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // Expected values are Go's strconv.FormatFloat(v, 'f', -1, 64).
    @Test(arguments: [
        (42.0, "42"), (-42.0, "-42"), (0.0, "0"), (1.5, "1.5"), (0.1, "0.1"), (-0.25, "-0.25"),
        (1e-7, "0.0000001"), (1e21, "1000000000000000000000"), (123456.789, "123456.789"),
        (1.7976931348623157e308, "17976931348623157" + String(repeating: "0", count: 292)),
        (Double.leastNonzeroMagnitude, "0." + String(repeating: "0", count: 323) + "5"), (9007199254740993.0, "9007199254740992"),
        (0.000123, "0.000123"), (1e16, "10000000000000000"), (12345678.9, "12345678.9"),
    ])
    func goFixed(_ v: Double, _ expected: String) {
        #expect(Self.fixed(v) == expected)
    }

    // Expected values are Go's encoding/json output.
    @Test(arguments: [
        (1e-7, "1e-7"), (1e21, "1e+21"), (1.5e21, "1.5e+21"), (-2.5e-8, "-2.5e-8"), (0.000001, "0.000001"),
        (1e20, "100000000000000000000"), (42.0, "42"), (0.0, "0"),
    ])
    func goJSON(_ v: Double, _ expected: String) {
        #expect(Self.json(v) == expected)
    }

    @Test func integers() {
        var out: [UInt8] = []
        NumberFormatting.append(Int64.min, to: &out)
        out.append(0x20)
        NumberFormatting.append(UInt64.max, to: &out)
        out.append(0x20)
        NumberFormatting.append(Int64(0), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "-9223372036854775808 18446744073709551615 0")
    }

    @Test(arguments: [
        (1.0, "1.000000"), (0.1234565, "0.123456"), (-2.5, "-2.500000"), (1e-7, "0.000000"), (123.4567895, "123.456789"), (0.9999999, "1.000000"), (2.5e-6, "0.000003"),
        (1e23, "99999999999999991611392.000000"),
    ])
    func sixDecimals(_ v: Double, _ expected: String) {
        var out: [UInt8] = []
        NumberFormatting.appendFixed(v, decimals: 6, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func roundTripsRandomDoubles() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let v = Double(bitPattern: g.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random() ? 1 : -1)
            #expect(Double(Self.fixed(v)) == v)
            #expect(Double(Self.json(v)) == v)
        }
    }
}
