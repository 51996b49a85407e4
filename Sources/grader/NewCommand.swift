import Foundation
import GraderCore

extension Commands {
    /// `grader new ex15-my-topic --lesson 9` or `grader new lesson 14-my-topic`.
    func scaffold() throws -> Int32 {
        let written: [String]
        let next: String
        if arguments.ids.count == 2 {
            written = try Scaffold.lesson(arguments.ids[1], in: course)
            next = "grader verify \(arguments.ids[1])"
        } else {
            try validateNewExercise(arguments.ids[0])
            written = try Scaffold.exercise(arguments.ids[0], lesson: arguments.lesson ?? 0, in: course)
            next = "grader verify \(arguments.ids[0])"
        }
        for file in written { print("  created \(file)") }
        print("Next: edit them, then " + style.cyan(next) + " (it passes as generated).")
        return 0
    }

    /// Refuses what the scaffold would accept but the course does not: a lesson that does not exist,
    /// and (with an example that is free) a folder name that is not `<id>-<slug>`.
    private func validateNewExercise(_ name: String) throws {
        let parts = name.split(separator: "-", maxSplits: 1).map(String.init)
        let lowerWord: (String) -> Bool = { !$0.isEmpty && $0.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "_" } }
        if parts.count != 2 || !(parts[0].first.map { $0.isASCII && $0.isLowercase } ?? false) || !lowerWord(parts[0]) || !lowerWord(parts[1]) {
            throw GraderError("\"\(name)\" is not an exercise folder name: use <id>-<slug> in lower case, e.g. \(freeExampleID())-my-topic (the id is what students type)")
        }
        if let number = arguments.lesson {
            let lessons = try course.lessons()
            guard lessons.contains(where: { $0.number == number }) else {
                throw GraderError("there is no lesson \(number) (lessons: \(lessons.map { String($0.number) }.joined(separator: ", "))); "
                                  + "create it first with `grader new lesson \(String(format: "%02d", number))-my-topic`, or leave out --lesson")
            }
        }
    }

    /// `exN` with N one more than the highest exercise number in the course.
    private func freeExampleID() -> String {
        var highest = 0
        for case let .valid(exercise) in (try? course.entries()) ?? [] where exercise.id.hasPrefix("ex") {
            highest = max(highest, Int(exercise.id.dropFirst(2)) ?? 0)
        }
        return "ex\(highest + 1)"
    }
}
