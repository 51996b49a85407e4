func thrice(_ x: Double) -> Double { 3 * x }
