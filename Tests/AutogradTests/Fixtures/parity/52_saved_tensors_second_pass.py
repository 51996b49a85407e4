# What each operation saves for backward, which graphs may be run backward twice, and how the
# recorded backward of an operation is named.
import torch
import torch.nn.functional as F
import warnings
warnings.simplefilter("ignore")
def fn(t): return None if t.grad_fn is None else "<" + type(t.grad_fn).__name__ + ">"
# count what is saved (a pack hook sees every tensor an operation saves)
count = [0]
def pack(t):
    count[0] += 1
    return t
x = torch.tensor([0.5, 1.5], requires_grad=True)
y = torch.tensor([2.0, 3.0], requires_grad=True)
ops = [("exp", lambda: x.exp()), ("tanh", lambda: x.tanh()), ("sigmoid", lambda: x.sigmoid()),
       ("sqrt", lambda: x.sqrt()), ("2 ** x", lambda: 2 ** x), ("x ** y", lambda: x ** y),
       ("x ** 3", lambda: x ** 3), ("relu", lambda: x.relu()), ("log", lambda: x.log()),
       ("x * 2.0", lambda: x * 2.0), ("2 * x", lambda: 2 * x), ("x / 2", lambda: x / 2),
       ("x * y", lambda: x * y), ("x + 1", lambda: x + 1), ("x - y", lambda: x - y), ("-x", lambda: -x),
       ("sum", lambda: x.sum()), ("mean", lambda: x.mean()), ("reshape", lambda: x.reshape([2, 1]))]
for name, op in ops:
    count[0] = 0
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = op()
    print(name, count[0])
# a second backward without retain_graph: only operations that saved nothing may run again
for name, op in ops:
    out = op().sum()
    out.backward()
    try:
        out.backward()
        print(name, "ran twice")
    except RuntimeError as e:
        print(name, "RuntimeError:", str(e)[:50])
# a saved output refers back to its own node: a hook on it fires again in the second pass
x = torch.tensor(0.5, requires_grad=True)
t = x.exp()
t.register_hook(lambda g: g * 2)
g, = torch.autograd.grad(t, x, create_graph=True)
print(g, fn(g))
(g * g).sum().backward()
print(x.grad)
# the recorded backward of each operation, as PyTorch names it
for name, f in [("tanh", torch.tanh), ("sigmoid", torch.sigmoid), ("relu", torch.relu), ("exp", torch.exp),
                ("x ** 3", lambda v: v ** 3), ("log", torch.log), ("sqrt", torch.sqrt)]:
    x = torch.tensor([0.5, 1.5], requires_grad=True)
    g, = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    g2, = torch.autograd.grad(g.sum(), x)
    print(name, g, g2)
x = torch.tensor([0.5, -1.5], requires_grad=True)
g, = torch.autograd.grad(torch.tanh(x).sum(), x, create_graph=True)
g2, = torch.autograd.grad(g.sum(), x, create_graph=True)
g3, = torch.autograd.grad(g2.sum(), x)
print(g2, g3)
g, = torch.autograd.grad(torch.sigmoid(x).sum(), x, create_graph=True)
g2, = torch.autograd.grad(g.sum(), x, create_graph=True)
print(g2, torch.autograd.grad(g2.sum(), x))
# second order through relu alone and through nll_loss alone: zeros
x = torch.tensor([0.5, -1.5], requires_grad=True)
g, = torch.autograd.grad(x.relu().sum(), x, create_graph=True)
print(g, g.requires_grad, torch.autograd.grad(g.sum(), x))
lp = torch.tensor([[-1.0, -2.0], [-0.5, -3.0]], requires_grad=True)
g, = torch.autograd.grad(F.nll_loss(lp, torch.tensor([1, 0])), lp, create_graph=True)
print(g, torch.autograd.grad(g.sum(), lp))
