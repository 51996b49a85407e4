import XCTest
@testable import GraderCore

/// Each fixture exercise gets the right verdict and message.
final class FixtureTests: XCTestCase {
    func testPassingExercisePasses() throws {
        let r = try Fixtures.result("fx1")
        XCTAssertEqual(r.status, .passed, "\(r.checks)")
        XCTAssertEqual(r.checks.map(\.id), ["values", "gradients", "derivative", "hook"])
        XCTAssertTrue(r.checks.allSatisfy { $0.status == .passed })
        XCTAssertEqual(r.earned, 3)
        XCTAssertEqual(r.seed, Fixtures.seed)
        XCTAssertEqual(r.runs, 1)
    }

    func testHiddenChecksArePendingForStudentsAndRunWhenGrading() throws {
        let student = try Fixtures.result("fx1")
        XCTAssertEqual(student.hiddenPending, 1)
        XCTAssertFalse(student.checks.contains { $0.hidden })
        let grader = try Fixtures.grader()
        let graded = try grader.check(Grader.CheckRequest(exercise: try Fixtures.exercise("fx1"), seed: Fixtures.seed, includeHidden: true))
        XCTAssertEqual(graded.status, .passed)
        XCTAssertEqual(graded.hiddenPending, 0)
        XCTAssertEqual(graded.checks.last?.id, "hidden_large")
        XCTAssertEqual(graded.checks.last?.hidden, true)
    }

    func testStarterFailsFriendlyWithNotImplemented() throws {
        let r = try Fixtures.result("fx1", sources: "starter")
        XCTAssertEqual(r.status, .notImplemented)
        let values = try XCTUnwrap(r.check("values"))
        XCTAssertEqual(values.status, .notImplemented)
        XCTAssertEqual(values.message, "not implemented yet: return 2x")
        XCTAssertTrue(values.location.hasSuffix("starter/Double.swift:4"), values.location)
        XCTAssertEqual(r.check("derivative")?.message, "not implemented yet: return x²")
        XCTAssertEqual(r.earned, 0)
    }

    func testWrongBackwardFailsTheGradientCheckWithLocation() throws {
        let r = try Fixtures.result("fx2")
        XCTAssertEqual(r.status, .failed)
        XCTAssertEqual(r.check("forward")?.status, .passed)
        let backward = try XCTUnwrap(r.check("backward"))
        XCTAssertEqual(backward.status, .failed)
        // Names output and input with the worst element's index, both values and the tolerance.
        XCTAssertTrue(backward.message.hasPrefix("d out["), backward.message)
        XCTAssertTrue(backward.message.contains("/ d x["), backward.message)
        XCTAssertTrue(backward.message.contains("your gradient"), backward.message)
        XCTAssertTrue(backward.message.contains("finite differences"), backward.message)
        XCTAssertTrue(backward.message.contains("atol 1.0e-05 + rtol 1.0e-03"), backward.message)
        XCTAssertEqual(backward.hint, "d x² / dx = 2x")
        let fast = try XCTUnwrap(r.check("backward_fast"))
        XCTAssertEqual(fast.status, .failed)
        XCTAssertTrue(fast.message.contains("vᵀ·J·u"), fast.message)
    }

    func testCompileErrorShowsTheDiagnosticWithFileAndLine() throws {
        let r = try Fixtures.result("fx3")
        XCTAssertEqual(r.status, .compileError)
        let failure = try XCTUnwrap(r.compileFailure)
        XCTAssertEqual(failure.kind, .student)
        let first = try XCTUnwrap(failure.diagnostics.first)
        XCTAssertEqual(first.file, "Tests/GraderTests/Fixtures/Exercises/fx3-compile-error/Broken.swift".replacingOccurrences(of: "Tests/GraderTests/Fixtures/", with: ""))
        XCTAssertEqual(first.line, 4)
        XCTAssertTrue(first.message.contains("cannot convert return expression of type 'String' to return type 'Int'"), first.message)
        XCTAssertTrue(failure.summary.hasPrefix("Exercises/fx3-compile-error/Broken.swift:4:"), failure.summary)
        let text = TextReport(style: Style(enabled: false)).render(r)
        XCTAssertTrue(text.contains("Exercises/fx3-compile-error/Broken.swift:4:12: error:"), text)
    }

