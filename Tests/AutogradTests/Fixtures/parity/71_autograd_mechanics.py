# Lesson 15's claims about autograd's switches: grad modes nest, frozen tensors still pass gradients
# through, in-place changes bump the version and move grad_fn, dropout is the identity in eval mode.
import torch
w = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.enable_grad():
    with torch.no_grad():
        y = w * 2
with torch.no_grad():
    with torch.enable_grad():
        z = w * 2
print(y.requires_grad, z.requires_grad, torch.is_grad_enabled())
# freezing: the frozen factor gets no grad, the other still does
w1 = torch.tensor([2.0], requires_grad=True)
w2 = torch.tensor([3.0], requires_grad=True)
w2.requires_grad_(False)
(w1 * w2).sum().backward()
print(w1.grad, w2.grad)
try:
    (w1 * 2).requires_grad_(False)
except RuntimeError as e:
    print("RuntimeError:", e)
# version counter
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 2
print(a._version, b._version)
b.add_(1)
b.mul_(3)
print(a._version, b._version, b.grad_fn.name())
# dropout
torch.manual_seed(0)
drop = torch.nn.Dropout(0.5)
print(drop)
t = torch.ones(1000, requires_grad=True)
o = drop(t)
print(o.grad_fn.name(), sorted(set(o.tolist())))
drop.eval()
print(drop.training, drop(t) is t)
print(torch.nn.functional.dropout(torch.tensor([1.0, -2.0]), p=1.0))
# the [N, 1] against [N] broadcast
prediction = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
target = torch.tensor([1.0, 2.0, 3.0, 4.0])
print((prediction - target).shape)
print(((prediction - target) ** 2).mean(), ((prediction.squeeze(1) - target) ** 2).mean())
# item() inside the graph
weights = torch.tensor([1.0, -2.0], requires_grad=True)
penalty = torch.tensor(0.1 * (weights ** 2).sum().item())
((weights * 3).sum() + penalty).backward()
print(penalty.requires_grad, weights.grad)
weights.grad = None
((weights * 3).sum() + 0.1 * (weights ** 2).sum()).backward()
print(weights.grad)
