# What .data hides from autograd, the version error for a saved output, and inference mode's promise.
import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.exp()
y.data.mul_(2)
print(y._version, y.data.requires_grad)
y.sum().backward()
print(x.grad)
x.grad = None
y = x.exp()
y.detach().mul_(2)
print(y._version)
try:
    y.sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)
with torch.inference_mode():
    z = x * 2
print(z.requires_grad, z.is_inference())
try:
    (z * x).sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)
