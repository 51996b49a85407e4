# l1_loss is recorded as its operations (MeanBackward0 <- AbsBackward0), and the recorded backward of
# binary_cross_entropy_with_logits ends, for a mean, in a division by the count (DivBackward1).
import torch
import torch.nn.functional as F
def fn(t): return None if t.grad_fn is None else "<" + type(t.grad_fn).__name__ + ">"
for reduction in ["mean", "sum", "none"]:
    x = torch.tensor([0.5, -1.5, 2.0, 1.0], requires_grad=True)
    t = torch.tensor([1.0, 0.0, 1.0, 1.0], requires_grad=True)
    l1 = F.l1_loss(x, t, reduction=reduction)
    bce = F.binary_cross_entropy_with_logits(x, t, reduction=reduction)
    print(reduction, l1, bce)
    g1 = torch.autograd.grad(l1, [x, t], torch.ones_like(l1), create_graph=True)
    g2 = torch.autograd.grad(bce, [x, t], torch.ones_like(bce), create_graph=True)
    print(fn(g1[0]), fn(g2[0]), g1[0].detach(), g2[0].detach(), g2[1].detach())
    print(torch.autograd.grad((g2[0] * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum(), [x, t]))
