/// Go's `strconv.ParseBool` and Telegraf's Unix timestamp reading on field text, as Telegraf's CSV
/// parser uses them (numbers go through ``GoNumber``).
enum GoStrconv {
    /// `1 t T TRUE true True 0 f F FALSE false False`.
    static func parseBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }

    /// A Unix time with an optional fraction (`1551129661.954561233`) in `unit` nanoseconds per unit,
    /// the fraction truncated to nanoseconds.
    static func parseUnix(_ s: String, unit: Int64) -> Int64? {
        var u = Array(s.utf8)[...]
        var negative = false
        if u.first == ASCII.plus || u.first == ASCII.minus {
            negative = u.first == ASCII.minus
            u = u.dropFirst()
        }
        let dot = u.firstIndex(of: ASCII.dot)
        let intPart = dot.map { u[..<$0] } ?? u
        let fracPart = dot.map { u[($0 + 1)...] } ?? []
        guard !intPart.isEmpty || !fracPart.isEmpty else { return nil }
        var whole: Int64 = 0
        for c in intPart {
            guard ASCII.isDigit(c) else { return nil }
            let (m, o1) = whole.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - ASCII.zero))
            if o1 || o2 { return nil }
            whole = a
        }
        // The fraction to 18 digits is enough for nanoseconds of any unit down to 1 ns.
        var frac: Int64 = 0
        var k = 0
        for c in fracPart {
            guard ASCII.isDigit(c) else { return nil }
            if k < 18 {
                frac = frac * 10 + Int64(c - ASCII.zero)
                k += 1
            }
        }
        var fracNs: Int64 = 0
        if k > 0 {
            // frac / 10^k units = frac × unit / 10^k ns; unit <= 1e9 and frac < 1e18: use 128 bits.
            var p: Int128 = 1
            for _ in 0..<k { p *= 10 }
            fracNs = Int64(Int128(frac) * Int128(unit) / p)
        }
        let (ns, o1) = whole.multipliedReportingOverflow(by: unit)
        let (total, o2) = ns.addingReportingOverflow(fracNs)
        if o1 || o2 { return nil }
        return negative ? -total : total
    }
}
