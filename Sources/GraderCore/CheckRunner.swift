import Foundation
import GraderWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a compiled exercise under the checks' protocol and establishes each check's verdict.
///
/// - Only messages on the private channel count; what the program prints is shown to the student
///   but never parsed for verdicts. (The channel's signatures stop accidents, not a hostile
///   program: grades do not rest on them but on `ReferenceComparison`.)
/// - The program announces its checks before any check runs; a check without a result is a failure.
/// - A check whose `start` has no `result` is the one the process died in: it gets the crash, the
///   exit or the time-out, and the program is started again after it, so one crash or one hang
///   does not hide the checks that follow.
/// - Time: each check may run for `checkTimeout` seconds, and all runs of the exercise together
///   for `timeout` seconds; when that is used up, the checks not reached are "not run".
/// - Every run has a private scratch folder as its working directory (removed afterwards), a
///   minimal environment, and the isolation the grader was given.
public struct CheckRunner: Sendable {
    public struct Options: Sendable {
        public var seed: UInt64
        public var includeHidden: Bool
        /// Seconds for all runs together.
        public var timeout: Double
        /// Seconds for one check.
        public var checkTimeout: Double
        public var memoryLimitMB: Int
        public init(seed: UInt64, includeHidden: Bool = false, timeout: Double = Manifest.defaultTimeout, checkTimeout: Double? = nil,
                    memoryLimitMB: Int = Manifest.defaultMemoryLimitMB) {
            self.seed = seed; self.includeHidden = includeHidden; self.timeout = timeout
            self.checkTimeout = min(checkTimeout ?? timeout, timeout); self.memoryLimitMB = memoryLimitMB
        }
    }

    public struct Outcome: Sendable {
        public var checks: [CheckResult]
        public var runs: Int
        public var seconds: Double
        public var output: String
    }

    /// The descriptor of the private channel in the child.
    public static let channelDescriptor: Int32 = 3

    public let executable: URL
    /// Paths the crash report recognises as the student's and the checks' (as compiled).
    public let studentFiles: [String]
    public let checkFiles: [String]
    public let isolation: Sandbox
    /// What the program must be able to read inside a sandbox: itself and the libraries it loads.
    public let readablePaths: [URL]

    public init(executable: URL, studentFiles: [String], checkFiles: [String],
                isolation: Sandbox = .unisolated, readablePaths: [URL] = []) {
        self.executable = executable; self.studentFiles = studentFiles; self.checkFiles = checkFiles
        self.isolation = isolation; self.readablePaths = readablePaths
    }

