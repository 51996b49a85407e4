# The .grad attribute's checks, autograd.grad's unused-input message, and reductions of 0-d tensors.
import torch
import warnings
warnings.simplefilter("ignore")
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = torch.tensor([3.0], requires_grad=True)
try:
    torch.autograd.grad((x * 2).sum(), [x, y])
except RuntimeError as e:
    print("RuntimeError:", e)
print(torch.autograd.grad((x * 2).sum(), [x, y], allow_unused=True))
try:
    torch.autograd.grad((y * 2).sum(), [y, x, x])
except RuntimeError as e:
    print("RuntimeError:", e)
# assigning .grad: dtype and shape must match
try:
    x.grad = torch.tensor([1.0, 2.0], dtype=torch.float64)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    x.grad = torch.tensor([1.0, 2.0, 3.0])
except RuntimeError as e:
    print("RuntimeError:", e)
d = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
try:
    d.grad = torch.tensor([1.0])
except RuntimeError as e:
    print("RuntimeError:", e)
x.grad = torch.tensor([0.5, 0.25])
print(x.grad)
x.grad = None
print(x.grad)
# the .grad of a non-leaf that does not retain grad is None (with a warning on stderr)
h = x * 3
h.sum().backward()
print(h.grad, x.grad)
# 0-d tensors: dim 0 and -1 are accepted
s = torch.tensor(2.5, requires_grad=True)
for dim in [0, -1]:
    v, i = s.max(dim=dim)
    print(v, i.item())
    v, i = s.min(dim=dim)
    print(v, i.item())
    print(s.softmax(dim=dim))
v, _ = s.max(dim=0)
(v * 3).backward()
print(s.grad)
(s.softmax(dim=0) * 2).backward()
print(s.grad)
