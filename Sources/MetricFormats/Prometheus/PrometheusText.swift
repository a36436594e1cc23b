#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// The pieces of the Prometheus text exposition format (0.0.4) that the parser and the
/// serializer share: name rules, label-value escaping and Go's float text.
enum PrometheusText {
    /// `[a-zA-Z_:]`: a byte that may start a metric name.
    @inline(__always) static func isMetricNameStart(_ b: UInt8) -> Bool {
        (b | 0x20) &- 0x61 < 26 || b == 0x5F || b == 0x3A
    }

    /// `[a-zA-Z0-9_:]`: a byte that may follow inside a metric name.
    @inline(__always) static func isMetricNameByte(_ b: UInt8) -> Bool {
        isMetricNameStart(b) || ASCII.isDigit(b)
    }

    /// `[a-zA-Z_]`: a byte that may start a label name.
    @inline(__always) static func isLabelNameStart(_ b: UInt8) -> Bool {
        (b | 0x20) &- 0x61 < 26 || b == 0x5F
    }

    /// `[a-zA-Z0-9_]`: a byte that may follow inside a label name.
    @inline(__always) static func isLabelNameByte(_ b: UInt8) -> Bool {
        isLabelNameStart(b) || ASCII.isDigit(b)
    }

    /// A valid metric name is kept; otherwise, as Telegraf does, an invalid first character is
    /// dropped, every later invalid character becomes `_`, and `_` is trimmed from both ends.
    /// nil when nothing is left.
    static func sanitizeMetricName(_ name: String) -> String? {
        sanitize(name, first: isMetricNameStart, rest: isMetricNameByte)
    }

    /// The same for label names (`[a-zA-Z_][a-zA-Z0-9_]*`; a `:` is replaced).
    static func sanitizeLabelName(_ name: String) -> String? {
        sanitize(name, first: isLabelNameStart, rest: isLabelNameByte)
    }

    private static func sanitize(_ name: String, first: (UInt8) -> Bool, rest: (UInt8) -> Bool) -> String? {
        var valid = !name.isEmpty
        var index = 0
        for b in name.utf8 {
            if !(index == 0 ? first(b) : rest(b)) {
                valid = false
                break
            }
            index += 1
        }
        if valid { return name }
        // Character by character as Go ranges over runes: a multi-byte scalar is one `_`.
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        var isFirst = true
        for scalar in name.unicodeScalars {
            let b: UInt8? = scalar.isASCII ? UInt8(scalar.value) : nil
            if isFirst {
                if let b, first(b) { out.append(b) }
                isFirst = false
            } else if let b, rest(b) {
                out.append(b)
            } else {
                out.append(0x5F)
            }
        }
        var s = 0
        var e = out.count
        while s < e, out[s] == 0x5F { s += 1 }
        while e > s, out[e - 1] == 0x5F { e -= 1 }
        if s == e { return nil }
        return String(decoding: out[s..<e], as: UTF8.self)
    }

    /// Appends a label value with `\` -> `\\`, newline -> `\n` and `"` -> `\"`.
    static func appendEscapedLabelValue(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                let escaped: UInt8
                switch b {
                case ASCII.backslash: escaped = ASCII.backslash
                case ASCII.newline: escaped = UInt8(ascii: "n")
                case ASCII.quote: escaped = ASCII.quote
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                out.append(ASCII.backslash)
                out.append(escaped)
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
    }

    /// Appends a HELP text with a backslash doubled and a newline as `\n`, the two escapes of 0.0.4 HELP.
    static func appendEscapedHelp(_ text: String, to out: inout [UInt8]) {
        for b in text.utf8 {
            switch b {
            case ASCII.backslash:
                out.append(ASCII.backslash)
                out.append(ASCII.backslash)
            case ASCII.newline:
                out.append(ASCII.backslash)
                out.append(UInt8(ascii: "n"))
            default: out.append(b)
            }
        }
    }

    /// Go's `strconv.FormatFloat(v, 'g', -1, 64)`, which Prometheus' text encoder and Telegraf's
    /// `fmt.Sprint` of a bucket bound use: the shortest round-trip digits, in exponent form
    /// (`1e+06`, `1.7560473e+07`, `1e-05`) when the decimal exponent is below -4 or at least 6.
    /// NaN and infinities are written `NaN`, `+Inf`, `-Inf` as the exposition format spells them.
    static func appendGoFloat(_ v: Double, to out: inout [UInt8]) {
        if v.isNaN {
            out.append(ascii: "NaN")
            return
        }
        if v.isInfinite {
            out.append(ascii: v < 0 ? "-Inf" : "+Inf")
            return
        }
        if v == 0 {
            if v.sign == .minus { out.append(ASCII.minus) }
            out.append(ASCII.zero)
            return
        }
        // Whole numbers below 1e6 print as integers in both notations.
        if v == v.rounded(.towardZero), abs(v) < 1e6 {
            NumberFormatting.append(Int64(v), to: &out)
            return
        }
        if v < 0 { out.append(ASCII.minus) }
        let (digits, exp) = NumberFormatting.shortestDigits(v)
        let x = exp - 1
        if x < -4 || x >= 6 {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(ASCII.dot)
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(x < 0 ? ASCII.minus : ASCII.plus)
            let mag = abs(x)
            if mag < 10 { out.append(ASCII.zero) }
            NumberFormatting.append(Int64(mag), to: &out)
        } else {
            NumberFormatting.layoutFixed(digits: digits, exponent: exp, into: &out)
        }
    }

    /// ``appendGoFloat(_:to:)`` as a String (bucket bounds and quantiles used as keys).
    static func goFloat(_ v: Double) -> String {
        var out: [UInt8] = []
        appendGoFloat(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A sample value as expfmt reads it: Go's `strconv.ParseFloat(s, 64)` without `p`, `P` or `_`
    /// (expfmt refuses those before calling it), so decimal numbers with an optional sign and exponent,
    /// `Inf`/`Infinity` with an optional sign and `NaN` (any case). nil for anything else and for a
    /// finite spelling that overflows.
    static func parseFloat(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        for c in bytes where c | 0x20 == UInt8(ascii: "p") || c == UInt8(ascii: "_") { return nil }
        return GoNumber.parseFloat(bytes).value
    }

    /// `name` ends with `suffix`, compared byte by byte (String.hasSuffix compares Characters).
    @inline(__always) static func hasSuffix(_ name: String, _ suffix: StaticString) -> Bool {
        let n = name.utf8.count
        let k = suffix.utf8CodeUnitCount
        if n < k { return false }
        return suffix.withUTF8Buffer { name.utf8.dropFirst(n - k).elementsEqual($0) }
    }

    /// Inserts `tag` keeping `tags` sorted by key (byte order); an existing key gets the new value.
    static func insertSorted(_ tag: Tag, into tags: inout [Tag]) {
        var i = tags.count
        while i > 0 {
            let k = tags[i - 1].key
            if k == tag.key {
                tags[i - 1].value = tag.value
                return
            }
            if k.utf8.lexicographicallyPrecedes(tag.key.utf8) { break }
            i -= 1
        }
        tags.insert(tag, at: i)
    }

    /// ``parseFloat(_:)`` on a String (a `le` or `quantile` tag from another format).
    static func parseFloat(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { parseFloat($0) }
    }
}
