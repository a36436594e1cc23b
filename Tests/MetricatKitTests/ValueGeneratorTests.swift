import MetricFormats
import Testing

@testable import MetricatKit

/// `--field` generators: bounds that cannot be drawn from are refused when the flag is read, with an
/// example, instead of stopping the first draw.
@Suite struct ValueGeneratorTests {
    @Test func randomBoundsFurtherApartThanTheLargestDoubleAreRefused() throws {
        #expect(throws: TemplateError.self) { try ValueGenerator(parsing: "random(-1e308,1e308)", field: "v") }
        #expect(throws: TemplateError.self) { try ValueGenerator(parsing: "random(-1.7976931348623157e308,1.7976931348623157e308)", field: "v") }
        do {
            _ = try ValueGenerator(parsing: "random(-1e308,1e308)", field: "v")
        } catch {
            #expect(error.description == "--field v=random(-1e308,1e308): random bounds must be at most 1.7976931348623157e308 apart (example: random(-1e307,1e307))")
        }
        #expect(try ValueGenerator(parsing: "random(-1e307,1e307)", field: "v") == .randomFloat(-1e307, 1e307))
        #expect(try ValueGenerator(parsing: "random(-9223372036854775808,9223372036854775807)", field: "v") == .randomInt(.min, .max))
    }
}
