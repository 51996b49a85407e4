import Foundation
import GraderCore

extension Commands {
    /// `grader quiz N`: asks a lesson's questions one by one and explains every answer, right or
    /// wrong; with `--answers FILE` grades a JSON object of answers (`{"id": index}`) for CI.
    /// Choices appear in the student's own order (`Quiz.choiceOrder`), the same on every run; an
    /// answer index or letter means the choice at that position as shown.
    /// Progress is kept in `.grader/quiz/`, never in the student's files.
    func quiz() throws -> Int32 {
        let lesson = try course.lesson(named: arguments.ids[0])
        let quiz = try Quiz.load(lesson.quizFile, displayPath: lesson.displayPath + "/quiz.json")
        var given: [String: Int] = [:]
        if let path = arguments.answers {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw GraderError("\(path): cannot be read (the answers file is a JSON object like {\"\(quiz.questions[0].id)\": 1})")
            }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw GraderError("\(path): expected a JSON object of answers, e.g. {\"\(quiz.questions[0].id)\": 1}")
            }
            // A misspelt id would silently count as "no answer": name it instead.
            let unknown = object.keys.filter { key in !quiz.questions.contains { $0.id == key } }.sorted()
            if !unknown.isEmpty {
                throw GraderError("\(path): no question \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")) in \(lesson.displayPath)/quiz.json (its ids: \(quiz.questions.map(\.id).joined(separator: ", ")))")
            }
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                let count = quiz.questions.first { $0.id == key }?.choices.count ?? 0
                let last = String(UnicodeScalar(UInt8(96 + count)))
                guard let index = (value as? Int) ?? (value as? String).flatMap(QuizProgress.choiceIndex), (0..<count).contains(index) else {
                    throw GraderError("\(path): the answer to \"\(key)\" must be a choice index 0 to \(count - 1) or a letter a to \(last), not \(value)")
                }
                given[key] = index
            }
        }
        let student = Quiz.studentKey()
        print(style.bold("Lesson \(lesson.number): \(lesson.title()) — quiz (\(quiz.questions.count) questions)"))
        var correct = 0
        for (n, q) in quiz.questions.enumerated() {
            print("\n\(n + 1). \(q.prompt)")
            if let code = q.code { print(code.components(separatedBy: "\n").map { "     " + $0 }.joined(separator: "\n")) }
            let order = Quiz.choiceOrder(of: q, lesson: lesson.folderName, student: student)
            for (i, original) in order.enumerated() {
                let letter = String(UnicodeScalar(UInt8(97 + i)))
                print("   \(letter)) " + q.choices[original].components(separatedBy: "\n").joined(separator: "\n      "))
            }
            let answer: Int?
            if arguments.answers != nil {
                answer = given[q.id]
            } else {
                answer = ask(choices: q.choices.count)
            }
            let shownRight = order.firstIndex(of: q.answer) ?? q.answer
            let right = answer == shownRight
            if right { correct += 1 }
            let letter = String(UnicodeScalar(UInt8(97 + shownRight)))
            print(right ? style.green("   ✓ right.") : style.red("   ✗ " + (answer == nil ? "no answer" : "not quite") + ": the answer is \(letter)."))
            print(q.explanation.components(separatedBy: "\n").map { "   " + $0 }.joined(separator: "\n"))
        }
        print("\n\(correct) of \(quiz.questions.count) right")
        QuizProgress.save(course: course, lesson: lesson, correct: correct, total: quiz.questions.count)
        return correct == quiz.questions.count ? 0 : 1
    }

    private func ask(choices: Int) -> Int? {
        while true {
            print("   your answer (a-\(String(UnicodeScalar(UInt8(96 + choices))))): ", terminator: "")
            guard let line = readLine() else { return nil }
            if let index = QuizProgress.choiceIndex(line), (0..<choices).contains(index) { return index }
            print("   type one letter, a to \(String(UnicodeScalar(UInt8(96 + choices))))")
        }
    }
}

/// Quiz scores kept under `.grader/quiz/` for `grader list`.
enum QuizProgress {
    static func choiceIndex(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let n = Int(t) { return n }
        guard t.count == 1, let scalar = t.unicodeScalars.first, scalar.value >= 97, scalar.value < 123 else { return nil }
        return Int(scalar.value) - 97
    }

    static func file(course: Course, lesson: Lesson) -> URL {
        course.stateDirectory.appendingPathComponent("quiz").appendingPathComponent(lesson.folderName + ".json")
    }

    static func save(course: Course, lesson: Lesson, correct: Int, total: Int) {
        let url = file(course: course, lesson: lesson)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let best = max(correct, load(course: course, lesson: lesson)?.correct ?? 0)
        let json = "{\"correct\": \(best), \"total\": \(total)}\n"
        try? json.write(to: url, atomically: true, encoding: .utf8)
    }

    static func load(course: Course, lesson: Lesson) -> (correct: Int, total: Int)? {
        guard let data = FileManager.default.contents(atPath: file(course: course, lesson: lesson).path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int],
              let correct = object["correct"], let total = object["total"] else { return nil }
        return (correct, total)
    }
}

extension Commands {
    /// The lessons with their quiz progress, under the exercises in `grader list`.
    func printLessons() {
        guard let lessons = try? course.lessons(), !lessons.isEmpty else { return }
        print("")
        print(style.bold("  LESSON  QUIZ     TITLE"))
        for lesson in lessons {
            let progress = QuizProgress.load(course: course, lesson: lesson)
            let quiz = progress.map { "\($0.correct)/\($0.total)" } ?? "—"
            let mark = progress.map { $0.correct == $0.total } == true ? style.green("✓ ") : "  "
            print(mark + String(lesson.number).leftPadded(6) + "  " + quiz.padding(toLength: 7, withPad: " ", startingAt: 0)
                  + "  " + lesson.title() + style.dim("  (grader quiz \(lesson.number))"))
        }
    }
}
