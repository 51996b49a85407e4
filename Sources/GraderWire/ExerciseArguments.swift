/// The command line the grader gives an exercise binary, shared by both sides so they agree.
///
/// The key that authenticates results does not travel here (any process can read another's
/// arguments): the grader writes it as the first line of the child's stdin, which the kit reads
/// before any student code runs, and then closes stdin.
public struct ExerciseArguments: Equatable, Sendable {
    /// File descriptor the authenticated messages go to (the grader's pipe); nil when a person runs
    /// the binary by hand, which prints a readable report instead and reads no key.
    public var channel: Int32?
    /// Seed of the random inputs; the same seed gives the same inputs.
    public var seed: UInt64?
    /// Start at this check (after a crash in the one before it).
    public var from: String?
    /// Run only this check.
    public var only: String?
    /// Also run the checks in `checks/hidden/` (grading only).
    public var includeHidden = false
    /// Address-space limit in MiB the kit sets on its own process before any student code runs.
    public var memoryLimitMB: Int?
    /// Print the checks and exit.
    public var list = false

    public init() {}

    public var arguments: [String] {
        var out: [String] = []
        if let channel { out += ["--grader-channel", String(channel)] }
        if let seed { out += ["--seed", String(seed)] }
        if let from { out += ["--from", from] }
        if let only { out += ["--only", only] }
        if includeHidden { out.append("--include-hidden") }
        if let memoryLimitMB { out += ["--memory-mb", String(memoryLimitMB)] }
        if list { out.append("--list") }
        return out
    }

    /// Parses `arguments` (without the program name); nil with a reason for anything unknown.
    public static func parse(_ arguments: [String]) -> Result<ExerciseArguments, ParseError> {
        var parsed = ExerciseArguments()
        var i = 0
        func value(_ flag: String) -> String? {
            i += 1
            return i < arguments.count ? arguments[i] : nil
        }
        while i < arguments.count {
            let flag = arguments[i]
            switch flag {
            case "--grader-channel":
                guard let v = value(flag), let fd = Int32(v) else { return .failure(ParseError("\(flag) needs a file descriptor")) }
                parsed.channel = fd
            case "--seed":
                guard let v = value(flag), let seed = UInt64(v) else { return .failure(ParseError("--seed needs a non-negative integer")) }
                parsed.seed = seed
            case "--from":
                guard let v = value(flag) else { return .failure(ParseError("--from needs a check id")) }
                parsed.from = v
            case "--only":
                guard let v = value(flag) else { return .failure(ParseError("--only needs a check id")) }
                parsed.only = v
            case "--include-hidden": parsed.includeHidden = true
            case "--memory-mb":
                guard let v = value(flag), let mb = Int(v), mb > 0 else { return .failure(ParseError("--memory-mb needs a positive integer")) }
                parsed.memoryLimitMB = mb
            case "--list": parsed.list = true
            default: return .failure(ParseError("unknown option \(flag)"))
            }
            i += 1
        }
        return .success(parsed)
    }

    public struct ParseError: Error, Equatable, Sendable {
        public let message: String
        public init(_ message: String) { self.message = message }
    }
}
