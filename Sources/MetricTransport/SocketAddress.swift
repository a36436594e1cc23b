import CMetricSys
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A socket address (IPv4, IPv6 or Unix path) in a `sockaddr_storage`.
public struct SocketAddress: Sendable, CustomStringConvertible {
    public var storage = sockaddr_storage()
    public var length: socklen_t = 0

    public init() {}

    /// A Unix socket path (a leading `@` is Linux's abstract namespace).
    public init(unixPath path: String) throws(TransportError) {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { throw .invalidAddress("\(path): a Unix socket path must be shorter than \(capacity) bytes") }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            if bytes.first == UInt8(ascii: "@") { raw[0] = 0 }
        }
        let len = MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == UInt8(ascii: "@") ? 0 : 1)
        withUnsafeMutableBytes(of: &storage) { dst in
            withUnsafeBytes(of: addr) { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<len])) }
        }
        length = socklen_t(len)
    }

    /// Resolves `host` (a name or a numeric address; nil = every interface) and `port`.
    public static func resolve(host: String?, port: UInt16, family: Endpoint.AddressFamily, datagram: Bool, passive: Bool) throws(TransportError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = family == .ipv4 ? AF_INET : family == .ipv6 ? AF_INET6 : AF_UNSPEC
        hints.ai_socktype = Int32(datagram ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw .invalidAddress("\(host ?? "*"):\(port): cannot resolve: \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var out: [SocketAddress] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            var a = SocketAddress()
            withUnsafeMutableBytes(of: &a.storage) { dst in
                dst.copyMemory(from: UnsafeRawBufferPointer(start: ai.pointee.ai_addr, count: Int(ai.pointee.ai_addrlen)))
            }
            a.length = ai.pointee.ai_addrlen
            out.append(a)
            p = ai.pointee.ai_next
        }
        return out
    }

    public var family: Int32 { Int32(storage.ss_family) }

    /// The port of an IP address (0 for Unix).
    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            switch Int32(storage.ss_family) {
            case AF_INET: return UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))
            case AF_INET6: return UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))
            default: return 0
            }
        }
    }

    /// `127.0.0.1:8094`, `[::1]:8094`, or the Unix path (`unix` for an unnamed peer).
    public var description: String {
        var s = storage
        switch Int32(storage.ss_family) {
        case AF_INET, AF_INET6:
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let rc = withUnsafePointer(to: &s) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
                }
            }
            let h = rc == 0 ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
            return Endpoint.join(h, port)
        case AF_UNIX:
            let pathLength = Int(length) - MemoryLayout<sa_family_t>.size
            if pathLength <= 0 { return "unix" }
            return withUnsafeBytes(of: storage) { raw in
                let bytes = raw[MemoryLayout<sa_family_t>.size..<(MemoryLayout<sa_family_t>.size + pathLength)]
                if bytes.first == 0 { return "@" + String(decoding: bytes.dropFirst().prefix { $0 != 0 }, as: UTF8.self) }
                return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
        default:
            return "unknown"
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}

/// Errors of the transport layer: bad addresses and failed socket calls, each with its context.
public enum TransportError: Error, Equatable, CustomStringConvertible {
    case invalidAddress(String)
    /// `operation` on `endpoint` failed with `errno`.
    case system(operation: String, endpoint: String, errno: Errno)
    case refused(String)
    /// The server's answer is not HTTP, or breaks a limit of ``HTTPResponseReader``.
    case badResponse(endpoint: String, reason: String)

    public var description: String {
        switch self {
        case .invalidAddress(let m): return m
        case .system(let op, let endpoint, let e): return "\(endpoint): \(op) failed: \(e.detail)"
        case .refused(let m): return m
        case .badResponse(let endpoint, let reason): return "\(endpoint): bad response from server: \(reason)"
        }
    }

    /// The errno a failure counts under: EPROTO for a bad response.
    public var errno: Errno? {
        switch self {
        case .system(_, _, let e): return e
        case .badResponse: return .protocolError
        default: return nil
        }
    }
}
