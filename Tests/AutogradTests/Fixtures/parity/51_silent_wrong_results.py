# Cases where a gradient could silently differ from PyTorch's: hooks in autograd.grad, pow with
# exponent 0, norms at zeros, the Huber kink, all-ignored targets, and which tensors are new objects.
import torch
import torch.nn.functional as F
import warnings
warnings.simplefilter("ignore")
def fn(t): return None if t.grad_fn is None else "<" + type(t.grad_fn).__name__ + ">"
# autograd.grad applies hooks registered on leaf inputs, as backward does
x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x.register_hook(lambda g: g * 10)
print(torch.autograd.grad((x * x).sum(), [x]))
x.register_hook(lambda g: g + 1)
print(torch.autograd.grad((x * x).sum(), [x]))
h.remove()
print(torch.autograd.grad((x * x).sum(), [x]))
(x * x).sum().backward()
print(x.grad)
# x ** y with exponent 0: the base's gradient is 0, first and second order
x = torch.tensor([0.0, 2.0, -1.0], requires_grad=True)
y = torch.tensor([0.0, 0.0, 2.0], requires_grad=True)
(x ** y).sum().backward()
print(x.grad, y.grad)
gx, gy = torch.autograd.grad((x ** y).sum(), [x, y], create_graph=True)
print(gx, gy)
print(torch.autograd.grad(gx.sum(), [x, y]))
x = torch.tensor([0.0, 2.0], requires_grad=True)
gx, = torch.autograd.grad(x.pow(0.0).sum(), x, create_graph=True)
print(gx, gx.requires_grad)
# vector norms at zero entries
for p in [0.5, 1.0, 1.5, 2.0, 3.0, float("inf")]:
    x = torch.tensor([0.0, 1.0, -2.0], requires_grad=True)
    torch.linalg.vector_norm(x, p).backward()
    print(p, x.grad)
x = torch.tensor([[0.0, 1.0, -2.0], [0.0, 0.0, 0.0]], requires_grad=True)
torch.linalg.vector_norm(x, 1.5, dim=1).sum().backward()
print(x.grad)
z = torch.zeros(3, requires_grad=True)
g, = torch.autograd.grad(torch.linalg.vector_norm(z), z, create_graph=True)
print(g)
print(torch.autograd.grad(g.sum(), z))
z = torch.zeros(3, requires_grad=True)
g, = torch.autograd.grad(torch.linalg.vector_norm(z, 3.0), z, create_graph=True)
print(g, torch.autograd.grad(g.sum(), z))
# Huber: second derivative 0 at |r| == delta
x = torch.tensor([1.0, -1.0, 0.5, 2.0, -0.5], requires_grad=True)
t = torch.zeros(5)
for reduction in ["sum", "mean"]:
    g, = torch.autograd.grad(F.huber_loss(x, t, reduction=reduction, delta=1.0), x, create_graph=True)
    print(g.detach(), torch.autograd.grad(g.sum(), x))
# cross-entropy / nll with every target ignored
logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]], requires_grad=True)
loss = F.cross_entropy(logits, torch.tensor([-100, -100]))
loss.backward()
print(loss, logits.grad)
lp = torch.tensor([[-1.0, -2.0], [-0.5, -3.0]], requires_grad=True)
loss = F.nll_loss(lp, torch.tensor([1, 1]), ignore_index=1)
loss.backward()
print(loss, lp.grad)
loss = F.cross_entropy(logits, torch.tensor([-100, 2]))
logits.grad = None
loss.backward()
print(loss, logits.grad)
# object identity
x = torch.tensor([1.0, 2.0], requires_grad=True)
e = x.expand(2)
print(e is x, fn(e))
e.register_hook(lambda g: g * 10)
(e + x).sum().backward()
print(x.grad)
tt = x.T
print(tt is x, fn(tt))
print(x.flatten() is x, x.t() is x, fn(x.t()))
m = torch.tensor([[1.0, 2.0]], requires_grad=True)
print(m.expand(1, 2) is m, fn(m.expand(1, 2)))
y = torch.arange(24.0).reshape(2, 3, 4).requires_grad_()
yt = y.T
print(yt.shape, fn(yt))
print(yt[3])
(yt * torch.arange(24.0).reshape(4, 3, 2)).sum().backward()
print(y.grad[1])
