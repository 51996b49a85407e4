# Lesson 6's regression: every row's second feature is its first plus one, so the features are exactly
# redundant with the bias. The loss's Hessian in (w1, w2, b) has a zero eigenvalue, along [1, -1, 1].
import torch
X = torch.tensor([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]], dtype=torch.float64)
Y = torch.tensor([[3.0], [5.0], [7.0], [9.0]], dtype=torch.float64)
def loss(p):
    return ((X @ p[:2].reshape(2, 1) + p[2] - Y) ** 2).mean()
p = torch.tensor([0.5, -0.5, 0.0], dtype=torch.float64)
H = torch.autograd.functional.hessian(loss, p)
print(H)
print(H @ torch.tensor([1.0, -1.0, 1.0], dtype=torch.float64))
print(" ".join(f"{round(v, 4) + 0.0:.4f}" for v in torch.linalg.eigvalsh(H).tolist()))
print(torch.equal(X @ torch.tensor([[1.0], [-1.0]], dtype=torch.float64) + 1, torch.zeros(4, 1, dtype=torch.float64)))
