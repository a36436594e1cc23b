import ArgumentParser
import MetricFormats
import MetricatKit

/// A time zone flag: `UTC`, `Local`, `+hh:mm`, `-hhmm`, `+hh`, or a zone under /usr/share/zoneinfo.
struct TimeZoneValue: CheckedArgument, Sendable {
    var zone: GoTimeZone

    static func parse(_ text: String) -> Result<TimeZoneValue, ArgumentProblem> {
        guard let zone = ZoneFiles.zone(named: text) else {
            return .failure(
                ArgumentProblem(problem: "is not a time zone: UTC, Local, +hh:mm or a zone under /usr/share/zoneinfo", examples: ["America/New_York", "+02:00"]))
        }
        return .success(TimeZoneValue(zone: zone))
    }
}
