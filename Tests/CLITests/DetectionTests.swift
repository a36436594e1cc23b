import Foundation
import Testing

/// What `--from auto` says about input it cannot place, in `convert` and `listen`.
@Suite(.serialized) struct DetectionTests {
    @Test func garbageBeforeAJSONLineIsNotCalledJSON() throws {
        let r = try Binary.run(["convert", "-v", "--to", "influx"], input: "garbage here\n[1]\n")
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr == "-:1:1: cannot tell the input format: line 1 fits no known format; set --from\n", "\(r.stderr)")
        let mixed = try Binary.run(["convert", "--to", "influx"], input: "a.b.c 1\n{\"name\":\"x\"}\n")
        #expect(mixed.status == 65, "\(mixed)")
        #expect(mixed.stderr == "-:2:1: cannot tell the input format: line 2 looks like json (starts with {) but line 1 does not; set --from\n", "\(mixed.stderr)")
    }

    @Test func listenSaysWhyItCannotTellTheFormatOfADatagram() throws {
        let port = freePort()
        let address = "udp://127.0.0.1:\(port)"
        let listen = try Background.metricat(["listen", address, "--from", "auto", "--count", "1", "--json", "--timeout", "10s"])
        #expect(listen.waitFor(20) { _, _ in SendListenTests.isListening(address) })
        ListenSummaryTests.sendDatagrams(["garbage here\n[1]", "deploys:1|c"], port: port)
        #expect(listen.wait() == 0, "\(listen.stderr)")
        #expect(listen.stderr.contains(":1:1: cannot tell the input format: line 1 fits no known format; set --from\n"), "\(listen.stderr)")
        #expect(!listen.stderr.contains("starts with"))
        let json = try ListenSummaryTests.summary(listen.stderr)
        ListenSummaryTests.expectCounts(json, ["received": 3, "metrics": 1, "datagrams": 2, "parse_errors": 1])
    }
}
