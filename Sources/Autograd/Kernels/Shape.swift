/// Shape arithmetic shared by the kernels: element counts, strides and NumPy broadcasting.
enum Shape {
    static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Row-major strides, in elements.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = running
            running *= shape[d]
        }
        return strides
    }

    /// The broadcast shape of `a` and `b`, or nil when they don't broadcast.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Strides that read a tensor of `shape` as if it had the (broadcast) shape `target`:
    /// a broadcast dimension gets stride 0, so the same element is read again.
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        return (0..<target.count).map { i in
            i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
        }
    }

    /// PyTorch's message for shapes that don't broadcast.
    static func mismatchMessage(_ a: [Int], _ b: [Int]) -> String {
        let n = max(a.count, b.count)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da != db && da != 1 && db != 1 {
                return "The size of tensor a (\(da)) must match the size of tensor b (\(db)) at non-singleton dimension \(i)"
            }
        }
        return "shapes \(a) and \(b) do not broadcast"
    }

    /// Calls `body(outIndex, aIndex, bIndex)` for every element of the broadcast `shape`, in
    /// row-major order, with the flat indices into two operands read through `aStrides`/`bStrides`.
    @inline(__always)
    static func forEachBroadcast(
        _ shape: [Int], _ aStrides: [Int], _ bStrides: [Int], _ body: (Int, Int, Int) -> Void
    ) {
        let total = count(shape)
        if total == 0 { return }
        let rank = shape.count
        if rank == 0 { body(0, 0, 0); return }
        var index = [Int](repeating: 0, count: rank)
        var ia = 0, ib = 0
        let inner = shape[rank - 1], sa = aStrides[rank - 1], sb = bStrides[rank - 1]
        var out = 0
        while out < total {
            var a = ia, b = ib
            for _ in 0..<inner {
                body(out, a, b)
                out += 1; a += sa; b += sb
            }
            // Advance the odometer over the outer dimensions.
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                ia += aStrides[d]; ib += bStrides[d]
                if index[d] < shape[d] { break }
                ia -= aStrides[d] * shape[d]; ib -= bStrides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}
