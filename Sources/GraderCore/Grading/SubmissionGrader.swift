import Foundation

/// Grades students' submissions with the course's own checks, hidden ones included.
///
/// The rules that keep a grade the student's own work (docs/grading.md states them):
/// - Only the files each manifest lists as student-editable are taken from a submission, copied
///   (regular files only, no links, nothing outside the submission, at most 1 MB each) into a
///   private staging folder; manifests and checks come from the course.
/// - A check passes only when its values agree with the reference solution's run
///   (`ReferenceComparison`); those runs happen first, before any student code.
/// - Each submission compiles against its own fresh copy of the course's checks, and its programs
///   run in the sandbox the grader was given, so nothing one submission does reaches another.
public struct SubmissionGrader: Sendable {
    public let grader: Grader
    /// Fixed by default so grading is deterministic: the same submission and seed give the same
    /// score (each check's random inputs derive from the seed and the check's id).
    public var seed: UInt64
    /// A student file larger than this is refused (a real answer is a few kilobytes).
    public var maxFileBytes = 1_000_000

    public init(grader: Grader, seed: UInt64 = 0) {
        self.grader = grader
        self.seed = seed
    }

    /// The course's gradable exercises, and the broken folders as messages.
    public func exercises() throws -> (exercises: [Exercise], errors: [String]) {
        var exercises: [Exercise] = [], errors: [String] = []
        for entry in try grader.course.entries() {
            switch entry {
            case let .valid(exercise): exercises.append(exercise)
            case let .broken(_, error): errors.append(error.message)
            }
        }
        return (exercises, errors)
    }

    /// Grades every exercise of one submission, `jobs` exercises at a time.
    public func grade(submission: URL, student: String? = nil, jobs: Int = 2) throws -> SubmissionGrade {
        let (exercises, errors) = try self.exercises()
        let start = Date()
        let references = prepareReferences(exercises, for: [submission], jobs: jobs)
        let copy = try CourseCopy(of: grader)
        defer { copy.remove() }
        var grades = [ExerciseGrade?](repeating: nil, count: exercises.count)
        let lock = NSLock()
        let workers = max(1, min(jobs, exercises.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: exercises.count, by: workers) {
                let grade = self.grade(exercises[index], submission: submission, in: copy, reference: references[index])
                lock.lock(); grades[index] = grade; lock.unlock()
            }
        }
        return SubmissionGrade(student: student ?? submission.standardizedFileURL.lastPathComponent, submission: submission.path,
                               seed: seed, exercises: grades.compactMap { $0 }, errors: errors,
                               executionSeconds: Date().timeIntervalSince(start))
    }

    /// Where a submission keeps this exercise's files: `<submission>/Exercises/<folder>/` as in the
    /// course, or `<submission>/<folder>/` for a submission that holds exercise folders directly;
    /// a submission whose only content is one folder (a zipped `gradlings/`) is looked into; the
    /// student files themselves at the top of either (`<submission>/Cubic.swift`, as Gradescope's
    /// upload of single files leaves them) count when their names belong to this exercise alone.
    public func sourceDirectory(of exercise: Exercise, in submission: URL) -> URL? {
        if case let .found(url) = locate(exercise, in: submission) { return url }
        return nil
    }

    public enum Location: Equatable, Sendable {
        case found(URL)
        case notFound
        /// The files are there, but reached through a link or outside the submission.
        case refused(String)
    }

