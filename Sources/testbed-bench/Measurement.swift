import Foundation

/// One row of the benchmark table: a figure, the baseline it is compared with
/// in the same run (if any), and the target it is held to.
struct Measurement: Encodable {
    /// What was measured, as the README's table names it.
    var name: String
    var value: Double
    var unit: String
    /// What the figure is compared with, measured in the same run.
    var baseline: String?
    var baselineValue: Double?
    /// `value / baselineValue` (or its inverse for rates: always "how many times the baseline").
    var ratio: Double?
    /// The target, in words ("≤ 1.3× baseline", "≥ 500 MB/s").
    var target: String?
    /// Whether the target is met; nil when there is none.
    var met: Bool?

    enum CodingKeys: String, CodingKey {
        case name, value, unit, baseline, ratio, target, met
        case baselineValue = "baseline_value"
    }

    /// A figure held to at most `maxRatio` times a baseline (times, sizes).
    static func atMost(_ name: String, _ value: Double, _ unit: String, baseline: String, _ baselineValue: Double, maxRatio: Double) -> Measurement {
        let ratio = value / baselineValue
        return Measurement(name: name, value: value, unit: unit, baseline: baseline, baselineValue: baselineValue, ratio: ratio,
                           target: String(format: "≤ %.1f× baseline", maxRatio), met: ratio <= maxRatio)
    }

    /// A rate held to at least `minRatio` times a baseline rate.
    static func atLeast(_ name: String, _ value: Double, _ unit: String, baseline: String, _ baselineValue: Double, minRatio: Double) -> Measurement {
        let ratio = value / baselineValue
        return Measurement(name: name, value: value, unit: unit, baseline: baseline, baselineValue: baselineValue, ratio: ratio,
                           target: String(format: "≥ %.1f× baseline", minRatio), met: ratio >= minRatio)
    }

    /// An absolute figure with a limit (`lower` true: the value must be at most `limit`).
    static func absolute(_ name: String, _ value: Double, _ unit: String, limit: Double, lower: Bool = true) -> Measurement {
        Measurement(name: name, value: value, unit: unit,
                    target: (lower ? "≤ " : "≥ ") + Self.format(limit) + " " + unit, met: lower ? value <= limit : value >= limit)
    }

    /// A figure reported for information, with no target.
    static func info(_ name: String, _ value: Double, _ unit: String, baseline: String? = nil, _ baselineValue: Double? = nil) -> Measurement {
        Measurement(name: name, value: value, unit: unit, baseline: baseline, baselineValue: baselineValue,
                    ratio: baselineValue.map { value / $0 })
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }

    /// The row as the README's table shows it.
    var markdownRow: String {
        let figure = Self.format(value) + " " + unit
        let base = baseline.map { name in "\(name): " + (baselineValue.map { Self.format($0) + " " + unit } ?? "") } ?? ""
        let ratioText = ratio.map { String(format: "%.2f×", $0) } ?? ""
        let verdict = met.map { $0 ? "met" : "**not met**" } ?? ""
        return "| \(name) | \(figure) | \(base) | \(ratioText) | \(target ?? "") | \(verdict) |"
    }
}
