import Foundation
import Testing

extension CommandLineTests {
    @Test func aZoneIsReadFromItsZoneinfoFileAndADirectoryIsNoZone() throws {
        let input = #"{"time": "04 Jan 06 15:04", "v": 1}"#
        let flags = ["convert", "--from", "json", "--to", "influx", "--json-time-key", "time", "--json-time-format", "02 Jan 06 15:04"]
        // Etc/GMT-3 is three hours east of UTC: 15:04 there is 12:04 UTC.
        let east = try Binary.run(flags + ["--json-timezone", "Etc/GMT-3"], input: input)
        #expect(east.status == 0, "\(east)")
        #expect(east.stdout == "json v=1 1136376240000000000\n")
        let directory = try Binary.run(flags + ["--json-timezone", "America"], input: input)
        #expect(directory.status == 2)
        #expect(directory.stdout.isEmpty)
        #expect(
            directory.stderr.contains(
                "--json-timezone: 'America' is not a time zone: UTC, Local, +hh:mm or a zone under /usr/share/zoneinfo (example: --json-timezone America/New_York or +02:00)"),
            "\(directory)")
    }
}

extension CommandLineTests {
    /// 2040 lies past the last transition of Debian's zone files (2037): only the files' footer rule
    /// knows that Berlin and New York keep daylight saving time then.
    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/Europe/Berlin") && FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/America/New_York"),
            "needs the zone files: apt-get install tzdata"))
    func aZoneGivesItsDaylightOffsetPastItsLastTransition() throws {
        let json = try Binary.run(
            ["convert", "--from", "json", "--to", "influx", "--json-time-key", "t", "--json-time-format", "2006-01-02 15:04", "--json-timezone", "Europe/Berlin"],
            input: #"{"t": "2040-07-01 12:00", "v": 1}"# + "\n" + #"{"t": "2040-01-15 12:00", "v": 2}"# + "\n")
        #expect(json.status == 0, "\(json)")
        #expect(json.stdout == "json v=1 2224749600000000000\njson v=2 2210238000000000000\n")
        let csv = try Binary.run(
            [
                "convert", "--from", "csv", "--to", "influx", "--csv-header-row-count", "1", "--csv-timestamp-column", "t", "--csv-timestamp-format", "2006-01-02 15:04",
                "--csv-timezone", "America/New_York", "--csv-measurement-column", "m",
            ],
            input: "m,t,v\ncpu,2040-07-01 12:00,1\ncpu,2040-12-01 12:00,2\n")
        #expect(csv.status == 0, "\(csv)")
        #expect(csv.stdout == "cpu v=1i 2224771200000000000\ncpu v=2i 2237994000000000000\n")
    }
}
