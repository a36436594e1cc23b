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

    /// The line with control characters other than tab and the final newline shown as `\xHH`:
    /// a message that quotes input stays one line on stderr and cannot send escape sequences to a
    /// terminal (a form feed or ESC in a datagram, a newline inside a quoted value).
    static func printable(_ line: String) -> String {
        let utf8 = line.utf8
        let body = utf8.last == 0x0A ? utf8.dropLast() : utf8[...]
        guard body.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else { return line }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        let hex = Array("0123456789abcdef".utf8)
        for b in body {
            if (b < 0x20 && b != 0x09) || b == 0x7F {
                out += [0x5C, 0x78, hex[Int(b >> 4)], hex[Int(b & 15)]]
            } else {
                out.append(b)
            }
        }
        if body.count < utf8.count { out.append(0x0A) }
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

    /// 74 after an I/O failure, 65 when any input was rejected, else 0.
    public var exitStatus: ExitStatus {
        if ioFailure != nil { return .ioError }
        if errorCount > 0 { return .dataError }
        return .ok
    }
}
