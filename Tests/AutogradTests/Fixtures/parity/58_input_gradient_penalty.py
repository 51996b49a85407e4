# A penalty on the gradient of a model with respect to its input ("double backpropagation"): the mean
# over samples of the squared norm of d f(x_i) / d x_i, trained into the weights through a second
# backward pass. Without create_graph the penalty is a constant.
import torch
W = torch.tensor([[1.0, -0.5], [0.25, 2.0]], requires_grad=True)
v = torch.tensor([[1.5], [-1.0]], requires_grad=True)
def model(x):
    return torch.tanh(x @ W) @ v
x = torch.tensor([[0.5, -1.0], [2.0, 0.0], [-1.0, 1.0]], requires_grad=True)
out = model(x)
(g,) = torch.autograd.grad(out, x, grad_outputs=torch.ones_like(out), create_graph=True)
print(g)
penalty = (g.norm(2, dim=1) ** 2).mean()
print(penalty)
penalty.backward()
print(W.grad)
print(v.grad)
(plain,) = torch.autograd.grad(model(x), x, grad_outputs=torch.ones_like(out))
constant = (plain.norm(2, dim=1) ** 2).mean()
print(constant, constant.requires_grad)
print(g.norm(2, dim=1), g.norm())
