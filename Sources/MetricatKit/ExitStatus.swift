/// The exit statuses every metricat command uses (sysexits.h where one fits).
public enum ExitStatus: Int32, Sendable {
    /// Everything was read and written.
    case ok = 0
    /// An expectation was not met or a timeout expired (`listen --expect`, `load --max-loss`).
    case expectationFailed = 1
    /// Bad command line.
    case usage = 2
    /// Some input was rejected (EX_DATAERR); the good input around it went through.
    case dataError = 65
    /// The target could not be reached (EX_UNAVAILABLE).
    case unavailable = 69
    /// Reading or writing failed (EX_IOERR).
    case ioError = 74
    /// `listen -- COMMAND`: the command was found but could not be run (as sh and env(1) say).
    case commandNotRunnable = 126
    /// `listen -- COMMAND`: the command was not found.
    case commandNotFound = 127
}
