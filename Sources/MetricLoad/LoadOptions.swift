import MetricFormats
import MetricTransport
import MetricatKit

/// What `metricat load` does, as a value.
public struct LoadOptions: Sendable {
    /// The collector to flood; nil starts an ``EmbeddedSink`` on loopback.
    public var target: Endpoint?
    /// The embedded sink's transport: udp, udp6, tcp, tcp6, unix, unixgram.
    public var transport = "udp"
    public var format: MetricFormat = .influx
    public var formatOptions = FormatOptions()
    public var template = MetricTemplate(name: "cpu", tags: [Tag("host", "loadgen")], fields: [("usage_user", .literal(.float(12.5))), ("usage_system", .literal(.float(3.25)))])
    /// Lines per second; nil is as fast as possible (`--rate max`).
    public var rate: Double? = 100_000
    /// Run length in ns (used when `count` is nil).
    public var duration: Int64 = 3_000_000_000
    /// Lines to send, instead of a duration.
    public var count: UInt64?
    public var size: Int?
    public var series = 1
    /// Lines per datagram; nil packs as many as fit in `maxDatagram`.
    public var batch: Int? = 1
    public var maxDatagram = 1432
    /// Bytes per write on stream sockets.
    public var streamWrite = 64 * 1024
    public var seqKey: String? = "seq"
    /// Put the sequence number in a tag rather than a field (the default for formats without fields).
    public var seqAsTag: Bool?
    /// Sending threads, each with its own socket (connection) and its own sequence numbers (at most 9).
    public var senders = 1
    /// The first sender's number: sender k numbers its lines from (firstSender + k) × 10¹⁰, so the
    /// loads of several hosts are told apart by one `listen --sequence` (numbers 0-9 in all).
    public var firstSender = 0
    /// Receive buffer the embedded sink asks for.
    public var sinkReceiveBuffer: Int32? = 8 << 20
    /// UDP GSO for `--rate max` to this host (`--no-gso` turns it off).
    public var gso = true
    /// Unix datagram sends fail with EAGAIN instead of blocking (counted as sender drops).
    public var nonBlocking = false
    /// Idle time at the receiver before counting (ns).
    public var drain: Int64 = 500_000_000
    /// Fail (exit 1) when loss exceeds this fraction.
    public var maxLoss: Double?
    public var json = false
    public var progress = false
    /// `listen --sequence --json` output to read back for the receiver's counts: a file or an http:// URL.
    public var sinkReport: SinkReportSource?
    public var sinkReportWait: Int64 = 10_000_000_000
    /// `--ramp FROM..TO`.
    public var ramp: Ramp?
    public var plot: String?

    public init() {}
}

/// `--ramp 10k..2M --step x2 --step-duration 3s`.
public struct Ramp: Sendable, Equatable {
    public var from: Double
    public var to: Double
    public enum Step: Sendable, Equatable {
        case times(Double)
        case plus(Double)
    }
    public var step: Step = .times(2)
    public var stepDuration: Int64 = 3_000_000_000

    public init(from: Double, to: Double) {
        self.from = from
        self.to = to
    }

    /// The rates of every step, bounded at 1000 steps.
    public var rates: [Double] {
        var out: [Double] = []
        var r = from
        while r <= to * 1.000001 && out.count < 1000 {
            out.append(r)
            switch step {
            case .times(let f): r *= f
            case .plus(let d): r += d
            }
        }
        return out
    }

    /// Parses `FROM..TO` with rates like `10k`, `2M`.
    public static func parse(_ text: String) -> Ramp? {
        guard let r = text.firstRange(of: "..") else { return nil }
        guard let a = RateText.parse(String(text[..<r.lowerBound])), let b = RateText.parse(String(text[r.upperBound...])), a > 0, b >= a else { return nil }
        return Ramp(from: a, to: b)
    }

    /// Parses `x2` or `+50k`.
    public static func parseStep(_ text: String) -> Step? {
        if text.hasPrefix("x"), let f = Double(text.dropFirst()), f > 1, f.isFinite { return .times(f) }
        if text.hasPrefix("+"), let d = RateText.parse(String(text.dropFirst())), d > 0 { return .plus(d) }
        return nil
    }
}

/// Rates and counts on the command line: `5000`, `10k`, `2.5M`, `1G`.
public enum RateText {
    public static func parse(_ text: String) -> Double? {
        var t = Substring(text)
        var factor = 1.0
        switch t.last {
        case "k", "K":
            factor = 1e3
            t = t.dropLast()
        case "m", "M":
            factor = 1e6
            t = t.dropLast()
        case "g", "G":
            factor = 1e9
            t = t.dropLast()
        default: break
        }
        guard let v = Double(t), v.isFinite, v >= 0 else { return nil }
        return v * factor
    }

    /// `12.3k`, `2.00M`: a rate for a table.
    public static func format(_ v: Double) -> String {
        if v >= 1e6 { return fixed(v / 1e6, 2) + "M" }
        if v >= 1e4 { return fixed(v / 1e3, 1) + "k" }
        return String(Int(v.rounded()))
    }

    static func fixed(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int((v * scale).rounded())
        let whole = n / Int(scale)
        var frac = String(n % Int(scale))
        while frac.count < digits { frac = "0" + frac }
        return "\(whole).\(frac)"
    }
}

/// Errors of a load run, each mapped to an exit status.
public enum LoadError: Error, CustomStringConvertible {
    case usage(String)
    case unavailable(String)
    case io(String)
    /// Input that is not what it should be (a report `--merge` cannot use).
    case data(String)

    public var description: String {
        switch self {
        case .usage(let m), .unavailable(let m), .io(let m), .data(let m): return m
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .usage: return .usage
        case .unavailable: return .unavailable
        case .io: return .ioError
        case .data: return .dataError
        }
    }
}
