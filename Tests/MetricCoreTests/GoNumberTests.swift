import MetricCore
import Testing

/// The number reader must give what Go's strconv gives: the vectors are Go's own (src/strconv
/// atof_test.go and atoi_test.go: input, value, and syntax or range error), plus the spellings the
/// metric formats meet.
@Suite struct GoNumberTests {
    enum Want {
        case value(Double)
        /// Go's output: the shortest text of the expected Double, read at run time by the C library
        /// (a Swift literal goes through Float80 on x86 and can round twice).
        case go(String)
        case bits(UInt64)  // a subnormal, which a literal cannot spell without a warning
        case invalid
        case outOfRange
    }

    static let floats: [(String, Want)] = [
        ("", .invalid), ("1", .go("1")), ("+1", .go("1")), ("1x", .invalid), ("1.1.", .invalid),
        ("1e23", .go("1e23")), ("1E23", .go("1e23")), ("100000000000000000000000", .go("1e23")),
        ("1e-100", .go("1e-100")), ("123456700", .go("1.234567e+08")),
        ("99999999999999974834176", .go("9.999999999999997e+22")),
        ("100000000000000000000001", .go("1.0000000000000001e+23")),
        ("100000000000000008388608", .go("1.0000000000000001e+23")),
        ("100000000000000016777215", .go("1.0000000000000001e+23")),
        ("100000000000000016777216", .go("1.0000000000000003e+23")),
        ("-1", .go("-1")), ("-0.1", .go("-0.1")), ("-0", .go("-0.0")), ("1e-20", .go("1e-20")), ("625e-3", .go("0.625")),
        // Hexadecimal.
        ("0x1p0", .go("1")), ("0x1p1", .go("2")), ("0x1p-1", .go("0.5")), ("0x1ep-1", .go("15")), ("-0x1ep-1", .go("-15")),
        ("-0x1_ep-1", .go("-15")), ("0x1p-200", .go("6.223015277861142e-61")), ("0x1p200", .go("1.6069380442589903e+60")),
        ("0x1fFe2.p0", .go("131042")), ("0x1fFe2.P0", .go("131042")), ("-0x2p3", .go("-16")), ("0x0.fp4", .go("15")),
        ("0x0.fp0", .go("0.9375")), ("0x1e2", .invalid), ("1p2", .invalid),
        // Zeros.
        ("0", .go("0")), ("0e0", .go("0")), ("-0e0", .go("-0.0")), ("+0e0", .go("0")), ("0e-0", .go("0")), ("-0e-0", .go("-0.0")),
        ("0e+01234567890123456789", .go("0")), ("-0.00e-01234567890123456789", .go("-0.0")), ("0x0p+01234567890123456789", .go("0")),
        ("-0x0.00p-01234567890123456789", .go("-0.0")), ("0e348", .go("0")), ("-0e348", .go("-0.0")), ("-0x0p1026", .go("-0.0")),
        // NaN and infinities.
        ("nan", .value(.nan)), ("NaN", .value(.nan)), ("NAN", .value(.nan)), ("+nan", .invalid), ("-nan", .invalid),
        ("inf", .value(.infinity)), ("-Inf", .value(-.infinity)), ("+INF", .value(.infinity)), ("-Infinity", .value(-.infinity)),
        ("+INFINITY", .value(.infinity)), ("Infinity", .value(.infinity)), ("infin", .invalid), ("infx", .invalid), ("nanx", .invalid),
        // The largest Double and the next one up.
        ("1.7976931348623157e308", .go("1.7976931348623157e+308")), ("-1.7976931348623157e308", .go("-1.7976931348623157e+308")),
        ("0x1.fffffffffffffp1023", .go("1.7976931348623157e+308")), ("0x1fffffffffffffp+971", .go("1.7976931348623157e+308")),
        ("0x.1fffffffffffffp1027", .go("1.7976931348623157e+308")),
        ("1.7976931348623159e308", .outOfRange), ("-1.7976931348623159e308", .outOfRange), ("0x1p1024", .outOfRange),
        ("0x2p1023", .outOfRange), ("0x.1p1028", .outOfRange),
        ("1.7976931348623158e308", .go("1.7976931348623157e+308")), ("0x1.fffffffffffff7fffp1023", .go("1.7976931348623157e+308")),
        ("1.797693134862315808e308", .outOfRange), ("0x1.fffffffffffff8p1023", .outOfRange),
        ("1e308", .go("1e308")), ("2e308", .outOfRange), ("1e309", .outOfRange), ("1e310", .outOfRange), ("-1e310", .outOfRange),
        ("1e400", .outOfRange), ("-1e400", .outOfRange), ("1e400000", .outOfRange), ("0x1p2000000000", .outOfRange),
        // Subnormals and underflow.
        ("1e-305", .go("1e-305")), ("1e-308", .go("1e-308")), ("1e-310", .bits(0x1268_8B70_E62B)), ("1e-322", .bits(0x14)),
        ("5e-324", .bits(0x1)), ("4.9e-324", .bits(0x1)), ("4e-324", .bits(0x1)), ("3e-324", .bits(0x1)),
        ("2e-324", .go("0")), ("1e-350", .go("0")), ("1e-400000", .go("0")),
        ("0x1.fffffffffffff8p-1022", .go("4.450147717014403e-308")), ("0x0.fffffffffffff0p-1022", .bits(0xF_FFFF_FFFF_FFFF)),
        ("0x0.00000003456788p-1022", .bits(0x345678)), ("0x0.00000000000010p-1022", .bits(0x1)),
        ("0x0.00000000000008p-1022", .go("0")),
        ("1e-4294967296", .go("0")), ("1e+4294967296", .outOfRange), ("1e-18446744073709551616", .go("0")),
        ("1e+18446744073709551616", .outOfRange), ("0x1p-4294967296", .go("0")), ("0x1p+18446744073709551616", .outOfRange),
        // Syntax errors.
        ("1e", .invalid), ("1e-", .invalid), (".e-1", .invalid), ("1\u{0}.2", .invalid), ("0x", .invalid), ("0x.", .invalid),
        ("0x1", .invalid), ("0x.1", .invalid), ("0x1p", .invalid), ("0x1p+", .invalid), ("0x1p-", .invalid),
        ("0x1p+2", .go("4")), ("0x.1p+2", .go("0.25")), ("0x1p-2", .go("0.25")), ("0x.1p-2", .go("0.015625")),
        // Hard roundings.
        ("2.2250738585072012e-308", .go("2.2250738585072014e-308")), ("2.2250738585072011e-308", .bits(0xF_FFFF_FFFF_FFFF)),
        ("4.630813248087435e+307", .go("4.630813248087435e+307")), ("22.222222222222222", .go("22.22222222222222")),
        ("2." + String(repeating: "2", count: 4000) + "e+1", .go("22.22222222222222")),
        ("0x1.1111111111111p222", .go("7.18931911124017e+66")), ("0x2.2222222222222p221", .go("7.18931911124017e+66")),
        ("1.00000000000000011102230246251565404236316680908203125", .go("1")), ("0x1.00000000000008p0", .go("1")),
        ("1.00000000000000011102230246251565404236316680908203126", .go("1.0000000000000002")),
        ("1.00000000000000011102230246251565404236316680908203125" + String(repeating: "0", count: 10000) + "1", .go("1.0000000000000002")),
        ("1.00000000000000033306690738754696212708950042724609375", .go("1.0000000000000004")),
        // Underscores: between digits, decimal or hexadecimal alike.
        ("1_23.50_0_0e+1_2", .go("1.235e+14")), ("-_123.5e+12", .invalid), ("+_123.5e+12", .invalid), ("_123.5e+12", .invalid),
        ("1__23.5e+12", .invalid), ("123_.5e+12", .invalid), ("123._5e+12", .invalid), ("123.5_e+12", .invalid),
        ("123.5__0e+12", .invalid), ("123.5e_+12", .invalid), ("123.5e+_12", .invalid), ("123.5e-_12", .invalid),
        ("123.5e+1__2", .invalid), ("123.5e+12_", .invalid), ("0x_1_2.3_4_5p+1_2", .go("74565")), ("-_0x12.345p+12", .invalid),
        ("0x__12.345p+12", .invalid), ("0x12_.345p+12", .invalid), ("0x12.345_p+12", .invalid), ("0x12.345p+12_", .invalid),
        ("1_000", .go("1000")), ("1000_", .invalid), ("_1000", .invalid),
        // What metric lines carry.
        ("1e+5", .go("100000")), ("1E-5", .go("1e-5")), ("+.5", .go("0.5")), (".5", .go("0.5")), ("5.", .go("5")), ("-5.", .go("-5")),
        (".", .invalid), ("+", .invalid), ("-", .invalid), ("+-1", .invalid), ("1 ", .invalid), (" 1", .invalid), ("1,5", .invalid),
        ("0.1", .go("0.1")), ("320.25", .go("320.25")), ("-42", .go("-42")), ("0.30000000000000004", .go("0.30000000000000004")),
        ("9007199254740993", .go("9007199254740992")), ("9223372036854775808", .go("9223372036854775808")),
        ("18446744073709551616", .go("18446744073709551616")), ("123456789012345678901234567890", .go("1.2345678901234568e+29")),
        ("1e22", .go("1e22")), ("1e23", .go("1e23")), ("12345e30", .go("1.2345e34")), ("0.000001", .go("1e-6")),
        ("1551129661.954561233", .go("1551129661.954561233")), ("50", .go("50")), ("-0.000123", .go("-0.000123")),
        ("1E+2", .go("100")), ("infinity", .value(.infinity)), ("-INF", .value(-.infinity)), ("1e-400", .go("0")), ("1.2.3", .invalid),
        ("0x1.8p1", .go("3")),
    ]

