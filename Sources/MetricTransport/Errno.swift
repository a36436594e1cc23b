#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A C error number with its symbolic name, as swift-system's `Errno` (typed, comparable).
public struct Errno: RawRepresentable, Error, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The current thread's `errno`.
    public static var current: Errno { Errno(rawValue: errno) }

    public static let interrupted = Errno(rawValue: EINTR)
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    public static let connectionRefused = Errno(rawValue: ECONNREFUSED)
    public static let connectionReset = Errno(rawValue: ECONNRESET)
    public static let brokenPipe = Errno(rawValue: EPIPE)
    public static let noBufferSpace = Errno(rawValue: ENOBUFS)
    public static let messageTooLong = Errno(rawValue: EMSGSIZE)
    public static let inProgress = Errno(rawValue: EINPROGRESS)
    public static let addressInUse = Errno(rawValue: EADDRINUSE)
    public static let notFound = Errno(rawValue: ENOENT)
    public static let timedOut = Errno(rawValue: ETIMEDOUT)
    /// The corresponding C error is `EPROTO`: a peer that does not speak the protocol.
    public static let protocolError = Errno(rawValue: EPROTO)

    /// `ECONNREFUSED`, `EAGAIN`, ...: the name scripts can match on (`errors` in `--json` reports).
    public var name: String {
        switch rawValue {
        case EPERM: return "EPERM"
        case ENOENT: return "ENOENT"
        case EINTR: return "EINTR"
        case EIO: return "EIO"
        case EBADF: return "EBADF"
        case EAGAIN: return "EAGAIN"
        case ENOMEM: return "ENOMEM"
        case EACCES: return "EACCES"
        case EEXIST: return "EEXIST"
        case ENOTDIR: return "ENOTDIR"
        case EINVAL: return "EINVAL"
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case ENOSPC: return "ENOSPC"
        case EPIPE: return "EPIPE"
        case ENOTSOCK: return "ENOTSOCK"
        case EMSGSIZE: return "EMSGSIZE"
        case EPROTOTYPE: return "EPROTOTYPE"
        case EPROTO: return "EPROTO"
        case EAFNOSUPPORT: return "EAFNOSUPPORT"
        case EADDRINUSE: return "EADDRINUSE"
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case ENETUNREACH: return "ENETUNREACH"
        case ECONNABORTED: return "ECONNABORTED"
        case ECONNRESET: return "ECONNRESET"
        case ENOBUFS: return "ENOBUFS"
        case ENOTCONN: return "ENOTCONN"
        case ETIMEDOUT: return "ETIMEDOUT"
        case ECONNREFUSED: return "ECONNREFUSED"
        case EHOSTUNREACH: return "EHOSTUNREACH"
        case EINPROGRESS: return "EINPROGRESS"
        case EISCONN: return "EISCONN"
        case ENOPROTOOPT: return "ENOPROTOOPT"
        case EOPNOTSUPP: return "EOPNOTSUPP"
        default: return "E\(rawValue)"
        }
    }

    /// `ECONNREFUSED (Connection refused)`.
    public var description: String { "\(name) (\(String(cString: strerror(rawValue))))" }
}

/// Runs a syscall that returns -1 and sets errno on failure, retrying on EINTR.
@inline(__always)
func retryingInterrupts<T: BinaryInteger>(_ call: () -> T) -> Result<T, Errno> {
    while true {
        let r = call()
        if r >= 0 { return .success(r) }
        let e = Errno.current
        if e == .interrupted { continue }
        return .failure(e)
    }
}
