import Testing

@testable import MetricFormats

/// Tags are sorted by the bytes of their keys, the last of a repeated key kept, whatever the keys
/// hold: the byte comparison must agree with the standard library's on every pair.
@Suite struct TagSortingTests {
    static let keys = [
        "", "a", "b", "ab", "aa", "a\u{0}", "é", "e\u{301}", "z", "Z", "host", "hostname", "😀", "a-very-long-key-past-fifteen-bytes", "a-very-long-key-past-fifteen-bytez",
    ]

    @Test func byteOrderAgreesWithTheStandardLibrary() {
        for a in Self.keys {
            for b in Self.keys {
                #expect(Tag.bytesPrecede(a, b) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) \(b)")
            }
        }
    }

    @Test func sortsKeepingTheLastOfARepeatedKey() {
        var tags = [Tag("host", "1"), Tag("dc", "x"), Tag("host", "2"), Tag("a", "y"), Tag("é", "z"), Tag("Z", "w")]
        tags.sortByKeyKeepingLast()
        #expect(tags == [Tag("Z", "w"), Tag("a", "y"), Tag("dc", "x"), Tag("host", "2"), Tag("é", "z")])
    }
}
