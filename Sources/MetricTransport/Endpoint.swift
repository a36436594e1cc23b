/// A place to send metrics to or receive them on, in Telegraf's `service_address` syntax:
/// `udp://127.0.0.1:8094`, `udp4://`, `udp6://`, `tcp://host:port`, `tcp4://`, `tcp6://`,
/// `unix:///path`, `unixgram:///path`, `-` (stdout) and `http://host:port/write?db=NAME`.
///
/// `udp://:8094` (an empty host written out) means every interface for a listener, as in Telegraf;
/// a bare `:8094` or `8094` means UDP on loopback.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case udp(host: String?, port: UInt16, family: AddressFamily)
    case tcp(host: String?, port: UInt16, family: AddressFamily)
    case unix(path: String)
    case unixgram(path: String)
    case stdout
    case http(HTTPTarget)

    public enum AddressFamily: Sendable, Hashable {
        case any, ipv4, ipv6
    }

    /// InfluxDB 1.x's write API: `http://host:port/write?db=NAME[&precision=..]`.
    public struct HTTPTarget: Sendable, Hashable {
        public var host: String
        public var port: UInt16
        public var path: String
        /// The query string without `?`, as written.
        public var query: String
        public var secure: Bool
    }

    /// What the address is for: a sender accepts `-` and `http://`, a listener does not.
    public enum Role: Sendable {
        case send, listen
    }

    /// The schemes an address may start with.
    static let schemes: Set<String> = ["udp", "udp4", "udp6", "tcp", "tcp4", "tcp6", "unix", "unixgram", "http", "https"]

    /// Parses `text` for `role`.
    /// - Throws: ``EndpointError`` with a message that shows a correct example.
    public init(parsing text: String, role: Role) throws(EndpointError) {
        if text == "-" {
            guard role == .send else { throw EndpointError(text, "stdout is not something to listen on", example: "udp://127.0.0.1:8094") }
            self = .stdout
            return
        }
        // Bare port or :port: UDP on loopback.
        if !text.contains("://") {
            let portText = text.hasPrefix(":") ? String(text.dropFirst()) : text
            if let port = UInt16(portText), port > 0 || role == .listen {
                self = .udp(host: "127.0.0.1", port: port, family: .any)
                return
            }
            if let colon = text.firstIndex(of: ":"), colon != text.startIndex {
                let scheme = text[..<colon].lowercased()
                if Self.schemes.contains(scheme) {
                    throw EndpointError(
                        text, "the scheme '\(scheme)' must be followed by '://'", example: scheme.hasPrefix("unix") ? "\(scheme):///tmp/metrics.sock" : "\(scheme)://127.0.0.1:8094"
                    )
                }
            }
            throw EndpointError(text, "an address needs a scheme", example: "udp://127.0.0.1:8094, tcp://127.0.0.1:8094 or unix:///tmp/metrics.sock")
        }
        let schemeEnd = text.firstRange(of: "://")!
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = String(text[schemeEnd.upperBound...])
        switch scheme {
        case "udp", "udp4", "udp6", "tcp", "tcp4", "tcp6":
            let family: AddressFamily = scheme.hasSuffix("4") ? .ipv4 : scheme.hasSuffix("6") ? .ipv6 : .any
            let base = String(scheme.prefix(3))
            let (host, port) = try Self.hostPort(rest, text: text, example: "\(scheme)://127.0.0.1:8094", role: role)
            self = base == "udp" ? .udp(host: host, port: port, family: family) : .tcp(host: host, port: port, family: family)
        case "unix", "unixgram":
            guard rest.hasPrefix("/") || rest.hasPrefix("@") || rest.hasPrefix(".") else {
                throw EndpointError(text, "a Unix socket path must be absolute (three slashes)", example: "\(scheme):///tmp/metrics.sock")
            }
            guard rest.utf8.count < 108 else {
                throw EndpointError(text, "a Unix socket path must be shorter than 108 bytes", example: "\(scheme):///tmp/metrics.sock")
            }
            self = scheme == "unix" ? .unix(path: rest) : .unixgram(path: rest)
        case "http", "https":
            guard role == .send else { throw EndpointError(text, "HTTP is for sending only", example: "tcp://127.0.0.1:8094") }
            // One rule for every command: the scheme is refused as a usage error, with the form that works.
            guard scheme == "http" else {
                throw EndpointError(
                    text, "https is not supported (no TLS here); use http:// on a trusted network or a local TLS proxy",
                    example: "http://127.0.0.1:8086/write?db=telegraf")
            }
            var authority = rest
            var pathAndQuery = "/write"
            if let slash = rest.firstIndex(of: "/") {
                authority = String(rest[..<slash])
                pathAndQuery = String(rest[slash...])
            }
            var path = pathAndQuery
            var query = ""
            if let q = pathAndQuery.firstIndex(of: "?") {
                path = String(pathAndQuery[..<q])
                query = String(pathAndQuery[pathAndQuery.index(after: q)...])
            }
            if path.isEmpty || path == "/" { path = "/write" }
            let example = "http://127.0.0.1:8086/write?db=telegraf"
            let defaultPort: UInt16 = scheme == "https" ? 443 : 80
            let (host, port) = try Self.hostPort(authority, text: text, example: example, role: role, defaultPort: defaultPort)
            guard query.split(separator: "&").contains(where: { $0.hasPrefix("db=") && $0.count > 3 }) || path != "/write" else {
                throw EndpointError(text, "InfluxDB's write API needs a database", example: example)
            }
            self = .http(HTTPTarget(host: host ?? "127.0.0.1", port: port, path: path, query: query, secure: scheme == "https"))
        default:
            throw EndpointError(text, "unknown scheme '\(scheme)'", example: "udp://, udp4://, udp6://, tcp://, tcp4://, tcp6://, unix://, unixgram://, http://")
        }
    }

    /// Splits `host:port`, `[v6]:port` or `:port`; an empty host is nil (every interface).
    static func hostPort(_ s: String, text: String, example: String, role: Role, defaultPort: UInt16? = nil) throws(EndpointError) -> (String?, UInt16) {
        var host: Substring
        var portText: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw EndpointError(text, "unclosed '[' in an IPv6 address", example: "udp6://[::1]:8094") }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw EndpointError(text, "unexpected '\(after)' after the IPv6 address", example: "udp6://[::1]:8094")
            }
        } else if let colon = s.lastIndex(of: ":") {
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
            if host.contains(":") { throw EndpointError(text, "an IPv6 address needs brackets", example: "udp6://[::1]:8094") }
        } else {
            host = Substring(s)
            portText = nil
        }
        if host.contains("/") || host.contains("?") {
            throw EndpointError(text, "unexpected path after the port", example: example)
        }
        let port: UInt16
        if let portText {
            guard let p = UInt16(portText), p > 0 || role == .listen else {
                throw EndpointError(text, "'\(portText)' is not a port number (1-65535)", example: example)
            }
            port = p
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw EndpointError(text, "the port is missing", example: example)
        }
        return (host.isEmpty ? nil : String(host), port)
    }

    public var description: String {
        switch self {
        case .udp(let host, let port, let family): return "udp\(family.suffix)://\(Self.join(host, port))"
        case .tcp(let host, let port, let family): return "tcp\(family.suffix)://\(Self.join(host, port))"
        case .unix(let path): return "unix://\(path)"
        case .unixgram(let path): return "unixgram://\(path)"
        case .stdout: return "-"
        case .http(let t): return "\(t.secure ? "https" : "http")://\(Self.join(t.host, t.port))\(t.path)\(t.query.isEmpty ? "" : "?" + t.query)"
        }
    }

    static func join(_ host: String?, _ port: UInt16) -> String {
        guard let host else { return ":\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// True for UDP and Unix datagram sockets.
    public var isDatagram: Bool {
        switch self {
        case .udp, .unixgram: return true
        default: return false
        }
    }

    /// True for InfluxDB's write API.
    public var isHTTP: Bool {
        if case .http = self { return true }
        return false
    }
}

extension Endpoint.AddressFamily {
    var suffix: String {
        switch self {
        case .any: return ""
        case .ipv4: return "4"
        case .ipv6: return "6"
        }
    }
}

/// A bad address, with an example of a good one.
public struct EndpointError: Error, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var example: String

    init(_ text: String, _ reason: String, example: String) {
        self.text = text
        self.reason = reason
        self.example = example
    }

    public var description: String { "\(text): \(reason) (example: \(example))" }
}
