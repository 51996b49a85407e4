import Foundation

/// PyTorch's `repr` of a tensor, to the character (the rules of `torch/_tensor_str.py` with the
/// default print options: precision 4, threshold 1000, edge items 3, line width 80).
///
/// One formatter is chosen for the whole tensor, from its nonzero finite values (or, for a large
/// tensor, from the values that will be shown): integer mode when all are whole numbers,
/// scientific mode when they span more than three orders of magnitude or leave [1e-4, 1e8), fixed
/// otherwise; every element is then padded to the widest one, so columns line up.
enum TensorFormatter {
    static let precision = 4
    static let threshold = 1000
    static let edgeItems = 3
    static let lineWidth = 80

    static func describe(values: [Double], shape: [Int], dtype: DType, requiresGrad: Bool, gradFnName: String?) -> String {
        let prefix = "tensor("
        let indent = prefix.count
        var suffixes: [String] = []
        let body: String
        if values.isEmpty {
            if shape.count != 1 { suffixes.append("size=(\(shape.map(String.init).joined(separator: ", "))\(shape.count == 1 ? "," : ""))") }
            if dtype != .float32 { suffixes.append("dtype=torch.\(dtype)") }
            body = "[]"
        } else {
            if dtype != .float32 { suffixes.append("dtype=torch.\(dtype)") }
            let summarize = values.count > threshold
            let shown = summarize ? summarized(values, shape) : values
            let element = ElementFormat(shown)
            body = render(values, shape, indent: indent, summarize: summarize, element)
        }
        if let gradFnName { suffixes.append("grad_fn=<\(gradFnName)>") }
        else if requiresGrad { suffixes.append("requires_grad=True") }
        return addSuffixes(prefix + body, suffixes, indent: indent)
    }

    /// Appends `, suffix` items, starting a new line when one would pass the line width.
    private static func addSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
        var out = text
        // PyTorch measures the last line as `len - rfind("\n") + 1`, which is len + 2 without a newline.
        let lastNewline = text.lastIndex(of: "\n").map { text.distance(from: text.startIndex, to: $0) } ?? -1
        var lastLine = text.count - lastNewline + 1
        for suffix in suffixes {
            if lastLine + suffix.count + 2 > lineWidth {
                out += ",\n" + String(repeating: " ", count: indent) + suffix
                lastLine = indent + suffix.count
            } else {
                out += ", " + suffix
                lastLine += suffix.count + 2
            }
        }
        return out + ")"
    }

    /// The values that will be printed when summarising: the first and last `edgeItems` along every
    /// dimension. The formatter is chosen from these only.
    private static func summarized(_ values: [Double], _ shape: [Int]) -> [Double] {
        guard let first = shape.first else { return values }
        let inner = values.count / max(first, 1)
        let rows: [Int] = first > 2 * edgeItems ? Array(0..<edgeItems) + Array((first - edgeItems)..<first) : Array(0..<first)
        if shape.count == 1 { return rows.map { values[$0] } }
        let rest = Array(shape.dropFirst())
        return rows.flatMap { summarized(Array(values[($0 * inner)..<(($0 + 1) * inner)]), rest) }
    }

    /// Nested brackets: rows separated by a comma and (rank - 1) newlines, indented one more per level.
    private static func render(_ values: [Double], _ shape: [Int], indent: Int, summarize: Bool, _ element: ElementFormat) -> String {
        switch shape.count {
        case 0:
            return element.format(values[0])
        case 1:
            return vector(values, indent: indent, summarize: summarize, element)
        default:
            let first = shape[0], inner = values.count / max(first, 1), rest = Array(shape.dropFirst())
            func slice(_ i: Int) -> String {
                render(Array(values[(i * inner)..<((i + 1) * inner)]), rest, indent: indent + 1, summarize: summarize, element)
            }
            var slices: [String]
            if summarize && first > 2 * edgeItems {
                slices = (0..<edgeItems).map(slice) + ["..."] + ((first - edgeItems)..<first).map(slice)
            } else {
                slices = (0..<first).map(slice)
            }
            let separator = "," + String(repeating: "\n", count: shape.count - 1) + String(repeating: " ", count: indent + 1)
            return "[" + slices.joined(separator: separator) + "]"
        }
    }

    private static func vector(_ values: [Double], indent: Int, summarize: Bool, _ element: ElementFormat) -> String {
        let elementLength = element.width + 2
        let perLine = max(1, (lineWidth - indent) / elementLength)
        var items: [String]
        if summarize && values.count > 2 * edgeItems {
            items = values.prefix(edgeItems).map(element.format) + [" ..."] + values.suffix(edgeItems).map(element.format)
        } else {
            items = values.map(element.format)
        }
        let lines = stride(from: 0, to: items.count, by: perLine).map {
            items[$0..<min($0 + perLine, items.count)].joined(separator: ", ")
        }
        return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
    }
}

