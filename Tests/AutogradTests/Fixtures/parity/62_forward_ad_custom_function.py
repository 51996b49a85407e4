# A custom Function's forward-mode rule (jvp) and what happens without one.
import torch
import torch.autograd.forward_ad as fwAD

class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x ** 2

    @staticmethod
    def jvp(ctx, t):
        x, = ctx.saved_tensors
        return t * 3 * x ** 2

class NoJvp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2

class WrongShape(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2

    @staticmethod
    def jvp(ctx, t):
        return t.sum()

with fwAD.dual_level():
    d = fwAD.make_dual(torch.tensor([1.0, -2.0]), torch.tensor([1.0, 0.5]))
    out = Cube.apply(d)
    print(out)
    print(fwAD.unpack_dual(Cube.apply(d).sin()).tangent)
    print(Cube.apply(torch.tensor([2.0])))
    try:
        NoJvp.apply(d)
    except NotImplementedError as e:
        print(f"RuntimeError: {e}")
    try:
        WrongShape.apply(d)
    except RuntimeError as e:
        print(f"RuntimeError: {e}")
