import Foundation
import GraderCore

/// The grader's commands, printing for a person (or JSON for tools).
struct Commands {
    let arguments: Arguments
    let course: Course
    let style: Style
    let stderrIsTTY = isatty(STDERR_FILENO) == 1

    init(arguments: Arguments, course: Course) {
        self.arguments = arguments
        self.course = course
        style = Style.forStdout(noColorFlag: arguments.noColor || arguments.format == .json)
    }

    func run() throws -> Int32 {
        switch arguments.command {
        case .check: return try check()
        case .list: return try list()
        case .hint: return try hint()
        case .reset: return try reset()
        case .watch: return try Watch(commands: self).run()
        case .help: print(Arguments.usage); return 0
        case .verify: return try verify()
        case .quiz: return try quiz()
        case .editor: return try editor()
        case .grade, .gradeAll, .release, .new, .gradescopeBundle: return try runGrading()
        }
    }

    func makeGrader() -> Grader {
        let grader = Grader(course: course, allowBuild: true, log: { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        })
        grader.isolation = ProcessInfo.processInfo.environment["GRADLINGS_ISOLATION"] == "none"
            ? .unisolated : Sandbox.detect(binDirectory: grader.binDirectory)
        return grader
    }

    /// Said once per course (a marker in `.grader/`): checking works without isolation, but the
    /// student should know their own code runs with their own rights.
    func noteIsolation(_ grader: Grader) {
        guard !grader.isolation.mechanism.isIsolated else { return }
        let marker = course.stateDirectory.appendingPathComponent("isolation-noted")
        guard !FileManager.default.fileExists(atPath: marker.path) else { return }
        FileHandle.standardError.write(Data("note: exercise programs run without a sandbox on this machine (it needs Linux namespaces or root); they run in a scratch folder with your own rights. Grading by an instructor is isolated.\n".utf8))
        try? FileManager.default.createDirectory(at: course.stateDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: marker.path, contents: Data())
    }

    /// The exercises named, or all of them; broken folders become configuration errors.
    func selectExercises() throws -> (exercises: [Exercise], broken: [GraderError]) {
        if !arguments.ids.isEmpty {
            return (try arguments.ids.map { try course.exercise(named: $0) }, [])
        }
        var exercises: [Exercise] = [], broken: [GraderError] = []
        for entry in try course.entries() {
            switch entry {
            case let .valid(e): exercises.append(e)
            case let .broken(_, error): broken.append(error)
            }
        }
        if exercises.isEmpty && broken.isEmpty { throw GraderError("there are no exercises in \(course.exercisesDirectory.path)") }
        return (exercises, broken)
    }

    /// Checks one exercise and remembers the verdict for `list`.
    func checkOne(_ grader: Grader, _ exercise: Exercise, seed: UInt64) throws -> ExerciseResult {
        let hash = exercise.studentFilesHash()
        let result = try grader.check(Grader.CheckRequest(exercise: exercise, seed: seed))
        StudentState.update(course) { state in
            state.lastCheck[exercise.id] = StudentState.LastCheck(status: result.status, passedChecks: result.passedChecks,
                                                                  totalChecks: result.checks.count, filesHash: hash, date: Date())
        }
        return result
    }