/// How every element of one tensor is written: PyTorch's `_Formatter`.
struct ElementFormat {
    private(set) var intMode = true
    private(set) var sciMode = false
    private(set) var width = 1

    init(_ values: [Double]) {
        let nonzeroFinite = values.filter { $0.isFinite && $0 != 0 }
        guard !nonzeroFinite.isEmpty else { return }
        let magnitudes = nonzeroFinite.map(Swift.abs)
        let smallest = magnitudes.min()!, largest = magnitudes.max()!
        intMode = nonzeroFinite.allSatisfy { $0 == $0.rounded(.up) }
        let p = TensorFormatter.precision
        if intMode {
            if largest / smallest > 1000 || largest > 1e8 {
                sciMode = true
                width = nonzeroFinite.map { Self.scientific($0, p).count }.max()!
            } else {
                width = nonzeroFinite.map { Self.fixed($0, 0).count + 1 }.max()!
            }
        } else if largest / smallest > 1000 || largest > 1e8 || smallest < 1e-4 {
            sciMode = true
            width = nonzeroFinite.map { Self.scientific($0, p).count }.max()!
        } else {
            width = nonzeroFinite.map { Self.fixed($0, p).count }.max()!
        }
        width = Swift.max(width, 1)
    }

    func format(_ value: Double) -> String {
        var text: String
        if sciMode {
            text = Self.scientific(value, TensorFormatter.precision)
        } else if intMode {
            text = Self.fixed(value, 0)
            if value.isFinite { text += "." }
        } else {
            text = Self.fixed(value, TensorFormatter.precision)
        }
        return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }

    /// Python's `'{:.Nf}'`: non-finite values are `nan`, `inf`, `-inf` (never `-nan`).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        nonFinite(value) ?? String(format: "%.\(digits)f", value)
    }

    /// Python's `'{:.Ne}'`: `1.0000e-08`.
    static func scientific(_ value: Double, _ digits: Int) -> String {
        nonFinite(value) ?? String(format: "%.\(digits)e", value)
    }

    private static func nonFinite(_ value: Double) -> String? {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return nil
    }
}

/// Python's `repr` of a float, as `print(x.item())` shows it: the shortest digits that read back
/// to the same value, in positional notation from 1e-4 up to 1e16 (`47.25`, `0.0`, `1000000.0`)
/// and scientific outside it (`1e-05`, `6.103515625e-05`, `1e+16`); `nan`, `inf`, `-inf`.
public func pythonRepr(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
    // Swift's description has the same shortest round-trip digits; only the layout differs.
    let (negative, digits, exponent) = decimalDigits(Swift.abs(x))
    let sign = negative || x < 0 ? "-" : ""
    if exponent >= -4 && exponent < 16 {
        if exponent >= digits.count - 1 {
            return sign + digits + String(repeating: "0", count: exponent - digits.count + 1) + ".0"
        }
        if exponent >= 0 {
            let cut = digits.index(digits.startIndex, offsetBy: exponent + 1)
            return sign + digits[..<cut] + "." + digits[cut...]
        }
        return sign + "0." + String(repeating: "0", count: -exponent - 1) + digits
    }
    let mantissa = digits.count == 1 ? digits : String(digits.first!) + "." + digits.dropFirst()
    let e = Swift.abs(exponent)
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0\(e)" : "\(e)")
}

/// The shortest round-trip significant digits of a positive value and its decimal exponent
/// (value = 0.d1d2… × 10^(exponent+1)), read off Swift's own shortest representation.
private func decimalDigits(_ x: Double) -> (Bool, String, Int) {
    let text = x.description
    var mantissa = text, exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = String(text[..<e])
        exponent = Int(text[text.index(after: e)...]) ?? 0
    }
    let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
    let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
    var digits = whole + fraction
    var pointExponent = whole.count - 1 + exponent
    // Strip leading zeros (0.00123) and trailing zeros (1200.0), adjusting the exponent.
    while digits.count > 1 && digits.first == "0" { digits.removeFirst(); pointExponent -= 1 }
    while digits.count > 1 && digits.last == "0" { digits.removeLast() }
    return (false, digits, pointExponent)
}
