import Foundation

/// PyTorch's tensor `repr`, reproduced to the character.
///
/// Lessons print tensors next to the output of the same program run under PyTorch, and students
/// compare the two line by line, so every space matters. The rules below are those of PyTorch's
/// `torch/_tensor_str.py` with the default print options (precision 4, threshold 1000,
/// edgeitems 3, linewidth 80, automatic scientific mode), for CPU tensors of a floating dtype
/// with no names, layout or device suffixes.
enum TensorFormatter {
    /// Digits after the point in fixed and scientific notation (`PRINT_OPTS.precision`).
    static let precision = 4
    /// Above this many elements a tensor is summarised with `...` (`PRINT_OPTS.threshold`).
    static let threshold = 1000
    /// How many leading and trailing items a summarised dimension keeps (`PRINT_OPTS.edgeitems`).
    static let edgeItems = 3
    /// The width vectors are wrapped to (`PRINT_OPTS.linewidth`).
    static let lineWidth = 80
    /// Every repr starts with this; its length is the indentation of continuation lines.
    static let prefix = "tensor("

    /// PyTorch's repr of a tensor: `tensor([1., 2.], requires_grad=True)` etc.
    ///
    /// - Parameters:
    ///   - values: the elements in row-major order, already rounded to the dtype's grid, as `Double`.
    ///   - shape: the sizes of the dimensions; `[]` for a 0-d tensor.
    ///   - dtype: adds PyTorch's `dtype=torch.float64` suffix for every type but the default `float32`.
    ///   - requiresGrad: adds `requires_grad=True` when there is no `gradFnName`, as for a leaf.
    ///   - gradFnName: the backward node's name, printed as `grad_fn=<Name>`.
    ///
    /// A `values` array whose count disagrees with `shape` (a caller's bug) is printed as a
    /// vector of its values rather than trapping, since a description must never crash a program.
    static func describe(values: [Double], shape: [Int], dtype: DType, requiresGrad: Bool,
                         gradFnName: String?, tangent: Tensor? = nil) -> String {
        let shape = consistentShape(shape, count: values.count)
        var suffixes: [String] = []
        let body: String
        if values.isEmpty {
            // PyTorch names the shape of an empty tensor unless it is a plain `(0,)` vector.
            if shape.count != 1 { suffixes.append("size=" + pythonTuple(shape)) }
            body = "[]"
        } else {
            body = dataString(values: values, shape: shape, indent: prefix.count)
        }
        if dtype != .float32 { suffixes.append("dtype=torch.\(dtype)") }
        if let name = gradFnName {
            suffixes.append("grad_fn=<\(name)>")
        } else if requiresGrad {
            suffixes.append("requires_grad=True")
        }
        if let tangent {
            // PyTorch formats a 0-d tangent as a Python float.
            suffixes.append("tangent=" + (tangent.rank == 0 ? pythonRepr(tangent.scalarValue) : tangent.description))
        }
        return addingSuffixes(suffixes, to: prefix + body, indent: prefix.count)
    }

    /// The bracketed data part of the repr (`[[1., 2.],\n        [3., 4.]]`), what PyTorch's
    /// `_tensor_str` returns, for a tensor with at least one element.
    ///
    /// `indent` is the column the opening bracket follows (7 after `tensor(`); wrapped lines
    /// and nested rows are indented relative to it.
    static func dataString(values: [Double], shape: [Int], indent: Int) -> String {
        guard !values.isEmpty else { return "[]" }
        let shape = consistentShape(shape, count: values.count)
        let summarize = values.count > threshold
        let elements = FormattedElements(printing: summarize ? summarizedValues(values, shape: shape) : values)
        let layout = Layout(shape: shape, summarize: summarize, elements: elements)
        var out = ""
        var next = 0
        layout.write(dimension: 0, indent: indent, next: &next, into: &out)
        return out
    }

    // MARK: - Suffixes

