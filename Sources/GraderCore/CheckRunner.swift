import Foundation
import GraderWire

/// Runs a compiled exercise under the authenticated protocol and establishes each check's verdict.
///
/// The rules that make the verdict impossible to fake or lose:
/// - Only messages on the private channel, signed with a key given to this run alone, count; what
///   the program prints is shown to the student but never parsed for verdicts.
/// - The program announces its checks before any student code runs; a pass needs an authenticated
///   `pass` for every one of them and a final `done`. A missing result is a failure.
/// - A check whose `start` has no `result` is the one the process died in: it gets the crash, the
///   exit or the time-out, and the program is started again after it so one crash does not hide
///   the checks that follow (a time-out does stop the run: the rest are marked not run).
public struct CheckRunner: Sendable {
    public struct Options: Sendable {
        public var seed: UInt64
        public var includeHidden: Bool
        public var timeout: Double
        public var memoryLimitMB: Int
        public init(seed: UInt64, includeHidden: Bool = false, timeout: Double = Manifest.defaultTimeout,
                    memoryLimitMB: Int = Manifest.defaultMemoryLimitMB) {
            self.seed = seed; self.includeHidden = includeHidden; self.timeout = timeout; self.memoryLimitMB = memoryLimitMB
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
    public let workingDirectory: URL

    public init(executable: URL, studentFiles: [String], checkFiles: [String], workingDirectory: URL) {
        self.executable = executable; self.studentFiles = studentFiles; self.checkFiles = checkFiles
        self.workingDirectory = workingDirectory
    }

    public func run(_ options: Options) throws -> Outcome {
        var plan: [PlannedCheck]?
        var verdicts: [String: CheckResult] = [:]
        var from: String?
        var runs = 0
        var seconds = 0.0
        var output = ""

        runLoop: while true {
            runs += 1
            let one = try runOnce(from: from, options: options)
            seconds += one.seconds
            output += one.output
            if let problem = one.protocolProblem, one.plan == nil {
                // The program never got as far as announcing its checks.
                throw GraderError("the exercise program did not start properly (\(problem)).\n\(one.output.suffix(2000))")
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
            let sentence = crash.sentence(for: one.termination, timeout: options.timeout, memoryLimitMB: options.memoryLimitMB)
            if let problem = one.protocolProblem {
                // Something other than the kit wrote to the private channel (or damaged it): the
                // check that was running, or the one due, fails; a fresh run (with a fresh key)
                // continues after it.
                let blamed = one.interrupted ?? ids.first { verdicts[$0] == nil }
                if let blamed, let index = ids.firstIndex(of: blamed) {
                    verdicts[blamed] = result(plan[index], status: .failed,
                                              message: "the grader's private result channel received a forged or damaged record during this check (\(problem)); only the checks may report results",
                                              output: tail(one.output))
                }
            } else if let died = one.interrupted, let index = ids.firstIndex(of: died) {
                let status: CheckResult.Status = one.termination == .timedOut ? .timedOut : .crashed
                verdicts[died] = result(plan[index], status: status, message: sentence,
                                        location: crash.studentLocation ?? "", output: tail(one.output))
                if one.termination == .timedOut {
                    for check in plan[(index + 1)...] where verdicts[check.id] == nil {
                        verdicts[check.id] = result(check, status: .notRun, message: "not run: the check \(died) before it timed out")
                    }
                    break runLoop
                }
            } else if progress == 0, let next = ids.firstIndex(where: { verdicts[$0] == nil }) {
                // Ended between checks without getting anywhere: blame the check that was due.
                verdicts[ids[next]] = result(plan[next], status: one.termination == .timedOut ? .timedOut : .crashed,
                                             message: sentence, location: crash.studentLocation ?? "", output: tail(one.output))
                if one.termination == .timedOut { break runLoop }
            }
            // Start again at the first check without a verdict (after a `todo()`, a crash, an exit).
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
        var stderr: String
        var output: String
        var seconds: Double
    }

    func runOnce(from: String?, options: Options) throws -> SingleRun {
        var key = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in key.indices { key[i] = UInt8.random(in: 0...255, using: &generator) }
        var arguments = ExerciseArguments()
        arguments.channel = CheckRunner.channelDescriptor
        arguments.seed = options.seed
        arguments.from = from
        arguments.includeHidden = options.includeHidden
        arguments.memoryLimitMB = options.memoryLimitMB
        var environment = ProcessInfo.processInfo.environment
        // Symbolicated frames with file:line so a crash can name the student's line; no colours,
        // no prompts, no register dumps.
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,limit=48,top=8,output-to=stderr"
        let process = try ChildProcess.run(executable: executable, arguments: arguments.arguments,
                                           workingDirectory: workingDirectory, environment: environment,
                                           stdinData: Array((key.hexString + "\n").utf8),
                                           channelDescriptor: CheckRunner.channelDescriptor, timeout: options.timeout)
        var run = SingleRun(termination: process.termination, stderr: process.stderrText,
                            output: joinOutput(process.stdoutText, process.stderrText), seconds: process.seconds)
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
                  location: verdict.location, weight: check.weight, hidden: check.hidden, milliseconds: verdict.milliseconds)
    }
}
