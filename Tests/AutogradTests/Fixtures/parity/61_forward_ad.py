# Forward-mode AD: dual tensors carry a tangent through every operation.
import torch
import torch.autograd.forward_ad as fwAD

x = torch.tensor([1.0, 2.0])
try:
    fwAD.make_dual(x, torch.ones(2))
except RuntimeError as e:
    print(f"RuntimeError: {e}")
with fwAD.dual_level():
    d = fwAD.make_dual(x, torch.tensor([1.0, 0.5]))
    print(d)
    print(fwAD.unpack_dual(d * d + 3 * d - 1).tangent)
    print(fwAD.unpack_dual(d / (d + 1) - 2 / d).tangent)
    print(fwAD.unpack_dual(d ** 3).tangent, fwAD.unpack_dual(2 ** d).tangent)
    print(fwAD.unpack_dual(d.exp()).tangent, fwAD.unpack_dual(d.log()).tangent)
    print(fwAD.unpack_dual(d.tanh()).tangent, fwAD.unpack_dual(d.sigmoid()).tangent)
    print(fwAD.unpack_dual((d - 1.5).relu()).tangent)
    print(d.sum(), d.mean())
    m = fwAD.make_dual(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    w = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
    print(m @ w)
    print(fwAD.unpack_dual(w @ m).tangent)
    print(fwAD.unpack_dual(m.reshape(4)).tangent, fwAD.unpack_dual(m.t()).tangent)
    print(fwAD.unpack_dual(m.sum(dim=0)).tangent, fwAD.unpack_dual(m.mean(dim=1)).tangent)
    print(fwAD.unpack_dual(m.unsqueeze(0).squeeze()).tangent)
    print(fwAD.unpack_dual(m.softmax(dim=1)).tangent)
    print(fwAD.unpack_dual(d.unsqueeze(1) * torch.tensor([1.0, 10.0])).tangent)
    p, t = fwAD.unpack_dual((d * d).sum())
    print(p, t)
    print(fwAD.unpack_dual(x))
    print(fwAD.unpack_dual(d.detach()).tangent)
    try:
        fwAD.make_dual(x, torch.ones(3))
    except RuntimeError as e:
        print(f"RuntimeError: {e}")
    try:
        with fwAD.dual_level():
            pass
    except RuntimeError as e:
        print(f"RuntimeError: {e}")
    y = d * d
print(fwAD.unpack_dual(y).tangent)
