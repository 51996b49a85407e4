import XCTest
@testable import GraderCore

/// The course's own two reference exercises work end to end: the solution passes, the starter
/// fails kindly (not implemented), and every known mistake fails as its `expect.json` declares.
final class RealExerciseTests: XCTestCase {
    static let courseRoot = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func verify(_ id: String) throws {
        let course = Course(root: Self.courseRoot)
        guard let exercise = try? course.exercise(named: id) else { throw XCTSkip("\(id) is not in Exercises/") }
        guard FileManager.default.fileExists(atPath: exercise.solutionDirectory.path) else {
            throw XCTSkip("\(id) has no solution/: this is the student edition (`grader release` leaves the answers out)")
        }
        if case let .failure(error) = Runtime.find(in: Fixtures.binDirectory, sourcesDirectory: nil) {
            throw XCTSkip("the course runtime is not built (\(error.message))")
        }
        let grader = Grader(course: course, binDirectory: Fixtures.binDirectory, allowBuild: false)
        let seed: UInt64 = 2024
        let solution = try grader.check(.init(exercise: exercise, seed: seed, sourcesDirectory: exercise.solutionDirectory))
        XCTAssertEqual(solution.status, .passed, "\(id) solution: \(solution.checks.filter { $0.status != .passed })")
        let starter = try grader.check(.init(exercise: exercise, seed: seed, sourcesDirectory: exercise.starterDirectory))
        XCTAssertEqual(starter.status, .notImplemented, "\(id) starter: \(starter.checks.filter { $0.status != .notImplemented })")

        let names = exercise.mistakeNames()
        XCTAssertGreaterThanOrEqual(names.count, 2, "\(id) declares at least two mistakes")
        let lock = NSLock()
        var problems: [String] = []
        DispatchQueue.concurrentPerform(iterations: names.count) { i in
            let name = names[i]
            do {
                let expectation = try MistakeExpectation.load(exercise.mistakesDirectory.appendingPathComponent("\(name)/expect.json"),
                                                              displayPath: "\(exercise.displayPath)/mistakes/\(name)/expect.json")
                let sources = try exercise.mistakeSources(name)
                defer { try? FileManager.default.removeItem(at: sources) }
                let result = try grader.check(.init(exercise: exercise, seed: seed, sourcesDirectory: sources))
                let found = expectation.mismatches(result).map { "mistakes/\(name): \($0)" }
                lock.lock(); problems += found; lock.unlock()
            } catch {
                lock.lock(); problems.append("mistakes/\(name): \(error)"); lock.unlock()
            }
        }
        XCTAssertEqual(problems, [], "\(id)")
    }

    func testCubicGradient() throws { try verify("ex1") }
    func testHuberLoss() throws { try verify("ex10") }
}
