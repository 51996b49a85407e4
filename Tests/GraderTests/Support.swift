import Foundation
import XCTest
@testable import GraderCore

/// Shared set-up for tests that compile and run fixture exercises.
///
/// The fixtures live in `Tests/GraderTests/Fixtures/Exercises/` (excluded from the test target);
/// they are compiled against the runtime in the products folder this test bundle runs from, which
/// `swift build` (or `swift test`, through the object files) has built.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let course = Course(root: root)
    static let seed: UInt64 = 12345

    static var binDirectory: URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path).deletingLastPathComponent()
        }
        // macOS: the test bundle sits in the products folder (Bundle.main is the xctest runner).
        return Bundle(for: FixtureBundleAnchor.self).bundleURL.deletingLastPathComponent()
    }

    /// The grader under test, or a skip when the runtime truly is not built.
    static func grader() throws -> Grader {
        if case let .failure(error) = Runtime.find(in: binDirectory, sourcesDirectory: nil) {
            throw XCTSkip("the course runtime is not built in \(binDirectory.path) (\(error.message)); run `swift build` first")
        }
        return Grader(course: course, binDirectory: binDirectory, allowBuild: false)
    }

    static func exercise(_ id: String) throws -> Exercise { try course.exercise(named: id) }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Result<ExerciseResult, Error>] = [:]

    /// Every runnable fixture checked once, two at a time, and remembered: each swiftc costs about
    /// half a second, so the tests share the results.
    static let ids = ["fx1", "fx2", "fx3", "fx4", "fx5", "fx6", "fx7", "fx9", "fx10", "fx11"]

    static func result(_ id: String, sources: String? = nil) throws -> ExerciseResult {
        let key = id + (sources.map { ":" + $0 } ?? "")
        lock.lock()
        let cached = cache[key]
        lock.unlock()
        if let cached { return try cached.get() }
        let grader = try grader()
        if sources == nil { warmUp(grader) }
        lock.lock()
        let warmed = cache[key]
        lock.unlock()
        if let warmed { return try warmed.get() }
        let outcome = Result { try check(grader, id, sources: sources) }
        lock.lock()
        cache[key] = outcome
        lock.unlock()
        return try outcome.get()
    }

    private static func check(_ grader: Grader, _ id: String, sources: String?) throws -> ExerciseResult {
        let exercise = try self.exercise(id)
        let dir = sources.map { exercise.directory.appendingPathComponent($0) }
        return try grader.check(Grader.CheckRequest(exercise: exercise, seed: seed, sourcesDirectory: dir))
    }

    private static var warmedUp = false

    private static func warmUp(_ grader: Grader) {
        lock.lock()
        if warmedUp { lock.unlock(); return }
        warmedUp = true
        lock.unlock()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 2
        // The slow ones (the hang) first.
        for id in ["fx5"] + ids.filter({ $0 != "fx5" }) {
            queue.addOperation {
                let outcome = Result { try check(grader, id, sources: nil) }
                lock.lock()
                cache[id] = outcome
                lock.unlock()
            }
        }
        queue.waitUntilAllOperationsAreFinished()
    }

    /// A copy of the fixture course in a temporary folder, for tests that change files or state.
    static func temporaryCourse() throws -> Course {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grader-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root.appendingPathComponent("Exercises"), to: dir.appendingPathComponent("Exercises"))
        try "// a course\n".write(to: dir.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        return Course(root: dir)
    }
}

extension ExerciseResult {
    func check(_ id: String) -> CheckResult? { checks.first { $0.id == id } }
}

/// Any class of this test bundle, to find the bundle (and the products folder beside it) on macOS.
final class FixtureBundleAnchor {}
