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
        Array(text.utf8).withUnsafeBufferPointer { cache.store($0, for: metric) }
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

    /// A parser that hands out the same Strings (line protocol's) finds its series by their identity;
    /// other Strings with the same bytes find the same text, other bytes in the same places do not.
    @Test func aSeriesIsFoundByTheSameStringsAsByItsBytes() {
        let cache = SeriesTextCache()
        let shared = metric("cpu", [("host", "web-00.eu-west.example.com"), ("dc", "eu-west-1")])
        #expect(lookUp(cache, shared, storing: "A") == nil)
        for _ in 0..<3 { #expect(lookUp(cache, shared, storing: "-") == "A") }
        #expect(lookUp(cache, metric("cpu", [("host", "web-00.eu-west.example.com"), ("dc", "eu-west-1")]), storing: "-") == "A")
        #expect(lookUp(cache, metric("cpu", [("host", "web-00.eu-west.example.coM"), ("dc", "eu-west-1")]), storing: "B") == nil)
        #expect(lookUp(cache, shared, storing: "-") == "A")
    }

    /// Long (stored, not inline) canonically equivalent Strings, each spelling handed out again and
    /// again as a parser's token cache does, keep their own texts.
    @Test func canonicallyEquivalentSharedStringsAreTwoSeries() {
        let cache = SeriesTextCache()
        let composed = metric("m", [("k", "caf\u{E9} au lait, long enough")])
        let decomposed = metric("m", [("k", "cafe\u{301} au lait, long enough")])
        #expect(composed.tags[0].value == decomposed.tags[0].value)
        #expect(lookUp(cache, composed, storing: "composed") == nil)
        #expect(lookUp(cache, decomposed, storing: "decomposed") == nil)
        for _ in 0..<3 {
            #expect(lookUp(cache, composed, storing: "-") == "composed")
            #expect(lookUp(cache, decomposed, storing: "-") == "decomposed")
        }
    }

    /// Shared Strings for thousands of series (more than the cache keeps): every text found is the
    /// one stored for its series, though Strings pushed out are freed and their storage reused.
    @Test func manySharedSeriesStayCorrect() {
        let cache = SeriesTextCache()
        let series = (0..<6_000).map { k in metric("m\(k % 7)", [("host", "web-\(k).example.com")]) }
        for round in 0..<3 {
            for k in series.indices {
                let found = lookUp(cache, series[k], storing: "text \(k)")
                if let found { #expect(found == "text \(k)") }
                if round == 0 && k < 10 { #expect(found == nil) }
            }
            for k in 5_900..<6_000 { #expect(lookUp(cache, series[k], storing: "-") == "text \(k)") }
        }
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

@Suite struct StringIdentityKeyTests {
    @Test func keysAreTheStringsWords() {
        let key = StringIdentityKey(strings: 3)
        let long = String(decoding: Array("web-00.eu-west.example.com".utf8), as: UTF8.self)
        let copy = String(decoding: Array(long.utf8), as: UTF8.self)
        func bytes(_ strings: [String]) -> [UInt8]? {
            guard key.make(strings.count, { strings[$0] }) else { return nil }
            return Array(UnsafeBufferPointer(start: key.base, count: key.count))
        }
        #expect(bytes(["a", long])?.count == 32)
        #expect(bytes(["a", long]) == bytes(["a", long]))
        #expect(bytes(["a", long]) != bytes(["a", copy]))  // same bytes, other storage
        #expect(bytes(["caf\u{E9}"]) != bytes(["cafe\u{301}"]))
        #expect(bytes(["a", "b", "c", "d"]) == nil)
        #expect(!key.fits)
    }

    @Test func aKeyOfTagsIsItsStringsInOrder() {
        let key = StringIdentityKey(strings: 5)
        let long = String(decoding: Array("web-00.eu-west.example.com".utf8), as: UTF8.self)
        let tags = [Tag("host", long), Tag("dc", "eu")]
        #expect(tags.withUnsafeBufferPointer { key.make("cpu", $0) })
        let fromTags = Array(UnsafeBufferPointer(start: key.base, count: key.count))
        let strings = ["cpu", "host", long, "dc", "eu"]
        #expect(key.make(strings.count) { strings[$0] })
        #expect(Array(UnsafeBufferPointer(start: key.base, count: key.count)) == fromTags)
        #expect(fromTags.count == 80)
    }

    /// A window of lookups in which almost none found their key (fewer than 1 in 32) pauses the keys,
    /// each time twice as long; a window that found more (1 in 16 is enough) keeps them and starts
    /// the pauses short again.
    @Test func keysPauseWhenTheyRarelyFindAnything() {
        let key = StringIdentityKey(strings: 1)
        func window(finding every: Int) {
            for k in 0..<StringIdentityKey.window {
                #expect(key.isInUse)
                key.counted(found: k % every == 0)
            }
        }
        /// Lookups until the keys are in use again.
        func pause() -> Int {
            #expect(key.make(1) { _ in "x" })
            var paused = 0
            while !key.isInUse {
                paused += 1
                #expect(!key.fits)  // a paused lookup leaves no key to keep
            }
            return paused
        }
        window(finding: 16)
        #expect(pause() == 0)
        window(finding: 64)
        #expect(pause() == StringIdentityKey.firstPause)
        window(finding: 64)
        #expect(pause() == 2 * StringIdentityKey.firstPause)
        window(finding: 1)
        #expect(pause() == 0)
        window(finding: 64)
        #expect(pause() == StringIdentityKey.firstPause)
        for _ in 0..<12 {
            window(finding: 1_000_000)
            _ = pause()
        }
        window(finding: 1_000_000)
        #expect(pause() == StringIdentityKey.longestPause)
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
