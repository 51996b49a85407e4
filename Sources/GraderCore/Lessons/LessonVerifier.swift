import Foundation

/// Runs a lesson's listings and compares what each prints with the lesson's `output` fences; runs
/// the quiz's predict questions and compares their output with the answer marked right.
public struct LessonVerifier {
    let runner: ProgramRunner
    /// Seconds a lesson program may run (debug builds; some lessons train small networks).
    public var timeout: Double = 300

    public init(runner: ProgramRunner) { self.runner = runner }

    /// Problems with the lesson's listings, one message each (empty: every listing prints what
    /// the lesson shows), and the number of listings run.
    public func verifyListings(_ lesson: Lesson) throws -> (problems: [String], listings: Int) {
        let readmePath = lesson.displayPath + "/README.md"
        guard let text = try? String(contentsOf: lesson.readme, encoding: .utf8) else {
            return (["\(readmePath) is missing"], 0)
        }
        let listings: [Listing]
        do { listings = try LessonDocument.listings(in: text, displayPath: lesson.displayPath) } catch let error as GraderError {
            return ([error.message], 0)
        }
        var problems: [String] = []
        for listing in listings where listing.mode == .noRun && !(listing.expectedOutput ?? "").isEmpty {
            problems.append("\(readmePath):\(listing.line): a no-run listing can't have an output fence")
        }
        let program = LessonProgram(listings: listings)
        let executable: URL
        switch try runner.build(program.source, name: "lesson-\(lesson.folderName)") {
        case let .built(url): executable = url
        case let .failed(output): return (problems + compileProblems(output, program, listings, readmePath), listings.count)
        }
        let figures = try LessonFigures(runDirectory: executable.deletingLastPathComponent())
        let result = try runner.run(executable, timeout: timeout)
        problems += figures.compare(with: lesson)
        let (outputs, noThrow, finished) = LessonProgram.split(result.stdoutText, count: listings.count)
        for (index, listing) in listings.enumerated() where listing.mode == .run || listing.mode == .throws {
            let where_ = "\(readmePath):\(listing.line) (listing \(index + 1))"
            guard let actual = outputs[index] else { break }
            if listing.mode == .throws && noThrow.contains(index) {
                problems.append("\(where_) is marked `throws` but ran to its end without throwing")
                continue
            }
            let expected = listing.expectedOutput.map { $0.isEmpty ? "" : $0 + "\n" } ?? ""
            if actual != expected {
                problems.append("\(where_) prints something else than the lesson shows:\n"
                                + TextDiff.unified(expected: expected, actual: actual).indented(4))
            }
        }
        if !finished {
            let stopped = outputs.lastIndex { $0 != nil }
            let where_ = stopped.map { "listing \($0 + 1) (\(readmePath):\(listings[$0].line))" } ?? "the program"
            problems.append("\(where_) stopped the lesson: \(describe(result))")
        }
        return (problems, listings.count)
    }

    /// Problems with the quiz: its form, and every predict question's answer against a real run.
    public func verifyQuiz(_ lesson: Lesson) throws -> (problems: [String], questions: Int) {
        let path = lesson.displayPath + "/quiz.json"
        let quiz: Quiz
        do { quiz = try Quiz.load(lesson.quizFile, displayPath: path) } catch let error as GraderError {
            return ([error.message], 0)
        }
        let skew = quiz.skewProblems().map { "\(path): \($0)" }
        let predictions = quiz.questions.enumerated().filter { $0.element.kind == .predict }
        guard !predictions.isEmpty else { return (skew, quiz.questions.count) }
        // Each question's code runs like a `throws` listing: in a `do` block of its own (so names
        // don't clash) with an error printed as `Type: message`, as a student would see it.
        let program = LessonProgram(listings: predictions.map {
            Listing(mode: .throws, code: $0.element.code ?? "", expectedOutput: nil, line: 0)
        })
        let executable: URL
        switch try runner.build(program.source, name: "quiz-\(lesson.folderName)") {
        case let .built(url): executable = url
        case let .failed(output):
            let first = output.components(separatedBy: "\n").first { $0.contains("error:") } ?? output
            return (skew + ["\(path): the predict questions' code does not compile: \(first)"], quiz.questions.count)
        }
        let result = try runner.run(executable, timeout: timeout)
        let (outputs, _, finished) = LessonProgram.split(result.stdoutText, count: predictions.count)
        var problems: [String] = skew
        for (n, (number, q)) in predictions.enumerated() {
            let name = "\(path): question \(number + 1) (\"\(q.id)\")"
            guard let printed = outputs[n] else {
                problems.append("\(name): its code did not run (\(describe(result)))")
                break
            }
            let actual = printed.trimmingCharacters(in: .whitespacesAndNewlines)
            let marked = q.choices[q.answer].trimmingCharacters(in: .whitespacesAndNewlines)
            if actual != marked {
                problems.append("\(name): the code prints\n\(actual.indented(4))\nbut the answer marked right is\n\(marked.indented(4))")
            } else if q.choices.enumerated().contains(where: { $0.offset != q.answer && $0.element.trimmingCharacters(in: .whitespacesAndNewlines) == actual }) {
                problems.append("\(name): two choices are both the printed output")
            }
        }
        if !finished && problems.count == skew.count { problems.append("\(path): the predictions stopped early: \(describe(result))") }
        return (problems, quiz.questions.count)
    }

    /// Compiler errors mapped back to the README lines of the listings they are in.
    private func compileProblems(_ output: String, _ program: LessonProgram, _ listings: [Listing], _ readmePath: String) -> [String] {
        var problems: [String] = []
        let pattern = try! NSRegularExpression(pattern: #"main\.swift:(\d+):(\d+): error: (.*)"#)
        for line in output.components(separatedBy: "\n") {
            guard let m = pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                  let l = Int(line[Range(m.range(at: 1), in: line)!]) else { continue }
            let message = String(line[Range(m.range(at: 3), in: line)!])
            if let (index, offset) = program.listing(atGeneratedLine: l) {
                problems.append("\(readmePath):\(listings[index].codeLine + offset) (listing \(index + 1)) does not compile: \(message)")
            } else {
                problems.append("\(readmePath): the lesson does not compile: \(message)")
            }
        }
        if problems.isEmpty { problems.append("\(readmePath): the lesson does not compile:\n\(output.prefix(2000))") }
        return problems
    }

    private func describe(_ result: ChildProcess.Output) -> String {
        let fatal = result.stderrText.components(separatedBy: "\n").first { $0.contains("Fatal error") || $0.contains("error:") }
        switch result.termination {
        case .timedOut: return "it ran longer than \(Int(timeout)) s"
        default: return fatal.map { String($0.prefix(400)) } ?? "it stopped (\(result.termination))"
        }
    }
}

extension String {
    func indented(_ n: Int) -> String {
        components(separatedBy: "\n").map { String(repeating: " ", count: n) + $0 }.joined(separator: "\n")
    }
}
