import CPCRE2

/// A user's regular expression, compiled once by PCRE2 (JIT-compiled where the machine allows) and
/// matched on bytes.
///
/// The syntax is Perl's, which covers Python's `re` as Logster rules use it: `(?P<name>...)` and
/// `(?<name>...)` name a group, `(?P=name)` refers back to one. Patterns and subjects are UTF-8
/// with Unicode classes (`\d` and `\w` match beyond ASCII, as in Python 3), and a subject that is
/// not valid UTF-8 is still searched (its invalid bytes match nothing). A search that exceeds
/// PCRE2's backtracking limit counts as no match and is counted in ``failedSearches``.
///
/// One search at a time: the captures of the last search are held in the pattern.
public final class Pattern: @unchecked Sendable {
    /// The pattern as written.
    public let source: String
    /// Group names by group number: index 0 is the whole match; unnamed groups are nil.
    public let groupNames: [String?]
    /// Searches that ended in an error (a backtracking or JIT stack limit) rather than a result.
    public private(set) var failedSearches = 0
    private let code: OpaquePointer
    private let matchData: OpaquePointer
    private let ovector: UnsafeMutablePointer<Int>
    private let unset = cpcre2_unset()
    /// JIT-compiled: searches call the JIT directly, skipping `pcre2_match`'s checks.
    private let jit: Bool

    /// Compiles `source`; `anchored` makes every match start exactly where a search starts.
    /// - Throws: ``PatternError`` with PCRE2's message and the byte offset where it stopped.
    public init(_ source: String, anchored: Bool = false) throws(PatternError) {
        self.source = source
        var error: Int32 = 0
        var offset = 0
        let options = UInt32(PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | (anchored ? PCRE2_ANCHORED : 0))
        let compiled =
            source.utf8.withContiguousStorageIfAvailable { bytes in
                pcre2_compile_8(bytes.baseAddress ?? Pattern.empty, bytes.count, options, &error, &offset, nil)
            }
            ?? Array(source.utf8).withUnsafeBufferPointer { bytes in
                pcre2_compile_8(bytes.baseAddress ?? Pattern.empty, bytes.count, options, &error, &offset, nil)
            }
        guard let compiled else { throw PatternError(message: Pattern.message(error), offset: offset) }
        code = compiled
        // Without JIT support PCRE2 interprets: slower, same results.
        jit = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE)) == 0
        matchData = pcre2_match_data_create_from_pattern_8(code, nil)
        ovector = pcre2_get_ovector_pointer_8(matchData)
        groupNames = Pattern.names(code)
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_code_free_8(code)
    }

    /// Searches `bytes` for the first match that starts at or after `from`; its groups are then
    /// read with ``range(ofGroup:)`` until the next search.
    public func search(_ bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Bool {
        let subject = bytes.baseAddress ?? Pattern.empty
        let rc =
            jit
            ? pcre2_jit_match_8(code, subject, bytes.count, from, 0, matchData, nil)
            : pcre2_match_8(code, subject, bytes.count, from, 0, matchData, nil)
        if rc >= 0 { return true }
        if rc != PCRE2_ERROR_NOMATCH { failedSearches += 1 }
        return false
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { search($0) }
    }

    /// The byte range of group `n` in the last successful search; nil when the group took no part.
    public func range(ofGroup n: Int) -> Range<Int>? {
        let start = ovector[2 * n]
        guard start != unset else { return nil }
        return start..<ovector[2 * n + 1]
    }

    /// `bytes` with every match replaced by `replacement`, as Go's `ReplaceAllString` does it (what
    /// Telegraf's regex options do): a match of no bytes inserts it too, except right after a match;
    /// `replaced` says whether anything changed.
    public func replacingMatches(in bytes: [UInt8], with replacement: [UInt8]) -> (bytes: [UInt8], replaced: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var replaced = false
        bytes.withUnsafeBufferPointer { buf in
            var at = 0
            var copied = 0
            var previousEnd = -1
            while at <= buf.count, search(buf, from: at), let whole = range(ofGroup: 0) {
                if !(whole.isEmpty && whole.lowerBound == previousEnd) {
                    out.append(contentsOf: buf[copied..<whole.lowerBound])
                    out.append(contentsOf: replacement)
                    replaced = true
                    copied = whole.upperBound
                    previousEnd = whole.upperBound
                }
                guard whole.isEmpty else {
                    at = whole.upperBound
                    continue
                }
                // Step over one UTF-8 character so the next search cannot stop here again.
                guard whole.upperBound < buf.count else { break }
                at = whole.upperBound + 1
                while at < buf.count, buf[at] & 0xC0 == 0x80 { at += 1 }
            }
            out.append(contentsOf: buf[copied..<buf.count])
        }
        return (out, replaced)
    }

    /// A byte to point at for an empty pattern or subject (PCRE2 wants a pointer even for length 0).
    nonisolated(unsafe) private static let empty: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    private static func message(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : "error \(code)"
    }

    /// Group names from PCRE2's name table (entries: a 16-bit big-endian group number, then the
    /// NUL-terminated name).
    private static func names(_ code: OpaquePointer) -> [String?] {
        var captures: UInt32 = 0
        var count: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_CAPTURECOUNT), &captures)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMECOUNT), &count)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table)
        var names = [String?](repeating: nil, count: Int(captures) + 1)
        guard let table else { return names }
        for i in 0..<Int(count) {
            let entry = table + i * Int(entrySize)
            let group = Int(entry[0]) << 8 | Int(entry[1])
            var end = 2
            while end < Int(entrySize), entry[end] != 0 { end += 1 }
            if group < names.count { names[group] = String(decoding: UnsafeBufferPointer(start: entry + 2, count: end - 2), as: UTF8.self) }
        }
        return names
    }
}

/// A pattern PCRE2 could not compile: its message and the byte offset where it stopped.
public struct PatternError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) (at byte \(offset + 1))" }
}
