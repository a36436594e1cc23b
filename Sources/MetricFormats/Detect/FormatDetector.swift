#if !METRICAT_ONE_MODULE
    import MetricCore
#endif

/// Guesses the input format from the first non-blank lines, and refuses when the guess would matter.
///
/// Each line is checked against the shape of every format; a format stays a candidate only while
/// every line fits it. Some lines settle it alone (`# TYPE`, a `{`, `name:1|c`). Graphite,
/// Wavefront and Prometheus share the form `name value [timestamp]`; when only those remain and
/// they would read the lines the same way, the choice is made by the timestamp's digit count
/// (13 digits: Prometheus milliseconds) and by `k=v` point tags (Wavefront), else Graphite.
public enum FormatDetector {
    /// Why the detector decided: a short reason, and the line it is about.
    public struct Reason: Sendable, Equatable {
        public var line: Int
        public var message: String
    }

    public enum Result: Sendable, Equatable {
        case format(MetricFormat, reason: String)
        case ambiguous([MetricFormat], reason: Reason)
        case unknown(Reason)
    }

    /// Lines looked at, at most.
    public static let maxLines = 16
    /// Bytes looked at, at most.
    public static let maxBytes = 64 * 1024

    /// True when `bytes` (the start of the input) are enough to decide: a decisive line, enough
    /// lines, or enough bytes.
    public static func hasEnough(_ bytes: [UInt8]) -> Bool {
        if bytes.count >= maxBytes { return true }
        let scan = scanLines(bytes, completeOnly: true)
        if scan.lines >= maxLines { return true }
        if scan.decisive != nil || scan.conflict != nil { return true }
        return false
    }

    /// Decides the format of the input that starts with `bytes`.
    public static func detect(_ bytes: [UInt8]) -> Result {
        let scan = scanLines(bytes, completeOnly: false)
        if let (format, why) = scan.decisive { return .format(format, reason: why) }
        if let conflict = scan.conflict { return .unknown(conflict) }
        guard scan.lines > 0 else { return .unknown(Reason(line: 1, message: "the input has no metric lines")) }
        var set = scan.candidates
        if set.isEmpty {
            return .unknown(Reason(line: scan.firstMismatchLine, message: "line \(scan.firstMismatchLine) fits no known format"))
        }
        if set.count == 1, let only = set.first { return .format(only, reason: "every line fits it and no other format") }
        // Graphite, Wavefront and Prometheus all read `name value [ts]` the same way, unless told apart.
        let plain: Set<MetricFormat> = [.graphite, .wavefront, .prometheus]
        if set.isSubset(of: plain) {
            if scan.sawMillisecondTimestamp, set.contains(.prometheus) { return .format(.prometheus, reason: "name value timestamp-in-milliseconds") }
            if scan.sawPointTags, set.contains(.wavefront) { return .format(.wavefront, reason: "name value [timestamp] with point tags") }
            set.remove(.prometheus)
            if set.contains(.graphite) { return .format(.graphite, reason: "path value [timestamp-in-seconds]") }
            if set.contains(.wavefront) { return .format(.wavefront, reason: "name value [timestamp]") }
        }
        return .ambiguous(MetricFormat.allCases.filter { set.contains($0) }, reason: Reason(line: 1, message: "several formats fit"))
    }

    struct Scan {
        var lines = 0
        var candidates: Set<MetricFormat> = Set(MetricFormat.allCases)
        var decisive: (MetricFormat, String)?
        /// A line that settles a format no earlier line fits.
        var conflict: Reason?
        /// The line that ruled each format out.
        var excludedAt: [MetricFormat: Int] = [:]
        var firstMismatchLine = 1
        var sawMillisecondTimestamp = false
        var sawPointTags = false
    }

