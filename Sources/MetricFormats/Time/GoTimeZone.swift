/// The zone a layout without an offset is read in (`--json-timezone`): UTC, a fixed offset, or a
/// zone with transitions read from a TZif file (`/usr/share/zoneinfo/...`).
public struct GoTimeZone: Sendable, Equatable {
    /// Transition instants (seconds since the epoch, ascending) and the offset from each on.
    var transitions: [Int64] = []
    var offsets: [Int32] = []
    /// The offset before the first transition, or the fixed offset.
    var baseOffset: Int32 = 0

    public static let utc = GoTimeZone(baseOffset: 0)

    public static func fixed(seconds: Int32) -> GoTimeZone {
        GoTimeZone(baseOffset: seconds)
    }

    /// Reads a TZif file's transitions (version 1 data block, or the 64-bit block of version 2+).
    public init?(tzif data: [UInt8]) {
        func be32(_ p: Int) -> Int64? {
            guard p + 4 <= data.count else { return nil }
            return Int64(Int32(bitPattern: UInt32(data[p]) << 24 | UInt32(data[p + 1]) << 16 | UInt32(data[p + 2]) << 8 | UInt32(data[p + 3])))
        }
        func be64(_ p: Int) -> Int64? {
            guard let hi = be32(p), let lo = be32(p + 4) else { return nil }
            return hi << 32 | (lo & 0xFFFF_FFFF)
        }
        guard data.count >= 44, data[0] == 0x54, data[1] == 0x5A, data[2] == 0x69, data[3] == 0x66 else { return nil }
        func counts(_ h: Int) -> [Int]? {
            var c: [Int] = []
            for k in 0..<6 {
                guard let v = be32(h + 20 + 4 * k), v >= 0 else { return nil }
                c.append(Int(v))
            }
            return c  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
        }
        guard var c = counts(0) else { return nil }
        var h = 0
        var timeSize = 4
        if data[4] >= 0x32 {
            // Skip the version 1 block to the 64-bit one.
            h = 44 + c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]
            guard let c2 = counts(h) else { return nil }
            c = c2
            timeSize = 8
        }
        let timecnt = c[3]
        let typecnt = c[4]
        var p = h + 44
        var times: [Int64] = []
        for _ in 0..<timecnt {
            guard let t = timeSize == 8 ? be64(p) : be32(p) else { return nil }
            times.append(t)
            p += timeSize
        }
        var idx: [Int] = []
        for _ in 0..<timecnt {
            guard p < data.count else { return nil }
            idx.append(Int(data[p]))
            p += 1
        }
        var typeOffsets: [Int32] = []
        for _ in 0..<typecnt {
            guard let off = be32(p), p + 6 <= data.count else { return nil }
            typeOffsets.append(Int32(off))
            p += 6
        }
        guard !typeOffsets.isEmpty else { return nil }
        transitions = times
        offsets = idx.map { $0 < typeOffsets.count ? typeOffsets[$0] : typeOffsets[0] }
        baseOffset = typeOffsets[0]
    }

    init(baseOffset: Int32) {
        self.baseOffset = baseOffset
    }

    /// The offset in seconds in force at `utc` (seconds since the epoch).
    func offset(atUTC utc: Int64) -> Int64 {
        var lo = 0
        var hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid] <= utc { lo = mid + 1 } else { hi = mid }
        }
        return Int64(lo == 0 ? baseOffset : offsets[lo - 1])
    }

    /// The UTC instant of a local wall-clock time (seconds), as Go's `time.Date` resolves it.
    func utc(fromLocal local: Int64) -> Int64 {
        let o1 = offset(atUTC: local)
        var u = local - o1
        let o2 = offset(atUTC: u)
        if o2 != o1 { u = local - o2 }
        return u
    }
}
