/// A Go reference-time layout (`2006-01-02T15:04:05Z07:00`, `02/01/06 03:04:05 PM`, `200601021504`)
/// compiled once, and a parser of timestamps written in it, as Go's `time.Parse` reads them in UTC.
///
/// Supported elements: `2006 06 01 1 Jan January 02 2 _2 Mon Monday 15 03 3 04 4 05 5 PM pm`,
/// fractions `.000`/`.999` (also with `,`), and zones `MST -0700 -07:00 -07 Z0700 Z07:00 Z07`.
/// Fractional seconds after `05` are accepted even when the layout has none, as in Go.
public struct GoTimeLayout: Sendable, Equatable {
    enum Element: Sendable, Equatable {
        case literal(UInt8)
        case year4, year2, month2, month1, monthShort, monthLong
        case day2, day1, dayPadded, weekdayShort, weekdayLong
        case hour24, hour12Padded, hour12, minute2, minute1, second2, second1
        /// `.000` (exact digit count) or `.999` (optional, any count).
        case fraction(digits: Int, optional: Bool)
        case pmUpper, pmLower
        /// Zone offset: `colon` `-07:00`, `hoursOnly` `-07`; `z` accepts a bare `Z` for UTC.
        case offset(colon: Bool, hoursOnly: Bool, z: Bool)
        case zoneName
    }

    let elements: [Element]
    public let text: String

