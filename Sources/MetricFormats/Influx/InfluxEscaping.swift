/// Telegraf's line-protocol escaping, written straight into a line buffer.
///
/// - Measurement: `,` and space get a backslash; tab, LF, FF and CR become `\t` `\n` `\f` `\r`.
/// - Tag keys, tag values, field keys: the same, plus `=`.
/// - String field content: `"` and `\` get a backslash; everything else is raw.
enum InfluxEscaping {
    /// Per byte: 0 copied; bit 1 escaped in names and keys; bit 2 escaped in keys only;
    /// bit 4 written as a two-char sequence; bit 8 escaped in string content.
    /// Written once at first use and only read after that.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        t[Int(ASCII.comma)] = 1
        t[Int(ASCII.space)] = 1
        t[Int(ASCII.equals)] = 2
        for b in [ASCII.tab, ASCII.newline, ASCII.formFeed, ASCII.cr] { t[Int(b)] = 1 | 4 }
        t[Int(ASCII.quote)] = 8
        t[Int(ASCII.backslash)] = 8
        return UnsafePointer(t)
    }()

    static let nameMask: UInt8 = 1
    static let keyMask: UInt8 = 1 | 2
    static let stringMask: UInt8 = 8

    static func appendName(_ s: String, to out: InfluxLineBuffer) {
        append(s, nameMask, to: out)
    }

    static func appendKey(_ s: String, to out: InfluxLineBuffer) {
        append(s, keyMask, to: out)
    }

    static func appendStringContent(_ s: String, to out: InfluxLineBuffer) {
        append(s, stringMask, to: out)
    }

    @inline(__always)
    static func append(_ s: String, _ mask: UInt8, to out: InfluxLineBuffer) {
        if s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, mask, to: out) }) == nil {
            var copy = s
            copy.withUTF8 { appendEscaped($0, mask, to: out) }
        }
    }

    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, _ mask: UInt8, to out: InfluxLineBuffer) {
        guard let p = bytes.baseAddress else { return }
        let t = table
        let n = bytes.count
        var runStart = 0
        for k in 0..<n {
            let b = p[k]
            let action = t[Int(b)]
            if action & mask == 0 { continue }
            if k > runStart { out.append(p + runStart, k - runStart) }
            out.append(ASCII.backslash)
            if action & 4 == 0 || mask == stringMask {
                out.append(b)
            } else {
                switch b {
                case ASCII.tab: out.append(UInt8(ascii: "t"))
                case ASCII.newline: out.append(UInt8(ascii: "n"))
                case ASCII.formFeed: out.append(UInt8(ascii: "f"))
                default: out.append(UInt8(ascii: "r"))
                }
            }
            runStart = k + 1
        }
        if runStart < n { out.append(p + runStart, n - runStart) }
    }

    /// Removes every backslash at the end of `out[from...]` (tags cannot end with one); true if any.
    static func trimTrailingBackslashes(_ out: InfluxLineBuffer, from: Int) -> Bool {
        var trimmed = false
        while out.count > from, out.last == ASCII.backslash {
            out.removeLast()
            trimmed = true
        }
        return trimmed
    }

    /// In a measurement or field key a backslash pairs with the next byte, so an odd run of backslashes
    /// at the end would escape the separator: the run is removed; true if it was.
    static func trimOddTrailingBackslashes(_ out: InfluxLineBuffer, from: Int) -> Bool {
        var run = 0
        var k = out.count - 1
        while k >= from, out.base[k] == ASCII.backslash {
            run += 1
            k -= 1
        }
        if run % 2 == 0 { return false }
        out.removeLast(run)
        return true
    }
}
