import Foundation

/// A lesson's quiz, `quiz.json` beside its README (format: `Lessons/README.md`).
public struct Quiz: Codable, Sendable {
    public struct Question: Codable, Sendable {
        public enum Kind: String, Codable, Sendable { case choice, predict }
        public var id: String
        public var kind: Kind
        public var prompt: String
        /// For `predict`: the program whose output is asked for (`import Autograd` is added).
        public var code: String?
        public var choices: [String]
        /// Index of the right choice, from 0.
        public var answer: Int
        public var explanation: String
    }

    public var questions: [Question]

    /// Loads and checks a quiz; every problem names the file and the question.
    public static func load(_ url: URL, displayPath: String) throws -> Quiz {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw GraderError("\(displayPath): missing (every lesson has a quiz.json; see Lessons/README.md)")
        }
        let quiz: Quiz
        do {
            quiz = try JSONDecoder().decode(Quiz.self, from: data)
        } catch let error as DecodingError {
            throw GraderError("\(displayPath): \(describe(error))")
        }
        let problems = quiz.problems()
        guard problems.isEmpty else {
            throw GraderError("\(displayPath): " + problems.joined(separator: "; "))
        }
        return quiz
    }

    /// What is wrong with the quiz's content, one sentence each.
    public func problems() -> [String] {
        var problems: [String] = []
        if questions.isEmpty { problems.append("it has no questions") }
        var seen = Set<String>()
        for (n, q) in questions.enumerated() {
            let name = "question \(n + 1) (\"\(q.id)\")"
            if q.id.isEmpty { problems.append("question \(n + 1) has an empty id") }
            if !seen.insert(q.id).inserted { problems.append("\(name): the id is used twice") }
            if q.prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("\(name): the prompt is empty") }
            if q.choices.count < 2 { problems.append("\(name): needs at least two choices") }
            if Set(q.choices).count != q.choices.count { problems.append("\(name): two choices are the same") }
            if !q.choices.indices.contains(q.answer) {
                problems.append("\(name): answer \(q.answer) is not the index of a choice (0 to \(q.choices.count - 1))")
            }
            if q.explanation.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("\(name): the explanation is empty") }
            if q.kind == .predict && (q.code ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.append("\(name): a predict question needs the code whose output it asks for")
            }
        }
        return problems
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
                .replacingOccurrences(of: "^\\.", with: "", options: .regularExpression)
        }
        switch error {
        case let .keyNotFound(key, context):
            let at = path(context)
            return "missing field \"\(key.stringValue)\"" + (at.isEmpty ? "" : " in \(at)")
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "field \(path(context)) has the wrong type (\(context.debugDescription))"
        case let .dataCorrupted(context):
            let at = path(context)
            return "not valid JSON" + (at.isEmpty ? "" : " at \(at)") + ": \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
