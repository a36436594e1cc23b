#if canImport(Glibc)
    import Glibc
#endif

/// Kernel-side loss counters: what the kernel dropped before a program could read it.
///
/// A UDP socket's row in `/proc/net/udp` (or `udp6`) has a `drops` column: datagrams discarded
/// because the receive buffer was full. `/proc/net/snmp`'s `Udp:` line has host-wide totals.
public enum KernelCounters {
    /// One row of `/proc/net/udp(6)`.
    public struct UDPSocketRow: Sendable, Equatable {
        public var localPort: UInt16
        public var receiveQueue: UInt64
        public var inode: UInt64
        public var drops: UInt64
    }

    /// Parses the text of `/proc/net/udp` or `/proc/net/udp6`.
    public static func parseUDPTable(_ text: String) -> [UDPSocketRow] {
        var rows: [UDPSocketRow] = []
        for line in text.split(separator: "\n").dropFirst() {
            let cols = line.split(separator: " ", omittingEmptySubsequences: true)
            guard cols.count >= 13 else { continue }
            let local = cols[1].split(separator: ":")
            let queues = cols[4].split(separator: ":")
            guard local.count == 2, queues.count == 2,
                let port = UInt16(local[1], radix: 16),
                let rx = UInt64(queues[1], radix: 16),
                let inode = UInt64(cols[9]),
                let drops = UInt64(cols[12])
            else { continue }
            rows.append(UDPSocketRow(localPort: port, receiveQueue: rx, inode: inode, drops: drops))
        }
        return rows
    }

    /// All UDP sockets of this network namespace, IPv4 and IPv6.
    public static func udpSockets() -> [UDPSocketRow] {
        ["/proc/net/udp", "/proc/net/udp6"].flatMap { path in readFile(path).map(parseUDPTable) ?? [] }
    }

    /// The drops of the socket with `inode`, or nil when it is not found.
    public static func udpDrops(inode: UInt64) -> UInt64? {
        udpSockets().first(where: { $0.inode == inode })?.drops
    }

    /// The summed drops of every UDP socket bound to `port` (several under SO_REUSEPORT).
    public static func udpDrops(port: UInt16) -> UInt64? {
        let rows = udpSockets().filter { $0.localPort == port }
        return rows.isEmpty ? nil : rows.reduce(0) { $0 + $1.drops }
    }

    /// `Udp: RcvbufErrors` and `InErrors` from `/proc/net/snmp` (host-wide).
    public static func udpErrors() -> (receiveBufferErrors: UInt64, inErrors: UInt64)? {
        guard let text = readFile("/proc/net/snmp") else { return nil }
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("Udp: ") }
        guard lines.count >= 2 else { return nil }
        let names = lines[0].split(separator: " ")
        let values = lines[1].split(separator: " ")
        func value(_ name: String) -> UInt64? {
            guard let i = names.firstIndex(where: { $0 == name }), i < values.count else { return nil }
            return UInt64(values[i])
        }
        guard let rcvbuf = value("RcvbufErrors"), let inErrors = value("InErrors") else { return nil }
        return (rcvbuf, inErrors)
    }

    /// `net.core.rmem_max`: the largest receive buffer an unprivileged SO_RCVBUF may ask for.
    public static func receiveBufferMax() -> Int? {
        readFile("/proc/sys/net/core/rmem_max").flatMap { Int($0.trimmingCharacters(in: " \n")) }
    }

    static func readFile(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
