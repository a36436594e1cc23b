import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// swift-system's `Errno` with what metricat's messages and `--json` reports need: the symbolic name
/// and a `NAME (text)` description. The syscalls themselves live in MetricTransport's `Socket`
/// (sockets, which swift-system lacks) behind ``retryingInterrupts(_:)``.
extension Errno {
    /// The current thread's `errno` (swift-system keeps its own accessor internal).
    public static var last: Errno { Errno(rawValue: currentErrno()) }

    /// `ECONNREFUSED`, `EAGAIN`, ...: the name scripts can match on (`errors` in `--json` reports).
    public var name: String { errnoName(rawValue) }

    /// `ECONNREFUSED (Connection refused)`: how every message names an errno (swift-system's own
    /// `description` is the text alone).
    public var detail: String { "\(name) (\(description))" }
}

/// The symbolic name of a C error number (outside the extension, where swift-system's deprecated
/// `Errno.EPERM`-style members would shadow libc's constants).
private func errnoName(_ code: Int32) -> String {
    switch code {
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
    default: return "E\(code)"
    }
}

/// libc's `errno` of this thread.
@inline(__always)
private func currentErrno() -> Int32 { errno }

/// Runs a syscall that returns -1 and sets errno on failure, retrying on EINTR. The hot socket
/// calls (send, sendmmsg, recv) go through here rather than swift-system, which has no sockets.
@inline(__always)
func retryingInterrupts<T: BinaryInteger>(_ call: () -> T) -> Result<T, Errno> {
    while true {
        let r = call()
        if r >= 0 { return .success(r) }
        let e = Errno.last
        if e == .interrupted { continue }
        return .failure(e)
    }
}