    /// Appends `, suffix` items, moving one to its own line (indented under the data) when the
    /// current last line would exceed the line width, as PyTorch's `_add_suffixes` does.
    ///
    /// PyTorch measures the last line as its length plus 2 (an off-by-one of its `rfind`
    /// arithmetic) and ignores the closing parenthesis; both quirks are kept so that the line
    /// breaks fall where PyTorch's do.
    static func addingSuffixes(_ suffixes: [String], to text: String, indent: Int) -> String {
        var result = text
        var lastLineLength = pythonLength(lastLine(of: text)) + 2
        for suffix in suffixes {
            let suffixLength = pythonLength(suffix)
            if lastLineLength + suffixLength + 2 > lineWidth {
                result += ",\n" + String(repeating: " ", count: indent) + suffix
                lastLineLength = indent + suffixLength
            } else {
                result += ", " + suffix
                lastLineLength += suffixLength + 2
            }
        }
        return result + ")"
    }

    /// The text after the last newline, or all of it.
    private static func lastLine(of text: String) -> Substring {
        guard let newline = text.lastIndex(of: "\n") else { return text[...] }
        return text[text.index(after: newline)...]
    }

    /// Python's `len`: the number of Unicode code points.
    private static func pythonLength<S: StringProtocol>(_ text: S) -> Int {
        text.unicodeScalars.count
    }

    /// Python's `str(tuple(shape))`: `(0, 3)`, and `(0,)` for a single dimension.
    static func pythonTuple(_ shape: [Int]) -> String {
        if shape.count == 1 { return "(\(shape[0]),)" }
        return "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    // MARK: - Shape helpers

    /// `shape` if it describes exactly `count` elements, else a vector of `count` elements.
    private static func consistentShape(_ shape: [Int], count: Int) -> [Int] {
        var product = 1
        for size in shape {
            guard size >= 0 else { return [count] }
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else { return [count] }
            product = next
        }
        return product == count ? shape : [count]
    }

    /// How far apart consecutive indices of each dimension are in the row-major array.
    private static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for dimension in shape.indices.reversed() {
            strides[dimension] = stride
            stride *= shape[dimension]
        }
        return strides
    }

    /// The indices a summarised dimension of `size` shows: all of them, or the first and last
    /// `edgeItems` when there are more than twice that many.
    static func shownIndices(size: Int) -> [Int] {
        guard size > 2 * edgeItems else { return Array(0..<size) }
        return Array(0..<edgeItems) + Array((size - edgeItems)..<size)
    }

    /// The elements a summarised tensor actually prints (PyTorch's `get_summarized_data`).
    ///
    /// Column widths and the choice of notation depend only on these, so a huge tensor's
    /// hidden middle cannot widen or switch the printed columns.
    static func summarizedValues(_ values: [Double], shape: [Int]) -> [Double] {
        let strides = rowMajorStrides(shape)
        var offsets = [0]
        for (size, stride) in zip(shape, strides) {
            let shown = shownIndices(size: size)
            offsets = offsets.flatMap { base in shown.map { base + $0 * stride } }
        }
        return offsets.map { values[$0] }
    }
}

// MARK: - Nested layout

extension TensorFormatter {
    /// Writes nested brackets the way PyTorch's `_tensor_str_with_formatter` and `_vector_str`
    /// do: the innermost dimension wraps at the line width, and outer dimensions separate their
    /// slices with one newline per remaining inner dimension (so 3-D blocks get a blank line).
    ///
    /// It visits the shown elements in row-major order, which is the order `summarizedValues`
    /// lists them in, so it takes their texts one after another (`next`).
    private struct Layout {
        let shape: [Int]
        let summarize: Bool
        let elements: FormattedElements

        func write(dimension: Int, indent: Int, next: inout Int, into out: inout String) {
            if dimension == shape.count {
                out += elements.text(at: &next)
            } else if dimension == shape.count - 1 {
                writeVector(size: shape[dimension], indent: indent, next: &next, into: &out)
            } else {
                writeSlices(dimension: dimension, indent: indent, next: &next, into: &out)
            }
        }

        /// What a dimension of `size` prints: `true` for each shown index, `false` for the `...`
        /// of a summary standing between the first and last `edgeItems`.
        private func items(size: Int) -> [Bool] {
            let edge = TensorFormatter.edgeItems
            guard summarize && size > 2 * edge else { return Array(repeating: true, count: size) }
            return Array(repeating: true, count: edge) + [false] + Array(repeating: true, count: edge)
        }

