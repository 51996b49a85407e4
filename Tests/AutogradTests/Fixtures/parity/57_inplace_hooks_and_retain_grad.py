# After an in-place change, retain_grad keeps the gradient of the newest version, and hooks registered
# before the change see the gradient of the version they were registered on.
import torch
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 2
b.retain_grad()
seen = []
b.register_hook(lambda g: seen.append(g.clone()))
b.mul_(3)
(b * torch.tensor([1.0, 10.0])).sum().backward()
print(b.grad, seen, a.grad)
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 2
b.retain_grad()
b.view([2, 1]).add_(1)
(b * torch.tensor([1.0, 10.0])).sum().backward()
print(b.grad, a.grad)
