import Foundation

/// Copies of the course for others: the student edition (`grader release`) and the files of the
/// Gradescope bundle. Both leave out local state (`.git`, `.build*`, `.grader`) and the answers
/// (`solution/`, `mistakes/`); only the student edition also leaves out `checks/hidden/`.
public enum CourseRelease {
    /// Whether a path (relative to the course root, split in components) goes into the copy.
    public static func includes(_ components: [String], keepHiddenChecks: Bool, keepSolutions: Bool = false) -> Bool {
        guard let last = components.last else { return true }
        if last == ".git" || last == ".grader" || last.hasPrefix(".build") { return false }
        // Written by the grader for the local editor, with this machine's paths.
        if components == ["Exercises", EditorSettings.fileName] { return false }
        // Exercises/<exercise>/solution, …/mistakes, …/checks/hidden
        if components.count == 3 && components[0] == "Exercises" && last == "solution" { return keepSolutions }
        if components.count == 3 && components[0] == "Exercises" && last == "mistakes" { return false }
        if components.count == 4 && components[0] == "Exercises" && components[2] == "checks" && last == "hidden" { return keepHiddenChecks }
        return true
    }

    /// Every file of the course that goes into a copy, as paths relative to the root, in a stable
    /// order; `skipping` (the target, when it lies inside the course) is never entered.
    public static func files(of course: Course, keepHiddenChecks: Bool, keepSolutions: Bool = false, skipping: URL? = nil) throws -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        func walk(_ dir: URL, _ prefix: [String]) throws {
            for name in try fm.contentsOfDirectory(atPath: dir.path).sorted() {
                let url = dir.appendingPathComponent(name)
                let components = prefix + [name]
                guard includes(components, keepHiddenChecks: keepHiddenChecks, keepSolutions: keepSolutions), url.standardizedFileURL.path != skipping?.standardizedFileURL.path else { continue }
                let type = try fm.attributesOfItem(atPath: url.path)[.type] as? FileAttributeType
                if type == .typeDirectory { try walk(url, components) } else { out.append(components.joined(separator: "/")) }
            }
        }
        try walk(course.root, [])
        return out
    }

    public struct Summary: Sendable {
        public var files: Int
        /// Student files that differed from their starter and were written as the starter.
        public var resetToStarter: [String]
    }

    /// Writes the student edition of `course` to `target`, which must not exist or be empty. The
    /// student files are written from `starter/`, so an instructor's solved working copy never
    /// leaks its answers.
    public static func release(_ course: Course, to target: URL) throws -> Summary {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: target.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw GraderError("\(target.path) is a file: give a new or empty folder for the student edition") }
            if let contents = try? fm.contentsOfDirectory(atPath: target.path), !contents.isEmpty {
                throw GraderError("\(target.path) is not empty: release writes the student edition into a new or empty folder and never overwrites")
            }
        }
        try fm.createDirectory(at: target, withIntermediateDirectories: true)
        let files = try self.files(of: course, keepHiddenChecks: false, skipping: target)
        for file in files {
            let source = course.root.appendingPathComponent(file), destination = target.appendingPathComponent(file)
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            if let link = try? fm.destinationOfSymbolicLink(atPath: source.path) {
                try fm.createSymbolicLink(atPath: destination.path, withDestinationPath: link)
            } else {
                try fm.copyItem(at: source, to: destination)
            }
        }
        var reset: [String] = []
        for (file, starter) in try studentFileStarters(of: course).sorted(by: { $0.key < $1.key }) {
            let destination = target.appendingPathComponent(file)
            guard let data = fm.contents(atPath: course.root.appendingPathComponent(starter).path),
                  fm.contents(atPath: destination.path) != data else { continue }
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: destination)
            reset.append(file)
        }
        return Summary(files: files.count, resetToStarter: reset)
    }

    /// Each exercise's student file (`Exercises/ex1-…/Cubic.swift`) → its starter
    /// (`Exercises/ex1-…/starter/Cubic.swift`), relative to the course root: what a copy for
    /// others holds in place of an instructor's working copy.
    static func studentFileStarters(of course: Course) throws -> [String: String] {
        var map: [String: String] = [:]
        for case let .valid(exercise) in try course.entries() {
            for file in exercise.manifest.files {
                map[exercise.studentDisplayPath(file)] = exercise.displayPath + "/starter/" + file
            }
        }
        return map
    }
}
