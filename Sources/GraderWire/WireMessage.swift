/// What an exercise binary tells the grader, one message a line on a private pipe.
///
/// The grader trusts nothing a child prints to stdout or stderr: only these messages, each
/// authenticated with a key the grader handed to the child privately (see `WireSigner`), count.
public enum WireMessage: Equatable, Sendable {
    /// First message of every run: the protocol version, the seed the checks use, and the check
    /// the run starts at (empty for the first).
    case hello(version: Int, seed: UInt64, from: String)
    /// Every check the binary knows, in order, sent before any student code runs.
    case plan([PlannedCheck])
    /// A check is about to run: if the process dies before its `result`, the crash belongs to it.
    case start(id: String)
    /// The verdict of one check.
    case result(CheckVerdict)
    /// The run reached its end normally; without it the grader treats the run as cut short.
    case done

    public static let protocolVersion = 2
}

/// A check as the binary announces it.
public struct PlannedCheck: Equatable, Sendable {
    public var id: String
    public var title: String
    /// Relative weight for partial credit (instructor tools); 1 unless the check says otherwise.
    public var weight: Int
    /// Hidden checks run only when grading; the student sees how many are pending, not what they are.
    public var hidden: Bool

    public init(id: String, title: String, weight: Int = 1, hidden: Bool = false) {
        self.id = id; self.title = title; self.weight = weight; self.hidden = hidden
    }
}

/// The verdict of one check as the kit reports it.
public struct CheckVerdict: Equatable, Sendable {
    public enum Status: String, Sendable {
        case pass, fail
        /// The student code reached a `todo()`: the starter has not been filled in yet.
        case notImplemented
    }
    public var id: String
    public var status: Status
    /// What went wrong, in words for the student; empty for a pass.
    public var message: String
    /// The instructor's pointer for this failure ("look at the branch |r| > delta"), if any.
    public var hint: String
    /// `File.swift:14` of the student code involved, when known (a `todo()` knows its own line).
    public var location: String
    /// Wall time of the check in milliseconds.
    public var milliseconds: Int
    /// Every value the check compared, in order: what a grade compares with the reference run.
    public var observations: [Observation]

    public init(id: String, status: Status, message: String = "", hint: String = "", location: String = "", milliseconds: Int = 0,
                observations: [Observation] = []) {
        self.id = id; self.status = status; self.message = message; self.hint = hint
        self.location = location; self.milliseconds = milliseconds; self.observations = observations
    }
}

extension WireMessage {
    /// The message as text fields; the first is its kind.
    var fields: [String] {
        switch self {
        case let .hello(version, seed, from): return ["hello", String(version), String(seed), from]
        case let .plan(checks):
            return ["plan"] + checks.flatMap { [$0.id, $0.title, String($0.weight), $0.hidden ? "hidden" : "visible"] }
        case let .start(id): return ["start", id]
        case let .result(v):
            return ["result", v.id, v.status.rawValue, v.message, v.hint, v.location, String(v.milliseconds)]
                + v.observations.map(\.encoded)
        case .done: return ["done"]
        }
    }

    init?(fields: [String]) {
        guard let kind = fields.first else { return nil }
        let rest = Array(fields.dropFirst())
        switch kind {
        case "hello":
            guard rest.count == 3, let version = Int(rest[0]), let seed = UInt64(rest[1]) else { return nil }
            self = .hello(version: version, seed: seed, from: rest[2])
        case "plan":
            guard rest.count % 4 == 0 else { return nil }
            var checks: [PlannedCheck] = []
            for i in stride(from: 0, to: rest.count, by: 4) {
                guard let weight = Int(rest[i + 2]) else { return nil }
                checks.append(PlannedCheck(id: rest[i], title: rest[i + 1], weight: weight, hidden: rest[i + 3] == "hidden"))
            }
            self = .plan(checks)
        case "start":
            guard rest.count == 1 else { return nil }
            self = .start(id: rest[0])
        case "result":
            guard rest.count >= 6, let status = CheckVerdict.Status(rawValue: rest[1]), let ms = Int(rest[5]) else { return nil }
            var observations: [Observation] = []
            for field in rest.dropFirst(6) {
                guard let observation = Observation(encoded: field) else { return nil }
                observations.append(observation)
            }
            self = .result(CheckVerdict(id: rest[0], status: status, message: rest[2], hint: rest[3], location: rest[4], milliseconds: ms,
                                        observations: observations))
        case "done":
            guard rest.isEmpty else { return nil }
            self = .done
        default:
            return nil
        }
    }
}
