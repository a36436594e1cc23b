import ArgumentParser
import MetricFormats
import MetricatKit

extension MetricFormat: ExpressibleByArgument {
    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// An input format, or `auto`.
enum InputFormat: ExpressibleByArgument, Equatable {
    case auto
    case format(MetricFormat)

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let f = MetricFormat(rawValue: argument) {
            self = .format(f)
        } else {
            return nil
        }
    }

    var format: MetricFormat? {
        if case .format(let f) = self { return f }
        return nil
    }

    static var allValueStrings: [String] { ["auto"] + MetricFormat.allCases.map(\.rawValue) }
}

enum StandardStreamsBridge {
    static func error(_ s: String) { StandardStreams.writeError(s) }
}

/// Parses `k=v,k2=v2` (Telegraf's default_tags in one flag) into tags.
func parseTagList(_ text: String, flag: String) throws -> [Tag] {
    var tags: [Tag] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: true) {
        guard let eq = part.firstIndex(of: "="), eq != part.startIndex, part.index(after: eq) != part.endIndex else {
            throw ValidationError("\(flag): '\(part)' is not key=value (example: \(flag) host=web1,dc=eu)")
        }
        tags.append(Tag(String(part[..<eq]), String(part[part.index(after: eq)...])))
    }
    return tags
}

/// `UTC`, `Local`, `+hh:mm`/`-hhmm`, or a zone file under /usr/share/zoneinfo.
func parseTimeZone(_ name: String, flag: String) throws -> GoTimeZone {
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
    if !name.contains(".."), let data = zoneFileBytes(path), let zone = GoTimeZone(tzif: data) {
        return zone
    }
    throw ValidationError("\(flag): unknown zone '\(name)' (example: \(flag) America/New_York or +02:00)")
}

/// The whole of a TZif file; nil when it cannot be opened or read (a directory, a missing zone).
private func zoneFileBytes(_ path: String) -> [UInt8]? {
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
