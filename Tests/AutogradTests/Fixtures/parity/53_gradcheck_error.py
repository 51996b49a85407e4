# gradcheck on a backward that forgets its incoming gradient: the error's type and first line, and
# the Jacobian element the course's message names (row = input element, column = output element).
import torch
class ForgetfulLeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, 0.1 * x)
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, 0.1))
p = torch.tensor([-2.0, -0.5, 1.0, 3.0], dtype=torch.float64, requires_grad=True)
try:
    torch.autograd.gradcheck(ForgetfulLeakyReLU.apply, (p,))
except RuntimeError as e:
    print(type(e).__name__)
    print("a RuntimeError:", isinstance(e, RuntimeError))
    print(str(e).splitlines()[0])
    print("lines in the message:", len(str(e).splitlines()))
