import Foundation
import XCTest
@testable import GraderCore

/// `grader release`, the ZIP writer behind `gradescope-bundle`, `grader new`, and the exit
/// statuses of the grading commands.
final class GradingToolsTests: XCTestCase {
    func testReleaseLeavesOutAnswersAndRefusesANonEmptyFolder() throws {
        let course = try GradingTests.makeCourse()
        let fm = FileManager.default
        for junk in [".git/HEAD", ".build-x/debug/a.o", ".grader/state.json", "Exercises/fx2-gradfail/mistakes/m/Square.swift"] {
            try GradingTests.write("x", junk, in: course.root)
        }
        let target = fm.temporaryDirectory.appendingPathComponent("release-\(UUID().uuidString)")
        let summary = try CourseRelease.release(course, to: target)
        XCTAssertEqual(summary.resetToStarter, ["Exercises/fx1-pass/Double.swift", "Exercises/fx2-gradfail/Square.swift"])
        for gone in [".git", ".build-x", ".grader", "Exercises/fx1-pass/solution", "Exercises/fx1-pass/checks/hidden",
                     "Exercises/fx2-gradfail/mistakes", "Exercises/fx2-gradfail/solution"] {
            XCTAssertFalse(fm.fileExists(atPath: target.appendingPathComponent(gone).path), gone)
        }
        for kept in ["Package.swift", "Exercises/fx1-pass/checks/Checks.swift", "Exercises/fx1-pass/starter/Double.swift", "Exercises/fx5-hang/exercise.json"] {
            XCTAssertTrue(fm.fileExists(atPath: target.appendingPathComponent(kept).path), kept)
        }
        XCTAssertThrowsError(try CourseRelease.release(course, to: target)) { error in
            XCTAssertTrue((error as? GraderError)?.message.contains("is not empty") == true, "\(error)")
        }

        // The released exercise still compiles, and fails as a starter (no hidden checks pending).
        _ = try Fixtures.grader()
        let released = Course(root: target)
        let grader = Grader(course: released, binDirectory: Fixtures.binDirectory, allowBuild: false)
        let result = try grader.check(Grader.CheckRequest(exercise: try released.exercise(named: "fx1"), seed: 1))
        XCTAssertEqual(result.status, .notImplemented)
        XCTAssertEqual(result.hiddenPending, 0)
    }

    func testStudentReportCountsPendingHiddenChecks() throws {
        let result = try Fixtures.result("fx1")
        XCTAssertEqual(result.hiddenPending, 1)
        XCTAssertTrue(TextReport(style: Style(enabled: false)).render(result).contains("1 hidden check will run when graded"))
    }

    /// Reads the archive back the way unzip does: end record → central directory → local headers.
    func testZipReadsBack() throws {
        XCTAssertEqual(ZipWriter.crc32(Data("123456789".utf8)), 0xCBF4_3926)
        var writer = ZipWriter()
        writer.add("run_autograder", Data("#!/bin/sh\necho hi\n".utf8), executable: true)
        writer.add("dir/ünïcode.txt", Data((0..<1000).map { UInt8($0 % 251) }))
        writer.add("empty", Data())
        let data = try writer.archive()
        let entries = try readZip(data)
        XCTAssertEqual(entries.map(\.name), ["run_autograder", "dir/ünïcode.txt", "empty"])
        for (entry, original) in zip(entries, writer.entries) {
            XCTAssertEqual(entry.data, original.data)
            XCTAssertEqual(entry.crc, ZipWriter.crc32(original.data))
            XCTAssertEqual(entry.mode, original.executable ? 0o100755 : 0o100644)
        }

        let bundle = try GradescopeBundle.archive(try GradingTests.makeCourse())
        let names = try readZip(bundle.data)
        XCTAssertEqual(names.prefix(2).map(\.name), ["setup.sh", "run_autograder"])
        XCTAssertEqual(names[1].mode, 0o100755)
        let runAutograder = String(decoding: names[1].data, as: UTF8.self)
        XCTAssertTrue(runAutograder.contains("--format gradescope --out /autograder/work/results.json"))
        XCTAssertTrue(runAutograder.contains("mv -f /autograder/work/results.json /autograder/results/results.json"),
                      "results appear only once the grader, and every process of the student's, is done")
        XCTAssertTrue(String(decoding: names[0].data, as: UTF8.self).contains("SWIFT_VERSION=\"${SWIFT_VERSION:-6.3.1}\""), "the toolchain is pinned")
        XCTAssertTrue(names.contains { $0.name == "Exercises/fx1-pass/checks/hidden/Hidden.swift" }, "grading needs the hidden checks")
        XCTAssertTrue(names.contains { $0.name == "Exercises/fx1-pass/solution/Double.swift" }, "and the reference solution it compares with")
        XCTAssertFalse(names.contains { $0.name.contains("/mistakes/") })
        let student = try XCTUnwrap(names.first { $0.name == "Exercises/fx1-pass/Double.swift" })
        XCTAssertEqual(student.data, try Data(contentsOf: Fixtures.root.appendingPathComponent("Exercises/fx1-pass/starter/Double.swift")),
                       "student files come from starter/, never from a working copy")
    }

    struct ZipEntry { var name: String; var crc: UInt32; var mode: UInt32; var data: Data }

