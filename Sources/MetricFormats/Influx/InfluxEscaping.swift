/// Telegraf's line-protocol escaping, written straight into a line buffer.
///
/// - Measurement: `,` and space get a backslash; tab, LF, FF and CR become `\t` `\n` `\f` `\r`.
/// - Tag keys, tag values, field keys: the same, plus `=`.
/// - String field content: `"` and `\` get a backslash; everything else is raw.
/// - In a measurement or field key a backslash pairs with the next byte when read back, so one that
///   stands before a byte that gets escaped would swallow the escape: it is written as `_` (reported).
///   In field keys a backslash before `"` is read as escaping the quote (InfluxDB), and in tag keys
///   and values too when they hold a space, comma or `=` (Telegraf): it is written as `_` too.
enum InfluxEscaping {
    /// Per byte: 0 copied; bit 1 escaped in names and keys; bit 2 escaped in keys only;
    /// bit 4 written as a two-char sequence; bit 8 escaped in string content; bit 16 a backslash,
    /// looked at in measurements and field keys; bit 32 a backslash, looked at before `"` in keys.
    /// Written once at first use and only read after that.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        t[Int(ASCII.comma)] = 1
        t[Int(ASCII.space)] = 1
        t[Int(ASCII.equals)] = 2
        for b in [ASCII.tab, ASCII.newline, ASCII.formFeed, ASCII.cr] { t[Int(b)] = 1 | 4 }
        t[Int(ASCII.quote)] = 8
        t[Int(ASCII.backslash)] = 8 | 16 | 32
        return UnsafePointer(t)
    }()

    static let nameMask: UInt8 = 1 | 16
    static let keyMask: UInt8 = 1 | 2 | 32
    static let fieldKeyMask: UInt8 = 1 | 2 | 16 | 32
    static let stringMask: UInt8 = 8

    /// What escaping had to change beyond adding backslashes (``appendEscaped(_:_:to:)``).
    static let backslashReplaced: UInt8 = 1
    /// A tab, LF, FF or CR written as `\t` `\n` `\f` `\r`, which InfluxDB and the parser read back as
    /// two characters (a raw one would end the line or, with a tab, is not read as itself by every
    /// reader): Telegraf's way, reported.
    static let controlEscaped: UInt8 = 2

    @discardableResult
    static func appendName(_ s: String, to out: InfluxLineBuffer) -> UInt8 {
        append(s, nameMask, to: out)
    }

    @discardableResult
    static func appendKey(_ s: String, to out: InfluxLineBuffer) -> UInt8 {
        append(s, keyMask, to: out)
    }

    @discardableResult
    static func appendFieldKey(_ s: String, to out: InfluxLineBuffer) -> UInt8 {
        append(s, fieldKeyMask, to: out)
    }

    static func appendStringContent(_ s: String, to out: InfluxLineBuffer) {
        append(s, stringMask, to: out)
    }

    @inline(__always)
    @discardableResult
    static func append(_ s: String, _ mask: UInt8, to out: InfluxLineBuffer) -> UInt8 {
        if let changed = s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, mask, to: out) }) { return changed }
        var copy = s
        return copy.withUTF8 { appendEscaped($0, mask, to: out) }
    }

    /// Appends `bytes` escaped for `mask`; returns ``backslashReplaced`` and ``controlEscaped`` for
    /// what it had to change.
    @discardableResult
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, _ mask: UInt8, to out: InfluxLineBuffer) -> UInt8 {
        guard let p = bytes.baseAddress else { return 0 }
        let t = table
        let n = bytes.count
        var runStart = 0
        var changed: UInt8 = 0
        for k in 0..<n {
            let b = p[k]
            let action = t[Int(b)]
            if action & mask == 0 { continue }
            if action & mask & (16 | 32) != 0 {
                // A backslash: harmless unless the next byte gets escaped (or, in keys, is a quote).
                guard k + 1 < n,
                    (mask & 16 != 0 && t[Int(p[k + 1])] & mask & 7 != 0) || (p[k + 1] == ASCII.quote && quoteIsEscaped(bytes, mask))
                else { continue }
                if k > runStart { out.append(p + runStart, k - runStart) }
                out.append(UInt8(ascii: "_"))
                runStart = k + 1
                changed |= backslashReplaced
                continue
            }
            if k > runStart { out.append(p + runStart, k - runStart) }
            out.append(ASCII.backslash)
            if action & 4 == 0 || mask == stringMask {
                out.append(b)
            } else {
                changed |= controlEscaped
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
        return changed
    }

    /// Whether a reader takes `\"` in this key as an escaped quote: InfluxDB in every field key,
    /// Telegraf in a tag key or value only when it holds a space, comma or `=`.
    static func quoteIsEscaped(_ bytes: UnsafeBufferPointer<UInt8>, _ mask: UInt8) -> Bool {
        if mask == fieldKeyMask { return true }
        return bytes.contains { $0 == ASCII.space || $0 == ASCII.comma || $0 == ASCII.equals }
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
