# torch.autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp.
import torch
from torch.autograd.functional import vjp, jvp, jacobian, hessian, hvp, vhp

def f(x):
    return torch.stack([x[0] * x[1], x[0].exp() + x[1] ** 2, x[1].tanh()])

x = torch.tensor([0.5, -1.0])
print(vjp(f, x, torch.tensor([1.0, 2.0, 3.0])))
print(jvp(f, x, torch.tensor([1.0, 0.0])))
print(jvp(f, x, torch.tensor([0.0, 1.0])))
print(jacobian(f, x))
print(jacobian(f, x, strategy="forward-mode", vectorize=True))

def g(x):
    return (x[0] ** 2 * x[1] + x[1].sin() * 3).reshape(())

print(hessian(g, x))
print(hvp(g, x, torch.tensor([1.0, 2.0])))
print(vhp(g, x, torch.tensor([1.0, 2.0])))

def two(a, b):
    return (a @ b).sum()

a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
b = torch.tensor([0.5, -1.0])
print(vjp(two, (a, b)))
print(jacobian(two, (a, b)))
h = hessian(two, (a, b))
print(h[0][1].shape, h[1][0].shape)
print(h[1][0])
print(jacobian(lambda m: m.t() @ b, a).shape)
for call in [lambda: vjp(f, x), lambda: jvp(f, x), lambda: vjp(f, x, torch.ones(2)),
             lambda: hvp(lambda x: x * 2, x, torch.ones(2)),
             lambda: jacobian(lambda x: torch.ones(2), x, strict=True)]:
    try:
        call()
    except RuntimeError as e:
        print(f"RuntimeError: {e}")
print(jacobian(lambda x: torch.ones(2) + x[0] * 0, x))
