/// A POSIX TZ rule such as `CET-1CEST,M3.5.0,M10.5.0/3`: what a TZif v2+ footer says holds after the
/// file's last transition (RFC 8536 section 3.3), with RFC 8536's extension of transition times to
/// -167...167 hours and quoted names such as `<+0330>`.
///
/// Grammar: `std offset [dst [offset] [,start[/time],end[/time]]]`; a rule day is `Jn` (1...365,
/// February 29 never counted), `n` (0...365, counted) or `Mm.w.d` (weekday `d`, 0 = Sunday, of week
/// `w` of month `m`, week 5 = the last). A dst without an offset is one hour ahead of std; a dst
/// without rules changes as tzcode and Go assume (`M3.2.0,M11.1.0`); a time left out is 02:00.
public struct PosixTimeZoneRule: Sendable, Equatable {
    /// Seconds east of UTC of standard time (the TZ string writes it west of UTC, sign reversed).
    public let standardOffset: Int32
    /// The daylight saving part, nil when the zone keeps one offset.
    public let daylight: Daylight?

    public struct Daylight: Sendable, Equatable {
        /// Seconds east of UTC while daylight saving time is in force.
        public let offset: Int32
        /// When daylight time starts (in local standard time) and ends (in local daylight time).
        public let start: Change
        public let end: Change
    }

    /// One yearly change: a day of the year and a local time of day on it.
    public struct Change: Sendable, Equatable {
        public enum Day: Sendable, Equatable {
            /// `Jn`: day 1...365, February 29 never counted.
            case julian(Int)
            /// `n`: day 0...365 counted from January 1, February 29 counted.
            case zeroBased(Int)
            /// `Mm.w.d`: weekday (0 = Sunday) of week 1...5 (5 = the last) of month 1...12.
            case monthWeekDay(month: Int, week: Int, weekday: Int)
        }
        public let day: Day
        /// Seconds after local midnight, -167...167 hours.
        public let time: Int32
    }

    /// Reads a TZ string; nil when it does not follow the grammar above.
    public init?(_ text: String) {
        var reader = Reader(bytes: Array(text.utf8))
        guard reader.name(), let std = reader.offset(maxHours: 24) else { return nil }
        standardOffset = -std
        if reader.atEnd || reader.peek == UInt8(ascii: ",") {
            // No daylight time; rules without a dst name are ignored, as Go does.
            daylight = nil
            return
        }
        guard reader.name() else { return nil }
        var dst = standardOffset + 3600
        if !reader.atEnd && reader.peek != UInt8(ascii: ",") {
            guard let d = reader.offset(maxHours: 24) else { return nil }
            dst = -d
        }
        let start: Change
        let end: Change
        if reader.atEnd {
            start = Change(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200)
            end = Change(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200)
        } else {
            guard reader.skip(UInt8(ascii: ",")), let s = reader.change(), reader.skip(UInt8(ascii: ",")), let e = reader.change(), reader.atEnd else { return nil }
            start = s
            end = e
        }
        daylight = Daylight(offset: dst, start: start, end: end)
    }

    /// The offset in seconds east of UTC in force at `utc` (seconds since the epoch).
    public func offset(atUTC utc: Int64) -> Int64 {
        guard let daylight else { return Int64(standardOffset) }
        // Beyond any calendar a zone file describes; keeps the year arithmetic far from overflow.
        let t = min(max(utc, -(1 << 56)), 1 << 56)
        let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let year = GoTimeLayout.civil(days: days).year
        // The changes of the year before, this year and the next, in UTC and in the order the rule
        // makes them; the latest one at or before `t` decides. A change at the same instant as an
        // earlier one counts as after it, so `0/0,J365/25` keeps daylight time all year (RFC 8536).
        var latest: (at: Int64, isDaylight: Bool)?
        var earliest: (at: Int64, isDaylight: Bool)?
        for y in (year - 1)...(year + 1) {
            let begins = daylight.start.utc(year: y, offset: Int64(standardOffset))
            let ends = daylight.end.utc(year: y, offset: Int64(daylight.offset))
            for change in [(at: begins, isDaylight: true), (at: ends, isDaylight: false)] {
                if change.at <= t, latest == nil || change.at >= latest!.at { latest = change }
                if earliest == nil || change.at < earliest!.at { earliest = change }
            }
        }
        let isDaylight = latest?.isDaylight ?? !(earliest?.isDaylight ?? false)
        return Int64(isDaylight ? daylight.offset : standardOffset)
    }

