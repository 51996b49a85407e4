# Regenerates printing.out with PyTorch (pip install torch): each block is one repr.
import torch
cases = [
    torch.arange(30.0).reshape(2, 15) * 1.5,          # rows wider than 80 columns wrap
    torch.arange(2500.0).reshape(50, 50) / 7,         # 2-D summary with ... rows and columns
    torch.arange(1000.0),                             # exactly the threshold: not summarised
    torch.arange(1001.0) / 3,                         # one more: summarised
    torch.arange(16.0).reshape(2, 2, 2, 2) - 8,       # 4-D nesting
    torch.tensor(2.5, dtype=torch.float64),
    torch.tensor([[-0.0, 1.5], [2.25, -3.0]]),
    torch.arange(12.0, requires_grad=True) * 1.001,   # suffix goes to a new line
    torch.tensor([123456789.0, 1.0]),
    torch.tensor([0.5, 1e-5]),
    torch.zeros(0, 3),
]
for t in cases:
    print(repr(t))
    print("====")
for v in [47.25, 0.0, 1e-05, 0.0001, 1e16, 9e15, 123456.789, 1.5e-07, 65504.0, 6.103515625e-05, -2.5, 1e22, 0.1 + 0.2]:
    print(repr(v))
