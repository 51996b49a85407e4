# Second derivatives of activations, and a gradient penalty through a ReLU critic: ReLU's and leaky
# ReLU's second derivatives are 0, yet the penalty still reaches the critic's weights.
import torch
x = torch.tensor([-1.5, -0.5, 0.5, 1.5], dtype=torch.float64, requires_grad=True)
for name, f in [("relu", torch.relu), ("leaky_relu", lambda t: torch.nn.functional.leaky_relu(t, 0.2)),
                ("tanh", torch.tanh), ("softplus", torch.nn.functional.softplus)]:
    (d1,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    if d1.requires_grad:
        (d2,) = torch.autograd.grad(d1.sum(), x)
    else:
        d2 = None
    print(name, "first:", d1.detach(), "second:", d2)
W = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
v = torch.tensor([[1.0], [-2.0]], requires_grad=True)
samples = torch.tensor([[1.0, 0.5], [-0.5, 2.0]], requires_grad=True)
scores = torch.relu(samples @ W) @ v
(g,) = torch.autograd.grad(scores, samples, grad_outputs=torch.ones_like(scores), create_graph=True)
penalty = ((g.norm(2, dim=1) - 1) ** 2).mean()
print(penalty)
penalty.backward()
print(W.grad)
print(v.grad)
