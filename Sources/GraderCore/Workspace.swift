import Foundation

/// The commands that touch the student's files or state: `reset` and `hint`.
public enum Workspace {
    public struct ResetOutcome: Sendable {
        /// Where the student's previous version went (nil when there was nothing to keep: the files
        /// already were the starter).
        public var backupDirectory: URL?
        public var restored: [String]
    }

    /// Copies `starter/` over the student files, first moving the student's version to
    /// `.grader/backups/<folder>/<timestamp>/` (named in the outcome). The only command that
    /// changes a student file.
    public static func reset(_ exercise: Exercise, course: Course, now: Date = Date()) throws -> ResetOutcome {
        let fm = FileManager.default
        var backup: URL?
        // What is at each student path: a file (read through a symbolic link, so the backup holds the
        // student's text, not a link that may dangle later), a folder, or nothing.
        func isFolder(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return fm.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        let differs = exercise.manifest.files.filter { file in
            let url = exercise.studentFile(file)
            if isFolder(url) { return true }
            let mine = fm.contents(atPath: url.path)
            let starter = fm.contents(atPath: exercise.starterDirectory.appendingPathComponent(file).path)
            return mine != nil && mine != starter
        }
        if !differs.isEmpty {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "yyyy-MM-dd'T'HH-mm-ss"
            var dir = course.stateDirectory.appendingPathComponent("backups/\(exercise.folderName)/\(formatter.string(from: now))")
            var n = 2
            while fm.fileExists(atPath: dir.path) {
                dir = course.stateDirectory.appendingPathComponent("backups/\(exercise.folderName)/\(formatter.string(from: now))-\(n)")
                n += 1
            }
            for file in differs {
                let target = dir.appendingPathComponent(file)
                let source = exercise.studentFile(file)
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                do {
                    if isFolder(source) {
                        try fm.copyItem(at: source.resolvingSymlinksInPath(), to: target)
                    } else if let data = fm.contents(atPath: source.path) {
                        try data.write(to: target)
                    }
                } catch {
                    throw GraderError("cannot back up \(exercise.displayPath)/\(file) to \(target.path) (\(error.localizedDescription)); nothing was changed")
                }
            }
            backup = dir
        }
        // Only once every file is safely copied are the student files replaced.
        for file in exercise.manifest.files {
            let starter = exercise.starterDirectory.appendingPathComponent(file)
            let data = try Data(contentsOf: starter)
            let destination = exercise.studentFile(file)
            do {
                // A folder where the file belongs was backed up above; it makes way for the file.
                if isFolder(destination) { try fm.removeItem(at: destination) }
                try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: destination, options: .atomic)
            } catch {
                throw GraderError("cannot restore \(exercise.displayPath)/\(file) (\(error.localizedDescription))" + (backup.map { "; your version is saved in \($0.path)" } ?? ""))
            }
        }
        StudentState.update(course) { state in
            state.lastCheck[exercise.id] = nil
        }
        return ResetOutcome(backupDirectory: backup, restored: exercise.manifest.files)
    }

    public struct Hint: Sendable {
        public var number: Int
        public var total: Int
        public var text: String
    }

    /// The next hint (the last one again once all are shown), remembering how many were shown.
    public static func nextHint(_ exercise: Exercise, course: Course) -> Hint? {
        let hints = exercise.manifest.hints
        guard !hints.isEmpty else { return nil }
        var state = StudentState.load(course)
        let shown = state.hintsShown[exercise.id] ?? 0
        let index = min(shown, hints.count - 1)
        state.hintsShown[exercise.id] = min(shown + 1, hints.count)
        try? state.save(course)
        return Hint(number: index + 1, total: hints.count, text: hints[index])
    }
}
