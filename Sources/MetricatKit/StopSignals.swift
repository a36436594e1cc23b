#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM turned into a clean stop for loops that sleep between rounds (`send --every`,
/// `tail-log --follow`): while it lives the signals are blocked, and ``sleep(nanoseconds:)`` returns
/// early, saying so, when one arrives.
public final class StopSignals {
    private var mask = sigset_t()
    private var previous = sigset_t()

    public init() {
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &mask, &previous)
    }

    deinit {
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }

    /// Sleeps up to `ns`; returns true when SIGINT or SIGTERM ended the sleep (time to stop).
    public func sleep(nanoseconds ns: Int64) -> Bool {
        guard ns > 0 else { return false }
        var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        return sigtimedwait(&mask, nil, &ts) > 0
    }
}
