import ArgumentParser
import MetricTransport

/// What an address flag is for: sending (`-` and `http://` allowed, port 0 refused) or listening.
protocol AddressRole: Sendable {
    static var role: Endpoint.Role { get }
    /// What a value is, with its article, in a refusal: `an address to send to`.
    static var what: String { get }
}

/// Sending: `send TARGET`, `load TARGET`, `listen --forward`, `tail-log --output`.
enum SendRole: AddressRole {
    static let role = Endpoint.Role.send
    static let what = "an address to send to"
}

/// Listening: `listen ADDRESS...`.
enum ListenRole: AddressRole {
    static let role = Endpoint.Role.listen
    static let what = "an address to listen on"
}

/// An address in Telegraf's `service_address` syntax (``Endpoint``), checked for its role while the
/// command line is parsed. A flag's refusal keeps the address's own reason and example:
/// `--forward: 'udp:/x' is not an address to send to: the scheme 'udp' must be followed by '://' (example: --forward udp://127.0.0.1:8094)`;
/// a positional one reads as before: `udp:/x: the scheme 'udp' must be followed by '://' (example: udp://127.0.0.1:8094)`.
struct Address<Role: AddressRole>: CheckedArgument, Equatable, Sendable {
    var endpoint: Endpoint
    /// The text it was given.
    var text: String

    static func parse(_ text: String) -> Result<Address, ArgumentProblem> {
        do {
            return .success(Address(endpoint: try Endpoint(parsing: text, role: Role.role), text: text))
        } catch {
            return .failure(ArgumentProblem(endpointError: error, what: Role.what))
        }
    }

    var defaultValueDescription: String { text }
}

typealias SendAddress = Address<SendRole>
typealias ListenAddress = Address<ListenRole>

extension ArgumentProblem {
    /// `error` as the refusal of a value that is not `what`, with the address's reason and example.
    init(endpointError error: EndpointError, what: String, examples: [String]? = nil) {
        self.init(problem: "is not \(what): \(error.reason)", examples: examples ?? [error.example], reason: error.reason)
    }
}
