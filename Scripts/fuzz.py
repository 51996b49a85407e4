#!/usr/bin/env python3
"""Differential fuzz of the Autograd library against PyTorch: records random programs.

A program is a small list of tensor operations over a few inputs, in a neutral JSON format
(one program per line). This script generates programs, runs each in PyTorch and records every
intermediate value, the first-order gradient of every input and, for some programs, a second-order
gradient. The Swift replay (Tests/AutogradTests/Fuzz) interprets the same programs with the library
and compares. PyTorch is needed only here, to record; `swift test` replays offline.

    python3 Scripts/fuzz.py record --seed 1 --count 1000 --out Tests/AutogradTests/Fixtures/fuzz/seed1.jsonl
    python3 Scripts/fuzz.py shrink --program FILE.jsonl --id 1-17   # minimise a disagreeing program

See Scripts/README.md for the format and the comparison rules.
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.set_num_threads(1)

TIES = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]
SHAPES = [[], [3], [4], [2, 3], [3, 1], [1, 3], [2, 1, 3], [2, 3, 2], [3, 3]]
# With --edges: 0-d tensors and empty dimensions, next to shapes they broadcast with.
EDGE_SHAPES = [[], [0], [2, 0], [0, 3], [1, 0], [1], [3], [2, 1], [1, 3]]


# ---------------------------------------------------------------- values and encoding

def enc(v):
    """A number for JSON: shortest text that round-trips in the program's type; inf/nan as strings."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def tensor_record(t, dtype):
    flat = t.detach().reshape(-1).tolist()
    if dtype == "float32":
        import numpy as np
        flat = [float(str(np.float32(x))) if math.isfinite(x) else x for x in flat]
    return {"s": list(t.shape), "v": [enc(x) for x in flat]}


def rand_values(rng, n):
    mode = rng.random()
    if mode < 0.45:
        return [rng.choice(TIES) for _ in range(n)]  # ties, zeros and kinks on purpose
    if mode < 0.9:
        return [round(rng.uniform(-2.5, 2.5), 3) for _ in range(n)]
    return [rng.choice(TIES) if rng.random() < 0.5 else round(rng.uniform(-2.5, 2.5), 3) for _ in range(n)]


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


# ---------------------------------------------------------------- the operations
# Each entry: arity, a parameter maker (rng, shapes) -> params or None, and the PyTorch function.

def pdim(rng, shape):
    r = max(len(shape), 1)
    return rng.randrange(-r, r)


def p_none(rng, shapes):
    return {}


def p_dim_keep(rng, shapes):
    return {"dim": pdim(rng, shapes[0]), "keepdim": rng.random() < 0.5}


def p_dims_keep(rng, shapes):
    s = shapes[0]
    if not s:
        return {"dims": [], "keepdim": rng.random() < 0.5}
    k = rng.randint(0, len(s))
    dims = rng.sample(range(len(s)), k)
    dims = [d - len(s) if rng.random() < 0.3 else d for d in dims]
    return {"dims": dims, "keepdim": rng.random() < 0.5}


def p_dims_keep_nonempty(rng, shapes):
    p = p_dims_keep(rng, shapes)
    if not p["dims"]:
        p["dims"] = [pdim(rng, shapes[0])]
    return p


def p_var(rng, shapes):
    p = p_dims_keep(rng, shapes)
    p["correction"] = rng.choice([0, 1, 1, 2])
    return p


def p_dim(rng, shapes):
    return {"dim": pdim(rng, shapes[0])}


