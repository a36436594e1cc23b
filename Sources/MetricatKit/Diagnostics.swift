import MetricFormats

/// The one path every finding takes: it prints `FILE:LINE:COLUMN: message` on stderr, counts
/// errors and warnings, and decides the exit status.
///
/// `--strict` makes the first error stop the run (``shouldStop``); `-v` shows notes.
public final class Diagnostics {
    public private(set) var errorCount = 0
    public private(set) var warningCount = 0
    public let strict: Bool
    public let verbose: Bool
    /// Set by the first error in strict mode; the pipeline stops reading.
    public private(set) var shouldStop = false
    private let write: (String) -> Void
    private var ioFailure: String?

    /// - Parameter write: receives each finished line, newline included (stderr by default).
    public init(strict: Bool = false, verbose: Bool = false, write: ((String) -> Void)? = nil) {
        self.strict = strict
        self.verbose = verbose
        let sink = write ?? { StandardStreams.writeError($0) }
        self.write = { sink(Self.printable($0)) }
    }

    /// The line with control characters other than tab and the final newline shown as `\xHH`, and
    /// the C1 controls (U+0080-U+009F) and the line and paragraph separators (U+2028, U+2029) as
    /// `\uHHHH`: a message that quotes input stays one line on stderr for any reader that splits
    /// lines (Python's `splitlines` breaks at U+0085 and U+2028) and cannot send escape sequences to
    /// a terminal (a form feed, ESC or CSI in a datagram, a newline inside a quoted value).
    static func printable(_ line: String) -> String {
        let utf8 = line.utf8
        let body = Array(utf8.last == 0x0A ? utf8.dropLast() : utf8[...])
        let n = body.count
        /// The length of the sequence at `i` that must be escaped; 0 for a byte written as it is.
        func unsafeLength(_ i: Int) -> Int {
            let b = body[i]
            if (b < 0x20 && b != 0x09) || b == 0x7F { return 1 }
            if b == 0xC2, i + 1 < n, body[i + 1] >= 0x80, body[i + 1] <= 0x9F { return 2 }
            if b == 0xE2, i + 2 < n, body[i + 1] == 0x80, body[i + 2] == 0xA8 || body[i + 2] == 0xA9 { return 3 }
            return 0
        }
        guard (0..<n).contains(where: { unsafeLength($0) > 0 }) else { return line }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        let hex = Array("0123456789abcdef".utf8)
        var i = 0
        while i < n {
            switch unsafeLength(i) {
            case 1: out += [0x5C, 0x78, hex[Int(body[i] >> 4)], hex[Int(body[i] & 15)]]
            case 2: out += Array("\\u00".utf8) + [hex[Int(body[i + 1] >> 4)], hex[Int(body[i + 1] & 15)]]
            case 3: out += Array((body[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
            default: out.append(body[i])
            }
            i += max(unsafeLength(i), 1)
        }
        if n < utf8.count { out.append(0x0A) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reports a finding about `source` (a file name, `-` for stdin, or a peer address).
    public func report(_ d: Diagnostic, source: String?) {
        switch d.severity {
        case .error:
            errorCount += 1
            if strict { shouldStop = true }
        case .warning:
            warningCount += 1
        case .note:
            if !verbose { return }
        }
        var line = ""
        if let source, d.line != nil { line += source + ":" }
        line += d.description
        write(line + "\n")
    }

    /// A note shown only with `-v`: `metricat: note: ...`.
    public func note(_ message: String) {
        guard verbose else { return }
        write("metricat: note: \(message)\n")
    }

    /// A warning not tied to a place in the input.
    public func warning(_ message: String) {
        warningCount += 1
        write("metricat: warning: \(message)\n")
    }

    /// An I/O failure (a file that cannot be read, a closed stdout): exit status 74.
    public func ioError(_ message: String) {
        ioFailure = message
        write("metricat: \(message)\n")
    }

    /// A finished line from a ``Diagnostics`` that worked on another thread (and wrote its lines
    /// into a mailbox): printed here, in this run's order. Its counts come with ``absorb(_:)``.
    public func relay(_ line: String) {
        write(line)
    }

    /// Adds the counts and the I/O failure of a ``Diagnostics`` that worked beside this one, on a
    /// thread that has ended.
    public func absorb(_ other: Diagnostics) {
        errorCount += other.errorCount
        warningCount += other.warningCount
        if let failure = other.ioFailure { ioFailure = failure }
        if strict && other.errorCount > 0 { shouldStop = true }
    }

    /// 74 after an I/O failure, 65 when any input was rejected, else 0.
    public var exitStatus: ExitStatus {
        if ioFailure != nil { return .ioError }
        if errorCount > 0 { return .dataError }
        return .ok
    }
}
