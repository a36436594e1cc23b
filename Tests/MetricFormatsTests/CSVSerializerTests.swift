import Testing

@testable import MetricFormats

/// The telemetry CSV shape: what the serializer writes, and that the parser reads it back.
@Suite struct CSVSerializerTests {
    typealias T = MetricFormats.Tag

    static func render(_ metrics: [Metric]) -> (String, [String]) {
        var s = try! CSVSerializer(options: FormatOptions())
        var diags: [String] = []
        let text = s.render(metrics, now: 1_700_000_000_000_000_000) { diags.append($0.description) }
        return (text, diags)
    }

    @Test func headerOnceThenOneRowPerNumericField() {
        let m1 = Metric(
            name: "cpu", tags: [T("cpu", "cpu0"), T("host", "a")],
            fields: [Field("usage_idle", .float(91.5)), Field("n", .int(-3)), Field("s", .string("x")), Field("b", .bool(true))],
            timestamp: 1_554_172_967_000_000_000)
        let m2 = Metric(name: "proc", tags: [T("name", "ng inx"), T("pid", "4242")], fields: [Field("rss", .uint(18_446_744_073_709_551_615))])
        let (out, diags) = Self.render([m1, m2])
        #expect(
            out == """
                Timepoint,Measurement,Label,PID
                1554172967000000000,91.5,"cpu,cpu=cpu0,host=a usage_idle",
                1554172967000000000,-3,"cpu,cpu=cpu0,host=a n",
                1554172967000000000,1,"cpu,cpu=cpu0,host=a b",
                1700000000000000000,18446744073709551615,"proc,name=ng\\ inx rss",4242

                """)
        #expect(diags == ["field \"s\" of \"cpu\" is a string, which CSV Measurement cannot carry: skipped"])
    }

    @Test func emptyTagsAreLeftOutOfTheLabelAndReported() {
        let m = Metric(name: "m", tags: [T("a", ""), T("", "b"), T("c", "d")], fields: [Field("v", .int(1))], timestamp: 9)
        let (out, diags) = Self.render([m, m])
        #expect(out == "Timepoint,Measurement,Label,PID\n9,1,\"m,c=d v\",\n9,1,\"m,c=d v\",\n")
        #expect(
            diags == [
                "warning: tag \"a\" has an empty key or value, which a CSV Label cannot carry: dropped",
                "warning: tag \"\" has an empty key or value, which a CSV Label cannot carry: dropped",
            ])
    }

    /// A CR before a LF inside the quoted label is read as one line end: reported.
    @Test func aCRLFInTheLabelIsReported() {
        let (out, diags) = Self.render([Metric(name: "m", fields: [Field("a\r\nb", .int(1))], timestamp: 9)])
        #expect(out == "Timepoint,Measurement,Label,PID\n9,1,\"m a\r\nb\",\n")
        #expect(
            diags == [
                "warning: the label of field \"a\r\nb\" of \"m\" holds a CR before a newline, which a CSV reader takes as a line end: it reads back without the CR"
            ])
    }

    @Test func nothingWritableWritesNothing() {
        let (out, diags) = Self.render([Metric(name: "m", fields: [Field("v", .float(.infinity))])])
        #expect(out == "")
        #expect(diags == ["field \"v\" of \"m\" is inf, which CSV Measurement cannot carry: skipped"])
    }

    @Test(arguments: [
        Metric(name: "cpu", tags: [T("host", "a")], fields: [Field("usage_idle", .float(0.1))], timestamp: 1),
        Metric(name: "we\"ird, name\\", tags: [T("k=1 ,", "v\\,w\n"), T("pid", "007")], fields: [Field("fi eld\\", .float(-1e-7))], timestamp: -5),
        Metric(name: "proc", tags: [T("pid", "-12")], fields: [Field("value", .float(1e300))], timestamp: 0),
    ])
    func roundTripsThroughTheParser(_ m: Metric) {
        let (text, diags) = Self.render([m])
        #expect(diags == [])
        var parser = try! CSVParser(options: FormatOptions())
        let c = MetricCollector()
        parser.parse(text: Array(text.utf8), into: c)
        var expected = m
        expected.sortTags()
        #expect(c.diagnostics == [])
        #expect(c.metrics == [expected])
    }
}
