import Foundation

/// Number formatting for messages: short, and exact enough to see what differs.
enum Format {
    /// `0.5`, `-1.23457`, `1e-08`, `nan`.
    static func value(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return "0" }
        return String(format: "%.6g", x)
    }

    /// `5.0e-01`: for differences and tolerances.
    static func small(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        return String(format: "%.1e", x)
    }

    /// `[0.5, 1, 2]`, shortened in the middle when long.
    static func values(_ xs: [Double], limit: Int = 8) -> String {
        if xs.count <= limit { return "[" + xs.map(value).joined(separator: ", ") + "]" }
        let head = xs.prefix(limit / 2).map(value), tail = xs.suffix(limit / 2).map(value)
        return "[" + head.joined(separator: ", ") + ", … " + tail.joined(separator: ", ") + "] (\(xs.count) values)"
    }

    /// `x[1, 2]` for element `flat` of a tensor of `shape`; `x` for a scalar.
    static func element(_ name: String, _ flat: Int, shape: [Int]) -> String {
        if shape.isEmpty { return name }
        var index: [Int] = []
        var rest = flat
        for size in shape.reversed() {
            index.append(size > 0 ? rest % size : 0)
            rest = size > 0 ? rest / size : 0
        }
        return "\(name)[\(index.reversed().map(String.init).joined(separator: ", "))]"
    }

    static func shape(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}
