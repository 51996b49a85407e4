import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import GraderCore

/// `grader grade` / `grade-all`: only student files are taken from a submission, a missing exercise
/// is "not attempted", a hang costs only its exercise, scores are deterministic, and every output
/// format has the promised shape.
final class GradingTests: XCTestCase {
    /// A course of three fixture exercises: fx1 (passes, with a hidden check), fx2 (a wrong
    /// backward: 1 of 3 checks passes), fx5 (loops forever; 1.5 s limit).
    static func makeCourse() throws -> Course {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("grading-tests-\(UUID().uuidString)")
        for name in ["fx1-pass", "fx2-gradfail", "fx5-hang"] {
            let target = dir.appendingPathComponent("Exercises").appendingPathComponent(name)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(at: Fixtures.root.appendingPathComponent("Exercises").appendingPathComponent(name), to: target)
        }
        try "// a course\n".write(to: dir.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        return Course(root: dir)
    }

    static func write(_ text: String, _ path: String, in root: URL) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Three students: alice (course layout; edits fx2's checks to pass everything; fx5 loops),
    /// bob (exercise folders directly; deleted fx2 and fx5), `carol, "=x"` (a symlink to the
    /// course's solution, and a name a CSV must quote).
    struct Batch {
        let course: Course
        let submissions: URL
        let engine: SubmissionGrader
        let grades: [SubmissionGrade]
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: Result<Batch, Error>?

    static func batch() throws -> Batch {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return try cached.get() }
        let outcome = Result { () throws -> Batch in
            let course = try makeCourse()
            let fx = course.exercisesDirectory
            let subs = course.root.appendingPathComponent("submissions")
            let alice = subs.appendingPathComponent("alice")
            try FileManager.default.createDirectory(at: alice.appendingPathComponent("Exercises/fx1-pass"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fx.appendingPathComponent("fx1-pass/solution/Double.swift"),
                                             to: alice.appendingPathComponent("Exercises/fx1-pass/Double.swift"))
            try write(String(contentsOf: fx.appendingPathComponent("fx2-gradfail/Square.swift"), encoding: .utf8), "Exercises/fx2-gradfail/Square.swift", in: alice)
            try write("import GraderKit\nlet checks = CheckSuite { Check(\"forward\", \"edited\") { } }\n", "Exercises/fx2-gradfail/checks/Checks.swift", in: alice)
            try write("{ \"id\": \"fx2\", \"title\": \"mine\", \"lesson\": \"x\", \"points\": 500, \"files\": [\"Square.swift\"] }", "Exercises/fx2-gradfail/exercise.json", in: alice)
            try write("// my attempt\n" + String(contentsOf: fx.appendingPathComponent("fx5-hang/Loop.swift"), encoding: .utf8), "Exercises/fx5-hang/Loop.swift", in: alice)
            let bob = subs.appendingPathComponent("bob")
            try FileManager.default.createDirectory(at: bob.appendingPathComponent("fx1-pass"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fx.appendingPathComponent("fx1-pass/solution/Double.swift"), to: bob.appendingPathComponent("fx1-pass/Double.swift"))
            let dave = subs.appendingPathComponent("dave/gradlings-main/Exercises/fx1-pass")   // a zipped course folder
            try FileManager.default.createDirectory(at: dave, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fx.appendingPathComponent("fx1-pass/solution/Double.swift"), to: dave.appendingPathComponent("Double.swift"))
            let carol = subs.appendingPathComponent("carol, \"=x\"")
            try FileManager.default.createDirectory(at: carol.appendingPathComponent("fx1-pass"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: carol.appendingPathComponent("fx1-pass/Double.swift"),
                                                       withDestinationURL: fx.appendingPathComponent("fx1-pass/solution/Double.swift"))
            let grader = Grader(course: course, binDirectory: Fixtures.binDirectory, allowBuild: false)
            let engine = SubmissionGrader(grader: grader)
            let grades = try engine.gradeAll(try SubmissionGrader.submissions(in: subs).folders, jobs: 2)
            return Batch(course: course, submissions: subs, engine: engine, grades: grades)
        }
        cached = outcome
        return try outcome.get()
    }

    func grade(_ student: String) throws -> SubmissionGrade {
        _ = try Fixtures.grader()   // skips when the runtime is not built
        let batch = try Self.batch()
        return try XCTUnwrap(batch.grades.first { $0.student == student })
    }

    func testEditedChecksAreIgnoredAndHiddenChecksRun() throws {
        let alice = try grade("alice")
        let fx1 = try XCTUnwrap(alice.exercises.first { $0.id == "fx1" })
        XCTAssertEqual(fx1.status, .passed)
        XCTAssertEqual(fx1.score, 3)
        XCTAssertEqual(fx1.totalChecks, 5)
        XCTAssertEqual(fx1.hiddenChecks, 1)
        XCTAssertEqual(fx1.checks.first { $0.hidden }?.id, "hidden_large")
        let fx2 = try XCTUnwrap(alice.exercises.first { $0.id == "fx2" })
        XCTAssertEqual(fx2.maxScore, 5, "the course's manifest, not the submission's")
        XCTAssertEqual(fx2.status, .partial, "the course's checks, not the edited ones")
        XCTAssertEqual(fx2.passedChecks, 1)
        XCTAssertEqual(fx2.totalChecks, 3)
        XCTAssertEqual(fx2.score, 1.67)
        XCTAssertFalse(fx2.checks.contains { $0.message.contains("gradlings-grade-") }, "staging paths are replaced")
    }

    func testAHangCostsOnlyItsExercise() throws {
        let alice = try grade("alice")
        let fx5 = try XCTUnwrap(alice.exercises.first { $0.id == "fx5" })
        XCTAssertEqual(fx5.status, .failed)
        XCTAssertEqual(fx5.score, 0)
        XCTAssertEqual(fx5.checks.first?.status, .timedOut)
        XCTAssertGreaterThan(fx5.seconds, 1.4, "the 1.5 s limit was reached")
        XCTAssertEqual(alice.score, 4.67)
        XCTAssertEqual(alice.maxScore, 9)
    }

    func testMissingExercisesAreNotAttemptedAndLinksAreRefused() throws {
        let bob = try grade("bob")
        XCTAssertEqual(bob.exercises.map(\.status), [.passed, .notAttempted, .notAttempted])
        XCTAssertEqual(bob.score, 3)
        XCTAssertTrue(bob.exercises[1].message.contains("Exercises/fx2-gradfail/Square.swift"), bob.exercises[1].message)
        let carol = try grade("carol, \"=x\"")
        XCTAssertEqual(carol.exercises[0].status, .compileError)
        XCTAssertTrue(carol.exercises[0].message.contains("not a regular file"), carol.exercises[0].message)
        XCTAssertEqual(carol.score, 0)
        XCTAssertEqual(try grade("dave").exercises.map(\.status), [.passed, .notAttempted, .notAttempted], "found inside the one folder")
    }

    func testSameSubmissionAndSeedGiveTheSameScore() throws {
        _ = try grade("alice")
        let batch = try Self.batch()
        let fx2 = try batch.course.exercise(named: "fx2")
        let again = batch.engine.grade(fx2, submission: batch.submissions.appendingPathComponent("alice"))
        let first = try grade("alice").exercises[1]
        XCTAssertEqual(again.score, first.score)
        XCTAssertEqual(again.checks.map(\.status), first.checks.map(\.status))
        XCTAssertEqual(again.checks.map(\.message), first.checks.map(\.message))
    }

    func testGradebookCSV() throws {
        _ = try grade("alice")
        let csv = Gradebook.csv(try Self.batch().grades)
        XCTAssertEqual(csv.components(separatedBy: "\r\n"), [
            "student,fx1,fx2,fx5,total,max",
            "alice,3,1.67,0,4.67,9",
            "bob,3,0,0,3,9",
            "\"carol, \"\"=x\"\"\",0,0,0,0,9",
            "dave,3,0,0,3,9",
            "",
        ])
        XCTAssertEqual(Gradebook.field("=HYPERLINK(1)"), "'=HYPERLINK(1)")
        XCTAssertEqual(Gradebook.field("a\nb"), "\"a\nb\"")
    }

    func testGradescopeResultsHaveExactlyTheDocumentedFields() throws {
        let alice = try grade("alice")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(GradeFormat.gradescope.render([alice]).utf8)) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["score", "execution_time", "output", "tests"])
        XCTAssertTrue(isNumber(json["score"]))
        XCTAssertEqual((json["score"] as? NSNumber)?.doubleValue, 4.67)
        XCTAssertNotNil(json["execution_time"] as? Int)
        XCTAssertNotNil(json["output"] as? String)
        let tests = try XCTUnwrap(json["tests"] as? [[String: Any]])
        XCTAssertEqual(tests.count, 3)
        for test in tests {
            XCTAssertEqual(Set(test.keys), ["name", "score", "max_score", "status", "output", "visibility"])
            XCTAssertNotNil(test["name"] as? String)
            XCTAssertTrue(isNumber(test["score"]) && isNumber(test["max_score"]))
            XCTAssertTrue(["passed", "failed"].contains(test["status"] as? String))
            XCTAssertTrue(["visible", "hidden", "after_due_date", "after_published"].contains(test["visibility"] as? String))
        }
        XCTAssertEqual(tests.map { $0["status"] as? String }, ["passed", "failed", "failed"])
        XCTAssertEqual(tests.map { ($0["max_score"] as? NSNumber)?.doubleValue }, [3, 5, 1])
        let fx1Output = try XCTUnwrap(tests[0]["output"] as? String)
        XCTAssertTrue(fx1Output.contains("hidden checks: 1 of 1 passed"), fx1Output)
        XCTAssertFalse(fx1Output.contains("hidden_large"), "hidden checks are counted, never named")
    }

    private func isNumber(_ value: Any?) -> Bool {
        guard let value, value is NSNumber else { return false }
        return !(type(of: value) == Bool.self)
    }

    func testJUnitParsesEvenWithControlCharactersInMessages() throws {
        var grades = try Self.batch().grades
        _ = try Fixtures.grader()
        grades[0].exercises[1].checks[1].message = "bad \u{1B}[31mred\u{1B}[0m <tag> & \"quotes\" \u{0} 'x'\r\n"
        let xml = JUnitReport.render(grades)
        let document = try XMLDocument(xmlString: xml, options: [])
        let root = try XCTUnwrap(document.rootElement())
        XCTAssertEqual(root.name, "testsuites")
        let suites = root.elements(forName: "testsuite")
        XCTAssertEqual(suites.count, 12, "one per student and exercise")
        let cases = try root.nodes(forXPath: "//testcase")
        let failures = try root.nodes(forXPath: "//testcase/failure")
        XCTAssertEqual(root.attribute(forName: "tests")?.stringValue, String(cases.count))
        XCTAssertEqual(root.attribute(forName: "failures")?.stringValue, String(failures.count))
        XCTAssertTrue(failures.contains { ($0.stringValue ?? "").contains("<tag> & \"quotes\"") })
        let notAttempted = try root.nodes(forXPath: "//testsuite[@name='bob.fx2']/testcase/failure")
        XCTAssertEqual((notAttempted.first as? XMLElement)?.attribute(forName: "message")?.stringValue, "not attempted")
    }

    func testJSONIsTheDocumentedSchemaAndRoundTrips() throws {
        let alice = try grade("alice")
        let text = GradeFormat.json.render([alice])
        XCTAssertEqual(try JSONDecoder().decode(SubmissionGrade.self, from: Data(text.utf8)), alice)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(Set(json.keys), ["schemaVersion", "student", "submission", "seed", "score", "maxScore", "executionSeconds", "exercises", "errors"])
        let exercise = try XCTUnwrap((json["exercises"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(exercise.keys), ["id", "folder", "title", "status", "score", "maxScore", "passedChecks", "totalChecks",
                                            "hiddenChecks", "message", "seconds", "checks"])
        XCTAssertTrue(GradeFormat.text.render([alice]).contains("Score: 4.67/9"))
    }
}
