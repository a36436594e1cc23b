import Testing

@testable import MetricFormats

/// Go time layouts (json_timestamp_format, json_time_format), checked against what Go's
/// time.Format and time.Parse give for the same instants.
@Suite struct JSONTimeLayoutTests {
    static let t = Int64(1_525_478_795_123_456_789)  // 2018-05-05T00:06:35.123456789Z, a Saturday

    @Test(arguments: [
        ("RFC3339", "2018-05-05T00:06:35Z"),
        ("RFC3339Nano", "2018-05-05T00:06:35.123456789Z"),
        ("2006-01-02T15:04:05.000Z07:00", "2018-05-05T00:06:35.123Z"),
        ("2006-01-02 15:04:05.999999 -0700", "2018-05-05 00:06:35.123456 +0000"),
        ("ANSIC", "Sat May  5 00:06:35 2018"),
        ("RFC1123", "Sat, 05 May 2018 00:06:35 UTC"),
        ("Monday, 02-Jan-06 3:04:05 PM", "Saturday, 05-May-18 12:06:35 AM"),
        ("January 2, 2006 15h04", "May 5, 2018 00h06"),
        ("20060102150405,000", "20180505000635,123"),
    ])
    func format(layout: String, expected: String) {
        var out: [UInt8] = []
        GoTimeLayout(layout).format(nanoseconds: Self.t, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test(arguments: [
        ("RFC3339", "2018-05-05T02:06:35+02:00", Int64(1_525_478_795_000_000_000)),
        ("RFC3339", "2018-05-05T00:06:35.5Z", 1_525_478_795_500_000_000),
        ("RFC3339Nano", "2018-05-05T00:06:35.123456789Z", t),
        ("2006-01-02 15:04:05.000", "2018-05-05 00:06:35.123", 1_525_478_795_123_000_000),
        ("02 Jan 06 15:04 MST", "04 Jan 06 15:04 MST", 1_136_387_040_000_000_000),
        ("Jan _2 2006 3:04PM", "May  5 2018 12:06AM", 1_525_478_760_000_000_000),
        ("2006-01-02T15:04:05-0700", "2018-05-04T19:06:35-0500", 1_525_478_795_000_000_000),
        // The first and the last nanosecond Int64 holds.
        ("RFC3339Nano", "2262-04-11T23:47:16.854775807Z", .max),
        ("RFC3339Nano", "1677-09-21T00:12:43.145224192Z", .min),
        ("RFC3339Nano", "1969-12-31T23:59:59.5Z", -500_000_000),
    ])
    func parse(layout: String, text: String, expected: Int64) throws {
        let r = GoTimeLayout(layout).parse(text, zone: .utc)
        #expect(try r.get() == expected)
    }

    @Test(arguments: [
        ("2006-01-02", "2018-13-01", "cannot parse '2018-13-01' as month"),
        ("2006-01-02 15:04:05.000", "2018-05-05 00:06:35.12", "cannot parse '2018-05-05 00:06:35.12' as fractional second"),
        ("2006-01-02", "2018-05-05x", "cannot parse '2018-05-05x' as layout (extra text 'x')"),
        ("02 January 06", "04 Jan 06", "cannot parse '04 Jan 06' as month"),
        ("RFC3339Nano", "2262-04-11T23:47:16.854775808Z", "cannot parse '2262-04-11T23:47:16.854775808Z' as a time in range"),
        ("RFC3339Nano", "2262-04-11T23:47:16.999999999Z", "cannot parse '2262-04-11T23:47:16.999999999Z' as a time in range"),
        ("RFC3339Nano", "1677-09-21T00:12:43.145224191Z", "cannot parse '1677-09-21T00:12:43.145224191Z' as a time in range"),
    ])
    func parseErrors(layout: String, text: String, message: String) {
        if case .failure(let e) = GoTimeLayout(layout).parse(text, zone: .utc) {
            #expect(e.message == message)
        } else {
            Issue.record("parsed \(text)")
        }
    }

    @Test func fixedOffsetZone() throws {
        let r = GoTimeLayout("2006-01-02 15:04").parse("2018-05-05 05:36", zone: .fixed(seconds: 19800))
        #expect(try r.get() == 1_525_478_760_000_000_000)
    }
}
