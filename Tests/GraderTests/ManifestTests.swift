import XCTest
@testable import GraderCore

final class ManifestTests: XCTestCase {
    func parse(_ json: String) throws -> Manifest {
        try Manifest.parse(Data(json.utf8), displayPath: "Exercises/ex9-x/exercise.json")
    }

    func assertError(_ json: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(json), file: file, line: line) { error in
            XCTAssertEqual((error as? GraderError)?.message, "Exercises/ex9-x/exercise.json: " + expected, file: file, line: line)
        }
    }

    let valid = #"{"id": "ex9", "title": "T", "lesson": "L", "points": 5, "files": ["A.swift"]}"#

    func testValidManifestWithDefaults() throws {
        let m = try parse(valid)
        XCTAssertEqual(m, Manifest(id: "ex9", title: "T", lesson: "L", points: 5, files: ["A.swift"]))
        XCTAssertEqual(m.timeout, 10)
        XCTAssertEqual(m.hints, [])
    }

    func testEveryFieldProblemIsNamed() {
        assertError(#"{"title": "T", "lesson": "L", "points": 5, "files": ["A.swift"]}"#, "missing required field `id` (a string)")
        assertError(#"{"id": "ex9", "title": 3, "lesson": "L", "points": 5, "files": ["A.swift"]}"#, "field `title` must be a string, found the number 3")
        assertError(#"{"id": "ex9", "title": "T", "lesson": "L", "points": true, "files": ["A.swift"]}"#, "field `points` must be a number, found true")
        assertError(#"{"id": "ex9", "title": "T", "lesson": "L", "points": 1.5, "files": ["A.swift"]}"#, "field `points` must be a whole number ≥ 0, found 1.5")
        assertError(#"{"id": "ex9", "title": "T", "lesson": "L", "points": 1, "files": []}"#, "field `files` must list at least one student file")
        assertError(#"{"id": "ex9", "title": "T", "lesson": "L", "points": 1, "files": ["a.txt"]}"#, "field `files`[0] must be a .swift file, found \"a.txt\"")
        assertError(#"{"id": "ex9", "title": "T", "lesson": "L", "points": 1, "files": ["../X.swift"]}"#, "field `files`[0] must be a path inside the exercise folder, found \"../X.swift\"")
        assertError(#"{"id": "ex9", "title": "T", "lesson": "L", "points": 1, "files": ["main.swift"]}"#, "field `files`[0]: \"main.swift\" is a name the grader uses itself; rename the file")
        assertError(#"{"id": "ex9", "title": "T", "lesson": "L", "points": 1, "files": ["A.swift"], "hint": ["x"]}"#, "unknown field `hint` (known fields: id, title, lesson, points, files, hints, timeout, checkTimeout, memoryLimitMB)")
        assertError(#"{"id": "ex9", "title": "T", "lesson": "L", "points": 1, "files": ["A.swift"], "hints": ["ok", 2]}"#, "field `hints`[1] must be a string, found the number 2")
        assertError(#"{"id": "ex9", "title": "T", "lesson": "L", "points": 1, "files": ["A.swift"], "timeout": 0}"#, "field `timeout` must be a number of seconds between 0 and 600, found 0.0")
        assertError(#"{"id": "Ex 9", "title": "T", "lesson": "L", "points": 1, "files": ["A.swift"]}"#, "field `id` must be lower-case letters, digits or _ starting with a letter (like \"ex3\"), found \"Ex 9\"")
        assertError(#"[1, 2]"#, "must be a JSON object like {\"id\": \"ex1\", \"title\": ..., \"files\": [...]}")
    }

    func testInvalidJSONSaysWhere() {
        XCTAssertThrowsError(try parse("{\n\"id\": \"ex9\",\n\"title\": \"T\"\n\"lesson\": 1}")) { error in
            let message = (error as? GraderError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix("Exercises/ex9-x/exercise.json: is not valid JSON"), message)
        }
    }

    func testFolderMustMatchId() throws {
        let course = try Fixtures.temporaryCourse()
        let dir = course.exercisesDirectory.appendingPathComponent("fx1-pass")
        let renamed = course.exercisesDirectory.appendingPathComponent("zz1-other")
        try FileManager.default.moveItem(at: dir, to: renamed)
        XCTAssertThrowsError(try course.exercise(named: "zz1-other")) { error in
            XCTAssertEqual((error as? GraderError)?.message,
                           "Exercises/zz1-other/exercise.json: field `id` is \"fx1\" but the folder is zz1-other; name the folder fx1-<slug>")
        }
        XCTAssertThrowsError(try course.exercise(named: "nope")) { error in
            XCTAssertTrue(((error as? GraderError)?.message ?? "").hasPrefix("no exercise named \"nope\" (known exercises: "))
        }
    }

    func testMissingStarterIsNamed() throws {
        let course = try Fixtures.temporaryCourse()
        try FileManager.default.removeItem(at: course.exercisesDirectory.appendingPathComponent("fx1-pass/starter/Double.swift"))
        XCTAssertThrowsError(try course.exercise(named: "fx1")) { error in
            XCTAssertTrue(((error as? GraderError)?.message ?? "").contains("Exercises/fx1-pass/starter/Double.swift is missing"))
        }
    }
}