    /// Like `sourceDirectory(of:in:)`, but a folder reached through a symbolic link, or leading
    /// outside the submission, is refused with the reason (it could point at the course's
    /// solution or at a classmate's folder).
    public func locate(_ exercise: Exercise, in submission: URL) -> Location {
        guard let found = candidateDirectory(of: exercise, in: submission) else { return .notFound }
        let root = submission.standardizedFileURL.path
        let path = found.standardizedFileURL.path
        guard path == root || path.hasPrefix(root + "/") else {
            return .refused("\(exercise.displayPath) lies outside the submission: submit the folder itself")
        }
        // Every folder from the submission down to the files must be a real folder, not a link.
        var current = submission.standardizedFileURL
        for component in path.dropFirst(root.count).split(separator: "/") {
            current.appendPathComponent(String(component))
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: current.path)) != nil {
                return .refused("\(exercise.displayPath): \(String(component)) in the submission is a link, not a folder: submit the folder itself")
            }
        }
        return .found(found)
    }

    private func candidateDirectory(of exercise: Exercise, in submission: URL) -> URL? {
        var roots = [submission]
        let visible = ((try? FileManager.default.contentsOfDirectory(atPath: submission.path)) ?? []).filter { !$0.hasPrefix(".") && !$0.hasPrefix("__") }
        var isDirectory: ObjCBool = false
        if visible.count == 1, FileManager.default.fileExists(atPath: submission.appendingPathComponent(visible[0]).path, isDirectory: &isDirectory),
           isDirectory.boolValue, visible[0] != "Exercises", visible[0] != exercise.folderName {
            roots.append(submission.appendingPathComponent(visible[0]))
        }
        var candidates = roots.flatMap { root in
            [root.appendingPathComponent("Exercises").appendingPathComponent(exercise.folderName), root.appendingPathComponent(exercise.folderName)]
        }
        // Gradescope's drag-and-drop upload puts the files themselves at the top (`Cubic.swift`):
        // accepted when no other exercise has a student file of the same name.
        if exercise.manifest.files.allSatisfy({ !$0.contains("/") }) {
            let others = ((try? exercises().exercises) ?? []).filter { $0.id != exercise.id }.flatMap(\.manifest.files)
            if !exercise.manifest.files.contains(where: { others.contains($0) }) { candidates += roots }
        }
        return candidates.first { dir in
            exercise.manifest.files.contains { FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path) }
        }
    }

    /// The reference solution's run of every exercise (or why it could not be made: a course
    /// error), before any submission's code runs.
    /// Only the exercises some submission in `submissions` holds are run (none is needed for an
    /// exercise nobody submitted); with no submissions given, all of them.
    func prepareReferences(_ exercises: [Exercise], for submissions: [URL] = [], jobs: Int) -> [Result<[CheckResult], GraderError>] {
        var references = [Result<[CheckResult], GraderError>](repeating: .failure(GraderError("not submitted")), count: exercises.count)
        let needed = exercises.indices.filter { index in
            submissions.isEmpty || submissions.contains { locate(exercises[index], in: $0) != .notFound }
        }
        let lock = NSLock()
        let workers = max(1, min(jobs, needed.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: needed.count, by: workers).map({ needed[$0] }) {
                let exercise = exercises[index]
                let result: Result<[CheckResult], GraderError>
                do {
                    result = .success(try grader.referenceChecks(exercise, seed: seed, includeHidden: exercise.hasHiddenChecks))
                } catch {
                    result = .failure(error as? GraderError ?? GraderError("\(error)"))
                }
                lock.lock(); references[index] = result; lock.unlock()
            }
        }
        return references
    }

    /// Grades one exercise of one submission against a fresh copy of the course. Never throws:
    /// whatever happens becomes the exercise's status, so one exercise (or one student) never
    /// stops the others.
    public func grade(_ exercise: Exercise, submission: URL) -> ExerciseGrade {
        let reference = prepareReferences([exercise], for: [submission], jobs: 1)[0]
        do {
            let copy = try CourseCopy(of: grader)
            defer { copy.remove() }
            return grade(exercise, submission: submission, in: copy, reference: reference)
        } catch {
            var grade = emptyGrade(exercise)
            grade.status = .graderError
            grade.message = (error as? GraderError)?.message ?? "\(error)"
            return grade
        }
    }

    func grade(_ exercise: Exercise, submission: URL, in copy: CourseCopy, reference: Result<[CheckResult], GraderError>) -> ExerciseGrade {
        let start = Date()
        var grade = gradeWithoutTiming(exercise, submission: submission, in: copy, reference: reference)
        grade.seconds = Date().timeIntervalSince(start)
        return grade
    }

    private func emptyGrade(_ exercise: Exercise) -> ExerciseGrade {
        ExerciseGrade(id: exercise.id, folder: exercise.folderName, title: exercise.manifest.title, status: .notAttempted,
                      score: 0, maxScore: exercise.manifest.points, passedChecks: 0, totalChecks: 0, hiddenChecks: 0,
                      message: "", seconds: 0, checks: [])
    }

    private func gradeWithoutTiming(_ exercise: Exercise, submission: URL, in copy: CourseCopy,
                                    reference: Result<[CheckResult], GraderError>) -> ExerciseGrade {
        var grade = emptyGrade(exercise)
        let fm = FileManager.default
        let source: URL
        switch locate(exercise, in: submission) {
        case .notFound:
            grade.message = "not submitted: \(exercise.displayPath)/\(exercise.manifest.files.joined(separator: ", ")) not found"
            return grade
        case let .refused(reason):
            grade.status = .compileError
            grade.message = reason
            return grade
        case let .found(url):
            source = url
        }
        let staging = fm.temporaryDirectory.appendingPathComponent("gradlings-grade-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: staging) }
        let stagedExercise = staging.appendingPathComponent("Exercises").appendingPathComponent(exercise.folderName)
        do {
            switch try stage(exercise, from: source, to: stagedExercise) {
            case let .missing(file):
                grade.message = "not submitted: \(exercise.displayPath)/\(file) is missing"
                return grade
            case let .refused(reason):
                grade.status = .compileError
                grade.message = reason
                return grade
            case .starter:
                grade.message = "not started: the submitted files are the starter"
                return grade
            case .staged:
                break
            }
            let references = try reference.get()
            guard let copied = try? copy.grader.course.exercise(named: exercise.id) else {
                throw GraderError("the copy of the course made for this submission has no \(exercise.id)")
            }
            copy.grader.adoptReference(references, for: copied, seed: seed, includeHidden: exercise.hasHiddenChecks)
            let result = try copy.grader.check(Grader.CheckRequest(exercise: copied, seed: seed, sourcesDirectory: stagedExercise,
                                                                  includeHidden: exercise.hasHiddenChecks, compareWithReference: true))
            apply(result, to: &grade, points: exercise.manifest.points)
            grade = grade.replacingPaths(staging.standardizedFileURL.path + "/", with: "")
                .replacingPaths(copy.grader.course.root.path + "/", with: "")
        } catch {
            grade.status = .graderError
            grade.message = (error as? GraderError)?.message ?? "\(error)"
        }
        return grade
    }

    enum Staging { case staged, missing(String), refused(String), starter }

    /// Copies the listed student files (and nothing else) from `source` into `target`.
    func stage(_ exercise: Exercise, from source: URL, to target: URL) throws -> Staging {
        let fm = FileManager.default
        var allStarter = true
        for file in exercise.manifest.files {
            let url = source.appendingPathComponent(file)
            guard let attributes = try? fm.attributesOfItem(atPath: url.path) else { return .missing(file) }
            let display = "\(exercise.displayPath)/\(file)"
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                return .refused("\(display) is not a regular file (a link or a folder): submit the file itself")
            }
            if let size = attributes[.size] as? Int, size > maxFileBytes {
                return .refused("\(display) is \(size) bytes: larger than the \(maxFileBytes) bytes a student file may have")
            }
            let data = try Data(contentsOf: url)
            if data != fm.contents(atPath: exercise.starterDirectory.appendingPathComponent(file).path) { allStarter = false }
            let destination = target.appendingPathComponent(file)
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: destination)
        }
        return allStarter ? .starter : .staged
    }

    private func apply(_ result: ExerciseResult, to grade: inout ExerciseGrade, points: Int) {
        grade.checks = result.checks.map {
            GradedCheck(id: $0.id, title: $0.title, status: $0.status, hidden: $0.hidden, weight: $0.weight, message: $0.message)
        }
        grade.passedChecks = result.passedChecks
        grade.totalChecks = result.checks.count
        grade.hiddenChecks = result.checks.filter(\.hidden).count
        if result.status == .compileError {
            grade.status = .compileError
            grade.message = result.compileFailure?.summary ?? "does not compile"
            return
        }
        grade.score = Scoring.score(points: points, checks: result.checks)
        if result.checks.isEmpty {
            grade.status = .failed
            grade.message = "the program reported no checks"
        } else if grade.passedChecks == grade.totalChecks {
            grade.status = .passed
        } else {
            grade.status = grade.passedChecks > 0 ? .partial : .failed
            let failing = result.checks.filter { $0.status != .passed }
            grade.message = "\(failing.count) of \(grade.totalChecks) checks did not pass"
        }
    }
}

