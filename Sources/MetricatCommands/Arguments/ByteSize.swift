import ArgumentParser

/// The bounds of a ``ByteSize`` flag, and sizes to show in a refusal.
protocol ByteSizeBounds: Sendable {
    static var range: ClosedRange<Int> { get }
    static var examples: [String] { get }
}

/// A size in bytes: `1432`, `64k`, `8M`, `1G` (k, M and G are powers of 1024; `KiB`, `MiB`, `GiB`
/// too), within the flag's `Bounds`.
struct ByteSize<Bounds: ByteSizeBounds>: CheckedArgument, Equatable, Sendable {
    var bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    static func parse(_ text: String) -> Result<ByteSize, ArgumentProblem> {
        let range = Bounds.range
        let examples = Bounds.examples
        var digits = Substring(text)
        var shift = 0
        for (suffix, s) in [("KiB", 10), ("MiB", 20), ("GiB", 30), ("k", 10), ("K", 10), ("M", 20), ("G", 30)] where digits.hasSuffix(suffix) {
            digits = digits.dropLast(suffix.count)
            shift = s
            break
        }
        if !digits.isEmpty, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }), Int(digits) == nil {
            // Digits only, past Int: a size, just far too large.
            return .failure(ArgumentProblem(problem: "is out of range: between \(range.lowerBound) and \(range.upperBound) bytes", examples: examples))
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = Int(digits), n >= 0 else {
            let what = text.hasPrefix("-") ? "is negative" : "is not a size"
            return .failure(ArgumentProblem(problem: "\(what): a whole number of bytes, with k, M or G", examples: examples))
        }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: 1 << shift)
        guard !overflow, range.contains(bytes) else {
            return .failure(ArgumentProblem(problem: "is out of range: between \(range.lowerBound) and \(range.upperBound) bytes", examples: examples))
        }
        return .success(ByteSize(bytes: bytes))
    }

    var defaultValueDescription: String { String(bytes) }
}

/// A line or record: 1 byte to 1 GiB.
enum LineBytes: ByteSizeBounds {
    static let range = 1...(1 << 30)
    static let examples = ["1048576", "64k"]
}

/// An output line, 0 for no limit: up to 1 GiB.
enum OutputLineBytes: ByteSizeBounds {
    static let range = 0...(1 << 30)
    static let examples = ["1024", "0"]
}

/// A UDP datagram's payload: 1 to 65507 bytes.
enum DatagramBytes: ByteSizeBounds {
    static let range = 1...65507
    static let examples = ["1432", "1k"]
}

/// Bytes waiting in a queue: 1 KiB to 1 GiB.
enum QueueBytes: ByteSizeBounds {
    static let range = 1024...(1 << 30)
    static let examples = ["16M", "1M"]
}

/// A socket buffer: 1 byte to 2 GiB - 1 (the kernel takes an int).
enum BufferBytes: ByteSizeBounds {
    static let range = 1...Int(Int32.max)
    static let examples = ["8M", "212992"]
}
