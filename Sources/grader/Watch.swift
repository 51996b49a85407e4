import Foundation
import GraderCore

/// `grader watch [ID]`: re-checks whenever a student file (or a check file) changes.
///
/// Polls modification times and sizes a few times a second instead of using file events (inotify on
/// Linux, FSEvents or kqueue on macOS), so it works the same on every platform and file system
/// (network mounts, containers, editors that replace files): the only system calls are
/// `isatty`/`usleep`, which Foundation brings from Glibc on Linux and from Darwin on macOS.
struct Watch {
    let commands: Commands
    static let interval: useconds_t = 250_000

    func run() throws -> Int32 {
        let course = commands.course
        let grader = commands.makeGrader()
        commands.refreshEditorSettings(try grader.compiler())
        var current = try pickExercise()
        var seed = commands.arguments.seed ?? Grader.randomSeed()
        var lastSnapshot = ""
        let isTTY = isatty(STDOUT_FILENO) == 1
        while true {
            guard let exercise = current else {
                print(commands.style.green("Every exercise passes. Well done!"))
                return 0
            }
            let snapshot = fingerprint(exercise)
            if snapshot != lastSnapshot {
                lastSnapshot = snapshot
                if isTTY { print("\u{1B}[2J\u{1B}[H", terminator: "") }
                let result: ExerciseResult
                do {
                    result = try commands.checkOne(grader, exercise, seed: seed)
                } catch let error as GraderError {
                    print(commands.style.red("! ") + error.message)
                    usleep(Watch.interval)
                    continue
                }
                print(TextReport(style: commands.style).render(result, verbose: commands.arguments.verbose, watching: true, revealFixes: commands.revealsFixes(exercise)))
                print("")
                if result.passed && commands.arguments.ids.isEmpty {
                    // Move on to the next unfinished exercise, like rustlings.
                    if let next = try pickExercise(), next.id != exercise.id {
                        print(commands.style.green("🎉 \(exercise.id) done!") + " Moving on to \(next.folderName)…\n")
                        current = next
                        lastSnapshot = ""
                        seed = commands.arguments.seed ?? Grader.randomSeed()
                        sleep(2)
                        continue
                    } else if (try pickExercise()) == nil {
                        print(commands.style.green("Every exercise passes. Well done!"))
                        return 0
                    }
                }
                print(commands.style.dim("Watching \(exercise.manifest.files.map { "\(exercise.displayPath)/\($0)" }.joined(separator: ", ")) — save to re-check, Ctrl-C to stop."))
                _ = course
            }
            usleep(Watch.interval)
        }
    }

    /// The named exercise, or the first one not done.
    func pickExercise() throws -> Exercise? {
        if let id = commands.arguments.ids.first { return try commands.course.exercise(named: id) }
        let state = StudentState.load(commands.course)
        for entry in try commands.course.entries() {
            if case let .valid(e) = entry, ProgressStatus.of(e, state: state) != .done { return e }
        }
        return nil
    }

    /// Modification times and sizes of everything that affects the verdict.
    func fingerprint(_ exercise: Exercise) -> String {
        var parts: [String] = []
        let files = exercise.manifest.files.map(exercise.studentFile) + ((try? exercise.checkFiles(includeHidden: false)) ?? [])
        for url in files {
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            parts.append("\(url.path):\(date):\(size)")
        }
        return parts.joined(separator: "|")
    }
}