extension ExerciseGrade {
    /// The staging folder's path, which means nothing to a student, replaced in every message
    /// (`/tmp/gradlings-grade-…/Exercises/ex1-…/Cubic.swift:3` → `Exercises/ex1-…/Cubic.swift:3`).
    func replacingPaths(_ path: String, with replacement: String) -> ExerciseGrade {
        var copy = self
        copy.message = message.replacingOccurrences(of: path, with: replacement)
        copy.checks = checks.map { check in
            var check = check
            check.message = check.message.replacingOccurrences(of: path, with: replacement)
            return check
        }
        return copy
    }
}

/// A private copy of a course's exercises (manifests, checks, starters; never solutions) for one
/// submission: whatever that submission's programs manage to change, no other submission sees it.
struct CourseCopy {
    let grader: Grader

    init(of original: Grader) throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("gradlings-course-\(UUID().uuidString)")
        let source = original.course.exercisesDirectory
        let target = root.appendingPathComponent("Exercises")
        // Hidden checks are in it: only the grader's own user may look (the sandbox's fallback runs
        // student code as another user on the same file system).
        try fm.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try fm.createDirectory(at: target, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            let folder = source.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for part in ["exercise.json", "checks", "starter"] where fm.fileExists(atPath: folder.appendingPathComponent(part).path) {
                let destination = target.appendingPathComponent(name).appendingPathComponent(part)
                try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.copyItem(at: folder.appendingPathComponent(part), to: destination)
            }
        }
        grader = Grader(course: Course(root: root.resolvingSymlinksInPath()), binDirectory: original.binDirectory, allowBuild: false)
        grader.isolation = original.isolation
    }

    func remove() { try? FileManager.default.removeItem(at: grader.course.root) }
}
