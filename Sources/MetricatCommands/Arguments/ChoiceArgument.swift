import ArgumentParser
import MetricFormats

/// A flag value that is one word of a fixed set (`--transport tcp`), checked while the command line
/// is parsed with the message every typed value gives:
/// `--transport: 'sctp' is not a transport: udp, udp6, tcp, tcp6, unix or unixgram (example: --transport udp or tcp)`.
protocol ChoiceArgument: CheckedArgument, CaseIterable {
    /// What a value is, with its article: `a transport`.
    static var what: String { get }
    /// The word for this value.
    var word: String { get }
    /// The value a word other than the case words stands for (aliases), if any.
    static func alias(_ text: String) -> Self?
}

extension ChoiceArgument {
    static func alias(_ text: String) -> Self? { nil }

    static func parse(_ text: String) -> Result<Self, ArgumentProblem> {
        if let value = allCases.first(where: { $0.word == text }) ?? alias(text) { return .success(value) }
        let words = allCases.map(\.word)
        var list = words.first ?? ""
        if words.count > 1 { list = words.dropLast().joined(separator: ", ") + " or " + words[words.count - 1] }
        return .failure(ArgumentProblem(problem: "is not \(what): \(list)", examples: Array(words.prefix(2))))
    }

    static var allValueStrings: [String] { allCases.map(\.word) }
    var defaultValueDescription: String { word }
}

extension ChoiceArgument where Self: RawRepresentable, RawValue == String {
    var word: String { rawValue }
    // The argument parser has defaults of its own for String enums; these say which apply.
    init?(argument: String) {
        switch Self.parse(argument) {
        case .success(let value): self = value
        case .failure(let problem):
            ArgumentProblem.recordRefusal(text: argument, problem: problem)
            return nil
        }
    }
    static var allValueStrings: [String] { allCases.map(\.word) }
    var defaultValueDescription: String { word }
}

/// `load`'s embedded sink: the socket it listens on.
enum SinkTransport: String, ChoiceArgument {
    case udp, udp6, tcp, tcp6, unix, unixgram
    static let what = "a transport"
}

/// Where `load` puts the sequence number.
enum SequencePlace: String, ChoiceArgument {
    case field, tag
    static let what = "a place for the sequence number"
}

/// Logster's graphite output socket.
enum GraphiteProtocol: String, ChoiceArgument {
    case tcp, udp
    static let what = "a protocol"
}

/// `tail-log --format`: Logster's own lines or a wire format.
enum TailLogFormat: ChoiceArgument, Equatable {
    case logster
    case format(MetricFormat)

    static var allCases: [TailLogFormat] { [.logster] + MetricFormat.allCases.map { .format($0) } }
    static let what = "a format"
    var word: String {
        switch self {
        case .logster: return "logster"
        case .format(let f): return f.rawValue
        }
    }
}

/// `--graphite-tag-sanitize-mode`.
enum SanitizeModeArgument: String, ChoiceArgument {
    case strict, compatible
    static let what = "a sanitize mode"
    var mode: GraphiteOptions.TagSanitizeMode { self == .strict ? .strict : .compatible }
}

/// `--influx-timestamp-precision`: ns, us, ms or s, and Telegraf's spellings `1ms`, `n`, `u`, `µs`.
enum PrecisionArgument: String, ChoiceArgument {
    case ns, us, ms, s
    static let what = "a precision"
    var precision: TimestampPrecision { TimestampPrecision(rawValue: rawValue)! }
    static func alias(_ text: String) -> PrecisionArgument? {
        TimestampPrecision(parsing: text).flatMap { PrecisionArgument(rawValue: $0.rawValue) }
    }
}
