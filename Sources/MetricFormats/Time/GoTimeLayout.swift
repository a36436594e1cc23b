/// A Go time layout (`2006-01-02T15:04:05Z07:00`), for writing timestamps as text and reading them.
///
/// Supported elements: `2006 06 01 1 Jan January 02 2 _2 15 03 3 04 4 05 5 PM pm Mon Monday MST`,
/// zones `Z07:00 Z0700 Z07 -07:00 -0700 -07`, fractions `.000`/`.999` (also with `,`), and Go's named
/// layouts (`RFC3339`, `RFC3339Nano`, `ANSIC`, `RFC1123`, ...). Everything else is literal text.
public struct GoTimeLayout: Sendable, Equatable {
    enum Element: Sendable, Equatable {
        case literal([UInt8])
        case year4, year2, month, zeroMonth, monthShort, monthLong
        case day, zeroDay, underDay, hour, hour12, zeroHour12, minute, zeroMinute, second, zeroSecond
        case pmUpper, pmLower, weekdayShort, weekdayLong, zoneName
        /// `Z` = write `Z` for UTC; `colon` = `-07:00`; `hoursOnly` = `-07`.
        case zone(z: Bool, colon: Bool, hoursOnly: Bool)
        /// Fraction of a second: `digits` places; `trim` for `9`s (trailing zeros dropped).
        case fraction(digits: Int, trim: Bool, separator: UInt8)
    }

    static let named: [String: String] = [
        "ANSIC": "Mon Jan _2 15:04:05 2006", "UnixDate": "Mon Jan _2 15:04:05 MST 2006",
        "RubyDate": "Mon Jan 02 15:04:05 -0700 2006", "RFC822": "02 Jan 06 15:04 MST",
        "RFC822Z": "02 Jan 06 15:04 -0700", "RFC850": "Monday, 02-Jan-06 15:04:05 MST",
        "RFC1123": "Mon, 02 Jan 2006 15:04:05 MST", "RFC1123Z": "Mon, 02 Jan 2006 15:04:05 -0700",
        "RFC3339": "2006-01-02T15:04:05Z07:00", "RFC3339Nano": "2006-01-02T15:04:05.999999999Z07:00",
        "Kitchen": "3:04PM", "Stamp": "Jan _2 15:04:05", "StampMilli": "Jan _2 15:04:05.000",
        "StampMicro": "Jan _2 15:04:05.000000", "StampNano": "Jan _2 15:04:05.000000000",
        "DateTime": "2006-01-02 15:04:05", "DateOnly": "2006-01-02", "TimeOnly": "15:04:05",
    ]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    let elements: [Element]
    /// The layout as given (a Go layout or a name such as `RFC3339`).
    public let text: String

    public init(_ text: String) {
        self.text = text
        let l = Array((Self.named[text] ?? text).utf8)
        var out: [Element] = []
        var lit: [UInt8] = []
        var i = 0
        func has(_ s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= l.count && Array(l[i..<(i + u.count)]) == u
        }
        // Longest first, as Go's nextStdChunk tries them.
        let table: [(String, Element)] = [
            ("January", .monthLong), ("Jan", .monthShort), ("Monday", .weekdayLong), ("Mon", .weekdayShort),
            ("MST", .zoneName), ("2006", .year4), ("01", .zeroMonth), ("02", .zeroDay), ("03", .zeroHour12),
            ("04", .zeroMinute), ("05", .zeroSecond), ("06", .year2), ("15", .hour), ("_2", .underDay),
            ("Z07:00", .zone(z: true, colon: true, hoursOnly: false)), ("Z0700", .zone(z: true, colon: false, hoursOnly: false)),
            ("Z07", .zone(z: true, colon: false, hoursOnly: true)),
            ("-07:00", .zone(z: false, colon: true, hoursOnly: false)), ("-0700", .zone(z: false, colon: false, hoursOnly: false)),
            ("-07", .zone(z: false, colon: false, hoursOnly: true)),
            ("PM", .pmUpper), ("pm", .pmLower), ("1", .month), ("2", .day), ("3", .hour12), ("4", .minute), ("5", .second),
        ]
        outer: while i < l.count {
            let c = l[i]
            if c == ASCII.dot || c == ASCII.comma, i + 1 < l.count, l[i + 1] == ASCII.zero || l[i + 1] == UInt8(ascii: "9") {
                let d = l[i + 1]
                var j = i + 1
                while j < l.count && l[j] == d { j += 1 }
                if !(j < l.count && ASCII.isDigit(l[j])) {
                    if !lit.isEmpty {
                        out.append(.literal(lit))
                        lit = []
                    }
                    out.append(.fraction(digits: j - i - 1, trim: d == UInt8(ascii: "9"), separator: c))
                    i = j
                    continue
                }
            }
            for (token, element) in table where has(token) {
                // "Jan" must not be the start of a longer lowercase word, as Go checks for "Mon"/"Jan".
                if !lit.isEmpty {
                    out.append(.literal(lit))
                    lit = []
                }
                out.append(element)
                i += token.utf8.count
                continue outer
            }
            lit.append(c)
            i += 1
        }
        if !lit.isEmpty { out.append(.literal(lit)) }
        elements = out
    }

