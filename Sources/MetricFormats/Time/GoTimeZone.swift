/// The zone a layout without an offset is read in (`--json-timezone`): UTC, a fixed offset, or a
/// zone read from a TZif file (`/usr/share/zoneinfo/...`) with its transitions and, from version 2
/// on, its footer rule for the times after the last transition.
///
/// Lookups follow Go's `time` package: before the first transition the zone's first standard-time
/// type holds; from the last transition on the footer's POSIX TZ rule holds (``PosixTimeZoneRule``),
/// or the last transition's offset when the file has no rule; a file without transitions is its
/// rule, or its first type, at every instant.
public struct GoTimeZone: Sendable, Equatable {
    /// Transition instants (seconds since the epoch, ascending) and the offset from each on.
    var transitions: [Int64] = []
    var offsets: [Int32] = []
    /// The offset before the first transition, or the fixed offset.
    var baseOffset: Int32 = 0
    /// The footer rule, for the instants from the last transition on.
    var rule: PosixTimeZoneRule?

    public static let utc = GoTimeZone(baseOffset: 0)

    public static func fixed(seconds: Int32) -> GoTimeZone {
        GoTimeZone(baseOffset: seconds)
    }

    /// Reads a TZif file (RFC 8536): the version 1 data block, or the 64-bit block of version 2+ and
    /// the footer's TZ rule. Nil when the file is not TZif or is cut short or inconsistent.
    public init?(tzif data: [UInt8]) {
        func be32(_ p: Int) -> Int64? {
            guard p >= 0, p + 4 <= data.count else { return nil }
            return Int64(Int32(bitPattern: UInt32(data[p]) << 24 | UInt32(data[p + 1]) << 16 | UInt32(data[p + 2]) << 8 | UInt32(data[p + 3])))
        }
        func be64(_ p: Int) -> Int64? {
            guard let hi = be32(p), let lo = be32(p + 4) else { return nil }
            return hi << 32 | (lo & 0xFFFF_FFFF)
        }
        guard data.count >= 44, data[0] == 0x54, data[1] == 0x5A, data[2] == 0x69, data[3] == 0x66 else { return nil }
        /// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt of the header at `h`.
        func counts(_ h: Int) -> [Int]? {
            var c: [Int] = []
            for k in 0..<6 {
                // A count above 2^24 cannot fit in a file this reader takes whole; it also keeps the
                // block size below from overflowing.
                guard let v = be32(h + 20 + 4 * k), v >= 0, v < 1 << 24 else { return nil }
                c.append(Int(v))
            }
            return c
        }
        func blockSize(_ c: [Int], timeSize: Int) -> Int {
            44 + c[3] * (timeSize + 1) + c[4] * 6 + c[5] + c[2] * (timeSize + 4) + c[1] + c[0]
        }
        guard var c = counts(0) else { return nil }
        var h = 0
        var timeSize = 4
        if data[4] >= 0x32 {
            // Skip the version 1 block to the 64-bit one.
            h = blockSize(c, timeSize: 4)
            guard let c2 = counts(h) else { return nil }
            c = c2
            timeSize = 8
        }
        let timecnt = c[3]
        let typecnt = c[4]
        guard typecnt > 0, h + blockSize(c, timeSize: timeSize) <= data.count else { return nil }
        var p = h + 44
        var times: [Int64] = []
        for _ in 0..<timecnt {
            guard let t = timeSize == 8 ? be64(p) : be32(p) else { return nil }
            times.append(t)
            p += timeSize
        }
        var idx: [Int] = []
        for _ in 0..<timecnt {
            guard Int(data[p]) < typecnt else { return nil }
            idx.append(Int(data[p]))
            p += 1
        }
        var typeOffsets: [Int32] = []
        var typeIsDaylight: [Bool] = []
        for _ in 0..<typecnt {
            guard let off = be32(p) else { return nil }
            typeOffsets.append(Int32(off))
            typeIsDaylight.append(data[p + 4] != 0)
            p += 6
        }
        transitions = times
        offsets = idx.map { typeOffsets[$0] }
        baseOffset = typeOffsets[Self.firstType(transitionTypes: idx, isDaylight: typeIsDaylight)]
        // The footer: a newline, the TZ string, a newline, after the 64-bit block. An empty or
        // unreadable one leaves the last transition's offset in force, as Go does.
        let end = h + blockSize(c, timeSize: timeSize)
        if timeSize == 8, data.count - end > 2, data[end] == 0x0A, data[data.count - 1] == 0x0A {
            rule = PosixTimeZoneRule(String(decoding: data[(end + 1)..<(data.count - 1)], as: UTF8.self))
        }
    }

    init(baseOffset: Int32) {
        self.baseOffset = baseOffset
    }

    /// A zone whose POSIX TZ rule holds at every instant.
    public init(rule: PosixTimeZoneRule) {
        self.baseOffset = rule.standardOffset
        self.rule = rule
    }

    /// The type in force before the first transition, as tzcode (and Go) choose it: type 0 when no
    /// transition uses it; else, when the first transition is to daylight time, the nearest standard
    /// type before that one; else the first standard type; else type 0.
    static func firstType(transitionTypes: [Int], isDaylight: [Bool]) -> Int {
        guard transitionTypes.contains(0) else { return 0 }
        if let first = transitionTypes.first, isDaylight[first] {
            if let standard = (0..<first).reversed().first(where: { !isDaylight[$0] }) { return standard }
        }
        return isDaylight.firstIndex(of: false) ?? 0
    }

    /// The offset in seconds in force at `utc` (seconds since the epoch).
    func offset(atUTC utc: Int64) -> Int64 {
        if transitions.isEmpty { return rule?.offset(atUTC: utc) ?? Int64(baseOffset) }
        var lo = 0
        var hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid] <= utc { lo = mid + 1 } else { hi = mid }
        }
        if lo == 0 { return Int64(baseOffset) }
        if lo == transitions.count, let rule { return rule.offset(atUTC: utc) }
        return Int64(offsets[lo - 1])
    }

    /// The UTC instant of a local wall-clock time (seconds), as Go's `time.Date` resolves it: the
    /// offset in force at the wall-clock time read as UTC is tried first, and when the instant it
    /// gives has another offset, that one is used. So a time in a gap (spring forward) or an overlap
    /// (fall back) resolves by the zone's side of UTC: east of UTC (Berlin, Sydney) a gap time moves
    /// forward by the gap (02:30 is 03:30 daylight time) and an overlap time is the later, standard-
    /// time one; west of UTC (New York) a gap time moves back (02:30 is 01:30 standard time) and an
    /// overlap time is the earlier, daylight-time one.
    func utc(fromLocal local: Int64) -> Int64 {
        let o1 = offset(atUTC: local)
        var u = local - o1
        let o2 = offset(atUTC: u)
        if o2 != o1 { u = local - o2 }
        return u
    }
}