    static let ints: [(String, Int64?, range: Bool)] = [
        ("", nil, false), ("0", 0, false), ("-0", 0, false), ("1", 1, false), ("-1", -1, false), ("12345", 12345, false),
        ("-12345", -12345, false), ("012345", 12345, false), ("-012345", -12345, false), ("98765432100", 98_765_432_100, false),
        ("-98765432100", -98_765_432_100, false), ("9223372036854775807", .max, false), ("-9223372036854775807", -.max, false),
        ("9223372036854775808", nil, true), ("-9223372036854775808", .min, false), ("9223372036854775809", nil, true),
        ("-9223372036854775809", nil, true), ("12345x", nil, false), ("-12345x", nil, false), ("+12", 12, false), ("+", nil, false),
        ("-", nil, false), ("1_000", nil, false), ("1.0", nil, false), ("1e3", nil, false), (" 1", nil, false), ("0x10", nil, false),
        ("99999999999999999999x", nil, true),
    ]

    static let uints: [(String, UInt64?, range: Bool)] = [
        ("", nil, false), ("0", 0, false), ("1", 1, false), ("12345", 12345, false), ("012345", 12345, false), ("12345x", nil, false),
        ("98765432100", 98_765_432_100, false), ("18446744073709551615", .max, false), ("18446744073709551616", nil, true),
        ("18446744073709551620", nil, true), ("+1", nil, false), ("-1", nil, false), ("1_0", nil, false),
    ]