    func testTrapIsReportedInWordsAndLaterChecksStillRun() throws {
        let r = try Fixtures.result("fx4")
        XCTAssertEqual(r.status, .failed)
        XCTAssertEqual(r.check("before")?.status, .passed)
        let crash = try XCTUnwrap(r.check("crashes"))
        XCTAssertEqual(crash.status, .crashed)
        XCTAssertEqual(crash.message, "your code crashed: Fatal error: Index out of range in Trap.swift:4 (in element(_:_:))")
        XCTAssertEqual(crash.location, "Exercises/fx4-trap/Trap.swift:4")
        XCTAssertEqual(r.check("after")?.status, .passed, "the check after the crash runs in a new process")
        XCTAssertEqual(r.runs, 2)
    }

    func testInfiniteLoopTimesOut() throws {
        let r = try Fixtures.result("fx5")
        XCTAssertEqual(r.status, .failed)
        let hang = try XCTUnwrap(r.check("converges"))
        XCTAssertEqual(hang.status, .timedOut)
        XCTAssertEqual(hang.message, "timed out after 1.5 s: is there an infinite loop?")
        XCTAssertEqual(r.check("later")?.status, .notRun)
        XCTAssertLessThan(r.runSeconds, 5)
    }

    func testExitHalfwayCannotPass() throws {
        let r = try Fixtures.result("fx6")
        XCTAssertEqual(r.status, .failed)
        XCTAssertEqual(r.check("one")?.status, .passed)
        let two = try XCTUnwrap(r.check("two"))
        XCTAssertEqual(two.status, .crashed)
        XCTAssertTrue(two.message.hasPrefix("your code ended the program with exit(0) in the middle of this check"), two.message)
        XCTAssertEqual(two.output, "all good, leaving early")
        XCTAssertEqual(r.check("three")?.status, .passed)
    }

    func testPrintedOrForgedPassIsRejected() throws {
        let r = try Fixtures.result("fx7")
        XCTAssertEqual(r.status, .failed)
        XCTAssertEqual(r.passedChecks, 0)
        for check in r.checks {
            XCTAssertEqual(check.status, .failed)
            XCTAssertTrue(check.message.contains("forged or damaged record"), check.message)
        }
        XCTAssertTrue(r.output.contains("1 of 1 checks passed"), "the fake text is shown, not believed")
    }

    func testRenamedFunctionIsBlamedOnTheSignatureNotTheChecks() throws {
        let r = try Fixtures.result("fx9")
        XCTAssertEqual(r.status, .compileError)
        XCTAssertEqual(r.compileFailure?.kind, .checks)
        XCTAssertTrue(r.compileFailure?.summary.contains("Did you rename a function") ?? false)
    }

    func testMemoryLimit() throws {
        let r = try Fixtures.result("fx10")
        let hog = try XCTUnwrap(r.check("hog"))
        XCTAssertEqual(hog.status, .crashed)
        XCTAssertTrue(hog.message.hasPrefix("your code ran out of memory (limit 256 MiB)"), hog.message)
    }

    func testMalformedManifestNamesFileAndField() throws {
        XCTAssertThrowsError(try Fixtures.exercise("fx8")) { error in
            XCTAssertEqual((error as? GraderError)?.message,
                           "Exercises/fx8-malformed/exercise.json: field `points` must be a number, found the string \"ten\"")
        }
        // The broken folder does not hide the others.
        let entries = try Fixtures.course.entries()
        XCTAssertEqual(entries.filter { if case .broken = $0 { return true } else { return false } }.count, 1)
        XCTAssertNoThrow(try Fixtures.exercise("fx1"))
    }

    func testUnchangedExerciseIsNotRecompiled() throws {
        let grader = try Fixtures.grader()
        // Its own first check: other tests compile variants of fx1, and the cache keeps a few per exercise.
        _ = try grader.check(Grader.CheckRequest(exercise: try Fixtures.exercise("fx1"), seed: 3))
        let again = try grader.check(Grader.CheckRequest(exercise: try Fixtures.exercise("fx1"), seed: 7))
        XCTAssertTrue(again.compiledFromCache)
        XCTAssertEqual(again.status, .passed)
        XCTAssertEqual(again.seed, 7)
    }

    func testJSONReportRoundTrips() throws {
        let r = try Fixtures.result("fx4")
        let json = JSONReport.render([r])
        let decoded = try JSONDecoder().decode(JSONReport.Envelope.self, from: Data(json.utf8))
        var withoutObservations = r   // the values a check compared stay out of reports
        withoutObservations.checks = r.checks.map { var c = $0; c.observations = []; return c }
        XCTAssertEqual(decoded.exercises, [withoutObservations])
        XCTAssertEqual(decoded.total, 1)
        XCTAssertEqual(decoded.passed, 0)
    }
}
