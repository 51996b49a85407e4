import Foundation

/// `10 s`, `3.3 s`: a duration as people read it.
func describeSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
}
