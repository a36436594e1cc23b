import ArgumentParser
import MetricLoad
import MetricTransport

/// What an address is for: sending (`-` and `http://` allowed, port 0 refused), flooding with
/// `load` (sockets only) or listening (port 0 allowed).
protocol AddressRole: Sendable {
    static var role: Endpoint.Role { get }
    /// What a value is, with its article, in a refusal: `an address to send to`.
    static var what: String { get }
    /// Why an address the role's ``Endpoint/Role`` accepts is refused all the same, with a good one.
    static func refusal(_ endpoint: Endpoint) -> (reason: String, example: String)?
}

extension AddressRole {
    static func refusal(_ endpoint: Endpoint) -> (reason: String, example: String)? { nil }
}

/// Sending: `send TARGET`, `listen --forward`, `tail-log --output`.
enum SendRole: AddressRole {
    static let role = Endpoint.Role.send
    static let what = "an address to send to"
}

/// Flooding: `load TARGET`, a socket (no stdout, no HTTP).
enum LoadRole: AddressRole {
    static let role = Endpoint.Role.send
    static let what = "a socket to load"
    static func refusal(_ endpoint: Endpoint) -> (reason: String, example: String)? {
        LoadFrontend.targetProblem(endpoint).map { ($0, "udp://127.0.0.1:8094") }
    }
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
        let endpoint: Endpoint
        do {
            endpoint = try Endpoint(parsing: text, role: Role.role)
        } catch {
            return .failure(ArgumentProblem(endpointError: error, what: Role.what))
        }
        if let (reason, example) = Role.refusal(endpoint) {
            return .failure(ArgumentProblem(problem: "is not \(Role.what): \(reason)", examples: [example], reason: reason))
        }
        return .success(Address(endpoint: endpoint, text: text))
    }

    var defaultValueDescription: String { text }
}

typealias SendAddress = Address<SendRole>
typealias LoadAddress = Address<LoadRole>
typealias ListenAddress = Address<ListenRole>

extension ArgumentProblem {
    /// `error` as the refusal of a value that is not `what`, with the address's reason and example.
    init(endpointError error: EndpointError, what: String, examples: [String]? = nil) {
        self.init(problem: "is not \(what): \(error.reason)", examples: examples ?? [error.example], reason: error.reason)
    }
}
