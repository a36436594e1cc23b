import Foundation
import Testing

/// Every refused value says what is wrong and what would be right, exits 2, and shows the
/// subcommand's own usage line.
@Suite struct RefusalTests {
    struct Case: Sendable, CustomStringConvertible {
        var args: [String]
        var message: String
        var description: String { args.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(
            args: ["send", "-", "--name", "x", "--field", "v=1", "--duration", "-1s"],
            message: "--duration: '-1s' is negative: a duration must be more than 0 (example: --duration 500ms, 2s or 1m)"),
        Case(args: ["send", "-", "--name", "x", "--field", "v=1", "--every", "0s"], message: "--every: '0s' is zero: a duration must be more than 0"),
        Case(args: ["send", "-", "--name", "x", "--field", "v=1", "--every", "soon"], message: "--every: 'soon' is not a duration: a number with a unit ns, us, ms, s, m or h"),
        Case(args: ["load", "--rate", "0"], message: "--rate: '0' is zero: a rate must be more than 0 lines per second (example: --rate 5000"),
        Case(args: ["load", "--rate", "-5k"], message: "--rate: '-5k' is negative"),
        Case(args: ["load", "--duration", "-1s"], message: "--duration: '-1s' is negative"),
        Case(args: ["send", "udp:/x", "a:1|c"], message: "udp:/x: the scheme 'udp' must be followed by '://' (example: udp://127.0.0.1:8094)"),
        Case(args: ["send", "unixgram:/tmp/x", "a:1|c"], message: "the scheme 'unixgram' must be followed by '://' (example: unixgram:///tmp/metrics.sock)"),
        Case(
            args: ["send", "https://127.0.0.1:1/write?db=x", "a v=1"],
            message: "https is not supported (no TLS here); use http:// on a trusted network or a local TLS proxy (example: http://127.0.0.1:8086/write?db=telegraf)"),
        Case(args: ["load", "udp://127.0.0.1:9", "--sink-report", "https://127.0.0.1:1/x"], message: "https is not supported"),
        Case(
            args: ["send", "--precision", "s", "http://127.0.0.1:1/write?db=x&precision=ms", "a v=1 1"],
            message: "--precision s disagrees with precision=ms in http://127.0.0.1:1/write?db=x&precision=ms"),
        Case(args: ["send", "http://127.0.0.1:1/write?db=x&precision=h", "a v=1 1"], message: "precision=h is not one InfluxDB knows: use precision=ns, u, ms or s"),
    ]

    @Test(arguments: cases)
    func refusal(_ c: Case) throws {
        let r = try Binary.run(c.args, timeout: 20)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains(c.message), "\(r.stderr)")
        #expect(r.stderr.contains("Usage: metricat \(c.args[0]) "), "\(r.stderr)")
    }
}
