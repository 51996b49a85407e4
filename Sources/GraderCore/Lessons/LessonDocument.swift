import Foundation

/// A lesson folder, `Lessons/NN-slug/`: its text with the code listings in it, and its quiz.
public struct Lesson: Sendable {
    public let folderName: String
    public let directory: URL
    /// The lesson's number, from the folder name (`03-accumulation` is lesson 3).
    public let number: Int
    public var readme: URL { directory.appendingPathComponent("README.md") }
    public var quizFile: URL { directory.appendingPathComponent("quiz.json") }
    public var displayPath: String { "Lessons/\(folderName)" }

    public init(directory: URL) throws {
        self.directory = directory
        folderName = directory.lastPathComponent
        guard let number = Int(folderName.prefix { $0.isNumber }), folderName.contains("-") else {
            throw GraderError("Lessons/\(folderName): a lesson folder is named NN-slug, e.g. 03-accumulation")
        }
        self.number = number
    }

    /// The lesson's title from its first line, `# Lesson N: Title`.
    public func title() -> String {
        guard let text = try? String(contentsOf: readme, encoding: .utf8),
              let first = text.split(separator: "\n").first(where: { $0.hasPrefix("# ") }) else { return folderName }
        let heading = first.dropFirst(2)
        if let colon = heading.firstIndex(of: ":"), heading.hasPrefix("Lesson") {
            return heading[heading.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return String(heading)
    }
}

extension Course {
    public var lessonsDirectory: URL { root.appendingPathComponent("Lessons") }

    /// Every lesson folder, in lesson order (folders starting with `.` or `_` are drafts).
    public func lessons() throws -> [Lesson] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: lessonsDirectory.path) else { return [] }
        return try names.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && !name.hasPrefix("_")
                && fm.fileExists(atPath: lessonsDirectory.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted(by: naturalLess).map { try Lesson(directory: lessonsDirectory.appendingPathComponent($0)) }
    }

    /// The lesson with this number (`3`) or folder name (`03-accumulation`).
    public func lesson(named name: String) throws -> Lesson {
        let all = try lessons()
        if let n = Int(name), let lesson = all.first(where: { $0.number == n }) { return lesson }
        if let lesson = all.first(where: { $0.folderName == name || $0.folderName.hasPrefix(name + "-") }) { return lesson }
        throw GraderError("no lesson \"\(name)\" (lessons: \(all.map { String($0.number) }.joined(separator: ", ")))")
    }
}

/// One fenced code listing of a lesson's text and the output the text says it prints.
public struct Listing: Sendable, Equatable {
    public enum Mode: String, Sendable {
        /// Compiled and run; prints exactly its `output` fence.
        case run
        /// Compiled with the rest, never executed.
        case noRun = "no-run"
        /// Run, and must throw; the error is printed as `Type: message`.
        case `throws`
        /// Shown only.
        case skip
    }

    public var mode: Mode
    public var code: String
    /// The text of the `output` fence that follows, or nil when there is none.
    public var expectedOutput: String?
    /// 1-based line of the opening fence in README.md, for messages.
    public var line: Int
    /// 1-based line of the first code line.
    public var codeLine: Int { line + 1 }
}

/// Reads the listings of a lesson's README.md (the format is in `Lessons/README.md`).
public enum LessonDocument {
    public static func listings(in text: String, displayPath: String) throws -> [Listing] {
        let lines = text.components(separatedBy: "\n")
        var listings: [Listing] = []
        var lastSwiftEnd: Int? = nil   // closing line of the latest swift listing still awaiting output
        var i = 0
        while i < lines.count {
            let line = lines[i]
            guard let fence = openingFence(line) else { i += 1; continue }
            let body = try fencedBody(lines, from: i, fence: fence.marker, displayPath: displayPath)
            let info = fence.info.split(separator: " ").map(String.init)
            if info.first == "swift" {
                let word = info.count > 1 ? info[1] : "run"
                guard let mode = Listing.Mode(rawValue: word) else {
                    throw GraderError("\(displayPath)/README.md:\(i + 1): unknown listing mark \"\(word)\" (use no-run, throws or skip)")
                }
                listings.append(Listing(mode: mode, code: body.text, expectedOutput: nil, line: i + 1))
                lastSwiftEnd = body.end
            } else if info.first == "output" {
                guard let end = lastSwiftEnd,
                      lines[(end + 1)..<i].allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                    throw GraderError("\(displayPath)/README.md:\(i + 1): an output fence must follow a swift listing directly (only blank lines between)")
                }
                listings[listings.count - 1].expectedOutput = body.text
                lastSwiftEnd = nil
            } else {
                lastSwiftEnd = nil
            }
            i = body.end + 1
        }
        return listings
    }

    /// "```swift no-run" → ("```", "swift no-run"); also longer fences and tildes.
    private static func openingFence(_ line: String) -> (marker: String, info: String)? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let first = trimmed.first, first == "`" || first == "~" else { return nil }
        let marker = String(trimmed.prefix { $0 == first })
        guard marker.count >= 3 else { return nil }
        return (marker, trimmed.dropFirst(marker.count).trimmingCharacters(in: .whitespaces))
    }

    private static func fencedBody(_ lines: [String], from start: Int, fence: String,
                                   displayPath: String) throws -> (text: String, end: Int) {
        var j = start + 1
        while j < lines.count {
            let t = lines[j].trimmingCharacters(in: .whitespaces)
            if t.hasPrefix(fence) && t.allSatisfy({ $0 == fence.first }) { break }
            j += 1
        }
        guard j < lines.count else {
            throw GraderError("\(displayPath)/README.md:\(start + 1): this fence is never closed")
        }
        return (lines[(start + 1)..<j].joined(separator: "\n"), j)
    }
}
