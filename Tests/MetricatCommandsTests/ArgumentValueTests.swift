import Testing

@testable import MetricatCommands
