import Foundation
import Testing

extension CommandLineTests {
    @Test func versionNamesTheReleaseAndTheCommit() throws {
        let r = try Binary.run(["--version"])
        #expect(r.status == 0)
        // "0.1.0 (abc1234)" from scripts/release.sh, "0.1.0 (unknown)" from a plain swift build.
        let line = try #require(r.stdout.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init))
        #expect(r.stdout == line + "\n")
        #expect(line.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+ \((unknown|[0-9a-f]{7,40}(-dirty)?)\)/) != nil, "\(line)")
    }
}
