/// A 256-entry table of what each byte means to the line-protocol parser, so the token loops test
/// one load per byte instead of a chain of comparisons.
enum InfluxByteClass {
    /// Ends a measurement, tag or field key: space, comma, tab, LF, FF, CR.
    static let end: UInt8 = 0x01
    /// `=`: ends tag keys, tag values and field keys.
    static let equals: UInt8 = 0x02
    /// `\\`: starts an escape.
    static let backslash: UInt8 = 0x04

    /// Written once at first use and only read after that.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        for b in [ASCII.space, ASCII.comma, ASCII.tab, ASCII.newline, ASCII.formFeed, ASCII.cr] { t[Int(b)] |= end }
        t[Int(ASCII.equals)] |= equals
        t[Int(ASCII.backslash)] |= backslash
        return UnsafePointer(t)
    }()
}
