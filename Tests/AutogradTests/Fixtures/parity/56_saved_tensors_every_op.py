# For every differentiable operation of the library: how many tensors it saves (as a pack hook sees
# them), whether its graph can be run backward a second time, and how its recorded backward is named.
import torch
import torch.nn.functional as F
def fn(t): return None if t.grad_fn is None else "<" + type(t.grad_fn).__name__ + ">"
count = [0]
def pack(t):
    count[0] += 1
    return t
x = torch.tensor([[0.5, -1.5], [2.0, 0.25]], requires_grad=True)
w = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
c = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
ops = [("sin", lambda: x.sin()), ("cos", lambda: x.cos()), ("abs", lambda: x.abs()), ("sign", lambda: x.sign()),
       ("reciprocal", lambda: x.reciprocal()), ("clamp", lambda: x.clamp(min=0.0, max=1.0)),
       ("clamp min", lambda: x.clamp(min=0.0)), ("square", lambda: x.square()), ("x ** 0.5 of abs", lambda: x.abs() ** 0.5),
       ("3 / x", lambda: 3 / x), ("x / w", lambda: x / w), ("x / c", lambda: x / c), ("x * c", lambda: x * c),
       ("1 - x", lambda: 1 - x), ("where", lambda: torch.where(c > 2, x, w)), ("max", lambda: x.max()),
       ("min", lambda: x.min()), ("max dim", lambda: x.max(dim=1)[0]), ("min dim", lambda: x.min(dim=0)[0]),
       ("norm", lambda: torch.linalg.vector_norm(x)), ("norm 1 dim", lambda: torch.linalg.vector_norm(x, 1, dim=1)),
       ("softmax", lambda: x.softmax(dim=1)), ("log_softmax", lambda: x.log_softmax(dim=1)),
       ("matmul", lambda: x @ w), ("matmul const", lambda: x @ c), ("mv", lambda: x @ c[0]),
       ("mse", lambda: F.mse_loss(x, c)), ("huber", lambda: F.huber_loss(x, c)),
       ("nll_loss", lambda: F.nll_loss(x, torch.tensor([1, 0]))),
       ("cross_entropy", lambda: F.cross_entropy(x, torch.tensor([1, 0]))),
       ("cat", lambda: torch.cat([x, w])), ("stack", lambda: torch.stack([x, w])), ("expand", lambda: x[:1].expand(3, 2)),
       ("transpose", lambda: x.transpose(0, 1)), ("t", lambda: x.t()), ("select", lambda: x[1]), ("slice", lambda: x[0:1]),
       ("to float64", lambda: x.to(torch.float64)), ("clone", lambda: x.clone()), ("sum dim", lambda: x.sum(dim=0)),
       ("mean dim", lambda: x.mean(dim=1)), ("squeeze", lambda: x.unsqueeze(0).squeeze(0)),
       ("linear", lambda: F.linear(x, w, torch.tensor([0.5, -0.5], requires_grad=True)))]
for name, op in ops:
    count[0] = 0
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = op()
    out = out.sum()
    out.backward()
    try:
        out.backward()
        again = "ran twice"
    except RuntimeError as e:
        again = "refused"
    print(name, count[0], again)
# the first gradient's node when the backward pass is recorded
for name, f in [("sin", torch.sin), ("cos", torch.cos), ("abs", torch.abs), ("reciprocal", torch.reciprocal),
                ("square", torch.square), ("x * x", lambda v: v * v), ("3 / x", lambda v: 3 / v), ("x * 2.0", lambda v: v * 2.0),
                ("clamp", lambda v: v.clamp(min=0.0, max=1.0)), ("softmax", lambda v: v.softmax(dim=1)),
                ("log_softmax", lambda v: v.log_softmax(dim=1))]:
    g, = torch.autograd.grad((f(x) * c).sum(), x, create_graph=True)
    print(name, fn(g), g.requires_grad)
    if g.requires_grad:
        print(torch.autograd.grad((g * w).sum(), x)[0])
