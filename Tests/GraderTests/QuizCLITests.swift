import Foundation
import XCTest
@testable import GraderCore

/// `grader quiz N`: asked in the terminal with every answer explained, graded from an answer file
/// for CI (exit 0 all right, 1 some wrong, 2 a bad file), progress kept in `.grader/` and shown by
/// `grader list`; a lesson made by `grader new lesson` is in both at once.
final class QuizCLITests: XCTestCase {
    private var executable: URL { Fixtures.binDirectory.appendingPathComponent("grader") }
    private let student = "student-42"

    /// Where `student` sees the choice at file index `index` of question `id` (lesson 3's quiz).
    private func shown(_ id: String, _ index: Int, in course: Course) throws -> Int {
        let quiz = try Quiz.load(course.lessonsDirectory.appendingPathComponent("03-accumulation/quiz.json"), displayPath: "quiz.json")
        let q = try XCTUnwrap(quiz.questions.first { $0.id == id })
        return try XCTUnwrap(Quiz.choiceOrder(of: q, lesson: "03-accumulation", student: student).firstIndex(of: index))
    }

    private func letter(_ index: Int) -> String { String(UnicodeScalar(UInt8(97 + index))) }

    private func run(_ arguments: [String], course: Course, stdin: String = "") throws -> ChildProcess.Output {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("no grader executable in \(Fixtures.binDirectory.path): run `swift build` first")
        }
        _ = try Fixtures.grader()
        var env = ProcessInfo.processInfo.environment
        env["GRADLINGS_BUILD_DIR"] = Fixtures.binDirectory.path
        env["NO_COLOR"] = "1"
        env["GRADLINGS_STUDENT"] = student
        return try ChildProcess.run(executable: executable, arguments: arguments + ["--course", course.root.path],
                                    environment: env, stdinData: Array(stdin.utf8), timeout: 60)
    }

    private func makeCourse() throws -> Course {
        let course = try Fixtures.temporaryCourse()
        let lesson = course.lessonsDirectory.appendingPathComponent("03-accumulation")
        try FileManager.default.createDirectory(at: lesson, withIntermediateDirectories: true)
        try "# Lesson 3: Gradients accumulate\n".write(to: lesson.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try """
        {"questions": [
          {"id": "order", "kind": "choice", "prompt": "Where does zeroGrad() go?", "choices": ["after step()", "before backward()"],
           "answer": 1, "explanation": "backward() adds into .grad."},
          {"id": "twice", "kind": "predict", "prompt": "What prints?", "code": "print(4)", "choices": ["2", "4"],
           "answer": 1, "explanation": "Two backward calls add up."}
        ]}
        """.write(to: lesson.appendingPathComponent("quiz.json"), atomically: true, encoding: .utf8)
        return course
    }

    private func answers(_ json: String, in course: Course) throws -> String {
        let url = course.root.appendingPathComponent("answers-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testAnswerFilesAreGradedForCI() throws {
        let course = try makeCourse()
        let quizFile = course.lessonsDirectory.appendingPathComponent("03-accumulation/quiz.json")
        let before = try Data(contentsOf: quizFile)

        // Answers name choices as the student sees them (the order is the student's own).
        let order = try shown("order", 1, in: course), twice = try shown("twice", 1, in: course)
        let right = try run(["quiz", "3", "--answers", try answers(#"{"order": \#(order), "twice": "\#(letter(twice))"}"#, in: course)], course: course)
        XCTAssertEqual(right.termination, .exited(0), right.stdoutText + right.stderrText)
        XCTAssertTrue(right.stdoutText.contains("2 of 2 right"), right.stdoutText)
        XCTAssertEqual(right.stdoutText.components(separatedBy: "right\n").count, 2, "one summary line: \(right.stdoutText)")
        XCTAssertTrue(right.stdoutText.contains("backward() adds into .grad."), "every answer is explained")
        let again = try run(["quiz", "3", "--answers", try answers(#"{"order": \#(order), "twice": \#(twice)}"#, in: course)], course: course)
        XCTAssertEqual(again.termination, .exited(0), "the order is stable across runs: \(again.stdoutText)")

        let wrong = try run(["quiz", "3", "--answers", try answers(#"{"order": \#(1 - order)}"#, in: course)], course: course)
        XCTAssertEqual(wrong.termination, .exited(1))
        XCTAssertTrue(wrong.stdoutText.contains("not quite: the answer is \(letter(order))"), wrong.stdoutText)
        XCTAssertTrue(wrong.stdoutText.contains("no answer"), "an unanswered question is wrong: \(wrong.stdoutText)")
        XCTAssertTrue(wrong.stdoutText.contains("0 of 2 right"), wrong.stdoutText)

        let outOfRange = try run(["quiz", "3", "--answers", try answers(#"{"order": 9}"#, in: course)], course: course)
        XCTAssertEqual(outOfRange.termination, .exited(2), "an index with no choice is rejected, not counted wrong")
        XCTAssertTrue(outOfRange.stderrText.contains("0 to 1"), outOfRange.stderrText)
        XCTAssertFalse(outOfRange.stdoutText.contains("right"), "nothing is graded from a bad file: \(outOfRange.stdoutText)")

        let typo = try run(["quiz", "3", "--answers", try answers(#"{"ordr": 1, "twice": 1}"#, in: course)], course: course)
        XCTAssertEqual(typo.termination, .exited(2))
        XCTAssertTrue(typo.stderrText.contains("no question \"ordr\""), typo.stderrText)

        let notJSON = try run(["quiz", "3", "--answers", try answers("[1, 1]", in: course)], course: course)
        XCTAssertEqual(notJSON.termination, .exited(2))

        XCTAssertEqual(try Data(contentsOf: quizFile), before, "the lesson's files are never written")
        let list = try run(["list"], course: course)
        XCTAssertTrue(list.stdoutText.contains("2/2"), "the best score shows in list: \(list.stdoutText)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: course.stateDirectory.appendingPathComponent("quiz").path),
                      "progress lives in .grader/")
    }

    func testInteractiveQuizExplainsEachAnswer() throws {
        let course = try makeCourse()
        // A letter out of range is asked again; then one right and one wrong answer.
        let first = letter(try shown("order", 1, in: course)), second = letter(try shown("twice", 0, in: course))
        let out = try run(["quiz", "3"], course: course, stdin: "z\n\(first)\n\(second)\n")
        XCTAssertEqual(out.termination, .exited(1), out.stdoutText + out.stderrText)
        XCTAssertTrue(out.stdoutText.contains("type one letter, a to b"), out.stdoutText)
        XCTAssertTrue(out.stdoutText.contains("✓ right."), out.stdoutText)
        XCTAssertTrue(out.stdoutText.contains("Two backward calls add up."), out.stdoutText)
        XCTAssertTrue(out.stdoutText.contains("1 of 2 right"), out.stdoutText)
    }

    func testChoiceOrderIsStablePerStudentAndDiffersBetweenStudents() throws {
        let q = Quiz.Question(id: "q", kind: .choice, prompt: "?", code: nil, choices: ["a", "b", "c", "d"], answer: 0, explanation: "!")
        let mine = Quiz.choiceOrder(of: q, lesson: "01-gradients", student: "ada")
        XCTAssertEqual(mine, Quiz.choiceOrder(of: q, lesson: "01-gradients", student: "ada"))
        XCTAssertEqual(mine.sorted(), [0, 1, 2, 3])
        let others = Set((0..<20).map { Quiz.choiceOrder(of: q, lesson: "01-gradients", student: "student\($0)") })
        XCTAssertGreaterThan(others.count, 5, "students see different orders")
        let positions = Set((0..<40).map { Quiz.choiceOrder(of: q, lesson: "01-gradients", student: "s\($0)").firstIndex(of: 0)! })
        XCTAssertEqual(positions, [0, 1, 2, 3], "the right answer lands in every position for some student")
    }

    func testVerifyRejectsAQuizWhoseRightAnswersAreSkewed() throws {
        func question(_ n: Int, _ choices: [String], _ answer: Int) -> Quiz.Question {
            Quiz.Question(id: "q\(n)", kind: .choice, prompt: "?", code: nil, choices: choices, answer: answer, explanation: "!")
        }
        let alwaysFirst = Quiz(questions: (0..<6).map { question($0, ["x\($0)", "y\($0)", "z\($0)"], 0) })
        XCTAssertTrue(alwaysFirst.skewProblems().contains { $0.contains("choice (a) in 6 of 6") }, "\(alwaysFirst.skewProblems())")
        let alwaysLongest = Quiz(questions: (0..<6).map { question($0, ["no", "the long right answer \($0)", "nah"], $0 % 3 == 0 ? 1 : 1) })
        XCTAssertTrue(alwaysLongest.skewProblems().contains { $0.contains("longest choice in 6 of 6") }, "\(alwaysLongest.skewProblems())")
        let balanced = Quiz(questions: (0..<6).map { n in
            let choices = ["aa\(n)", "bbbb\(n)", "cccccc\(n)"]
            return question(n, choices, n % 3)
        })
        XCTAssertEqual(balanced.skewProblems(), [])
    }

    func testANewLessonIsListedAndQuizzedAtOnce() throws {
        let course = try makeCourse()
        let made = try run(["new", "lesson", "14-my-topic"], course: course)
        XCTAssertEqual(made.termination, .exited(0), made.stderrText)
        let list = try run(["list"], course: course)
        XCTAssertTrue(list.stdoutText.contains("My topic") && list.stdoutText.contains("grader quiz 14"), list.stdoutText)
        let quiz = try Quiz.load(course.lessonsDirectory.appendingPathComponent("14-my-topic/quiz.json"), displayPath: "quiz.json")
        let q = try XCTUnwrap(quiz.questions.first)
        let shownAnswer = try XCTUnwrap(Quiz.choiceOrder(of: q, lesson: "14-my-topic", student: student).firstIndex(of: q.answer))
        let graded = try run(["quiz", "14", "--answers", try answers("{\"\(q.id)\": \(shownAnswer)}", in: course)], course: course)
        XCTAssertEqual(graded.termination, .exited(0), graded.stdoutText + graded.stderrText)
    }
}