        private func writeSlices(dimension: Int, indent: Int, next: inout Int, into out: inout String) {
            let innerDimensions = shape.count - dimension
            let separator = "," + String(repeating: "\n", count: innerDimensions - 1)
                + String(repeating: " ", count: indent + 1)
            out += "["
            for (position, shown) in items(size: shape[dimension]).enumerated() {
                if position > 0 { out += separator }
                if shown {
                    write(dimension: dimension + 1, indent: indent + 1, next: &next, into: &out)
                } else {
                    out += "..."
                }
            }
            out += "]"
        }

        /// A row of elements, `max(1, (80 - indent) / (width + 2))` to a line, continuation lines
        /// aligned one past the opening bracket. A summary's ` ...` counts as one element.
        private func writeVector(size: Int, indent: Int, next: inout Int, into out: inout String) {
            let perLine = max(1, (TensorFormatter.lineWidth - indent) / (elements.width + 2))
            let lineBreak = ",\n" + String(repeating: " ", count: indent + 1)
            out += "["
            for (position, shown) in items(size: size).enumerated() {
                if position > 0 { out += position % perLine == 0 ? lineBreak : ", " }
                out += shown ? elements.text(at: &next) : " ..."
            }
            out += "]"
        }
    }
}

// MARK: - Elements

extension TensorFormatter {
    /// The ways PyTorch's `_Formatter` writes the elements of a floating tensor; one tensor
    /// uses one notation for all of its elements.
    enum Notation {
        /// All nonzero finite values are whole numbers: `'{:.0f}'` plus a point (`3.`).
        case integer
        /// `'{:.4f}'` (`0.3000`).
        case fixed
        /// `'{:.4e}'` (`1.0000e-08`).
        case scientific

        /// The notation PyTorch picks for these values.
        ///
        /// Only nonzero finite values take part: scientific when the largest magnitude is more
        /// than 1000 times the smallest, above 1e8, or below 1e-4; otherwise integer notation
        /// when every one is a whole number, else fixed. With no such value (all zeros, NaNs or
        /// infinities) PyTorch stays in integer notation.
        init<S: Sequence>(choosingFor values: S) where S.Element == Double {
            var minAbs = Double.infinity, maxAbs = 0.0
            var allWhole = true
            for value in values where value.isFinite && value != 0 {
                minAbs = min(minAbs, value.magnitude)
                maxAbs = max(maxAbs, value.magnitude)
                if value != value.rounded(.up) { allWhole = false }
            }
            guard maxAbs > 0 else { self = .integer; return }
            let scientific = maxAbs / minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4
            self = scientific ? .scientific : (allWhole ? .integer : .fixed)
        }

        private static let fixedFormat = "%.\(TensorFormatter.precision)f"
        private static let scientificFormat = "%.\(TensorFormatter.precision)e"

        /// The value in this notation, before alignment. Non-finite values are spelled as
        /// Python spells them (`nan` whatever its sign bit, `inf`, `-inf`) and, in integer
        /// notation, get no point.
        func text(_ value: Double) -> String {
            guard value.isFinite else { return TensorFormatter.nonFiniteText(value) }
            switch self {
            case .integer: return TensorFormatter.cFormat("%.0f", value) + "."
            case .fixed: return TensorFormatter.cFormat(Notation.fixedFormat, value)
            case .scientific: return TensorFormatter.cFormat(Notation.scientificFormat, value)
            }
        }
    }

    /// The printed elements of one tensor, each written once, right-aligned to a common width.
    struct FormattedElements {
        let notation: Notation
        /// The widest nonzero finite element (at least 1). Zeros, NaNs and infinities do not
        /// count towards it, so `-0.` or `nan` may stick out of the column, exactly as in PyTorch.
        let width: Int
        /// The aligned texts, in the order the elements are printed.
        let texts: [String]

        /// Formats `printed`, the elements PyTorch's `_Formatter` is given: all of them, or
        /// only the edges a summary shows.
        init(printing printed: [Double]) {
            let notation = Notation(choosingFor: printed)
            let unpadded = printed.map(notation.text)
            var widest = 1
            for (value, text) in zip(printed, unpadded) where value.isFinite && value != 0 {
                widest = max(widest, text.utf8.count)
            }
            self.notation = notation
            self.width = widest
            self.texts = unpadded.map { text in
                let padding = widest - text.utf8.count
                return padding > 0 ? String(repeating: " ", count: padding) + text : text
            }
        }

