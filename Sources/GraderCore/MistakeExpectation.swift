import Foundation

/// `mistakes/<name>/expect.json`: how a known-wrong version of the student files must fail.
/// The format is documented in `Exercises/README.md`; `grader verify` uses it.
public struct MistakeExpectation: Equatable, Sendable {
    public struct Failure: Equatable, Sendable {
        public var check: String
        public var status: CheckResult.Status?
        public var message: String?
    }
    public enum Expected: Equatable, Sendable {
        case failures([Failure])
        /// The mistake must not compile; the first error contains this text.
        case compileError(String)
    }

    public var why: String
    public var expected: Expected

    public static func load(_ url: URL, displayPath: String) throws -> MistakeExpectation {
        func fail(_ text: String) -> GraderError { GraderError("\(displayPath): \(text)") }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw fail("is missing") }
        guard let dict = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("must be a JSON object like {\"why\": \"...\", \"failures\": [{\"check\": \"id\", \"message\": \"...\"}]}")
        }
        for key in dict.keys.sorted() where !["why", "failures", "compileError"].contains(key) {
            throw fail("unknown field `\(key)` (known fields: why, failures, compileError)")
        }
        guard let why = dict["why"] as? String, !why.isEmpty else { throw fail("field `why` (a string saying what the mistake is) is required") }
        if let text = dict["compileError"] {
            guard let text = text as? String else { throw fail("field `compileError` must be a string") }
            guard dict["failures"] == nil else { throw fail("give either `failures` or `compileError`, not both") }
            return MistakeExpectation(why: why, expected: .compileError(text))
        }
        guard let list = dict["failures"] as? [[String: Any]], !list.isEmpty else {
            throw fail("field `failures` must be a non-empty list of {\"check\": ..., \"status\": ..., \"message\": ...}")
        }
        var failures: [Failure] = []
        for (i, item) in list.enumerated() {
            for key in item.keys.sorted() where !["check", "status", "message"].contains(key) {
                throw fail("field `failures`[\(i)] has an unknown field `\(key)` (known: check, status, message)")
            }
            guard let check = item["check"] as? String, !check.isEmpty else { throw fail("field `failures`[\(i)].check (a check id) is required") }
            var status: CheckResult.Status?
            if let raw = item["status"] {
                guard let s = raw as? String, let parsed = CheckResult.Status(rawValue: s), parsed != .passed else {
                    throw fail("field `failures`[\(i)].status must be one of failed, crashed, timedOut, notImplemented, missing, notRun")
                }
                status = parsed
            }
            var message: String?
            if let raw = item["message"] {
                guard let m = raw as? String else { throw fail("field `failures`[\(i)].message must be a string") }
                message = m
            }
            failures.append(Failure(check: check, status: status, message: message))
        }
        return MistakeExpectation(why: why, expected: .failures(failures))
    }

    /// Why `result` does not fail as declared, one sentence per problem; empty when it does.
    public func mismatches(_ result: ExerciseResult) -> [String] {
        switch expected {
        case let .compileError(text):
            guard result.status == .compileError, let failure = result.compileFailure else {
                return ["expected a compile error containing \"\(text)\", but it compiled"]
            }
            let first = failure.diagnostics.first?.message ?? failure.summary
            return first.contains(text) || failure.summary.contains(text) ? [] : ["expected a compile error containing \"\(text)\", got: \(first)"]
        case let .failures(failures):
            if result.status == .compileError {
                return ["expected failing checks, but it does not compile: \(result.compileFailure?.summary ?? "")"]
            }
            var problems: [String] = []
            for f in failures {
                guard let check = result.checks.first(where: { $0.id == f.check }) else {
                    problems.append("no check named \(f.check)")
                    continue
                }
                if check.status == .passed {
                    problems.append("\(f.check) passed but should fail")
                    continue
                }
                if let status = f.status, status != check.status {
                    problems.append("\(f.check) is \(check.status.rawValue), expected \(status.rawValue): \(check.message)")
                }
                if let message = f.message, !message.isEmpty, !check.message.contains(message) {
                    problems.append("\(f.check)'s message does not contain \"\(message)\": \(check.message)")
                }
            }
            return problems
        }
    }
}

extension Exercise {
    /// A folder holding a complete set of student files for `mistakes/<name>/`: its own files, and
    /// the solution's for any it does not override (mistake folders may hold only what differs).
    /// The caller removes the folder when done.
    public func mistakeSources(_ name: String) throws -> URL {
        try mistakeSources(name, into: FileManager.default.temporaryDirectory.appendingPathComponent("grader-mistake-\(id)-\(name)-\(UUID().uuidString)"))
    }

    /// The same, written into `dir` (kept by the caller: `grader verify` uses one fixed folder per
    /// mistake so that its compiled program is found in the cache next time). A file already there
    /// with the right contents is left alone.
    public func mistakeSources(_ name: String, into dir: URL) throws -> URL {
        let fm = FileManager.default
        for file in manifest.files {
            let own = mistakesDirectory.appendingPathComponent(name).appendingPathComponent(file)
            let solution = solutionDirectory.appendingPathComponent(file)
            let source = fm.fileExists(atPath: own.path) ? own : solution
            guard fm.fileExists(atPath: source.path) else {
                throw GraderError("\(displayPath)/mistakes/\(name)/\(file) is missing and there is no solution/\(file) to take it from")
            }
            let target = dir.appendingPathComponent(file)
            let data = try Data(contentsOf: source)
            if fm.contents(atPath: target.path) == data { continue }
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: target, options: .atomic)
        }
        return dir
    }
}
