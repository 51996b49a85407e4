# Which graphs a second backward() may run through: the saved tensors decide, not the operation's
# "kind". A product with a plain number saves that number as a tensor, so it refuses like x * x;
# x + 1, -x and sum() save nothing and run backward twice.
import torch
cases = [("x * 2.0", lambda x: x * 2.0), ("x * 5", lambda x: x * 5), ("2 * x", lambda x: 2 * x),
         ("x / 2", lambda x: x / 2), ("x * x", lambda x: x * x), ("x + 1", lambda x: x + 1),
         ("-x", lambda x: -x), ("x.sum()", lambda x: x.sum())]
for name, f in cases:
    x = torch.tensor([3.0], requires_grad=True)
    y = f(x).sum()
    y.backward()
    try:
        y.backward()
        print(name, "twice:", x.grad)
    except RuntimeError as e:
        print(name, "refuses:", str(e).split(" (")[0])
