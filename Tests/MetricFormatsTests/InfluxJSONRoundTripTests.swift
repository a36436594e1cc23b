import Testing

@testable import MetricFormats

/// influx -> json -> influx with `--json-timestamp-units 1ns` keeps names, tags, values and
/// timestamps on the corpus that uses every line-protocol escaping rule. What JSON itself cannot
/// carry is pinned here: a whole float comes back as an integer, so does an unsigned integer below
/// 2^63, fields come back in key order, and a metric without a time gets the conversion's "now"
/// (Telegraf's JSON shape always has a timestamp).
@Suite struct InfluxJSONRoundTripTests {
    @Test func influxThroughJSONAndBack() {
        let original = InfluxRoundTripTests.parse(InfluxRoundTripTests.corpus(lines: 400))
        #expect(original.errors.isEmpty)
        var options = FormatOptions()
        options.json.timestampUnits = 1
        var json = try! JSONSerializer(options: options)
        let jsonText = json.render(original.metrics)
        var jsonParser = try! JSONParser(options: options)
        let fromJSON = MetricCollector()
        jsonParser.parse(text: Array(jsonText.utf8), into: fromJSON)
        #expect(fromJSON.diagnostics.isEmpty, "\(fromJSON.diagnostics.prefix(3))")
        let (influxText, diagnostics) = InfluxRoundTripTests.serialize(fromJSON.metrics)
        #expect(diagnostics.isEmpty)
        let back = InfluxRoundTripTests.parse(influxText)
        #expect(back.errors.isEmpty)
        #expect(back.metrics.count == original.metrics.count)
        for (sent, got) in zip(original.metrics, back.metrics) {
            var expected = sent
            expected.fields = sent.fields.map { f in
                if case .float(let v) = f.value, v == v.rounded(), abs(v) < 9.2e18 { return Field(f.key, .int(Int64(v))) }
                if case .uint(let v) = f.value, v <= UInt64(Int64.max) { return Field(f.key, .int(Int64(v))) }
                return f
            }
            if expected.timestamp == nil { expected.timestamp = 0 }  // render's "now"
            expected.fields.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            #expect(got == expected)
        }
    }
}
