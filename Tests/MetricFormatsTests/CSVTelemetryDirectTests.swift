import Testing

@testable import MetricFormats

/// Telemetry rows read straight from the line (``CSVParser/readTelemetryDirectly(_:number:_:)``) with
/// their `Label` cells cached by bytes give the metrics, places and findings the record reader gives.
@Suite struct CSVTelemetryDirectTests {
    struct Outcome: Equatable {
        var metrics: [Metric]
        var origins: [Int: MetricOrigin]
        var diagnostics: [Diagnostic]
    }

    static func read(_ text: String, direct: Bool, defaultTags: [MetricFormats.Tag] = [], parser: CSVParser? = nil) throws -> (Outcome, CSVParser) {
        var options = FormatOptions()
        options.defaultTags = defaultTags
        var p = try parser ?? CSVParser(options: options)
        p.readsDirectly = direct
        let back = MetricCollector()
        p.parse(text: Array(text.utf8), into: back)
        return (Outcome(metrics: back.metrics, origins: back.origins, diagnostics: back.diagnostics), p)
    }

    /// The first difference, named, rather than two long dumps.
    static func expectSame(_ a: Outcome, _ b: Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.metrics.count == b.metrics.count, sourceLocation: sourceLocation)
        if let k = zip(a.metrics, b.metrics).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("metric \(k): \(a.metrics[k]) != \(b.metrics[k])", sourceLocation: sourceLocation)
        }
        if let k = a.origins.keys.sorted().first(where: { a.origins[$0] != b.origins[$0] }) {
            Issue.record("origin \(k): \(String(describing: a.origins[k])) != \(String(describing: b.origins[k]))", sourceLocation: sourceLocation)
        }
        #expect(a.diagnostics.count == b.diagnostics.count, sourceLocation: sourceLocation)
        if let k = zip(a.diagnostics, b.diagnostics).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("diagnostic \(k): \(a.diagnostics[k]) != \(b.diagnostics[k])", sourceLocation: sourceLocation)
        }
    }

    static let header = "Timepoint,Measurement,Label,PID\n"

    static let cells: [String] = [
        #"1700000000001000000,63.9427,"cpu,cpu=cpu0,host=web-00.eu-west.example.com usage_user","#,
        #"1700000000001000000,63.9427,"cpu,cpu=cpu0,host=web-00.eu-west.example.com usage_usex","#,
        #"1,2,cpu,host=a u,"#, #"1,2,"cpu,host=a u",42"#, #"1,2,"cpu,host=a u",-7"#, #"1,2,"cpu,host=a u",x"#, #",2,"cpu,host=a u","#,
        #"1,2,"cpu,host=a u""#, #"1,2,"cpu,host=a u",,"#, #"1,2,"cpu,host=a,host=b u","#, #"1,2,"cpu,pid=9,host=a u",3"#,
        #"1,2e3,"cpu,host=a\ b u\ v","#, #"1,+Inf,"cpu u","#, #"1,x,"cpu u","#, #"x,2,"cpu u","#, #"1,2,"cpu,host=a u"x,"#,
        #"1,2,"cpu,""h""=a u","#, #"1,2,"",1"#, #"1,2,"cpu,=a u","#, #"1,2,"cpu u\","#, #"1,"2","cpu u","#, #"1,2,"cpu u","1""#,
        "Timepoint,Measurement,Label,PID", "1,2,\"cpu u\",\r", "", "1,2,\"cpu\nu\",", "1,2,\"cpu,host=\u{e9} u\",", "1,2,\"cpu,host=\u{FF} u\",",
    ]

    static func generated(seed: UInt64, count: Int) -> String {
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        return Self.header + (0..<count).map { _ in cells[next(cells.count)] }.joined(separator: "\n") + "\n"
    }

    @Test(arguments: [[], [MetricFormats.Tag("host", "default"), MetricFormats.Tag("env", "prod")]])
    func generatedRowsReadTheSameBothWays(defaultTags: [MetricFormats.Tag]) throws {
        let text = Self.generated(seed: 5, count: 3_000)
        let (direct, parser) = try Self.read(text, direct: true, defaultTags: defaultTags)
        let (general, _) = try Self.read(text, direct: false, defaultTags: defaultTags)
        #expect(direct.metrics.count > 1_000, "the generator must give many good metrics")
        #expect(direct.diagnostics.count > 100)
        Self.expectSame(direct, general)
        #expect(parser.labels.evictions == 0)
        // The comparison means something only if the direct reading took the common rows.
        let cached = Array("cpu,host=a u".utf8).withUnsafeBufferPointer { b in
            parser.labels.find(b.baseAddress!, b.count, hash: ByteCache<CSVParser.DecodedLabel>.hash(b.baseAddress!, b.count))
        }
        #expect(cached >= 0)
    }

    @Test func repeatedRowsGiveWhatAFreshParserGives() throws {
        let rows = (0..<40).map { #"17000000000\#($0),\#($0).5,"cpu,cpu=cpu\#($0 % 3),host=web-00.eu-west.example.com usage_user","# }
        let (together, _) = try Self.read(Self.header + rows.joined(separator: "\n"), direct: true)
        #expect(together.metrics.count == 40)
        for (k, row) in rows.enumerated() {
            let (one, _) = try Self.read(Self.header + row, direct: true)
            #expect(one.metrics == [together.metrics[k]])
            #expect(one.origins[0]?.places == together.origins[k]?.places.map { MetricOrigin.Place($0.subject, line: 2, column: $0.column) })
        }
        let a = together.metrics[0].tags
        let b = together.metrics[3].tags
        #expect(a.withUnsafeBufferPointer { $0.baseAddress } == b.withUnsafeBufferPointer { $0.baseAddress })
    }

    @Test func manyDistinctLabelsEvictAndStayCorrect() throws {
        let rows = (0..<6_000).map { #"1,\#($0),"m\#($0 % 7),host=h\#($0 % 3_000),dc=a-long-tag-value-\#($0 % 3_000) f\#($0 % 5)",\#($0 % 2 == 0 ? "" : "12")"# }
        let text = Self.header + rows.joined(separator: "\n") + "\n"
        let (direct, parser) = try Self.read(text, direct: true)
        #expect(parser.labels.evictions > 1_000)
        #expect(parser.labels.slotCount == 1_024)
        #expect(direct == (try Self.read(text, direct: false)).0)
        #expect(direct.metrics.count == 6_000)
        #expect(direct.metrics[2_999].tags == [MetricFormats.Tag("dc", "a-long-tag-value-2999"), MetricFormats.Tag("host", "h2999"), MetricFormats.Tag("pid", "12")])
    }

    @Test func labelsOneByteApartAreNotConfused() throws {
        let labels = ["cpu,host=a1 f", "cpu,host=a2 f", "cpu,host=a1 g", "cpu,hosT=a1 f", "cpu,host=a\\1 f", "cpu,host=a1", "cpu,host=a1 ", "cpu,host=a1,host=a2 f"]
        var rows: [String] = []
        for x in labels {
            for y in labels { rows += ["1,2,\"\(x)\",", "1,2,\"\(y)\","] }
        }
        let text = Self.header + rows.joined(separator: "\n") + "\n"
        let (direct, _) = try Self.read(text, direct: true)
        #expect(direct == (try Self.read(text, direct: false)).0)
        #expect(direct.metrics.prefix(4).map { $0.tag("host") } == ["a1", "a1", "a1", "a2"])
        #expect(direct.metrics.prefix(6).map { $0.fields[0].key } == ["f", "f", "f", "f", "f", "g"])
    }
}