    @Test func floatsAsGoReadsThem() {
        for (text, want) in Self.floats {
            let got = GoNumber.parseFloat(text)
            switch (want, got) {
            case (.go(let w), .value(let g)):
                #expect(g.bitPattern == Double(w)?.bitPattern, "\(text.prefix(60)): \(g) != \(w)")
            case (.bits(let w), .value(let g)):
                #expect(g.bitPattern == w, "\(text.prefix(60)): \(g)")
            case (.value(let w), .value(let g)):
                if w.isNaN {
                    #expect(g.isNaN, "\(text.prefix(60))")
                } else {
                    #expect(g.bitPattern == w.bitPattern, "\(text.prefix(60)): \(g) != \(w)")
                }
            case (.invalid, .invalid), (.outOfRange, .outOfRange): break
            default: Issue.record("\(text.prefix(60)): got \(got), want \(want)")
            }
        }
    }

    @Test func intsAsGoReadsThem() {
        for (text, want, range) in Self.ints {
            let got = GoNumber.parseInt(text)
            let expected: GoNumber.Parsed<Int64> = want.map { .value($0) } ?? (range ? .outOfRange : .invalid)
            #expect(got == expected, "ParseInt(\(text))")
        }
        for (text, want, range) in Self.uints {
            let got = GoNumber.parseUint(text)
            let expected: GoNumber.Parsed<UInt64> = want.map { .value($0) } ?? (range ? .outOfRange : .invalid)
            #expect(got == expected, "ParseUint(\(text))")
        }
    }

    /// Every boundary of the 64-bit ranges, and a number on either side of it.
    @Test func intBoundaries() {
        for v: Int64 in [.min, .min + 1, -1, 0, 1, .max - 1, .max, 1 << 53, -(1 << 53), 999_999_999_999_999_999, 1_000_000_000_000_000_000] {
            #expect(GoNumber.parseInt(String(v)) == .value(v))
        }
        for v: UInt64 in [0, 1, .max - 1, .max, UInt64(Int64.max) + 1, 10_000_000_000_000_000_000] {
            #expect(GoNumber.parseUint(String(v)) == .value(v))
            #expect(GoNumber.parseFloat(String(v)) == .value(Double(v)))
        }
    }

    /// Random decimals of every length and exponent read back to the Double the standard library
    /// reads (correctly rounded), across the fast path and the fallback.
    @Test func agreesWithTheCorrectlyRoundedReading() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...22, using: &rng)
            var text = Bool.random(using: &rng) ? "-" : ""
            let point = Int.random(in: 0...digits, using: &rng)
            for k in 0..<digits {
                if k == point && k > 0 { text += "." }
                text += String(Int.random(in: 0...9, using: &rng))
            }
            if Bool.random(using: &rng) { text += "e\(Int.random(in: -330...310, using: &rng))" }
            guard let want = Double(text) else {
                Issue.record("the standard library cannot read \(text)")
                continue
            }
            switch GoNumber.parseFloat(text) {
            case .value(let got): #expect(got.bitPattern == want.bitPattern, "\(text)")
            case .outOfRange: #expect(want.isInfinite, "\(text)")
            case .invalid: Issue.record("\(text) read as invalid")
            }
        }
    }

    @Test func bytesInTheMiddleOfABuffer() {
        let line = Array("a:1e+5|c".utf8)
        line.withUnsafeBufferPointer { b in
            #expect(GoNumber.parseFloat(UnsafeBufferPointer(rebasing: b[2..<6])) == .value(100_000))
            #expect(GoNumber.parseInt(UnsafeBufferPointer(rebasing: b[2..<3])) == .value(1))
            #expect(GoNumber.parseFloat(UnsafeBufferPointer(rebasing: b[2..<7])) == .invalid)
        }
    }
}
