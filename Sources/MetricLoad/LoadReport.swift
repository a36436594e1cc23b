import MetricatKit

#if canImport(Glibc)
    import Glibc
#endif

/// Every figure of one run (or one ramp step), with the keys scripts rely on.
public struct LoadReport: Sendable {
    public var target = ""
    public var transport = ""
    public var format = ""
    public var durationSeconds = 0.0
    public var send = SendCounters()
    /// Lines the receiver got (duplicates included); nil when nobody could say.
    public var received: UInt64?
    /// Where `received` comes from: `sequence` (embedded sink), `listen` (--sink-report), `kernel`
    /// (sent minus the target socket's drops), or nil.
    public var receivedSource: String?
    public var lost: UInt64?
    public var duplicated: UInt64?
    public var reordered: UInt64?
    public var late: UInt64?
    public var unnumbered: UInt64?
    /// Receive-buffer drops of the receiving socket (`/proc/net/udp`), nil when not found.
    public var kernelDrops: UInt64?
    /// Host-wide `Udp: RcvbufErrors` and `InErrors` changes over the run (`/proc/net/snmp`).
    public var snmpReceiveBufferErrors: UInt64?
    public var snmpInErrors: UInt64?
    public var rate: Double?
    public var lineBytes = 0.0
    public var linesPerDatagram = 1
    public var receiveBuffer: Int32?
    public var receiveBufferMax: Int?
    public var sendBuffer: Int32?
    /// UDP only: whether the sender used GSO (several datagrams cut from one send by the kernel), and
    /// how many datagrams per send.
    public var gso: Bool?
    public var gsoSegments: Int?
    /// Datagrams (or stream reads) the embedded sink received.
    public var receivedDatagrams: UInt64?
    /// `SIGINT` or `SIGTERM` when a signal stopped the run early: the figures cover the time that ran.
    public var interrupted: String?
    /// The run id sent to the receiver with `--sink-report` (``LoadRunMarker``).
    public var run: String?

    public init() {}

    public var rateOffered: Double { durationSeconds > 0 ? Double(send.offered) / durationSeconds : 0 }
    public var rateSent: Double { durationSeconds > 0 ? Double(send.sent) / durationSeconds : 0 }
    public var rateReceived: Double? { received.map { durationSeconds > 0 ? Double($0 - (duplicated ?? 0)) / durationSeconds : 0 } }

    /// Lost over offered... no: lost over sent, the fraction the receiving side lost.
    public var lossFraction: Double? {
        guard let lost else { return nil }
        return send.sent > 0 ? Double(lost) / Double(send.sent) : 0
    }

    /// Lines that never left this host: sender errors and schedule shortfall are not loss at the receiver.
    public var senderFailures: UInt64 { send.attempted - send.sent }

    /// The run's keys (rates and seconds to three decimals).
    func jsonObject() -> JSONObjectWriter {
        var o = JSONObjectWriter()
        o.add("target", target)
        o.add("transport", transport)
        o.add("format", format)
        o.add("duration_s", durationSeconds, decimals: 3)
        o.add("offered", send.offered)
        o.add("sent", send.sent)
        o.add("datagrams", send.datagrams)
        o.add("bytes", send.bytes)
        o.add("received", received)
        o.add("lost", lost)
        o.add("duplicated", duplicated)
        o.add("reordered", reordered)
        o.add("kernel_drops", kernelDrops)
        o.add("errors", counts: send.errors)
        o.add("rate_offered", rateOffered, decimals: 3)
        o.add("rate_sent", rateSent, decimals: 3)
        o.add("rate_received", rateReceived, decimals: 3)
        o.add("rate_target", rate, decimals: 3)
        o.add("received_source", receivedSource)
        o.add("late", late)
        o.add("unnumbered", unnumbered)
        o.add("attempted", send.attempted)
        o.add("reconnects", send.reconnects)
        o.add("snmp_rcvbuf_errors", snmpReceiveBufferErrors)
        o.add("snmp_in_errors", snmpInErrors)
        o.add("line_bytes", lineBytes, decimals: 3)
        o.add("lines_per_datagram", linesPerDatagram)
        o.add("receive_buffer", receiveBuffer)
        o.add("rmem_max", receiveBufferMax)
        o.add("send_buffer", sendBuffer)
        o.add("gso", gso)
        o.add("gso_segments", gsoSegments)
        o.add("received_datagrams", receivedDatagrams)
        o.add("interrupted", interrupted)
        o.add("run", run)
        return o
    }
}

