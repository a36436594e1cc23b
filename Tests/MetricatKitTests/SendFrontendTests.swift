import MetricTransport
import Testing

@testable import MetricatKit

/// What the `send` summary says about delivery after a reconnect.
@Suite struct SendFrontendTests {
    @Test func resentLinesAreAnnouncedAsPossibleDuplicates() {
        var stats = SenderStats()
        #expect(SendFrontend.deliveryNote(stats) == "")
        stats.resentLines = 7
        #expect(SendFrontend.deliveryNote(stats) == " (delivery is at-least-once across a reconnect: up to 7 lines may be duplicated)")
        stats.unconfirmedBytes = 300
        #expect(
            SendFrontend.deliveryNote(stats).hasSuffix(
                "; 300 bytes the collector acknowledged before a break were older than the resend buffer and may not have been processed"))
    }

    @Test func theJSONSummaryCarriesResentLinesAndUnconfirmedBytes() {
        var stats = SenderStats()
        stats.lines = 10
        stats.resentLines = 3
        stats.unconfirmedBytes = 5
        stats.errors = ["ECONNRESET": 1]
        #expect(
            SendFrontend.summaryJSON(stats, target: .tcp(host: "127.0.0.1", port: 2003, family: .ipv4))
                == "{\"target\":\"tcp4://127.0.0.1:2003\",\"lines\":10,\"datagrams\":0,\"bytes\":0,\"reconnects\":0,\"refused\":0,\"failed\":0,\"resent\":3,\"unconfirmed_bytes\":5,\"errors\":{\"ECONNRESET\":1}}"
        )
    }
}