    static func scanLines(_ bytes: [UInt8], completeOnly: Bool) -> Scan {
        var scan = Scan()
        var start = 0
        var lineNumber = 0
        var firstLine: Int?  // the first non-blank line, where "starts with" is true of the input
        let limit = min(bytes.count, maxBytes)
        while start < limit, scan.lines < maxLines {
            // A line ends at a newline outside double quotes: a string field of line protocol (or a
            // quoted CSV cell) may hold raw newlines.
            var end = start
            var quoted = false
            var newlinesInside = 0
            while end < limit {
                let b = bytes[end]
                if quoted && b == ASCII.backslash {
                    end += 2
                    continue
                }
                if b == ASCII.quote { quoted.toggle() }
                if b == ASCII.newline {
                    if !quoted { break }
                    newlinesInside += 1
                }
                end += 1
            }
            end = min(end, limit)
            if end == limit && completeOnly && limit == bytes.count { break }
            lineNumber += 1 + newlinesInside
            var line = bytes[start..<end]
            start = end + 1
            while let f = line.first, ASCII.isWhitespace(f) { line = line.dropFirst() }
            while let l = line.last, ASCII.isWhitespace(l) { line = line.dropLast() }
            if line.isEmpty { continue }
            let first = firstLine ?? lineNumber
            firstLine = first
            if let (format, why) = decisiveFormat(line) {
                if scan.lines > 0 && !scan.candidates.contains(format) {
                    // Earlier lines fit no format, or not this one: say so rather than decide.
                    if scan.candidates.isEmpty {
                        scan.conflict = Reason(line: scan.firstMismatchLine, message: "line \(scan.firstMismatchLine) fits no known format")
                    } else {
                        scan.conflict = Reason(
                            line: lineNumber, message: "line \(lineNumber) looks like \(format.rawValue) (\(why)) but line \(scan.excludedAt[format] ?? first) does not")
                    }
                    return scan
                }
                if lineNumber == first {
                    scan.decisive = (format, why)
                } else {
                    scan.decisive = (format, why.hasPrefix("starts with") ? "line \(lineNumber) \(why)" : "line \(lineNumber): \(why)")
                }
                return scan
            }
            if line.first == ASCII.hash { continue }  // a comment in line protocol or Prometheus
            scan.lines += 1
            let fits = shapes(line, &scan)
            let before = scan.candidates
            scan.candidates.formIntersection(fits)
            if scan.candidates.isEmpty && !before.isEmpty { scan.firstMismatchLine = lineNumber }
            for f in before.subtracting(scan.candidates) where scan.excludedAt[f] == nil { scan.excludedAt[f] = lineNumber }
            if scan.candidates.count == 1 && !completeOnly { continue }
        }
        if completeOnly, scan.lines > 0, scan.candidates.count == 1, let only = scan.candidates.first, only != .graphite, only != .wavefront, only != .prometheus {
            scan.decisive = (only, "every line fits it and no other format")
        }
        return scan
    }

    /// A line that names its format by itself: a start one format's descriptor claims (`# TYPE `),
    /// else a shape one claims (`name:1|c`).
    static func decisiveFormat(_ line: ArraySlice<UInt8>) -> (MetricFormat, String)? {
        for format in MetricFormat.allCases {
            let d = format.descriptor
            if let prefix = d.detectionPrefixes.first(where: { startsWith(line, $0) }) {
                // A one-character start is named ("starts with {"), a longer one by the reason.
                return (format, prefix.utf8CodeUnitCount == 1 ? "starts with \(prefix)" : d.detectionReason)
            }
        }
        for format in MetricFormat.allCases {
            if let shape = format.descriptor.detectionShape, shape(line) { return (format, format.descriptor.detectionReason) }
        }
        return nil
    }

    static func startsWith(_ line: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { p in line.count >= p.count && line.prefix(p.count).elementsEqual(p) }
    }

    /// `bucket:value|type...` with a known type letter right after the first `|`.
    static func isStatsD(_ line: ArraySlice<UInt8>) -> Bool {
        guard let colon = line.firstIndex(of: ASCII.colon), colon > line.startIndex,
            let pipe = line[colon...].firstIndex(of: ASCII.pipe), pipe > colon + 1
        else { return false }
        if line[line.startIndex..<colon].contains(where: { $0 == ASCII.space || $0 == ASCII.tab }) { return false }
        var typeEnd = pipe + 1
        while typeEnd < line.endIndex, line[typeEnd] != ASCII.pipe, line[typeEnd] != ASCII.colon { typeEnd += 1 }
        let type = line[(pipe + 1)..<typeEnd]
        let known: [[UInt8]] = [[0x63], [0x67], [0x73], [0x6D, 0x73], [0x68], [0x64]]  // c g s ms h d
        return known.contains { type.elementsEqual($0) }
    }

