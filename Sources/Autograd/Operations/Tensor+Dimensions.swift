/// The public spellings of the operations that take a dimension, a position or a list of
/// tensors from the user. Each checks its arguments first and throws PyTorch's message
/// (`Dimension out of range (expected to be in range of [-2, 1], but got 2)`), so a wrong number
/// is an error a program can catch, never a stopped program. The work is done by internal
/// twins (`sumAlong`, `unsqueezing`, …) that the library calls with dimensions it derived itself.
extension Tensor {
    /// The sum along `dim` (`SumBackward1`); negative `dim` counts from the end.
    public func sum(dim: Int, keepdim: Bool = false) throws -> Tensor {
        _ = try checkedDim(dim)
        return sumAlong(dim: dim, keepdim: keepdim)
    }

    /// The mean along `dim` (`MeanBackward1`).
    public func mean(dim: Int, keepdim: Bool = false) throws -> Tensor {
        _ = try checkedDim(dim)
        return meanAlong(dim: dim, keepdim: keepdim)
    }

    /// `softmax` along `dim`: exponentials normalised to sum to 1, computed stably
    /// (`SoftmaxBackward0`). Saves its output only, as PyTorch does.
    public func softmax(dim: Int) throws -> Tensor {
        _ = try checkedDim(dim)
        return softmaxAlong(dim: dim)
    }

    /// `log_softmax` along `dim`: `x - logsumexp(x)`, computed stably (`LogSoftmaxBackward0`).
    public func logSoftmax(dim: Int) throws -> Tensor {
        _ = try checkedDim(dim)
        return logSoftmaxAlong(dim: dim)
    }

    /// The Euclidean norm of all elements (`torch.linalg.vector_norm`); 0 for an empty tensor.
    public func norm() -> Tensor { vectorNorm() }

    /// The vector p-norm of all elements, or along `dim` (`torch.linalg.vector_norm`).
    /// `p` may be 1, 2, any positive number, or `.infinity`. The backward pass is PyTorch's
    /// `norm_backward`, step for step, so kinks (zero entries, a zero norm) give PyTorch's values
    /// in first and second order. The infinity norm of nothing has no value: that throws.
    public func norm(_ p: Double, dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        let reduced = try dim.map { try checkedDim($0) }
        if p == .infinity {
            // PyTorch's two messages, the second without a space after the dimension.
            if let d = reduced, rank > 0 && shape[d] == 0 {
                throw AutogradError("linalg.vector_norm cannot compute the inf norm on the dimension \(d)because this dimension is empty and the operation does not have an identity")
            }
            if reduced == nil && count == 0 {
                throw AutogradError("linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have an identity")
            }
        }
        return vectorNorm(p, dim: dim, keepdim: keepdim)
    }

    /// Removes every dimension of size 1 (`SqueezeBackward0`).
    public func squeeze() -> Tensor { squeezing(nil) }

    /// Removes `dim` if its size is 1, and otherwise returns the same values (`SqueezeBackward1`).
    public func squeeze(_ dim: Int) throws -> Tensor {
        _ = try checkedDim(dim)
        return squeezing(dim)
    }

    /// Inserts a dimension of size 1 at `dim`, which may be `rank` (the end) or negative.
    public func unsqueeze(_ dim: Int) throws -> Tensor {
        _ = try checkedDim(dim, rank: rank + 1)
        return unsqueezing(dim)
    }

    /// Swaps two dimensions (`TransposeBackward0`).
    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        _ = try checkedDim(dim0)
        _ = try checkedDim(dim1)
        return transposing(dim0, dim1)
    }

    /// Elements `start..<start+length` along `dim` (`torch.narrow`; negative `start` counts
    /// from the end).
    public func narrow(_ dim: Int, start: Int, length: Int) throws -> Tensor {
        guard rank > 0 else { throw AutogradError("narrow() cannot be applied to a 0-dim tensor.") }
        let d = try checkedDim(dim), size = shape[d]
        guard start >= -size && start <= size else {
            throw AutogradError("start out of range (expected to be in range of [\(-size), \(size)], but got \(start))")
        }
        let s = start < 0 ? start + size : start
        guard length >= 0 && s <= size - length else {
            throw AutogradError("start (\(s)) + length (\(length)) exceeds dimension size (\(size)).")
        }
        return narrowing(d, start: s, length: length)
    }

    /// `tensor.size(d)`; negative `d` counts from the end.
    public func size(_ dim: Int) throws -> Int {
        guard rank > 0 else { throw AutogradError("Dimension specified as \(dim) but tensor has no dimensions") }
        return try shape[checkedDim(dim)]
    }

    /// Joins tensors along an existing dimension (`torch.cat`). As in PyTorch, one-dimensional
    /// empty tensors (shape `[0]`) are skipped whatever the others' shapes, so a running result
    /// can start from `Tensor([])`.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard !tensors.isEmpty else { throw AutogradError("torch.cat(): expected a non-empty list of Tensors") }
        if let k = tensors.firstIndex(where: { $0.rank == 0 }) {
            throw AutogradError("zero-dimensional tensor (at position \(k)) cannot be concatenated")
        }
        guard let first = tensors.first(where: { $0.shape != [0] }) else { return concatenating(tensors, dim: dim) }
        let d = try first.checkedDim(dim)
        for (k, t) in tensors.enumerated() where t.shape != [0] {
            guard t.rank == first.rank else {
                throw AutogradError("Tensors must have same number of dimensions: got \(first.rank) and \(t.rank)")
            }
            if let j = (0..<t.rank).first(where: { $0 != d && t.shape[$0] != first.shape[$0] }) {
                throw AutogradError("Sizes of tensors must match except in dimension \(d). Expected size \(first.shape[j]) but got size \(t.shape[j]) for tensor number \(k) in the list.")
            }
        }
        return concatenating(tensors, dim: d)
    }

    /// Joins tensors of one shape along a new dimension (`torch.stack`).
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = tensors.first else { throw AutogradError("stack expects a non-empty TensorList") }
        let d = try first.checkedDim(dim, rank: first.rank + 1)
        for (k, t) in tensors.enumerated() where t.shape != first.shape {
            throw AutogradError("stack expects each tensor to be equal size, but got \(first.shape) at entry 0 and \(t.shape) at entry \(k)")
        }
        return stacking(tensors, dim: d)
    }
}
