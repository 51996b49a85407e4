import XCTest
@testable import GraderCore

/// The `grader` executable itself: exit statuses, JSON, usage errors. Skipped when the executable
/// is not in the products folder (`swift build` builds it; `swift test` alone may not).
final class CLITests: XCTestCase {
    func grader(_ arguments: [String], course: Course, environment extra: [String: String] = [:]) throws -> ChildProcess.Output {
        let executable = Fixtures.binDirectory.appendingPathComponent("grader")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("no grader executable in \(Fixtures.binDirectory.path): run `swift build` first")
        }
        _ = try Fixtures.grader()
        var env = ProcessInfo.processInfo.environment
        env["GRADLINGS_BUILD_DIR"] = Fixtures.binDirectory.path
        env["NO_COLOR"] = "1"
        env.merge(extra) { $1 }
        return try ChildProcess.run(executable: executable, arguments: arguments + ["--course", course.root.path],
                                    environment: env, timeout: 120)
    }

    func testWithoutIsolationCheckStillRunsAndSaysSoOnce() throws {
        let course = try Fixtures.temporaryCourse()
        let first = try grader(["check", "fx1"], course: course, environment: ["GRADLINGS_ISOLATION": "none"])
        XCTAssertEqual(first.termination, .exited(0), first.stdoutText + first.stderrText)
        XCTAssertTrue(first.stderrText.contains("without a sandbox"), first.stderrText)
        let second = try grader(["check", "fx1"], course: course, environment: ["GRADLINGS_ISOLATION": "none"])
        XCTAssertEqual(second.termination, .exited(0))
        XCTAssertFalse(second.stderrText.contains("without a sandbox"), "said once per course")
        let isolated = try grader(["check", "fx1"], course: try Fixtures.temporaryCourse())
        XCTAssertFalse(isolated.stderrText.contains("without a sandbox"), "nothing to say when the sandbox works")
    }

    func testExitStatusesAndJSON() throws {
        let course = try Fixtures.temporaryCourse()
        let pass = try grader(["check", "fx1", "--seed", "5"], course: course)
        XCTAssertEqual(pass.termination, .exited(0), pass.stdoutText + pass.stderrText)
        XCTAssertTrue(pass.stdoutText.contains("✓ fx1-pass · Passes"), pass.stdoutText)
        XCTAssertTrue(pass.stdoutText.contains("seed 5"))
        XCTAssertFalse(pass.stdoutText.contains("\u{1B}["), "no colour when not on a terminal")

        let fail = try grader(["check", "fx2", "--format", "json"], course: course)
        XCTAssertEqual(fail.termination, .exited(1))
        let envelope = try JSONDecoder().decode(JSONReport.Envelope.self, from: Data(fail.stdoutText.utf8))
        XCTAssertEqual(envelope.exercises.first?.id, "fx2")
        XCTAssertEqual(envelope.exercises.first?.status, .failed)

        let broken = try grader(["check", "fx8"], course: course)
        XCTAssertEqual(broken.termination, .exited(2))
        XCTAssertTrue(broken.stderrText.contains("field `points`"), broken.stderrText)

        let usage = try grader(["check", "--frobnicate"], course: course)
        XCTAssertEqual(usage.termination, .exited(2))
        XCTAssertTrue(usage.stderrText.contains("unknown option --frobnicate"), usage.stderrText)

        let list = try grader(["list", "--format", "json"], course: course)
        XCTAssertEqual(list.termination, .exited(2), "a broken exercise is a configuration error")
        let rows = try JSONSerialization.jsonObject(with: Data(list.stdoutText.utf8)) as? [[String: Any]]
        XCTAssertEqual(rows?.first { $0["id"] as? String == "fx1" }?["status"] as? String, "done")
        XCTAssertEqual(rows?.first { $0["id"] as? String == "fx2" }?["status"] as? String, "failing")
        XCTAssertEqual(rows?.first { $0["id"] as? String == "fx3" }?["status"] as? String, "not checked")
    }

    func testNewRefusesALessonThatDoesNotExistAndSuggestsAFreeID() throws {
        let course = try Fixtures.temporaryCourse()
        let noLesson = try grader(["new", "ex30-thing", "--lesson", "99"], course: course)
        XCTAssertEqual(noLesson.termination, .exited(2))
        XCTAssertTrue(noLesson.stderrText.contains("there is no lesson 99"), noLesson.stderrText)
        XCTAssertFalse(FileManager.default.fileExists(atPath: course.exercisesDirectory.appendingPathComponent("ex30-thing").path))
        let badName = try grader(["new", "Thing", "--lesson", "1"], course: course)
        XCTAssertEqual(badName.termination, .exited(2))
        XCTAssertTrue(badName.stderrText.contains("e.g. ex1-my-topic"), "the fixtures' ids are fx…, so ex1 is free: \(badName.stderrText)")
    }

    func testListShowsWholeTitlesWhenNotOnATerminal() throws {
        let course = try Fixtures.temporaryCourse()
        let manifest = course.exercisesDirectory.appendingPathComponent("fx1-pass/exercise.json")
        let long = "A title that is much longer than forty-four characters, to see it whole"
        let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "\"Passes\"", with: "\"\(long)\"")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        let list = try grader(["list"], course: course)
        XCTAssertTrue(list.stdoutText.contains(long), list.stdoutText)
    }

    func testCheckWritesTheEditorSettingsAndEditorReportsThem() throws {
        let course = try Fixtures.temporaryCourse()
        let settings = course.exercisesDirectory.appendingPathComponent("compile_commands.json")
        XCTAssertFalse(FileManager.default.fileExists(atPath: settings.path))
        _ = try grader(["check", "fx1", "--seed", "5"], course: course)
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: settings)) as? [[String: Any]])
        XCTAssertTrue(entries.contains { ($0["file"] as? String)?.hasSuffix("fx1-pass/Double.swift") == true }, "\(entries.prefix(2))")
        let editor = try grader(["editor"], course: course)
        XCTAssertEqual(editor.termination, .exited(0), editor.stderrText)
        XCTAssertTrue(editor.stdoutText.contains("Up to date: Exercises/compile_commands.json"), editor.stdoutText)
    }
}
