import Foundation
import Testing

@testable import MetricFormats

/// Time zones read from TZif files, past their last transition too (the footer's POSIX TZ rule),
/// checked against what glibc's `date` says for the same zone at the same instants.
@Suite struct GoTimeZoneTests {
    typealias Change = PosixTimeZoneRule.Change

    // MARK: the TZ rule grammar

    @Test func ruleGrammarReadsEveryPartOfATZString() throws {
        let cet = try #require(PosixTimeZoneRule("CET-1CEST,M3.5.0,M10.5.0/3"))
        #expect(cet.standardOffset == 3600)
        #expect(cet.daylight?.offset == 7200)
        #expect(cet.daylight?.start == Change(day: .monthWeekDay(month: 3, week: 5, weekday: 0), time: 7200))
        #expect(cet.daylight?.end == Change(day: .monthWeekDay(month: 10, week: 5, weekday: 0), time: 10800))
        let tehran = try #require(PosixTimeZoneRule("<+0330>-3:30<+0430>,J79/24,J263/24"))
        #expect(tehran.standardOffset == 12600)
        #expect(tehran.daylight?.offset == 16200)
        #expect(tehran.daylight?.start == Change(day: .julian(79), time: 86400))
        // No rules after the daylight name: tzcode's and Go's default, the US rules at 02:00.
        let est = try #require(PosixTimeZoneRule("EST5EDT"))
        #expect(est.standardOffset == -18000)
        #expect(est.daylight?.offset == -14400)
        #expect(est.daylight?.end == Change(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200))
        let ist = try #require(PosixTimeZoneRule("IST-5:30"))
        #expect(ist.standardOffset == 19800)
        #expect(ist.daylight == nil)
        #expect(PosixTimeZoneRule("<-03>3")?.standardOffset == -10800)
        #expect(PosixTimeZoneRule("<+00>0:00:30")?.standardOffset == -30)
        // RFC 8536: transition hours from -167 to 167, zero-based days.
        let extended = try #require(PosixTimeZoneRule("<-02>+2<-01>,M3.5.0/-167,0/167:59:59"))
        #expect(extended.daylight?.start.time == Int32(-601_200))
        #expect(extended.daylight?.end == Change(day: .zeroBased(0), time: 167 * 3600 + 59 * 60 + 59))
    }

    @Test(arguments: [
        "", "CE-1", "CET", "CET-", "CET-25", "<AB>1", "<A?C>1", "CET-1CEST,M3.5.0", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J365", "CET-1CEST,366,0", "CET-1CEST,M3.5.0/168,M10.5.0", "CET-1CEST,M3.5.0,M10.5.0x", "CET-1:60",
        "CET-1CEST-2:00:60,M3.5.0,M10.5.0", "CET-1CEST;M3.5.0,M10.5.0",
    ])
    func ruleGrammarRejects(_ text: String) {
        #expect(PosixTimeZoneRule(text) == nil, "\(text)")
    }

    /// Rules of every kind, each against glibc reading the same TZ string, 1970-2100.
    @Test(arguments: [
        "CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0", "AEST-10AEDT,M10.1.0,M4.1.0/3", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
        "IST-1GMT0,M10.5.0,M3.5.0/1", "<+0330>-3:30<+0430>,J79/24,J263/24", "NZST-12NZDT,M9.5.0,M4.1.0/3", "AAA3BBB,59/1:30,J300/-1",
        "<-02>2<-01>,M3.5.0/-2,M10.5.0/-1", "<-01>1<+00>0,M3.5.0/0,M10.5.0/1", "XXX3YYY,M3.5.0/-47,M10.5.0/49", "IST-2IDT,M3.4.4/26,M10.5.0",
        "EET-2EEST,M4.5.5/0,M10.5.4/24", "<-04>4<-03>,M9.1.6/24,M4.1.6/24", "IST-5:30", "<-03>3",
    ])
    func ruleAgreesWithGlibc(_ tz: String) throws {
        let rule = try #require(PosixTimeZoneRule(tz))
        let zone = GoTimeZone(rule: rule)
        let instants = Self.instants(around: zone)
        let expected = try Self.glibcOffsets(tz: tz, instants)
        Self.expectSame(zone, instants, expected, tz)
    }

