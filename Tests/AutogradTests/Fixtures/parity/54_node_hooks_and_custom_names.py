# Hooks on graph nodes (removable, and on a leaf's AccumulateGrad node) and a custom Function's name.
import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
seen = []
h = y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(grad_inputs[0].clone()))
y.sum().backward()
print(seen)
h.remove()
(x * 3).sum().backward()
print(len(seen))
acc = y.grad_fn.next_functions[0][0]
print(type(acc).__name__, acc.variable is x)
hits = []
h2 = acc.register_hook(lambda grad_inputs, grad_outputs: hits.append(grad_outputs[0].clone()))
(x * 5).sum().backward()
print(hits, x.grad)
h2.remove()
(x * 5).sum().backward()
print(len(hits))
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        ctx.save_for_backward(v)
        return v ** 3
    @staticmethod
    def backward(ctx, g):
        v, = ctx.saved_tensors
        return g * 3 * v ** 2
c = Cube.apply(x)
print(type(c.grad_fn).__name__)
