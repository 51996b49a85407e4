import Foundation
import GraderWire
import Autograd
#if canImport(Glibc)
import Glibc
#endif

/// Runs the exercise's checks: the entry point of every exercise program (the grader generates a
/// `main.swift` that calls it). Do not call it from checks or student code.
///
/// Under the grader (`--grader-channel N`) it reads the run's key from stdin before any student
/// code runs, announces the checks, and sends an authenticated `start`/`result` pair per check
/// and a final `done` on descriptor N. Run by hand, it prints a readable report instead.
public func runExercise(_ suite: CheckSuite, hidden: CheckSuite? = nil) -> Never {
    ExerciseRunner.main(suite: suite, hidden: hidden)
}

enum ExerciseRunner {
    /// Exit status of a process that stopped at a `todo()`: its result was already sent.
    static let todoExitStatus: Int32 = 0

    private static var channel: Int32?
    private static var signer: WireSigner?
    private static var currentCheck: String?
    private static var checkStart = 0.0
    private static var started = false
    private static var human = true

    static func main(suite: CheckSuite, hidden: CheckSuite?) -> Never {
        precondition(!started, "runExercise may only be called once, by the generated main.swift")
        started = true
        // Student prints should survive a crash: line-buffer stdout even into a pipe.
        setvbuf(stdout, nil, _IOLBF, 0)
        let arguments: ExerciseArguments
        switch ExerciseArguments.parse(Array(CommandLine.arguments.dropFirst())) {
        case let .success(parsed): arguments = parsed
        case let .failure(error):
            fputs("exercise: \(error.message)\nusage: exercise [--seed N] [--from ID] [--only ID] [--list] [--include-hidden]\n", stderr)
            exit(2)
        }
        if let mb = arguments.memoryLimitMB { limitMemory(megabytes: mb) }

        var visible = suite.checks.map { (check: $0, hidden: false) }
        if arguments.includeHidden, let hidden { visible += hidden.checks.map { (check: $0, hidden: true) } }
        validate(visible.map(\.check))

        if arguments.list {
            for (check, isHidden) in visible { print("\(check.id)\t\(check.title)\(isHidden ? "\t(hidden)" : "")") }
            exit(0)
        }
        if let fd = arguments.channel {
            // The key is the first line of stdin; nothing else is read from it.
            guard let key = readKeyLine(), let bytes = [UInt8](hexString: key), bytes.count >= 16 else {
                fputs("exercise: --grader-channel given but no key on stdin\n", stderr)
                exit(2)
            }
            channel = fd
            signer = WireSigner(key: bytes)
            human = false
        }
        let seed = arguments.seed ?? UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
        send(.hello(version: WireMessage.protocolVersion, seed: seed, from: arguments.from ?? ""))
        send(.plan(visible.map { PlannedCheck(id: $0.check.id, title: $0.check.title, weight: $0.check.weight, hidden: $0.hidden) }))
        if human { print("seed \(seed)") }

        var reached = arguments.from == nil
        var failures = 0
        for (check, _) in visible {
            if !reached { reached = check.id == arguments.from }
            guard reached else { continue }
            if let only = arguments.only, only != check.id { continue }
            CheckRandom.reseed(seed: seed, checkID: check.id)
            // The library's own generator too, so a check sees the same weights whether it runs
            // first, after a restart, or in the reference solution's run.
            manualSeed(CheckRandom.librarySeed(seed: seed, checkID: check.id))
            Evidence.reset()
            currentCheck = check.id
            checkStart = now()
            send(.start(id: check.id))
            var verdict = CheckVerdict(id: check.id, status: .pass)
            do {
                // Autograd state must not leak from one check into the next.
                try enableGrad { try check.body() }
            } catch let failure as CheckFailure {
                verdict.status = .fail
                verdict.message = failure.message
                verdict.hint = failure.hint ?? check.hint
            } catch let error as AutogradError {
                verdict.status = .fail
                verdict.message = "your code threw an error: \(error.message)"
                verdict.hint = check.hint
            } catch {
                verdict.status = .fail
                verdict.message = "your code threw an error: \(error)"
                verdict.hint = check.hint
            }
            verdict.milliseconds = Int((now() - checkStart) * 1000)
            verdict.observations = Evidence.observations
            currentCheck = nil
            if verdict.status != .pass { failures += 1 }
            send(.result(verdict))
        }
        send(.done)
        fflush(stdout)
        exit(human && failures > 0 ? 1 : 0)
    }

    /// Called by `todo()`: the current check did not get to run the student's code.
    static func notImplemented(_ what: String, location: String) -> Never {
        let message = what.isEmpty ? "not implemented yet" : "not implemented yet: \(what)"
        guard let id = currentCheck else {
            fputs("\(location): \(message)\n", stderr)
            fflush(stdout)
            exit(3)
        }
        let verdict = CheckVerdict(id: id, status: .notImplemented, message: message, location: location,
                                   milliseconds: Int((now() - checkStart) * 1000))
        send(.result(verdict))
        fflush(stdout)
        fflush(stderr)
        // The grader starts the program again at the next check.
        _exit(todoExitStatus)
    }

    private static func send(_ message: WireMessage) {
        if human {
            switch message {
            case let .result(v):
                switch v.status {
                case .pass: print("✓ \(v.id)")
                case .fail: print("✗ \(v.id): \(v.message)" + (v.hint.isEmpty ? "" : "\n  hint: \(v.hint)"))
                case .notImplemented: print("○ \(v.id): \(v.message) (\(v.location))")
                }
            default: break
            }
            return
        }
        guard let channel, var signer = signer else { return }
        let line = Array(signer.line(for: message).utf8)
        self.signer = signer
        var offset = 0
        while offset < line.count {
            let n = line[offset...].withUnsafeBytes { write(channel, $0.baseAddress, $0.count) }
            if n <= 0 {
                if errno == EINTR { continue }
                // The grader is gone or the channel was closed by student code: nothing can be trusted.
                _exit(70)
            }
            offset += n
        }
    }

    private static func readKeyLine() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 256 {
            let n = read(0, &byte, 1)
            if n == 1 {
                if byte == UInt8(ascii: "\n") { break }
                bytes.append(byte)
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    private static func limitMemory(megabytes: Int) {
        var limit = rlimit(rlim_cur: rlim_t(megabytes) * 1024 * 1024, rlim_max: rlim_t(megabytes) * 1024 * 1024)
        #if canImport(Glibc)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        #else
        // macOS does not enforce RLIMIT_AS; the sandbox is not available there either, so the
        // time limits are what stops a runaway program.
        _ = setrlimit(RLIMIT_AS, &limit)
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(RLIMIT_CORE, &noCore)
        #endif
    }

    private static func validate(_ checks: [Check]) {
        var seen = Set<String>()
        for check in checks {
            let valid = !check.id.isEmpty && check.id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
            if !valid { fatalError("checks: check id \"\(check.id)\" must be letters, digits, _ - or . (no spaces)") }
            if !seen.insert(check.id).inserted { fatalError("checks: two checks have the id \"\(check.id)\"") }
            if check.weight < 0 { fatalError("checks: check \"\(check.id)\" has a negative weight") }
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
