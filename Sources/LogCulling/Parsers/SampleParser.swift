/// Logster's SampleLogster: HTTP status classes of an access log.
///
/// Equivalent to Logster's `re.match('.*HTTP/1.\d" (\d{3}) .*')`: the greedy `.*` makes the LAST
/// `HTTP/1?D" DDD ` in the line win, and `.` is any byte, so this scans backwards from the end for
/// a quote and checks the 14 bytes around it. HTTP/2.0, `http/1.1`, a tab or two spaces, or no space
/// after the status do not match (as in Logster).
final class SampleParser: LogParser {
    var classes = StatusClasses()

    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool {
        let n = line.count
        guard n >= 14, let base = line.baseAddress else { return false }
        let p = base.assumingMemoryBound(to: UInt8.self)
        // Layout around the quote at q: HTTP/1 at q-8..q-3, any at q-2, digit at q-1, `" ` DDD ` `.
        var q = n - 6
        while q >= 8 {
            if p[q] == 0x22, p[q + 1] == 0x20, p[q + 5] == 0x20 {
                let d0 = p[q + 2] &- 0x30
                let d1 = p[q + 3] &- 0x30
                let d2 = p[q + 4] &- 0x30
                if d0 < 10, d1 < 10, d2 < 10, B.isDigit(p[q - 1]), p[q - 2] != 0x0A,
                    p[q - 8] == 0x48, p[q - 7] == 0x54, p[q - 6] == 0x54, p[q - 5] == 0x50, p[q - 4] == 0x2F, p[q - 3] == 0x31
                {
                    classes.add(Int(d0) * 100 + Int(d1) * 10 + Int(d2))
                    return true
                }
            }
            q -= 1
        }
        return false
    }

    func metrics(_ rate: RateContext) -> [LogMetric] { classes.metrics(rate) }
}

/// Logster's Log4jLogster: lines per level, `[0-9\-_:.]+ (LEVEL|...)` at the start of the line.
///
/// The level is a prefix match tried in the order given (`WARNING` counts as `WARN`). Fixed here:
/// Logster never matches log4j's ISO8601 layout (`2024-05-01 12:00:00,123 WARN`), because its
/// timestamp class has no space or comma; this parser also accepts a date, one space and a time with
/// a `,` for the milliseconds.
final class Log4jParser: LogParser {
    let levels: [[UInt8]]
    let names: [String]
    var counts: [Int]

    init(levels: [String]) {
        names = levels
        self.levels = levels.map { Array($0.utf8) }
        counts = Array(repeating: 0, count: levels.count)
    }

    @inline(__always) static func isStamp(_ c: UInt8, comma: Bool) -> Bool {
        B.isDigit(c) || c == 0x2D || c == 0x5F || c == 0x3A || c == 0x2E || (comma && c == 0x2C)
    }

    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool {
        let n = line.count
        guard n > 0, let base = line.baseAddress else { return false }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        while i < n, Self.isStamp(p[i], comma: false) { i += 1 }
        guard i > 0, i < n, p[i] == 0x20 else { return false }
        if countLevel(p, n, i + 1) { return true }
        // ISO8601: `yyyy-MM-dd HH:mm:ss,SSS LEVEL`.
        var j = i + 1
        let timeStart = j
        while j < n, Self.isStamp(p[j], comma: true) { j += 1 }
        guard j > timeStart, j < n, p[j] == 0x20 else { return false }
        return countLevel(p, n, j + 1)
    }

    private func countLevel(_ p: UnsafePointer<UInt8>, _ n: Int, _ at: Int) -> Bool {
        for (k, level) in levels.enumerated() where B.has(p, n, at, level) {
            counts[k] += 1
            return true
        }
        return false
    }

    func metrics(_ rate: RateContext) -> [LogMetric] {
        names.indices.map { LogMetric(names[$0], rate.rate(counts[$0])) }
    }
}

