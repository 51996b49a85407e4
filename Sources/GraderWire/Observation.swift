/// A value a check compared, as the exercise program computed it: the evidence a grade rests on.
///
/// When grading, the grader does not take a program's word that a check passed. It runs the same
/// checks against the reference solution with the same seed, and a check passes only if the
/// student's program reports every observation of that check and each agrees with the
/// reference's (see `matches(reference:)`). Code in the student's process can make up a verdict;
/// it cannot make up these numbers without computing them.
public struct Observation: Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// Numbers the student's code computed (values, gradients): hard to guess.
        case value
        /// A yes/no answer, a shape or a count: a lying program could guess it, so a check must
        /// not rest on facts alone.
        case fact
    }

    public var kind: Kind
    /// What was compared, for messages ("cubic([-2, 0, 1])").
    public var what: String
    /// The values the program computed.
    public var actual: [Double]
    /// What the check expected them to be (only the reference run's expectation is used).
    public var expected: [Double]
    public var atol: Double
    public var rtol: Double

    public init(kind: Kind, what: String, actual: [Double], expected: [Double], atol: Double = 0, rtol: Double = 0) {
        self.kind = kind; self.what = what; self.actual = actual; self.expected = expected; self.atol = atol; self.rtol = rtol
    }

    /// Whether this (the student's) observation agrees with the reference run's at the same place.
    ///
    /// Each value may differ from the reference's by the check's own tolerance plus the distance
    /// of the reference from its expectation, so a student whose value passes the check's
    /// comparison never fails this one; NaN and infinities must sit at the same places.
    public func matches(reference: Observation) -> Bool {
        kind == reference.kind && actual.count == reference.actual.count && firstDifference(from: reference) == nil
    }

    /// The index of the first value that disagrees with the reference's (nil when none does).
    public func firstDifference(from reference: Observation) -> Int? {
        actual.indices.first { i in
            guard i < reference.actual.count else { return true }
            let a = actual[i], r = reference.actual[i]
            if a.isNaN || r.isNaN { return a.isNaN != r.isNaN }
            if a.isInfinite || r.isInfinite { return a != r }
            let e = i < reference.expected.count && reference.expected[i].isFinite ? reference.expected[i] : r
            let slack = reference.atol + reference.rtol * max(abs(e), abs(r)) + abs(r - e)
            return abs(a - r) > slack * (1 + 1e-12)
        }
    }

    /// One field of a `result` record: `kind|atol|rtol|what|actual…|expected…`, numbers as exact
    /// hexadecimal floats so nothing is lost in transit.
    var encoded: String {
        let numbers = { (xs: [Double]) in xs.map(Observation.encode).joined(separator: ",") }
        return [kind.rawValue, Observation.encode(atol), Observation.encode(rtol), what.replacingBars(), numbers(actual), numbers(expected)]
            .joined(separator: "|")
    }

    init?(encoded: String) {
        let parts = encoded.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 6, let kind = Kind(rawValue: String(parts[0])),
              let atol = Observation.decode(parts[1]), let rtol = Observation.decode(parts[2]) else { return nil }
        func numbers(_ s: Substring) -> [Double]? {
            if s.isEmpty { return [] }
            var out: [Double] = []
            for piece in s.split(separator: ",", omittingEmptySubsequences: false) {
                guard let x = Observation.decode(piece) else { return nil }
                out.append(x)
            }
            return out
        }
        guard let actual = numbers(parts[4]), let expected = numbers(parts[5]) else { return nil }
        self.init(kind: kind, what: String(parts[3]), actual: actual, expected: expected, atol: atol, rtol: rtol)
    }

    static func encode(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return String(x.bitPattern, radix: 16)
    }

    static func decode(_ s: Substring) -> Double? {
        switch s {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return UInt64(s, radix: 16).map(Double.init(bitPattern:))
        }
    }
}

private extension String {
    /// `|` separates an observation's parts; a description never needs one.
    func replacingBars() -> String { String(map { $0 == "|" ? "/" : $0 }) }
}
