import Foundation

/// Editor support for exercise files: `Exercises/compile_commands.json`, a compilation database
/// that SourceKit-LSP (VS Code's Swift extension, and any LSP editor) reads for files no package
/// target claims. With it a student gets completion, types on hover and error squiggles in
/// `Cubic.swift` exactly as under `Sources/`.
///
/// Each exercise's student files are listed as one module, `Student`, compiled together against
/// the course modules (`Autograd`, `GraderKit`) without the checks; so are the `starter/` and
/// `solution/` versions, for instructors. The module paths come from the runtime the grader found,
/// so they are right on every platform (SwiftPM's build folder differs on macOS).
///
/// The file holds absolute paths, so it is written on this machine (by the first `grader check`,
/// `grader watch`, or `grader editor`) and never committed.
public enum EditorSettings {
    public static let fileName = "compile_commands.json"

    public static func url(course: Course) -> URL {
        course.exercisesDirectory.appendingPathComponent(fileName)
    }

    /// The database's JSON for every valid exercise of the course.
    public static func compileCommands(course: Course, runtime: Runtime, swiftc: URL) throws -> String {
        var entries: [[String: Any]] = []
        for entry in try course.entries() {
            guard case let .valid(exercise) = entry else { continue }
            let groups = [exercise.directory, exercise.starterDirectory, exercise.solutionDirectory]
            for folder in groups {
                let files = exercise.manifest.files.map { folder.appendingPathComponent($0).standardizedFileURL.path }
                guard files.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else { continue }
                let arguments = [swiftc.path, "-module-name", "Student", "-swift-version", "5"] + runtime.moduleFlags + files
                for file in files {
                    entries.append(["directory": folder.standardizedFileURL.path, "file": file, "arguments": arguments])
                }
            }
        }
        let data = try JSONSerialization.data(withJSONObject: entries, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Writes the database when it is missing or differs (a new exercise, a moved build folder);
    /// returns whether it wrote. Cheap when nothing changed: one small file read.
    @discardableResult
    public static func write(course: Course, runtime: Runtime, swiftc: URL) throws -> Bool {
        let text = try compileCommands(course: course, runtime: runtime, swiftc: swiftc)
        let target = url(course: course)
        if let existing = FileManager.default.contents(atPath: target.path), existing == Data(text.utf8) { return false }
        try Data(text.utf8).write(to: target, options: .atomic)
        return true
    }
}
