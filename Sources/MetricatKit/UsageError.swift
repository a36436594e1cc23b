/// A refusal of the command line found while running (a format option that does not fit, a URL
/// that disagrees with a flag): exit status 2, with `message` as the reason.
public struct UsageError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
