import GraderWire

/// Grading's rule: a check passes only if the student's program passed it *and* every value it
/// compared agrees with the same check's values in the reference solution's run (same seed).
///
/// The student's program runs their code, so anything in that process (a verdict, a signature,
/// the kit itself) could be forged by code that runs before `main` or writes to memory. What it
/// cannot forge without doing the work is the numbers: the reference run, made by the grader from
/// the instructor's solution before any student code runs, decides. The student's process still
/// explains failures in its own words; it cannot award points.
public enum ReferenceComparison {
    public static func judge(student: [CheckResult], reference: [CheckResult]) -> [CheckResult] {
        reference.map { ref in
            // Titles, weights and visibility come from the reference: the student's plan is not trusted.
            guard var check = student.first(where: { $0.id == ref.id }) else {
                return CheckResult(id: ref.id, title: ref.title, status: .missing, message: "the program never reported a result for this check",
                                   weight: ref.weight, hidden: ref.hidden)
            }
            check.title = ref.title
            check.weight = ref.weight
            check.hidden = ref.hidden
            guard check.status == .passed else { return check }
            if let problem = disagreement(check.observations, ref.observations) {
                check.status = .failed
                check.message = "your program reported this check as passed, but \(problem). When grading, every value a check compares must agree with the reference solution's."
            }
            return check
        }
    }

    /// Why `student` does not agree with `reference`, or nil when it does.
    static func disagreement(_ student: [Observation], _ reference: [Observation]) -> String? {
        guard student.count == reference.count else {
            return "it compared \(student.count) value\(student.count == 1 ? "" : "s") where the reference solution's run compared \(reference.count)"
        }
        for (s, r) in zip(student, reference) {
            guard s.kind == r.kind, s.actual.count == r.actual.count else {
                return "\(r.what) has \(s.actual.count) value\(s.actual.count == 1 ? "" : "s"), the reference solution's \(r.actual.count)"
            }
            if let i = s.firstDifference(from: r) {
                return s.actual.count == 1 ? "\(r.what) differs from the reference solution's" : "\(r.what) differs from the reference solution's at element \(i)"
            }
        }
        return nil
    }
}
