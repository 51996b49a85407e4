# Where float16 and bfloat16 round: the halfway point 65520 (ties to even sends it to inf), and what
# bfloat16 keeps (float32's range) and loses (digits) against float16.
import torch
print(torch.tensor([65504.0, 65519.0, 65520.0]).half())
print(torch.finfo(torch.bfloat16).max, torch.finfo(torch.bfloat16).tiny, torch.finfo(torch.bfloat16).eps)
v = torch.tensor([1.0004, 3.14159, 2049.0, 65520.0, 1e5, 3e38, 1e-5, 1e-8, 1e-30])
print(v.half().float())
print(v.to(torch.bfloat16).float())
print(torch.tensor([1.00390625, 1.01171875, 257.0, 259.0]).to(torch.bfloat16).float())
print(torch.tensor([1e-8, 3e-12]).half().float(), torch.tensor([1e-8, 3e-12]).to(torch.bfloat16).float())
print(torch.tensor([1 - 0.004, 1 - 0.0004]).to(torch.bfloat16).float())
print(torch.tensor([256.0, 257.0, 258.0, 259.0, 260.0]).to(torch.bfloat16).float())
