import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM during `load`: the first one stops the senders (and a ramp) so the partial
/// report is printed; the handler then reverts to the default, so a second one ends the process at once.
public enum LoadInterrupt {
    private static let received = Atomic<Int32>(0)

    /// The signal that stopped the run, nil while none arrived.
    public static var signal: Int32? {
        let s = received.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    /// `SIGINT` or `SIGTERM`, for the report.
    public static func name(_ signal: Int32) -> String { signal == SIGTERM ? "SIGTERM" : "SIGINT" }

    /// The conventional exit status after `signal`: 128 + its number (130, 143).
    public static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }

    /// Catches SIGINT and SIGTERM for the rest of the process (also when the parent left them
    /// ignored or blocked). Without SA_RESTART, a sleep or a
    /// blocked send returns early, so every sender sees the stop within a millisecond or one send.
    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { s in LoadInterrupt.received.store(s, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)  // 0x80000000
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A parent may hand down these signals blocked; the threads started later inherit this mask.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }
}
