import Foundation
import GraderCore

extension Arguments {
    /// The arguments of the instructor/CI commands (`grade`, `grade-all`, `release`, `new`,
    /// `gradescope-bundle`), checked apart so `parse` only gains one line for them.
    func validateGrading() throws {
        let name = command.rawValue
        switch command {
        case .new:
            let isLesson = ids.count == 2 && ids[0] == "lesson"
            guard ids.count == 1 || isLesson else {
                throw GraderError("`grader new` needs one name: `grader new ex99-my-topic --lesson 9` or `grader new lesson 14-my-topic`")
            }
            if !isLesson && lesson == nil { throw GraderError("`grader new \(ids[0])` needs --lesson N: the lesson the exercise belongs to") }
            if isLesson && lesson != nil { throw GraderError("--lesson is for a new exercise; a new lesson's number is in its name (14-my-topic)") }
        default:
            guard ids.count == 1 else {
                let what = command == .gradescopeBundle ? "the zip file to write" : command == .release ? "the folder to write" : "a folder"
                throw GraderError("`grader \(name)` needs exactly one argument: \(what) (see `grader --help`)")
            }
            if lesson != nil { throw GraderError("--lesson works with `grader new` only") }
        }
        if csv != nil && command != .gradeAll { throw GraderError("--csv works with grade-all only") }
        if unisolated && ![.grade, .gradeAll].contains(command) { throw GraderError("--unisolated works with grade and grade-all only") }
        if out != nil && ![.grade, .gradeAll].contains(command) { throw GraderError("--out works with grade and grade-all only") }
        if format == .gradescope && command == .gradeAll {
            throw GraderError("--format gradescope describes one submission: use it with `grader grade`")
        }
    }
}

extension Commands {
    func runGrading() throws -> Int32 {
        switch arguments.command {
        case .grade: return try grade()
        case .gradeAll: return try gradeAll()
        case .release: return try release()
        case .new: return try scaffold()
        case .gradescopeBundle: return try gradescopeBundle()
        default: return 2
        }
    }

    /// A path from the command line, relative to the current folder.
    func path(_ argument: String) -> URL {
        URL(fileURLWithPath: argument, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
    }

    func submissionGrader() throws -> SubmissionGrader {
        let engine = SubmissionGrader(grader: makeGrader(), seed: arguments.seed ?? 0)
        // A missing toolchain or runtime is a configuration error (exit 2), found before grading.
        _ = try engine.grader.compiler()
        if !engine.grader.isolation.mechanism.isIsolated && !arguments.unisolated {
            throw GraderError("refusing to grade without isolation: student code would run with your rights and could change the course, other submissions or the results. This machine cannot sandbox (`grader-sandbox --probe` says why; Linux user namespaces, or running as root, are needed). Grade in a container or VM you can throw away, and pass --unisolated to grade anyway.")
        }
        FileHandle.standardError.write(Data("grading: student code runs \(engine.grader.isolation.mechanism)\n".utf8))
        return engine
    }

    func folder(_ argument: String, what: String) throws -> URL {
        let url = path(argument)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GraderError("\(argument) is not a folder: give the \(what)")
        }
        return url
    }

    /// Writes a report to `--out` (creating its folder) or prints it.
    func emit(_ text: String) throws {
        guard let out = arguments.out else { print(text); return }
        let url = path(out)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((text.hasSuffix("\n") ? text : text + "\n").utf8).write(to: url, options: .atomic)
        } catch {
            throw GraderError("cannot write \(out): \(error.localizedDescription)")
        }
    }

    /// `grader grade DIR`: exit 0 whenever grading worked, whatever the score (the score is in the
    /// report); 2 when an exercise could not be graded by the grader or the course is broken.
    func grade() throws -> Int32 {
        let submission = try folder(arguments.ids[0], what: "submission folder (a copy of the course, or its exercise folders)")
        let engine = try submissionGrader()
        let grade = try engine.grade(submission: submission, jobs: arguments.jobs)
        try emit(GradeFormat(rawValue: arguments.format.rawValue)!.render([grade]))
        if arguments.out != nil {
            print("\(grade.student): \(Scoring.format(grade.score))/\(grade.maxScore) points (seed \(grade.seed)) → \(arguments.out!)")
        }
        return status(of: [grade])
    }

    func status(of grades: [SubmissionGrade]) -> Int32 {
        let problems = grades.flatMap { g in g.errors + g.exercises.filter { $0.status == .graderError }.map { "\(g.student) \($0.id): \($0.message)" } }
        guard !problems.isEmpty else { return 0 }
        FileHandle.standardError.write(Data(("grader: could not grade everything:\n" + Set(problems).sorted().joined(separator: "\n") + "\n").utf8))
        return 2
    }

    /// `grader grade-all DIR`: every subfolder is one student's submission.
    func gradeAll() throws -> Int32 {
        let folder = try folder(arguments.ids[0], what: "folder holding one submission folder per student")
        let (submissions, unreadable) = try SubmissionGrader.submissions(in: folder)
        for problem in unreadable { FileHandle.standardError.write(Data("grader: \(problem)\n".utf8)) }
        guard !submissions.isEmpty else { throw GraderError("\(arguments.ids[0]) holds no submission folders (one subfolder per student)") }
        let engine = try submissionGrader()
        FileHandle.standardError.write(Data("grading \(submissions.count) submissions, \(arguments.jobs) at a time…\n".utf8))
        let grades = try engine.gradeAll(submissions, jobs: arguments.jobs) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        switch arguments.format {
        case .json: try emit(JSONReport.encode(grades))
        case .junit: try emit(JUnitReport.render(grades))
        default:
            let width = max(grades.map(\.student.count).max() ?? 7, 7)
            var lines = ["STUDENT".padding(toLength: width, withPad: " ", startingAt: 0) + "  SCORE"]
            for g in grades {
                let statuses = g.exercises.map { "\($0.id) \($0.status.rawValue)" }.joined(separator: ", ")
                lines.append(g.student.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                             + "\(Scoring.format(g.score))/\(g.maxScore)".padding(toLength: 10, withPad: " ", startingAt: 0) + statuses)
            }
            try emit(lines.joined(separator: "\n"))
        }
        if let csv = arguments.csv {
            do {
                try Data(Gradebook.csv(grades).utf8).write(to: path(csv), options: .atomic)
            } catch {
                throw GraderError("cannot write \(csv): \(error.localizedDescription)")
            }
            FileHandle.standardError.write(Data("gradebook: \(csv)\n".utf8))
        }
        return unreadable.isEmpty ? status(of: grades) : 2
    }
}
