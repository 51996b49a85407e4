import Foundation

/// Hints teach the way to a solution; none may be the solution. `grader verify` flags a hint (in
/// `exercise.json`, or a check's `hint:` text) that contains a whole statement of the solution:
/// any line of `solution/` with at least `minimumLength` characters other than spaces, compared
/// with spaces removed. Shorter lines (`try y.backward()`) are the library's vocabulary, which
/// hints may name.
public enum HintAudit {
    public static let minimumLength = 24

    /// One sentence per hint that gives a solution line away.
    public static func problems(_ exercise: Exercise) -> [String] {
        let solutionLines = exercise.manifest.files.flatMap { file -> [String] in
            let url = exercise.solutionDirectory.appendingPathComponent(file)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
            return text.components(separatedBy: "\n").compactMap { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                let squeezed = withoutSpaces(trimmed)
                return trimmed.hasPrefix("//") || squeezed.count < minimumLength ? nil : squeezed
            }
        }
        guard !solutionLines.isEmpty else { return [] }
        var hints = exercise.manifest.hints.enumerated().map { ("hint \($0.offset + 1) in exercise.json", $0.element) }
        for url in (try? exercise.checkFiles(includeHidden: true)) ?? [] {
            let source = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            hints += checkHints(in: source).map { ("a check hint in checks/\(url.lastPathComponent)", $0) }
        }
        return hints.compactMap { place, hint in
            let squeezed = withoutSpaces(hint)
            guard let line = solutionLines.first(where: { squeezed.contains($0) }) else { return nil }
            return "\(exercise.displayPath): \(place) contains the solution's line `\(line.prefix(60))`: say what to do, not the code that does it"
        }
    }

    /// The `hint: "…"` string literals of a checks file, unescaped.
    static func checkHints(in source: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: #"hint:\s*"((?:[^"\\]|\\.)*)""#) else { return [] }
        let range = NSRange(source.startIndex..., in: source)
        return regex.matches(in: source, range: range).compactMap { match in
            Range(match.range(at: 1), in: source).map { String(source[$0]) }
        }.map { $0.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\") }
    }

    private static func withoutSpaces(_ text: String) -> String {
        String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
    }
}
