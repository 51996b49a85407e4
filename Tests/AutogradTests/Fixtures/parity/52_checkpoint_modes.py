# torch.utils.checkpoint in its two modes: what the result's grad_fn is and whether it requires grad.
import torch, warnings
from torch.utils.checkpoint import checkpoint
W1 = torch.tensor([[0.5, -0.25], [1.0, 0.75]], requires_grad=True)
x = torch.tensor([[1.0, 2.0], [0.5, -1.0]])
def block(h):
    return torch.tanh(h @ W1)
y = checkpoint(block, x, use_reentrant=False)
print("use_reentrant=False:", type(y.grad_fn).__name__, y.requires_grad)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    y = checkpoint(block, x, use_reentrant=True)
print("use_reentrant=True, input without grad:", y.grad_fn, y.requires_grad)
print("warning:", str(caught[0].message))
xg = x.clone().requires_grad_()
y = checkpoint(block, xg, use_reentrant=True)
print("use_reentrant=True, input with grad:", type(y.grad_fn).__name__, y.requires_grad)
