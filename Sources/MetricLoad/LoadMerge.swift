import MetricFormats
import MetricatKit

/// `load --merge`: several `--json` reports of single runs (one per sending host) summed into one,
/// as if one sender had sent everything: counts add up, the duration is the longest, rates are
/// recomputed over it. Reports of different shapes (a ramp, another format or transport) are refused.
public enum LoadMerge {
    /// At most this many reports are merged.
    public static let maxReports = 10_000

    /// Prints the merged report (the table on stderr, `--json` on stdout); exit 1 when its loss
    /// exceeds `maxLoss`, 65 for a report that cannot be merged, 74 for one that cannot be read.
    public static func run(_ paths: [String], json: Bool, maxLoss: Double?, diagnostics: Diagnostics) -> ExitStatus {
        do {
            let m = try merge(paths)
            StandardStreams.writeError(LoadResult(runs: [m], ramp: false, knee: nil, maxLoss: maxLoss).table())
            StandardStreams.writeError("merged \(paths.count) reports: counts summed, duration the longest, rates over it\n")
            if json { LoadFrontend.writeOut(Self.json(m, reports: paths.count) + "\n") }
            if let maxLoss, let f = m.lossFraction, f > maxLoss {
                StandardStreams.writeError("metricat: load: loss \(RateText.fixed(f * 100, 3))% exceeds --max-loss \(RateText.fixed(maxLoss * 100, 3))%\n")
                return .expectationFailed
            }
            return .ok
        } catch {
            diagnostics.ioError(error.description)
            return error.exitStatus
        }
    }

    /// Reads, checks and sums the reports in `paths`; the error says which file and what is wrong.
    public static func merge(_ paths: [String]) throws(LoadError) -> LoadReport {
        guard paths.count >= 1 else { throw .usage("--merge: name the --json reports to merge (example: --merge a.json b.json)") }
        guard paths.count <= maxReports else { throw .usage("--merge: \(paths.count) reports; at most \(maxReports)") }
        var reports: [(String, JSONDocument)] = []
        for path in paths {
            var data: [UInt8] = []
            do throws(InputError) {
                let source = try ByteSource(path: path)
                try source.forEachChunk { chunk in
                    data.append(contentsOf: chunk)
                    return data.count <= maxReportBytes
                }
            } catch {
                throw .io("\(path): cannot read the report: \(error)")
            }
            guard data.count <= maxReportBytes else { throw .data("\(path): larger than \(maxReportBytes) bytes: not a 'metricat load --json' report") }
            let report: JSONDocument
            do throws(JSONDocument.SyntaxError) {
                report = try JSONDocument.parse(data)
            } catch {
                throw .data("\(path): not JSON (\(error)): expected the output of 'metricat load --json'")
            }
            guard case .object = report else {
                throw .data("\(path): not a JSON object: expected the output of 'metricat load --json'")
            }
            reports.append((path, report))
        }
        return try sum(reports)
    }

    /// The largest report read: a single run's `--json` is under 2 KiB.
    public static let maxReportBytes = 1 << 20