/// Logster's PostfixLogster: `.*delay=([^,]+),.*status=(sent|deferred|bounced)` (last match wins).
///
/// Raw counts as ints, percentages of the three, transactions and sends per second, and the mean
/// delay of sent mail (int 0 when none was sent). A delay Python's `float()` rejects drops the line.
final class PostfixParser: LogParser {
    var sent = 0, deferred = 0, bounced = 0
    var totalDelay = 0.0

    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool {
        let n = line.count
        guard n > 0, let base = line.baseAddress else { return false }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var from = n - 1
        while let d = B.lastIndex(of: "delay=", in: p, n, atOrBefore: from) {
            from = d - 1
            let vStart = d + 6
            var c = vStart
            while c < n, p[c] != 0x2C { c += 1 }
            guard c < n, c > vStart else { continue }
            var s = n - 1
            while let st = B.lastIndex(of: "status=", in: p, n, atOrBefore: s, notBefore: c + 1) {
                s = st - 1
                let v = st + 7
                if B.has(p, n, v, "sent") {
                    guard let delay = B.pythonFloat(B.string(p, vStart..<c)) else { return false }
                    totalDelay += delay
                    sent += 1
                    return true
                }
                if B.has(p, n, v, "deferred") {
                    deferred += 1
                    return true
                }
                if B.has(p, n, v, "bounced") {
                    bounced += 1
                    return true
                }
            }
        }
        return false
    }

    func metrics(_ rate: RateContext) -> [LogMetric] {
        let total = sent + deferred + bounced
        func pct(_ x: Int) -> LogValue { total > 0 ? .float(Double(x) / Double(total) * 100) : .float(0) }
        let avg: LogValue = sent > 0 ? .float(totalDelay / Double(sent)) : .int(0)
        return [
            LogMetric("numSent", .int(Int64(sent))), LogMetric("pctSent", pct(sent)),
            LogMetric("numDeferred", .int(Int64(deferred))), LogMetric("pctDeferred", pct(deferred)),
            LogMetric("numBounced", .int(Int64(bounced))), LogMetric("pctBounced", pct(bounced)),
            LogMetric("mailTxnsSec", rate.rate(total)), LogMetric("mailSentSec", rate.rate(sent)),
            LogMetric("avgDelay", avg),
        ]
    }
}

/// Logster's SquidLogster on Squid's native access.log:
/// `^[0-9.]+ +(\d+) .*((TCP|UDP|NONE)_[A-Z_]+)/(\d{3}) .*` (the last code/status wins).
///
/// Fixed here: Logster's `size` sums the second field, which is the elapsed time in milliseconds,
/// not bytes. `size` is the bytes field (the one after code/status) per second, and the elapsed
/// time is reported as `elapsed_ms` per second.
final class SquidParser: LogParser {
    var classes = StatusClasses()
    var bytes = 0
    var elapsed = 0
    var codes = [0, 0, 0, 0, 0]  // TCP_MISS, TCP_DENIED, TCP_HIT, TCP_MEM_HIT, OTHER
    static let codeNames: [[UInt8]] = ["TCP_MISS", "TCP_DENIED", "TCP_HIT", "TCP_MEM_HIT"].map { Array($0.utf8) }