    static func tokens(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var i = line.startIndex
        while i < line.endIndex {
            while i < line.endIndex, ASCII.isBlank(line[i]) { i += 1 }
            if i == line.endIndex { break }
            let s = i
            var quoted = false
            while i < line.endIndex {
                let b = line[i]
                if b == ASCII.backslash {
                    i += 2
                    continue
                }
                if b == ASCII.quote { quoted.toggle() }
                if !quoted && ASCII.isBlank(b) { break }
                i += 1
            }
            out.append(line[s..<min(i, line.endIndex)])
        }
        return out
    }

    /// A number as the Go-based formats read one (Go's `ParseFloat` spelling, out of range included).
    static func isNumber(_ t: ArraySlice<UInt8>) -> Bool {
        t.withUnsafeBufferPointer { GoNumber.parseFloat($0) } != .invalid
    }

    static func isInteger(_ t: ArraySlice<UInt8>) -> Bool {
        var t = t
        if t.first == ASCII.minus { t = t.dropFirst() }
        return !t.isEmpty && t.allSatisfy(ASCII.isDigit)
    }

    /// The formats whose line shape this line has.
    static func shapes(_ line: ArraySlice<UInt8>, _ scan: inout Scan) -> Set<MetricFormat> {
        var fits: Set<MetricFormat> = []
        let toks = tokens(line)
        // Influx: measurement[,tags] k=v[,k=v...] [timestamp]
        if toks.count >= 2, toks.count <= 3, let eq = toks[1].firstIndex(of: ASCII.equals), eq > toks[1].startIndex,
            toks.count == 2 || isInteger(toks[2])
        {
            fits.insert(.influx)
        }
        // name value [timestamp] [k=v ...]
        if toks.count >= 2, isNumber(toks[1]), !toks[0].contains(ASCII.equals) || toks[0].contains(ASCII.semicolon) {
            let name = toks[0]
            var rest = toks.dropFirst(2)
            var timestamp: ArraySlice<UInt8>?
            if let t = rest.first, !t.contains(ASCII.equals) {
                timestamp = t
                rest = rest.dropFirst()
            }
            let tagsOK = rest.allSatisfy { $0.contains(ASCII.equals) }
            let hasTags = !rest.isEmpty
            if let timestamp, timestamp.count == 13, isInteger(timestamp) { scan.sawMillisecondTimestamp = true }
            if hasTags && tagsOK { scan.sawPointTags = true }
            if tagsOK && (timestamp == nil || isNumber(timestamp!)) {
                fits.insert(.wavefront)
                if !hasTags {
                    if !name.contains(UInt8(ascii: "{")) { fits.insert(.graphite) }
                    let isMillis = timestamp.map { $0.count >= 12 } ?? false
                    if isPrometheusName(name) && (timestamp == nil || isInteger(timestamp!)) {
                        fits.insert(.prometheus)
                        if isMillis { fits.remove(.graphite) }
                    }
                }
                if name.first == ASCII.quote { fits.remove(.graphite) }
            }
        }
        if toks.count >= 2, line.contains(UInt8(ascii: "{")), let last = toks.last, isNumber(last) || toks.count >= 3 {
            if let open = line.firstIndex(of: UInt8(ascii: "{")), isPrometheusName(line[line.startIndex..<open]) { fits.insert(.prometheus) }
        }
        // CSV: comma-separated, no unquoted blanks between fields.
        if line.contains(ASCII.comma), !fits.contains(.influx) {
            fits.insert(.csv)
        }
        return fits
    }

    static func isPrometheusName(_ t: ArraySlice<UInt8>) -> Bool {
        var t = t
        if let brace = t.firstIndex(of: UInt8(ascii: "{")) { t = t[t.startIndex..<brace] }
        guard let f = t.first, !ASCII.isDigit(f) else { return false }
        return t.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || ASCII.isDigit(b) || b == 0x5F || b == ASCII.colon
        }
    }
}
