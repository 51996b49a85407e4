import Foundation
import GraderCore

extension Commands {
    /// `grader verify`: one line per lesson, quiz, solution, starter and known mistake, the
    /// problems indented under a failing one, then `N passed, M failed`. Exit 1 on any failure.
    func verify() throws -> Int32 {
        var verifier = try CourseVerifier(grader: makeGrader())
        if let seed = arguments.seed { verifier.seed = seed }
        let start = Date()
        let items = try verifier.verify(only: arguments.ids, jobs: arguments.jobs) { item in
            let mark = item.passed ? style.green("✓") : style.red("✗")
            print("\(mark) \(item.name)" + (item.passed && !item.detail.isEmpty ? ": \(item.detail)" : ""))
            for problem in item.problems {
                print(problem.components(separatedBy: "\n").map { "    " + $0 }.joined(separator: "\n"))
            }
        }
        let failed = items.filter { !$0.passed }.count
        if items.isEmpty { print("nothing to verify") }
        print(String(format: "verified in %.0f s", Date().timeIntervalSince(start)))
        print("\(items.count - failed) passed, \(failed) failed")
        return failed == 0 ? 0 : 1
    }
}
