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
        /// Grading: a check passes only when the values it compared agree with the same check's
        /// values in the reference solution's run (see `ReferenceComparison`). Needs `solution/`.
        public var compareWithReference: Bool

        public init(exercise: Exercise, seed: UInt64, sourcesDirectory: URL? = nil, includeHidden: Bool = false, cacheSlot: String? = nil,
                    compareWithReference: Bool = false) {
            self.exercise = exercise; self.seed = seed; self.sourcesDirectory = sourcesDirectory; self.includeHidden = includeHidden
            self.cacheSlot = cacheSlot; self.compareWithReference = compareWithReference
        }
    }

    /// How student programs run: in `grader-sandbox` when one is available (see `Sandbox`).
    public var isolation: Sandbox {
        get { lock.lock(); defer { lock.unlock() }; return isolationSetting }
        set { lock.lock(); isolationSetting = newValue; lock.unlock() }
    }
    private var isolationSetting = Sandbox.unisolated
    private var references: [String: [CheckResult]] = [:]

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
            if failure.kind == .checks { try requireChecksCompile(exercise, includeHidden: request.includeHidden) }
            result.status = .compileError
            result.compileFailure = failure
            return result
        case let .built(executable, seconds, cached, compiledPaths):
            result.compileSeconds = seconds
            result.compiledFromCache = cached
            // Reference values first: they are established before any student code runs.
            let reference = request.compareWithReference
                ? try referenceChecks(exercise, seed: request.seed, includeHidden: request.includeHidden) : nil
            let remap = { (text: String) in ExerciseCompiler.remap(text, compiledPaths) }
            let outcome = try run(executable, job: job, compiler: compiler, compiledPaths: compiledPaths, seed: request.seed,
                                  includeHidden: request.includeHidden, isolation: isolation)
            var checks = outcome.checks.map { check in
                var check = check
                check.message = remap(check.message)
                check.output = remap(check.output)
                check.location = displayLocation(remap(check.location), job: job, compiler: compiler)
                return check
            }
            if let reference { checks = ReferenceComparison.judge(student: checks, reference: reference) }
            result.checks = checks
            result.runs = outcome.runs
            result.runSeconds = outcome.seconds
            result.output = String(remap(outcome.output).suffix(8000))
            if result.checks.isEmpty {
                result.status = .failed
            } else if result.checks.allSatisfy({ $0.status == .passed }) {
                result.status = .passed
            } else if result.checks.allSatisfy({ $0.status == .passed || $0.status == .notImplemented }) {
                result.status = .notImplemented
            } else {
                result.status = .failed
            }
            result.earned = isStarter(exercise, job: job) ? 0 : Scoring.score(points: exercise.manifest.points, checks: result.checks)
            return result
        }
    }

    /// Runs a compiled exercise program under the checks' protocol (isolated as asked).
    private func run(_ executable: URL, job: ExerciseCompiler.Job, compiler: ExerciseCompiler, compiledPaths: [String: String],
                     seed: UInt64, includeHidden: Bool, isolation: Sandbox) throws -> CheckRunner.Outcome {
        let exercise = job.exercise
        let checkFiles = try exercise.checkFiles(includeHidden: includeHidden)
        let compiled = { (shown: String) in compiledPaths.first { $0.value == shown + "/" }?.key }
        let studentShown = compiler.relativePath(job.sourcesDirectory), checksShown = compiler.relativePath(exercise.checksDirectory)
        let runner = CheckRunner(
            executable: executable,
            // As compiled (the snapshots) and as shown: a backtrace names the first, a message may the second.
            studentFiles: job.studentFiles.map(compiler.relativePath)
                + exercise.manifest.files.compactMap { file in compiled(studentShown).map { $0 + file } },
            checkFiles: checkFiles.map(compiler.relativePath)
                + checkFiles.compactMap { url in compiled(checksShown).map { $0 + url.lastPathComponent } },
            isolation: isolation,
            readablePaths: [executable] + Sandbox.runtimePaths(toolchain: compiler.toolchain, runtime: compiler.runtime))
        return try runner.run(CheckRunner.Options(seed: seed, includeHidden: includeHidden, timeout: exercise.manifest.timeout,
                                                  checkTimeout: exercise.manifest.checkTimeout,
                                                  memoryLimitMB: exercise.manifest.memoryLimitMB))
    }

    /// The reference solution's verdicts and values for `seed`, computed once per grader.
    ///
    /// - Throws: a course error when there is no solution, when the checks do not compile against
    ///   it, or when it fails a check: none of these is the student's fault.
    public func referenceChecks(_ exercise: Exercise, seed: UInt64, includeHidden: Bool) throws -> [CheckResult] {
        let key = referenceKey(exercise, seed: seed, includeHidden: includeHidden)
        lock.lock()
        if let cached = references[key] { lock.unlock(); return cached }
        lock.unlock()
        guard FileManager.default.fileExists(atPath: exercise.solutionDirectory.path) else {
            throw GraderError("course error: grading \(exercise.id) compares every value with its reference solution, but \(exercise.displayPath)/solution/ is missing")
        }
        let compiler = try self.compiler()
        let job = referenceJob(exercise, includeHidden: includeHidden)
        switch try compiler.compile(job) {
        case let .failed(failure):
            throw courseError(exercise, failure)
        case let .built(executable, _, _, compiledPaths):
            // The instructor's own code: it runs unsandboxed, before any student code.
            let outcome = try run(executable, job: job, compiler: compiler, compiledPaths: compiledPaths, seed: seed,
                                  includeHidden: includeHidden, isolation: .unisolated)
            if let bad = outcome.checks.first(where: { $0.status != .passed }) {
                throw GraderError("course error: the reference solution of \(exercise.id) does not pass its check \(bad.id) with seed \(seed) (\(bad.status.rawValue): \(ExerciseCompiler.remap(bad.message, compiledPaths))). Fix the check or the solution; `grader verify \(exercise.id)` shows it.")
            }
            lock.lock()
            references[key] = outcome.checks
            lock.unlock()
            return outcome.checks
        }
    }

    /// Takes reference results made by another grader (on the original course) for `exercise`,
    /// so a copy of the course never runs a solution of its own.
    public func adoptReference(_ checks: [CheckResult], for exercise: Exercise, seed: UInt64, includeHidden: Bool) {
        lock.lock()
        references[referenceKey(exercise, seed: seed, includeHidden: includeHidden)] = checks
        lock.unlock()
    }

    private func referenceKey(_ exercise: Exercise, seed: UInt64, includeHidden: Bool) -> String {
        "\(exercise.id)/\(seed)/\(includeHidden)"
    }

    /// The reference solution compiled with the checks, in a cache slot of its own.
    private func referenceJob(_ exercise: Exercise, includeHidden: Bool) -> ExerciseCompiler.Job {
        ExerciseCompiler.Job(exercise: exercise, sourcesDirectory: exercise.solutionDirectory, includeHidden: includeHidden,
                             cacheSlot: "reference")
    }

    /// When the checks do not compile against the student's files, they may not compile at all:
    /// try them against the reference solution, and report a broken course as such.
    private func requireChecksCompile(_ exercise: Exercise, includeHidden: Bool) throws {
        guard FileManager.default.fileExists(atPath: exercise.solutionDirectory.path) else { return }
        if case let .failed(failure) = try compiler().compile(referenceJob(exercise, includeHidden: includeHidden)) {
            throw courseError(exercise, failure)
        }
    }

    private func courseError(_ exercise: Exercise, _ failure: CompileFailure) -> GraderError {
        let first = failure.diagnostics.first.map { "\($0.file):\($0.line):\($0.column): \($0.message)" } ?? failure.summary
        return GraderError("course error: the checks of \(exercise.id) do not compile against its reference solution: \(first). This is for the instructor to fix; nothing is wrong with your files.")
    }

    /// Whether the student files are still exactly the starter's: such a submission earns nothing,
    /// even where a starter happens to pass a check.
    private func isStarter(_ exercise: Exercise, job: ExerciseCompiler.Job) -> Bool {
        let fm = FileManager.default
        return zip(exercise.manifest.files, job.studentFiles).allSatisfy { file, url in
            guard let starter = fm.contents(atPath: exercise.starterDirectory.appendingPathComponent(file).path) else { return false }
            return fm.contents(atPath: url.path) == starter
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
