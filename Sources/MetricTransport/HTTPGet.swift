import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A plain `http://HOST[:PORT][/PATH[?QUERY]]` URL to read from (`load --sink-report`). https is not
/// supported: there is no TLS here.
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// Path and query as written, `/` when none.
    public var target: String

    public init(host: String, port: UInt16, target: String) {
        self.host = host
        self.port = port
        self.target = target
    }

    /// True when `text` is meant as a URL (it has a scheme) rather than a file name.
    public static func looksLikeURL(_ text: String) -> Bool {
        guard let r = text.firstRange(of: "://") else { return false }
        let scheme = text[..<r.lowerBound]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
    }

    /// Parses `http://host:port/path`; the port defaults to 80.
    /// - Throws: ``EndpointError`` with an example of a good URL.
    public init(parsing text: String) throws(EndpointError) {
        let example = "http://127.0.0.1:8000/sink.json"
        guard let r = text.firstRange(of: "://") else { throw EndpointError(text, "not an http:// URL", example: example) }
        let scheme = text[..<r.lowerBound].lowercased()
        if scheme == "https" { throw EndpointError(text, "https is not supported (no TLS here); use http:// on a trusted network or a local proxy", example: example) }
        guard scheme == "http" else { throw EndpointError(text, "unknown scheme '\(scheme)' (only http:// is read)", example: example) }
        let rest = text[r.upperBound...]
        let slash = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = String(rest[..<slash])
        var target = String(rest[slash...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        if authority.contains("@") { throw EndpointError(text, "user names and passwords in the URL are not supported", example: example) }
        guard !authority.isEmpty else { throw EndpointError(text, "the host is missing", example: example) }
        if target.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" || $0 == "#" }) {
            throw EndpointError(text, "the path must not hold spaces, line breaks or a #fragment", example: example)
        }
        let host: String?
        let port: UInt16
        do {
            (host, port) = try Endpoint.hostPort(authority, text: text, example: example, role: .send, defaultPort: 80)
        } catch {
            var e = error
            e.example = e.reason.contains("IPv6") ? "http://[::1]:8000/sink.json" : example
            throw e
        }
        guard let host else { throw EndpointError(text, "the host is missing", example: example) }
        self.init(host: host, port: port, target: target)
    }

    public var description: String { "http://\(Endpoint.join(host, port))\(target)" }
}

/// One HTTP/1.1 GET over a plain TCP connection, bounded in time: connect, request, and the whole
/// response must fit in `timeout`, and the body in `maxBody` bytes.
public enum HTTPGet {
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var reason: String
        public var body: [UInt8]
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// No connection: the errno of connect (ECONNREFUSED, EHOSTUNREACH, ETIMEDOUT...).
        case connect(Errno)
        case resolve(String)
        /// The connection broke or timed out before a whole response came.
        case read(String)
        /// What came back is not HTTP, or not the kind this client reads.
        case malformed(String)

        public var description: String {
            switch self {
            case .connect(let e):
                switch e {
                case .connectionRefused: return "connection refused (ECONNREFUSED): nothing listens there"
                case .timedOut: return "connection timed out (ETIMEDOUT)"
                default: return "cannot connect (\(e.name))"
                }
            case .resolve(let m), .read(let m), .malformed(let m): return m
            }
        }
    }

    public static func get(_ url: HTTPURL, timeout: Int64, maxBody: Int = 16 << 20) -> Result<Response, Failure> {
        let deadline = monotonicNow() + max(timeout, 1_000_000)
        let socket: Socket
        switch connect(url, deadline: deadline) {
        case .success(let s): socket = s
        case .failure(let f): return .failure(f)
        }
        defer { socket.close() }
        let request = Array("GET \(url.target) HTTP/1.1\r\nHost: \(Endpoint.join(url.host, url.port))\r\nUser-Agent: metricat\r\nAccept: */*\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            guard wait(socket.fd, for: Int16(POLLOUT), until: deadline) else { return .failure(.read("timed out sending the request")) }
            let n = request.withUnsafeBytes { send(socket.fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(.read("sending the request failed (\(Errno.last.name))"))
            }
            sent += n
        }
        return readResponse(socket.fd, deadline: deadline, maxBody: maxBody)
    }

    /// A non-blocking connect to each address of the host in turn, waiting up to the deadline.
    static func connect(_ url: HTTPURL, deadline: Int64) -> Result<Socket, Failure> {
        let endpoint = Endpoint.tcp(host: url.host, port: url.port, family: .any)
        let addresses: [SocketAddress]
        do {
            addresses = try Socket.addresses(endpoint, passive: false)
        } catch {
            return .failure(.resolve("cannot resolve \(url.host): \(error)"))
        }
        var last = Failure.connect(.connectionRefused)
        for address in addresses {
            let s: Socket
            do {
                s = try Socket.open(domain: address.family, datagram: false, endpoint: endpoint)
                try s.setNonBlocking()
            } catch {
                return .failure(.read("\(error)"))
            }
            let rc = address.withSockaddr { Glibc.connect(s.fd, $0, $1) }
            if rc == 0 { return .success(s) }
            let e = errno
            guard e == EINPROGRESS || e == EINTR else {
                last = .connect(Errno(rawValue: e))
                s.close()
                continue
            }
            guard wait(s.fd, for: Int16(POLLOUT), until: deadline) else {
                last = .connect(.timedOut)
                s.close()
                continue
            }
            var soError: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &soError, &len)
            if soError == 0 { return .success(s) }
            last = .connect(Errno(rawValue: soError))
            s.close()
        }
        return .failure(last)
    }

    /// Polls `fd` for `events` until the deadline; false on timeout.
    static func wait(_ fd: Int32, for events: Int16, until deadline: Int64) -> Bool {
        while true {
            let left = deadline - monotonicNow()
            if left <= 0 { return false }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let r = poll(&pfd, 1, Int32(min(left / 1_000_000 + 1, 1000)))
            if r > 0 { return true }
            if r < 0 && errno != EINTR { return false }
        }
    }

    /// Reads the response (``HTTPResponseReader``), each read waiting no later than the deadline.
    static func readResponse(_ fd: Int32, deadline: Int64, maxBody: Int) -> Result<Response, Failure> {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var problem: String?
        let result = HTTPResponseReader.read(
            maxBody: maxBody,
            receive: { data in
                while true {
                    guard wait(fd, for: Int16(POLLIN), until: deadline) else {
                        problem = "timed out reading the response"
                        return false
                    }
                    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n > 0 {
                        data += buffer[0..<n]
                        return true
                    }
                    if n == 0 { return false }
                    if errno == EINTR || errno == EAGAIN { continue }
                    problem = "reading the response failed (\(Errno.last.name))"
                    return false
                }
            }, problem: { problem })
        switch result {
        case .success(let r): return .success(Response(status: r.status, reason: r.reason, body: r.body))
        case .failure(.read(let m)): return .failure(.read(m))
        case .failure(.malformed(let m)): return .failure(.malformed(m))
        }
    }
}
