# With create_graph, the input gradient of mse_loss and huber_loss is one node with PyTorch's
# double-backward formulas: derivatives with respect to the input, the target and the incoming gradient.
import torch
import torch.nn.functional as F
def fn(t): return None if t.grad_fn is None else "<" + type(t.grad_fn).__name__ + ">"
for name, loss in [("mse", F.mse_loss), ("huber", lambda a, b, reduction: F.huber_loss(a, b, reduction=reduction, delta=1.0))]:
    for reduction in ["mean", "sum", "none"]:
        x = torch.tensor([[0.5, -1.5, 2.0], [1.0, 0.0, -0.25]], requires_grad=True)
        t = torch.tensor([[1.0, 0.0, 3.0], [0.0, 0.5, 0.75]], requires_grad=True)
        seed = torch.tensor([[1.0, 2.0, -1.0], [0.5, 1.0, 3.0]], requires_grad=True)
        out = loss(x, t, reduction=reduction)
        gout = seed if reduction == "none" else torch.tensor(1.5, requires_grad=True)
        gx, = torch.autograd.grad(out, x, grad_outputs=gout, create_graph=True)
        print(name, reduction, fn(gx), gx.detach())
        w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        print(torch.autograd.grad((gx * w).sum(), [x, t, gout]))