def p_reshape(rng, shapes):
    n = numel(shapes[0])
    options = [[n], [-1]]
    for a in range(1, n + 1):
        if n % a == 0:
            options.append([a, n // a])
            options.append([a, -1])
    if n == 1:
        options.append([])
    return {"shape": rng.choice(options)}


def p_transpose(rng, shapes):
    return {"d0": pdim(rng, shapes[0]), "d1": pdim(rng, shapes[0])}


def p_permute(rng, shapes):
    dims = list(range(len(shapes[0])))
    rng.shuffle(dims)
    return {"dims": dims}


def p_flip(rng, shapes):
    s = shapes[0]
    if not s:
        return {"dims": []}
    return {"dims": rng.sample(range(len(s)), rng.randint(1, len(s)))}


def p_repeat(rng, shapes):
    r = len(shapes[0]) + rng.choice([0, 0, 1])
    return {"repeats": [rng.choice([1, 2]) for _ in range(r)]}


def p_expand(rng, shapes):
    s = shapes[0]
    new = [rng.choice([2, 3]) if d == 1 else d for d in s]
    if rng.random() < 0.3:
        new = [2] + new
    return {"shape": new}


def p_unsqueeze(rng, shapes):
    r = len(shapes[0]) + 1
    return {"dim": rng.randrange(-r, r)}


def p_squeeze(rng, shapes):
    if rng.random() < 0.5 or not shapes[0]:
        return {"dim": None}
    return {"dim": pdim(rng, shapes[0])}


def p_slice(rng, shapes):
    s = shapes[0]
    if not s:
        return None
    d = rng.randrange(len(s))
    n = s[d]
    def bound():
        return rng.choice([None, rng.randint(-n - 1, n + 1)])
    return {"dim": d - len(s) if rng.random() < 0.3 else d, "start": bound(), "end": bound(), "step": rng.choice([1, 1, 2, 3])}


def p_select(rng, shapes):
    s = shapes[0]
    if not s:
        return None
    d = rng.randrange(len(s))
    if s[d] == 0:
        return None
    return {"dim": d, "index": rng.randrange(-s[d], s[d])}


def p_index_select(rng, shapes):
    s = shapes[0]
    if not s:
        return None
    d = rng.randrange(len(s))
    count = rng.randint(1, 4) if s[d] else 0
    return {"dim": d, "index": [rng.randrange(s[d]) for _ in range(count)]}


def p_gather(rng, shapes):
    s = shapes[0]
    if not s:
        return None
    d = rng.randrange(len(s))
    if s[d] == 0:
        return None
    ishape = [rng.randint(1, max(1, x)) if i != d else rng.randint(1, 4) for i, x in enumerate(s)]
    return {"dim": d, "index": [rng.randrange(s[d]) for _ in range(numel(ishape))], "ishape": ishape}


def p_cat(rng, shapes):
    s = shapes[0]
    if not s:
        return None
    return {"dim": pdim(rng, s)}


def p_stack(rng, shapes):
    r = len(shapes[0]) + 1
    return {"dim": rng.randrange(-r, r)}


def p_clamp(rng, shapes):
    lo, hi = rng.choice([(-1.0, 1.0), (-0.5, None), (None, 0.5), (0.0, 2.0), (1.0, -1.0)])
    return {"min": lo, "max": hi}


def p_clamp_t(rng, shapes):
    return {"which": rng.choice(["both", "min", "max"])}


def p_scalar(rng, shapes):
    return {"s": rng.choice([-2.0, -0.5, 0.5, 1.0, 2.0, 3.0])}


def p_pow_s(rng, shapes):
    return {"e": rng.choice([2.0, 3.0, 0.5, -1.0, 1.5, -2.0, 1.0])}


def p_rpow(rng, shapes):
    return {"base": rng.choice([2.0, 0.5, 3.0])}


def p_leaky(rng, shapes):
    return {"slope": rng.choice([0.01, 0.2, -0.5])}


def p_gelu(rng, shapes):
    return {"approximate": rng.choice(["none", "tanh"])}


def p_softplus(rng, shapes):
    return {"beta": rng.choice([1.0, 2.0, 0.5]), "threshold": rng.choice([20.0, 1.0, 2.0])}


def p_norm(rng, shapes):
    p = {"p": rng.choice([2.0, 1.0, 3.0, "inf"]), "keepdim": rng.random() < 0.5}
    p["dim"] = None if rng.random() < 0.5 or not shapes[0] else pdim(rng, shapes[0])
    return p


def p_huber(rng, shapes):
    return {"delta": rng.choice([1.0, 0.5, 2.0])}


def t_index(p, dtype):
    return torch.tensor(p["index"], dtype=torch.long)


def torch_slice(x, p):
    d = p["dim"] % x.dim()
    idx = [slice(None)] * x.dim()
    idx[d] = slice(p["start"], p["end"], p["step"])
    return x[tuple(idx)]


def torch_squeeze(x, p):
    return x.squeeze() if p["dim"] is None else x.squeeze(p["dim"])


def torch_norm(x, p):
    dim = p["dim"]
    return torch.linalg.vector_norm(x, ord=float(p["p"]), dim=dim, keepdim=p["keepdim"] if dim is not None else False)


def torch_clamp_t(a, lo, hi, p):
    if p["which"] == "min":
        return torch.clamp(a, min=lo)
    if p["which"] == "max":
        return torch.clamp(a, max=hi)
    return torch.clamp(a, lo, hi)


def s_sc(op):
    return lambda a, p: op(a, p["s"])


OPS = {
    # unary
    "neg": (1, p_none, lambda a, p: -a),
    "exp": (1, p_none, lambda a, p: a.exp()),
    "log": (1, p_none, lambda a, p: a.log()),
    "sqrt": (1, p_none, lambda a, p: a.sqrt()),
    "sin": (1, p_none, lambda a, p: a.sin()),
    "cos": (1, p_none, lambda a, p: a.cos()),
    "tanh": (1, p_none, lambda a, p: a.tanh()),
    "sigmoid": (1, p_none, lambda a, p: a.sigmoid()),
    "relu": (1, p_none, lambda a, p: a.relu()),
    "abs": (1, p_none, lambda a, p: a.abs()),
    "sign": (1, p_none, lambda a, p: a.sign()),
    "reciprocal": (1, p_none, lambda a, p: a.reciprocal()),
    "square": (1, p_none, lambda a, p: a.square()),
    "log1p": (1, p_none, lambda a, p: a.log1p()),
    "expm1": (1, p_none, lambda a, p: a.expm1()),
    "rsqrt": (1, p_none, lambda a, p: a.rsqrt()),
    "erf": (1, p_none, lambda a, p: a.erf()),
    "silu": (1, p_none, lambda a, p: F.silu(a)),
    "logsigmoid": (1, p_none, lambda a, p: F.logsigmoid(a)),
    "leaky_relu": (1, p_leaky, lambda a, p: F.leaky_relu(a, p["slope"])),
    "gelu": (1, p_gelu, lambda a, p: F.gelu(a, approximate=p["approximate"])),
    "softplus": (1, p_softplus, lambda a, p: F.softplus(a, p["beta"], p["threshold"])),
    "clamp": (1, p_clamp, lambda a, p: torch.clamp(a, p["min"], p["max"])),
    "pow_s": (1, p_pow_s, lambda a, p: a ** p["e"]),
    "rpow": (1, p_rpow, lambda a, p: p["base"] ** a),
    "add_s": (1, p_scalar, s_sc(lambda a, s: a + s)),
    "sub_s": (1, p_scalar, s_sc(lambda a, s: a - s)),
    "rsub_s": (1, p_scalar, s_sc(lambda a, s: s - a)),
    "mul_s": (1, p_scalar, s_sc(lambda a, s: a * s)),
    "div_s": (1, p_scalar, s_sc(lambda a, s: a / s)),
    "rdiv_s": (1, p_scalar, s_sc(lambda a, s: s / a)),
    # binary, broadcasting
    "add": (2, p_none, lambda a, b, p: a + b),
    "sub": (2, p_none, lambda a, b, p: a - b),
    "mul": (2, p_none, lambda a, b, p: a * b),
    "div": (2, p_none, lambda a, b, p: a / b),
    "pow": (2, p_none, lambda a, b, p: a ** b),
    "atan2": (2, p_none, lambda a, b, p: torch.atan2(a, b)),
    "maximum": (2, p_none, lambda a, b, p: torch.maximum(a, b)),
    "minimum": (2, p_none, lambda a, b, p: torch.minimum(a, b)),
    "where": (3, p_none, lambda c, a, b, p: torch.where(c > 0, a, b)),
    "clamp_t": (3, p_clamp_t, lambda a, lo, hi, p: torch_clamp_t(a, lo, hi, p)),
    "mse": (2, p_none, lambda a, b, p: F.mse_loss(a, b)),
    "l1": (2, p_none, lambda a, b, p: F.l1_loss(a, b)),
    "huber": (2, p_huber, lambda a, b, p: F.huber_loss(a, b, delta=p["delta"])),
    # reductions
    "sum": (1, p_none, lambda a, p: a.sum()),
    "sum_dim": (1, p_dim_keep, lambda a, p: a.sum(p["dim"], keepdim=p["keepdim"])),
    "mean": (1, p_none, lambda a, p: a.mean()),
    "mean_dim": (1, p_dim_keep, lambda a, p: a.mean(p["dim"], keepdim=p["keepdim"])),
    "max_all": (1, p_none, lambda a, p: a.max()),
    "min_all": (1, p_none, lambda a, p: a.min()),
    "max_dim": (1, p_dim_keep, lambda a, p: a.max(p["dim"], keepdim=p["keepdim"]).values),
    "min_dim": (1, p_dim_keep, lambda a, p: a.min(p["dim"], keepdim=p["keepdim"]).values),
    "amax": (1, p_dims_keep, lambda a, p: a.amax(p["dims"], keepdim=p["keepdim"])),
    "amin": (1, p_dims_keep, lambda a, p: a.amin(p["dims"], keepdim=p["keepdim"])),
    "logsumexp": (1, p_dims_keep_nonempty, lambda a, p: a.logsumexp(p["dims"], keepdim=p["keepdim"])),
    "prod": (1, p_none, lambda a, p: a.prod()),
    "prod_dim": (1, p_dim_keep, lambda a, p: a.prod(p["dim"], keepdim=p["keepdim"])),
    "var": (1, p_var, lambda a, p: a.var(p["dims"] or None, correction=p["correction"], keepdim=p["keepdim"])),
    "std": (1, p_var, lambda a, p: a.std(p["dims"] or None, correction=p["correction"], keepdim=p["keepdim"])),
    "cumsum": (1, p_dim, lambda a, p: a.cumsum(p["dim"])),
    "cumprod": (1, p_dim, lambda a, p: a.cumprod(p["dim"])),
    "norm": (1, p_norm, lambda a, p: torch_norm(a, p)),
    "softmax": (1, p_dim, lambda a, p: a.softmax(p["dim"])),
    "log_softmax": (1, p_dim, lambda a, p: a.log_softmax(p["dim"])),
    # shapes and indexing
    "reshape": (1, p_reshape, lambda a, p: a.reshape(p["shape"])),
    "transpose": (1, p_transpose, lambda a, p: a.transpose(p["d0"], p["d1"])),
    "permute": (1, p_permute, lambda a, p: a.permute(p["dims"])),
    "flip": (1, p_flip, lambda a, p: a.flip(p["dims"])),
    "repeat": (1, p_repeat, lambda a, p: a.repeat(p["repeats"])),
    "expand": (1, p_expand, lambda a, p: a.expand(p["shape"])),
    "unsqueeze": (1, p_unsqueeze, lambda a, p: a.unsqueeze(p["dim"])),
    "squeeze": (1, p_squeeze, lambda a, p: torch_squeeze(a, p)),
    "slice": (1, p_slice, lambda a, p: torch_slice(a, p)),
    "select": (1, p_select, lambda a, p: a.select(p["dim"], p["index"])),
    "index_select": (1, p_index_select, lambda a, p: a.index_select(p["dim"], t_index(p, None))),
    "gather": (1, p_gather, lambda a, p: a.gather(p["dim"], torch.tensor(p["index"], dtype=torch.long).reshape(p["ishape"]))),
    "mT": (1, p_none, lambda a, p: a.mT),
    "t": (1, p_none, lambda a, p: a.t()),
    "cat": (2, p_cat, lambda a, b, p: torch.cat([a, b], p["dim"])),
    "stack": (2, p_stack, lambda a, b, p: torch.stack([a, b], p["dim"])),
    "outer": (2, p_none, lambda a, b, p: torch.outer(a, b)),
    "matmul": (2, p_none, lambda a, b, p: a.matmul(b)),
}

# Operations drawn more often: they make programs that chain well.
WEIGHTS = {name: 1.0 for name in OPS}
for name in ["add", "mul", "sub", "sum_dim", "reshape", "slice", "maximum", "relu", "abs", "tanh", "matmul"]:
    WEIGHTS[name] = 2.0


# ---------------------------------------------------------------- generating and running

def make_inputs(rng, dtype, shapes):
    count = rng.randint(1, 3)
    inputs = []
    for i in range(count):
        shape = rng.choice(shapes)
        inputs.append({"s": shape, "v": rand_values(rng, numel(shape)), "grad": i == 0 or rng.random() < 0.7})
    return inputs


def torch_dtype(name):
    return torch.float64 if name == "float64" else torch.float32


def build(program):
    """Runs a program in PyTorch. Returns (values, leaves) or raises."""
    dt = torch_dtype(program["dtype"])
    leaves = [torch.tensor(i["v"], dtype=dt).reshape(i["s"]).requires_grad_(i["grad"]) for i in program["inputs"]]
    values = list(leaves)
    hooks = {h["at"]: h["scale"] for h in program.get("hooks", [])}
    for k, op in enumerate(program["ops"]):
        arity, _, fn = OPS[op["op"]]
        args = [values[i] for i in op["a"]]
        out = fn(*args, op.get("p", {}))
        if out.dtype != dt:
            raise RuntimeError("dtype changed")
        at = len(values)
        if at in hooks and out.requires_grad:
            scale = hooks[at]
            out.register_hook(lambda g, s=scale: g * s)
        values.append(out)
    return values, leaves


def sinks(program):
    used = set()
    for op in program["ops"]:
        used.update(op["a"])
    n = len(program["inputs"]) + len(program["ops"])
    return [i for i in range(len(program["inputs"]), n) if i not in used]


def weights_for(rng, shape):
    return {"s": list(shape), "v": [round(rng.uniform(-1.5, 1.5), 2) for _ in range(numel(shape))]}


def record(program):
    """Adds PyTorch's results to a program (values, grads, second-order grads)."""
    dt = torch_dtype(program["dtype"])
    values, leaves = build(program)
    n_in = len(program["inputs"])
    result = {"values": [tensor_record(v, program["dtype"]) for v in values[n_in:]]}
    loss = None
    for w in program["loss"]:
        v = values[w["at"]]
        if not v.requires_grad:
            continue
        term = (v * torch.tensor(w["v"], dtype=dt).reshape(w["s"])).sum()
        loss = term if loss is None else loss + term
    grads, grads2 = None, None
    if loss is not None:
        second = program.get("second") is not None
        loss.backward(create_graph=second)
        grads = [tensor_record(l.grad, program["dtype"]) if l.grad is not None else None for l in leaves]
        if second:
            loss2 = None
            for leaf, v in zip(leaves, program["second"]):
                if leaf.grad is None or v is None:
                    continue
                term = (leaf.grad * torch.tensor(v["v"], dtype=dt).reshape(v["s"])).sum()
                loss2 = term if loss2 is None else loss2 + term
            wanted = [l for l in leaves if l.requires_grad]
            if loss2 is not None and loss2.requires_grad:
                g2 = dict(zip(map(id, wanted), torch.autograd.grad(loss2, wanted, allow_unused=True)))
                grads2 = [tensor_record(g2[id(l)], program["dtype"]) if l.requires_grad and g2[id(l)] is not None else None
                          for l in leaves]
            else:
                grads2 = [None for _ in leaves]
    result["grads"] = grads
    result["grads2"] = grads2
    program["expect"] = result
    return program


def generate(rng, pid, shapes=SHAPES):
    dtype = "float64" if rng.random() < 0.6 else "float32"
    program = {"id": pid, "dtype": dtype, "inputs": make_inputs(rng, dtype, shapes), "ops": []}
    length = rng.randint(1, 7)
    names = list(OPS)
    weights = [WEIGHTS[n] for n in names]
    attempts = 0
    while len(program["ops"]) < length and attempts < 60:
        attempts += 1
        name = rng.choices(names, weights)[0]
        arity = OPS[name][0]
        values, _ = build(program)
        # Prefer recent values, so programs chain; any earlier value may be reused (diamonds).
        n = len(values)
        args = [max(0, n - 1 - int(rng.expovariate(0.8))) if rng.random() < 0.7 else rng.randrange(n) for _ in range(arity)]
        params = OPS[name][1](rng, [list(values[i].shape) for i in args])
        if params is None:
            continue
        candidate = dict(program, ops=program["ops"] + [{"op": name, "a": args, "p": params}])
        try:
            out, _ = build(candidate)
            if out[-1].numel() > 64:
                continue
        except Exception:
            continue
        program = candidate
    if not program["ops"]:
        return None
    values, _ = build(program)
    n_in = len(program["inputs"])
    candidates = [i for i in range(n_in, len(values)) if values[i].requires_grad]
    if candidates and rng.random() < 0.3:
        program["hooks"] = [{"at": rng.choice(candidates), "scale": rng.choice([2.0, -1.0, 0.5])}]
    program["loss"] = [dict(weights_for(rng, values[i].shape), at=i) for i in sinks(program)]
    if rng.random() < 0.35:
        program["second"] = [weights_for(rng, values[i].shape) if program["inputs"][i]["grad"] else None for i in range(n_in)]
    return program


def record_many(seed, count, shapes=SHAPES):
    out = []
    i = 0
    while len(out) < count:
        rng = random.Random(seed * 1_000_003 + i)
        i += 1
        program = generate(rng, f"{seed}-{i - 1}", shapes)
        if program is None:
            continue
        try:
            out.append(record(program))
        except Exception as e:  # a program PyTorch itself refuses to differentiate: not a test
            print(f"skip {program['id']}: {type(e).__name__}: {str(e).splitlines()[0]}", file=sys.stderr)
    return out


def dump(programs, path):
    with open(path, "w") as f:
        for p in programs:
            f.write(json.dumps(p, separators=(",", ":"), allow_nan=False) + "\n")


# ---------------------------------------------------------------- shrinking

def swift_disagrees(program, repo):
    """Whether the Swift replay disagrees with PyTorch on `program` (re-recorded first)."""
    try:
        record(program)
    except Exception:
        return False
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write(json.dumps(program, separators=(",", ":")) + "\n")
        path = f.name
    env = dict(os.environ, AUTOGRAD_FUZZ_FILE=path)
    run = subprocess.run(["swift", "test", "--skip-build", "--disable-swift-testing", "--filter", "FuzzReplayTests/testReplayFile"],
                         cwd=repo, env=env, capture_output=True, text=True)
    os.unlink(path)
    return "FUZZ-DISAGREE" in run.stdout + run.stderr or run.returncode not in (0, 1)


def drop_op(program, k):
    """The program without op k; later references to it and above shift down (or the op goes)."""
    n_in = len(program["inputs"])
    removed = n_in + k
    ops = []
    for j, op in enumerate(program["ops"]):
        if j == k:
            continue
        if removed in op["a"]:
            return None
        ops.append(dict(op, a=[a - 1 if a > removed else a for a in op["a"]]))
    p = dict(program, ops=ops)
    p["hooks"] = [dict(h, at=h["at"] - 1 if h["at"] > removed else h["at"]) for h in program.get("hooks", []) if h["at"] != removed]
    return p


def reset_loss(program):
    values, _ = build(program)
    rng = random.Random(0)
    program["loss"] = [dict(weights_for(rng, values[i].shape), at=i) for i in sinks(program)]
    return program


def shrink(program, repo):
    """Greedily removes ops, hooks and second order while the disagreement stays."""
    assert swift_disagrees(program, repo), "the program does not disagree"
    changed = True
    while changed:
        changed = False
        candidates = []
        if program.get("hooks"):
            candidates.append(dict(program, hooks=[]))
        if program.get("second") is not None:
            candidates.append({k: v for k, v in program.items() if k != "second"})
        for k in reversed(range(len(program["ops"]))):
            c = drop_op(program, k)
            if c is not None and c["ops"]:
                candidates.append(c)
        for c in candidates:
            try:
                c = reset_loss(json.loads(json.dumps(c)))
            except Exception:
                continue
            if swift_disagrees(c, repo):
                program, changed = c, True
                break
    return program


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("record", help="generate and record programs")
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--count", type=int, default=1000)
    r.add_argument("--out", required=True)
    r.add_argument("--edges", action="store_true", help="draw input shapes among 0-d tensors and empty dimensions")
    s = sub.add_parser("shrink", help="minimise a program the Swift replay disagrees with")
    s.add_argument("--program", required=True, help="a .jsonl fixture file")
    s.add_argument("--id", required=True)
    s.add_argument("--repo", default=os.path.join(os.path.dirname(__file__), ".."))
    args = parser.parse_args()
    if args.command == "record":
        dump(record_many(args.seed, args.count, EDGE_SHAPES if args.edges else SHAPES), args.out)
    else:
        with open(args.program) as f:
            program = next(p for p in map(json.loads, f) if p["id"] == args.id)
        print(json.dumps(shrink(program, args.repo), separators=(",", ":")))


if __name__ == "__main__":
    main()
