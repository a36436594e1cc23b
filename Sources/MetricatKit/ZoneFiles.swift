import MetricFormats

/// Time zones by name, for the `--*-timezone` flags: `UTC`, `Local` (/etc/localtime), fixed offsets
/// (`+hh:mm`, `-hhmm`, `+hh`) and the TZif files under /usr/share/zoneinfo.
public enum ZoneFiles {
    /// The zone `name` stands for; nil when it is none of those (or its file is missing or unreadable).
    public static func zone(named name: String) -> GoTimeZone? {
        if name.isEmpty || name == "UTC" { return .utc }
        if let first = name.first, first == "+" || first == "-" {
            let digits = name.dropFirst().filter(\.isNumber)
            if digits.count == 4 || digits.count == 2, let v = Int32(digits) {
                let h = digits.count == 4 ? v / 100 : v
                let m = digits.count == 4 ? v % 100 : 0
                return .fixed(seconds: (first == "-" ? -1 : 1) * (h * 3600 + m * 60))
            }
        }
        let path = name == "Local" ? "/etc/localtime" : "/usr/share/zoneinfo/" + name
        guard !name.contains(".."), let data = fileBytes(path) else { return nil }
        return GoTimeZone(tzif: data)
    }

    /// The whole of a TZif file; nil when it cannot be opened or read (a directory, a missing zone).
    private static func fileBytes(_ path: String) -> [UInt8]? {
        guard let source = try? ByteSource(path: path, chunkSize: 64 * 1024) else { return nil }
        var bytes: [UInt8] = []
        do {
            try source.forEachChunk { chunk in
                bytes.append(contentsOf: chunk)
                return true
            }
        } catch {
            return nil
        }
        return bytes
    }
}