    // MARK: civil time

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Year, month, day of days since 1970-01-01.
    static func civil(days z0: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    // MARK: format

    /// Appends the UTC time of `ns` (nanoseconds since the epoch) in this layout.
    public func format(nanoseconds ns: Int64, into out: inout [UInt8]) {
        var secs = ns / 1_000_000_000
        var nanos = ns % 1_000_000_000
        if nanos < 0 {
            nanos += 1_000_000_000
            secs -= 1
        }
        var days = secs / 86400
        var sod = secs % 86400
        if sod < 0 {
            sod += 86400
            days -= 1
        }
        let (year, month, day) = Self.civil(days: days)
        let hour = Int(sod / 3600)
        let minute = Int(sod % 3600 / 60)
        let second = Int(sod % 60)
        func pad(_ v: Int64, _ width: Int, _ fill: UInt8 = ASCII.zero) {
            var digits: [UInt8] = []
            NumberFormatting.append(v < 0 ? -v : v, to: &digits)
            if v < 0 { out.append(ASCII.minus) }
            if digits.count < width { for _ in 0..<(width - digits.count) { out.append(fill) } }
            out.append(contentsOf: digits)
        }
        for e in elements {
            switch e {
            case .literal(let l): out.append(contentsOf: l)
            case .year4: pad(year, 4)
            case .year2: pad(((year % 100) + 100) % 100, 2)
            case .month: pad(Int64(month), 1)
            case .zeroMonth: pad(Int64(month), 2)
            case .monthShort: out.append(contentsOf: Self.months[month - 1].utf8.prefix(3))
            case .monthLong: out.append(contentsOf: Self.months[month - 1].utf8)
            case .day: pad(Int64(day), 1)
            case .zeroDay: pad(Int64(day), 2)
            case .underDay: pad(Int64(day), 2, ASCII.space)
            case .hour: pad(Int64(hour), 2)
            case .hour12: pad(Int64(hour % 12 == 0 ? 12 : hour % 12), 1)
            case .zeroHour12: pad(Int64(hour % 12 == 0 ? 12 : hour % 12), 2)
            case .minute: pad(Int64(minute), 1)
            case .zeroMinute: pad(Int64(minute), 2)
            case .second: pad(Int64(second), 1)
            case .zeroSecond: pad(Int64(second), 2)
            case .pmUpper: out.append(ascii: hour >= 12 ? "PM" : "AM")
            case .pmLower: out.append(ascii: hour >= 12 ? "pm" : "am")
            case .weekdayShort, .weekdayLong:
                let w = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday
                let name = Self.weekdays[w]
                out.append(contentsOf: e == .weekdayShort ? Array(name.utf8.prefix(3)) : Array(name.utf8))
            case .zoneName: out.append(ascii: "UTC")
            case .zone(let z, let colon, let hoursOnly):
                if z {
                    out.append(UInt8(ascii: "Z"))
                } else {
                    out.append(ASCII.plus)
                    out.append(contentsOf: [ASCII.zero, ASCII.zero])
                    if !hoursOnly {
                        if colon { out.append(ASCII.colon) }
                        out.append(contentsOf: [ASCII.zero, ASCII.zero])
                    }
                }
            case .fraction(let digits, let trim, let sep):
                // The nine digits of the nanoseconds, cut to the layout's places.
                var nine = [UInt8](repeating: ASCII.zero, count: 9)
                var rest = nanos
                for k in stride(from: 8, through: 0, by: -1) {
                    nine[k] = ASCII.zero + UInt8(rest % 10)
                    rest /= 10
                }
                var text = nine.prefix(min(digits, 9))
                if trim {
                    while let last = text.last, last == ASCII.zero { text.removeLast() }
                    if text.isEmpty { continue }
                }
                out.append(sep)
                out.append(contentsOf: text)
            }
        }
    }

    /// False for a layout that is all literal text (no date or time element): it cannot read a time.
    public var hasTimeElements: Bool {
        elements.contains { if case .literal = $0 { return false } else { return true } }
    }
}
