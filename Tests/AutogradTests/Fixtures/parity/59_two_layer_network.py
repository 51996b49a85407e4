# The tutorial's two-layer SimpleNN (Linear(2, 3), ReLU, Linear(3, 1)) with fixed weights: one
# backward fills every parameter's gradient, and the unit whose ReLU is off gets zero rows.
import torch
import torch.nn as nn
class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = nn.Linear(2, 3)
        self.linear2 = nn.Linear(3, 1)
        self.relu = nn.ReLU()
    def forward(self, x):
        return self.linear2(self.relu(self.linear1(x)))
model = SimpleNN()
with torch.no_grad():
    model.linear1.weight.copy_(torch.tensor([[0.2, -0.4], [0.6, 0.1], [-0.6, 0.2]]))
    model.linear1.bias.copy_(torch.tensor([0.1, -0.2, 0.05]))
    model.linear2.weight.copy_(torch.tensor([[0.7, -0.5, 0.3]]))
    model.linear2.bias.copy_(torch.tensor([0.2]))
inputs = torch.tensor([[0.5, 0.3]])
targets = torch.tensor([[0.7]])
outputs = model(inputs)
loss = (outputs - targets).pow(2).sum()
print(outputs, loss)
loss.backward()
for name, param in model.named_parameters():
    print(f"Parameter: {name}, Size: {param.size()}")
    print(f"Gradient: {param.grad}")
