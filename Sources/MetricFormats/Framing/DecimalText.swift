/// The text of a decimal number as a reader found it, `-?d*(.d*)?([eE][+-]?d+)?`: where it is and
/// its shape, so that a serializer can tell whether it writes the value with the same bytes without
/// reading them again.
struct DecimalText {
    /// The first byte (a minus sign or a digit or the point).
    let p: UnsafePointer<UInt8>
    let negative: Bool
    let intDigits: Int
    let hasDot: Bool
    let fracDigits: Int
    let hasExponent: Bool

    /// How many leading bytes of the text are Go's shortest round-trip text of its value in fixed
    /// notation (`strconv.FormatFloat(v, 'f', -1, 64)`), or -1 when that text is not a prefix of
    /// this one: only trailing zeros of the decimals (and a point left without digits) may go.
    ///
    /// Taken: at most 15 significant digits (two different decimals of at most 15 significant digits
    /// never read as one double, DBL_DIG, so such a text is the shortest that reads back as its value),
    /// no exponent, no leading zeros, not below 1e-6 (at most five zeros after `0.`), not `-0`.
    @inline(__always)
    func shortestFixedPrefix() -> Int {
        guard !hasExponent, intDigits > 0 else { return -1 }
        let intStart = negative ? 1 : 0
        let zeroInt = p[intStart] == ASCII.zero
        // A leading zero is another spelling.
        guard intDigits == 1 || !zeroInt else { return -1 }
        var significant = zeroInt ? 0 : intDigits
        var copyEnd = intStart &+ intDigits
        if hasDot {
            let fracStart = copyEnd &+ 1
            // Neither output has trailing zeros, nor a point without digits after it.
            var fracEnd = fracStart &+ fracDigits
            while fracEnd > fracStart && p[fracEnd &- 1] == ASCII.zero { fracEnd &-= 1 }
            let digits = fracEnd &- fracStart
            if digits > 0 { copyEnd = fracEnd }
            if digits == 0 {
                if zeroInt {
                    guard !negative else { return -1 }
                    significant = 1
                }
            } else if zeroInt {
                var zeros = 0
                while p[fracStart &+ zeros] == ASCII.zero { zeros &+= 1 }
                // Below 1e-6 Go's shortest text takes an exponent.
                guard zeros <= 5 else { return -1 }
                significant = digits &- zeros
            } else {
                significant &+= digits
            }
        } else if zeroInt {
            // 0 is written as 0; -0 as 0 too (or -0): not this text.
            guard !negative else { return -1 }
            significant = 1
        }
        return significant <= 15 ? copyEnd : -1
    }

    /// An integer written as its own digits: no leading zero, not `-0`, and at most `maxDigits`
    /// digits (so that it is sure to be in range).
    @inline(__always)
    func isPlainInteger(maxDigits: Int) -> Bool {
        guard !hasDot, !hasExponent, intDigits > 0, intDigits <= maxDigits else { return false }
        let first = p[negative ? 1 : 0]
        return first != ASCII.zero || (intDigits == 1 && !negative)
    }
}
