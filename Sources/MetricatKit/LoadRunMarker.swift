/// The lines with which `load --sink-report` brackets a run, so that `listen --sequence` can tie its
/// summary to that run: `#metricat-load begin RUN` before a sender's first line and
/// `#metricat-load end RUN sK/N` after its last (sender K of N). `RUN` is `r` and 16 hex digits.
///
/// The words are chosen so that no sequence key finds a number in them (a key is followed by a
/// separator and digits there nowhere), and `#` makes them a comment to line-protocol parsers.
public struct LoadRunMarker: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case begin
        /// Sender `sender` (1-based) of `of` has sent its last line.
        case end(sender: Int, of: Int)
    }

    public var run: String
    public var phase: Phase

    public init(run: String, phase: Phase) {
        self.run = run
        self.phase = phase
    }

    static let prefix = Array("#metricat-load ".utf8)

    /// A fresh run id: `r` and 16 random hex digits.
    public static func newRun() -> String {
        let v = UInt64.random(in: 0...UInt64.max)
        let hex = String(v, radix: 16)
        return "r" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Whether `text` is a run id as ``newRun()`` makes them.
    public static func isRun<S: StringProtocol>(_ text: S) -> Bool {
        text.utf8.count == 17 && text.hasPrefix("r") && text.utf8.dropFirst().allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// The line, with its newline.
    public var line: String {
        switch phase {
        case .begin: return "#metricat-load begin \(run)\n"
        case .end(let k, let n): return "#metricat-load end \(run) s\(k)/\(n)\n"
        }
    }

    /// Reads a marker line (without its newline); nil for any other line.
    public init?(parsing bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count >= Self.prefix.count + 6, bytes.count <= 64, bytes.starts(with: Self.prefix) else { return nil }
        let words = String(decoding: bytes, as: UTF8.self).split(separator: " ")
        guard words.count >= 3, Self.isRun(words[2]) else { return nil }
        switch words[1] {
        case "begin" where words.count == 3:
            self.init(run: String(words[2]), phase: .begin)
        case "end" where words.count == 4 && words[3].hasPrefix("s"):
            let parts = words[3].dropFirst().split(separator: "/")
            guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 64, k >= 1, k <= n else { return nil }
            self.init(run: String(words[2]), phase: .end(sender: k, of: n))
        default:
            return nil
        }
    }
}
