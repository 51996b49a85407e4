import Foundation
import XCTest
@testable import GraderCore
import GraderWire

/// Hostile submissions, each graded with `grade-all` in one batch of 21 (with 12 honest ones) and
/// again alone with `grade`: every attack scores exactly what its honest answers deserve, the
/// course is byte-for-byte unchanged afterwards, no process of the run survives it, and the honest
/// submissions score the same in the batch as alone. docs/grading.md lists what each one tries.
final class RedTeamTests: XCTestCase {
    /// fx1's student file with `body` after the two functions the checks call.
    static func fx1(double: String, square: String = "x * x", extra: String = "") -> String {
        """
        import Autograd
        import GraderKit
        import Foundation

        func double(_ x: Tensor) -> Tensor {
        \(double)
        }
        func square(_ x: Double) -> Double { \(square) }
        \(extra)

        """
    }

    /// Work done before the student's answer, in one line of Swift (paths spelled out in full, as
    /// an attacker who knows the layout would).
    struct Attack {
        let name: String
        let source: String
        /// fx1's points when this attack changes nothing: what its own answers deserve.
        let deserved: Double
    }

    static func attacks(course: Course, binDirectory: URL) -> [Attack] {
        let ex = course.exercisesDirectory.path
        let solution = "\(ex)/fx1-pass/solution/Double.swift", hidden = "\(ex)/fx1-pass/checks/hidden/Hidden.swift"
        return [
            Attack(name: "shadows-the-kit", source: fx1(double: "    3 * x", square: "x", extra: """
                func expectClose(_ actual: Tensor, _ expected: [Double], atol: Double = 1e-6, rtol: Double = 1e-5, _ what: String) throws {}
                func expectGrad(_ tensor: Tensor, _ expected: [Double], atol: Double = 1e-6, rtol: Double = 1e-5, _ name: String) throws {}
                enum GradCheck {
                    static func assertGradients(of f: (Tensor) throws -> Tensor, at input: Tensor, name: String = "x", output: String = "out") throws {}
                    static func assertDerivative(of f: (Double) throws -> Double, derivative df: (Double) throws -> Double, at points: [Double], name: String = "f") throws {}
                }
                final class HookSpy { init(_ name: String) {}; var hook: (Tensor) -> Tensor? { { _ in nil } }; func expectCalled(times: Int) throws {} }
                func runExercise(_ suite: Any, hidden: Any? = nil) -> Never { exit(0) }
                """), deserved: 0),
            Attack(name: "code-before-main", source: fx1(double: "    3 * x", square: "x", extra: """
                @_used @_section(".init_array") let forge: @convention(c) () -> Void = { _ = write(3, "0\\tdone\\n", 7) }
                """), deserved: 0),
            Attack(name: "forges-the-channel", source: fx1(double: """
                    for fd: Int32 in 3...6 {
                        for seq in 0..<8 {
                            let forged = "\\(seq)\\tresult\\tvalues\\tpass\\t\\t\\t\\t0\\t" + String(repeating: "ab", count: 32) + "\\n"
                            _ = forged.withCString { write(fd, $0, strlen($0)) }
                        }
                    }
                    return 3 * x
                """, square: "x"), deserved: 0),
            Attack(name: "reads-the-answers", source: fx1(double: """
                    // The course's files, the snapshots the compiler read, and the per-submission copies.
                    var paths = ["\(solution)", "\(hidden)"]
                    let cache = "\(binDirectory.path)/grader-exercises/fx1"
                    for key in (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? [] {
                        paths.append(cache + "/" + key + "/src/checks/hidden/Hidden.swift")
                    }
                    let tmp = FileManager.default.temporaryDirectory.path
                    for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] where name.hasPrefix("gradlings-course-") {
                        paths.append(tmp + "/" + name + "/Exercises/fx1-pass/checks/hidden/Hidden.swift")
                    }
                    let stolen = paths.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
                    fatalError("LEAK:" + (stolen.isEmpty ? "none" : stolen.joined(separator: "|")))
                """, square: "x"), deserved: 0),
            Attack(name: "runs-the-reference", source: fx1(double: """
                    // The reference program prints the right values for any seed: find it, and it would
                    // hand them over.
                    let folder = "\(binDirectory.path)/grader-exercises/fx1@reference"
                    let found = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                    fatalError("REF:" + (found.isEmpty ? "none" : found.joined(separator: ",")))
                """, square: "x"), deserved: 0),
            Attack(name: "rewrites-the-course", source: fx1(double: """
                    try? FileManager.default.removeItem(atPath: "\(ex)/fx2-gradfail/checks/Checks.swift")
                    try? "import GraderKit\\nlet checks = CheckSuite { Check(\\"forward\\", \\"x\\") { } }\\n".write(toFile: "\(ex)/fx2-gradfail/checks/Checks.swift", atomically: true, encoding: .utf8)
                    try? FileManager.default.removeItem(atPath: "\(ex)/fx1-pass/checks/hidden")
                    try? "pwned".write(toFile: "\(binDirectory.path)/grader-exercises/pwned", atomically: true, encoding: .utf8)
                    try? "pwned".write(toFile: "\(course.root.path)/pwned", atomically: true, encoding: .utf8)
                    return 2 * x
                """), deserved: 3),
            Attack(name: "leaves-a-daemon", source: fx1(double: """
                    let p = Process()
                    p.executableURL = URL(fileURLWithPath: "/bin/sh")
                    p.arguments = ["-c", "setsid sh -c 'sleep 297' < /dev/null > /dev/null 2>&1 &"]
                    try? p.run()
                    p.waitUntilExit()
                    return 3 * x
                """, square: "x"), deserved: 0),
            Attack(name: "sleeps-then-crashes", source: fx1(double: """
                    Thread.sleep(forTimeInterval: 9.5)
                    fatalError("late")
                """, square: "Thread.sleep(forTimeInterval: 9.5); fatalError(\"late\")"), deserved: 0),
            Attack(name: "prints-and-exits", source: fx1(double: """
                    print("✓ values\\n✓ gradients\\n5 of 5 checks passed · 3/3 points")
                    exit(0)
                """, square: "x"), deserved: 0),
        ]
    }

