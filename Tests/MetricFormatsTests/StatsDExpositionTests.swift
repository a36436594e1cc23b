import Testing

@testable import MetricFormats

/// The Prometheus view of StatsD aggregates (statsd_exporter's mapping), as whole exposition text.
@Suite struct StatsDExpositionTests {
    static func flushOf(_ lines: [String], percentiles: [Double] = [90]) -> [Metric] {
        var agg = StatsDAggregator(options: .init(percentiles: percentiles))
        var reader = StatsDLineParser(options: StatsDOptions())
        for line in lines {
            Array(line.utf8).withUnsafeBufferPointer { buf in
                reader.parse(buf, number: 1) { if case .sample(let s, _) = $0 { agg.add(s) } }
            }
        }
        return agg.flush(timestamp: 1)
    }

    @Test func countersAccumulateAndNamesAreEscaped() {
        var view = StatsDExposition()
        view.update(Self.flushOf(["my.app-hits:3|c|#env:prod", "9lives:1|g", "api.lat:100|ms", "api.lat:300|ms", "users:a|s", "users:b|s", "sizes:5|h", "d.x:2|d"]))
        view.update(Self.flushOf(["my.app-hits:4|c|#env:prod", "api.lat:200|ms"]))
        let text = String(decoding: view.render(), as: UTF8.self)
        #expect(
            text == """
                # HELP _9lives StatsD gauge aggregated by metricat
                # TYPE _9lives gauge
                _9lives 1
                # HELP api_lat StatsD summary aggregated by metricat
                # TYPE api_lat summary
                api_lat{quantile="0.9"} 0.2
                api_lat_sum 0.6
                api_lat_count 3
                # HELP d_x StatsD summary aggregated by metricat
                # TYPE d_x summary
                d_x_sum 2
                d_x_count 1
                # HELP my_app_hits_total StatsD counter aggregated by metricat
                # TYPE my_app_hits_total counter
                my_app_hits_total{env="prod"} 7
                # HELP sizes StatsD summary aggregated by metricat
                # TYPE sizes summary
                sizes{quantile="0.9"} 5
                sizes_sum 5
                sizes_count 1
                # HELP users StatsD gauge aggregated by metricat
                # TYPE users gauge
                users 2

                """)
        #expect(view.count == 6)
    }

    @Test func aNameTakenByAnotherTypeIsRefusedAndCounted() {
        var view = StatsDExposition()
        view.update(Self.flushOf(["x:1|g", "x:5|ms", "x:2|c"]))
        #expect(view.conflicts == 1)  // the timing; the counter is x_total
        #expect(String(decoding: view.render(), as: UTF8.self).contains("x_total 2\n"))
    }

    @Test func theSeriesLimitRefusesAndCounts() {
        var view = StatsDExposition(maxSeries: 2)
        view.update(Self.flushOf(["a:1|g", "b:1|g", "c:1|g", "a:2|g"]))
        #expect(view.count == 2)
        #expect(view.refused == 1)
    }

    @Test func labelValuesAreEscapedAndReservedNamesCut() {
        var view = StatsDExposition()
        view.update(Self.flushOf(["q:1|g|#__name__:a\"b\\c,dc.zone:x"]))
        #expect(String(decoding: view.render(), as: UTF8.self).hasSuffix("q{_name__=\"a\\\"b\\\\c\",dc_zone=\"x\"} 1\n"))
    }
}
