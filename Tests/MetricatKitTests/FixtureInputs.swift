import Foundation
import MetricFormats

/// The fixture inputs of one format folder (`Tests/Fixtures/<format>/*/input`), for the tests that
/// run whole inputs through more than one path and compare the runs.
enum FixtureInputs {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Every input of the folder, in name order, one after the other, each ending with a newline.
    static func text(_ folder: String) -> [UInt8] {
        let fm = FileManager.default
        let dir = root.appendingPathComponent(folder)
        var text: [UInt8] = []
        for name in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() {
            if let data = fm.contents(atPath: dir.appendingPathComponent(name).appendingPathComponent("input").path) {
                text += Array(data)
                if text.last != ASCII.newline { text.append(ASCII.newline) }
            }
        }
        return text
    }
}