    @inline(__always) static func isCodeChar(_ c: UInt8) -> Bool { c &- 0x41 < 26 || c == 0x5F }

    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool {
        let n = line.count
        guard n > 0, let base = line.baseAddress else { return false }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        while i < n, B.isDigit(p[i]) || p[i] == 0x2E { i += 1 }
        guard i > 0, i < n, p[i] == 0x20 else { return false }
        while i < n, p[i] == 0x20 { i += 1 }
        let e0 = i
        var ms = 0
        while i < n, B.isDigit(p[i]) {
            ms = ms &* 10 &+ Int(p[i] &- 0x30)
            i += 1
        }
        guard i > e0, i < n, p[i] == 0x20 else { return false }
        let lo = i + 1
        // The last `/DDD ` preceded by a code that starts with TCP_, UDP_ or NONE_ at or after lo.
        var slash = n - 5
        while slash > lo {
            defer { slash -= 1 }
            guard p[slash] == 0x2F, B.isDigit(p[slash + 1]), B.isDigit(p[slash + 2]), B.isDigit(p[slash + 3]), p[slash + 4] == 0x20 else { continue }
            var r = slash
            while r > lo, Self.isCodeChar(p[r - 1]) { r -= 1 }
            var start: Int? = nil
            var s = slash - 2
            while s >= r {
                if (B.has(p, n, s, "TCP_") || B.has(p, n, s, "UDP_")) && s + 4 < slash {
                    start = s
                    break
                }
                if B.has(p, n, s, "NONE_") && s + 5 < slash {
                    start = s
                    break
                }
                s -= 1
            }
            guard let start else { continue }
            classes.add(Int(p[slash + 1] &- 0x30) * 100 + Int(p[slash + 2] &- 0x30) * 10 + Int(p[slash + 3] &- 0x30))
            var k = 4
            for (j, name) in Self.codeNames.enumerated() where name.count == slash - start && B.has(p, n, start, name) { k = j }
            codes[k] += 1
            elapsed &+= ms
            var b = slash + 5
            var size = 0
            while b < n, B.isDigit(p[b]) {
                size = size &* 10 &+ Int(p[b] &- 0x30)
                b += 1
            }
            bytes &+= size
            return true
        }
        return false
    }

    func metrics(_ rate: RateContext) -> [LogMetric] {
        var out = classes.metrics(rate)
        out.append(LogMetric("size", rate.rate(bytes)))
        out.append(LogMetric("elapsed_ms", rate.rate(elapsed)))
        for (j, name) in ["TCP_MISS", "TCP_DENIED", "TCP_HIT", "TCP_MEM_HIT", "OTHER"].enumerated() {
            out.append(LogMetric("squid_" + name, rate.rate(codes[j])))
        }
        return out
    }
}

/// Logster's ErrorLogLogster: Apache error-log lines per level per 10 seconds,
/// `^\[[^]]+\] \[(\w+)\] .*` (notice, warn, error, crit, and other for any other word).
///
/// Fixed here: Apache 2.4 writes `[module:level]` (`[core:error]`), which Logster never matches;
/// the level after the colon is used.
final class ApacheErrorParser: LogParser {
    var counts = [0, 0, 0, 0, 0]  // notice warn error crit other
    static let names = ["notice", "warn", "error", "crit", "other"]
    static let levels: [[UInt8]] = ["notice", "warn", "error", "crit"].map { Array($0.utf8) }

    func parse(_ line: UnsafeRawBufferPointer, complete: Bool) -> Bool {
        let n = line.count
        guard n > 0, let base = line.baseAddress else { return false }
        let p = base.assumingMemoryBound(to: UInt8.self)
        guard p[0] == 0x5B else { return false }
        var i = 1
        while i < n, p[i] != 0x5D { i += 1 }
        guard i > 1, i + 2 < n, p[i + 1] == 0x20, p[i + 2] == 0x5B else { return false }
        var w = i + 3
        var levelStart = w
        while w < n, B.isWord(p[w]) || (p[w] == 0x3A && w > levelStart) {
            if p[w] == 0x3A { levelStart = w + 1 }
            w += 1
        }
        guard w > levelStart, w + 1 < n, p[w] == 0x5D, p[w + 1] == 0x20 else { return false }
        var k = 4
        for (j, level) in Self.levels.enumerated() where level.count == w - levelStart && B.has(p, n, levelStart, level) { k = j }
        counts[k] += 1
        return true
    }

    func metrics(_ rate: RateContext) -> [LogMetric] {
        Self.names.indices.map { j in
            if rate.totals { return LogMetric(Self.names[j], .int(Int64(counts[j]))) }
            return LogMetric(Self.names[j], .float(Double(counts[j]) / (Double(max(rate.duration, 1)) / 10.0)))
        }
    }
}