    struct Outcome {
        let course: Course
        let engine: SubmissionGrader
        let submissions: [URL]
        let batch: [SubmissionGrade]
        let courseBefore: [String: Data]
        let courseAfter: [String: Data]
        let seconds: Double
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: Result<Outcome, Error>?

    static func outcome() throws -> Outcome {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return try cached.get() }
        let result = Result { () throws -> Outcome in
            let course = try GradingTests.makeCourse()
            // A short budget for fx1 so the sleeper is stopped quickly: 4 s for all checks, 1.5 s each.
            let manifest = course.exercisesDirectory.appendingPathComponent("fx1-pass/exercise.json")
            try #"{ "id": "fx1", "title": "Passes", "lesson": "fixtures", "points": 3, "files": ["Double.swift"], "timeout": 4, "checkTimeout": 1.5 }"#
                .write(to: manifest, atomically: true, encoding: .utf8)
            let grader = Grader(course: course, binDirectory: Fixtures.binDirectory, allowBuild: false)
            grader.isolation = Sandbox.detect(binDirectory: Fixtures.binDirectory)
            let fx = course.exercisesDirectory
            let subs = FileManager.default.temporaryDirectory.appendingPathComponent("red-team-\(UUID().uuidString)")
            let solution = try String(contentsOf: fx.appendingPathComponent("fx1-pass/solution/Double.swift"), encoding: .utf8)
            let buggySquare = try String(contentsOf: fx.appendingPathComponent("fx2-gradfail/Square.swift"), encoding: .utf8)
            for k in 0..<12 {
                let root = subs.appendingPathComponent(String(format: "honest%02d", k))
                try GradingTests.write(solution, "fx1-pass/Double.swift", in: root)
                if k % 2 == 0 { try GradingTests.write(buggySquare, "fx2-gradfail/Square.swift", in: root) }
            }
            for attack in attacks(course: course, binDirectory: Fixtures.binDirectory) {
                try GradingTests.write(attack.source, "fx1-pass/Double.swift", in: subs.appendingPathComponent(attack.name))
            }
            // A folder that is a link to the course's solution.
            let linked = subs.appendingPathComponent("links-to-the-solution")
            try FileManager.default.createDirectory(at: linked, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: linked.appendingPathComponent("fx1-pass"), withDestinationURL: fx.appendingPathComponent("fx1-pass/solution"))
            let before = try snapshot(course.root)
            let engine = SubmissionGrader(grader: grader)
            let start = Date()
            let batch = try engine.gradeAll(try SubmissionGrader.submissions(in: subs).folders, jobs: 2)
            return Outcome(course: course, engine: engine, submissions: try SubmissionGrader.submissions(in: subs).folders, batch: batch,
                           courseBefore: before, courseAfter: try snapshot(course.root), seconds: Date().timeIntervalSince(start))
        }
        cached = result
        return try result.get()
    }

