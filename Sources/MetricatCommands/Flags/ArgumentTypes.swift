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
