# Values, grad_fn names, first and second derivatives and error messages of the operations added
# for issue 12. Its output is Tests/AutogradTests/Fixtures/parity/new_ops.out; the Swift twin is
# Tests/AutogradTests/Parity/NewOpsParityTests.swift.
import torch
import torch.nn.functional as F

def name(t):
    return type(t.grad_fn).__name__

def orders(label, f, x):
    y = f(x)
    print(label, y, name(y))
    g, = torch.autograd.grad(y.sum(), x, create_graph=True)
    print(" d1", g.detach(), name(g) if g.grad_fn is not None else None)
    if not g.requires_grad:
        print(" d2", None)
        return
    h, = torch.autograd.grad(g.sum(), x, allow_unused=True)
    # Rounded to 4 decimals (and -0 made 0): second derivatives that are 0 in exact arithmetic
    # come out as float noise whose digits depend on the order of operations.
    print(" d2", torch.round(h * 1e4) / 1e4 + 0.0)

x = torch.tensor([-1.5, -0.5, 0.0, 0.5, 2.0], requires_grad=True)
p = torch.tensor([0.25, 1.0, 4.0], requires_grad=True)
orders("log1p", lambda t: t.log1p(), p)
orders("expm1", lambda t: t.expm1(), x)
orders("rsqrt", lambda t: t.rsqrt(), p)
orders("erf", lambda t: t.erf(), x)
orders("leaky_relu", lambda t: F.leaky_relu(t, 0.1), x)
orders("gelu", lambda t: F.gelu(t), x)
orders("gelu_tanh", lambda t: F.gelu(t, approximate="tanh"), x)
orders("softplus", lambda t: F.softplus(t, beta=2.0, threshold=1.0), x)
orders("silu", lambda t: F.silu(t), x)
orders("logsigmoid", lambda t: F.logsigmoid(t), x)

a = torch.tensor([1.0, 2.0, -1.0, 0.0], requires_grad=True)
b = torch.tensor([1.0, -3.0, -1.0, 0.0], requires_grad=True)
for label, f in [("atan2", torch.atan2), ("maximum", torch.maximum), ("minimum", torch.minimum)]:
    y = f(a, b)
    print(label, y, name(y))
    ga, gb = torch.autograd.grad(y.sum(), [a, b])
    print(" grads", ga, gb)

lo = torch.tensor([0.0, 2.0, 0.0, -1.0], requires_grad=True)
hi = torch.tensor([1.0, 2.0, -1.0, 0.0], requires_grad=True)
y = torch.clamp(a, lo, hi)
print("clamp", y, name(y))
print(" grads", *torch.autograd.grad(y.sum(), [a, lo, hi]))

m = torch.tensor([[1.0, 3.0, 3.0], [0.0, -2.0, 5.0]], requires_grad=True)
for label, f in [
    ("amax", lambda t: t.amax(1)),
    ("amin_all", lambda t: t.amin()),
    ("logsumexp", lambda t: t.logsumexp(1)),
    ("prod", lambda t: t.prod()),
    ("prod_dim", lambda t: t.prod(0, keepdim=True)),
    ("var", lambda t: t.var(1)),
    ("std", lambda t: t.std()),
    ("var_c0", lambda t: t.var(0, correction=0)),
    ("cumsum", lambda t: t.cumsum(1)),
]:
    orders(label, f, m)

w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
for label, f in [
    ("permute", lambda t: t.permute(1, 0)),
    ("mT", lambda t: t.mT),
    ("flip", lambda t: t.flip(1)),
    ("repeat", lambda t: t.repeat(2, 1)),
    ("outer", lambda t: torch.outer(t[0], t[1])),
    ("gather", lambda t: t.gather(1, torch.tensor([[2, 0], [1, 1]]))),
    ("index_select", lambda t: t.index_select(1, torch.tensor([2, 2, 0]))),
    ("slice", lambda t: t[:, 1:3]),
    ("slice_step", lambda t: t[:, ::2]),
    ("slice_negative", lambda t: t[:, -2:]),
    ("select", lambda t: t[:, -1]),
]:
    y = f(w)
    print(label, y, name(y))
    g, = torch.autograd.grad((y * y).sum(), w)
    print(" grad", g)

r = torch.arange(5.0)
print("negative bounds", r[-2:5], r[-4:-1], r[1:-1], r[-10:2])
print("size", w.size(), torch.tensor(1.0).size())
print("allclose", torch.allclose(r, r + 1e-9), torch.allclose(r, r + 1e-3), torch.allclose(torch.tensor([float("nan")]), torch.tensor([float("nan")]), equal_nan=True))
v = torch.zeros(3, requires_grad=True) * 1
v[1] = 1.0
print("setitem", v)
q = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
u = q * 2
u[0] = 5.0
u.sum().backward()
print(" grad", q.grad)

for thunk in [
    lambda: w.permute(0),
    lambda: w.permute(0, 0),
    lambda: w.flip(0, 0),
    lambda: w.repeat(2),
    lambda: w.gather(1, torch.tensor([[3]])),
    lambda: w.gather(1, torch.tensor([0])),
    lambda: w.index_select(1, torch.tensor([3])),
    lambda: torch.ones(3).mT,
    lambda: torch.outer(w, w[0]),
    lambda: w.amax(2),
    lambda: torch.ones(0, 3).amax(0),
    lambda: torch.maximum(w, torch.ones(2)),
    lambda: torch.clamp(w),
    lambda: w[0, 5],
    lambda: w[0, 0, 0],
    lambda: torch.tensor(2.0)[1:2],
]:
    try:
        thunk()
    except Exception as e:
        print("RuntimeError:", str(e).split("\n")[0])