    public func run(_ options: Options) throws -> Outcome {
        var plan: [PlannedCheck]?
        var verdicts: [String: CheckResult] = [:]
        var from: String?
        var runs = 0
        var seconds = 0.0
        var output = ""
        let deadline = Date().addingTimeInterval(options.timeout)

        runLoop: while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0, let plan {
                for check in plan where verdicts[check.id] == nil {
                    verdicts[check.id] = result(check, status: .notRun,
                                                message: "not run: the exercise's time limit of \(describeSeconds(options.timeout)) for all checks together was used up before this check")
                }
                break
            }
            runs += 1
            let one = try runOnce(from: from, options: options, timeout: max(remaining, 0.5))
            seconds += one.seconds
            output += one.output
            if let problem = one.protocolProblem, one.plan == nil {
                // The program never got as far as announcing its checks.
                if plan == nil && runs == 1 {
                    throw GraderError("the exercise program did not start properly (\(problem)).\n\(one.output.suffix(2000))")
                }
                // A later run that dies before its plan: blame the check it was started for.
                if let from, let index = plan?.firstIndex(where: { $0.id == from }), let plan {
                    verdicts[from] = result(plan[index], status: one.termination == .timedOut ? .timedOut : .crashed,
                                            message: "the program stopped before this check started (\(problem))", output: tail(one.output))
                }
                guard let plan, let next = plan.map(\.id).first(where: { verdicts[$0] == nil }), runs <= plan.count + 1 else { break }
                from = next
                continue
            }
            if plan == nil { plan = one.plan }
            guard let plan, one.plan == plan else {
                throw GraderError("the exercise program announced different checks on a second run; this is a bug in the grader or the checks")
            }
            var progress = 0
            for verdict in one.verdicts where plan.contains(where: { $0.id == verdict.id }) && verdicts[verdict.id] == nil {
                verdicts[verdict.id] = verdict
                progress += 1
            }
            let ids = plan.map(\.id)
            if one.sawDone && one.termination == .exited(0) { break }

            // The run was cut short. Whose fault is it?
            let crash = CrashReport.parse(stderr: one.stderr, studentFiles: studentFiles, checkFiles: checkFiles)
            let timedOut = one.termination == .timedOut
            let limit = one.checkTimedOut ? options.checkTimeout : options.timeout
            var sentence = crash.sentence(for: one.termination, timeout: limit, memoryLimitMB: options.memoryLimitMB)
            if timedOut, one.checkTimedOut {
                sentence = "it ran longer than the \(describeSeconds(options.checkTimeout)) a check may take and was stopped"
                    + (crash.studentLocation.map { ", while running \($0)" } ?? "")
                    + ": an endless loop, or far more work than needed?"
            }
            if let problem = one.protocolProblem {
                // Something other than the kit wrote to the private channel (or damaged it): the
                // check that was running, or the one due, fails; a fresh run continues after it.
                let blamed = one.interrupted ?? ids.first { verdicts[$0] == nil }
                if let blamed, let index = ids.firstIndex(of: blamed) {
                    verdicts[blamed] = result(plan[index], status: .failed,
                                              message: "the grader's private result channel received a forged or damaged record during this check (\(problem)); only the checks may report results",
                                              output: tail(one.output))
                }
            } else if let died = one.interrupted, let index = ids.firstIndex(of: died) {
                verdicts[died] = result(plan[index], status: timedOut ? .timedOut : .crashed, message: sentence,
                                        location: crash.studentLocation ?? "", output: tail(one.output))
            } else if progress == 0, let next = ids.firstIndex(where: { verdicts[$0] == nil }) {
                // Ended between checks without getting anywhere: blame the check that was due.
                verdicts[ids[next]] = result(plan[next], status: timedOut ? .timedOut : .crashed,
                                             message: sentence, location: crash.studentLocation ?? "", output: tail(one.output))
            }
            // Start again at the first check without a verdict (after a `todo()`, a crash, an exit, a hang).
            guard let next = ids.first(where: { verdicts[$0] == nil }), runs <= ids.count + 1 else { break }
            from = next
        }

