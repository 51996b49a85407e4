/// One check of an exercise: an id (stable, used in reports, `expect.json` and `--from`), a
/// sentence for the student, and a body that throws `CheckFailure` (or any error) to fail.
///
/// ```swift
/// let checks = CheckSuite {
///     Check("value", "huber(r) matches the formula") {
///         try expectClose(huber(Tensor([0.5], dtype: .float64)), [0.125], "huber([0.5])")
///     }
/// }
/// ```
public struct Check {
    public let id: String
    public let title: String
    /// Relative weight for partial credit in instructor tools; students see all-or-nothing points.
    public let weight: Int
    /// Shown under a failure of this check: where to look ("the branch |r| > delta").
    public let hint: String
    public let body: () throws -> Void

    public init(_ id: String, _ title: String, weight: Int = 1, hint: String = "", _ body: @escaping () throws -> Void) {
        self.id = id; self.title = title; self.weight = weight; self.hint = hint; self.body = body
    }
}

/// Lets a `CheckSuite { ... }` list checks one per line, with `if` and `for` allowed.
@resultBuilder
public enum CheckBuilder {
    public static func buildExpression(_ check: Check) -> [Check] { [check] }
    public static func buildExpression(_ checks: [Check]) -> [Check] { checks }
    public static func buildBlock(_ parts: [Check]...) -> [Check] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Check]?) -> [Check] { part ?? [] }
    public static func buildEither(first part: [Check]) -> [Check] { part }
    public static func buildEither(second part: [Check]) -> [Check] { part }
    public static func buildArray(_ parts: [[Check]]) -> [Check] { parts.flatMap { $0 } }
}

/// The checks of an exercise, in the order they run. An exercise's `checks/` folder defines
/// exactly one `let checks = CheckSuite { ... }`; `checks/hidden/` defines `let hiddenChecks`.
public struct CheckSuite {
    public let checks: [Check]

    public init(@CheckBuilder _ build: () -> [Check]) {
        checks = build()
    }

    public init(_ checks: [Check]) { self.checks = checks }
}

/// The failure of a check, in words for the student. Throw it from a check body, or let the
/// `expect…` functions and `GradCheck` throw it for you.
public struct CheckFailure: Error, CustomStringConvertible {
    public let message: String
    /// Overrides the check's own hint for this failure.
    public let hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message; self.hint = hint
    }

    public var description: String { message }
}
