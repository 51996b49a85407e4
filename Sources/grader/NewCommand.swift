import Foundation
import GraderCore

extension Commands {
    /// `grader new ex14-my-topic --lesson 9` or `grader new lesson 14-my-topic`.
    func scaffold() throws -> Int32 {
        let written: [String]
        let next: String
        if arguments.ids.count == 2 {
            written = try Scaffold.lesson(arguments.ids[1], in: course)
            next = "grader verify \(arguments.ids[1])"
        } else {
            written = try Scaffold.exercise(arguments.ids[0], lesson: arguments.lesson ?? 0, in: course)
            next = "grader verify \(arguments.ids[0])"
        }
        for file in written { print("  created \(file)") }
        print("Next: edit them, then " + style.cyan(next) + " (it passes as generated).")
        return 0
    }
}