/// A whole `load` result: one run, or the steps of a ramp and its knee.
public struct LoadResult: Sendable {
    public var runs: [LoadReport]
    public var ramp: Bool
    /// The highest offered rate whose loss stayed under `--max-loss` (ramp only).
    public var knee: Double?
    public var maxLoss: Double?
    /// Why a ramp stopped before its last rate, for the table.
    public var stopReason: String?

    /// The run's figures with the host facts; with a ramp, the last step's keys plus `steps` and `knee`.
    public func json() -> String {
        guard let last = runs.last else { return "{}" }
        var o = last.jsonObject()
        o.add("host", HostFacts.json())
        if ramp {
            o.add("steps", objects: runs.map { $0.jsonObject() })
            o.add("knee", knee, decimals: 3)
        }
        o.add("max_loss", maxLoss, decimals: 3)
        return o.text
    }

    /// A readable table for stderr.
    public func table() -> String {
        var out = ""
        guard let first = runs.first else { return out }
        out +=
            "metricat load: \(first.format) over \(first.transport) to \(first.target), \(RateText.fixed(first.lineBytes, 1))-byte lines, \(first.linesPerDatagram) per \(first.transport.hasPrefix("udp") || first.transport == "unixgram" ? "datagram" : "write")\n"
        let header = ["offered/s", "sent/s", "received/s", "sent", "received", "lost", "loss", "dup", "reord", "kernel", "errors"]
        var rows: [[String]] = [header]
        for r in runs {
            let errors = r.send.errors.isEmpty ? "0" : r.send.errors.keys.sorted().map { "\($0) \(r.send.errors[$0]!)" }.joined(separator: ", ")
            rows.append([
                RateText.format(r.rateOffered), RateText.format(r.rateSent), r.rateReceived.map(RateText.format) ?? "-",
                String(r.send.sent), r.received.map(String.init) ?? "-", r.lost.map(String.init) ?? "-",
                r.lossFraction.map { RateText.fixed($0 * 100, 3) + "%" } ?? "-",
                r.duplicated.map(String.init) ?? "-", r.reordered.map(String.init) ?? "-",
                r.kernelDrops.map(String.init) ?? "-", errors,
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        for row in rows {
            out += row.enumerated().map { i, c in String(repeating: " ", count: widths[i] - c.count) + c }.joined(separator: "  ") + "\n"
        }
        if let last = runs.last {
            var notes: [String] = []
            if let s = last.receivedSource, s == "kernel" { notes.append("received = sent - the target socket's kernel drops (what reached the collector's socket)") }
            if let rb = last.receiveBuffer { notes.append("receive buffer \(rb) bytes\(last.receiveBufferMax.map { " (rmem_max \($0))" } ?? "")") }
            if let e = last.snmpReceiveBufferErrors { notes.append("host Udp RcvbufErrors +\(e), InErrors +\(last.snmpInErrors ?? 0)") }
            if last.gso == true, let n = last.gsoSegments { notes.append("UDP GSO: up to \(n) datagrams per send") }
            if !notes.isEmpty { out += notes.joined(separator: "; ") + "\n" }
            if let signal = last.interrupted {
                out += "interrupted by \(signal) after \(RateText.fixed(last.durationSeconds, 1)) s: the figures cover the time that ran\n"
            }
        }
        if ramp {
            if let stopReason { out += "stopped: \(stopReason)\n" }
            out +=
                "knee: "
                + (knee.map { "\(RateText.format($0)) lines/s (highest offered rate with loss <= \(RateText.fixed((maxLoss ?? 0) * 100, 3))%)" }
                    ?? "none (every step lost more than --max-loss)") + "\n"
        }
        return out
    }
}

/// The machine a run used: kernel, CPUs, default socket buffers.
public enum HostFacts {
    public static func json() -> JSONObjectWriter {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        func sysctl(_ name: String) -> UInt64? {
            guard let f = fopen("/proc/sys/net/core/\(name)", "r") else { return nil }
            defer { fclose(f) }
            var buf = [CChar](repeating: 0, count: 64)
            guard fgets(&buf, 64, f) != nil else { return nil }
            return UInt64(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).filter { $0.isNumber })
        }
        var load = [Double](repeating: 0, count: 3)
        getloadavg(&load, 3)
        var o = JSONObjectWriter()
        o.add("kernel", release)
        o.add("cpus", sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        for name in ["rmem_default", "rmem_max", "wmem_default", "wmem_max"] { o.add(name, sysctl(name)) }
        o.add("loadavg", numbers: load, decimals: 3)
        return o
    }
}