        /// The text of the element at `next`, advancing it; empty past the end rather than
        /// trapping, though the layout never asks for more elements than it was given.
        func text(at next: inout Int) -> String {
            defer { next += 1 }
            return texts.indices.contains(next) ? texts[next] : ""
        }
    }

    /// Python's spelling of NaN and the infinities.
    static func nonFiniteText(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        return value < 0 ? "-inf" : "inf"
    }

    /// C's `printf` formatting of one finite double.
    ///
    /// C and Python both round the exact binary value correctly (ties to even), and `%e` writes
    /// at least two exponent digits as Python's `'{:e}'` does, so the digits agree. `vsnprintf`
    /// is used rather than `String(format:)`, which is several times slower on Linux.
    static func cFormat(_ format: String, _ value: Double) -> String {
        let written = withVaList([value]) { arguments in
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer -> String? in
                let needed = vsnprintf(buffer.baseAddress, buffer.count, format, arguments)
                guard needed >= 0, Int(needed) < buffer.count, let start = buffer.baseAddress else { return nil }
                return String(cString: start)
            }
        }
        if let written = written { return written }
        // Only a huge number in `%f` needs more room than the stack buffer: write it again.
        return withVaList([value]) { arguments in
            var buffer = [CChar](repeating: 0, count: 400)
            _ = vsnprintf(&buffer, buffer.count, format, arguments)
            return String(cString: buffer)
        }
    }
}

// MARK: - Python float repr

/// Python's `repr` of a float, which is what `print(x.item())` shows in PyTorch: the shortest
/// digits that read back as the same double (`0.30000000000000004`, `47.25`), always with a
/// point or an exponent so it reads as a float (`1000000.0`, `0.0`), scientific notation only
/// below `1e-04` or from `1e+16` on (`6.103515625e-05`, `1e+16`), and `nan`, `inf`, `-inf`.
///
/// Lessons print `item()` values with this so their output matches the Python programs they
/// mirror. Swift's `description` finds the same digits but lays out some of them differently
/// (`9.851314084160724e+15` where Python prints `9851314084160724.0`), and NaN's spelling
/// there depends on its sign bit. A float32 or float16 value must be passed as `Double(value)`:
/// `item()` widens it exactly, so Python shows `0.30000001192092896` for `Float(0.1) * 3`.
public func pythonRepr(_ x: Double) -> String {
    guard x.isFinite else { return TensorFormatter.nonFiniteText(x) }
    let sign = x.sign == .minus ? "-" : ""
    let (digits, pointPosition) = shortestDigits(x.magnitude)
    // Python's 'r' format: the value is 0.DIGITS × 10^pointPosition.
    if pointPosition <= -4 || pointPosition > 16 {
        let exponent = pointPosition - 1
        let mantissa = digits.count == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst()
        let exponentDigits = String(exponent.magnitude)
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+")
            + (exponentDigits.count < 2 ? "0" : "") + exponentDigits
    }
    if pointPosition <= 0 {
        return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
    }
    if pointPosition < digits.count {
        return sign + digits.prefix(pointPosition) + "." + digits.dropFirst(pointPosition)
    }
    return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
}

/// The shortest round-trip significant digits of a finite non-negative double (no leading or
/// trailing zeros; `"0"` for zero) and where the decimal point goes: the value is
/// `0.DIGITS × 10^pointPosition`.
///
/// Swift's `description` already finds the shortest, closest digits, exactly as Python's repr
/// does; only its layout differs, so this reads the digits back out of it.
private func shortestDigits(_ x: Double) -> (digits: String, pointPosition: Int) {
    let text = x.description
    let parts = text.split(separator: "e", maxSplits: 1)
    let mantissa = parts.first ?? "0"
    let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    let integerPart = mantissa.prefix { $0 != "." }
    let fractionPart = mantissa.drop { $0 != "." }.dropFirst()
    var digits = Substring(integerPart + fractionPart)
    var pointPosition = integerPart.count + exponent
    while digits.first == "0" {
        digits = digits.dropFirst()
        pointPosition -= 1
    }
    while digits.last == "0" { digits = digits.dropLast() }
    if digits.isEmpty { return ("0", 1) }
    return (String(digits), pointPosition)
}
