/// How a run of student code is kept away from the course, the grader and other runs.
///
/// Detected once per machine by `grader-sandbox --probe`; the strongest available is used.
public enum IsolationMechanism: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Linux user, mount, PID, IPC and network namespaces: the program sees only what it is given,
    /// read-only except its scratch folder, has no network, and every process it starts dies with
    /// the run.
    case namespaces
    /// Root without namespaces (Docker's default seccomp profile, Ubuntu's AppArmor): the program
    /// runs as another, unprivileged user, and a root subreaper kills every process it started.
    /// What it may not read or write is enforced by file permissions only.
    case unprivilegedUser = "unprivileged-user"
    /// No isolation (macOS, or an unprivileged user without namespaces): the program runs as the
    /// grader's user and could read and change anything the grader can.
    case none

    /// True when student code cannot reach the hidden checks and solutions.
    public var isIsolated: Bool { self != .none }

    public var description: String {
        switch self {
        case .namespaces: "isolated with Linux namespaces (private read-only view of the course, no network)"
        case .unprivilegedUser: "isolated as an unprivileged user (the course is protected by file permissions)"
        case .none: "not isolated (student code runs with the grader's rights)"
        }
    }
}
