# Clipping before Adam: a gradient spike at step 3. SGD's step grows with the spike, Adam's does not;
# but the unclipped spike stays in Adam's second moment and shrinks its steps long after.
import torch
def run(optimizer_name, clip):
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.01) if optimizer_name == "SGD" else torch.optim.Adam([w], lr=0.01)
    steps = []
    for step in range(40):
        w.grad = torch.tensor([1000.0 if step == 3 else 1.0])
        if clip:
            torch.nn.utils.clip_grad_norm_([w], max_norm=5.0)
        before = w.item()
        opt.step()
        steps.append(before - w.item())
    return steps
for name in ["SGD", "Adam"]:
    for clip in [False, True]:
        s = run(name, clip)
        print(name, "clipped" if clip else "unclipped", " ".join(f"{s[i]:.5f}" for i in [0, 2, 3, 4, 10, 39]))
