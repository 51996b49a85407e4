# A hook registered on a tensor, then an in-place change of that tensor: whether the hook runs
# depends on whether the tensor is a view. Its output is
# Tests/AutogradTests/Fixtures/parity/view_hooks.out; the Swift twin is
# Tests/AutogradTests/Parity/ViewHookParityTests.swift.
import torch

for label, make_view in [("view", True), ("plain", False)]:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    t = b.view(2) if make_view else b
    t.register_hook(lambda g: print(" hook", g) or g * 10)
    t.mul_(2)
    print(label, t.grad_fn.name())
    t.sum().backward()
    print(" a.grad", a.grad)
