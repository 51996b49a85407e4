import Foundation

/// The order a student sees a question's choices in, and the rule that keeps a quiz from being
/// answerable without reading it.
///
/// Choices are shuffled per student: the seed is the student's key and the question, so the order
/// is the same on every run (an answer file written from what the student saw grades the same
/// way next time) and differs between students.
extension Quiz {
    /// Who is taking the quiz: `GRADLINGS_STUDENT` when set (a course platform can pass the student's
    /// id), otherwise the login name.
    public static func studentKey(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        for name in ["GRADLINGS_STUDENT", "USER", "LOGNAME", "USERNAME"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return NSUserName()
    }

    /// `order[shown]` is the index in the file of the choice shown at position `shown`.
    public static func choiceOrder(of question: Question, lesson: String, student: String) -> [Int] {
        var state = fnv1a("\(student)\u{0}\(lesson)\u{0}\(question.id)")
        var order = Array(question.choices.indices)
        // Fisher–Yates with SplitMix64: the same permutation on every platform and Swift version.
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            order.swapAt(i, Int(z % UInt64(i + 1)))
        }
        return order
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Whether the right answers can be found without reading the questions (`grader verify`
    /// rejects such a quiz; the rule is in Lessons/README.md, "Quizzes"):
    /// - **position**: no choice position (first, second, …) holds the right answer in more than
    ///   half of the questions, rounded up;
    /// - **length**: the right answer is the strictly longest choice in at most a third of the
    ///   questions, rounded up, and the strictly shortest in at most a third as well, so that
    ///   "pick the longest" does no better than guessing among three.
    public func skewProblems() -> [String] {
        let n = questions.count
        guard n >= 2 else { return [] }
        var problems: [String] = []
        var byPosition: [Int: [String]] = [:]
        var longest: [String] = [], shortest: [String] = []
        for q in questions where q.choices.indices.contains(q.answer) {
            byPosition[q.answer, default: []].append(q.id)
            let lengths = q.choices.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).count }
            let right = lengths[q.answer]
            let others = lengths.enumerated().filter { $0.offset != q.answer }.map(\.element)
            if others.allSatisfy({ right > $0 }) { longest.append(q.id) }
            if others.allSatisfy({ right < $0 }) { shortest.append(q.id) }
        }
        let positionLimit = (n + 1) / 2, lengthLimit = (n + 2) / 3
        for (position, ids) in byPosition.sorted(by: { $0.key < $1.key }) where ids.count > positionLimit {
            let letter = String(UnicodeScalar(UInt8(97 + min(position, 25))))
            problems.append("the right answer is choice (\(letter)) in \(ids.count) of \(n) questions (at most \(positionLimit)): move some right answers to other positions")
        }
        if longest.count > lengthLimit {
            problems.append("the right answer is the longest choice in \(longest.count) of \(n) questions (at most \(lengthLimit)): \(longest.joined(separator: ", ")); make a wrong choice as specific, or the right one shorter")
        }
        if shortest.count > lengthLimit {
            problems.append("the right answer is the shortest choice in \(shortest.count) of \(n) questions (at most \(lengthLimit)): \(shortest.joined(separator: ", "))")
        }
        return problems
    }
}
