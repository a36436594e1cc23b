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
