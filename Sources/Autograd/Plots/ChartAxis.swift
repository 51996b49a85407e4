import Foundation

/// One axis of a chart: its range, its tick marks and their labels, and the mapping from a value
/// to a position between 0 (the low end) and 1 (the high end). Shared by the terminal and SVG
/// charts so both label axes alike.
struct ChartAxis {
    let scale: AxisScale
    /// The ends of the axis, in data units (positive for a log axis).
    let lower: Double
    let upper: Double
    /// Labelled tick marks, from low to high.
    let ticks: [Double]
    /// Unlabelled marks between them (2×, 3×, ... 9× each power of ten on a log axis).
    let minorTicks: [Double]

    /// An axis covering every drawable value in `values`, ending on round numbers, with about
    /// `targetTicks` labelled ticks. When all values are whole numbers (steps, epochs) the ticks
    /// are too.
    static func fitting(_ values: [Double], scale: AxisScale, targetTicks: Int = 5) -> ChartAxis {
        switch scale {
        case .linear:
            let finite = values.filter(\.isFinite)
            var low = finite.min() ?? 0, high = finite.max() ?? 1
            if low == high {
                let pad = low == 0 ? 1 : Swift.abs(low) * 0.5
                (low, high) = (low - pad, high + pad)
            }
            var step = niceStep((high - low) / Double(Swift.max(targetTicks - 1, 1)))
            if !finite.isEmpty && finite.allSatisfy({ $0 == $0.rounded() }) { step = Swift.max(step, 1) }
            let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
            let ticks = stride(from: first, through: last, by: 1).map { clean($0 * step, step: step) }
            return ChartAxis(scale: .linear, lower: ticks.first!, upper: ticks.last!, ticks: ticks, minorTicks: [])
        case .log:
            let positive = values.filter { $0.isFinite && $0 > 0 }
            var low = (positive.min().map(Foundation.log10) ?? -1).rounded(.down)
            var high = (positive.max().map(Foundation.log10) ?? 1).rounded(.up)
            if low == high { low -= 1; high += 1 }
            let decades = Int(high - low)
            // At most about eight labels: every k-th power of ten on very wide ranges.
            let every = Swift.max(1, Int((Double(decades) / 8).rounded(.up)))
            if every > 1 {
                low = (low / Double(every)).rounded(.down) * Double(every)
                high = (high / Double(every)).rounded(.up) * Double(every)
            }
            let exponents = stride(from: Int(low), through: Int(high), by: every)
            let ticks = exponents.map { Foundation.pow(10, Double($0)) }
            var minor: [Double] = []
            if every == 1 && decades <= 6 {
                for e in Int(low)..<Int(high) {
                    for m in 2...9 { minor.append(Double(m) * Foundation.pow(10, Double(e))) }
                }
            }
            return ChartAxis(scale: .log, lower: ticks.first!, upper: ticks.last!, ticks: ticks, minorTicks: minor)
        }
    }

    /// Where `value` lies on the axis, 0 at `lower` and 1 at `upper`; nil when it can't be drawn.
    func position(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch scale {
        case .linear:
            return (value - lower) / (upper - lower)
        case .log:
            guard value > 0 else { return nil }
            return (Foundation.log10(value) - Foundation.log10(lower)) / (Foundation.log10(upper) - Foundation.log10(lower))
        }
    }

    /// The value at a position between 0 and 1 (the inverse of `position`).
    func value(at position: Double) -> Double {
        switch scale {
        case .linear: return lower + position * (upper - lower)
        case .log:
            let l = Foundation.log10(lower), u = Foundation.log10(upper)
            return Foundation.pow(10, l + position * (u - l))
        }
    }

    /// The label of a tick: `0.25`, `1500`, `2e-05` on a linear axis; `0.01`, `1`, `1000`,
    /// `1e-07` on a log axis.
    func label(_ value: Double) -> String {
        switch scale {
        case .log:
            let e = Int(Foundation.log10(value).rounded())
            if e >= -3 && e <= 4 { return ChartAxis.plain(Foundation.pow(10, Double(e)), decimals: Swift.max(0, -e)) }
            return "1e\(e)"
        case .linear:
            let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
            let largest = ticks.map { Swift.abs($0) }.max() ?? 0
            if largest >= 1e6 || (step < 1e-3 && largest < 1e-2) { return ChartAxis.scientific(value) }
            return ChartAxis.plain(value, decimals: Swift.max(0, -Int(Foundation.log10(step).rounded(.down))))
        }
    }

    /// A step of 1, 2 or 5 times a power of ten, near `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let magnitude = Foundation.pow(10, Foundation.log10(rough).rounded(.down))
        let residual = rough / magnitude
        let nice: Double = residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10
        return nice * magnitude
    }

    /// `value` rounded to the precision of `step`, so 0.1 + 0.2 prints as 0.3 and −0 as 0.
    private static func clean(_ value: Double, step: Double) -> Double {
        let digits = Swift.max(0, -Int(Foundation.log10(step).rounded(.down)) + 1)
        let factor = Foundation.pow(10, Double(Swift.min(digits, 15)))
        let rounded = (value * factor).rounded() / factor
        return rounded == 0 ? 0 : rounded
    }

    static func plain(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return text == "-0" ? "0" : text
    }

    /// `2.5e-05` → `2.5e-5`: scientific notation without padding.
    static func scientific(_ value: Double) -> String {
        if value == 0 { return "0" }
        let text = String(format: "%.3e", value)
        guard let e = text.firstIndex(of: "e") else { return text }
        var mantissa = String(text[..<e])
        while mantissa.contains(".") && (mantissa.hasSuffix("0") || mantissa.hasSuffix(".")) { mantissa.removeLast() }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return "\(mantissa)e\(exponent)"
    }

    /// A threshold or other round number as people write it: `1000`, `0.5`, `1e-7`, `2.5e6`.
    static func readable(_ value: Double) -> String {
        let magnitude = Swift.abs(value)
        if value == 0 || (magnitude >= 1e-3 && magnitude < 1e5) { return String(format: "%g", value) }
        return scientific(value)
    }

    /// A compact value label with three significant digits (`0.234`, `1.2e-05`, `inf`).
    static func compact(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return String(format: "%.3g", value)
    }
}
