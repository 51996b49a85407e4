import Foundation

/// PyTorch's warnings that are printed once per process (`TORCH_WARN_ONCE`), to standard error.
enum Warnings {
    enum Kind: CaseIterable {
        case nonLeafGrad, transposeOfNonMatrix, transposeOfScalar

        var text: String {
            switch self {
            case .nonLeafGrad:
                return "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information."
            case .transposeOfScalar:
                return "UserWarning: Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
            case .transposeOfNonMatrix:
                return "UserWarning: The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor."
            }
        }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var shown: Set<Kind> = []
    /// Where warnings go; tests replace it to read them.
    nonisolated(unsafe) static var sink: (String) -> Void = { text in
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Shows `kind` the first time it happens in this process.
    static func once(_ kind: Kind) {
        lock.lock()
        let first = shown.insert(kind).inserted
        let sink = self.sink
        lock.unlock()
        if first { sink(kind.text) }
    }

    /// Forgets which warnings were shown (tests).
    static func reset() {
        lock.lock(); defer { lock.unlock() }
        shown = []
    }
}
