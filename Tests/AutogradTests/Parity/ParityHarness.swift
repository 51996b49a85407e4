import XCTest
@testable import Autograd

/// Collects what a Swift twin prints, the way Python's `print` joins its arguments.
final class TwinOutput {
    private(set) var text = ""

    /// Takes optionals as they are (`x.grad` prints `nil`, as Python prints `None`), so twins
    /// need no casts.
    func print(_ items: Any?..., separator: String = " ") {
        text += items.map(TwinOutput.render).joined(separator: separator) + "\n"
    }

    /// Renders a value as the Python program would print it (after the README's normalisations).
    static func render(_ item: Any?) -> String {
        guard let item else { return "nil" }
        switch item {
        case let d as Double: return pythonRepr(d)
        case let t as Tensor: return t.description
        case let n as Node: return n.description
        default: return String(describing: item)
        }
    }

    /// Runs `body` and prints a thrown library error as the Python `except` block does.
    func printingErrors(_ body: () throws -> Void) {
        do { try body() } catch { self.print("\(type(of: error)): \(error)") }
    }
}

/// The expected output of a parity case, with the spellings the parity README allows to differ
/// mapped to the Swift ones.
func parityFixture(_ name: String) throws -> String {
    let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "out", subdirectory: "Fixtures/parity"),
                            "missing fixture \(name).out")
    return normalizedForParity(try String(contentsOf: url, encoding: .utf8))
}

/// Applies the parity README's allowed spellings to either side, so both compare alike.
func normalizedForParity(_ original: String) -> String {
    var text = original
    text = text.replacingOccurrences(of: "torch.", with: "")
    text = text.replacingOccurrences(of: "RuntimeError: ", with: "AutogradError: ")
    for (python, swift) in [("True", "true"), ("False", "false"), ("None", "nil")] {
        text = text.replacingOccurrences(of: "\\b\(python)\\b", with: swift, options: .regularExpression)
    }
    return text
}

/// Runs a twin and fails with a unified diff against the PyTorch fixture when they differ.
func assertTwin(_ name: String, file: StaticString = #filePath, line: UInt = #line,
                _ body: (TwinOutput) throws -> Void) throws {
    let expected = try parityFixture(name)
    let out = TwinOutput()
    manualSeed(0)
    try body(out)
    let actual = normalizedForParity(out.text)
    if actual != expected {
        XCTFail("parity case \(name) differs from PyTorch:\n" + unifiedDiff(expected: expected, actual: actual),
                file: file, line: line)
    }
}

/// A minimal unified diff (longest common subsequence of lines).
func unifiedDiff(expected: String, actual: String) -> String {
    let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
        for j in stride(from: b.count - 1, through: 0, by: -1) {
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
        }
    }
    var lines = ["--- PyTorch", "+++ Swift twin"]
    var i = 0, j = 0
    while i < a.count || j < b.count {
        if i < a.count, j < b.count, a[i] == b[j] { lines.append(" " + a[i]); i += 1; j += 1 }
        else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] { lines.append("+" + b[j]); j += 1 }
        else { lines.append("-" + a[i]); i += 1 }
    }
    return lines.joined(separator: "\n")
}
