import Foundation

extension SubmissionGrader {
    /// The submission folders inside `folder`: one subfolder per student, sorted by name (folders
    /// starting with `.` or `_` are skipped).
    public static func submissions(in folder: URL) throws -> [URL] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else {
            throw GraderError("cannot read the submissions folder \(folder.path)")
        }
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && !name.hasPrefix("_")
                && fm.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted(by: naturalLess).map { folder.appendingPathComponent($0) }
    }

    /// Grades every submission, `jobs` at a time; a submission that fails to compile, crashes or
    /// hangs costs only its own exercise (time limits are per exercise run).
    ///
    /// Work is split by exercise, each worker taking one exercise through every submission: the
    /// compile cache prunes an exercise's old programs when it adds one, so two workers compiling
    /// the same exercise at once could delete the program the other is about to run.
    public func gradeAll(_ submissions: [URL], jobs: Int = 2, progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> [SubmissionGrade] {
        let (exercises, errors) = try self.exercises()
        var table = [[ExerciseGrade?]](repeating: [ExerciseGrade?](repeating: nil, count: exercises.count), count: submissions.count)
        let lock = NSLock()
        var next = 0
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, exercises.count))) { _ in
            while true {
                lock.lock()
                let column = next
                next += 1
                lock.unlock()
                guard column < exercises.count else { return }
                for (row, submission) in submissions.enumerated() {
                    let grade = self.grade(exercises[column], submission: submission)
                    lock.lock(); table[row][column] = grade; lock.unlock()
                }
                progress("\(exercises[column].id): \(submissions.count) submission\(submissions.count == 1 ? "" : "s") graded")
            }
        }
        return zip(submissions, table).map { submission, row in
            let grades = row.compactMap { $0 }
            return SubmissionGrade(student: submission.lastPathComponent, submission: submission.path, seed: seed,
                                   exercises: grades, errors: errors, executionSeconds: grades.reduce(0) { $0 + $1.seconds })
        }
    }
}

/// The gradebook: one row per student, one column per exercise.
public enum Gradebook {
    /// `student,<exercise ids…>,total,max`, RFC 4180 quoting, points as `10` or `4.5`.
    public static func csv(_ grades: [SubmissionGrade]) -> String {
        var ids: [String] = []
        for grade in grades { for e in grade.exercises where !ids.contains(e.id) { ids.append(e.id) } }
        var lines = [(["student"] + ids + ["total", "max"]).map(field).joined(separator: ",")]
        for grade in grades {
            let points = ids.map { id in grade.exercises.first { $0.id == id }.map { Scoring.format($0.score) } ?? "" }
            lines.append(([field(grade.student)] + points + [Scoring.format(grade.score), String(grade.maxScore)]).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-`
    /// or `@` is defused with `'` so a spreadsheet never runs a folder name as a formula.
    public static func field(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\n\r".contains($0) }) || text.hasPrefix(" ") || text.hasSuffix(" ") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