    func check() throws -> Int32 {
        let (exercises, broken) = try selectExercises()
        let grader = makeGrader()
        refreshEditorSettings(try grader.compiler())
        noteIsolation(grader)
        let seed = arguments.seed ?? Grader.randomSeed()
        let collected = Collected(count: exercises.count)
        let showProgress = exercises.count > 1
        if showProgress { progress("checking \(exercises.count) exercises…") }
        // Two at a time: compiling is the slow part and the machine has two cores.
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        for (index, exercise) in exercises.enumerated() {
            queue.addOperation {
                var result: ExerciseResult?
                var failure: GraderError?
                do {
                    result = try self.checkOne(grader, exercise, seed: seed)
                } catch let e as GraderError {
                    failure = e
                } catch {
                    failure = GraderError("\(exercise.folderName): \(error)")
                }
                let done = collected.store(index, result, failure)
                if showProgress {
                    let mark = result.map { $0.passed ? "✓" : "✗" } ?? "!"
                    self.progress("[\(done)/\(exercises.count)] \(mark) \(exercise.folderName)")
                }
            }
        }
        queue.waitUntilAllOperationsAreFinished()
        if showProgress && stderrIsTTY { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let results = collected.results, errors = collected.errors

        let allErrors = broken.map(\.message) + errors.compactMap { $0?.message }
        let done = results.compactMap { $0 }
        if arguments.format == .json {
            print(JSONReport.render(done, errors: allErrors))
        } else {
            let report = TextReport(style: style)
            for (index, result) in results.enumerated() {
                if let result {
                    if exercises.count > 1, !arguments.verbose, let line = report.renderCompact(result) {
                        print(line)
                        continue
                    }
                    print(report.render(result, verbose: arguments.verbose, revealFixes: revealsFixes(exercises[index])))
                    print("")
                } else if let error = errors[index] {
                    print(style.red("! ") + "\(exercises[index].folderName): \(error.message)\n")
                }
            }
            for error in broken { print(style.red("! ") + error.message + "\n") }
            if exercises.count > 1 || !broken.isEmpty {
                let passed = done.filter(\.passed).count
                let points = Scoring.round(done.reduce(0) { $0 + $1.earned }), total = done.reduce(0) { $0 + $1.points }
                print(style.bold("\(passed) of \(exercises.count + broken.count) exercises pass · \(Scoring.format(points))/\(total) points") + style.dim(" · seed \(seed)"))
            }
        }
        if !allErrors.isEmpty {
            if arguments.format == .text { FileHandle.standardError.write(Data("grader: \(allErrors.count) exercise\(allErrors.count == 1 ? "" : "s") could not be checked (see above)\n".utf8)) }
            return 2
        }
        return done.allSatisfy(\.passed) ? 0 : 1
    }

    /// Whether the student has asked for every hint of the exercise, so a failed check's hint may
    /// show its fix (`TextReport.render(revealFixes:)`).
    func revealsFixes(_ exercise: Exercise) -> Bool {
        (StudentState.load(course).hintsShown[exercise.id] ?? 0) >= exercise.manifest.hints.count
    }

    /// Keeps `Exercises/compile_commands.json` current so the editor knows the exercise files
    /// (`EditorSettings`). Never fails a check: editor support is a convenience.
    func refreshEditorSettings(_ compiler: ExerciseCompiler) {
        _ = try? EditorSettings.write(course: course, runtime: compiler.runtime, swiftc: compiler.toolchain.swiftc)
    }

    /// `grader editor`: writes the editor settings now and says how to use them.
    func editor() throws -> Int32 {
        let compiler = try makeGrader().compiler()
        let wrote = try EditorSettings.write(course: course, runtime: compiler.runtime, swiftc: compiler.toolchain.swiftc)
        let path = EditorSettings.url(course: course).path.replacingOccurrences(of: course.root.path + "/", with: "")
        print((wrote ? "Wrote " : "Up to date: ") + style.bold(path))
        print("""
        Open the course folder in VS Code (with the Swift extension) or any editor that uses SourceKit-LSP:
        exercise files now get completion, types on hover and errors as you type. In Xcode, open Package.swift.
        `grader check` keeps this file current; run `grader editor` again after moving the course or
        changing the toolchain. Details: Exercises/README.md.
        """)
        return 0
    }

    /// A progress line on stderr (rewritten in place on a terminal).
    func progress(_ line: String) {
        if stderrIsTTY {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        } else if arguments.format == .text {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    struct ListEntry: Codable {
        var id: String
        var folder: String
        var title: String
        var lesson: String
        var points: Int
        var status: String
        var checks: String?
        var error: String?
    }

    func list() throws -> Int32 {
        let state = StudentState.load(course)
        var entries: [ListEntry] = []
        for entry in try course.entries() {
            switch entry {
            case let .valid(e):
                let status = ProgressStatus.of(e, state: state)
                var checks: String?
                if let last = state.lastCheck[e.id], status == .failing || status == .done { checks = "\(last.passedChecks)/\(last.totalChecks)" }
                entries.append(ListEntry(id: e.id, folder: e.folderName, title: e.manifest.title, lesson: e.manifest.lesson,
                                         points: e.manifest.points, status: status.rawValue, checks: checks))
            case let .broken(folder, error):
                entries.append(ListEntry(id: folder, folder: folder, title: "", lesson: "", points: 0, status: ProgressStatus.broken.rawValue, error: error.message))
            }
        }
        if arguments.format == .json {
            print(JSONReport.encode(entries))
        } else {
            let idWidth = max(entries.map(\.id.count).max() ?? 2, 2)
            // Titles are cut only to fit the terminal (never when the output goes to a file or a pipe).
            let longestTitle = max(entries.map(\.title.count).max() ?? 5, 5)
            let otherColumns = 2 + idWidth + 2 + 12 + 2 + 6 + 2 + 2 + (entries.map(\.lesson.count).max() ?? 0)
            let titleWidth = terminalColumns().map { min(longestTitle, max(24, $0 - otherColumns)) } ?? longestTitle
            print(style.bold("  " + "ID".padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  STATUS        POINTS  "
                             + "TITLE".padding(toLength: titleWidth, withPad: " ", startingAt: 0) + "  LESSON"))
            for e in entries {
                let statusText = (e.status + (e.checks.map { " \($0)" } ?? "")).padding(toLength: 12, withPad: " ", startingAt: 0)
                let colored: String
                switch e.status {
                case "done": colored = style.green(statusText)
                case "failing", "broken": colored = style.red(statusText)
                case "not checked": colored = style.yellow(statusText)
                default: colored = style.dim(statusText)
                }
                let mark = e.status == "done" ? style.green("✓ ") : "  "
                if let error = e.error {
                    print(mark + e.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  " + colored + "  " + style.red(error))
                    continue
                }
                let title = e.title.count > titleWidth ? String(e.title.prefix(titleWidth - 1)) + "…" : e.title.padding(toLength: titleWidth, withPad: " ", startingAt: 0)
                print(mark + e.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  " + colored + "  "
                      + String(e.points).leftPadded(6) + "  " + title + "  " + style.dim(e.lesson))
            }
            printLessons()
            let done = entries.filter { $0.status == "done" }
            print("")
            print("\(done.count) of \(entries.count) done · \(done.reduce(0) { $0 + $1.points })/\(entries.reduce(0) { $0 + $1.points }) points")
            if let next = entries.first(where: { $0.status != "done" && $0.error == nil }) {
                print("Next: " + style.cyan("grader check \(next.id)") + " (or " + style.cyan("grader watch") + " to re-check on every save)")
            }
        }
        return entries.contains { $0.error != nil } ? 2 : 0
    }

    func hint() throws -> Int32 {
        let exercise = try course.exercise(named: arguments.ids[0])
        guard let hint = Workspace.nextHint(exercise, course: course) else {
            print("\(exercise.id) has no hints. Re-read the lesson (\(exercise.manifest.lesson)) and the comments in \(exercise.displayPath)/\(exercise.manifest.files[0]).")
            return 0
        }
        print(style.bold("Hint \(hint.number) of \(hint.total) for \(exercise.id)") + style.dim(" · \(exercise.manifest.title)"))
        print(hint.text)
        if hint.number < hint.total {
            print(style.dim("\n(`grader hint \(exercise.id)` again for the next one)"))
        } else {
            print(style.dim("\n(that was the last hint: from now on `grader check \(exercise.id)` also shows the exact fix under a failing check)"))
        }
        return 0
    }

    func reset() throws -> Int32 {
        let exercise = try course.exercise(named: arguments.ids[0])
        let outcome = try Workspace.reset(exercise, course: course)
        let files = outcome.restored.map { "\(exercise.displayPath)/\($0)" }.joined(separator: ", ")
        if let backup = outcome.backupDirectory {
            let rel = backup.path.replacingOccurrences(of: course.root.path + "/", with: "")
            print("Restored the starter: \(files)")
            print("Your version is saved in " + style.bold(rel + "/"))
        } else {
            print("\(files) already \(outcome.restored.count == 1 ? "is" : "are") the starter: nothing to back up, nothing changed.")
        }
        return 0
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// Results gathered from worker threads.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var results: [ExerciseResult?]
    private(set) var errors: [GraderError?]
    private var finished = 0

    init(count: Int) {
        results = Array(repeating: nil, count: count)
        errors = Array(repeating: nil, count: count)
    }

    /// Stores one outcome; returns how many are finished.
    func store(_ index: Int, _ result: ExerciseResult?, _ error: GraderError?) -> Int {
        lock.lock()
        defer { lock.unlock() }
        results[index] = result
        errors[index] = error
        finished += 1
        return finished
    }
}
