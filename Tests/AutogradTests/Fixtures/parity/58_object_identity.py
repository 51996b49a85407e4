# Which operations give back the very same tensor object, and which a new one (a view or a copy):
# a hook or an in-place change on the result reaches the input only when it is the same object.
import torch
import warnings
warnings.simplefilter("ignore")
x = torch.tensor([1.0, 2.0], requires_grad=True)
m = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
s = torch.tensor(2.0, requires_grad=True)
print("to same dtype", x.to(torch.float32) is x, "float", x.float() is x, "double", x.double() is x)
print("squeeze", x.squeeze() is x, "reshape same", x.reshape(2) is x, "view same", x.view(2) is x)
print("narrow all", x.narrow(0, 0, 2) is x, "T.T", x.T.T is x, "flatten 1-D", x.flatten() is x)
print("expand same", x.expand(2) is x, "t 1-D", x.t() is x, "transpose same dim", m.transpose(1, 1) is m)
print("flatten 2-D", m.flatten() is m, "T 2-D", m.T is m, "detach", x.detach() is x, "clone", x.clone() is x)
print("0-d flatten", s.flatten() is s, s.flatten().shape, "T", s.T is s, "squeeze", s.squeeze() is s)
print("0-d sum(0)", s.sum(0) is s, "mean(0)", s.mean(0) is s, "unsqueeze", s.unsqueeze(0).shape)
