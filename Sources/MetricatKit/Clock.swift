#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock and monotonic time in nanoseconds.
public enum Clock {
    /// The time a run treats as "now": `METRICAT_NOW` (nanoseconds since the epoch) when set, for
    /// reproducible output, else the wall clock.
    public static func now() -> Int64 {
        if let env = getenv("METRICAT_NOW"), let v = Int64(String(cString: env)) { return v }
        return nowNanoseconds()
    }

    public static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
