import Foundation
import XCTest
@testable import Autograd
#if canImport(Glibc)
import Glibc
#endif

/// Replays the differential-fuzz programs recorded from PyTorch (`Scripts/fuzz.py`) and requires
/// the library to agree on every value and gradient. Programs listed in `fuzz/pending.json`
/// show known disagreements whose fix is under way elsewhere; they are skipped, with their reason.
final class FuzzReplayTests: XCTestCase {
    /// Replaying allocates tens of megabytes; give them back to the system, so that tests measuring
    /// resident memory later in the same process (TrainingMemoryTests) see their own growth.
    override func tearDown() {
        #if canImport(Glibc)
        // glibc's malloc_trim, which the Glibc module does not export.
        if let symbol = dlsym(nil, "malloc_trim") {
            typealias Trim = @convention(c) (Int) -> Int32
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        }
        #endif
        super.tearDown()
    }

    private func fixtureFiles() throws -> [URL] {
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "fuzz", withExtension: nil, subdirectory: "Fixtures"))
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "jsonl" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    private func pending() throws -> [String: String] {
        guard let url = Bundle.module.url(forResource: "pending", withExtension: "json", subdirectory: "Fixtures/fuzz") else { return [:] }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: String] ?? [:]
    }

    /// Runs programs and returns "id: what differs" for each disagreement or thrown error.
    private func replay(_ programs: [FuzzProgram]) -> [String] {
        let trace = ProcessInfo.processInfo.environment["AUTOGRAD_FUZZ_TRACE"] != nil
        return programs.compactMap { program in
            if trace { FileHandle.standardError.write(Data("FUZZ-RUN \(program.id)\n".utf8)) }
            do {
                let outcome = try FuzzInterpreter.run(program)
                return FuzzInterpreter.compare(program, outcome).map { "\(program.id): \($0)" }
            } catch {
                return "\(program.id): threw \(error)"
            }
        }
    }

    func testRecordedProgramsAgreeWithPyTorch() throws {
        let skip = try pending()
        var programs: [FuzzProgram] = []
        for file in try fixtureFiles() { programs += try FuzzProgram.load(file) }
        XCTAssertGreaterThanOrEqual(programs.count, 1000, "the fuzz fixtures should hold at least 1,000 programs")
        let failures = replay(programs.filter { skip[$0.id] == nil })
        XCTAssert(failures.isEmpty, "\(failures.count) of \(programs.count) programs disagree with PyTorch:\n"
                  + failures.prefix(20).joined(separator: "\n"))
    }

    /// Every pending entry names a recorded program, so the list can't silently go stale.
    func testPendingProgramsExist() throws {
        var ids = Set<String>()
        for file in try fixtureFiles() { ids.formUnion(try FuzzProgram.load(file).map(\.id)) }
        for id in try pending().keys { XCTAssert(ids.contains(id), "pending program \(id) is not in the fixtures") }
    }

    /// For `Scripts/fuzz.py shrink`: replays the file named by `AUTOGRAD_FUZZ_FILE` and prints a
    /// `FUZZ-DISAGREE` line per disagreeing program. Does nothing when the variable is unset.
    func testReplayFile() throws {
        guard let path = ProcessInfo.processInfo.environment["AUTOGRAD_FUZZ_FILE"] else { return }
        for failure in replay(try FuzzProgram.load(URL(fileURLWithPath: path))) {
            print("FUZZ-DISAGREE \(failure)")
        }
    }
}
