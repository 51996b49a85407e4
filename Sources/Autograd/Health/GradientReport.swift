import Foundation

/// Formats gradient readings as a plain-text table for a terminal: one row per parameter,
/// numbers in aligned columns, problems named in the last column and explained below the table.
///
/// ```text
/// Gradient health at step 3 (vanishing < 1e-06, exploding > 1000)
/// parameter  shape    norm       max |g|    mean |g|   zeros  flags
/// 0.weight   [8, 4]   2.341e-01  9.812e-02  2.113e-02    0%
/// 0.bias     [8]      0.000e+00  0.000e+00  0.000e+00  100%  dead
/// ```
public enum GradientReport {
    /// The table for one step's readings, with a legend line for each flag that occurs.
    public static func table(_ readings: [GradientStatistics], vanishingThreshold: Double = 1e-6,
                             explodingThreshold: Double = 1e3) -> String {
        guard let first = readings.first else { return "Gradient health: nothing recorded yet" }
        let header = ["parameter", "shape", "norm", "max |g|", "mean |g|", "zeros", "flags"]
        let rows = readings.map { r -> [String] in
            let missing = r.flags.contains(.missing)
            var flags = r.flags.map(\.description).joined(separator: ", ")
            if r.flags.contains(.nonFinite) {
                flags += " (\(r.nanCount) NaN, \(r.infCount) inf)"
            }
            return [r.name, "[" + r.shape.map(String.init).joined(separator: ", ") + "]",
                    missing ? "-" : number(r.norm), missing ? "-" : number(r.maxAbs),
                    missing ? "-" : number(r.meanAbs), missing ? "-" : percent(r.zeroFraction), flags]
        }
        // Text columns align left, number columns right; the last column is left unpadded.
        let rightAligned: Set<Int> = [2, 3, 4, 5]
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                if c == cells.count - 1 { return cell }
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var lines = ["Gradient health at step \(first.step) (vanishing < \(short(vanishingThreshold)), exploding > \(short(explodingThreshold)))"]
        lines.append(line(header))
        lines += rows.map(line)
        let seen = GradientFlag.allCases.filter { flag in readings.contains { $0.flags.contains(flag) } }
        if !seen.isEmpty { lines.append("") }
        for flag in seen { lines.append("\(flag): \(explanation(flag))") }
        return lines.joined(separator: "\n")
    }

    /// What a flag means and what usually causes it, in one line for the legend.
    public static func explanation(_ flag: GradientFlag) -> String {
        switch flag {
        case .vanishing: return "the gradient is tiny, so this parameter barely moves (saturated activations, deep chains, tiny weights)"
        case .exploding: return "the gradient is huge, so one step throws this parameter far (learning rate, scale of inputs or loss; try clipping)"
        case .dead: return "every element is exactly 0, so nothing reaches this parameter (ReLUs that are always off, a detached or zeroed path)"
        case .nonFinite: return "NaN or inf in the gradient will corrupt the weights (log(0), sqrt at 0, division by 0, overflow)"
        case .missing: return ".grad is nil: the parameter was not used in the loss, or backward() has not run"
        }
    }

    /// `1.234e-01`: three decimals in scientific notation, so magnitudes line up.
    static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return String(format: "%.3e", x)
    }

    static func percent(_ fraction: Double) -> String {
        let p = fraction * 100
        if p == 0 || p == 100 { return "\(Int(p))%" }
        return String(format: "%.1f%%", p)
    }

    /// `1e-07`, `1000`: a threshold as `%g` prints it.
    static func short(_ x: Double) -> String { String(format: "%g", x) }
}
