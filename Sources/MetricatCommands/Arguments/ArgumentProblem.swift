import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// Why a typed argument value refused its text: what is wrong and what would be right. The flag is
/// not known where the value is parsed, so the message is completed where it is printed:
/// `--every: 'soon' is not a duration: a number with a unit ns, us, ms, s, m or h (example: --every 500ms, 2s or 1m)`.
struct ArgumentProblem: Error, Equatable, Sendable {
    /// What is wrong, after the quoted value: `is zero: a duration must be more than 0`.
    var problem: String
    /// Values that would be right, written after the flag: `["500ms", "2s", "1m"]`.
    var examples: [String]
    /// What is wrong when the value stands alone (a positional argument, no flag to name), after the
    /// value and a colon: `udp:/x: the scheme 'udp' must be followed by '://' (example: udp://127.0.0.1:8094)`.
    /// Nil: the value quoted and `problem`.
    var reason: String? = nil

    /// The whole message for `flag` given `text`; `flag` is the argument parser's name for it, and a
    /// positional argument's (`<target>`) is not repeated in the message.
    func message(flag: String, text: String) -> String {
        var list = examples.first ?? ""
        if examples.count > 1 { list = examples.dropLast().joined(separator: ", ") + " or " + examples[examples.count - 1] }
        if flag.hasPrefix("<") {
            let start = reason.map { "\(text): \($0)" } ?? "'\(text)' \(problem)"
            return start + (examples.isEmpty ? "" : " (example: \(list))")
        }
        return "\(flag): '\(text)' \(problem)" + (examples.isEmpty ? "" : " (example: \(flag) \(list))")
    }
}

/// A value parsed from a flag's text that says why it refused one. `init?(argument:)` (what the
/// argument parser calls) records the problem for ``Metricat/message(for:)`` to print.
protocol CheckedArgument: ExpressibleByArgument {
    /// The value of `text`, or why it is refused.
    static func parse(_ text: String) -> Result<Self, ArgumentProblem>
}

extension CheckedArgument {
    init?(argument: String) {
        switch Self.parse(argument) {
        case .success(let value):
            self = value
        case .failure(let problem):
            ArgumentProblem.recordRefusal(text: argument, problem: problem)
            return nil
        }
    }
}

extension ArgumentProblem {
    /// The last refusal on this thread: the argument parser turns a failed `init?(argument:)` into its
    /// own error without a reason, and parses on the caller's thread, so the reason waits here.
    private final class Slot {
        var text = ""
        var problem: ArgumentProblem?
    }

    private static let slotKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
        }
        return key
    }()

    private static var slot: Slot {
        if let pointer = pthread_getspecific(slotKey) { return Unmanaged<Slot>.fromOpaque(pointer).takeUnretainedValue() }
        let slot = Slot()
        pthread_setspecific(slotKey, Unmanaged.passRetained(slot).toOpaque())
        return slot
    }

    static func recordRefusal(text: String, problem: ArgumentProblem) {
        let s = slot
        s.text = text
        s.problem = problem
    }

    /// The refusal recorded on this thread, once (it is cleared).
    static func takeRefusal() -> (text: String, problem: ArgumentProblem)? {
        let s = slot
        defer { s.problem = nil }
        return s.problem.map { (s.text, $0) }
    }
}
