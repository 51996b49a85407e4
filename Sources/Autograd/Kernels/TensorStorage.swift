/// The memory behind one or more tensors.
///
/// `detach()`, `reshape` and `view` share a storage, so an in-place change through one is seen by
/// all, and so is the version counter autograd uses to notice that a saved tensor was modified.
final class TensorStorage {
    /// Values of float32 and float16 tensors (float16 values are kept on the half grid).
    var floats: [Float]
    /// Values of float64 tensors.
    var doubles: [Double]
    /// Bumped by every in-place change; saved tensors remember it to detect later modification.
    var version = 0

    init(floats: [Float]) {
        self.floats = floats
        self.doubles = []
    }

    init(doubles: [Double]) {
        self.floats = []
        self.doubles = doubles
    }

    /// Storage for `values` in `dtype`, rounding each value as that type does.
    convenience init(_ values: [Double], dtype: DType) {
        if dtype == .float64 {
            self.init(doubles: values)
        } else {
            self.init(floats: values.map { Float($0) })
            if dtype == .float16 { roundToHalf() }
        }
    }

    convenience init(repeating value: Double, count: Int, dtype: DType) {
        if dtype == .float64 {
            self.init(doubles: [Double](repeating: value, count: count))
        } else {
            let v = dtype == .float16 ? Float(Float16(Float(value))) : Float(value)
            self.init(floats: [Float](repeating: v, count: count))
        }
    }


    /// All values as `Double`, in storage order.
    func values(dtype: DType) -> [Double] {
        dtype == .float64 ? doubles : floats.map { Double($0) }
    }

    func copy() -> TensorStorage {
        let s = TensorStorage(floats: floats)
        s.doubles = doubles
        return s
    }

    /// Puts every float value on the float16 grid: computing in `Float` and rounding once gives the
    /// correctly rounded half result for + - * / and sqrt, as PyTorch's CPU kernels do.
    func roundToHalf() {
        floats.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = Float(Float16(p[i])) }
        }
    }
}