    /// Compiles a layout; nil when it holds no date or time element at all.
    public init?(_ layout: String) {
        text = layout
        let b = Array(layout.utf8)
        var out: [Element] = []
        var i = 0
        func has(_ s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= b.count && Array(b[i..<(i + u.count)]) == u
        }
        while i < b.count {
            let table: [(String, Element)] = [
                ("January", .monthLong), ("Jan", .monthShort), ("Monday", .weekdayLong), ("Mon", .weekdayShort),
                ("MST", .zoneName), ("2006", .year4), ("Z07:00", .offset(colon: true, hoursOnly: false, z: true)),
                ("Z0700", .offset(colon: false, hoursOnly: false, z: true)), ("Z07", .offset(colon: false, hoursOnly: true, z: true)),
                ("-07:00", .offset(colon: true, hoursOnly: false, z: false)), ("-0700", .offset(colon: false, hoursOnly: false, z: false)),
                ("-07", .offset(colon: false, hoursOnly: true, z: false)), ("01", .month2), ("02", .day2), ("03", .hour12Padded),
                ("04", .minute2), ("05", .second2), ("06", .year2), ("15", .hour24), ("_2", .dayPadded), ("PM", .pmUpper),
                ("pm", .pmLower), ("1", .month1), ("2", .day1), ("3", .hour12), ("4", .minute1), ("5", .second1),
            ]
            if (b[i] == ASCII.dot || b[i] == ASCII.comma), i + 1 < b.count, b[i + 1] == ASCII.zero || b[i + 1] == UInt8(ascii: "9") {
                let digit = b[i + 1]
                var j = i + 1
                while j < b.count, b[j] == digit { j += 1 }
                if j == b.count || !ASCII.isDigit(b[j]) {
                    out.append(.fraction(digits: j - i - 1, optional: digit == UInt8(ascii: "9")))
                    i = j
                    continue
                }
            }
            if let (s, e) = table.first(where: { has($0.0) }) {
                out.append(e)
                i += s.utf8.count
            } else {
                out.append(.literal(b[i]))
                i += 1
            }
        }
        guard out.contains(where: { if case .literal = $0 { return false } else { return true } }) else { return nil }
        elements = out
    }

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Nanoseconds since the epoch of `value` read with this layout; nil when it does not match.
    public func parse(_ value: String) -> Int64? {
        let v = Array(value.utf8)
        var i = 0
        var year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0, offset = 0
        var pm: Bool? = nil
        var hour12 = false

        func number(_ minDigits: Int, _ maxDigits: Int) -> Int? {
            var n = 0
            var k = 0
            while k < maxDigits, i < v.count, ASCII.isDigit(v[i]) {
                n = n * 10 + Int(v[i] - ASCII.zero)
                i += 1
                k += 1
            }
            return k >= minDigits ? n : nil
        }
        func word(_ names: [String], short: Bool) -> Int? {
            for (k, name) in names.enumerated() {
                let w = Array((short ? String(name.prefix(3)) : name).utf8)
                if i + w.count <= v.count, zip(v[i..<(i + w.count)], w).allSatisfy({ lower($0) == lower($1) }) {
                    i += w.count
                    return k
                }
            }
            return nil
        }
        func fraction(_ digits: Int, _ optional: Bool) -> Bool {
            guard i < v.count, v[i] == ASCII.dot || v[i] == ASCII.comma else { return optional }
            let start = i
            i += 1
            var n = 0
            var k = 0
            while i < v.count, ASCII.isDigit(v[i]) {
                if k < 9 { n = n * 10 + Int(v[i] - ASCII.zero) }
                k += 1
                i += 1
            }
            if !optional && k != digits { return false }
            if k == 0 {
                i = start
                return optional
            }
            for _ in min(k, 9)..<9 { n *= 10 }
            nanos = n
            return true
        }

        for (index, e) in elements.enumerated() {
            switch e {
            case .literal(let c):
                guard i < v.count, v[i] == c else { return nil }
                i += 1
            case .year4: guard let n = number(4, 4) else { return nil }; year = n
            case .year2: guard let n = number(2, 2) else { return nil }; year = n >= 69 ? 1900 + n : 2000 + n
            case .month2: guard let n = number(2, 2) else { return nil }; month = n
            case .month1: guard let n = number(1, 2) else { return nil }; month = n
            case .monthShort: guard let n = word(Self.months, short: true) else { return nil }; month = n + 1
            case .monthLong: guard let n = word(Self.months, short: false) else { return nil }; month = n + 1
            case .day2: guard let n = number(2, 2) else { return nil }; day = n
            case .day1: guard let n = number(1, 2) else { return nil }; day = n
            case .dayPadded:
                if i < v.count, v[i] == ASCII.space { i += 1 }
                guard let n = number(1, 2) else { return nil }
                day = n
            case .weekdayShort: guard word(Self.weekdays, short: true) != nil else { return nil }
            case .weekdayLong: guard word(Self.weekdays, short: false) != nil else { return nil }
            case .hour24: guard let n = number(1, 2) else { return nil }; hour = n
            case .hour12Padded: guard let n = number(2, 2) else { return nil }; hour = n; hour12 = true
            case .hour12: guard let n = number(1, 2) else { return nil }; hour = n; hour12 = true
            case .minute2: guard let n = number(2, 2) else { return nil }; minute = n
            case .minute1: guard let n = number(1, 2) else { return nil }; minute = n
            case .second2, .second1:
                guard let n = e == .second2 ? number(2, 2) : number(1, 2) else { return nil }
                second = n
                // Go reads a fraction after the seconds even when the layout does not ask for one.
                let next = index + 1 < elements.count ? elements[index + 1] : nil
                if case .fraction = next {} else if i + 1 < v.count, v[i] == ASCII.dot, ASCII.isDigit(v[i + 1]) {
                    _ = fraction(0, true)
                }
            case .fraction(let digits, let optional):
                guard fraction(digits, optional) else { return nil }
            case .pmUpper, .pmLower:
                guard i + 2 <= v.count else { return nil }
                let s = String(decoding: v[i..<(i + 2)], as: UTF8.self)
                let (p, a) = e == .pmUpper ? ("PM", "AM") : ("pm", "am")
                if s == p { pm = true } else if s == a { pm = false } else { return nil }
                i += 2
            case .offset(let colon, let hoursOnly, let z):
                if z, i < v.count, v[i] == UInt8(ascii: "Z") {
                    i += 1
                    offset = 0
                    break
                }
                guard i < v.count, v[i] == ASCII.plus || v[i] == ASCII.minus else { return nil }
                let sign = v[i] == ASCII.minus ? -1 : 1
                i += 1
                guard let h = number(2, 2) else { return nil }
                var m = 0
                if !hoursOnly {
                    if colon {
                        guard i < v.count, v[i] == ASCII.colon else { return nil }
                        i += 1
                    }
                    guard let mm = number(2, 2) else { return nil }
                    m = mm
                }
                offset = sign * (h * 3600 + m * 60)
            case .zoneName:
                // An abbreviation: UTC, GMT or any other run of capitals, taken as UTC (Go does the same
                // for abbreviations it does not know).
                let start = i
                while i < v.count, v[i] >= UInt8(ascii: "A"), v[i] <= UInt8(ascii: "Z") { i += 1 }
                guard i - start >= 3 else { return nil }
            }
        }
        guard i == v.count else { return nil }
        if hour12 {
            guard hour >= 1 && hour <= 12 else { return nil }
            if pm == true && hour < 12 { hour += 12 }
            if pm == false && hour == 12 { hour = 0 }
        } else if pm != nil, hour > 12 {
            return nil
        } else if pm == true, hour < 12 {
            hour += 12
        }
        guard month >= 1, month <= 12, day >= 1, day <= Self.daysIn(month, year), hour < 24, minute < 60, second < 60 else { return nil }
        let days = Self.daysFromCivil(year, month, day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        let (ns, o) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if o { return nil }
        return ns + Int64(nanos)
    }

    @inline(__always) private func lower(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 32 : c
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