    /// Every file under `root` (but `.grader/`, which the grader itself writes) and its bytes.
    static func snapshot(_ root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let item = enumerator?.nextObject() as? String {
            guard !item.hasPrefix(".grader") else { continue }
            let url = root.appendingPathComponent(item)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[item] = FileManager.default.contents(atPath: url.path) ?? Data()
            } else {
                files[item + "/"] = Data()
            }
        }
        return files
    }

    func requireIsolation() throws {
        _ = try Fixtures.grader()
        let sandbox = Sandbox.detect(binDirectory: Fixtures.binDirectory)
        guard sandbox.mechanism.isIsolated else { throw XCTSkip("no isolation on this machine: \(sandbox.reason)") }
    }

    func grade(_ name: String) throws -> SubmissionGrade {
        try requireIsolation()
        return try XCTUnwrap(try Self.outcome().batch.first { $0.student == name }, name)
    }

    func fx1Score(_ name: String) throws -> Double {
        try XCTUnwrap(try grade(name).exercises.first { $0.id == "fx1" }).score
    }

    func testEveryAttackScoresWhatItsAnswersDeserve() throws {
        try requireIsolation()
        let outcome = try Self.outcome()
        for attack in Self.attacks(course: outcome.course, binDirectory: Fixtures.binDirectory) {
            let fx1 = try XCTUnwrap(try grade(attack.name).exercises.first { $0.id == "fx1" })
            XCTAssertEqual(fx1.score, attack.deserved, "\(attack.name): \(fx1.status) \(fx1.message) \(fx1.checks.map { "\($0.id) \($0.status) \($0.message)" })")
        }
        XCTAssertEqual(try fx1Score("links-to-the-solution"), 0)
    }

    func testShadowingTheKitCannotCompileIntoThePlaceOfTheChecks() throws {
        let fx1 = try XCTUnwrap(try grade("shadows-the-kit").exercises.first { $0.id == "fx1" })
        XCTAssertEqual(fx1.status, .compileError)
        XCTAssertTrue(fx1.message.contains("same name as one the checks use"), fx1.message)
    }

    func testCodeBeforeMainIsRefused() throws {
        let fx1 = try XCTUnwrap(try grade("code-before-main").exercises.first { $0.id == "fx1" })
        XCTAssertEqual(fx1.status, .compileError)
        XCTAssertTrue(fx1.message.contains("@_section"), fx1.message)
    }

    func testSecretsAreNotReadable() throws {
        let grade = try grade("reads-the-answers")
        let text = GradeFormat.json.render([grade])
        XCTAssertTrue(text.contains("LEAK:none"), "the attack ran and found nothing: \(text.prefix(3000))")
        XCTAssertFalse(text.contains("2 * x"), "the solution's text never reaches the report")
        XCTAssertFalse(text.contains("let hiddenChecks"), "nor the hidden checks'")
    }

    func testTheReferenceProgramIsOutOfReach() throws {
        let text = GradeFormat.json.render([try grade("runs-the-reference")])
        XCTAssertTrue(text.contains("REF:none"), "the attack ran and found nothing: \(text.prefix(3000))")
    }

    /// Gradescope's case: root without namespaces, so student code runs as another user and only
    /// file permissions keep the answers away (setup.sh makes the exercises unreadable to others).
    func testTheUnprivilegedUserFallbackKeepsTheAnswersAndTheReferenceAway() throws {
        try requireIsolation()
        guard geteuid() == 0 else { throw XCTSkip("the fallback runs student code as another user, which needs root") }
        let outcome = try Self.outcome()
        let fallback = Sandbox.detect(binDirectory: Fixtures.binDirectory, forcingFallback: true)
        guard fallback.mechanism == .unprivilegedUser else { throw XCTSkip("no fallback here: \(fallback.reason)") }
        chmod(outcome.course.exercisesDirectory.path, 0o700)
        defer { chmod(outcome.course.exercisesDirectory.path, 0o755) }
        let grader = Grader(course: outcome.course, binDirectory: Fixtures.binDirectory, allowBuild: false)
        grader.isolation = fallback
        let engine = SubmissionGrader(grader: grader)
        for (name, leak) in [("reads-the-answers", "LEAK:none"), ("runs-the-reference", "REF:none")] {
            let submission = try XCTUnwrap(outcome.submissions.first { $0.lastPathComponent == name })
            let grade = try engine.grade(submission: submission, jobs: 1)
            let text = GradeFormat.json.render([grade])
            XCTAssertTrue(text.contains(leak), "\(name): \(text.prefix(2000))")
            XCTAssertEqual(grade.score, 0, name)
        }
    }

    func testTheCourseIsUnchangedAndOtherSubmissionsKeepTheirScores() throws {
        try requireIsolation()
        let outcome = try Self.outcome()
        XCTAssertEqual(outcome.courseAfter.keys.sorted(), outcome.courseBefore.keys.sorted())
        for (path, data) in outcome.courseBefore { XCTAssertEqual(outcome.courseAfter[path], data, path) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: Fixtures.binDirectory.appendingPathComponent("grader-exercises/pwned").path))
        XCTAssertEqual(try fx1Score("rewrites-the-course"), 3, "its own answers are right")
        for grade in outcome.batch where grade.student.hasPrefix("honest") {
            let alone = outcome.engine.grade(outcome.submissions.first { $0.lastPathComponent == grade.student }!, jobs: 2)
            XCTAssertEqual(grade.score, (try alone.get()).score, grade.student)
            let k = Int(grade.student.dropFirst("honest".count)) ?? -1
            XCTAssertEqual(grade.score, k % 2 == 0 ? 4.67 : 3, "honest \(k): fx1 right, and fx2 half right when even")
        }
    }

    func testNoProcessSurvivesTheRun() throws {
        try requireIsolation()
        _ = try Self.outcome()
        let survivors = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { $0.allSatisfy(\.isNumber) }.filter { pid in
            let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            return String(decoding: cmdline, as: UTF8.self).contains("sleep\u{0}297") || String(decoding: cmdline, as: UTF8.self).contains("sleep 297")
        }
        XCTAssertEqual(survivors, [], "the daemon was killed with its run")
    }

    func testOneDeadlinePerExercise() throws {
        let fx1 = try XCTUnwrap(try grade("sleeps-then-crashes").exercises.first { $0.id == "fx1" })
        XCTAssertEqual(fx1.score, 0)
        XCTAssertLessThan(fx1.seconds, 4 + 2 + 3, "4 s for all checks, 2 s for the backtrace of the last, and start-up")
        XCTAssertTrue(fx1.checks.contains { $0.status == .timedOut }, "\(fx1.checks.map { "\($0.id) \($0.status)" })")
        XCTAssertTrue(fx1.checks.contains { $0.status == .notRun && $0.message.contains("time limit") })
    }

    func testEachAttackGradedAloneScoresTheSame() throws {
        try requireIsolation()
        let outcome = try Self.outcome()
        for name in ["shadows-the-kit", "forges-the-channel", "rewrites-the-course", "prints-and-exits", "links-to-the-solution"] {
            let submission = try XCTUnwrap(outcome.submissions.first { $0.lastPathComponent == name })
            let alone = try outcome.engine.grade(submission: submission, jobs: 2)
            let batch = try grade(name)
            XCTAssertEqual(alone.score, batch.score, name)
        }
    }
}

