import Foundation

/// One Swift program made of a lesson's listings in order, like notebook cells, with a marker line
/// printed before each so the output can be cut back into one piece per listing.
public struct LessonProgram {
    static let marker = "\u{1E}GRADLINGS-LISTING "
    static let noThrowMarker = "\u{1E}GRADLINGS-NO-THROW"

    public let source: String
    /// For each listing, the generated line of its first code line (nil for skipped listings).
    let firstLines: [Int?]

    public init(listings: [Listing]) {
        var lines = ["import Autograd", "import Foundation"]
        // Imports must stay at file scope, so they are hoisted out of the listings.
        for listing in listings where listing.mode != .skip {
            for line in listing.code.components(separatedBy: "\n") where line.hasPrefix("import ") && !lines.contains(line) {
                lines.append(line)
            }
        }
        lines.append("setvbuf(stdout, nil, _IOLBF, 0)")
        var firstLines: [Int?] = []
        for (index, listing) in listings.enumerated() {
            guard listing.mode != .skip else { firstLines.append(nil); continue }
            let code = listing.code.components(separatedBy: "\n").map { $0.hasPrefix("import ") ? "" : $0 }
            lines.append("print(\"\\u{1E}GRADLINGS-LISTING \(index)\")")
            switch listing.mode {
            case .run:
                firstLines.append(lines.count + 1)
                lines += code
            case .noRun:
                lines.append("if CommandLine.arguments.count < 0 {")
                firstLines.append(lines.count + 1)
                lines += code
                lines.append("}")
            case .throws:
                lines.append("do {")
                firstLines.append(lines.count + 1)
                lines += code
                lines.append("print(\"\\u{1E}GRADLINGS-NO-THROW\")")
                lines.append("} catch {")
                lines.append("print(\"\\(type(of: error)): \\(error)\")")
                lines.append("}")
            case .skip:
                break
            }
        }
        lines.append("print(\"\\u{1E}GRADLINGS-LISTING \(listings.count)\")")
        source = lines.joined(separator: "\n") + "\n"
        self.firstLines = firstLines
    }

    /// The listing (index) and its line offset for a line of the generated program.
    func listing(atGeneratedLine line: Int) -> (index: Int, offset: Int)? {
        var best: (Int, Int)? = nil
        for (index, first) in firstLines.enumerated() {
            if let first, first <= line { best = (index, line - first) }
        }
        return best
    }

    /// What each listing printed (nil for listings never reached), and whether each `throws`
    /// listing ran to its end without throwing.
    static func split(_ stdout: String, count: Int) -> (outputs: [String?], noThrow: Set<Int>, finished: Bool) {
        var outputs = [String?](repeating: nil, count: count)
        var noThrow = Set<Int>()
        var current: Int? = nil
        var finished = false
        for line in stdout.components(separatedBy: "\n").dropLast(stdout.hasSuffix("\n") ? 1 : 0) {
            if line.hasPrefix(marker), let n = Int(line.dropFirst(marker.count)) {
                if n == count { finished = true; current = nil; continue }
                current = n
                outputs[n] = ""
            } else if line == noThrowMarker, let c = current {
                noThrow.insert(c)
            } else if let c = current {
                outputs[c]! += line + "\n"
            }
        }
        return (outputs, noThrow, finished)
    }
}

/// Compiles one Swift file against the course library and runs it: lesson programs and quiz
/// predictions. Compiled programs are cached by content, like exercises.
public struct ProgramRunner {
    let compiler: ExerciseCompiler

    public init(compiler: ExerciseCompiler) { self.compiler = compiler }

    public enum Build {
        case built(URL)
        case failed(String)
    }

    public func build(_ source: String, name: String) throws -> Build {
        let fm = FileManager.default
        var hasher = SHA256Hasher()
        hasher.add(compiler.toolchain.swiftc.path)
        hasher.add(compiler.baseFlags.joined(separator: " "))
        hasher.add(compiler.runtime.fingerprint)
        hasher.add(source)
        let dir = compiler.runtime.binDirectory.appendingPathComponent("grader-programs")
            .appendingPathComponent(name).appendingPathComponent(String(hasher.hex.prefix(20)))
        let executable = dir.appendingPathComponent("program")
        if fm.isExecutableFile(atPath: executable.path) { return .built(executable) }
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let main = dir.appendingPathComponent("main.swift")
        try source.write(to: main, atomically: true, encoding: .utf8)
        let temporary = dir.appendingPathComponent("program.tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "dumb"
        let result = try ChildProcess.run(executable: compiler.toolchain.swiftc,
                                          arguments: compiler.baseFlags + [main.path, "-o", temporary.path],
                                          workingDirectory: dir, environment: environment, timeout: 600,
                                          captureLimit: 256 * 1024)
        if case .exited(0) = result.termination, fm.fileExists(atPath: temporary.path) {
            try? fm.removeItem(at: executable)
            try fm.moveItem(at: temporary, to: executable)
            prune(dir.deletingLastPathComponent(), keeping: dir.lastPathComponent)
            return .built(executable)
        }
        try? fm.removeItem(at: temporary)
        return .failed(result.stderrText + result.stdoutText)
    }

    /// Every edit of a lesson makes a new program; the three newest of each lesson are kept.
    private func prune(_ folder: URL, keeping key: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path), names.count > 3 else { return }
        let dated = names.filter { $0 != key }.map { ($0, modificationDate(folder.appendingPathComponent($0).path) ?? .distantPast) }
        for (name, _) in dated.sorted(by: { $0.1 < $1.1 }).prefix(names.count - 3) {
            try? fm.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    public func run(_ executable: URL, timeout: Double) throws -> ChildProcess.Output {
        try ChildProcess.run(executable: executable, arguments: [], workingDirectory: executable.deletingLastPathComponent(),
                             timeout: timeout, captureLimit: 4 * 1024 * 1024)
    }
}
