#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A thread for background work beside the caller's loop (serving metrics, writing forward targets):
/// every signal is blocked on it, so SIGINT and SIGTERM stay with the thread that handles them.
public enum WorkerThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Starts `body` on a new thread; join it with `pthread_join`.
    public static func start(_ body: @escaping () -> Void) -> pthread_t {
        var t = pthread_t()
        pthread_create(
            &t, nil,
            { arg in
                var mask = sigset_t()
                sigfillset(&mask)
                pthread_sigmask(SIG_BLOCK, &mask, nil)
                Unmanaged<Body>.fromOpaque(arg!).takeRetainedValue().run()
                return nil
            }, Unmanaged.passRetained(Body(body)).toOpaque())
        return t
    }
}