extension SubmissionGrader {
    /// `grade(submission:)` as a `Result`, for tests that compare.
    func grade(_ submission: URL, jobs: Int) -> Result<SubmissionGrade, Error> {
        Result { try grade(submission: submission, jobs: jobs) }
    }
}

/// A program that forges a perfect stream (the key read from stdin as code before `main` could,
/// every record correctly signed, every check "passed") still earns nothing: grading compares
/// values with the reference run, and the forger has none to give.
final class ForgedStreamTests: XCTestCase {
    func testACorrectlySignedForgeryEarnsNothing() throws {
        let grader = try Fixtures.grader()
        let exercise = try Fixtures.exercise("fx1")
        let reference = try grader.referenceChecks(exercise, seed: 3, includeHidden: true)
        XCTAssertEqual(reference.map(\.status), Array(repeating: .passed, count: reference.count))
        // The forger: a shell script that signs with the key it reads, using the test's signer.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = dir.appendingPathComponent("forger.sh")
        let lines = dir.appendingPathComponent("lines")
        try "#!/bin/sh\nread key\nprintf '%s' \"$key\" > \(dir.path)/key\nwhile [ ! -f \(lines.path) ]; do sleep 0.05; done\ncat \(lines.path) >&3\n"
            .write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        let plan = reference.map { PlannedCheck(id: $0.id, title: $0.title, weight: $0.weight, hidden: $0.hidden) }
        // Sign once the key arrives (the runner writes it first thing).
        let signerThread = Thread {
            let keyFile = dir.appendingPathComponent("key")
            while !FileManager.default.fileExists(atPath: keyFile.path) { Thread.sleep(forTimeInterval: 0.02) }
            Thread.sleep(forTimeInterval: 0.05)
            let hex = (try? String(contentsOf: keyFile, encoding: .utf8)) ?? ""
            var signer = WireSigner(key: [UInt8](hexString: hex) ?? [])
            var text = signer.line(for: .hello(version: WireMessage.protocolVersion, seed: 3, from: ""))
            text += signer.line(for: .plan(plan))
            for check in plan {
                text += signer.line(for: .start(id: check.id))
                let fake = Observation(kind: .value, what: "anything", actual: [1], expected: [1], atol: 1, rtol: 1)
                text += signer.line(for: .result(CheckVerdict(id: check.id, status: .pass, observations: [fake])))
            }
            text += signer.line(for: .done)
            try? text.write(to: lines, atomically: true, encoding: .utf8)
        }
        signerThread.start()
        let runner = CheckRunner(executable: script, studentFiles: [], checkFiles: [])
        let outcome = try runner.run(CheckRunner.Options(seed: 3, includeHidden: true, timeout: 20))
        XCTAssertEqual(outcome.checks.filter { $0.status == .passed }.count, outcome.checks.count, "the forgery fools the runner itself…")
        let judged = ReferenceComparison.judge(student: outcome.checks, reference: reference)
        XCTAssertEqual(judged.filter { $0.status == .passed }.count, 0, "…but not the comparison: \(judged.map(\.message))")
        XCTAssertEqual(Scoring.score(points: 3, checks: judged), 0)
        try? FileManager.default.removeItem(at: dir)
    }

    func testHonestValuesWithinTheChecksToleranceMatchTheReference() {
        let reference = Observation(kind: .value, what: "f(x)", actual: [1.0, 2.0], expected: [1.0, 2.0], atol: 1e-6, rtol: 1e-5)
        XCTAssertTrue(Observation(kind: .value, what: "f(x)", actual: [1.0 + 5e-7, 2.0 + 1e-5], expected: [], atol: 0, rtol: 0).matches(reference: reference))
        XCTAssertFalse(Observation(kind: .value, what: "f(x)", actual: [1.0, 2.01], expected: [], atol: 0, rtol: 0).matches(reference: reference))
        XCTAssertFalse(Observation(kind: .value, what: "f(x)", actual: [.nan, 2.0], expected: [], atol: 0, rtol: 0).matches(reference: reference))
        XCTAssertFalse(Observation(kind: .fact, what: "f(x)", actual: [1.0, 2.0], expected: [], atol: 0, rtol: 0).matches(reference: reference))
        XCTAssertNotNil(ReferenceComparison.disagreement([], [reference]))
    }
}
