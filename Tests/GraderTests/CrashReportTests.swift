import XCTest
@testable import GraderCore

final class CrashReportTests: XCTestCase {
    let stderr = """
    Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range

    *** Signal 4: Backtracing from 0x7fa9f776df7f... done ***

    Thread 0 "exercise" crashed:

      0      0x00007fa9f776df7f closure #1 in closure #1 in _assertionFailure(_:_:file:line:flags:) + 623 in libswiftCore.so
      2 [ra] 0x00007fa9f7d84286 specialized Array.subscript.getter + 85 in libswiftSwiftOnoneSupport.so
      3 [ra] 0x000056042a67120c huber(_:delta:) + 363 in exercise at /course/Exercises/ex2-huber/Huber.swift:14:34
      4 [ra] 0x000056042a6713d3 closure #1 in checks + 242 in exercise at /course/Exercises/ex2-huber/checks/HuberChecks.swift:20:9
    """

    func testStudentFrameAndRuntimeMessage() {
        let report = CrashReport.parse(stderr: stderr, studentFiles: ["Exercises/ex2-huber/Huber.swift"],
                                       checkFiles: ["Exercises/ex2-huber/checks/HuberChecks.swift"])
        XCTAssertEqual(report.runtimeMessage, "Fatal error: Index out of range")
        XCTAssertEqual(report.studentLocation, "Huber.swift:14")
        XCTAssertEqual(report.studentFunction, "huber(_:delta:)")
        XCTAssertEqual(report.sentence(for: .signaled(4), timeout: 10, memoryLimitMB: 100),
                       "your code crashed: Fatal error: Index out of range in Huber.swift:14 (in huber(_:delta:))")
    }

    func testUserFatalErrorKeepsItsOwnLine() {
        let report = CrashReport.parse(stderr: "Student/Huber.swift:9: Fatal error: delta must be positive\n", studentFiles: [], checkFiles: [])
        XCTAssertEqual(report.runtimeMessage, "Fatal error: delta must be positive")
        XCTAssertEqual(report.studentLocation, "Huber.swift:9")
    }

    func testSignalsInWords() {
        let none = CrashReport()
        XCTAssertTrue(none.sentence(for: .signaled(11), timeout: 10, memoryLimitMB: 100).contains("segmentation fault"))
        XCTAssertEqual(none.sentence(for: .timedOut, timeout: 10, memoryLimitMB: 100), "timed out after 10 s: is there an infinite loop?")
        XCTAssertTrue(none.sentence(for: .exited(3), timeout: 10, memoryLimitMB: 100).hasPrefix("your code ended the program with exit(3)"))
    }
}
