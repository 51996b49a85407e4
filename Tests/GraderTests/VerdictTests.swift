import Foundation
import XCTest
@testable import GraderCore

/// Verdicts that are never wrong about the student's file: a save during a compile, a hang in one
/// check, a course whose checks are broken, and submission folders that cannot be graded.
final class VerdictTests: XCTestCase {
    func testASaveDuringACompileNeitherBreaksNorPoisonsTheVerdict() throws {
        let grader = Grader(course: try Fixtures.temporaryCourse(), binDirectory: Fixtures.binDirectory, allowBuild: false)
        var compiler = try grader.compiler()
        let exercise = try grader.course.exercise(named: "fx1")
        let file = exercise.directory.appendingPathComponent("Double.swift")
        let solution = try String(contentsOf: exercise.solutionDirectory.appendingPathComponent("Double.swift"), encoding: .utf8)
        // A content no other test compiles, so the compile really runs.
        let right = solution + "\n// saved at \(UUID().uuidString)\n"
        let broken = "func double(_ x: Tensor) -> Tensor { 2 * }\n"
        try right.write(to: file, atomically: true, encoding: .utf8)
        compiler.didSnapshot = { try? broken.write(to: file, atomically: false, encoding: .utf8) }
        guard case .built = try compiler.compile(.init(exercise: exercise)) else {
            return XCTFail("the compile must use the bytes it started with, not the file saved during it")
        }
        compiler.didSnapshot = nil
        guard case let .failed(failure) = try compiler.compile(.init(exercise: exercise)) else {
            return XCTFail("the saved (broken) file is compiled next")
        }
        XCTAssertEqual(failure.kind, .student)
        XCTAssertFalse(failure.output.contains("modified during the build"), failure.output)
        try right.write(to: file, atomically: true, encoding: .utf8)
        guard case let .built(_, _, cached, _) = try compiler.compile(.init(exercise: exercise)) else {
            return XCTFail("the right file passes again")
        }
        XCTAssertTrue(cached, "and its program was cached under its own content")
    }

    func testAHangStopsOneCheckSaysWhereAndTheRestStillRun() throws {
        let r = try Fixtures.result("fx11")
        let spins = try XCTUnwrap(r.check("spins"))
        XCTAssertEqual(spins.status, .timedOut)
        XCTAssertTrue(spins.message.contains("1.5 s a check may take"), spins.message)
        XCTAssertTrue(spins.message.contains("Spin.swift:5") || spins.location.hasSuffix("Spin.swift:5"), "\(spins.message) \(spins.location)")
        XCTAssertEqual(r.check("after")?.status, .passed, "the check after the hang runs in the time left")
        XCTAssertEqual(r.earned, 1, "half the checks, half the points")
    }

    func testChecksThatDoNotCompileAgainstTheReferenceAreACourseError() throws {
        let course = try Fixtures.temporaryCourse()
        let checks = course.exercisesDirectory.appendingPathComponent("fx1-pass/checks/Checks.swift")
        try (try String(contentsOf: checks, encoding: .utf8)).replacingOccurrences(of: "double(Tensor([1, 2]", with: "doubled(Tensor([1, 2]")
            .write(to: checks, atomically: true, encoding: .utf8)
        let grader = Grader(course: course, binDirectory: Fixtures.binDirectory, allowBuild: false)
        let exercise = try course.exercise(named: "fx1")
        XCTAssertThrowsError(try grader.check(.init(exercise: exercise, seed: 1, sourcesDirectory: exercise.solutionDirectory))) { error in
            let message = (error as? GraderError)?.message ?? "\(error)"
            XCTAssertTrue(message.hasPrefix("course error:"), message)
            XCTAssertTrue(message.contains("Checks.swift:"), "names the check file and line: \(message)")
        }
        let graded = SubmissionGrader(grader: grader).grade(exercise, submission: exercise.solutionDirectory.deletingLastPathComponent())
        XCTAssertEqual(graded.status, .graderError)
        XCTAssertTrue(graded.message.contains("course error"), graded.message)
    }

    func testSubmissionFoldersThatCannotBeGradedAreReported() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("subs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("alice"), withIntermediateDirectories: true)
        // A name that is not UTF-8 (Latin-1 "ü"), made with the C API as Foundation cannot spell it.
        let raw = folder.path + "/b\u{FC}rk"
        var bytes = Array(folder.path.utf8) + Array("/b".utf8) + [0xFC] + Array("rk".utf8)
        bytes.append(0)
        XCTAssertEqual(bytes.withUnsafeBufferPointer { mkdir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0o755) }, 0, raw)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("carol"), withDestinationURL: folder.appendingPathComponent("alice"))
        let (folders, unreadable) = try SubmissionGrader.submissions(in: folder)
        XCTAssertEqual(folders.map(\.lastPathComponent), ["alice"])
        XCTAssertEqual(unreadable.count, 2, "\(unreadable)")
        XCTAssertTrue(unreadable.contains { $0.contains("not valid UTF-8") })
        XCTAssertTrue(unreadable.contains { $0.contains("\"carol\"") && $0.contains("link") })
    }
}
