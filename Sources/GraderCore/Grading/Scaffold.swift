import Foundation

/// `grader new`: a new exercise or lesson that `grader verify` accepts as soon as it is written,
/// for the author to turn into the real thing. Existing folders are never overwritten.
public enum Scaffold {
    /// `ex14-my-topic` → `Exercises/ex14-my-topic/` with a manifest, a starter that reaches
    /// `todo()`, a solution, checks (values and a finite-difference gradient check) and one known
    /// mistake with its `expect.json`. Returns the files written, relative to the course.
    public static func exercise(_ name: String, lesson: Int, in course: Course) throws -> [String] {
        let parts = name.split(separator: "-", maxSplits: 1).map(String.init)
        guard parts.count == 2, let first = parts[0].first, first.isASCII, first.isLowercase,
              parts[0].allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }),
              !parts[1].isEmpty, parts[1].allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }) else {
            throw GraderError("\"\(name)\" is not an exercise folder name: use <id>-<slug> in lower case, e.g. ex14-my-topic (the id is what students type)")
        }
        let id = parts[0], words = parts[1].split(separator: "-").map(String.init)
        let folder = course.exercisesDirectory.appendingPathComponent(name)
        try refuseExisting(folder, "Exercises/\(name)")
        for case let .valid(exercise) in try course.entries() where exercise.id == id {
            throw GraderError("the id \(id) is already used by \(exercise.displayPath): pick another id")
        }
        let title = sentence(words)
        var function = words[0] + words.dropFirst().map(\.capitalized).joined()
        if function.first?.isNumber == true || ["in", "is", "as", "do", "if", "for", "let", "var", "try", "func", "self", "init", "return"].contains(function) {
            function = "compute" + function.prefix(1).uppercased() + function.dropFirst()
        }
        let file = words.map(\.capitalized).joined() + ".swift"
        let lessonName = (try? course.lesson(named: String(lesson))).map { String(format: "%02d · %@", lesson, $0.title()) } ?? String(format: "%02d", lesson)
        let manifest: [String: Any] = [
            "id": id, "title": title, "lesson": lessonName, "points": 10, "files": [file], "timeout": 10,
            "hints": ["\(function)(x) is one line of tensor arithmetic on x: (x * x * x).sum()",
                      "Use tensor operations on x itself; values read out with .scalars or item() are invisible to autograd."],
        ]
        let header = """
        // Exercise \(id) · \(title)                                      (Lesson \(lesson))
        //
        // \(function)(x) returns the sum of the cubes of x's elements, built from tensor operations so that
        // autograd can differentiate it. Replace the todo(...) and run:   swift run grader check \(id)
        import Autograd
        import GraderKit

        """
        let files: [(String, String)] = [
            ("exercise.json", try json(manifest)),
            (file, header + "func \(function)(_ x: Tensor) -> Tensor {\n    todo(\"return the sum of x³, built from tensor operations on x\")\n}\n"),
            ("starter/" + file, header + "func \(function)(_ x: Tensor) -> Tensor {\n    todo(\"return the sum of x³, built from tensor operations on x\")\n}\n"),
            ("solution/" + file, header + "func \(function)(_ x: Tensor) -> Tensor {\n    (x * x * x).sum()\n}\n"),
            ("mistakes/detached/" + file, header + """
            func \(function)(_ x: Tensor) -> Tensor {
                // The mistake: the right number, computed outside autograd, so no gradient reaches x.
                Tensor([x.scalars.reduce(0) { $0 + $1 * $1 * $1 }], dtype: .float64)
            }

            """),
            ("mistakes/detached/expect.json", try json([
                "why": "computes the sum from x.scalars: the value is right but autograd never sees x",
                "failures": [["check": "gradcheck", "status": "failed"]],
            ])),
            ("checks/\(words.map(\.capitalized).joined())Checks.swift", """
            import Autograd
            import GraderKit

            let checks = CheckSuite {
                Check("values", "\(function)(x) is the sum of x³", hint: "x * x * x, then .sum()") {
                    try expectClose(\(function)(Tensor([1, 2, -1], dtype: .float64)).scalars, [8], "\(function)([1, 2, -1])")
                }
                Check("gradcheck", "autograd's gradient of \(function) matches finite differences (3x²)",
                      hint: "Build the result from tensor operations on x itself so that autograd records them.") {
                    let x = Random.tensor([5], in: -2...2, requiresGrad: true)
                    try GradCheck.assertGradients(of: \(function), at: x, name: "x", output: "\(function)(x)")
                }
            }

            """),
        ]
        return try write(files, into: folder, display: "Exercises/\(name)")
    }

    /// `14-my-topic` → `Lessons/14-my-topic/README.md` (title, one listing with its output fence)
    /// and `quiz.json` (one `choice` question), in the format of `Lessons/README.md`.
    public static func lesson(_ name: String, in course: Course) throws -> [String] {
        let parts = name.split(separator: "-", maxSplits: 1).map(String.init)
        guard parts.count == 2, let number = Int(parts[0]), !parts[1].isEmpty,
              parts[1].allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }) else {
            throw GraderError("\"\(name)\" is not a lesson folder name: use NN-slug in lower case, e.g. 14-my-topic")
        }
        let folder = course.lessonsDirectory.appendingPathComponent(name)
        try refuseExisting(folder, "Lessons/\(name)")
        if let other = try course.lessons().first(where: { $0.number == number }) {
            throw GraderError("lesson \(number) already exists: \(other.displayPath); pick another number")
        }
        let title = sentence(parts[1].split(separator: "-").map(String.init))
        let readme = """
        # Lesson \(number): \(title)

        What this lesson teaches, in a paragraph. Every number the text shows is printed by a listing and
        checked by `grader verify` (see `Lessons/README.md`).

        ```swift
        let x = Tensor([3.0], requiresGrad: true)
        let y = x * x
        try y.backward()
        print("dy/dx at 3:", try x.grad!.item())
        ```

        ```output
        dy/dx at 3: 6.0
        ```

        """
        let quiz: [String: Any] = ["questions": [[
            "id": "slope-of-square", "kind": "choice",
            "prompt": "After y = x * x and y.backward() at x = 3, what is x.grad?",
            "choices": ["6", "9", "3"], "answer": 0,
            "explanation": "dy/dx = 2x, which is 6 at x = 3: backward stores the slope, not the value y = 9.",
        ]]]
        return try write([("README.md", readme), ("quiz.json", try json(quiz))], into: folder, display: "Lessons/\(name)")
    }

    static func refuseExisting(_ folder: URL, _ display: String) throws {
        if FileManager.default.fileExists(atPath: folder.path) {
            throw GraderError("\(display) already exists: `grader new` never overwrites; pick another name or remove it first")
        }
    }

    /// `["my", "topic"]` → `My topic`.
    static func sentence(_ words: [String]) -> String {
        let text = words.joined(separator: " ")
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    static func json(_ object: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func write(_ files: [(String, String)], into folder: URL, display: String) throws -> [String] {
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .withoutOverwriting)
        }
        return files.map { "\(display)/\($0.0)" }
    }
}
