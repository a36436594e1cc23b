#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Unbuffered writes to the standard descriptors, retried on EINTR and short writes.
public enum StandardStreams {
    /// Writes all of `bytes` to `fd`; returns the errno on failure.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard var p = bytes.baseAddress else { return nil }
        var left = bytes.count
        while left > 0 {
            let n = write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            p += n
            left -= n
        }
        return nil
    }

    public static func writeError(_ s: String) {
        var s = s
        s.withUTF8 { _ = writeAll(2, UnsafeRawBufferPointer($0)) }
    }

    /// True when `fd` is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The text of an errno value.
    public static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}
