import Foundation

/// One exercise folder, `Exercises/<id>-<slug>/`, with its manifest read and its layout checked.
///
/// Layout (documented for instructors in `Exercises/README.md`):
/// - `exercise.json`: the manifest (`Manifest`).
/// - the student files named in `files`, at the top of the folder: what the student edits.
/// - `starter/`: pristine copies of those files; `grader reset` restores from here and
///   "not started" means the student files still equal them.
/// - `checks/*.swift`: the checks, compiled with the student files; `checks/hidden/*.swift` only
///   when grading.
/// - `solution/`: a passing version of each student file; `mistakes/<name>/`: known-wrong versions
///   with an `expect.json` naming the failure each must produce.
public struct Exercise: Sendable {
    public let folderName: String
    public let directory: URL
    public let manifest: Manifest
    /// The exercise folder relative to the course root, for messages: `Exercises/ex3-huber-loss`.
    public let displayPath: String

    public var id: String { manifest.id }
    public var checksDirectory: URL { directory.appendingPathComponent("checks") }
    public var hiddenChecksDirectory: URL { checksDirectory.appendingPathComponent("hidden") }
    public var starterDirectory: URL { directory.appendingPathComponent("starter") }
    public var solutionDirectory: URL { directory.appendingPathComponent("solution") }
    public var mistakesDirectory: URL { directory.appendingPathComponent("mistakes") }

    /// Where the student edits `file`.
    public func studentFile(_ file: String) -> URL { directory.appendingPathComponent(file) }
    public func studentDisplayPath(_ file: String) -> String { displayPath + "/" + file }

    /// Loads the folder at `directory`, named `folderName`, checking the manifest and the layout.
    public init(directory: URL, displayPath: String) throws {
        self.directory = directory
        self.folderName = directory.lastPathComponent
        self.displayPath = displayPath
        let manifestPath = displayPath + "/exercise.json"
        let manifestURL = directory.appendingPathComponent("exercise.json")
        guard FileManager.default.fileExists(atPath: manifestURL.path) else {
            throw GraderError("\(manifestPath) is missing: every exercise folder needs a manifest (see Exercises/README.md)")
        }
        manifest = try Manifest.load(from: manifestURL, displayPath: manifestPath)
        guard folderName == manifest.id || folderName.hasPrefix(manifest.id + "-") else {
            throw GraderError("\(manifestPath): field `id` is \"\(manifest.id)\" but the folder is \(folderName); name the folder \(manifest.id)-<slug>")
        }
        let checks = (try? Exercise.swiftFiles(in: checksDirectory)) ?? []
        guard !checks.isEmpty else {
            throw GraderError("\(displayPath)/checks/ has no .swift file: the checks of an exercise live there (see Exercises/README.md)")
        }
        for file in manifest.files {
            let starter = starterDirectory.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: starter.path) else {
                throw GraderError("\(manifestPath): field `files` lists \"\(file)\" but \(displayPath)/starter/\(file) is missing (starter/ holds the pristine copy `grader reset` restores)")
            }
        }
    }

    /// The check files compiled with the student's: `checks/*.swift`, plus `checks/hidden/*.swift`
    /// when grading.
    public func checkFiles(includeHidden: Bool) throws -> [URL] {
        var files = try Exercise.swiftFiles(in: checksDirectory)
        if includeHidden { files += (try? Exercise.swiftFiles(in: hiddenChecksDirectory)) ?? [] }
        return files
    }

    /// Whether `checks/hidden/` holds any check file.
    public var hasHiddenChecks: Bool { !((try? Exercise.swiftFiles(in: hiddenChecksDirectory)) ?? []).isEmpty }

    /// The names of the folders in `mistakes/`.
    public func mistakeNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: mistakesDirectory.path)) ?? []
        return names.filter { name in
            var isDir: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: mistakesDirectory.appendingPathComponent(name).path, isDirectory: &isDir) && isDir.boolValue
        }.sorted(by: naturalLess)
    }

    /// Whether every student file is byte-for-byte its starter: the student has not begun.
    public func isUntouched() -> Bool {
        manifest.files.allSatisfy { file in
            guard let a = FileManager.default.contents(atPath: studentFile(file).path),
                  let b = FileManager.default.contents(atPath: starterDirectory.appendingPathComponent(file).path) else { return false }
            return a == b
        }
    }

    static func swiftFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix(".") }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }
}

/// "ex2" < "ex10": digits compare as numbers.
public func naturalLess(_ a: String, _ b: String) -> Bool {
    a.compare(b, options: [.numeric, .caseInsensitive]) == .orderedAscending
}
