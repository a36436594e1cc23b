import Testing

@testable import MetricFormats

@Suite struct SeriesTextCacheTests {
    /// A String with its own storage each time, as a parser that does not share Strings makes them.
    func fresh(_ s: String) -> String { String(decoding: Array(s.utf8), as: UTF8.self) }

    func metric(_ name: String, _ tags: [(String, String)]) -> Metric {
        Metric(name: fresh(name), tags: tags.map { Tag(fresh($0.0), fresh($0.1)) })
    }

    /// The text kept for the metric's series, or nil (then `text` is stored for it).
    func lookUp(_ cache: SeriesTextCache, _ metric: Metric, storing text: String) -> String? {
        let out = InfluxLineBuffer()
        if cache.append(metric, to: out) { return String(decoding: out.bytes, as: UTF8.self) }
        Array(text.utf8).withUnsafeBufferPointer { cache.store($0) }
        return nil
    }

    @Test func aSeriesIsFoundByItsBytesWhateverItsStrings() {
        let cache = SeriesTextCache()
        let tags = [("host", "web-00.eu-west.example.com"), ("dc", "eu-west-1")]
        #expect(lookUp(cache, metric("cpu", tags), storing: "A") == nil)
        #expect(lookUp(cache, metric("cpu", tags), storing: "B") == "A")
        // One byte different in the name, a tag key, a tag value (short or long), or one tag less.
        #expect(lookUp(cache, metric("cpU", tags), storing: "C") == nil)
        #expect(lookUp(cache, metric("cpu", [("hosT", tags[0].1), tags[1]]), storing: "D") == nil)
        #expect(lookUp(cache, metric("cpu", [("host", "web-00.eu-west.example.coM"), tags[1]]), storing: "E") == nil)
        #expect(lookUp(cache, metric("cpu", [tags[0]]), storing: "F") == nil)
        #expect(lookUp(cache, metric("cpu", tags), storing: "G") == "A")
    }

    @Test func whereOneStringEndsIsPartOfTheKey() {
        let cache = SeriesTextCache()
        #expect(lookUp(cache, metric("ab", [("c", "d")]), storing: "1") == nil)
        #expect(lookUp(cache, metric("a", [("bc", "d")]), storing: "2") == nil)
        #expect(lookUp(cache, metric("a", [("b", "cd")]), storing: "3") == nil)
        #expect(lookUp(cache, metric("ab", [("c", "d")]), storing: "-") == "1")
        #expect(lookUp(cache, metric("a", [("b", "cd")]), storing: "-") == "3")
    }

    /// `é` as one code point and as `e` with a combining accent are equal Strings to Swift, but other
    /// bytes on the wire: they are two series.
    @Test func canonicallyEquivalentSpellingsAreTwoSeries() {
        let cache = SeriesTextCache()
        #expect(lookUp(cache, metric("caf\u{E9}", []), storing: "composed") == nil)
        #expect(lookUp(cache, metric("cafe\u{301}", []), storing: "decomposed") == nil)
        #expect(lookUp(cache, metric("cafe\u{301}", []), storing: "-") == "decomposed")
    }

    @Test func aSeriesOverTheKeyLimitIsNeverKept() {
        let cache = SeriesTextCache()
        let long = metric("m", [("k", String(repeating: "v", count: SeriesTextCache.maxKeyBytes))])
        #expect(lookUp(cache, long, storing: "X") == nil)
        #expect(lookUp(cache, long, storing: "X") == nil)
    }

    @Test func manySeriesStayCorrect() {
        let cache = SeriesTextCache()
        for round in 0..<2 {
            for k in 0..<6_000 {
                let found = lookUp(cache, metric("m\(k % 7)", [("host", "web-\(k).example.com")]), storing: "text \(k)")
                if let found { #expect(found == "text \(k)") }
                if round == 0 && k < 10 { #expect(found == nil) }
            }
        }
        // The last few hundred stored are still there.
        #expect(lookUp(cache, metric("m\(5_999 % 7)", [("host", "web-5999.example.com")]), storing: "-") == "text 5999")
    }
}

@Suite struct WireKeyTests {
    @Test func keysAreEqualByTheirBytes() {
        let pairs: [(String, String, Bool)] = [
            ("caf\u{E9}", "cafe\u{301}", false), ("", "", true), ("a", "", false), ("abc", "abd", false),
            ("exactly15bytes!", "exactly15bytes!", true), ("exactly15bytes!", "exactly15bytes?", false),
            ("sixteen bytes ok", "sixteen bytes ok", true), ("web-00.eu-west.example.com", "web-00.eu-west.example.coM", false),
            ("short", "short but longer than fifteen", false), ("\u{1F600}", "\u{1F600}", true),
        ]
        for (a, b, equal) in pairs {
            // Fresh storage for one side, so large Strings are compared by their bytes, not their address.
            let c = String(decoding: Array(b.utf8), as: UTF8.self)
            #expect(a.hasSameBytes(as: c) == equal, "\(a) \(b)")
            #expect(c.hasSameBytes(as: a) == equal, "\(b) \(a)")
            #expect((WireKey(a) == WireKey(c)) == equal)
            if equal { #expect(WireKey(a).hashValue == WireKey(c).hashValue) }
        }
        let merged = Set(["caf\u{E9}", "cafe\u{301}"].map(WireKey.init))
        #expect(merged.count == 2)
    }
}
