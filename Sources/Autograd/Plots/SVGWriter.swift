import Foundation

/// Builds an SVG document element by element: attributes and text are escaped, numbers are
/// written with at most two decimals, so the output is well-formed XML however odd the labels.
struct SVGWriter {
    private(set) var body: [String] = []
    let width: Double
    let height: Double

    /// Escapes the five characters XML reserves, for text and attribute values alike.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if let ascii = ch.asciiValue, ascii < 0x20, ch != "\t", ch != "\n" { continue }
                out.append(ch)
            }
        }
        return out
    }

    /// `12.5`, `3`: a coordinate with at most two decimals.
    static func number(_ x: Double) -> String {
        let rounded = (x * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// An element without content: `<line x1="0" .../>`.
    mutating func element(_ name: String, _ attributes: [(String, String)]) {
        body.append("<\(name)\(Self.attributes(attributes))/>")
    }

    /// An element holding text: `<text x="4" y="9">loss</text>`.
    mutating func text(_ content: String, _ attributes: [(String, String)]) {
        body.append("<text\(Self.attributes(attributes))>\(Self.escape(content))</text>")
    }

    /// Opens a group (`<g ...>`); close it with `close("g")`.
    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        body.append("<\(name)\(Self.attributes(attributes))>")
    }

    mutating func close(_ name: String) { body.append("</\(name)>") }

    /// Adds raw markup built by this type's own helpers.
    mutating func raw(_ markup: String) { body.append(markup) }

    /// The complete document: XML declaration, `<svg>` root with a view box, a `<title>` for
    /// screen readers and browser tabs, and the elements.
    func document(title: String) -> String {
        let w = Self.number(width), h = Self.number(height)
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" role=\"img\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
            "<title>\(Self.escape(title))</title>",
        ]
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}