    /// RFC 8536's example of daylight time all year: the end (December 31 25:00 daylight time) is
    /// the instant of the next start (January 1 00:00 standard time), so daylight time never ends.
    /// glibc does not apply this case; tzcode and the RFC do.
    @Test func ruleWithDaylightTimeAllYear() throws {
        let zone = GoTimeZone(rule: try #require(PosixTimeZoneRule("EST5EDT,0/0,J365/25")))
        for t in stride(from: Int64(0), through: 4_102_444_800, by: 86_400 * 7 + 3_613) {
            #expect(zone.offset(atUTC: t) == -14400, "\(t)")
        }
        #expect(zone.offset(atUTC: 2_240_524_800) == -14400)  // 2041-01-01T00:00:00Z, at the change
    }

    /// A change within hours of the new year is taken in its local year, as POSIX defines the rule.
    /// glibc and Go take the year of the UTC instant and so miss a change that falls in the other
    /// UTC year (no zone of the tz database has one).
    @Test func aChangeNearTheNewYearIsInItsLocalYear() throws {
        let zone = GoTimeZone(rule: try #require(PosixTimeZoneRule("<+13>-13<+14>,J1/0:30,J59/23:59:59")))
        let jan1 = GoTimeLayout.days(year: 2041, month: 1, day: 1) * 86400
        #expect(zone.offset(atUTC: jan1 - 13 * 3600 + 1800 - 1) == 13 * 3600)  // 2041-01-01 00:29:59 local, 2040-12-31 11:29:59Z
        #expect(zone.offset(atUTC: jan1 - 13 * 3600 + 1800) == 14 * 3600)  // 00:30 local becomes 01:30
        #expect(zone.offset(atUTC: jan1 + 3600) == 14 * 3600)
        let march1 = GoTimeLayout.days(year: 2041, month: 3, day: 1) * 86400
        #expect(zone.offset(atUTC: march1 - 14 * 3600 - 2) == 14 * 3600)  // 2041-02-28 23:59:58 local
        #expect(zone.offset(atUTC: march1 - 14 * 3600 - 1) == 13 * 3600)  // 23:59:59 becomes 22:59:59
    }

    // MARK: TZif files built here

    /// A version 2 file with four transitions and the footer: before the last one the transitions
    /// decide, from it on the rule, in glibc as here.
    @Test func fewTransitionsAndAFooter() throws {
        let cetFooter = "CET-1CEST,M3.5.0,M10.5.0/3"
        let file = Self.tzif(
            types: [(3208, false), (3600, false), (7200, true)],
            transitions: [(-2_422_054_408, 1), (954_032_400, 2), (972_781_200, 1), (985_482_000, 2)],  // 1893, 2000-03-26, 2000-10-29, 2001-03-25
            footer: cetFooter)
        let zone = try #require(GoTimeZone(tzif: file))
        #expect(zone.rule == PosixTimeZoneRule(cetFooter))
        let instants = Self.instants(around: zone)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tzif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("Zone").path
        try Data(file).write(to: URL(fileURLWithPath: path))
        Self.expectSame(zone, instants, try Self.glibcOffsets(tz: ":" + path, instants), "few transitions")
        #expect(zone.offset(atUTC: 2_224_000_000) == 7200)  // 2040-06-22, only the footer knows
        #expect(zone.offset(atUTC: 2_240_524_800) == 3600)  // 2041-01-01
    }

    /// A file without transitions is its footer at every instant, as in Go (glibc takes its first type).
    @Test func noTransitionsMeansTheFooterEverywhere() throws {
        let file = Self.tzif(types: [(7200, false)], transitions: [], footer: "CET-1CEST,M3.5.0,M10.5.0/3")
        let zone = try #require(GoTimeZone(tzif: file))
        #expect(zone.offset(atUTC: 1_000_000_000) == 7200)  // 2001-09-09, summer
        #expect(zone.offset(atUTC: 1_010_000_000) == 3600)  // 2002-01-02, winter
        #expect(zone.offset(atUTC: -1_010_000_000) == 3600)  // 1937-12-30, winter
    }

    /// An empty footer, no footer (version 1) or an unreadable one leaves the last transition in force.
    @Test(arguments: [("", "2"), (nil, "1"), ("CET-1CEST,M3.5.0", "2")] as [(String?, String)])
    func withoutARuleTheLastTransitionHolds(_ footer: String?, _ version: String) throws {
        let file = Self.tzif(types: [(3600, false), (7200, true)], transitions: [(954_032_400, 1), (972_781_200, 0)], footer: footer, version: version)
        let zone = try #require(GoTimeZone(tzif: file))
        #expect(zone.rule == nil)
        #expect(zone.offset(atUTC: 960_000_000) == 7200)
        #expect(zone.offset(atUTC: 2_224_000_000) == 3600)
    }

    /// Before the first transition: the first type when no transition uses it, else the standard
    /// type nearest before the first transition's daylight type (tzcode's and Go's choice).
    @Test func beforeTheFirstTransition() throws {
        let unused = Self.tzif(types: [(-3600, false), (3600, false), (7200, true)], transitions: [(0, 2), (100, 1)], footer: "")
        #expect(GoTimeZone(tzif: unused)?.offset(atUTC: -5) == -3600)
        let daylightFirst = Self.tzif(types: [(7200, true), (3600, false), (10800, true)], transitions: [(0, 2), (100, 0)], footer: "")
        #expect(GoTimeZone(tzif: daylightFirst)?.offset(atUTC: -5) == 3600)
    }

    @Test func aShortOrInconsistentFileIsNoZone() throws {
        let good = Self.tzif(types: [(3600, false)], transitions: [(0, 0)], footer: "CET-1")
        #expect(GoTimeZone(tzif: good) != nil)
        #expect(GoTimeZone(tzif: Array(good.prefix(80))) == nil)
        var badIndex = good
        badIndex[54 + 44 + 8] = 1  // the 64-bit block's one transition names type 1 of 1
        #expect(GoTimeZone(tzif: badIndex) == nil)
        var hugeCount = good
        hugeCount[54 + 20 + 12] = 0x7F  // timecnt of the 64-bit block, above 2^24
        #expect(GoTimeZone(tzif: hugeCount) == nil)
        var longerThanTheFile = good
        longerThanTheFile[54 + 20 + 13] = 1  // 65,537 transitions, far more than the file holds
        #expect(GoTimeZone(tzif: longerThanTheFile) == nil)
    }

    // MARK: the system's zone files

    static let hasTzdata = realZones.allSatisfy { FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/" + $0) }
    static let realZones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo"]

    /// Offsets 1970-2100 of the installed zone files against glibc reading the same files: the file's
    /// transitions up to their end (2037 in Debian's files), the footer's rule after.
    @Test(.enabled(if: hasTzdata, "needs the zone files: apt-get install tzdata"), arguments: realZones)
    func systemZoneAgreesWithGlibc(_ name: String) throws {
        let path = "/usr/share/zoneinfo/" + name
        let zone = try #require(GoTimeZone(tzif: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        #expect(zone.rule != nil, "\(name) has a footer rule")
        let instants = Self.instants(around: zone)
        let expected = try Self.glibcOffsets(tz: ":" + path, instants)
        Self.expectSame(zone, instants, expected, name)
        Self.expectLocalTimesRoundTrip(zone, instants, name)
    }

    /// The same zones cut short the way `zic -b slim` writes them (no transitions after 2020, when
    /// each zone had its present rule, the footer for the rest): the rule must give what the full
    /// file's transitions give to 2037, and glibc after.
    @Test(.enabled(if: hasTzdata, "needs the zone files: apt-get install tzdata"), arguments: realZones)
    func slimZoneAgreesWithTheFullOne(_ name: String) throws {
        let path = "/usr/share/zoneinfo/" + name
        let full = try #require(GoTimeZone(tzif: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        let footer = try #require(Self.footer(of: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        let cut = full.transitions.indices.filter { full.transitions[$0] < 1_577_836_800 }
        var types: [(Int32, Bool)] = [(full.baseOffset, false)]
        var transitions: [(Int64, UInt8)] = []
        for i in cut {
            if !types.contains(where: { $0.0 == full.offsets[i] }) { types.append((full.offsets[i], false)) }
            transitions.append((full.transitions[i], UInt8(types.firstIndex { $0.0 == full.offsets[i] }!)))
        }
        let file = Self.tzif(types: types, transitions: transitions, footer: footer)
        let slim = try #require(GoTimeZone(tzif: file))
        let instants = Self.instants(around: full).filter { $0 >= 1_577_836_800 }
        for t in instants where slim.offset(atUTC: t) != full.offset(atUTC: t) {
            Issue.record("\(name) slim at \(t): \(slim.offset(atUTC: t)), full file: \(full.offset(atUTC: t))")
            return
        }
        Self.expectSame(slim, instants, try Self.glibcOffsets(tz: ":" + path, instants), name + " slim")
    }

    /// Local times read as `date -d` reads them (TZ set), at noon every nine days 1970-2100.
    @Test(.enabled(if: hasTzdata, "needs the zone files: apt-get install tzdata"), arguments: realZones)
    func localNoonAgreesWithGlibc(_ name: String) throws {
        let path = "/usr/share/zoneinfo/" + name
        let zone = try #require(GoTimeZone(tzif: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        let days = Array(stride(from: Int64(0), to: GoTimeLayout.days(year: 2100, month: 12, day: 31), by: 9))
        let lines = days.map { d -> String in
            let c = GoTimeLayout.civil(days: d)
            return "\(c.year)-\(c.month)-\(c.day) 12:00:00"
        }
        let out = try Self.runDate(tz: ":" + path, format: "+%s", lines: lines)
        #expect(out.count == days.count)
        for (d, line) in zip(days, out) where zone.utc(fromLocal: d * 86400 + 43200) != Int64(line) {
            Issue.record("\(name): local noon of day \(d): \(zone.utc(fromLocal: d * 86400 + 43200)), date: \(line)")
            return
        }
    }

    /// Local times in a gap or an overlap resolve as Go's `time.Date` does (see `utc(fromLocal:)`),
    /// in 2026 (the file's transitions) and 2040 (the footer's rule). Every expected instant is what
    /// Go 1.19's `time.ParseInLocation` gives with Debian's tzdata 2025b.
    @Test(
        .enabled(if: hasTzdata, "needs the zone files: apt-get install tzdata"),
        arguments: [
            // Berlin, east of UTC: a gap time moves forward, an overlap time is the later (CET) one.
            ("Europe/Berlin", "2026-03-29 02:30", "2026-03-29T01:30:00Z"), ("Europe/Berlin", "2026-10-25 02:30", "2026-10-25T01:30:00Z"),
            ("Europe/Berlin", "2040-03-25 02:30", "2040-03-25T01:30:00Z"), ("Europe/Berlin", "2040-10-28 02:30", "2040-10-28T01:30:00Z"),
            ("Europe/Berlin", "2040-10-28 01:59", "2040-10-27T23:59:00Z"), ("Europe/Berlin", "2040-10-28 03:00", "2040-10-28T02:00:00Z"),
            // New York, west of UTC: a gap time moves back, an overlap time is the earlier (EDT) one.
            ("America/New_York", "2026-03-08 02:30", "2026-03-08T06:30:00Z"), ("America/New_York", "2026-11-01 01:30", "2026-11-01T05:30:00Z"),
            ("America/New_York", "2040-03-11 02:30", "2040-03-11T06:30:00Z"), ("America/New_York", "2040-11-04 01:30", "2040-11-04T05:30:00Z"),
            // Sydney, southern: daylight time ends in April (overlap) and starts in October (gap).
            ("Australia/Sydney", "2040-04-01 02:30", "2040-03-31T16:30:00Z"), ("Australia/Sydney", "2040-10-07 02:30", "2040-10-06T16:30:00Z"),
            ("Australia/Sydney", "2040-01-15 12:00", "2040-01-15T01:00:00Z"), ("Australia/Sydney", "2040-07-15 12:00", "2040-07-15T02:00:00Z"),
            ("Asia/Kolkata", "2040-07-15 12:00", "2040-07-15T06:30:00Z"), ("America/Sao_Paulo", "2040-01-15 12:00", "2040-01-15T15:00:00Z"),
        ])
    func gapAndOverlap(_ name: String, _ local: String, _ expected: String) throws {
        let path = "/usr/share/zoneinfo/" + name
        let zone = try #require(GoTimeZone(tzif: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        let l = try GoTimeLayout("2006-01-02 15:04").parse(local).get() / 1_000_000_000
        let e = try GoTimeLayout("RFC3339").parse(expected).get() / 1_000_000_000
        #expect(zone.utc(fromLocal: l) == e, "\(name) \(local)")
        #expect(try GoTimeLayout("2006-01-02 15:04").parse(local, zone: zone).get() == e * 1_000_000_000)
    }

    // MARK: helpers

    /// Instants 1970-2100: every 4 days 7 hours, and around each change of `zone` the change itself,
    /// a second either side and every quarter hour for three hours either side.
    static func instants(around zone: GoTimeZone) -> [Int64] {
        let end: Int64 = 4_133_980_800  // 2101-01-01
        var out = Array(stride(from: Int64(0), to: end, by: 86_400 * 4 + 3600 * 7))
        var previous = zone.offset(atUTC: 0)
        for t in stride(from: Int64(10800), to: end, by: 10800) where zone.offset(atUTC: t) != previous {
            // The change lies in (t - 3 h, t]; find its second.
            var lo = t - 10800
            var hi = t
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if zone.offset(atUTC: mid) == previous { lo = mid } else { hi = mid }
            }
            out += [hi - 1, hi, hi + 1]
            out += stride(from: hi - 3 * 3600, through: hi + 3 * 3600, by: 900)
            previous = zone.offset(atUTC: t)
        }
        return out
    }

    static func expectSame(_ zone: GoTimeZone, _ instants: [Int64], _ expected: [Int64], _ what: String) {
        #expect(instants.count == expected.count, "\(what): date answered \(expected.count) of \(instants.count)")
        var wrong = 0
        for (t, e) in zip(instants, expected) where zone.offset(atUTC: t) != e {
            wrong += 1
            if wrong <= 5 { Issue.record("\(what) at \(t): offset \(zone.offset(atUTC: t)), date says \(e)") }
        }
        #expect(wrong == 0, "\(what): \(wrong) of \(instants.count) instants differ")
    }

    /// Every local time that an instant shows reads back as an instant that shows it, and as that
    /// very instant unless the local time shows twice (an overlap).
    static func expectLocalTimesRoundTrip(_ zone: GoTimeZone, _ instants: [Int64], _ what: String) {
        var wrong = 0
        for t in instants {
            let local = t + zone.offset(atUTC: t)
            let u = zone.utc(fromLocal: local)
            let showsTwice = [-7200, -3600, -1800, 1800, 3600, 7200].contains { d in
                let other = t + Int64(d)
                return other + zone.offset(atUTC: other) == local
            }
            if u + zone.offset(atUTC: u) != local || (u != t && !showsTwice) {
                wrong += 1
                if wrong <= 5 { Issue.record("\(what): local \(local) of \(t) reads back as \(u)") }
            }
        }
        #expect(wrong == 0)
    }

    /// Offsets in seconds east of UTC that glibc's `date` gives at `instants` with `TZ=tz`.
    static func glibcOffsets(tz: String, _ instants: [Int64]) throws -> [Int64] {
        try runDate(tz: tz, format: "+%z", lines: instants.map { "@\($0)" }).map { z in
            let v = Int64(z.dropFirst())!
            return (z.first == "-" ? -1 : 1) * (v / 100 * 3600 + v % 100 * 60)
        }
    }

    static func runDate(tz: String, format: String, lines: [String]) throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("dates")
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/date")
        p.arguments = ["-f", input.path, format]
        p.environment = ["TZ": tz, "LC_ALL": "C"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "date -f with TZ=\(tz)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The TZ string between the last two newlines of a version 2+ file.
    static func footer(of data: [UInt8]) -> String? {
        guard data.last == 0x0A, let start = data.dropLast().lastIndex(of: 0x0A) else { return nil }
        return String(decoding: data[(start + 1)..<(data.count - 1)], as: UTF8.self)
    }

    /// A TZif file: a version 1 block with the first type only, then (version 2+) the 64-bit block
    /// with `transitions` and the footer (nil: none); version 1 has its transitions in its one block.
    static func tzif(types: [(Int32, Bool)], transitions: [(Int64, UInt8)], footer: String?, version: String = "2") -> [UInt8] {
        func be(_ v: Int64, _ bytes: Int) -> [UInt8] { (0..<bytes).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        func header(_ timecnt: Int, _ typecnt: Int, _ charcnt: Int) -> [UInt8] {
            Array("TZif\(version)".utf8) + [UInt8](repeating: 0, count: 15) + [0, 0, 0, timecnt, typecnt, charcnt].flatMap { be(Int64($0), 4) }
        }
        func type(_ t: (Int32, Bool), _ abbreviation: Int) -> [UInt8] { be(Int64(t.0), 4) + [t.1 ? 1 : 0, UInt8(abbreviation)] }
        var bytes: [UInt8]
        if version == "1" {
            bytes = header(transitions.count, types.count, 4 * types.count)
            bytes += transitions.flatMap { be($0.0, 4) } + transitions.map(\.1)
        } else {
            bytes = header(0, 1, 4) + type(types[0], 0) + Array("T00\0".utf8)
            bytes += header(transitions.count, types.count, 4 * types.count)
            bytes += transitions.flatMap { be($0.0, 8) } + transitions.map(\.1)
        }
        bytes += types.indices.flatMap { type(types[$0], 4 * $0) }
        bytes += types.indices.flatMap { Array(String(format: "T%02d\0", $0).utf8) }
        if let footer, version != "1" { bytes += Array("\n\(footer)\n".utf8) }
        return bytes
    }
}
