import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Errors opening or reading an input.
public enum InputError: Error, CustomStringConvertible {
    case open(path: String, errno: Int32)
    case read(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .open(let path, let e): return "\(path): cannot open: \(StandardStreams.describe(errno: e))"
        case .read(let path, let e): return "\(path): read failed: \(StandardStreams.describe(errno: e))"
        }
    }
}

/// A file or stdin read in fixed-size chunks with read(2), so memory stays flat whatever its size.
public final class ByteSource {
    /// The name used in diagnostics: the path, or `-` for stdin.
    public let name: String
    private let fd: FileDescriptor
    private let ownsDescriptor: Bool
    private var buffer: [UInt8]
    private var memory: [UInt8]?

    /// Opens `path`; `-` is stdin.
    public init(path: String, chunkSize: Int = 256 * 1024) throws(InputError) {
        name = path
        if path == "-" {
            fd = .standardInput
            ownsDescriptor = false
        } else {
            do {
                fd = try FileDescriptor.open(FilePath(path), .readOnly, options: .closeOnExec)
            } catch {
                throw .open(path: path, errno: (error as? Errno)?.rawValue ?? EIO)
            }
            ownsDescriptor = true
        }
        buffer = [UInt8](repeating: 0, count: chunkSize)
    }

    /// An in-memory input (command-line arguments), named `name` in diagnostics.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        fd = FileDescriptor(rawValue: -1)
        ownsDescriptor = false
        buffer = []
        memory = bytes
    }

    deinit {
        if ownsDescriptor { try? fd.close() }
    }

    /// Calls `body` with each chunk until end of file; returns early when `body` returns false.
    public func forEachChunk(_ body: (UnsafeBufferPointer<UInt8>) -> Bool) throws(InputError) {
        if let memory {
            _ = memory.withUnsafeBufferPointer { body($0) }
            return
        }
        while true {
            // One read per chunk (256 KiB by default): swift-system's retrying read costs nothing here.
            let result: Int
            do {
                result = try buffer.withUnsafeMutableBytes { try fd.read(into: $0) }
            } catch {
                throw .read(path: name, errno: (error as? Errno)?.rawValue ?? EIO)
            }
            if result == 0 { return }
            let goOn = buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<result])) }
            if !goOn { return }
        }
    }
}

/// Buffered output, flushed in large writes to a descriptor or handed to a closure (a sender).
public final class ByteSink {
    /// Pending output; append to it, then call ``flushIfNeeded()``.
    public var buffer: [UInt8] = []
    private let fd: Int32
    private let flushThreshold: Int
    private let handler: ((inout [UInt8]) -> Void)?
    /// The errno of the first failed write; later output is dropped.
    public private(set) var failure: Int32?

    public init(fd: Int32 = 1, flushThreshold: Int = 128 * 1024) {
        self.fd = fd
        self.flushThreshold = flushThreshold
        self.handler = nil
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Output handed to `handler` (which consumes the buffer) whenever `flushThreshold` bytes are
    /// pending; 0 hands over after every metric, so problems are reported at the right input line.
    public init(flushThreshold: Int, handler: @escaping (inout [UInt8]) -> Void) {
        self.fd = -1
        self.flushThreshold = flushThreshold
        self.handler = handler
    }

    /// Flushes when the buffer passed the threshold.
    @inline(__always) public func flushIfNeeded() {
        if buffer.count >= flushThreshold && !buffer.isEmpty { flush() }
    }

    public func flush() {
        if buffer.isEmpty { return }
        if let handler {
            handler(&buffer)
            buffer.removeAll(keepingCapacity: true)
            return
        }
        if failure == nil {
            failure = buffer.withUnsafeBytes { StandardStreams.writeAll(fd, $0) }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Appends via the closure, then flushes if needed.
    @inline(__always) public func append(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        flushIfNeeded()
    }
}
