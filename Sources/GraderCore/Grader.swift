import Foundation

/// The grader's engine: compiles and checks exercises. The CLI, the tests and (later) `verify`
/// and `grade` all drive it.
public final class Grader: @unchecked Sendable {
    public let course: Course
    public let binDirectory: URL
    private let allowBuild: Bool
    private let log: (String) -> Void
    private var compilerCache: ExerciseCompiler?
    private let lock = NSLock()

    /// - Parameters:
    ///   - binDirectory: the SwiftPM products folder with the runtime; found from the running
    ///     executable when nil (see `Runtime.binDirectory`).
    ///   - allowBuild: run `swift build --product GradlingsRuntime` when the runtime is missing or
    ///     stale (the CLI does; tests do not).
    ///   - log: progress lines for a person ("building the runtime…").
    public init(course: Course, binDirectory: URL? = nil, allowBuild: Bool = true, log: @escaping (String) -> Void = { _ in }) {
        self.course = course
        self.binDirectory = binDirectory ?? Runtime.binDirectory(course: course)
        self.allowBuild = allowBuild
        self.log = log
    }

    /// The compiler, set up once (locating swiftc and the runtime, building it if needed).
    public func compiler() throws -> ExerciseCompiler {
        lock.lock()
        defer { lock.unlock() }
        if let compilerCache { return compilerCache }
        let toolchain = try Toolchain.locate()
        let runtime = try Runtime.ensureBuilt(course: course, binDirectory: binDirectory, allowBuild: allowBuild, log: log)
        let compiler = ExerciseCompiler(toolchain: toolchain, runtime: runtime, course: course)
        compilerCache = compiler
        return compiler
    }

    public struct CheckRequest: Sendable {
        public var exercise: Exercise
        public var seed: UInt64
        /// Take the student files from here instead of the exercise folder (solution/, mistakes/…,
        /// a submission).
        public var sourcesDirectory: URL?
        public var includeHidden: Bool
        /// See `ExerciseCompiler.Job.cacheSlot`.
        public var cacheSlot: String?

        public init(exercise: Exercise, seed: UInt64, sourcesDirectory: URL? = nil, includeHidden: Bool = false, cacheSlot: String? = nil) {
            self.exercise = exercise; self.seed = seed; self.sourcesDirectory = sourcesDirectory; self.includeHidden = includeHidden
            self.cacheSlot = cacheSlot
        }
    }

    /// Compiles (or reuses) and runs one exercise's checks.
    public func check(_ request: CheckRequest) throws -> ExerciseResult {
        let exercise = request.exercise
        let compiler = try self.compiler()
        let job = ExerciseCompiler.Job(exercise: exercise, sourcesDirectory: request.sourcesDirectory, includeHidden: request.includeHidden,
                                       cacheSlot: request.cacheSlot)
        var result = ExerciseResult(
            id: exercise.id, folder: exercise.folderName, title: exercise.manifest.title, lesson: exercise.manifest.lesson,
            status: .failed, points: exercise.manifest.points, earned: 0,
            files: job.studentFiles.map(compiler.display), checks: [], compileFailure: nil, seed: request.seed,
            hiddenPending: request.includeHidden || !exercise.hasHiddenChecks ? 0 : hiddenCount(exercise),
            compileSeconds: 0, compiledFromCache: false, runSeconds: 0, runs: 0, output: "")
        switch try compiler.compile(job) {
        case let .failed(failure):
            result.status = .compileError
            result.compileFailure = failure
            return result
        case let .built(executable, seconds, cached):
            result.compileSeconds = seconds
            result.compiledFromCache = cached
            let checkFiles = try exercise.checkFiles(includeHidden: request.includeHidden)
            let runner = CheckRunner(
                executable: executable,
                studentFiles: job.studentFiles.flatMap { [$0.standardizedFileURL.path, compiler.relativePath($0)] },
                checkFiles: checkFiles.flatMap { [$0.standardizedFileURL.path, compiler.relativePath($0)] },
                workingDirectory: course.root)
            let outcome = try runner.run(CheckRunner.Options(seed: request.seed, includeHidden: request.includeHidden,
                                                             timeout: exercise.manifest.timeout,
                                                             memoryLimitMB: exercise.manifest.memoryLimitMB))
            result.checks = outcome.checks.map { check in
                var check = check
                check.location = displayLocation(check.location, job: job, compiler: compiler)
                return check
            }
            result.runs = outcome.runs
            result.runSeconds = outcome.seconds
            result.output = String(outcome.output.suffix(8000))
            if result.checks.isEmpty {
                result.status = .failed
            } else if result.checks.allSatisfy({ $0.status == .passed }) {
                result.status = .passed
                result.earned = exercise.manifest.points
            } else if result.checks.allSatisfy({ $0.status == .passed || $0.status == .notImplemented }) {
                result.status = .notImplemented
            } else {
                result.status = .failed
            }
            return result
        }
    }

    /// `Huber.swift:14` or a compiled path → the path from the course root, for "open this file".
    private func displayLocation(_ location: String, job: ExerciseCompiler.Job, compiler: ExerciseCompiler) -> String {
        guard !location.isEmpty else { return location }
        let parts = location.split(separator: ":")
        guard let file = parts.first else { return location }
        let rest = parts.dropFirst().joined(separator: ":")
        for url in job.studentFiles {
            let rel = compiler.relativePath(url)
            if file == rel || url.standardizedFileURL.path == file || url.lastPathComponent == file {
                return rest.isEmpty ? rel : "\(rel):\(rest)"
            }
        }
        return location
    }

    /// How many hidden checks exist (counted from their sources: `Check("` occurrences), for the
    /// student's "N hidden checks will run when graded".
    private func hiddenCount(_ exercise: Exercise) -> Int {
        let files = (try? Exercise.swiftFiles(in: exercise.hiddenChecksDirectory)) ?? []
        return files.reduce(0) { total, url in
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            return total + text.components(separatedBy: "Check(\"").count - 1
        }
    }

    /// A fresh seed for a run (printed so it can be replayed).
    public static func randomSeed() -> UInt64 { UInt64.random(in: 1...999_999) }
}
