# An in-place write through a view changes its base, and the base's graph records it (CopySlices).
import torch
def fn(t): return None if t.grad_fn is None else "<" + type(t.grad_fn).__name__ + ">"
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 1
b.reshape([2, 1]).mul_(3)
print(b, fn(b))
b.sum().backward()
print(a.grad)
views = [("reshape", lambda t: t.reshape([4])), ("view", lambda t: t.view([4, 1])),
         ("flatten", lambda t: t.flatten()), ("unsqueeze", lambda t: t.unsqueeze(0)),
         ("squeeze", lambda t: t.unsqueeze(1).squeeze(1)), ("view of view", lambda t: t.view([4]).view([2, 2]))]
ops = [("add_", lambda v: v.add_(torch.ones(v.shape) * 2)), ("add_ scalar", lambda v: v.add_(1.5)),
       ("sub_", lambda v: v.sub_(torch.ones(v.shape), alpha=2)), ("sub_ scalar", lambda v: v.sub_(0.5)),
       ("mul_", lambda v: v.mul_(torch.full(v.shape, 3.0))), ("mul_ scalar", lambda v: v.mul_(-2.0)),
       ("div_ scalar", lambda v: v.div_(4.0)), ("zero_", lambda v: v.zero_()), ("fill_", lambda v: v.fill_(7.0)),
       ("copy_", lambda v: v.copy_(torch.full(v.shape, 5.0))), ("clamp_", lambda v: v.clamp_(min=2.5, max=5.0))]
w = torch.tensor([[1.0, -1.0], [2.0, 0.5]])
for vname, view in views:
    for oname, op in ops:
        a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = a * 2
        v = view(b)
        op(v)
        (b * b * w).sum().backward()
        print(vname, oname, b.detach().flatten(), fn(b), fn(v), a.grad.flatten())
# a second view of the same base sees the write and its graph
a = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
b = a * 1
v1 = b.view([2, 2])
v2 = b.view([4, 1])
v1.mul_(10)
print(v2.detach().flatten(), fn(v2))
(v2 * v2).sum().backward()
print(a.grad)
# the base needs no grad, the value written does
z = torch.zeros(2)
q = torch.tensor([2.0, 3.0], requires_grad=True)
z.view([2, 1]).add_(q.view([2, 1]) * 2)
print(z, fn(z))
(z * z).sum().backward()
print(q.grad)
# a view of a leaf that requires grad refuses
for vname, view in views:
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    try:
        view(a).mul_(2)
    except RuntimeError as e:
        print(vname, "RuntimeError:", e)
# under no_grad the leaf's values may change through a view
a = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    a.view([2, 1]).mul_(2)
print(a)
# a view made under no_grad, written with grad mode on
with torch.no_grad():
    v = a.view([2])
try:
    v.mul_(2)
except RuntimeError as e:
    print("RuntimeError:", e)
# detach shares the version counter: a write through it invalidates what backward saved
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 2
c = b * b
b.detach().mul_(3)
print(b)
try:
    c.sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)
a.detach().zero_()
print(a)
