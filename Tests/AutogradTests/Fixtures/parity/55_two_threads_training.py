# Two small models trained for 30 steps each. The Swift twin trains them on two threads at once;
# the results must be exactly these (PyTorch runs them one after the other).
import torch
def train(scale):
    w1 = ((torch.arange(32, dtype=torch.float64) % 7) * 0.05 - 0.15) * scale
    w1 = w1.reshape(4, 8).requires_grad_()
    w2 = ((torch.arange(8, dtype=torch.float64) % 3) * 0.2 - 0.2).reshape(8, 1).requires_grad_()
    x = torch.arange(24, dtype=torch.float64).reshape(6, 4) / 10 - 1
    y = (torch.arange(6, dtype=torch.float64) % 3 - 1).reshape(6, 1)
    opt = torch.optim.SGD([w1, w2], lr=0.1, momentum=0.9)
    for step in range(30):
        h = (x @ w1).tanh()
        out = (h @ w2).sigmoid() * 2 - 1
        loss = ((out - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss, w2
for scale in [1.0, -2.0]:
    loss, w2 = train(scale)
    print(scale, loss)
    print(w2.detach().flatten())
