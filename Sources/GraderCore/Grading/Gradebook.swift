import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SubmissionGrader {
    /// The submission folders inside `folder`: one subfolder per student, sorted by name (folders
    /// starting with `.` or `_` are skipped). Entries that cannot be graded (a name that is not
    /// UTF-8, a link instead of a folder) come back as messages, never silently dropped.
    public static func submissions(in folder: URL) throws -> (folders: [URL], unreadable: [String]) {
        let fm = FileManager.default
        guard let directory = opendir(folder.path) else {
            throw GraderError("cannot read the submissions folder \(folder.path)")
        }
        defer { closedir(directory) }
        var names: [String] = [], unreadable: [String] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix(while: { $0 != 0 })) }
            guard let name = String(validatingUTF8: bytes.map { CChar(bitPattern: $0) } + [0]) else {
                let shown = String(decoding: bytes, as: UTF8.self)
                unreadable.append("submission folder \"\(shown)\" was not graded: its name is not valid UTF-8; rename it")
                continue
            }
            if name == "." || name == ".." || name.hasPrefix(".") || name.hasPrefix("_") { continue }
            let url = folder.appendingPathComponent(name)
            if (try? fm.destinationOfSymbolicLink(atPath: url.path)) != nil {
                unreadable.append("submission \"\(name)\" was not graded: it is a link, not a folder")
                continue
            }
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue { names.append(name) }
        }
        return (names.sorted(by: naturalLess).map { folder.appendingPathComponent($0) }, unreadable)
    }

    /// Grades every submission, `jobs` at a time; a submission that fails to compile, crashes or
    /// hangs costs only its own exercise.
    ///
    /// The reference runs come first; then every submission gets its own copy of the course. Work
    /// is split by exercise, each worker taking one exercise through every submission.
    public func gradeAll(_ submissions: [URL], jobs: Int = 2, progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> [SubmissionGrade] {
        let (exercises, errors) = try self.exercises()
        let references = prepareReferences(exercises, for: submissions, jobs: jobs)
        let copies = try submissions.map { _ in try CourseCopy(of: grader) }
        defer { copies.forEach { $0.remove() } }
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
                    let grade = self.grade(exercises[column], submission: submission, in: copies[row], reference: references[column])
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
