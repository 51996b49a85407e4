import Foundation

/// The course checkout: the folder with `Package.swift` and `Exercises/`.
public struct Course: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var exercisesDirectory: URL { root.appendingPathComponent("Exercises") }
    /// Where the grader keeps the student's state (hints seen, last verdicts, reset backups). It is
    /// gitignored and never inside an exercise folder.
    public var stateDirectory: URL { root.appendingPathComponent(".grader") }

    /// Finds the course: `explicit` if given (it needs only `Exercises/`), else the nearest folder at or above `start` holding both
    /// `Package.swift` and `Exercises/`.
    public static func locate(from start: URL, explicit: URL? = nil) throws -> Course {
        let fm = FileManager.default
        func isCourse(_ url: URL) -> Bool {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
                && fm.fileExists(atPath: url.appendingPathComponent("Exercises").path, isDirectory: &isDir) && isDir.boolValue
        }
        if let explicit {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: explicit.appendingPathComponent("Exercises").path, isDirectory: &isDir), isDir.boolValue else {
                throw GraderError("\(explicit.path) is not a Gradlings course: it has no Exercises/ folder")
            }
            return Course(root: explicit)
        }
        var dir = start.standardizedFileURL
        while true {
            if isCourse(dir) { return Course(root: dir) }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        throw GraderError("no Gradlings course found in \(start.path) or any folder above it (looking for Package.swift next to Exercises/). Run the grader inside the course, or pass --course DIR.")
    }

    /// One entry per exercise folder, in natural order (ex2 before ex10); folders whose manifest or
    /// layout is broken come back as `.broken` so one bad exercise does not hide the others.
    public func entries() throws -> [ExerciseEntry] {
        let fm = FileManager.default
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: exercisesDirectory.path)
        } catch {
            throw GraderError("cannot read \(exercisesDirectory.path): \(error.localizedDescription)")
        }
        var entries: [ExerciseEntry] = []
        var seen: [String: String] = [:]
        for name in names.sorted(by: naturalLess) {
            guard !name.hasPrefix("."), !name.hasPrefix("_") else { continue }
            let dir = exercisesDirectory.appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else { continue }
            let display = "Exercises/" + name
            do {
                let exercise = try Exercise(directory: dir, displayPath: display)
                if let other = seen[exercise.id] {
                    entries.append(.broken(folder: name, error: GraderError("\(display)/exercise.json: id \"\(exercise.id)\" is already used by Exercises/\(other)")))
                    continue
                }
                seen[exercise.id] = name
                entries.append(.valid(exercise))
            } catch let error as GraderError {
                entries.append(.broken(folder: name, error: error))
            }
        }
        return entries
    }

    /// The exercise a student named on the command line: by id (`ex3`) or folder (`ex3-huber-loss`).
    public func exercise(named name: String) throws -> Exercise {
        let wanted = name.hasSuffix("/") ? String(name.dropLast()) : name
        let wantedFolder = (wanted as NSString).lastPathComponent
        let all = try entries()
        for entry in all {
            switch entry {
            case let .valid(exercise) where exercise.id == wanted || exercise.folderName == wantedFolder:
                return exercise
            case let .broken(folder, error) where folder == wantedFolder || folder.hasPrefix(wanted + "-"):
                throw error
            default: continue
            }
        }
        let ids = all.compactMap { entry -> String? in if case let .valid(e) = entry { return e.id }; return nil }
        let suggestion = ids.isEmpty ? "there are no exercises in Exercises/" : "known exercises: \(ids.joined(separator: ", "))"
        throw GraderError("no exercise named \"\(name)\" (\(suggestion))")
    }
}

public enum ExerciseEntry: Sendable {
    case valid(Exercise)
    /// A folder that is not a usable exercise, with the reason naming the file and field.
    case broken(folder: String, error: GraderError)
}
