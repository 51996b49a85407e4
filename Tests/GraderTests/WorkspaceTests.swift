import XCTest
@testable import GraderCore

final class WorkspaceTests: XCTestCase {
    func testResetKeepsTheStudentsVersionAndRestoresTheStarter() throws {
        let course = try Fixtures.temporaryCourse()
        let exercise = try course.exercise(named: "fx1")
        let file = exercise.studentFile("Double.swift")
        let mine = try String(contentsOf: file, encoding: .utf8)
        XCTAssertFalse(exercise.isUntouched())
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let outcome = try Workspace.reset(exercise, course: course, now: date)
        let backup = try XCTUnwrap(outcome.backupDirectory)
        XCTAssertTrue(backup.path.hasPrefix(course.root.appendingPathComponent(".grader/backups/fx1-pass/").path), backup.path)
        XCTAssertEqual(try String(contentsOf: backup.appendingPathComponent("Double.swift"), encoding: .utf8), mine)
        XCTAssertEqual(try Data(contentsOf: file), try Data(contentsOf: exercise.starterDirectory.appendingPathComponent("Double.swift")))
        XCTAssertTrue(exercise.isUntouched())
        // A second reset has nothing to keep and changes nothing.
        XCTAssertNil(try Workspace.reset(exercise, course: course, now: date).backupDirectory)
        // A reset at the same second does not overwrite the earlier backup.
        try "edited again".write(to: file, atomically: true, encoding: .utf8)
        let third = try XCTUnwrap(try Workspace.reset(exercise, course: course, now: date).backupDirectory)
        XCTAssertNotEqual(third, backup)
        XCTAssertEqual(try String(contentsOf: backup.appendingPathComponent("Double.swift"), encoding: .utf8), mine)
    }

    func testHintsComeOneAtATimeAndStayAtTheLast() throws {
        let course = try Fixtures.temporaryCourse()
        let exercise = try course.exercise(named: "fx1")
        XCTAssertEqual(Workspace.nextHint(exercise, course: course)?.text, "first hint")
        let second = Workspace.nextHint(exercise, course: course)
        XCTAssertEqual(second?.text, "second hint")
        XCTAssertEqual(second?.number, 2)
        XCTAssertEqual(second?.total, 2)
        XCTAssertEqual(Workspace.nextHint(exercise, course: course)?.text, "second hint")
        XCTAssertNil(Workspace.nextHint(try course.exercise(named: "fx2"), course: course))
    }

    func testProgressStatus() throws {
        let course = try Fixtures.temporaryCourse()
        let exercise = try course.exercise(named: "fx1")
        var state = StudentState()
        XCTAssertEqual(ProgressStatus.of(exercise, state: state), .unchecked)
        state.lastCheck["fx1"] = .init(status: .passed, passedChecks: 4, totalChecks: 4, filesHash: exercise.studentFilesHash(), date: Date())
        XCTAssertEqual(ProgressStatus.of(exercise, state: state), .done)
        try "// changed".write(to: exercise.studentFile("Double.swift"), atomically: true, encoding: .utf8)
        XCTAssertEqual(ProgressStatus.of(exercise, state: state), .unchecked)
        _ = try Workspace.reset(exercise, course: course)
        XCTAssertEqual(ProgressStatus.of(exercise, state: StudentState.load(course)), .notStarted)
    }

    func testResetOfASymbolicLinkBacksUpTheTextItPointsTo() throws {
        let course = try Fixtures.temporaryCourse()
        let exercise = try course.exercise(named: "fx1")
        let file = exercise.studentFile("Double.swift")
        let elsewhere = course.root.appendingPathComponent("my-work.swift")
        try "// my own work".write(to: elsewhere, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: file)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: elsewhere)
        let backup = try XCTUnwrap(try Workspace.reset(exercise, course: course).backupDirectory)
        let saved = backup.appendingPathComponent("Double.swift")
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: saved.path), "the backup is a copy, not a link")
        XCTAssertEqual(try String(contentsOf: saved, encoding: .utf8), "// my own work")
        XCTAssertTrue(exercise.isUntouched())
    }

    func testResetOfAFolderWhereTheFileBelongsKeepsTheFolderAndRestoresTheFile() throws {
        let course = try Fixtures.temporaryCourse()
        let exercise = try course.exercise(named: "fx1")
        let file = exercise.studentFile("Double.swift")
        try FileManager.default.removeItem(at: file)
        try FileManager.default.createDirectory(at: file, withIntermediateDirectories: true)
        try "// inside".write(to: file.appendingPathComponent("note.swift"), atomically: true, encoding: .utf8)
        let backup = try XCTUnwrap(try Workspace.reset(exercise, course: course).backupDirectory)
        XCTAssertEqual(try String(contentsOf: backup.appendingPathComponent("Double.swift/note.swift"), encoding: .utf8), "// inside")
        XCTAssertTrue(exercise.isUntouched())
    }
}
