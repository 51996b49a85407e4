/// An error raised by the library, carrying PyTorch's message word for word.
///
/// PyTorch raises `RuntimeError` for these; printing `"\(type(of: error)): \(error)"` shows
/// `AutogradError: <PyTorch's text>`, so a student can search for the message and find PyTorch's
/// own discussions of it.
public struct AutogradError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
