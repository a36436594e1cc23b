/// What ``InfluxSerializer`` writes with the very bytes of a line-protocol value, for the direct path
/// (``InfluxDirect``), which copies those bytes instead of asking the serializer to write the value.
extension InfluxSerializer {
    /// How many leading bytes of a float's text are what line protocol writes for its value (Go's
    /// shortest round-trip text without an exponent), or -1 when it writes another text.
    @inline(__always)
    static func verbatimFloat(_ text: DecimalText) -> Int {
        text.shortestFixedPrefix()
    }

    /// A signed integer's digits (without the `i`) are what line protocol writes for its value.
    @inline(__always)
    static func isVerbatimInteger(_ text: DecimalText) -> Bool {
        text.isPlainInteger(maxDigits: 18)
    }

    /// Per byte: 0 when line protocol writes it as it is in a string (so no closer look is needed);
    /// marks `"`, `\\` and every byte of a UTF-8 sequence. Written once at first use.
    nonisolated(unsafe) static let verbatimStringMarks: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for b in 0..<256 { t[b] = b >= 0x80 ? 2 : (b == Int(ASCII.quote) || b == Int(ASCII.backslash) ? 1 : 0) }
        return UnsafePointer(t)
    }()

    /// The content of a line-protocol string (its only escapes `\"` and `\\`) is what line protocol
    /// writes between the quotes: valid UTF-8 (the parser would replace invalid bytes).
    @inline(__always)
    static func isVerbatimString(_ content: UnsafeBufferPointer<UInt8>) -> Bool {
        var j = 0
        let end = content.count
        while j < end {
            let b = content[j]
            if b < 0x80 {
                j &+= 1
                continue
            }
            let n = JSONText.utf8SequenceLength(content, j)
            guard n > 0 else { return false }
            j &+= n
        }
        return true
    }

    /// The serializer's rules that depend on its options, as a value a caller keeps (copying the
    /// serializer itself would count references on its buffers).
    struct Verbatim {
        let uintSupport: Bool
        let omitTimestamp: Bool
        let precision: TimestampPrecision

        init(options: FormatOptions) {
            uintSupport = options.influx.uintSupport
            omitTimestamp = options.influx.omitTimestamp
            precision = options.influx.precision
        }

        /// The suffix written after an unsigned integer's digits (`u`, or `i` without uint support for
        /// one sure to fit Int64), or nil when its text is not written as it is.
        @inline(__always)
        func verbatimUnsignedSuffix(_ text: DecimalText) -> UInt8? {
            if uintSupport { return text.isPlainInteger(maxDigits: 19) ? UInt8(ascii: "u") : nil }
            return text.isPlainInteger(maxDigits: 18) ? UInt8(ascii: "i") : nil
        }

        /// Whether a metric's timestamp is written at all.
        var writesTimestamps: Bool { !omitTimestamp }

        /// A timestamp read in precision `input` is written as its own digits.
        @inline(__always)
        func isVerbatimTimestamp(precision input: TimestampPrecision) -> Bool { input == precision }
    }
}
