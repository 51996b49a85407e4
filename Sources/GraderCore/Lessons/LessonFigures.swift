import Foundation

/// The pictures a lesson's listings draw. A lesson program runs in a folder of its own with an empty
/// `images/` folder; a listing that writes `images/name.svg` (as it would from the lesson's folder)
/// draws a figure, and verification compares it byte for byte with the lesson's `images/name.svg`.
/// So a figure, like a printed number, comes from code that `grader verify` runs.
/// `GRADLINGS_UPDATE_FIGURES=1` copies the drawn figures into the lesson instead.
struct LessonFigures {
    let folder: URL

    /// Prepares an empty `images/` folder where the program runs.
    init(runDirectory: URL) throws {
        folder = runDirectory.appendingPathComponent("images")
        let fm = FileManager.default
        try? fm.removeItem(at: folder)
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// One problem per drawn figure that differs from (or is missing in) the lesson.
    func compare(with lesson: Lesson) -> [String] {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        let update = ProcessInfo.processInfo.environment["GRADLINGS_UPDATE_FIGURES"] == "1"
        let target = lesson.directory.appendingPathComponent("images")
        var problems: [String] = []
        for name in names {
            let drawn = folder.appendingPathComponent(name)
            let kept = target.appendingPathComponent(name)
            let shown = "\(lesson.displayPath)/images/\(name)"
            guard let new = fm.contents(atPath: drawn.path) else { continue }
            if update {
                try? fm.createDirectory(at: target, withIntermediateDirectories: true)
                if fm.contents(atPath: kept.path) != new { try? new.write(to: kept) }
                continue
            }
            guard let old = fm.contents(atPath: kept.path) else {
                problems.append("\(shown): a listing draws this figure but the lesson has no such file (GRADLINGS_UPDATE_FIGURES=1 grader verify \(lesson.number) writes it)")
                continue
            }
            if old != new {
                problems.append("\(shown) differs from the figure its listing draws (GRADLINGS_UPDATE_FIGURES=1 grader verify \(lesson.number) replaces it)")
            }
        }
        return problems
    }
}
