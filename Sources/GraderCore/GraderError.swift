/// A problem with the course itself or with how the grader was called, as opposed to a check that
/// failed: the CLI exits with status 2 for these and prints `message` as it is.
public struct GraderError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