    /// Reads the pieces of a TZ string, left to right.
    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        var atEnd: Bool { i == bytes.count }
        var peek: UInt8 { bytes[i] }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard !atEnd, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        /// A zone name: three or more letters, or `<` three or more letters, digits, `+`, `-` `>`.
        mutating func name() -> Bool {
            func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
            if skip(UInt8(ascii: "<")) {
                let start = i
                while !atEnd, isLetter(peek) || (peek >= UInt8(ascii: "0") && peek <= UInt8(ascii: "9")) || peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") {
                    i += 1
                }
                return i - start >= 3 && skip(UInt8(ascii: ">"))
            }
            let start = i
            while !atEnd, isLetter(peek) { i += 1 }
            return i - start >= 3
        }

        /// A decimal number in `range`, or nil.
        mutating func number(_ range: ClosedRange<Int>) -> Int? {
            let start = i
            var n = 0
            while !atEnd, peek >= UInt8(ascii: "0"), peek <= UInt8(ascii: "9") {
                n = n * 10 + Int(peek - UInt8(ascii: "0"))
                guard n <= range.upperBound else { return nil }
                i += 1
            }
            return i > start && n >= range.lowerBound ? n : nil
        }

        /// `[+|-]hh[:mm[:ss]]` in seconds, hours at most `maxHours`.
        mutating func offset(maxHours: Int) -> Int32? {
            let negative = skip(UInt8(ascii: "-"))
            if !negative { _ = skip(UInt8(ascii: "+")) }
            guard let h = number(0...maxHours) else { return nil }
            var seconds = h * 3600
            if skip(UInt8(ascii: ":")) {
                guard let m = number(0...59) else { return nil }
                seconds += m * 60
                if skip(UInt8(ascii: ":")) {
                    guard let s = number(0...59) else { return nil }
                    seconds += s
                }
            }
            return Int32(negative ? -seconds : seconds)
        }

        /// `Jn`, `n` or `Mm.w.d`, then an optional `/time`.
        mutating func change() -> Change? {
            let day: Change.Day
            if skip(UInt8(ascii: "J")) {
                guard let n = number(1...365) else { return nil }
                day = .julian(n)
            } else if skip(UInt8(ascii: "M")) {
                guard let m = number(1...12), skip(UInt8(ascii: ".")), let w = number(1...5), skip(UInt8(ascii: ".")), let d = number(0...6) else { return nil }
                day = .monthWeekDay(month: m, week: w, weekday: d)
            } else {
                guard let n = number(0...365) else { return nil }
                day = .zeroBased(n)
            }
            var time: Int32 = 7200
            if skip(UInt8(ascii: "/")) {
                guard let t = offset(maxHours: 167) else { return nil }
                time = t
            }
            return Change(day: day, time: time)
        }
    }
}

extension PosixTimeZoneRule.Change {
    /// The UTC instant of this change in `year`, whose local time is `offset` seconds east of UTC.
    func utc(year: Int64, offset: Int64) -> Int64 {
        let jan1 = GoTimeLayout.days(year: year, month: 1, day: 1)
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        var day: Int64
        switch self.day {
        case .julian(let n):
            day = Int64(n - 1) + (isLeap && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            day = Int64(n)
        case .monthWeekDay(let month, let week, let weekday):
            let first = GoTimeLayout.days(year: year, month: month, day: 1)
            let nextMonth = month == 12 ? GoTimeLayout.days(year: year + 1, month: 1, day: 1) : GoTimeLayout.days(year: year, month: month + 1, day: 1)
            // 1970-01-01 was a Thursday (4).
            let firstWeekday = ((first % 7) + 7 + 4) % 7
            var d = first + (Int64(weekday) - firstWeekday + 7) % 7 + 7 * Int64(week - 1)
            while d >= nextMonth { d -= 7 }
            day = d - jan1
        }
        return (jan1 + day) * 86400 + Int64(time) - offset
    }
}
