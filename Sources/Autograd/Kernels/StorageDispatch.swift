/// Runs a kernel on the values of the right element type, so operations are written once.
extension TensorStorage {
    func map(_ dtype: DType, _ f32: ([Float]) -> [Float], _ f64: ([Double]) -> [Double]) -> TensorStorage {
        dtype == .float64 ? TensorStorage(doubles: f64(doubles)) : TensorStorage(floats: f32(floats))
    }

    func zip(_ other: TensorStorage, _ dtype: DType,
             _ f32: ([Float], [Float]) -> [Float], _ f64: ([Double], [Double]) -> [Double]) -> TensorStorage {
        dtype == .float64 ? TensorStorage(doubles: f64(doubles, other.doubles))
                          : TensorStorage(floats: f32(floats, other.floats))
    }
}
