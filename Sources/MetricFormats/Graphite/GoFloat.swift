/// Go's `strconv.ParseFloat(s, 64)` on bytes: the number syntax Telegraf's text parsers accept.
///
/// Decimal `[+-]digits[.digits][e[+-]digits]` (`.5` and `5.` too), hexadecimal with a mandatory
/// `p` exponent (`0x1.8p1`), `inf`/`infinity` with an optional sign and `nan`, case-insensitive.
/// A finite number too large for a Double is out of range, not infinity.
enum GoFloat {
    enum Result: Equatable {
        case value(Double)
        case invalid
        case outOfRange
    }

    private static let powersOf10: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always) private static func lower(_ b: UInt8) -> UInt8 { b | 0x20 }

    private static func equalsIgnoringCase(_ b: UnsafeBufferPointer<UInt8>, from i: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard b.count - i == n else { return false }
        let w = word.utf8Start
        for k in 0..<n where lower(b[i + k]) != w[k] { return false }
        return true
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Result {
        let n = b.count
        guard n > 0 else { return .invalid }
        var i = 0
        var negative = false
        if b[0] == ASCII.plus || b[0] == ASCII.minus {
            negative = b[0] == ASCII.minus
            i = 1
        }
        guard i < n else { return .invalid }
        let c = lower(b[i])
        if c == UInt8(ascii: "i") {
            if equalsIgnoringCase(b, from: i, "inf") || equalsIgnoringCase(b, from: i, "infinity") {
                return .value(negative ? -.infinity : .infinity)
            }
            return .invalid
        }
        if c == UInt8(ascii: "n") {
            return i == 0 && equalsIgnoringCase(b, from: 0, "nan") ? .value(.nan) : .invalid
        }
        if b[i] == ASCII.zero, i + 1 < n, lower(b[i + 1]) == UInt8(ascii: "x") {
            return parseHex(b, digitsFrom: i + 2)
        }
        // Decimal: validate, and compute exactly when the digits and exponent are small.
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var dropped = false
        var sawDot = false
        var fractionDigits = 0
        while i < n {
            let d = b[i]
            if ASCII.isDigit(d) {
                digits += 1
                if significant > 0 || d != ASCII.zero {
                    if significant < 19 {
                        mantissa = mantissa &* 10 &+ UInt64(d &- ASCII.zero)
                        significant += 1
                        if sawDot { fractionDigits += 1 }
                    } else {
                        dropped = true
                        if !sawDot { fractionDigits -= 1 }
                    }
                } else if sawDot {
                    fractionDigits += 1
                }
            } else if d == ASCII.dot && !sawDot {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { return .invalid }
        var exponent = 0
        if i < n {
            guard lower(b[i]) == UInt8(ascii: "e") else { return .invalid }
            i += 1
            var expNegative = false
            if i < n, b[i] == ASCII.plus || b[i] == ASCII.minus {
                expNegative = b[i] == ASCII.minus
                i += 1
            }
            guard i < n else { return .invalid }
            while i < n {
                guard ASCII.isDigit(b[i]) else { return .invalid }
                if exponent < 100_000 { exponent = exponent * 10 + Int(b[i] &- ASCII.zero) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        let scale = exponent - fractionDigits
        if !dropped, mantissa < (1 << 53) {
            if mantissa == 0 { return .value(negative ? -0.0 : 0.0) }
            if scale == 0 {
                let v = Double(mantissa)
                return .value(negative ? -v : v)
            }
            if scale > 0 && scale <= 22 && significant + scale <= 15 {
                let v = Double(mantissa) * powersOf10[scale]
                return .value(negative ? -v : v)
            }
            if scale < 0 && scale >= -22 {
                let v = Double(mantissa) / powersOf10[-scale]
                return .value(negative ? -v : v)
            }
        }
        guard let v = Double(String(decoding: b, as: UTF8.self)) else { return .invalid }
        return v.isInfinite ? .outOfRange : .value(v)
    }

    /// `0x` mantissa (hex digits, one optional point) and a mandatory `p[+-]digits` exponent.
    private static func parseHex(_ b: UnsafeBufferPointer<UInt8>, digitsFrom start: Int) -> Result {
        var i = start
        let n = b.count
        var digits = 0
        var sawDot = false
        while i < n {
            let c = lower(b[i])
            if ASCII.isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) {
                digits += 1
            } else if c == ASCII.dot && !sawDot {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0, i < n, lower(b[i]) == UInt8(ascii: "p") else { return .invalid }
        i += 1
        if i < n, b[i] == ASCII.plus || b[i] == ASCII.minus { i += 1 }
        guard i < n else { return .invalid }
        while i < n {
            guard ASCII.isDigit(b[i]) else { return .invalid }
            i += 1
        }
        guard let v = Double(String(decoding: b, as: UTF8.self)) else { return .invalid }
        return v.isInfinite ? .outOfRange : .value(v)
    }
}
