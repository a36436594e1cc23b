import Testing

@testable import MetricFormats
@testable import MetricatKit

/// The parts of `listen --aggregate` that need no socket: flush times and the terminal table.
@Suite struct AggregateFrontendTests {
    @Test func roundIntervalsFallOnMultiplesAndNeverRepeat() {
        let s: Int64 = 1_000_000_000
        #expect(AggregateFrontend.nextBoundary(after: 12 * s + 300, previous: 0, interval: 10 * s, round: true) == 20 * s)
        // The wall clock read a hair before the boundary just flushed: the next one, not the same.
        #expect(AggregateFrontend.nextBoundary(after: 20 * s - 5, previous: 20 * s, interval: 10 * s, round: true) == 30 * s)
        #expect(AggregateFrontend.nextBoundary(after: 12 * s, previous: 7 * s, interval: 10 * s, round: false) == 17 * s)
        // Late (a long flush): the next interval starts now.
        #expect(AggregateFrontend.nextBoundary(after: 18 * s, previous: 7 * s, interval: 10 * s, round: false) == 28 * s)
    }

    @Test func theTableHasOneRowPerFieldAndAlignedColumns() {
        let metrics = [
            Metric(name: "hits", tags: [Tag("env", "prod"), Tag("metric_type", "counter")], fields: [Field("value", .int(7)), Field("rate", .float(0.7))]),
            Metric(name: "t", tags: [Tag("metric_type", "timing")], fields: [Field("count", .int(2))]),
        ]
        #expect(
            AggregateFrontend.table(metrics, at: 3_600_000_000_000) == """
                -- flush at 01:00:00.000 UTC, 2 metrics
                NAME           TYPE     FIELD  VALUE
                hits,env=prod  counter  value  7
                hits,env=prod  counter  rate   0.7
                t              timing   count  2

                """)
    }
}
