#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a byte stream into `\n`-terminated lines, whatever the chunk boundaries, with a bound
/// on the line length so memory stays flat on any input.
///
/// Lines inside one chunk are handed out without copying; only a line that straddles chunks is
/// copied into the framer's own buffer. A line longer than `maxLineBytes` is reported once as
/// ``Event/tooLong(number:limit:)`` and skipped up to its newline. The final line needs no newline.
///
///     var framer = LineFramer(maxLineBytes: 1 << 16)
///     framer.feed(chunk) { event in ... }
///     framer.finish { event in ... }
public struct LineFramer {
    public enum Event {
        /// A complete line, without its `\n`; valid only during the callback.
        case line(UnsafeBufferPointer<UInt8>, number: Int)
        /// Line `number` exceeded `limit` bytes and was skipped.
        case tooLong(number: Int, limit: Int)
    }

    public let maxLineBytes: Int
    /// The number of the line that the next byte belongs to.
    public private(set) var lineNumber: Int = 1
    private var pending: [UInt8] = []
    private var skipping = false

    public init(maxLineBytes: Int = 1 << 20) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes of an unfinished line held for the next chunk.
    public var pendingByteCount: Int { pending.count }

    /// Feeds one chunk; calls `body` for every event it completes.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ body: (Event) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        let end = chunk.count
        while start < end {
            let rest = end - start
            guard let hit = memchr(base + start, 0x0A, rest) else {
                // No newline: keep the tail for the next chunk.
                if skipping { return }
                if pending.count + rest > maxLineBytes {
                    body(.tooLong(number: lineNumber, limit: maxLineBytes))
                    pending.removeAll(keepingCapacity: true)
                    skipping = true
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(start: base + start, count: rest))
                }
                return
            }
            let nl = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            let number = lineNumber
            lineNumber += 1
            if skipping {
                skipping = false
            } else if pending.isEmpty {
                if nl - start > maxLineBytes {
                    body(.tooLong(number: number, limit: maxLineBytes))
                } else {
                    body(.line(UnsafeBufferPointer(start: base + start, count: nl - start), number: number))
                }
            } else {
                if pending.count + (nl - start) > maxLineBytes {
                    body(.tooLong(number: number, limit: maxLineBytes))
                } else {
                    pending.append(contentsOf: UnsafeBufferPointer(start: base + start, count: nl - start))
                    pending.withUnsafeBufferPointer { body(.line($0, number: number)) }
                }
                pending.removeAll(keepingCapacity: true)
            }
            start = nl + 1
        }
    }

    /// End of input: a last line without a newline is handed out.
    public mutating func finish(_ body: (Event) -> Void) {
        if skipping {
            skipping = false
            return
        }
        if !pending.isEmpty {
            let number = lineNumber
            lineNumber += 1
            pending.withUnsafeBufferPointer { body(.line($0, number: number)) }
            pending.removeAll(keepingCapacity: true)
        }
    }
}