    /// Sums parsed reports (name, object); see ``merge(_:)``.
    public static func sum(_ reports: [(String, JSONDocument)]) throws(LoadError) -> LoadReport {
        let (firstName, first) = reports[0]
        for (name, r) in reports {
            for key in ["sent", "offered", "attempted", "datagrams", "bytes"] where count(r[key]) == nil {
                throw .data("\(name): \"\(key)\" is not a count (a whole number from 0 to 1.8e19): expected the output of 'metricat load --json'")
            }
            if (number(r["duration_s"]) ?? -1) < 0 {
                throw .data("\(name): \"duration_s\" is not a number of seconds: expected the output of 'metricat load --json'")
            }
            if r["steps"] != nil {
                throw .data("\(name): a --ramp report; only reports of single runs can be merged (merge the ramp steps' rates by hand)")
            }
            for key in ["format", "transport"] where r[key]?.string != first[key]?.string {
                throw .data("\(name): \"\(key)\" is \(describe(r[key])), but \(firstName) has \(describe(first[key])): only reports of one shape can be merged")
            }
        }
        var m = LoadReport()
        m.format = first["format"]?.string ?? ""
        m.transport = first["transport"]?.string ?? ""
        let targets = Set(reports.map { $0.1["target"]?.string ?? "" })
        m.target = targets.count == 1 ? targets.first! : "\(reports.count) reports, \(targets.count) targets"
        var duration = 0.0
        var sent: UInt64 = 0
        var byteSum = 0.0
        for (name, r) in reports {
            /// Adds `key`'s count; a sum past 2⁶⁴ - 1 is refused, never wrapped.
            func add(_ total: inout UInt64, _ key: String, _ value: JSONDocument?) throws(LoadError) {
                let (s, overflow) = total.addingReportingOverflow(count(value) ?? 0)
                if overflow { throw .data("\(name): \"\(key)\" makes the sum larger than \(UInt64.max): not a count these reports can have") }
                total = s
            }
            duration = max(duration, number(r["duration_s"]) ?? 0)
            try add(&m.send.offered, "offered", r["offered"])
            try add(&m.send.attempted, "attempted", r["attempted"])
            try add(&m.send.sent, "sent", r["sent"])
            try add(&m.send.datagrams, "datagrams", r["datagrams"])
            try add(&m.send.bytes, "bytes", r["bytes"])
            m.send.reconnects += Int(min(count(r["reconnects"]) ?? 0, 1_000_000))
            if case .object(let errors)? = r["errors"] {
                for (k, v) in errors.sorted(by: { $0.key < $1.key }) { try add(&m.send.errors[k, default: 0], "errors.\(k)", v) }
            }
            let s = count(r["sent"]) ?? 0
            sent = m.send.sent
            byteSum += (number(r["line_bytes"]) ?? 0) * Double(s)
        }
        m.durationSeconds = duration
        m.send.elapsedNanoseconds = Int64(duration * 1e9)
        m.lineBytes = sent > 0 ? byteSum / Double(sent) : number(first["line_bytes"]) ?? 0
        // Counts a report may not know (null): the sum is known only when every report knows it.
        func total(_ key: String) -> UInt64? {
            var t: UInt64 = 0
            for (_, r) in reports {
                guard let v = count(r[key]) else { return nil }
                let (s, overflow) = t.addingReportingOverflow(v)
                if overflow { return nil }
                t = s
            }
            return t
        }
        m.received = total("received")
        m.lost = total("lost")
        m.duplicated = total("duplicated")
        m.reordered = total("reordered")
        m.late = total("late")
        m.unnumbered = total("unnumbered")
        m.kernelDrops = total("kernel_drops")
        let rates = reports.map { number($0.1["rate_target"]) }
        m.rate = rates.contains(nil) ? nil : rates.reduce(0.0) { $0 + $1! }
        let sources = Set(reports.map { $0.1["received_source"]?.string })
        m.receivedSource = sources.count == 1 ? sources.first! : nil
        let perDatagram = Set(reports.map { count($0.1["lines_per_datagram"]) ?? 1 })
        m.linesPerDatagram = perDatagram.count == 1 ? Int(perDatagram.first!) : 1
        m.interrupted = reports.compactMap { $0.1["interrupted"]?.string }.first
        return m
    }

    /// The merged report as JSON: the keys of a single run, plus `merged` (how many reports).
    public static func json(_ m: LoadReport, reports: Int) -> String {
        var o = m.jsonObject()
        o.add("merged", reports)
        return o.text
    }

    static func number(_ v: JSONDocument?) -> Double? { v?.number }

    /// A whole, non-negative count, nil for null or anything else.
    static func count(_ v: JSONDocument?) -> UInt64? { v?.count }

    static func describe(_ v: JSONDocument?) -> String {
        if let s = v?.string { return "\"\(s)\"" }
        return "missing"
    }
}
