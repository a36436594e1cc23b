extension InfluxSerializer {
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Go's `FormatFloat(v, 'f', -1, 64)` for a finite value, fast for the common metric values.
    ///
    /// The fewest decimals `k` for which an integer `m` gives `m / 10^k == v` is the shortest text that
    /// reads back as `v`: with `m < 2^53` and `10^k` exact, the division rounds once, exactly as parsing
    /// the decimal does. Values outside that range go to ``NumberFormatting/appendFixed(_:to:)``.
    static func appendFloat(_ v: Double, to out: inout [UInt8]) {
        let buffer = InfluxLineBuffer(capacity: 32)
        appendFloat(v, to: buffer)
        out.append(contentsOf: buffer.bytes)
    }

    static func appendFloat(_ v: Double, to out: InfluxLineBuffer) {
        let a = abs(v)
        guard a >= 1e-6 && a < 9.007_199_254_740_992e15 else {
            appendReference(v, to: out)
            return
        }
        powersOfTen.withUnsafeBufferPointer { p10 in
            if let (m, k) = fifteenDigits(a, p10) {
                if v < 0 { out.append(ASCII.minus) }
                appendDecimal(m, decimals: k, to: out)
                return
            }
            for k in 0...17 {
                let scaled = a * p10[k]
                if scaled >= 9.007_199_254_740_992e15 { break }
                // The nearest integer: below 2^52, adding and taking away 2^52 rounds to an integer
                // in two instructions (ties go to even, and the neighbours are tried below anyway);
                // above, scaled is already an integer.
                let m = scaled < 4.503_599_627_370_496e15 ? (scaled + 4.503_599_627_370_496e15) - 4.503_599_627_370_496e15 : scaled
                // An `m'` with `m' / 10^k == a` lies within about m' * 2^-52 of the product, so a product
                // farther than scaled * 2^-49 from every integer rules this k out without a division.
                if abs(scaled - m) > scaled * 0x1p-49 { continue }
                // The nearest integer first, then its neighbours (the product itself was rounded).
                var found: Double = 0
                if m / p10[k] == a {
                    found = m
                } else if m > 1 && (m - 1) / p10[k] == a {
                    found = m - 1
                } else if (m + 1) / p10[k] == a {
                    found = m + 1
                }
                if found > 0 {
                    if v < 0 { out.append(ASCII.minus) }
                    appendDecimal(UInt64(found), decimals: k, to: out)
                    return
                }
            }
            appendReference(v, to: out)
        }
    }

    /// The value as `m / 10^k` with `m` of at most 15 significant digits, trailing zeros removed, when
    /// that reads back as `a` (1e-6 <= a < 2^53); nil when `a` needs 16 or 17 digits.
    ///
    /// Any decimal of at most 15 significant digits reads back as a double of its own (DBL_DIG), so a
    /// 15-digit text that reads back as `a` has no shorter rival and is Go's shortest text: one
    /// multiply, a few constant divisions and one check, instead of trying each count of decimals.
    @inline(__always)
    static func fifteenDigits(_ a: Double, _ p10: UnsafeBufferPointer<Double>) -> (UInt64, Int)? {
        // floor(log10(a)) is `low` or `low + 1`: aim for 15 digits before the decimal point, and
        // take one decimal back when that gave 16.
        let low = ((Int(truncatingIfNeeded: a.bitPattern >> 52) &- 1023) &* 1233) >> 12
        var k = 14 &- low
        guard k >= 0 && k < p10.count else { return nil }
        var scaled = a * p10[k]
        if scaled >= 1e15 {
            if k == 0 { return nil }
            k -= 1
            scaled = a * p10[k]
        }
        // Below 2^52, adding and taking away 2^52 rounds to the nearest integer.
        var m = UInt64((scaled + 4.503_599_627_370_496e15) - 4.503_599_627_370_496e15)
        // Trailing zeros off, in steps of 8, 4, 2 and 1 (each a division by a constant).
        if k >= 8 && m % 100_000_000 == 0 {
            m /= 100_000_000
            k -= 8
        }
        if k >= 4 && m % 10_000 == 0 {
            m /= 10_000
            k -= 4
        }
        if k >= 2 && m % 100 == 0 {
            m /= 100
            k -= 2
        }
        if k >= 1 && m % 10 == 0 {
            m /= 10
            k -= 1
        }
        // m < 2^53 and 10^k exact: the division rounds once, as reading the decimal text does.
        return Double(m) / p10[k] == a ? (m, k) : nil
    }

    /// The reference formatter, for values outside the fast path.
    static func appendReference(_ v: Double, to out: InfluxLineBuffer) {
        var text: [UInt8] = []
        NumberFormatting.appendFixed(v, to: &text)
        text.withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
    }

    /// `m` with a decimal point `decimals` digits from the right (`1234, 2` -> `12.34`, `5, 3` -> `0.005`),
    /// written back to front in place; only divisions by constants (a division by a variable power
    /// of ten costs tens of cycles).
    static func appendDecimal(_ m: UInt64, decimals: Int, to out: InfluxLineBuffer) {
        if decimals == 0 {
            out.append(m)
            return
        }
        let total = max(out.digitCount(m) - decimals, 1) + 1 + decimals
        out.reserve(total)
        let pairs = out.pairs
        var w = out.base + out.count + total
        var n = m
        var left = decimals
        while left >= 2 {
            let r = Int(truncatingIfNeeded: n % 100)
            n /= 100
            w -= 2
            w[0] = pairs[2 &* r]
            w[1] = pairs[2 &* r &+ 1]
            left -= 2
        }
        if left == 1 {
            w -= 1
            w[0] = ASCII.zero &+ UInt8(truncatingIfNeeded: n % 10)
            n /= 10
        }
        w -= 1
        w[0] = ASCII.dot
        repeat {
            w -= 1
            w[0] = ASCII.zero &+ UInt8(truncatingIfNeeded: n % 10)
            n /= 10
        } while n > 0
        out.count += total
    }
}