        let finalPlan = plan ?? []
        let checks = finalPlan.map { check in
            verdicts[check.id] ?? result(check, status: .missing, message: "the program never reported a result for this check")
        }
        return Outcome(checks: checks, runs: runs, seconds: seconds, output: output)
    }

    private func result(_ check: PlannedCheck, status: CheckResult.Status, message: String, location: String = "", output: String = "") -> CheckResult {
        CheckResult(id: check.id, title: check.title, status: status, message: message, location: location,
                    weight: check.weight, hidden: check.hidden, output: output)
    }

    private func tail(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // The backtracer's report is long; students need the lines before it.
        var kept: [Substring] = []
        for line in lines {
            if line.hasPrefix("*** ") || line.hasPrefix("💣") { break }
            // The runtime's own message is already in the verdict.
            if line.contains(": Fatal error") || line.contains("Fatal error:") || line.hasPrefix("Current stack trace") { continue }
            kept.append(line)
        }
        return kept.suffix(20).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct SingleRun {
        var plan: [PlannedCheck]?
        var verdicts: [CheckResult] = []
        var interrupted: String?
        var sawDone = false
        var termination: ChildProcess.Termination
        var protocolProblem: String?
        /// The run was stopped because one check took too long (not the exercise's whole budget).
        var checkTimedOut = false
        var stderr: String
        var output: String
        var seconds: Double
    }

    func runOnce(from: String?, options: Options, timeout: Double) throws -> SingleRun {
        var key = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in key.indices { key[i] = UInt8.random(in: 0...255, using: &generator) }
        var arguments = ExerciseArguments()
        arguments.channel = CheckRunner.channelDescriptor
        arguments.seed = options.seed
        arguments.from = from
        arguments.includeHidden = options.includeHidden
        arguments.memoryLimitMB = options.memoryLimitMB
        let scratch = try ScratchDirectory.create(prefix: "gradlings-run")
        defer { scratch.remove() }
        let (program, programArguments) = isolation.command(executable: executable, arguments: arguments.arguments,
                                                             readOnly: readablePaths, readWrite: [scratch.url], workingDirectory: scratch.url,
                                                             limits: .init(memoryMegabytes: options.memoryLimitMB))
        // The start, and each complete record on the channel, give the next stretch of work
        // `checkTimeout` seconds.
        let checkTimeout = options.checkTimeout
        let process = try ChildProcess.run(executable: program, arguments: programArguments,
                                           workingDirectory: scratch.url, environment: CheckRunner.environment(home: scratch.url),
                                           stdinData: Array((key.hexString + "\n").utf8),
                                           channelDescriptor: CheckRunner.channelDescriptor, timeout: timeout,
                                           deadlineAfterChannel: { chunk in
                                               chunk.isEmpty || chunk.contains(UInt8(ascii: "\n")) ? Date().addingTimeInterval(checkTimeout) : nil
                                           },
                                           stopSignal: SIGQUIT)
        var run = SingleRun(termination: process.termination, stderr: process.stderrText,
                            output: joinOutput(process.stdoutText, process.stderrText), seconds: process.seconds)
        run.checkTimedOut = process.termination == .timedOut && process.seconds < timeout - 0.05
        var verifier = WireVerifier(key: key)
        var started: String?
        var results: [String: CheckVerdict] = [:]
        var sawHello = false
        let lines = process.channel.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The last element is what followed the final newline: empty for a clean stream.
        for (index, raw) in lines.enumerated() {
            if index == lines.count - 1 && raw.isEmpty { break }
            let line = String(decoding: raw, as: UTF8.self)
            switch verifier.accept(line[...]) {
            case let .failure(rejection):
                run.protocolProblem = rejection.description
            case let .success(message):
                switch message {
                case let .hello(version, seed, runFrom):
                    guard version == WireMessage.protocolVersion else {
                        throw GraderError("the exercise program speaks protocol \(version), the grader \(WireMessage.protocolVersion): rebuild with `swift build`")
                    }
                    if seed != options.seed || runFrom != (from ?? "") { run.protocolProblem = "the program ran with other settings than asked" }
                    sawHello = true
                case let .plan(checks) where sawHello && run.plan == nil:
                    run.plan = checks
                case let .start(id) where run.plan != nil && started == nil:
                    started = id
                case let .result(verdict) where started == verdict.id:
                    results[verdict.id] = verdict
                    started = nil
                    if let check = run.plan?.first(where: { $0.id == verdict.id }) {
                        run.verdicts.append(CheckResult(from: verdict, check: check))
                    }
                case .done where started == nil && run.plan != nil:
                    run.sawDone = true
                default:
                    run.protocolProblem = "a record arrived out of order"
                }
            }
            if run.protocolProblem != nil { break }
        }
        if !sawHello && run.protocolProblem == nil {
            run.protocolProblem = "it ended (\(describe(process.termination))) before it reported anything"
        }
        run.interrupted = started
        return run
    }

    private func describe(_ termination: ChildProcess.Termination) -> String {
        switch termination {
        case let .exited(code): return "exit status \(code)"
        case let .signaled(signal): return "signal \(signal)"
        case .timedOut: return "timed out"
        }
    }

    private func joinOutput(_ out: String, _ err: String) -> String {
        switch (out.isEmpty, err.isEmpty) {
        case (true, _): return err
        case (_, true): return out
        default: return out + (out.hasSuffix("\n") ? "" : "\n") + err
        }
    }
}

extension CheckResult {
    init(from verdict: CheckVerdict, check: PlannedCheck) {
        let status: Status
        switch verdict.status {
        case .pass: status = .passed
        case .fail: status = .failed
        case .notImplemented: status = .notImplemented
        }
        self.init(id: verdict.id, title: check.title, status: status, message: verdict.message, hint: verdict.hint,
                  location: verdict.location, weight: check.weight, hidden: check.hidden, milliseconds: verdict.milliseconds,
                  observations: verdict.observations)
    }
}

extension CheckRunner {
    /// What a student program gets to see of the grader's environment: nothing secret (CI tokens
    /// live in environment variables), only what the Swift runtime and its backtracer need.
    static func environment(home: URL) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment = ["HOME": home.path, "TMPDIR": home.path, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"]
        for name in ["LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH"] { environment[name] = inherited[name] }
        // Symbolicated frames with file:line so a crash can name the student's line; no colours,
        // no prompts, no register dumps.
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,limit=48,top=8,output-to=stderr"
        return environment
    }
}

/// `10 s`, `3.3 s`: a duration as people read it.
func describeSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
}