    func readZip(_ data: Data) throws -> [ZipEntry] {
        let bytes = [UInt8](data)
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
        let end = bytes.count - 22
        XCTAssertEqual(u32(end), 0x0605_4B50, "end of central directory record")
        let count = u16(end + 10)
        XCTAssertEqual(Int(u32(end + 16)) + Int(u32(end + 12)), end, "the central directory ends where the end record starts")
        var at = Int(u32(end + 16))
        var entries: [ZipEntry] = []
        for _ in 0..<count {
            XCTAssertEqual(u32(at), 0x0201_4B50)
            XCTAssertEqual(u16(at + 10), 0, "stored")
            let crc = u32(at + 16), size = Int(u32(at + 20)), nameLength = u16(at + 28)
            let local = Int(u32(at + 42))
            let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            XCTAssertEqual(u32(local), 0x0403_4B50)
            XCTAssertEqual(u32(local + 14), crc)
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            entries.append(ZipEntry(name: name, crc: crc, mode: u32(at + 38) >> 16, data: Data(bytes[start..<(start + size)])))
            at += 46 + nameLength + u16(at + 30) + u16(at + 32)
        }
        return entries
    }

    /// What `grader new` writes passes `grader verify` as it is, and is never written twice.
    func testScaffoldsPassVerify() throws {
        _ = try Fixtures.grader()
        let course = try GradingTests.makeCourse()
        let files = try Scaffold.exercise("ex14-my-topic", lesson: 9, in: course)
        XCTAssertTrue(files.contains("Exercises/ex14-my-topic/mistakes/detached/expect.json"))
        _ = try Scaffold.lesson("14-my-topic", in: course)
        XCTAssertThrowsError(try Scaffold.exercise("ex14-my-topic", lesson: 9, in: course))
        XCTAssertThrowsError(try Scaffold.lesson("14-my-topic", in: course))
        XCTAssertThrowsError(try Scaffold.exercise("ex15", lesson: 9, in: course), "needs a slug")
        let readme = try String(contentsOf: course.lessonsDirectory.appendingPathComponent("14-my-topic/README.md"), encoding: .utf8)
        XCTAssertTrue(readme.hasPrefix("# Lesson 14: My topic\n"))
        let verifier = try CourseVerifier(grader: Grader(course: course, binDirectory: Fixtures.binDirectory, allowBuild: false))
        let items = try verifier.verify(only: ["ex14", "14-my-topic"], jobs: 2) { _ in }
        XCTAssertEqual(items.map(\.name), ["lesson 14-my-topic", "quiz 14-my-topic", "ex14 solution", "ex14 hints", "ex14 starter", "ex14 mistake detached"])
        for item in items { XCTAssertTrue(item.passed, "\(item.name): \(item.problems)") }
    }

    /// `grade` exits 0 whatever the score; usage and configuration errors exit 2.
    func testExitStatuses() throws {
        let executable = Fixtures.binDirectory.appendingPathComponent("grader")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else { throw XCTSkip("no grader executable: run `swift build` first") }
        _ = try Fixtures.grader()
        let course = try GradingTests.makeCourse()
        for name in ["fx1-pass", "fx5-hang"] { try FileManager.default.removeItem(at: course.exercisesDirectory.appendingPathComponent(name)) }
        let submission = course.root.appendingPathComponent("sub")
        try GradingTests.write(String(contentsOf: course.exercisesDirectory.appendingPathComponent("fx2-gradfail/Square.swift"), encoding: .utf8),
                               "fx2-gradfail/Square.swift", in: submission)
        var env = ProcessInfo.processInfo.environment
        env["GRADLINGS_BUILD_DIR"] = Fixtures.binDirectory.path
        func run(_ arguments: [String]) throws -> ChildProcess.Output {
            try ChildProcess.run(executable: executable, arguments: arguments + ["--course", course.root.path], environment: env, timeout: 120)
        }
        let out = course.root.appendingPathComponent("results/results.json")
        var unsandboxed = env
        unsandboxed["GRADLINGS_ISOLATION"] = "none"
        let refused = try ChildProcess.run(executable: executable, arguments: ["grade", submission.path, "--course", course.root.path],
                                           environment: unsandboxed, timeout: 120)
        XCTAssertEqual(refused.termination, .exited(2), "no grade without isolation unless asked for")
        XCTAssertTrue(refused.stderrText.contains("--unisolated"), refused.stderrText)
        let graded = try run(["grade", submission.path, "--format", "gradescope", "--out", out.path, "--unisolated"])
        XCTAssertEqual(graded.termination, .exited(0), graded.stderrText)
        XCTAssertTrue(graded.stdoutText.contains("1.67/5 points (seed 0)"), graded.stdoutText)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        let nonEmpty = try run(["release", course.root.path])
        XCTAssertEqual(nonEmpty.termination, .exited(2))
        XCTAssertTrue(nonEmpty.stderrText.contains("is not empty"), nonEmpty.stderrText)
        let usage = try run(["grade-all", submission.path, "--format", "gradescope"])
        XCTAssertEqual(usage.termination, .exited(2))
        let noLesson = try run(["new", "ex9-thing"])
        XCTAssertEqual(noLesson.termination, .exited(2))
        XCTAssertTrue(noLesson.stderrText.contains("--lesson"), noLesson.stderrText)
    }
}
