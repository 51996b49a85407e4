import Foundation

/// The element types the kernels are written for: `Float` (float32, and float16 computed in float)
/// and `Double` (float64). Kernels are generic over this protocol so one loop serves both, and the
/// optimiser specialises each loop for each type.
protocol TensorScalar: BinaryFloatingPoint {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension Float: TensorScalar {
    static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    static func log(_ x: Float) -> Float { Foundation.log(x) }
    static func sin(_ x: Float) -> Float { Foundation.sin(x) }
    static func cos(_ x: Float) -> Float { Foundation.cos(x) }
    static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

extension Double: TensorScalar {
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
