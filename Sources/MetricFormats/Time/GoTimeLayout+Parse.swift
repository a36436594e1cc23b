extension GoTimeLayout {
    /// Reads `text` in this layout; a time without an offset is in `zone`. Nanoseconds since the
    /// epoch, or a message saying what did not match.
    public func parse(_ text: String, zone: GoTimeZone = .utc) -> Result<Int64, ParseError> {
        let v = Array(text.utf8)
        var i = 0
        var year: Int64 = 0
        var month = 1
        var day = 1
        var hour = 0
        var minute = 0
        var second = 0
        var nanos: Int64 = 0
        var pm: Bool? = nil
        var offset: Int64? = nil
        func fail(_ what: String) -> Result<Int64, ParseError> {
            .failure(ParseError(message: "cannot parse '\(text)' as \(what)"))
        }
        func number(min: Int, max: Int) -> Int64? {
            var n: Int64 = 0
            var k = 0
            while k < max, i < v.count, ASCII.isDigit(v[i]) {
                n = n * 10 + Int64(v[i] - ASCII.zero)
                i += 1
                k += 1
            }
            return k >= min ? n : nil
        }
        func word(_ names: [String], length: Int?) -> Int? {
            for (n, name) in names.enumerated() {
                let w = Array((length.map { String(name.prefix($0)) } ?? name).utf8)
                if i + w.count <= v.count, zip(v[i..<(i + w.count)], w).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
                    i += w.count
                    return n
                }
            }
            return nil
        }
        func fraction() {
            // Go accepts a fraction after seconds even when the layout has none.
            if i + 1 < v.count, v[i] == ASCII.dot || v[i] == ASCII.comma, ASCII.isDigit(v[i + 1]) {
                i += 1
                var scale: Int64 = 100_000_000
                while i < v.count, ASCII.isDigit(v[i]) {
                    nanos += Int64(v[i] - ASCII.zero) * scale
                    scale /= 10
                    i += 1
                }
            }
        }
        for (k, e) in elements.enumerated() {
            switch e {
            case .literal(let l):
                // Go lets spaces in the layout match runs of spaces.
                guard i + l.count <= v.count, Array(v[i..<(i + l.count)]) == l else { return fail("layout text '\(String(decoding: l, as: UTF8.self))'") }
                i += l.count
            case .year4:
                guard let n = number(min: 4, max: 4) else { return fail("year") }
                year = n
            case .year2:
                guard let n = number(min: 2, max: 2) else { return fail("year") }
                year = n >= 69 ? 1900 + n : 2000 + n
            case .month, .zeroMonth:
                guard let n = number(min: e == .zeroMonth ? 2 : 1, max: 2), (1...12).contains(n) else { return fail("month") }
                month = Int(n)
            case .monthShort:
                guard let n = word(Self.months, length: 3) else { return fail("month") }
                month = n + 1
            case .monthLong:
                guard let n = word(Self.months, length: nil) else { return fail("month") }
                month = n + 1
            case .day, .zeroDay, .underDay:
                if e == .underDay, i < v.count, v[i] == ASCII.space { i += 1 }
                guard let n = number(min: e == .zeroDay ? 2 : 1, max: 2), (1...31).contains(n) else { return fail("day") }
                day = Int(n)
            case .hour:
                guard let n = number(min: 2, max: 2), n < 24 else { return fail("hour") }
                hour = Int(n)
            case .hour12, .zeroHour12:
                guard let n = number(min: e == .zeroHour12 ? 2 : 1, max: 2), (1...12).contains(n) else { return fail("hour") }
                hour = Int(n)
            case .minute, .zeroMinute:
                guard let n = number(min: e == .zeroMinute ? 2 : 1, max: 2), n < 60 else { return fail("minute") }
                minute = Int(n)
            case .second, .zeroSecond:
                guard let n = number(min: e == .zeroSecond ? 2 : 1, max: 2), n < 60 else { return fail("second") }
                second = Int(n)
                if k + 1 >= elements.count
                    || !({
                        if case .fraction = elements[k + 1] { return true }
                        return false
                    }())
                {
                    fraction()
                }
            case .pmUpper, .pmLower:
                guard i + 2 <= v.count else { return fail("AM/PM") }
                let s = String(decoding: v[i..<(i + 2)], as: UTF8.self).uppercased()
                guard s == "AM" || s == "PM" else { return fail("AM/PM") }
                pm = s == "PM"
                i += 2
            case .weekdayShort: guard word(Self.weekdays, length: 3) != nil else { return fail("day of week") }
            case .weekdayLong: guard word(Self.weekdays, length: nil) != nil else { return fail("day of week") }
            case .zoneName:
                var j = i
                while j < v.count, v[j] >= UInt8(ascii: "A"), v[j] <= UInt8(ascii: "Z") { j += 1 }
                guard j - i >= 3 else { return fail("time zone") }
                let name = String(decoding: v[i..<j], as: UTF8.self)
                i = j
                // Go: UTC is UTC; an abbreviation it cannot resolve is taken as offset zero.
                if name == "UTC" || name == "GMT" { offset = 0 } else { offset = 0 }
            case .zone(let z, let colon, let hoursOnly):
                if z, i < v.count, v[i] == UInt8(ascii: "Z") {
                    i += 1
                    offset = 0
                    continue
                }
                guard i < v.count, v[i] == ASCII.plus || v[i] == ASCII.minus else { return fail("time zone offset") }
                let sign: Int64 = v[i] == ASCII.minus ? -1 : 1
                i += 1
                guard let h = number(min: 2, max: 2) else { return fail("time zone offset") }
                var m: Int64 = 0
                if !hoursOnly {
                    if colon {
                        guard i < v.count, v[i] == ASCII.colon else { return fail("time zone offset") }
                        i += 1
                    }
                    guard let mm = number(min: 2, max: 2) else { return fail("time zone offset") }
                    m = mm
                }
                offset = sign * (h * 3600 + m * 60)
            case .fraction(let digits, let trim, _):
                if i < v.count, v[i] == ASCII.dot || v[i] == ASCII.comma {
                    let start = i
                    fraction()
                    if !trim && i - start - 1 != digits { return fail("fractional second") }
                } else if !trim {
                    return fail("fractional second")
                }
            }
        }
        guard i == v.count else { return fail("layout (extra text '\(String(decoding: v[i...], as: UTF8.self))')") }
        if let pm {
            if pm && hour < 12 { hour += 12 } else if !pm && hour == 12 { hour = 0 }
        }
        let local = Self.days(year: year, month: month, day: day) * 86400 + Int64(hour * 3600 + minute * 60 + second)
        let utc = offset.map { local - $0 } ?? zone.utc(fromLocal: local)
        // Before 1970 as one second more and the fraction less, so that the first second Int64 holds
        // (1677-09-21T00:12:43.145224192Z) is reachable; the fraction can carry the last one of 2262
        // past Int64.
        let (r, o) = (utc < 0 ? utc + 1 : utc).multipliedReportingOverflow(by: 1_000_000_000)
        let (t, o2) = r.addingReportingOverflow(utc < 0 ? nanos - 1_000_000_000 : nanos)
        guard !o && !o2 else { return fail("a time in range") }
        return .success(t)
    }

    public struct ParseError: Error {
        public var message: String
    }
}
